"""Findings 8 and 9 of issue #18: when the store is down, gone or damaged, nobody (signed in or
not) sees the database URL, host, file path or driver error, and no run ends in Streamlit's raw
error box; the details go to the server log under a reference shown on screen."""

from __future__ import annotations

import logging
import re
import shutil
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from tests import fixture_county as fc
from tests.conftest import login, pg_url, point_app_at

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard.py")
DRIVER_WORDS = ("OperationalError", "DatabaseError", "psycopg", "sqlite3", "FATAL", "Connection refused", "sqlalchemy")


def screen_text(at: AppTest) -> str:
    parts = [
        e.value for kind in ("error", "warning", "info", "markdown", "caption", "title") for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def assert_nothing_leaks(text: str, *secrets: str) -> None:
    for word in (*DRIVER_WORDS, *secrets):
        assert word not in text, f"{word!r} shown on screen:\n{text}"


def reference(text: str) -> str:
    found = re.search(r"`([0-9a-f]{8})`", text)
    assert found, f"no log reference on screen:\n{text}"
    return found.group(1)


def test_login_screen_with_postgres_refusing_shows_no_url(monkeypatch, caplog):
    point_app_at(monkeypatch, "postgresql+psycopg://gridsight:pw-Xq7z@127.0.0.1:5499/county_x")
    with caplog.at_level(logging.WARNING, logger="gridsight.store"):
        at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    text = screen_text(at)
    assert "无法连接数据库" in text
    assert_nothing_leaks(text, "pw-Xq7z", "127.0.0.1", "5499", "county_x", "gridsight:")
    ref = reference(text)
    logged = [r.getMessage() for r in caplog.records if ref in r.getMessage()]
    assert logged and "127.0.0.1:5499/county_x" in logged[0] and "pw-Xq7z" not in logged[0]


def test_login_screen_with_a_missing_postgres_database_shows_no_driver_error(monkeypatch, caplog):
    """As in the review: `FATAL: database "…" does not exist` was on the login screen."""
    url = make_url(pg_url()).set(database="gridsight_no_such_db_18")
    point_app_at(monkeypatch, url.render_as_string(hide_password=False))
    with caplog.at_level(logging.WARNING, logger="gridsight.store"):
        at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and not at.text_input  # no login form either
    text = screen_text(at)
    assert_nothing_leaks(text, "gridsight_no_such_db_18", str(url.host), "does not exist")
    assert any("gridsight_no_such_db_18" in r.getMessage() for r in caplog.records)


def test_english_message_on_the_switch(monkeypatch):
    point_app_at(monkeypatch, "postgresql+psycopg://gridsight:pw@127.0.0.1:5499/county_x")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.toggle(key="lang_en").set_value(True).run()
    assert "The database cannot be reached" in screen_text(at) and "无法" not in screen_text(at)


def test_corrupt_sqlite_file_shows_no_path(monkeypatch, tmp_path):
    bad = tmp_path / "secret_dir" / "county.db"
    bad.parent.mkdir()
    bad.write_bytes(b"this is not a database " * 400)
    point_app_at(monkeypatch, f"sqlite:///{bad}")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    text = screen_text(at)
    assert_nothing_leaks(text, "secret_dir", str(tmp_path))
    reference(text)


def _damage(path: Path) -> None:
    with open(path, "r+b") as fh:  # in place: open connections read the garbage too
        fh.write(b"\0not a database any more" * 4096)


def test_store_damaged_while_signed_in_is_a_message_not_an_error_box(monkeypatch, tmp_path, fixture_sqlite_url):
    """Finding 9: within the 30 s the store check is cached, any run met the database error."""
    copy = tmp_path / "store.db"
    shutil.copy(make_url(fixture_sqlite_url).database, copy)
    point_app_at(monkeypatch, f"sqlite:///{copy}", fc.AS_OF_ISO)
    at = AppTest.from_file(APP, default_timeout=60)
    login(at, "leader")
    assert not at.exception and not at.error
    _damage(copy)
    at.switch_page("pages/live_map.py").run()  # the store check is still cached as fine
    assert not at.exception
    text = screen_text(at)
    assert "数据库暂时无法访问" in text
    assert_nothing_leaks(text, str(tmp_path))
    at.run()  # the next run checks the store afresh and says it cannot be read
    assert not at.exception
    assert "无法连接数据库" in screen_text(at) and not at.metric


@pytest.fixture
def doomed_pg_server(tmp_path):
    """The dashboard on a PostgreSQL database of its own, which the test then drops."""
    from benchmarks import concurrency
    from tests.conftest import fresh_pg_database

    url = fresh_pg_database("store_gone")
    fc.build_fixture(url)
    proc, base = concurrency.start_server(url, tmp_path / "server.log")
    try:
        yield url, base
    finally:
        concurrency.stop(proc)


def _drop(url: str) -> None:
    from sqlalchemy import create_engine, text

    parsed = make_url(url)
    admin = create_engine(parsed.set(database=make_url(pg_url()).database), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # FORCE ends the dashboard's open connections too
        conn.execute(text(f'DROP DATABASE "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def _frames_text(msgs) -> tuple[list[str], list[str]]:
    """(alert bodies, exception messages) among the elements of `msgs`."""
    alerts, exceptions = [], []
    for m in msgs:
        if m.WhichOneof("type") != "delta" or m.delta.WhichOneof("type") != "new_element":
            continue
        element = m.delta.new_element
        kind = element.WhichOneof("type")
        if kind == "alert":
            alerts.append(element.alert.body)
        elif kind == "exception":
            exceptions.append(f"{element.exception.type}: {element.exception.message}")
    return alerts, exceptions


def test_live_panel_refresh_after_the_store_goes_away(doomed_pg_server):
    """The live map's fragment refreshes on its own, outside the entrypoint's guard: it has its
    own. Before, the refresh after the database went away was Streamlit's OperationalError box."""
    from tests.st_wire import add_user, signed_in_session

    url, base = doomed_pg_server
    add_user(url, "storewatch", "store-watch-password-1", "duty")
    with signed_in_session(base, "storewatch", "store-watch-password-1") as s:
        s.rerun(page_name="live_map")
        fragments = s.auto_reruns()
        assert fragments, "the live map asked for no timed refresh"
        _drop(url)
        time.sleep(5.5)  # the live queries' cache (5 s) has run out
        alerts, exceptions = _frames_text(s.rerun_fragment(fragments[-1][0]))
        assert exceptions == []
        assert any("数据库暂时无法访问" in a for a in alerts), alerts
        assert_nothing_leaks("\n".join(alerts), make_url(url).database)
        alerts, exceptions = _frames_text(s.rerun())  # a whole run: the store check, afresh
    assert exceptions == [] and any("无法连接数据库" in a for a in alerts), alerts
