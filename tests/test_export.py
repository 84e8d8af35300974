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
