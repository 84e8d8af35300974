"""The printable monthly report: one self-contained HTML file (inline CSS and SVG, no scripts,
no external assets), so it opens offline and prints or saves as PDF from any browser.

Every text that comes from data (names, rule descriptions, labels) goes through `html.escape`.
Charts are small hand-drawn SVGs: a plotly figure with its JavaScript inlined would add ~4 MB.
"""

from __future__ import annotations

import html
import math
import re

import pandas as pd

GRADE_COLOURS = {"A": "#1a7f37", "B": "#4c9a2a", "C": "#b08800", "D": "#d4631c", "E": "#c62828"}
SERIES_COLOURS = ("#3b6fb6", "#e07b39")

CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei","PingFang SC",sans-serif;color:#222;
margin:24px;font-size:13px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:22px 0 6px;border-bottom:2px solid #3b6fb6;padding-bottom:2px}
.meta{color:#555;margin-bottom:10px}table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}th{background:#eef3fa}
td.num{text-align:right;font-variant-numeric:tabular-nums}.charts{display:flex;flex-wrap:wrap;gap:24px}
.formula li{margin:2px 0}.flag{color:#c62828;font-weight:bold}
@media print{body{margin:10mm}h2{page-break-after:avoid}table{page-break-inside:auto}tr{page-break-inside:avoid}}
"""


def esc(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return html.escape(str(value), quote=True)


def markdown_lite(text: str) -> str:
    """The page's formula text (bold and bullet lines only) as escaped HTML."""
    out, items = [], []
    for line in text.splitlines():
        body = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", esc(line.strip()))
        if line.strip().startswith("- "):
            items.append(f"<li>{body[2:]}</li>")
            continue
        if items:
            out.append("<ul class='formula'>" + "".join(items) + "</ul>")
            items = []
        if body:
            out.append(f"<p>{body}</p>")
    if items:
        out.append("<ul class='formula'>" + "".join(items) + "</ul>")
    return "\n".join(out)


def table(df: pd.DataFrame, max_rows: int | None = None) -> str:
    """An escaped HTML table; numbers right-aligned, floats with one decimal."""
    if max_rows is not None:
        df = df.head(max_rows)
    head = "".join(f"<th>{esc(c)}</th>" for c in df.columns)
    rows = []
    for record in df.itertuples(index=False):  # bounded: report tables are top/bottom lists
        cells = []
        for v in record:
            if isinstance(v, bool):
                cells.append(f"<td>{'✔' if v else ''}</td>")
            elif isinstance(v, float):
                cells.append(f"<td class='num'>{'—' if math.isnan(v) else f'{v:.1f}'}</td>")
            elif isinstance(v, int):
                cells.append(f"<td class='num'>{v}</td>")
            elif isinstance(v, (list, tuple)):
                cells.append(f"<td>{esc(', '.join(str(x) for x in v))}</td>")
            else:
                cells.append(f"<td>{esc(v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def grouped_bars_svg(
    title: str, categories: list[str], series: dict[str, list[float]], width: int = 420, height: int = 230
) -> str:
    """Vertical grouped bars (e.g. grade counts under each ruleset) with a legend and value labels."""
    left, bottom, top = 36, 28, 34
    plot_h = height - bottom - top
    vmax = max([v for vals in series.values() for v in vals] + [1])
    group_w = (width - left - 10) / max(len(categories), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    parts = [f"<text x='{width / 2}' y='16' text-anchor='middle' font-size='13' font-weight='bold'>{esc(title)}</text>"]
    for k, name in enumerate(series):
        x = left + k * 130
        parts.append(
            f"<rect x='{x}' y='22' width='10' height='10' fill='{SERIES_COLOURS[k % 2]}'/>"
            f"<text x='{x + 14}' y='31' font-size='11'>{esc(name)}</text>"
        )
    parts.append(f"<line x1='{left}' y1='{height - bottom}' x2='{width - 5}' y2='{height - bottom}' stroke='#888'/>")
    for i, cat in enumerate(categories):
        gx = left + i * group_w + group_w * 0.1
        for k, vals in enumerate(series.values()):
            v = float(vals[i])
            h = plot_h * v / vmax
            x = gx + k * bar_w
            y = height - bottom - h
            parts.append(
                f"<rect x='{x:.1f}' y='{y:.1f}' width='{bar_w - 2:.1f}' height='{h:.1f}' "
                f"fill='{SERIES_COLOURS[k % 2]}'/>"
            )
            parts.append(
                f"<text x='{x + bar_w / 2 - 1:.1f}' y='{y - 3:.1f}' text-anchor='middle' font-size='10'>{int(v)}</text>"
            )
        parts.append(
            f"<text x='{gx + group_w * 0.4:.1f}' y='{height - 10}' text-anchor='middle' "
            f"font-size='12'>{esc(cat)}</text>"
        )
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img' "
        f"aria-label='{esc(title)}'>{''.join(parts)}</svg>"
    )


def diverging_bars_svg(title: str, labels: list[str], values: list[float], width: int = 460) -> str:
    """Horizontal bars left (negative) and right (positive) of a zero line, one per label."""
    row_h, top, label_w = 20, 26, 150
    height = top + row_h * max(len(values), 1) + 8
    vmax = max([abs(v) for v in values] + [1])
    mid = label_w + (width - label_w) / 2
    half = (width - label_w) / 2 - 30
    parts = [
        f"<text x='{width / 2}' y='16' text-anchor='middle' font-size='13' font-weight='bold'>{esc(title)}</text>",
        f"<line x1='{mid}' y1='{top - 4}' x2='{mid}' y2='{height - 4}' stroke='#888'/>",
    ]
    for i, (label, v) in enumerate(zip(labels, values)):
        y = top + i * row_h
        w = half * abs(v) / vmax
        x = mid if v >= 0 else mid - w
        colour = SERIES_COLOURS[0] if v >= 0 else SERIES_COLOURS[1]
        parts.append(f"<text x='{label_w - 6}' y='{y + 13}' text-anchor='end' font-size='11'>{esc(label)}</text>")
        parts.append(f"<rect x='{x:.1f}' y='{y + 3}' width='{max(w, 1):.1f}' height='{row_h - 6}' fill='{colour}'/>")
        tx = x + w + 3 if v >= 0 else x - 3
        anchor = "start" if v >= 0 else "end"
        parts.append(f"<text x='{tx:.1f}' y='{y + 13}' text-anchor='{anchor}' font-size='10'>{int(v):+d}</text>")
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img' "
        f"aria-label='{esc(title)}'>{''.join(parts)}</svg>"
    )


def build_report(*, title: str, meta_lines: list[str], sections: list[tuple[str, str]], lang: str = "zh") -> str:
    """The whole document. `sections` are (heading, html body) pairs; bodies must already be
    escaped (built with `table`, `markdown_lite`, the SVG helpers or `paragraph`)."""
    body = [f"<h1>{esc(title)}</h1>"]
    body += [f"<div class='meta'>{esc(line)}</div>" for line in meta_lines]
    for heading, content in sections:
        body.append(f"<h2>{esc(heading)}</h2>\n{content}")
    return (
        f"<!DOCTYPE html><html lang='{'en' if lang == 'en' else 'zh-CN'}'><head><meta charset='utf-8'>"
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>{''.join(body)}</body></html>"
    )


def paragraph(text: str, css_class: str = "") -> str:
    cls = f" class='{esc(css_class)}'" if css_class else ""
    return f"<p{cls}>{esc(text)}</p>"
