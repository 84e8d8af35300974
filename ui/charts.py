"""The one helper every trend chart uses to draw its running period as partial.

A day or month that has not ended (or that the date range cuts off) holds only part of its
events; drawn like the others it reads as a steep drop. `mark_partial` draws it differently on
any Plotly trend figure: lines reach the last point with a dashed segment and an open marker,
bars get a hatched, paler last bar, and a note above the last period says it is not complete.

`plotly_config()` is the chart locale (issue #22): Plotly draws date ticks and hovers with the
month names and date patterns of its locale ("Nov 8 2026" in its default en-US), and its mode
bar and box / Sankey hovers in English. Streamlit's bundled plotly.js registers no other
locale, so the config carries GridSight's zh-CN one (`config.locales`) in the Chinese UI;
`ui.escape.plotly_chart` passes it with every chart.
"""

from __future__ import annotations

import datetime as dt
import math

import plotly.graph_objects as go
from plotly.colors import DEFAULT_PLOTLY_COLORS

from data_access.filters import local_midnight_utc

from .labels import lang, t

# Plotly.js's locale format keys (src/plots/plots.js `formatKeys`, `dateTimeKeys`): month and
# day names, and the date patterns of axis ticks and hovers (year / month / dayMonth /
# dayMonthYear, d3-time-format). Numeric months so a tick reads 11月8日, never 十一月 8.
_ZH_FORMAT = {
    "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
    "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
    "months": [f"{m}月" for m in range(1, 13)],
    "shortMonths": [f"{m}月" for m in range(1, 13)],
    "periods": ["上午", "下午"],
    "dateTime": "%Y年%-m月%-d日 %H:%M:%S",
    "date": "%Y-%m-%d",
    "time": "%H:%M:%S",
    "decimal": ".",
    "thousands": ",",
    "grouping": [3],
    "currency": ["¥", ""],
    "year": "%Y年",
    "month": "%Y年%-m月",
    "dayMonth": "%-m月%-d日",
    "dayMonthYear": "%Y年%-m月%-d日",
}
# Every string plotly.js 3 passes through its localizer that a GridSight chart can show:
# the mode bar, its notifications, and the hover labels of box and Sankey traces.
_ZH_DICTIONARY = {
    "Autoscale": "自动缩放",
    "Box Select": "框选",
    "Compare data on hover": "悬停时比较数据",
    "Double-click on legend to isolate one trace": "双击图例只看这一项",
    "Double-click to zoom back out": "双击还原",
    "Download plot": "下载图表",
    "Download plot as a PNG": "下载图表(PNG)",
    "Download plot as JSON": "下载图表(JSON)",
    "Image download succeeded": "图片已下载",
    "JSON download succeeded": "JSON 已下载",
    "Lasso Select": "套索选择",
    "Pan": "平移",
    "Preparing image - this may take a few seconds": "正在生成图片,请稍候",
    "Reset": "重置",
    "Reset axes": "重置坐标轴",
    "Reset view": "重置视图",
    "Reset views": "重置视图",
    "Show closest data on hover": "悬停时显示最近的数据",
    "Sorry, there was a problem downloading your image!": "抱歉,图片下载失败。",
    "Sorry, there was a problem downloading your JSON file!": "抱歉,JSON 下载失败。",
    "Toggle Spike Lines": "显示/隐藏辅助线",
    "Toggle show closest data on hover": "切换悬停显示最近数据",
    "Zoom": "缩放",
    "Zoom in": "放大",
    "Zoom out": "缩小",
    "trace": "系列",
    "max:": "最大值:",
    "min:": "最小值:",
    "median:": "中位数:",
    "mean:": "均值:",
    "mean ± σ:": "均值 ± σ:",
    "q1:": "下四分位:",
    "q3:": "上四分位:",
    "upper fence:": "上限:",
    "lower fence:": "下限:",
    "kde:": "核密度:",
    "incoming flow count:": "流入数:",
    "outgoing flow count:": "流出数:",
    "source:": "来源:",
    "target:": "去向:",
    "open:": "开:",
    "high:": "高:",
    "low:": "低:",
    "close:": "收:",
}
PLOTLY_ZH_CN = {"moduleType": "locale", "name": "zh-CN", "dictionary": _ZH_DICTIONARY, "format": _ZH_FORMAT}


def plotly_config(language: str | None = None) -> dict:
    """The Plotly config of a chart in `language` (default: the UI's): its locale, carried with
    the chart since Streamlit's plotly.js registers only en / en-US."""
    if (language or lang()) == "en":
        return {"locale": "en-US"}
    return {"locale": "zh-CN", "locales": {"zh-CN": PLOTLY_ZH_CN}}


def next_start(start: dt.date, kind: str) -> dt.date:
    if kind == "day":
        return start + dt.timedelta(days=1)
    if kind == "month":
        return (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    raise ValueError(f"unknown period kind {kind!r}")


def is_partial(last_start: dt.date, kind: str, period_end: dt.datetime) -> bool:
    """True when the period (`kind` "day" or "month") starting `last_start` ends after
    `period_end` (the filter's end: now, or the end of its last day): it holds only part of its events."""
    return period_end < local_midnight_utc(next_start(last_start, kind))


def _colour(trace, index: int) -> str:
    line = getattr(trace, "line", None)
    marker = getattr(trace, "marker", None)
    for value in (getattr(line, "color", None), getattr(marker, "color", None)):
        if isinstance(value, str):
            return value
    return DEFAULT_PLOTLY_COLORS[index % len(DEFAULT_PLOTLY_COLORS)]


def mark_partial(fig: go.Figure, partial: bool, kind: str) -> go.Figure:
    """Draw the last point of every trace of `fig` as partial when `partial` (see module doc)."""
    if not partial:
        return fig
    label = t("chart_partial_day" if kind == "day" else "chart_partial_month")
    last_x = None
    extra = []
    for i, trace in enumerate(fig.data):
        x, y = list(trace.x if trace.x is not None else []), list(trace.y if trace.y is not None else [])
        if not x:
            continue
        last_x = x[-1]
        if isinstance(trace, go.Bar):
            n = len(x)
            trace.marker.pattern = dict(shape=[""] * (n - 1) + ["/"], fillmode="overlay", solidity=0.35)
            trace.marker.opacity = [1.0] * (n - 1) + [0.5]
        elif isinstance(trace, (go.Scatter, go.Scattergl)) and len(x) >= 2 and "lines" in (trace.mode or "lines"):
            colour = _colour(trace, i)
            customdata = list(trace.customdata) if trace.customdata is not None else None
            tail = go.Scatter(
                x=x[-2:],
                y=y[-2:],
                mode="lines+markers",
                line=dict(color=colour, dash="dash", width=getattr(trace.line, "width", None) or 2),
                marker=dict(color="white", line=dict(color=colour, width=2), size=8, symbol="circle"),
                name=trace.name,
                legendgroup=trace.legendgroup or trace.name,
                showlegend=False,
                yaxis=trace.yaxis,
                xaxis=trace.xaxis,
                hovertemplate=trace.hovertemplate,
                customdata=customdata[-2:] if customdata else None,
                text=[trace.name, f"{trace.name} ({label})"],
            )
            trace.x, trace.y = x[:-1], y[:-1]
            if customdata:
                trace.customdata = customdata[:-1]
            trace.legendgroup = trace.legendgroup or trace.name
            trace.line.color = colour
            extra.append(tail)
    for tail in extra:
        fig.add_trace(tail)
    if last_x is not None:
        fig.add_annotation(
            x=last_x, y=1.0, xref="x", yref="paper", text=label, showarrow=False, yanchor="bottom", font=dict(size=11)
        )
    return fig


def count_axis(fig: go.Figure, max_value, axis: str = "yaxis") -> go.Figure:
    """An axis of counts gets whole-number ticks: never 0.5 events, nor 4.09 / 8.18 / 12.27.

    Plotly picks "nice" steps of 0.5 or 0.2 for small ranges; a step of at least one (a round
    1-2-5 step for about five ticks) and an integer format keep every tick a count."""
    top = 0.0 if max_value is None or max_value != max_value else float(max_value)
    raw = max(top / 5, 1.0)
    magnitude = 10 ** int(math.floor(math.log10(raw)))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    fig.update_layout({axis: dict(tickmode="linear", tick0=0, dtick=step, tickformat=",d", rangemode="tozero")})
    return fig
