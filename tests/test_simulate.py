"""The live feeder: events and steps stay consistent, on SQLite and PostgreSQL, and the dashboard's
read-only engine reads without errors while it writes."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from data_access import live
from data_access.filters import Filters, local_date, now_utc
from data_access.lifecycle import STATUS_AFTER
from data_access.store import create_store_engine
from sample_data.simulate import run

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory) -> Path:
    from tests.conftest import tiny_sqlite_copy

    path = tmp_path_factory.mktemp("sim") / "tiny.db"
    tiny_sqlite_copy(path, 11)
    return path


def check_consistent(url: str, since: dt.datetime) -> pd.DataFrame:
    """Every event touched since `since`: status, counters and times agree with its steps."""
    eng = create_store_engine(url)
    with eng.connect() as conn:
        steps = pd.read_sql(text("SELECT event_id, seq, action, at FROM event_steps"), conn)
        ev = pd.read_sql(text("SELECT * FROM events"), conn)
    eng.dispose()
    steps["at"] = pd.to_datetime(steps["at"], utc=True)
    touched = steps.loc[steps["at"] >= pd.Timestamp(since), "event_id"].unique()
    assert len(touched) > 0
    steps = steps[steps["event_id"].isin(touched)].sort_values(["event_id", "seq"])
    # seq runs 1..n without gaps, times never go backwards
    assert (steps.groupby("event_id")["seq"].apply(lambda s: list(s) == list(range(1, len(s) + 1)))).all()
    assert (steps.groupby("event_id")["at"].apply(lambda s: s.is_monotonic_increasing)).all()
    last = steps.groupby("event_id").tail(1).set_index("event_id")["action"]
    ev = ev.set_index("id").loc[touched]
    assert (ev["status"] == last.loc[ev.index].map(STATUS_AFTER)).all()
    for counter, action in (("escalations", "escalate"), ("returns", "return"), ("rejections", "reject")):
        counts = steps[steps["action"] == action].groupby("event_id").size().reindex(ev.index, fill_value=0)
        assert (ev[counter] == counts).all(), counter
    closed = ev["status"] == "closed"
    assert ev.loc[closed, "closed_at"].notna().all() and ev.loc[~closed, "closed_at"].isna().all()
    assert ev.loc[closed, "close_date"].notna().all()
    first = steps.groupby("event_id").head(1).set_index("event_id")["action"]
    assert (first == "report").all()
    return ev


def test_feeder_writes_while_the_dashboard_reads(tiny_file, tmp_path):
    path = tmp_path / "live.db"
    shutil.copy(tiny_file, path)
    url = f"sqlite:///{path}"
    reader = create_store_engine(url)  # read-only, as the dashboard opens it
    start = now_utc()
    with reader.connect() as conn:
        before = conn.execute(text("SELECT COUNT(*) FROM events")).scalar()
    stats = {}
    feeder = threading.Thread(target=lambda: stats.update(run(url, rate=25, duration=6, seed=3, min_age_seconds=0)))
    feeder.start()
    reads, errors = 0, []
    while feeder.is_alive():
        now = now_utc()
        f = Filters(date_from=local_date(now) - dt.timedelta(days=29), date_to=local_date(now), as_of=now)
        try:
            live.unit_numbers(reader, f, now, "grid")
            live.open_event_points(reader, f, now, "county", None)
            live.newest_events(reader, f, now, "county", None)
            reads += 1
        except Exception as exc:  # noqa: BLE001 - any error while the feeder writes is the failure
            errors.append(repr(exc))
    feeder.join()
    assert errors == [] and reads >= 5
    assert stats["created"] >= 80 and stats["advanced"] >= 50  # 25/s for 6 s: ~150 new, ~180 steps
    ev = check_consistent(url, start)
    new = ev[ev.index > before]
    assert len(new) == stats["created"]
    # new events carry consistent denormalised ids and their local report day
    eng = create_store_engine(url)
    with eng.connect() as conn:
        mg = pd.read_sql(text("SELECT id, grid_id, village_id, town_id FROM micro_grids"), conn).set_index("id")
    eng.dispose()
    assert (
        mg.loc[new["micro_grid_id"], ["grid_id", "village_id", "town_id"]].to_numpy()
        == new[["grid_id", "village_id", "town_id"]].to_numpy()
    ).all()
    local_days = pd.to_datetime(new["reported_at"], utc=True).dt.tz_convert("Asia/Shanghai").dt.date
    assert (pd.to_datetime(new["report_date"]).dt.date.to_numpy() == local_days.to_numpy()).all()
    # the live open count moves with the feeder: it equals a direct count
    now = now_utc()
    f = Filters(date_from=local_date(now), date_to=local_date(now), as_of=now)
    shown = live.unit_numbers(reader, f, now, "county").iloc[0]["open_events"]
    with reader.connect() as conn:
        direct = conn.execute(text("SELECT COUNT(*) FROM events WHERE filing_only = 0 AND closed_at IS NULL")).scalar()
    assert shown == direct
    reader.dispose()


def test_feeder_on_postgresql():
    from tests.conftest import tiny_pg_database

    url = tiny_pg_database("live_sim", 11)
    start = now_utc()
    stats = run(url, rate=10, duration=4, seed=4, min_age_seconds=0)
    assert stats["created"] >= 20  # ~40 expected
    check_consistent(url, start)


def test_command_line(tiny_file, tmp_path):
    path = tmp_path / "cli.db"
    shutil.copy(tiny_file, path)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sample_data.simulate",
            "--db",
            f"sqlite:///{path}",
            "--rate",
            "5",
            "--duration",
            "2",
            "--seed",
            "9",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "events inserted" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "sample_data.simulate", "--db", f"sqlite:///{path}", "--rate", "-1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "--rate" in bad.stderr
