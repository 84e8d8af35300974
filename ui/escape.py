"""Escaping for values GridSight did not write itself: URL parameters, names from the store
(towns, villages, departments, categories, workers, usernames), file contents and error texts.

Streamlit renders Markdown in `st.markdown`/`caption`/`warning`/`error`/`info`/`success`,
`st.title`/`subheader`, widget and button labels, tabs and expanders, with its own extensions:
`:red[…]` colours, `:material/…:` icons and `$…$` maths. A value placed there unescaped is
markup: `![x](http://host/p.png)` makes every viewer's browser fetch that address,
`[请重新登录](http://host/p)` is a clickable link, `:red[**系统告警**]` is a red alarm (issue #18,
finding 5). Plotly draws `<b>`, `<a href>` and `<br>` inside any text of a chart, so a
department named `<a href=…>` is a link in its bar label.

- `md(value)` for any such value inside a Markdown-rendering call: every ASCII punctuation
  character is backslash-escaped (CommonMark allows it for all of them, and Streamlit's
  colour/icon/maths syntax starts with `:`, `[` or `$`, so none of it can begin), line breaks
  become spaces (no new block: no heading, list or quote). Streamlit also turns bare
  addresses into links after parsing (GFM autolink literals: `http://…`, `www.…`, `a@b.c`),
  where escapes no longer count, so an invisible word joiner (U+2060) goes after `http`/`www`
  and before `@`: the text reads the same and is no link.
- `plotly_chart(fig, key=…)` instead of `st.plotly_chart`: every string in the figure's data
  (x, y, text, labels, custom data, trace names, category and tick texts) is HTML-escaped;
  Plotly turns entities back into the characters, so names look the same. It also passes the
  chart locale of the UI's language (`ui.charts.plotly_config`).

Tables (`st.dataframe`), selectbox options and pydeck tooltip fields show text as text and
need neither.
"""

from __future__ import annotations

import html
import re
import string

import numpy as np
import streamlit as st

from .charts import plotly_config

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\v\f\x85]+")
_AUTOLINK = re.compile(r"(?i)(https?|ftp|www)(?=[:.])|(?=@)")
WORD_JOINER = "\u2060"


def md(value) -> str:
    """`value` as literal text for a Markdown-rendering Streamlit call."""
    text = _LINE_BREAKS.sub(" ", "" if value is None else str(value))
    text = _AUTOLINK.sub(lambda m: (m.group(1) or "") + WORD_JOINER, text)
    return _PUNCTUATION.sub(r"\\\1", text)


def plot_text(value):
    """A string as literal text in Plotly (other values unchanged)."""
    return html.escape(value, quote=False) if isinstance(value, str) else value


def _escaped(values):
    if isinstance(values, str):
        return plot_text(values)
    if isinstance(values, np.ndarray):
        if values.dtype.kind in "OUS":
            return np.vectorize(plot_text, otypes=[object])(values) if values.size else values
        return values
    if isinstance(values, (list, tuple)):
        return type(values)(_escaped(v) for v in values)
    return values


_TRACE_TEXT = ("x", "y", "z", "text", "hovertext", "labels", "parents", "customdata", "name", "legendgroup")
_AXIS_TEXT = ("categoryarray", "ticktext")


def escape_figure(fig):
    """The figure with every string of its data HTML-escaped (in place; also returned)."""
    for trace in fig.data:
        for attr in _TRACE_TEXT:
            if attr in trace and trace[attr] is not None:
                trace[attr] = _escaped(trace[attr])
        for part in ("node", "link"):  # Sankey
            if part in trace and trace[part] is not None and trace[part]["label"] is not None:
                trace[part]["label"] = _escaped(trace[part]["label"])
    for name in fig.layout:
        if name.startswith(("xaxis", "yaxis")) and fig.layout[name] is not None:
            axis = fig.layout[name]
            for attr in _AXIS_TEXT:
                if axis[attr] is not None:
                    axis[attr] = _escaped(axis[attr])
    return fig


def plotly_chart(fig, **kwargs):
    """`st.plotly_chart` for a figure whose data may hold names from the store, drawn in the
    UI's language (`ui.charts.plotly_config`: date ticks, hovers and mode bar)."""
    config = {**plotly_config(), **(kwargs.pop("config", None) or {})}
    return st.plotly_chart(escape_figure(fig), config=config, **kwargs)
