"""Streamlit's own English texts, drawn in the user's language (issue #22).

Streamlit 1.67 writes a few texts itself, with no parameter to change them (its issue
streamlit/streamlit#13500 asks for one and is open): the file uploader's "Upload" button, its
"200MB per file • CSV, XLSX" line, "Drag and drop a file here" while a file is dragged over it,
the tooltip of a refused file ("text/plain files are not allowed."), and the "Fullscreen" /
"Close fullscreen" button it adds to every Plotly chart's mode bar. The Plotly mode bar's own
buttons and date ticks come from the chart locale (`ui.charts.plotly_config`).

In the Chinese UI `apply()` (the shell calls it on every run, so every page has it) adds one
style block that draws each of these texts from the label catalogue: the original text is set
to size 0 and a `::after` pseudo-element carries the label. `file_uploader()` wraps
`st.file_uploader` so that its line also names the accepted types, as Streamlit's does; an
uploader drawn with plain `st.file_uploader` still gets the size limit in Chinese. In English
Streamlit's texts are already in the user's language and nothing is added.
"""

from __future__ import annotations

import re

import streamlit as st

from .labels import lang, t

_DROPZONE = '[data-testid="stFileUploaderDropzone"]'
# The text nodes Streamlit 1.67 draws (frontend FileUploader / FileDropzone / PlotlyChart).
BUTTON = f'{_DROPZONE} [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p'
INSTRUCTIONS = f'{_DROPZONE} [data-testid="stFileUploaderDropzoneInstructions"] span'
# While a file is dragged over the zone: a bare div holding one span (the file chips' div
# holds elements with test ids).
DRAG_OVERLAY = f"{_DROPZONE} > div:not([data-testid]):not(:has([data-testid])) > span:only-child"
REFUSED = '[data-testid="stTooltipErrorContent"]'
FULLSCREEN = '.js-plotly-plot .plotly .modebar-btn[data-title="{title}"]::after'
_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
FONT_SIZE = "0.875rem"  # Streamlit's size for the button label and the instruction line


def css_string(text: str) -> str:
    """`text` as a quoted CSS string (for `content:`)."""
    flat = " ".join(str(text).split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ") + '"'


def _replace(selector: str, text: str) -> str:
    return f"{selector}{{font-size:0 !important}}{selector}::after{{content:{css_string(text)};font-size:{FONT_SIZE}}}"


def limit_text(max_upload_size: int | None = None, types=None) -> str:
    """The uploader's size line in the UI's language, as Streamlit writes it ("200MB", "CSV, XLSX")."""
    size = f"{max_upload_size or st.get_option('server.maxUploadSize')}MB"
    names = list(
        dict.fromkeys(str(x).lstrip(".").upper() for x in ([types] if isinstance(types, str) else types or []))
    )
    if names:
        return t("builtin_upload_limit_types", size=size, types=", ".join(names))
    return t("builtin_upload_limit", size=size)


def css() -> str:
    """The style block of `apply()` for the UI's language ("" in English)."""
    if lang() == "en":
        return ""
    rules = [
        _replace(BUTTON, t("builtin_upload_button")),
        _replace(INSTRUCTIONS, limit_text()),
        _replace(DRAG_OVERLAY, t("builtin_upload_drop")),
        _replace(REFUSED, t("builtin_upload_refused")),
        FULLSCREEN.format(title="Fullscreen") + f"{{content:{css_string(t('builtin_fullscreen'))}}}",
        FULLSCREEN.format(title="Close fullscreen") + f"{{content:{css_string(t('builtin_fullscreen_close'))}}}",
    ]
    return "<style>" + "".join(rules) + "</style>"


def apply() -> None:
    """Add the style block of `css()` to this run (a style-only st.html takes no space)."""
    block = css()
    if block:
        st.html(block)


def file_uploader(label: str, *, key: str, type=None, max_upload_size: int | None = None, **kwargs):
    """`st.file_uploader` whose size-and-types line is in the UI's language (see module doc)."""
    if not _KEY.match(key):
        raise ValueError(f"file uploader key {key!r}: use letters, digits, '_' and '-' only")
    if lang() != "en":
        scoped = f".st-key-{key} {INSTRUCTIONS}"
        st.html("<style>" + _replace(scoped, limit_text(max_upload_size, type)) + "</style>")
    return st.file_uploader(label, type=type, key=key, max_upload_size=max_upload_size, **kwargs)
