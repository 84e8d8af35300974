"""Smoke test of the page benchmark (benchmarks/pages.py): it runs end to end on a tiny store.

No timing is asserted (the machine is shared); the JSON's shape and the naive figures are.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from benchmarks import naive
from benchmarks.pages import FIELDS, count_events, ensure_store, store_end
from data_access import overview, schema
from data_access.filters import default_filters
from data_access.store import create_store_engine
from data_access.units import latest_report_date
from tests.conftest import ROOT

END = "2026-11-22T10:00:00+08:00"


@pytest.fixture(scope="module")
def tiny_url(tmp_path_factory) -> str:
    from tests.conftest import tiny_sqlite_copy

    url = tiny_sqlite_copy(tmp_path_factory.mktemp("bench") / "tiny.db", 7)
    return url


def test_store_is_reused_not_refilled(tiny_url):
    have = count_events(tiny_url)
    assert have and have > 100
    assert ensure_store(tiny_url, have, END).startswith("reusing")
    with pytest.raises(SystemExit, match="fewer than"):
        ensure_store(tiny_url, have + 1, END)  # never writes into a store that holds other data
    assert count_events(tiny_url) == have
    assert dt.datetime.fromisoformat(store_end(tiny_url)) == dt.datetime.fromisoformat(END)


def test_benchmark_runs_end_to_end(tiny_url, tmp_path):
    out = tmp_path / "bench.json"
    n = count_events(tiny_url)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.pages",
            "--db",
            tiny_url,
            "--events",
            str(n),
            "--out",
            str(out),
            "--pages",
            "overview,data_import",
            "--warm-runs",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "reusing" in proc.stdout and "cold s" in proc.stdout
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert [r["page"] for r in rows] == ["overview", "data_import"]
    for r in rows:
        assert set(FIELDS) <= set(r)
        assert r["error"] is None
        assert r["cold_s"] > 0 and r["warm_s"] > 0 and r["peak_rss_mb"] > 0
        assert r["slowest_sql"] and r["slowest_calls"], "the SQL and data_access calls of the run were timed"
    over, imp = rows
    assert over["naive_s"] > 0 and over["ratio"] == pytest.approx(over["naive_s"] / over["cold_s"])
    assert over["rows_read"] >= n and over["deck_json_kb"] > 0  # the overview's map went out
    assert any(q["function"].startswith("overview.") for q in over["slowest_sql"])
    assert "overview.kpi_summary" in {c["function"] for c in over["slowest_calls"]}
    assert imp["naive_s"] is None and imp["ratio"] is None  # the import page computes nothing from events


def test_naive_overview_matches_the_dashboard(tiny_url):
    """The naive pandas figures are the same numbers the page shows, or the comparison is void."""
    as_of = dt.datetime.fromisoformat(store_end(tiny_url))
    result = naive.run(tiny_url, "overview", as_of)
    engine = create_store_engine(tiny_url)
    f = default_filters(latest_report_date(engine), as_of=as_of)
    kpis = overview.kpi_summary(engine, f).set_index("metric")
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(schema.events)).scalar_one()
    engine.dispose()
    got = result["figures"]
    assert result["rows_read"] >= total
    for key in ("events_reported", "open_events", "overdue_events", "filing_only_events"):
        assert got["kpis"][key] == kpis.loc[key, "value"], key
        assert got["previous"][key] == kpis.loc[key, "previous"], key
    for key in ("on_time_closure_rate", "rework_rate", "satisfaction_avg"):
        assert got["kpis"][key] == pytest.approx(kpis.loc[key, "value"]), key
    assert got["workers_checked_in_today"] == kpis.loc["workers_checked_in_today", "value"]
    assert got["workers_active"] == kpis.loc["workers_checked_in_today", "denominator"]
    assert got["trend_reported"] == got["kpis"]["events_reported"]


@pytest.mark.parametrize("page", sorted(naive.PAGES))
def test_every_naive_page_computes(tiny_url, page):
    as_of = dt.datetime.fromisoformat(store_end(tiny_url))
    result = naive.run(tiny_url, page, as_of)
    assert result["naive_s"] >= result["naive_read_s"] > 0
    assert result["figures"], page
