"""Exports open in Excel's reader and hold the same values; formulas in text are defused."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

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
