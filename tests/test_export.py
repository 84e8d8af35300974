"""Exports open in Excel's reader and hold the same values; formulas in text are defused."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from ui.export import csv_bytes, xlsx_bytes


def test_xlsx_round_trip_and_formula_defused():
    df = pd.DataFrame(
        {
            "部门": ["公安局", '=HYPERLINK("http://x")'],
            "件数": [12, 3],
            "比例": [0.5, 0.25],
            "时间": pd.to_datetime(["2026-03-01 02:00", "2026-03-02 16:30"]).tz_localize("UTC"),
        }
    )
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"部门/响应": df})))
    sheet = book["部门_响应"]
    rows = list(sheet.values)
    assert rows[0] == ("部门", "件数", "比例", "时间")
    assert rows[1][:3] == ("公安局", 12, 0.5)
    assert rows[2][0].startswith("'=")
    assert str(rows[1][3]) == "2026-03-01 10:00:00"  # shown in Beijing time


def test_csv_has_bom_for_excel():
    data = csv_bytes(pd.DataFrame({"镇街": ["白鹤镇"], "n": [1]}))
    assert data.startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(io.BytesIO(data), encoding="utf-8-sig").iloc[0, 0] == "白鹤镇"


ATTACKS = [
    "=1+1",
    "+cmd",
    "-2+3",
    "@SUM(A1)",
    '\t=HYPERLINK("http://x")',
    "\r=1+1",
    '\uff1dHYPERLINK("http://x")',  # full-width ＝, as a Chinese input method types it
    "\uff0b1",
    "|calc.exe",
    "  =1+1",
]


def test_csv_defuses_every_formula_start():
    """Finding 10 of the security review: TAB, CR, full-width ＝ and | got through unquoted."""
    import csv

    data = csv_bytes(pd.DataFrame({"部门": ATTACKS, "n": range(len(ATTACKS))}))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == len(ATTACKS) + 1
    for value, row in zip(ATTACKS, rows[1:], strict=True):
        assert row[0] == "'" + value
    assert csv_bytes(pd.DataFrame({"x": ["公安局", "a-b", ""]})).decode("utf-8-sig").split("\r\n")[1:3] == [
        "公安局",
        "a-b",
    ]


def test_a_bare_cr_cannot_start_a_new_csv_row():
    data = csv_bytes(pd.DataFrame({"部门": ["公安局\r伪造行,999"], "n": [1]}))
    rows = list(__import__("csv").reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [["部门", "n"], ["公安局\r伪造行,999", "1"]]
    assert b'"\xe5\x85\xac\xe5\xae\x89\xe5\xb1\x80\r' in data  # the field is quoted


def test_xlsx_defuses_the_same_starts():
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"s": pd.DataFrame({"部门": ATTACKS})})))
    values = [r[0] for r in list(book["s"].values)[1:]]
    # the XML reader hands a stored CR back as LF (XML line-end normalisation)
    assert values == ["'" + v.replace("\r", "\n") for v in ATTACKS]


# --- workbooks that read like the screen ---------------------------------------------------------


def test_xlsx_carries_the_screen_formats_widths_and_frozen_header():
    from ui.export import Column

    df = pd.DataFrame(
        {
            "部门": ["县综合行政执法局(城管)", "公安局"],
            "按期处置率": [0.9401, 0.5],
            "办结率": [94.0, 50.5],  # shown ×100 on the page with a % sign
            "收到": [1234, 3],
            "名次变化": [3, 0],
        }
    )
    cols = {
        "按期处置率": Column("percent2", "on-time share"),
        "办结率": Column("percent100", "closure share"),
        "收到": Column("count"),
        "名次变化": Column("signed"),
    }
    about = [("统计期", "2026-03-01 – 2026-03-31"), ("考核规则", "改革规则"), ("范围", "白鹤镇")]
    described = [("部门", "文字", "the department")]
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"data": df}, cols, about, described, "zh")))
    assert book.sheetnames == ["说明", "data"]
    ws = book["data"]
    assert ws.freeze_panes == "A2"
    assert ws["B2"].value == 0.9401 and ws["B2"].number_format == "0.00%"
    assert ws["C2"].value == pytest.approx(0.94) and ws["C2"].number_format == "0.0%"
    assert ws["D2"].number_format == "#,##0" and ws["E2"].number_format == "+0;-0;0"
    assert ws.column_dimensions["A"].width >= 2 * len("县综合行政执法局(城管)")  # CJK counted two wide
    assert 8 <= ws.column_dimensions["D"].width < 20
    about_text = [tuple(r) for r in book["说明"].iter_rows(values_only=True)]
    assert ("统计期", "2026-03-01 – 2026-03-31", None) in about_text
    assert ("考核规则", "改革规则", None) in about_text and ("范围", "白鹤镇", None) in about_text
    assert ("部门", "文字", "the department") in about_text
    # The CSV holds the same units as the workbook: shares as fractions.
    from ui.export import csv_export

    back = pd.read_csv(io.BytesIO(csv_export(df, cols)), encoding="utf-8-sig")
    assert back["按期处置率"].tolist() == [0.9401, 0.5]
    assert back["办结率"].tolist() == pytest.approx([0.94, 0.505])


def _capture_downloads(monkeypatch) -> dict:
    import streamlit as st
    from streamlit.delta_generator import DeltaGenerator

    captured: dict = {}
    real = DeltaGenerator.download_button

    def capture(self, label, data, *args, **kwargs):
        captured[kwargs.get("key")] = data() if callable(data) else data
        return real(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", capture)
    monkeypatch.setattr(st, "download_button", lambda *a, **k: capture(st._main, *a, **k))
    return captured


@pytest.mark.parametrize("english", [False, True])
def test_rankings_workbook_has_about_sheet_and_percent_rates(app_env, monkeypatch, english):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT, login

    captured = _capture_downloads(monkeypatch)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    login(at, "town")
    if english:
        at.sidebar.toggle(key="lang_en").set_value(True).run()
    at.switch_page("pages/monthly_rankings.py").run()
    assert not at.exception, at.exception
    book = openpyxl.load_workbook(io.BytesIO(captured["rankings_export_xlsx"]))
    about_name, data_name = book.sheetnames
    assert about_name == ("About" if english else "说明")
    about = {r[0]: r[1] for r in book[about_name].iter_rows(values_only=True) if r[0]}
    month = at.selectbox(key="rankings_month").value.strftime("%Y-%m")
    if english:
        assert about["Month assessed"] == month and about["Ruleset"] == "As practised (H district)"
        assert about["Period"] and about["Exported by"] == "town" and about["Data as of"]
        town_label, closure = "Town", "Closure rate"
    else:
        assert about["考核月份"] == month and about["考核规则"] == "现行规则(H 区做法)"
        assert about["统计期"] and about["导出人"] == "town" and about["数据截至"]
        town_label, closure = "镇街", "办结率"
    scope = about["Scope" if english else "范围"]
    ws = book[data_name]
    header = [c.value for c in ws[1]]
    town_col = header.index(town_label)
    towns = {row[town_col] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert towns == {scope}, "a town user's rows are their town's, and the About sheet says so"
    j = header.index(closure) + 1
    cells = [ws.cell(row=i, column=j) for i in range(2, ws.max_row + 1)]
    assert cells and all(c.number_format == "0.0%" for c in cells)
    assert all(c.value is None or 0 <= c.value <= 1 for c in cells), "a rate is a fraction, shown as %"
    # Every column of the table has a definition on the About sheet.
    described = {r[0] for r in book[about_name].iter_rows(values_only=True)}
    assert set(header) <= described
    # The CSV's rate is the same fraction.
    csv = pd.read_csv(io.BytesIO(captured["rankings_export_csv"]), encoding="utf-8-sig")
    assert csv[closure].dropna().tolist() == pytest.approx([c.value for c in cells if c.value is not None])
