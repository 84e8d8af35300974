"""The one table of what may follow what (data_access.lifecycle).

The generator's paths follow it; the feeder moves every open event of a freshly generated county
(default end, several seeds; a busy hour; the full sample county) and of an imported store through
it until each is closed or filed, and events and steps agree after every round.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select, text

from data_access import lifecycle, schema
from data_access.store import create_store_engine
from sample_data.generate import generate
from sample_data.simulate import Feeder
from tests.conftest import fresh_pg_database, sample_county_url

CST = dt.timezone(dt.timedelta(hours=8))
BUSY_END = dt.datetime(2026, 11, 20, 15, 0, tzinfo=CST)  # a Friday afternoon: many events under way


def read(url: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    eng = create_store_engine(url)
    with eng.connect() as conn:
        ev = pd.read_sql(text("SELECT * FROM events"), conn).set_index("id")
        steps = pd.read_sql(
            text("SELECT event_id, seq, action, from_level, to_level, to_unit_id, at FROM event_steps"), conn
        )
    eng.dispose()
    return ev, steps.sort_values(["event_id", "seq"])


def disallowed_pairs(steps: pd.DataFrame) -> pd.DataFrame:
    """Consecutive steps of one event that the table does not allow."""
    moves = list(zip(steps["action"], steps["to_level"].fillna("")))
    same = steps["event_id"].eq(steps["event_id"].shift(-1)).to_numpy()
    bad = [
        (steps["event_id"].iloc[i], moves[i], moves[i + 1])
        for i in range(len(moves) - 1)
        if same[i] and not lifecycle.may_follow(moves[i], moves[i + 1])
    ]
    return pd.DataFrame(bad, columns=["event_id", "step", "next"])


def check_consistent(ev: pd.DataFrame, steps: pd.DataFrame) -> None:
    """Status, counters and times of every event agree with its steps."""
    assert (steps.groupby("event_id")["seq"].apply(lambda s: list(s) == list(range(1, len(s) + 1)))).all()
    at = pd.to_datetime(steps["at"], utc=True, format="ISO8601")
    assert at.groupby(steps["event_id"]).apply(lambda s: s.is_monotonic_increasing).all()
    last = steps.groupby("event_id").tail(1).set_index("event_id")
    assert (steps.groupby("event_id").head(1)["action"] == "report").all()
    assert (ev["status"] == last.loc[ev.index, "action"].map(lifecycle.STATUS_AFTER)).all()
    for counter, action in (("escalations", "escalate"), ("returns", "return"), ("rejections", "reject")):
        counts = steps[steps["action"] == action].groupby("event_id").size().reindex(ev.index, fill_value=0)
        assert (ev[counter] == counts).all(), counter
    closed = ev["status"] == "closed"
    assert ev.loc[closed, "closed_at"].notna().all() and ev.loc[~closed, "closed_at"].isna().all()
    assert ev.loc[closed, "close_date"].notna().all()
    assert ev.loc[ev["status"] == "filed", "filing_only"].astype(bool).all()
    # a department named on an event is one that took it on
    dept = ev["department_id"].notna()
    took = steps[(steps["to_level"] == "department") & (steps["action"] == "accept")]
    pairs = set(zip(took["event_id"], took["to_unit_id"]))
    assert all((i, d) in pairs for i, d in ev.loc[dept, "department_id"].items())


def drain(url: str, seed: int, max_rounds: int = 60) -> tuple[int, int]:
    """Advance every open event one step per round until none is open: (events moved, rounds).
    Every open event must be able to move in every round (none is stuck in a state the feeder
    cannot leave)."""
    writer = create_store_engine(url, writable=True)
    feeder = Feeder(writer, seed=seed, min_age_seconds=0)
    moved_events, rounds = set(), 0
    try:
        while True:
            with writer.connect() as conn:
                open_ids = (
                    conn.execute(select(schema.events.c.id).where(schema.events.c.status.not_in(schema.FINAL_STATUSES)))
                    .scalars()
                    .all()
                )
            if not open_ids:
                return len(moved_events), rounds
            rounds += 1
            assert rounds <= max_rounds, f"{len(open_ids)} events still open after {max_rounds} rounds"
            with feeder.one_tick():
                moved = sum(feeder.advance(i) for i in open_ids)
            assert moved == len(open_ids), "some open events had no next step"
            moved_events.update(open_ids)
    finally:
        writer.dispose()


def drain_and_check(url: str, seed: int) -> int:
    _, before = read(url)
    assert disallowed_pairs(before).empty, disallowed_pairs(before).head()
    moved, rounds = drain(url, seed)
    ev, steps = read(url)
    assert ev["status"].isin(schema.FINAL_STATUSES).all()
    check_consistent(ev, steps)
    bad = disallowed_pairs(steps)
    assert bad.empty, bad.head(10)
    return moved


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_feeder_closes_every_open_event_of_a_county_with_the_default_end(seed, tmp_path):
    url = f"sqlite:///{tmp_path / 'tiny.db'}"
    generate(url, profile="tiny", seed=seed, progress=False)  # default end: now
    drain_and_check(url, seed)


@pytest.mark.parametrize("seed", [6, 7, 8])
def test_feeder_closes_every_open_event_in_a_busy_hour(seed, tmp_path):
    url = f"sqlite:///{tmp_path / 'tiny.db'}"
    generate(url, profile="tiny", seed=seed, events=6000, end=BUSY_END, progress=False)
    ev, steps = read(url)
    open_last = (
        steps.groupby("event_id").tail(1).set_index("event_id").loc[ev.index[~ev["status"].isin(["closed", "filed"])]]
    )
    assert len(open_last) >= 20, "too few open events to test anything"
    assert drain_and_check(url, seed) == len(open_last)


def test_feeder_closes_every_open_event_of_the_sample_county(tmp_path):
    """The full county: dispatches from the county to towns and on to grids among its open events
    (the state the feeder crashed on). Which states a county's open events end in is chance, so two
    seeds are drained and together they must cover the three."""
    states = set()
    for seed in (7, 11):
        path = tmp_path / f"county{seed}.db"
        shutil.copy(Path(sample_county_url(seed).removeprefix("sqlite:///")), path)
        url = f"sqlite:///{path}"
        ev, steps = read(url)
        last = steps.groupby("event_id").tail(1).set_index("event_id")
        open_last = last.loc[ev.index[~ev["status"].isin(schema.FINAL_STATUSES)]]
        states |= set(zip(open_last["action"], open_last["to_level"]))
        assert drain_and_check(url, seed) == len(open_last)
    assert {("dispatch", "town"), ("dispatch", "department"), ("escalate", "village")} <= states


def test_feeder_closes_every_open_event_on_postgresql():
    url = fresh_pg_database("lifecycle")
    generate(url, profile="tiny", seed=9, end=BUSY_END, progress=False)
    drain_and_check(url, 9)


def test_feeder_moves_imported_events(tmp_path):
    """An imported store: no micro-grids, no workers, steps that skip stages (report → dispatch),
    the centre as actor. The feeder adds events in grids and closes every open one."""
    from data_access.ingest import import_events
    from tests.data.ingest_support import CN_PLATFORM, DATA, empty_store, import_base_boundaries

    url = empty_store(f"sqlite:///{tmp_path / 'imported.db'}")
    import_base_boundaries(url)
    report = import_events(
        DATA / "cn_platform_gbk.csv", url, CN_PLATFORM, now=dt.datetime(2026, 11, 22, 12, tzinfo=CST)
    )
    assert report.committed
    ev, _ = read(url)
    opened = int((~ev["status"].isin(schema.FINAL_STATUSES)).sum())
    assert opened > 0, "the test file has no open events"
    writer = create_store_engine(url, writable=True)
    feeder = Feeder(writer, seed=3, min_age_seconds=0)
    with feeder.one_tick():
        new = [feeder.new_event() for _ in range(10)]
    writer.dispose()
    moved, _ = drain(url, 3)
    assert moved == opened + len(new)
    ev, steps = read(url)
    assert ev["status"].isin(schema.FINAL_STATUSES).all()
    check_consistent(ev, steps)
    assert ev.loc[new, "micro_grid_id"].isna().all() and ev.loc[new, "grid_id"].notna().all()
    # imported paths may skip stages; what the feeder added after them follows the table
    fed = steps[steps["event_id"].isin(new)]
    assert disallowed_pairs(fed).empty


def test_every_state_the_generator_leaves_open_has_a_next_move():
    ev, steps = read(sample_county_url(7))
    assert disallowed_pairs(steps).empty
    last = steps.groupby("event_id").tail(1)
    open_states = set(zip(last["action"], last["to_level"].fillna("")))
    open_states -= {("close", lv) for lv in schema.LEVELS} | {("file", lv) for lv in schema.LEVELS}
    assert all(lifecycle.next_moves(*s) for s in open_states), open_states
