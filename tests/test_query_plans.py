"""No page makes the database read the whole events or steps table (issue 10).

Every page is rendered through dashboard.py (AppTest, signed in as admin) on the sample county in
SQLite; every SELECT it issues is captured and run again under `EXPLAIN QUERY PLAN`. A plan line
`SCAN events` or `SCAN event_steps` (SQLite reads the table, or a whole index, from end to end,
where `SEARCH … USING INDEX` would read a range), or a SEARCH bounded only from above (it reads
every earlier event: as good as a scan), fails the page: the derived tables in
data_access/rollups or an index must answer instead. An index scan that stops at a LIMIT (the
newest events, newest first) reads a handful of rows and is allowed.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import event
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from data_access.sqlfuncs import add_sqlite_quantile
from tests.conftest import SAMPLE_COUNTY_END, login, point_app_at, sample_county_url

ROOT = Path(__file__).resolve().parent.parent
BIG_TABLES = ("events", "event_steps")
PAGES = [
    ("pages/overview.py", None),
    ("pages/live_map.py", None),
    ("pages/live_map.py", "micro_grid"),  # the whole county's micro-grids
    ("pages/event_flow.py", None),
    ("pages/department_response.py", None),
    ("pages/monthly_rankings.py", None),
    ("pages/workforce.py", None),
    ("pages/data_import.py", None),
    ("pages/admin.py", None),
]


def full_scans(plan: list[str], sql: str) -> list[str]:
    """The plan lines that read a big table (or an alias of one) from end to end."""
    names = {t: t for t in BIG_TABLES}
    for table, alias in re.findall(r"\b(events|event_steps)\s+AS\s+(\w+)", sql, flags=re.I):
        names[alias] = table
    limited = re.search(r"\bLIMIT\b", sql, flags=re.I) is not None
    bad = []
    for line in plan:
        s = re.match(r"SEARCH (\w+) USING .*INDEX \w+ \((.*)\)", line.strip())
        if s and s.group(1) in names and not re.search(r"=|>", s.group(2)):
            bad.append(line.strip())  # only an upper bound: reads from the start of history
            continue
        m = re.match(r"SCAN (\w+)(.*)", line.strip())
        if not m or m.group(1) not in names:
            continue
        if limited and "USING" in m.group(2) and "INDEX" in m.group(2):
            continue  # walks an index in order and stops at the LIMIT
        bad.append(line.strip())
    return bad


def test_full_scans_are_found():
    assert full_scans(["SCAN events"], "SELECT count(*) FROM events") == ["SCAN events"]
    assert full_scans(["SCAN e USING COVERING INDEX ix"], "SELECT 1 FROM events AS e") == [
        "SCAN e USING COVERING INDEX ix"
    ]
    assert (
        full_scans(
            ["SEARCH events USING INDEX ix_events_report_date (report_date>? AND report_date<?)"],
            "SELECT 1 FROM events",
        )
        == []
    )
    assert (
        full_scans(
            ["SCAN events USING INDEX ix_events_reported_at"], "SELECT 1 FROM events ORDER BY reported_at DESC LIMIT ?"
        )
        == []
    )
    assert full_scans(["SCAN event_paths"], "SELECT 1 FROM event_paths") == []
    # an upper bound alone reads every earlier event: as good as a scan
    assert full_scans(["SEARCH events USING INDEX ix_events_reported_at (reported_at<?)"], "SELECT 1 FROM events") == [
        "SEARCH events USING INDEX ix_events_reported_at (reported_at<?)"
    ]
    assert full_scans(["SEARCH events USING INDEX ix_events_closed_at (closed_at>?)"], "SELECT 1 FROM events") == []


@pytest.fixture(scope="module")
def county() -> str:
    return sample_county_url(7)


@pytest.mark.parametrize("path,level", PAGES, ids=[p + (f"@{lv}" if lv else "") for p, lv in PAGES])
def test_no_page_scans_the_events_or_steps_table(path, level, county, monkeypatch):
    point_app_at(monkeypatch, county, SAMPLE_COUNTY_END)
    at = login(AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120), "admin")
    captured: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if conn.dialect.name == "sqlite" and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            captured.append((statement, parameters))

    st.cache_data.clear()  # signing in drew the default page: its queries must run again
    event.listen(Engine, "before_cursor_execute", capture)
    try:
        at.switch_page(path).run()
        if level:
            at.selectbox(key="live_map_show_level_county").set_value(level).run()
    finally:
        event.remove(Engine, "before_cursor_execute", capture)
    assert not at.exception, [e.value for e in at.exception]
    assert captured, "the page ran no SQL"
    db = county.removeprefix("sqlite:///")
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    add_sqlite_quantile(con)  # the percentile aggregate the dashboard registers on its connections
    offenders = []
    try:
        for sql, params in captured:
            plan = [row[3] for row in con.execute("EXPLAIN QUERY PLAN " + sql, params or ())]
            bad = full_scans(plan, sql)
            if bad:
                offenders.append(f"{bad}\n    {' '.join(sql.split())[:400]}")
    finally:
        con.close()
    assert not offenders, f"{path}: {len(offenders)} statement(s) read a whole table:\n" + "\n".join(offenders)
