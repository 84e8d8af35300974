"""Attacks of the security review (issue #18) against a running dashboard, from outside: raw
websocket clients that speak Streamlit's protocol (tests/st_wire.py), no browser, no cookies."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks import concurrency
from tests.st_wire import WireSession


def pg_connections(url: str) -> int:
    """Backends connected to the store's database, not counting the one that asks."""
    parsed = make_url(url)
    counter = create_engine(parsed)
    try:
        with counter.connect() as conn:
            return conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()"),
                {"db": parsed.database},
            ).scalar_one()
    finally:
        counter.dispose()


@pytest.fixture(scope="module")
def pg_server(fixture_pg_url, tmp_path_factory):
    proc, base = concurrency.start_server(fixture_pg_url, tmp_path_factory.mktemp("sec") / "server.log")
    try:
        yield fixture_pg_url, base
    finally:
        concurrency.stop(proc)


def test_anonymous_clear_cache_leaks_no_connections(pg_server):
    """Finding 2: three anonymous clear_cache + rerun messages took PostgreSQL from 8 to 11
    connections; about 100 would exhaust max_connections."""
    url, base = pg_server
    with WireSession(base) as s:
        s.rerun()
        s.rerun()
        time.sleep(0.5)
        before = pg_connections(url)
        for _ in range(6):
            s.clear_cache()
            s.rerun()
        time.sleep(0.5)
        after = pg_connections(url)
    assert before >= 1, "the login page did not touch the store: the test measures nothing"
    assert after <= before, f"{after - before} connections leaked by 6 anonymous cache flushes"


def test_a_cache_flush_keeps_and_reuses_the_engines(app_env):
    """Finding 2 with a signed-in user rerunning between flushes leaked the writer's pool too: the
    engines are not in any cache a `clear_cache` message empties."""
    import streamlit as st

    import ui.data

    first = ui.data.engine(), ui.data.writer_engine()
    st.cache_data.clear()
    st.cache_resource.clear()  # what Streamlit does on a clear_cache message from any session
    again = ui.data.engine(), ui.data.writer_engine()
    assert again[0] is first[0] and again[1] is first[1]
    assert len(ui.data._ENGINES) == 2
