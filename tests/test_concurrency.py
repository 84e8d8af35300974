"""Smoke tests of the concurrency benchmark (benchmarks/concurrency.py): 3 sessions — browsers on
the live map, or light websocket clients on the wall screen — on a tiny store while the feeder
writes 2 events/s for 20 s. No timing is asserted, only that the measuring works and nothing
failed."""

from __future__ import annotations

import datetime as dt

from benchmarks import concurrency
from tests.browser import ARTIFACTS, require_browser


def _store_ending_now(tmp_path) -> str:
    from sample_data.generate import generate

    url = f"sqlite:///{tmp_path / 'conc.db'}"
    # Ending now: the live map's "today" and the feeder's new events fall in the same day.
    generate(url, profile="tiny", seed=7, end=dt.datetime.now(dt.UTC), progress=False)
    return url


def test_concurrency_benchmark_smoke(tmp_path):
    require_browser()
    url = _store_ending_now(tmp_path)
    r = concurrency.measure(url, sessions=3, rate=2, seconds=20, log_dir=ARTIFACTS, progress=lambda s: None)
    print(concurrency.table(r))
    _assert_measured(r)


def test_wire_clients_measure_the_wall(tmp_path):
    """The light client signs in as the wall role, lands on the wall screen and asks for its
    fragment every interval, as the frontend does; the run is measured like the browsers'."""
    url = _store_ending_now(tmp_path)
    r = concurrency.measure(
        url, sessions=3, rate=2, seconds=20, role="wall", page_path="wall", client="wire",
        log_dir=ARTIFACTS, progress=lambda s: None,
    )  # fmt: skip
    print(concurrency.table(r))
    _assert_measured(r)
    assert r["client"] == "wire" and r["harness_cpu_s"] is not None
    assert all(s["requests"] >= s["refreshes"] for s in r["per_session"])
    assert r["lag_beyond_interval_p95_s"] is not None


def _assert_measured(r: dict) -> None:
    assert r["errors"] == []
    assert r["sessions_open"] == 3 and len(r["per_session"]) == 3
    assert all(s["refreshes"] >= 1 for s in r["per_session"]), r["per_session"]
    assert r["refreshes"] == sum(s["refreshes"] for s in r["per_session"])
    assert r["refresh_p95_s"] > 0 and r["refresh_p50_s"] <= r["refresh_p95_s"] <= r["refresh_max_s"]
    assert r["events_written"] > 0 and r["events_written"] == r["feeder"]["created"]
    assert all(s["new_ticker_rows"] > 0 for s in r["per_session"])
    assert r["interval_s"] > 0  # the live fragment's refresh interval, as the page sent it
    assert "refresh time p50 / p95 / max" in concurrency.table(r)
    assert "| 3 of 3 |" in concurrency.markdown(r)
