"""The derived tables (data_access/rollups): kept up to date as events arrive, equal to a rebuild,
reported when behind, and rebuilt by a command. On SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select, text

from data_access import rollups, schema
from data_access.store import create_store_engine, store_status
from sample_data.simulate import Feeder
from tests.conftest import tiny_pg_database, tiny_sqlite_copy

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["sqlite", "postgresql"])
def tiny_url(request, tmp_path) -> str:
    """A writable store holding what `generate(url, profile="tiny", seed=5, end=SAMPLE_COUNTY_END)`
    writes, rollups included: a copy of the conftest's cached build (SQLite file, PostgreSQL template)."""
    if request.param == "sqlite":
        return tiny_sqlite_copy(tmp_path / "tiny.db", seed=5)
    return tiny_pg_database("rollups", seed=5)


def snapshot(url: str) -> dict[str, pd.DataFrame]:
    """Every rollup table, rows in a stable order."""
    eng = create_store_engine(url)
    out = {}
    with eng.connect() as conn:
        for table in rollups.rollup_tables():
            df = pd.read_sql(select(table), conn)
            out[table.name] = df.sort_values(list(df.columns)).reset_index(drop=True)
    eng.dispose()
    return out


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_dtype=False, obj=name)


def test_the_generator_builds_every_rollup(tiny_url):
    eng = create_store_engine(tiny_url)
    with eng.connect() as conn:
        st = rollups.status(conn)
        assert st.current and st.version == rollups.ROLLUPS_VERSION
        for table in rollups.rollup_tables():
            assert conn.execute(select(table).limit(1)).first() is not None, f"{table.name} is empty"
    eng.dispose()


def test_catch_up_as_events_arrive_equals_a_rebuild(tiny_url):
    """The feeder's new events and steps (each followed by catch_up in its transaction) leave the
    rollups exactly as a rebuild from scratch would."""
    writer = create_store_engine(tiny_url, writable=True)
    feeder = Feeder(writer, seed=4, min_age_seconds=0)
    for _ in range(15):
        feeder.new_event()
    for _ in range(6):
        feeder.advance_some(20)  # also moves old events on: their days and months change
    assert feeder.advanced > 20
    with writer.connect() as conn:
        assert rollups.status(conn).current
    incremental = snapshot(tiny_url)
    with writer.begin() as conn:
        rollups.rebuild(conn)
    writer.dispose()
    assert_same(incremental, snapshot(tiny_url))


def test_the_feeders_one_catch_up_per_tick_equals_a_rebuild(tiny_url):
    """`simulate.run` writes a tick's new events and steps in one transaction and catches up
    once at its end: what the dashboard then reads equals a rebuild."""
    from sample_data.simulate import run

    stats = run(tiny_url, rate=15, duration=3, seed=6, min_age_seconds=0)
    assert stats["created"] >= 10 and stats["advanced"] >= 10
    with create_store_engine(tiny_url).connect() as conn:
        assert rollups.status(conn).current
    caught_up = snapshot(tiny_url)
    writer = create_store_engine(tiny_url, writable=True)
    with writer.begin() as conn:
        rollups.rebuild(conn)
    writer.dispose()
    assert_same(caught_up, snapshot(tiny_url))


def test_events_written_by_another_tool_show_as_behind_until_caught_up(tiny_url):
    writer = create_store_engine(tiny_url, writable=True)
    with writer.begin() as conn:  # an outside tool: copies an event without telling the rollups
        ev = dict(conn.execute(select(schema.events).order_by(schema.events.c.id.desc()).limit(1)).mappings().one())
        ev.update(id=ev["id"] + 1000, code=ev["code"] + "-copy")
        conn.execute(schema.events.insert(), [ev])
    with writer.connect() as conn:
        st = rollups.status(conn)
    assert (st.events_behind, st.usable, st.current) == (1, True, False)
    with writer.begin() as conn:
        assert rollups.catch_up(conn) == 1
    with writer.connect() as conn:
        assert rollups.status(conn).current
    after = snapshot(tiny_url)
    with writer.begin() as conn:
        rollups.rebuild(conn)
    writer.dispose()
    assert_same(after, snapshot(tiny_url))


def test_a_store_without_rollups_is_told_to_rebuild_and_the_command_does(tiny_url):
    if not rollups.rollup_tables():
        pytest.skip("no rollup module defines a table yet")
    writer = create_store_engine(tiny_url, writable=True)
    before = snapshot(tiny_url)
    schema.metadata.drop_all(writer, tables=rollups.rollup_tables())
    ok, reason = store_status(create_store_engine(tiny_url))
    assert not ok and "derived tables" in reason and "python -m data_access.rollups rebuild" in reason
    status = subprocess.run(
        [sys.executable, "-m", "data_access.rollups", "status", "--db", tiny_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert status.returncode == 1 and "present=False" in status.stdout
    done = subprocess.run(
        [sys.executable, "-m", "data_access.rollups", "rebuild", "--db", tiny_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "rollups rebuilt" in done.stdout
    assert store_status(create_store_engine(tiny_url)) == (True, "ok")
    assert_same(before, snapshot(tiny_url))
    writer.dispose()


def test_rebuild_creates_indexes_an_older_store_lacks(tiny_url):
    writer = create_store_engine(tiny_url, writable=True)
    with writer.begin() as conn:
        conn.execute(text("DROP INDEX ix_events_reported_at"))
    with writer.begin() as conn:
        rollups.rebuild(conn)
    with writer.connect() as conn:
        from sqlalchemy import inspect

        assert "ix_events_reported_at" in {ix["name"] for ix in inspect(conn).get_indexes("events")}
    writer.dispose()


def test_a_store_built_by_an_older_version_is_rebuilt_with_the_new_columns(tiny_url):
    """A definition change (ROLLUPS_VERSION bump) may add columns: the first catch-up after
    the upgrade rebuilds, and the rebuilt tables have the new shape."""
    writer = create_store_engine(tiny_url, writable=True)
    before = snapshot(tiny_url)
    with writer.begin() as conn:
        conn.execute(text("ALTER TABLE event_paths DROP COLUMN at_file"))  # as version 4 had it
        conn.execute(
            schema.store_meta.update().where(schema.store_meta.c.key == rollups.META_VERSION).values(value="4")
        )
        assert not rollups.status(conn).usable
    with writer.begin() as conn:
        assert rollups.catch_up(conn) == -1  # rebuilt
    with writer.connect() as conn:
        assert rollups.status(conn).current
    after = snapshot(tiny_url)
    for name, df in before.items():
        pd.testing.assert_frame_equal(after[name], df, check_dtype=False)
    writer.dispose()


def test_a_store_without_events_needs_no_rebuild(tmp_path):
    """Boundaries imported, no events yet: nothing to summarise, so the dashboard opens."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = create_store_engine(url, writable=True)
    schema.metadata.create_all(engine)
    with engine.connect() as conn:
        assert rollups.status(conn).current
    engine.dispose()
