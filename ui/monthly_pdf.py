"""The monthly assessment report as a PDF: A4, an embedded CJK font, vector charts.

Made with fpdf2 (pure Python, installs from PyPI alone: no Cairo/Pango system libraries as
WeasyPrint needs, and unlike reportlab it embeds the CFF-outlined Noto Sans CJK fonts Debian ships
in fonts-noto-cjk, subset to the characters used, so a report is a few hundred KB).

The same numbers as the rankings page: `gather` reads them through the same data_access functions
the page calls (`integrity_review.month_view`, `integrity.worker_signals` / `village_signals`,
`departments.department_table` for the month), through the page's cached `query` on the page and
straight on an engine from the command line (a cron job)::

    python -m ui.monthly_pdf --month 2026-11 --ruleset reformed [--town ID] --out report.pdf

Font lookup (`find_cjk_font`): the file named by `GRID_PDF_FONT`, else the Noto Sans CJK files of
the usual Linux packages, else whatever `fc-match` offers for Chinese; a collection (.ttc) is
searched for its Simplified Chinese face. A font without Chinese glyphs is never used: with none
found the report refuses with `ReportFontError`, whose message says what to install.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from data_access import departments, integrity, integrity_review, rankings, units
from data_access.departments import DEPARTMENT_METRICS
from data_access.filters import LOCAL_TZ, Filters, Scope, now_utc
from data_access.metrics import METRICS

from .labels import error_text, lang, metric_definition, metric_name, t, use_lang

GRADES = ["A", "B", "C", "D", "E"]
PARTS = ["quantity", "quality", "process", "residents"]
TOP_N, BOTTOM_N = 20, 10
CONSEQUENCE_ROWS = 60
FONT_ENV = "GRID_PDF_FONT"
FONT_FILES = (  # Debian/Ubuntu fonts-noto-cjk, Fedora, Arch, then the usual fallbacks
    "/usr/share/fonts/opentype/noto/NotoSansCJK-{w}.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-{w}.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-{w}.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-{w}.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
GRADE_RGB = {"A": (26, 127, 55), "B": (76, 154, 42), "C": (176, 136, 0), "D": (212, 99, 28), "E": (198, 40, 40)}
SERIES_RGB = ((59, 111, 182), (224, 123, 57))
HEAD_FILL = (238, 243, 250)
ZEBRA_FILL = (247, 249, 252)
GREY = (110, 110, 110)
UP_RGB, DOWN_RGB = (26, 127, 55), (198, 40, 40)


class ReportFontError(RuntimeError):
    """No usable CJK font; the message (in the current language) says what to install."""


# --- fonts -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CjkFont:
    regular: str
    regular_index: int
    bold: str
    bold_index: int


def _cjk_face(path: str) -> int | None:
    """The index of the face in `path` that draws Chinese (the SC one in a collection), or None."""
    from fontTools.ttLib import TTCollection, TTFont

    probe = "镇街网格"
    try:
        if path.lower().endswith((".ttc", ".otc")):
            faces = TTCollection(path, lazy=True).fonts
        else:
            faces = [TTFont(path, lazy=True)]
    except Exception:  # not a font file fontTools can read
        return None
    usable = []
    for i, face in enumerate(faces):
        cmap = face.getBestCmap() or {}
        if all(ord(c) in cmap for c in probe):
            family = str(face["name"].getDebugName(1) or "")
            usable.append((0 if " SC" in family and "Mono" not in family else 1, i))
    return min(usable)[1] if usable else None


def _fc_match() -> list[str]:
    if shutil.which("fc-match") is None:
        return []
    try:
        out = subprocess.run(
            ["fc-match", "-s", "-f", "%{file}\n", ":lang=zh-cn"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line for line in out.splitlines() if line.lower().endswith((".ttc", ".otf", ".ttf", ".otc"))][:5]


@functools.lru_cache(maxsize=4)
def _find_cjk_font(pinned: str) -> CjkFont | tuple[str, ...]:
    """The font to embed, or why there is none: ("bad", path, reason label key) for an unusable
    `GRID_PDF_FONT`, ("none", places looked at) when no candidate has Chinese glyphs."""
    if pinned:
        if not Path(pinned).is_file():
            return ("bad", pinned, "pdf_font_missing_file")
        index = _cjk_face(pinned)
        if index is None:
            return ("bad", pinned, "pdf_font_no_cjk")
        bold = pinned.replace("Regular", "Bold")
        bold_index = _cjk_face(bold) if bold != pinned and Path(bold).is_file() else None
        return CjkFont(pinned, index, bold if bold_index is not None else pinned, bold_index or index)
    tried = []
    for pattern in FONT_FILES:
        path = pattern.format(w="Regular")
        tried.append(path)
        if not Path(path).is_file() or (index := _cjk_face(path)) is None:
            continue
        bold = pattern.format(w="Bold")
        bold_index = _cjk_face(bold) if bold != path and Path(bold).is_file() else None
        return CjkFont(
            path, index, bold if bold_index is not None else path, index if bold_index is None else bold_index
        )
    for path in _fc_match():
        tried.append(path)
        if (index := _cjk_face(path)) is not None:
            return CjkFont(path, index, path, index)
    return ("none", ", ".join(tried + ["fc-match :lang=zh-cn"]))


def find_cjk_font() -> CjkFont:
    """The CJK font the report embeds; `ReportFontError` (a message for the user) when none."""
    found = _find_cjk_font(os.environ.get(FONT_ENV, "").strip())
    if isinstance(found, CjkFont):
        return found
    if found[0] == "bad":
        raise ReportFontError(t("pdf_bad_font", path=found[1], reason=t(found[2])))
    raise ReportFontError(t("pdf_no_font", tried=found[1]))


# --- what the report shows ---------------------------------------------------------------------


@dataclasses.dataclass
class ReportData:
    """Everything the report prints, read once (by the page's cached queries or the CLI)."""

    month: dt.date
    ruleset: str
    level: str
    as_of: dt.datetime
    user: str
    scope_town: tuple[int, str] | None
    rules: dict
    rule_rows: pd.DataFrame
    irules: dict
    scores: pd.DataFrame
    compare: pd.DataFrame
    consequences: pd.DataFrame  # with the integrity review (integrity_review.mark_consequences)
    workers_flags: pd.DataFrame
    villages_flags: pd.DataFrame
    departments: pd.DataFrame
    dept_period: tuple[dt.date, dt.date]
    places: pd.DataFrame | None = None  # integrity_review.month_view "places": per ruleset


def month_filters(f: Filters, month: dt.date) -> Filters:
    """`f` with its period set to the month assessed (the department table's period)."""
    end = min(rankings.month_end(month), max(f.today, month))
    return dataclasses.replace(f, date_from=month, date_to=end, category_code=None)


def gather(fetch: Callable, f: Filters, month: dt.date, ruleset: str, level: str, user: str) -> ReportData:
    """Read the report's tables with `fetch(fn, *args)` (the page's `ui.data.query`, or a call
    on an engine). Raises `rankings.RankingError` / `ValueError` for a month or ruleset that
    cannot be ranked."""
    view = fetch(integrity_review.month_view, f, month, ruleset, level)
    mf = month_filters(f, month)
    town = None
    if f.town_id is not None:
        towns = fetch(units.towns, f.scope)
        match = towns[towns["id"] == f.town_id]
        town = (int(f.town_id), str(match["name"].iloc[0]) if len(match) else str(f.town_id))
    return ReportData(
        month=month,
        ruleset=ruleset,
        level=level,
        as_of=f.as_of,
        user=user,
        scope_town=town,
        rules=fetch(rankings.rules_for, ruleset),
        rule_rows=fetch(rankings.rule_table, ruleset),
        irules=fetch(rankings.rules_for, "integrity"),
        scores=view["scores"],
        compare=view["compare"],
        consequences=view["consequences"],
        workers_flags=fetch(integrity.worker_signals, f, month),
        villages_flags=fetch(integrity.village_signals, f, month),
        departments=fetch(departments.department_table, mf),
        dept_period=(mf.date_from, mf.date_to),
        places=view.get("places"),
    )


def num(value: float) -> str:
    """A rule value as written in the rules: whole numbers without decimals."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def pct(value: float) -> str:
    return f"{value * 100:g}%"


def missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def one(value) -> str:
    return "—" if missing(value) else f"{float(value):.1f}"


def two(value) -> str:
    return "—" if missing(value) else f"{float(value):.2f}"


def share(value) -> str:
    return "—" if missing(value) else f"{float(value) * 100:.1f}%"


def whole(value) -> str:
    return "—" if missing(value) else f"{int(value):,}"


def signed(value) -> str:
    if missing(value):
        return "—"
    return "0" if int(value) == 0 else f"{int(value):+d}"


def integrity_rule_text(r: dict) -> dict[str, str]:
    """Each signal's rule in words, with the values in force (as the page states them)."""
    return {
        "padding": t(
            "mr_rule_padding",
            months=num(r["padding_window_months"]),
            h=num(r["padding_first_hour"]),
            h1=num(r["padding_first_hour"] + 1),
            days=num(r["padding_month_end_days"]),
            minutes=num(r["padding_quick_close_minutes"]),
            n=num(r["padding_min_events"]),
            share=pct(r["padding_min_share"]),
        ),
        "near_duplicates": t(
            "mr_rule_near_duplicates",
            months=num(r["near_duplicates_window_months"]),
            hours=num(r["near_duplicates_max_hours"]),
            metres=num(r["near_duplicates_max_metres"]),
            n=num(r["near_duplicates_min_pairs"]),
        ),
        "empty_patrol": t(
            "mr_rule_empty_patrol",
            months=num(r["empty_patrol_window_months"]),
            kmh=num(r["empty_patrol_max_kmh"]),
            points=num(r["empty_patrol_route_min_points"]),
            days=num(r["empty_patrol_min_days"]),
            share=pct(r["empty_patrol_min_share"]),
        ),
        "selective": t(
            "mr_rule_selective",
            months=num(r["selective_window_months"]),
            n=num(r["selective_min_reports"]),
            esc=num(r["selective_escalation_rel_max"]),
            out=num(r["selective_outside_rel_min"]),
        ),
    }


def formula_text(r: dict) -> str:
    """The score formula with the ruleset's values, markdown bold removed."""
    text = t(
        "mr_formula",
        wq=num(r["weight_quantity"]),
        wl=num(r["weight_quality"]),
        wp=num(r["weight_process"]),
        wr=num(r["weight_residents"]),
        quota=num(r["quota_events_per_worker"]),
        bonus=t("mr_bonus", n=num(r["street_quota_bonus"])) if r["street_quota_bonus"] else "",
        percap=t("mr_percap") if r["per_capita_normalisation"] >= 0.5 else "",
        filing=t("mr_filing_in") if r["filing_only_in_closure_rate"] >= 0.5 else t("mr_filing_out"),
        verify_h=num(r["verify_within_hours"]),
        team=pct(r["team_handling_min_share"]),
        transfer=pct(r["process_transfer_target_share"]),
        ga=num(r["grade_a_min"]),
        gb=num(r["grade_b_min"]),
        gc=num(r["grade_c_min"]),
        gd=num(r["grade_d_min"]),
    )
    return text.replace("**", "")


def rule_value(value: float, unit: str) -> str:
    if unit == "bool":
        return t("pdf_yes") if value >= 0.5 else t("pdf_no")
    return num(value)


def rule_unit(unit: str) -> str:
    key = f"rule_unit_{unit or ''}"
    try:
        return t(key)
    except KeyError:  # a unit added to the rule file after this catalogue: show it as stored
        return unit


def flag_names(row) -> str:
    sep = ", " if lang() == "en" else "、"
    return sep.join(t(f"mr_sig_{s}") for s in integrity.WORKER_SIGNALS if bool(row.get(s, False)))


# --- the document ------------------------------------------------------------------------------


def _pdf_class():
    from fpdf import FPDF

    class ReportPDF(FPDF):
        footer_text = ""

        def footer(self):
            self.set_y(-11)
            self.set_font("cjk", size=7.5)
            self.set_text_color(*GREY)
            self.cell(0, 5, self.footer_text, align="L")
            self.set_x(self.l_margin)
            self.cell(0, 5, t("pdf_page", page=self.page_no(), pages="{nb}"), align="R")
            self.set_text_color(0, 0, 0)

    return ReportPDF


class _Doc:
    """Small layout helpers over one fpdf2 document."""

    def __init__(self, font: CjkFont, footer: str):
        from fpdf.enums import WrapMode

        self.pdf = _pdf_class()(orientation="portrait", unit="mm", format="A4")
        self.pdf.footer_text = footer
        self.pdf.set_margins(14, 14, 14)
        self.pdf.set_auto_page_break(True, margin=16)
        self.pdf.add_font("cjk", "", font.regular, collection_font_number=font.regular_index)
        self.pdf.add_font("cjk", "B", font.bold, collection_font_number=font.bold_index)
        self.wrap = WrapMode.CHAR if lang() == "zh" else WrapMode.WORD
        self.width = self.pdf.w - self.pdf.l_margin - self.pdf.r_margin

    def heading(self, text: str, size: float = 13) -> None:
        pdf = self.pdf
        if pdf.get_y() > pdf.h - 60:
            pdf.add_page()
        pdf.ln(3)
        pdf.set_font("cjk", "B", size)
        pdf.set_text_color(*SERIES_RGB[0])
        pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(*SERIES_RGB[0])
        pdf.set_line_width(0.5)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.set_line_width(0.2)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(2)

    def text(self, text: str, size: float = 9, bold: bool = False, colour=(0, 0, 0)) -> None:
        self.pdf.set_font("cjk", "B" if bold else "", size)
        self.pdf.set_text_color(*colour)
        self.pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT", wrapmode=self.wrap)
        self.pdf.set_text_color(0, 0, 0)
        self.pdf.ln(1)

    def table(self, header: list[str], rows: list[list], widths: list[float], align: list[str], size: float = 7.5):
        """A bordered table with its header repeated on each page. A cell is text, or a (text,
        (r, g, b)[, colspan]) tuple drawn in that colour."""
        from fpdf.fonts import FontFace

        pdf = self.pdf
        pdf.set_font("cjk", "", size)
        pdf.set_draw_color(190, 190, 190)
        pdf.set_fill_color(255, 255, 255)
        with pdf.table(
            cell_fill_color=ZEBRA_FILL,
            cell_fill_mode="ROWS",
            width=self.width,
            col_widths=widths,
            text_align=align,
            line_height=size * 0.55,
            headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
            repeat_headings=1,
            wrapmode=self.wrap,
            padding=0.8,
        ) as table:
            head = table.row()
            for h in header:
                head.cell(h)
            for values in rows:
                row = table.row()
                for v in values:
                    if isinstance(v, tuple):
                        row.cell(v[0], style=FontFace(color=v[1]), colspan=v[2] if len(v) > 2 else 1)
                    else:
                        row.cell(str(v))
        pdf.ln(2)

    # -- charts, drawn as vector shapes ---------------------------------------------------------
    def grouped_bars(self, title: str, categories: list[str], series: dict[str, list[int]], w=88, h=52):
        pdf = self.pdf
        x0, y0 = pdf.get_x(), pdf.get_y()
        pdf.set_font("cjk", "B", 8.5)
        pdf.text(x0, y0 + 4, title)
        pdf.set_font("cjk", "", 7)
        for k, name in enumerate(series):
            lx = x0 + k * 40
            pdf.set_fill_color(*SERIES_RGB[k % 2])
            pdf.rect(lx, y0 + 6.5, 3, 3, style="F")
            pdf.text(lx + 4.5, y0 + 9.2, name)
        top, bottom = y0 + 14, y0 + h - 6
        left = x0 + 6
        vmax = max([v for vals in series.values() for v in vals] + [1])
        pdf.set_draw_color(140, 140, 140)
        pdf.line(left, bottom, x0 + w, bottom)
        group = (x0 + w - left) / max(len(categories), 1)
        bar = group * 0.8 / max(len(series), 1)
        for i, cat in enumerate(categories):
            gx = left + i * group + group * 0.1
            for k, vals in enumerate(series.values()):
                v = int(vals[i])
                bh = (bottom - top) * v / vmax
                pdf.set_fill_color(*SERIES_RGB[k % 2])
                if bh > 0:
                    pdf.rect(gx + k * bar, bottom - bh, bar - 0.6, bh, style="F")
                label = str(v)
                pdf.text(gx + k * bar + (bar - 0.6 - pdf.get_string_width(label)) / 2, bottom - bh - 0.8, label)
            pdf.text(gx + group * 0.4 - pdf.get_string_width(cat) / 2, bottom + 4, cat)
        pdf.set_xy(x0, y0 + h)

    def diverging_bars(self, title: str, labels: list[str], values: list[int], x0: float, y0: float, w=90):
        pdf = self.pdf
        row = 4.2
        pdf.set_font("cjk", "B", 8.5)
        pdf.text(x0, y0 + 4, title)
        pdf.set_font("cjk", "", 6.5)
        label_w = 30
        mid = x0 + label_w + (w - label_w) / 2
        half = (w - label_w) / 2 - 6
        vmax = max([abs(v) for v in values] + [1])
        top = y0 + 7
        pdf.set_draw_color(140, 140, 140)
        pdf.line(mid, top - 1, mid, top + row * max(len(values), 1))
        for i, (label, v) in enumerate(zip(labels, values)):
            y = top + i * row
            bw = max(half * abs(v) / vmax, 0.4)
            x = mid if v >= 0 else mid - bw
            pdf.set_fill_color(*(SERIES_RGB[0] if v >= 0 else SERIES_RGB[1]))
            pdf.rect(x, y + 0.6, bw, row - 1.2, style="F")
            text = label if pdf.get_string_width(label) < label_w - 2 else label[:8] + "…"
            pdf.text(x0 + label_w - 2 - pdf.get_string_width(text), y + row - 1.1, text)
            tag = f"{int(v):+d}"
            tx = x + bw + 0.8 if v >= 0 else x - 0.8 - pdf.get_string_width(tag)
            pdf.text(tx, y + row - 1.1, tag)
        return top + row * max(len(values), 1)


def _scope_text(d: ReportData) -> str:
    if d.scope_town is None:
        return t("pdf_scope_county")
    return t("pdf_scope_town", town=d.scope_town[1], id=d.scope_town[0])


def _cover(doc: _Doc, d: ReportData, made_at: dt.datetime) -> None:
    pdf = doc.pdf
    pdf.add_page()
    pdf.set_y(60)
    pdf.set_font("cjk", "B", 22)
    pdf.multi_cell(0, 11, t("pdf_title"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", "B", 16)
    pdf.cell(0, 12, d.month.strftime("%Y-%m"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(14)
    rows = [
        (t("pdf_cover_month"), d.month.strftime("%Y-%m")),
        (t("pdf_cover_ruleset"), t(f"mr_ruleset_{d.ruleset}")),
        (t("pdf_cover_level"), t(f"mr_level_{d.level}")),
        (t("pdf_cover_scope"), _scope_text(d)),
        (t("pdf_cover_as_of"), d.as_of.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")),
        (t("pdf_cover_user"), d.user),
        (t("pdf_cover_made"), made_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")),
    ]
    for label, value in rows:
        pdf.set_x(45)
        pdf.set_font("cjk", "B", 11)
        pdf.cell(35, 8, label)
        pdf.set_font("cjk", "", 11)
        pdf.cell(0, 8, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(12)
    pdf.set_x(30)
    pdf.set_font("cjk", "", 8.5)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(150, 4.6, t("pdf_cover_note"), new_x="LMARGIN", new_y="NEXT", wrapmode=doc.wrap)
    pdf.set_text_color(0, 0, 0)


def _kpis(doc: _Doc, d: ReportData) -> None:
    pdf = doc.pdf
    pdf.add_page()
    doc.heading(t("pdf_kpi_title"))
    s, c = d.scores, d.consequences
    moved = d.compare[d.compare["move"] != 0]
    tiles = [
        (t("mr_ranked"), whole(s["n_ranked"].iloc[0]) if len(s) else "0"),
        (t("mr_median"), two(s["total"].median()) if len(s) else "—"),
        (t("mr_loses_pay"), whole(c["loses_pay"].sum())),
        (t("mr_double_pay"), whole(c["double_pay"].sum())),
        (t("mr_dismissal"), whole(c["dismissal_risk"].sum())),
        (t("pdf_kpi_moved"), whole(len(moved))),
    ]
    tile_w, tile_h = doc.width / 3, 17
    x0, y0 = pdf.l_margin, pdf.get_y()
    pdf.set_draw_color(200, 200, 200)
    for i, (label, value) in enumerate(tiles):
        x, y = x0 + (i % 3) * tile_w, y0 + (i // 3) * (tile_h + 2)
        pdf.rect(x + 0.5, y, tile_w - 1, tile_h)
        pdf.set_xy(x + 2, y + 1.5)
        pdf.set_font("cjk", "", 7.5)
        pdf.set_text_color(*GREY)
        pdf.multi_cell(tile_w - 4, 3.6, label, wrapmode=doc.wrap)
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("cjk", "B", 15)
        pdf.text(x + 2, y + tile_h - 2.5, value)
    pdf.set_xy(x0, y0 + 2 * (tile_h + 2) + 2)
    if len(s):
        doc.text(t("mr_of_ranked", n=whole(c["n_ranked"].max() if len(c) else s["n_ranked"].iloc[0])), 7.5, colour=GREY)
    counts = s["grade"].value_counts().reindex(GRADES, fill_value=0)
    doc.text(
        t("pdf_kpi_grades") + ": " + " · ".join(f"{g} {int(counts[g])}" for g in GRADES),
        9,
        bold=True,
    )
    y = pdf.get_y() + 1
    series = {
        t("mr_ruleset_as_practised"): d.compare["grade_as_practised"].value_counts().reindex(GRADES, fill_value=0),
        t("mr_ruleset_reformed"): d.compare["grade_reformed"].value_counts().reindex(GRADES, fill_value=0),
    }
    doc.grouped_bars(t("mr_report_grades_chart"), GRADES, {k: v.tolist() for k, v in series.items()})
    movers = d.compare[d.compare["move"] != 0].head(10)
    end = doc.diverging_bars(
        t("mr_report_movers_chart"),
        movers["name"].astype(str).tolist(),
        movers["move"].astype(int).tolist(),
        pdf.l_margin + doc.width / 2 + 2,
        y,
    )
    pdf.set_xy(pdf.l_margin, max(pdf.get_y(), end) + 3)
    doc.text(formula_text(d.rules), 8)


def _rank_row(d: ReportData, r, flags: dict) -> list:
    grade = str(r["grade"])
    change = r["rank_change"]
    colour = GREY if missing(change) or int(change) == 0 else (UP_RGB if int(change) > 0 else DOWN_RGB)
    row = [whole(r["rank"]), (signed(change), colour), str(r["name"])]
    if d.level != "town":
        row.append(str(r["town_name"]))
    if d.level == "worker":
        row.append("" if missing(r["village_name"]) else str(r["village_name"]))
    row += [one(r[p]) for p in PARTS]
    row += [one(r["total"]), (grade, GRADE_RGB.get(grade, (0, 0, 0)))]
    if d.level != "town":
        row.append(flags.get(r["subject_id"], ""))
    return row


def _ranking(doc: _Doc, d: ReportData) -> None:
    doc.pdf.add_page()
    doc.heading(t("pdf_ranking_title") + f" · {t(f'mr_level_{d.level}')} · {t(f'mr_ruleset_{d.ruleset}')}")
    s = d.scores
    if d.level == "worker":
        flagged = d.workers_flags[d.workers_flags["flags"] > 0]
        flags = {r["worker_id"]: flag_names(r) for r in flagged.to_dict("records")}
    elif d.level == "village":
        flags = {v: t("mr_sig_selective") for v in d.villages_flags.loc[d.villages_flags["selective"], "village_id"]}
    else:
        flags = {}
    header = [t("mr_col_rank"), t("mr_col_change"), t("mr_col_worker" if d.level == "worker" else "mr_col_name")]
    widths = [8, 10, 20]
    if d.level != "town":
        header.append(t("mr_col_town"))
        widths.append(18)
    if d.level == "worker":
        header.append(t("mr_col_village"))
        widths.append(20)
    header += [t(f"mr_col_{p}") for p in PARTS] + [t("mr_col_total"), t("mr_col_grade")]
    widths += [12, 12, 12, 12, 12, 8]
    if d.level != "town":
        header.append(t("mr_col_flags"))
        widths.append(28)
    n_names = len(header) - len(PARTS) - 2 - (1 if d.level != "town" else 0) - 2
    align = ["RIGHT", "RIGHT"] + ["LEFT"] * n_names + ["RIGHT"] * (len(PARTS) + 1) + ["CENTER"]
    align += ["LEFT"] if d.level != "town" else []
    records = s.to_dict("records")
    if len(records) <= TOP_N + BOTTOM_N:
        doc.text(t("pdf_ranking_note") + " " + t("pdf_all_rows", n=len(records)), 7.5, colour=GREY)
        rows = [_rank_row(d, r, flags) for r in records]
    else:
        doc.text(
            t("pdf_ranking_note") + " " + t("pdf_top_bottom", n=len(records), top=TOP_N, bottom=BOTTOM_N),
            7.5,
            colour=GREY,
        )
        gap = len(records) - TOP_N - BOTTOM_N
        rows = [_rank_row(d, r, flags) for r in records[:TOP_N]]
        rows.append([(t("pdf_gap_row", n=gap), GREY, len(header))])
        rows += [_rank_row(d, r, flags) for r in records[-BOTTOM_N:]]
    doc.table(header, rows, widths, align)


def _compare(doc: _Doc, d: ReportData) -> None:
    doc.heading(t("pdf_compare_title"))
    moved = d.compare[d.compare["move"] != 0]
    doc.text(
        t(
            "mr_compare_caption",
            moved=whole(len(moved)),
            mean=f"{moved['move'].abs().mean():.1f}" if len(moved) else "0",
        ),
        8,
    )
    rows = [
        [
            str(r["name"]),
            str(r["town_name"]),
            whole(r["rank_as_practised"]),
            one(r["total_as_practised"]),
            (str(r["grade_as_practised"]), GRADE_RGB.get(str(r["grade_as_practised"]), (0, 0, 0))),
            whole(r["rank_reformed"]),
            one(r["total_reformed"]),
            (str(r["grade_reformed"]), GRADE_RGB.get(str(r["grade_reformed"]), (0, 0, 0))),
            (signed(r["move"]), GREY if int(r["move"]) == 0 else (UP_RGB if r["move"] > 0 else DOWN_RGB)),
        ]
        for r in moved.head(15).to_dict("records")
    ]
    if rows:
        header = [
            t("mr_col_name"),
            t("mr_col_town"),
            t("mr_col_rank_ap"),
            t("mr_col_total_ap"),
            t("mr_col_grade"),
            t("mr_col_rank_rf"),
            t("mr_col_total_rf"),
            t("mr_col_grade"),
            t("mr_col_move"),
        ]
        doc.table(header, rows, [26, 24, 16, 16, 10, 16, 16, 10, 12], ["LEFT", "LEFT"] + ["RIGHT"] * 7)


def _consequences(doc: _Doc, d: ReportData) -> None:
    doc.heading(t("pdf_consequences_title") + " · " + t(f"mr_ruleset_{d.ruleset}"))
    r = d.rules
    doc.text(
        t(
            "mr_consequences_rule",
            bottom=num(r["pay_cut_bottom_n"]),
            pass_score=num(r["pay_cut_score_at_most"]),
            top=num(r["double_pay_top_n"]),
            months=num(r["dismissal_consecutive_months"]),
        ),
        8,
    )
    c = d.consequences
    pending = _pending(c)
    doc.text(
        f"{t('mr_loses_pay')}: {whole(c['loses_pay'].sum())} · {t('mr_double_pay')}: {whole(c['double_pay'].sum())}"
        f" · {t('mr_dismissal')}: {whole(c['dismissal_risk'].sum())} · {t('mr_pending')}: {whole(pending.sum())}",
        9.5,
        bold=True,
        colour=DOWN_RGB,
    )
    if d.places is not None and len(d.places):
        _places(doc, d.places)
    if d.level != "worker":
        doc.text(t("pdf_consequences_worker_only"), 7.5, colour=GREY)
    if c.empty:
        doc.text(t("pdf_consequences_none"), 8)
        return
    if len(c) > CONSEQUENCE_ROWS:
        doc.text(t("mr_report_first_n", n=CONSEQUENCE_ROWS, total=len(c)), 7.5, colour=GREY)
    sep = ", " if lang() == "en" else "、"
    rows = [
        [
            str(x["name"]),
            str(x["town_name"]),
            "" if missing(x["village_name"]) else str(x["village_name"]),
            whole(x["rank"]),
            one(x["total"]),
            one(x["prev_total"]),
            sep.join(t(f"mr_reason_{k}") for k in x["reason_keys"])
            + (f" · {t('mr_pending')}" if any(x.get(f"{k}_pending", False) for k in integrity_review.KINDS) else ""),
        ]
        for x in c.head(CONSEQUENCE_ROWS).to_dict("records")
    ]
    header = [
        t("mr_col_worker"),
        t("mr_col_town"),
        t("mr_col_village"),
        t("mr_col_rank"),
        t("mr_col_total"),
        t("mr_col_prev_total"),
        t("mr_col_reasons"),
    ]
    doc.table(header, rows, [22, 22, 26, 12, 14, 16, 50], ["LEFT"] * 3 + ["RIGHT"] * 3 + ["LEFT"])


def _pending(c: pd.DataFrame) -> pd.Series:
    """Rows whose consequence waits for the integrity review (none in a table without the review)."""
    cols = [f"{k}_pending" for k in integrity_review.KINDS if f"{k}_pending" in c.columns]
    return c[cols].any(axis=1) if cols else pd.Series(False, index=c.index)


def _places(doc: _Doc, places: pd.DataFrame) -> None:
    """Per ruleset: the double-pay and pay-loss places, and how many go to flagged workers."""
    doc.text(t("mr_places_title"), 8.5, bold=True)
    header = [
        t("mr_col_ruleset"),
        t("mr_col_review_on"),
        t("mr_col_double_pay"),
        t("mr_col_double_pay_flagged"),
        t("mr_col_loses_pay"),
        t("mr_col_loses_pay_flagged"),
        t("mr_col_pending"),
    ]
    rows = [
        [
            t(f"mr_ruleset_{r['ruleset']}"),
            t("mr_review_on") if r["review"] else t("mr_review_off"),
            whole(r["double_pay"]),
            whole(r["double_pay_flagged"]),
            whole(r["loses_pay"]),
            whole(r["loses_pay_flagged"]),
            whole(r["pending"]),
        ]
        for r in places.to_dict("records")
    ]
    doc.table(header, rows, [34, 16, 22, 26, 22, 24, 18], ["LEFT", "LEFT"] + ["RIGHT"] * 5)
    doc.text(metric_definition(METRICS["integrity_double_pay_flagged"]), 7, colour=GREY)
    doc.text(metric_definition(METRICS["integrity_pending"]), 7, colour=GREY)


def _integrity(doc: _Doc, d: ReportData) -> None:
    doc.heading(t("pdf_integrity_title"))
    doc.text(t("mr_integrity_caption"), 8)
    w, v = d.workers_flags, d.villages_flags
    counts = {s: int(w[s].sum()) for s in integrity.WORKER_SIGNALS}
    counts["selective"] = int(v["selective"].sum())
    text = integrity_rule_text(d.irules)
    doc.table(
        [t("pdf_col_signal"), t("pdf_col_flagged"), t("pdf_col_rule")],
        [[t(f"mr_sig_{s}"), whole(counts[s]), text[s]] for s in integrity.SIGNALS],
        [26, 14, 140],
        ["LEFT", "RIGHT", "LEFT"],
    )
    flagged = w[w["flags"] > 0]
    doc.text(t("mr_flagged_workers") + f" ({len(flagged)})", 9, bold=True)
    if flagged.empty:
        doc.text(t("mr_none_flagged"), 8)
    else:
        rows = [
            [
                str(r["name"]),
                str(r["town_name"]),
                "" if missing(r["village_name"]) else str(r["village_name"]),
                flag_names(r),
                whole(r["reports"]),
                whole(r["padding_suspect"]),
                share(r["padding_share"]),
                whole(r["dup_pairs"]),
                whole(r["fast_days"]),
                whole(r["repeated_days"]),
            ]
            for r in flagged.to_dict("records")
        ]
        header = [
            t("mr_col_worker"),
            t("mr_col_town"),
            t("mr_col_village"),
            t("mr_col_flags"),
            t("mr_col_reports"),
            t("mr_col_pad_suspect"),
            t("mr_col_pad_share"),
            t("mr_col_dup_pairs"),
            t("mr_col_fast_days"),
            t("mr_col_repeat_days"),
        ]
        doc.table(header, rows, [18, 18, 22, 30, 14, 14, 14, 14, 16, 16], ["LEFT"] * 4 + ["RIGHT"] * 6)
    fv = v[v["selective"]]
    doc.text(t("mr_flagged_villages") + f" ({len(fv)})", 9, bold=True)
    if fv.empty:
        doc.text(t("mr_none_flagged"), 8)
    else:
        rows = [
            [
                str(r["name"]),
                str(r["town_name"]),
                whole(r["grid_reports"]),
                whole(r["escalated"]),
                two(r["escalation_rel"]),
                whole(r["bypass"]),
                two(r["bypass_rel"]),
            ]
            for r in fv.to_dict("records")
        ]
        header = [
            t("mr_col_village"),
            t("mr_col_town"),
            t("mr_col_grid_reports"),
            t("mr_col_escalated"),
            t("mr_col_esc_rel"),
            t("mr_col_bypass"),
            t("mr_col_bypass_rel"),
        ]
        doc.table(header, rows, [30, 24, 22, 22, 26, 30, 26], ["LEFT", "LEFT"] + ["RIGHT"] * 5)


DEPT_COLUMNS = [  # (column, label key, format)
    ("score", "dept_col_score", two),
    ("received", "dept_col_received", whole),
    ("on_time_rate", "dept_col_on_time", share),
    ("complete_h_median", "dept_col_complete_median", two),
    ("accept_h_median", "dept_col_accept_median", two),
    ("open_now", "dept_col_open_now", whole),
    ("overdue_now", "dept_col_overdue_now", whole),
    ("return_rate", "dept_col_return", share),
    ("rating_avg", "dept_col_rating", two),
]


def _departments(doc: _Doc, d: ReportData) -> None:
    doc.heading(t("pdf_departments_title"))
    start, end = d.dept_period
    doc.text(t("pdf_departments_caption", start=start, end=end), 8)
    table = d.departments
    if table.empty:
        doc.text(t("pdf_departments_none"), 8)
        return
    english = lang() == "en"
    rows = []
    for r in table.to_dict("records"):
        name = r["name_en"] if english and r.get("name_en") else r["name"]
        rows.append([str(name)] + [fmt(r.get(col)) for col, _, fmt in DEPT_COLUMNS])
    header = [t("dept_col_department")] + [t(k) for _, k, _ in DEPT_COLUMNS]
    doc.table(header, rows, [36] + [16] * len(DEPT_COLUMNS), ["LEFT"] + ["RIGHT"] * len(DEPT_COLUMNS))


APPENDIX_METRICS = [f"rank_{p}" for p in ("total", *PARTS, "on_time_verify_rate", "team_share", "transfer_share")]
APPENDIX_DEPT_METRICS = ["dept_score", "dept_received", "dept_on_time_rate", "dept_complete_hours", "dept_rating"]


def _appendix(doc: _Doc, d: ReportData) -> None:
    doc.pdf.add_page()
    doc.heading(t("pdf_appendix_title"))
    doc.text(t("pdf_appendix_metrics"), 9.5, bold=True)
    metrics = [METRICS[k] for k in APPENDIX_METRICS if k in METRICS]
    metrics += [DEPARTMENT_METRICS[k] for k in APPENDIX_DEPT_METRICS if k in DEPARTMENT_METRICS]
    doc.table(
        [t("pdf_col_metric"), t("pdf_col_definition")],
        [[metric_name(m), metric_definition(m, with_source=False)] for m in metrics],
        [36, 144],
        ["LEFT", "LEFT"],
    )
    doc.text(t("pdf_appendix_rules") + " · " + t(f"mr_ruleset_{d.ruleset}"), 9.5, bold=True)
    desc = "description_en" if lang() == "en" else "description"
    rows = [
        [str(r[desc] or r["description"]), rule_value(float(r["value"]), r["unit"]), rule_unit(r["unit"])]
        for r in d.rule_rows.to_dict("records")
    ]
    doc.table(
        [t("mr_col_description"), t("mr_col_value"), t("mr_col_unit")], rows, [140, 18, 22], ["LEFT", "RIGHT", "LEFT"]
    )


def render(d: ReportData, language: str, made_at: dt.datetime | None = None) -> bytes:
    """The report as PDF bytes, every text in `language` ('zh' or 'en').

    Raises `ReportFontError` when no CJK font can be embedded."""
    with use_lang(language):
        font = find_cjk_font()
        made_at = made_at or now_utc()
        footer = f"{t('pdf_title')} · {d.month:%Y-%m} · {t(f'mr_ruleset_{d.ruleset}')} · {_scope_text(d)}"
        doc = _Doc(font, footer)
        doc.pdf.set_title(f"{t('pdf_title')} {d.month:%Y-%m}")
        doc.pdf.set_author(d.user)
        doc.pdf.set_creator("GridSight")
        doc.pdf.set_lang("en" if language == "en" else "zh-CN")
        doc.pdf.set_creation_date(made_at)
        _cover(doc, d, made_at)
        _kpis(doc, d)
        _ranking(doc, d)
        _compare(doc, d)
        _consequences(doc, d)
        _integrity(doc, d)
        _departments(doc, d)
        _appendix(doc, d)
        return bytes(doc.pdf.output())


def page_download(f: Filters, month: dt.date, ruleset: str, level: str, user: str, language: str, read: dict) -> bytes:
    """The PDF for the rankings page's download button, made when it is clicked (Streamlit calls
    this on its own thread: no Streamlit command here). `read` holds what the page has already
    read, keyed by (function, args) as the page called it, so the report prints the page's very
    tables; what the page does not show (the month's department table) is read here."""
    from .data import engine

    def fetch(fn, *args):
        if (fn, args) in read:
            return read[(fn, args)]
        return fn(engine(), *args)

    return render(gather(fetch, f, month, ruleset, level, user), language)


def file_name(month: dt.date, ruleset: str, level: str, town_id: int | None) -> str:
    scope = f"_town{town_id}" if town_id is not None else ""
    return f"monthly_report_{month:%Y-%m}_{ruleset}_{level}{scope}.pdf"


# --- the command line --------------------------------------------------------------------------


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "cron"


def _parse_month(text: str) -> dt.date:
    try:
        year, month = text.split("-")
        return dt.date(int(year), int(month), 1)
    except ValueError:
        raise ValueError(t("pdf_cli_bad_month", value=text)) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ui.monthly_pdf", description="Write the monthly assessment report as an A4 PDF."
    )
    parser.add_argument("--month", required=True, help="YYYY-MM, e.g. 2026-11")
    parser.add_argument("--ruleset", required=True, choices=rankings.RULESETS)
    parser.add_argument("--level", default="worker", choices=rankings.LEVELS, help="what is ranked (default worker)")
    parser.add_argument("--town", type=int, help="a town's id: list that town's rows only (ranks stay county-wide)")
    parser.add_argument("--lang", default="zh", choices=("zh", "en"))
    parser.add_argument("--out", required=True, help="the PDF file to write")
    parser.add_argument("--db", help="SQLAlchemy URL of the store (default: as the dashboard, GRID_DB_URL …)")
    parser.add_argument("--user", default=_login_name(), help="who the cover names as maker")
    args = parser.parse_args(argv)

    from data_access.store import create_store_engine, resolve_db_url

    with use_lang(args.lang):
        try:
            month = _parse_month(args.month)
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return 2
        engine = create_store_engine(args.db or resolve_db_url(), writable=False)
        try:
            as_of = now_utc()
            if args.town is not None:
                towns = units.towns(engine)
                if args.town not in set(towns["id"].astype(int)):
                    print(t("pdf_cli_bad_town", id=args.town), file=sys.stderr)
                    return 2
            f = Filters(date_from=month, date_to=month, as_of=as_of, town_id=args.town, scope=Scope("leader"))
            months = set(rankings.available_months(engine, f)["month"])
            if month not in months:
                print(t("pdf_cli_no_data", month=args.month), file=sys.stderr)
                return 2
            data = gather(lambda fn, *a: fn(engine, *a), f, month, args.ruleset, args.level, args.user)
            pdf = render(data, args.lang)
        except ReportFontError as exc:
            print(exc, file=sys.stderr)
            return 3
        except (rankings.RankingError, ValueError) as exc:
            print(t("mr_bad_input", reason=error_text(exc)), file=sys.stderr)
            return 2
        except Exception as exc:  # the store: print the cause's kind, never the URL or a traceback
            from sqlalchemy.exc import SQLAlchemyError

            if not isinstance(exc, (SQLAlchemyError, OSError)):
                raise
            print(t("pdf_cli_store", reason=type(exc).__name__), file=sys.stderr)
            return 4
        finally:
            engine.dispose()
        out = Path(args.out)
        try:
            out.write_bytes(pdf)
        except OSError as exc:
            print(t("pdf_cli_cannot_write", path=out, reason=exc.strerror or exc), file=sys.stderr)
            return 5
        pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page")
        print(t("pdf_cli_written", path=out, pages=pages, size=len(pdf) // 1024))
        return 0


if __name__ == "__main__":
    sys.exit(main())
