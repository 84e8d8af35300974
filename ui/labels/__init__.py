"""The label catalogue: every string the UI shows, Chinese first, English on the switch.

One catalogue, one lookup (`t`), kept in one module per page so pages can grow independently:
each module in this package defines `LABELS = {key: (zh, en)}`; they are merged here and a key
defined twice is an error. Metric names and definitions live in `data_access.metrics`; category
and unit names come from the store.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import pkgutil

import streamlit as st

from data_access.levels import fill as fill_levels


def _collect() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for key, value in module.LABELS.items():
            if key in merged:
                raise KeyError(f"label {key!r} is defined twice (again in ui/labels/{info.name}.py)")
            merged[key] = value
    return merged


LABELS: dict[str, tuple[str, str]] = _collect()


# Set while something outside a page's script run renders text in a chosen language: the PDF
# report (made on a download's own thread, or by its command line, where there is no session).
_FORCED_LANG: contextvars.ContextVar[str | None] = contextvars.ContextVar("gridsight_lang", default=None)


def lang() -> str:
    forced = _FORCED_LANG.get()
    if forced is not None:
        return forced
    return "en" if st.session_state.get("lang_en") else "zh"


@contextlib.contextmanager
def use_lang(language: str):
    """Make `t`, `lang` and the name helpers answer in `language` ('zh' or 'en') inside the block."""
    if language not in ("zh", "en"):
        raise ValueError(f"unknown language {language!r}")
    token = _FORCED_LANG.set(language)
    try:
        yield
    finally:
        _FORCED_LANG.reset(token)


# Where the store's levels come from: ui.data registers its cached lookup on import (a hook
# rather than an import, so ui.labels stays below ui.data and ui.sqltrace in the import graph).
_LEVELS_SOURCE = None


def set_levels_source(source) -> None:
    global _LEVELS_SOURCE
    _LEVELS_SOURCE = source


def _levels():
    from data_access.levels import DEFAULT_LEVELS

    return _LEVELS_SOURCE() if _LEVELS_SOURCE is not None else DEFAULT_LEVELS


def with_levels(text: str) -> str:
    """`text` with its level placeholders ({lv_village}, …) named as the store names its levels."""
    if "v_" not in text:
        return text
    return fill_levels(text, _levels(), lang())


def t(key: str, **values) -> str:
    zh, en = LABELS[key]
    text = with_levels(en if lang() == "en" else zh)
    return text.format(**values) if values else text


# The labels of the codes an error offers as `choices` (the ruleset and ranking-level names).
_CHOICE_LABELS = {"unknown_ruleset": "mr_ruleset_", "unknown_ranking_level": "mr_level_"}


def error_text(exc: BaseException) -> str:
    """A data_access error in the reader's language: its label `err_<code>` when it carries a code
    (`RankingError.code`, `FilterError.key`), with its params filled in (a level or a list of
    choices named as the UI names them), else its own message."""
    key = getattr(exc, "code", None) or getattr(exc, "key", None)
    if key and f"err_{key}" in LABELS:
        params = dict(getattr(exc, "params", {}) or {})
        if "level" in params and f"err_level_{params['level']}" in LABELS:
            params["level"] = t(f"err_level_{params['level']}")
        if "choices" in params:
            prefix = _CHOICE_LABELS.get(key, "")
            names = [t(f"{prefix}{c}") if f"{prefix}{c}" in LABELS else str(c) for c in params["choices"]]
            params["choices"] = ("、" if lang() == "zh" else ", ").join(names)
        try:
            return t(f"err_{key}", **params)
        except (KeyError, IndexError):
            pass
    return str(exc)


def metric_name(metric) -> str:
    return with_levels(metric.name_en if lang() == "en" else metric.name_zh)


def metric_definition(metric, with_source: bool = True) -> str:
    """The definition, then (on screen) where the number is computed: data_access function, rollups.
    Reports and workbooks ask `with_source=False`: their readers want the words only."""
    text = with_levels(metric.definition_en if lang() == "en" else metric.definition_zh)
    if not with_source or not metric.computed_by:
        return text
    source = f"`{metric.computed_by}`"
    if metric.rollups:
        source += f" ({t('metric_rollups')}: " + ", ".join(f"`{r}`" for r in metric.rollups) + ")"
    return f"{text}\n\n{t('metric_computed_by')}: {source}"


def local_name(row, zh_col: str = "name", en_col: str = "name_en") -> str:
    """A store row's name in the current language (Chinese when no English name is stored)."""
    if lang() == "en" and en_col in row and row[en_col]:
        return row[en_col]
    return row[zh_col]
