"""Attacks of the security review (issue #18) against a running dashboard, from outside: raw
websocket clients that speak Streamlit's protocol (tests/st_wire.py), no browser, no cookies."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks import concurrency
from tests.st_wire import WireSession, add_user, cookie_grant, fetch_cookies, shows_login_form, signed_in_session


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


def test_live_map_refresh_stops_when_the_account_is_disabled(sqlite_server):
    """Finding 4: after `data_access.users disable`, the open live map refreshed 12 more times
    in 60 s, because its fragment never re-checked the user. Now the next refresh signs out."""
    from data_access import users
    from data_access.store import create_store_engine

    url, base = sqlite_server
    add_user(url, "mapwatch", "map-watch-password-1", "duty")
    writer = create_store_engine(url, writable=True)
    with signed_in_session(base, "mapwatch", "map-watch-password-1") as s:
        s.rerun(page_name="live_map")
        fragments = s.auto_reruns()
        assert fragments, "the live map asked for no timed refresh"
        live = s.rerun_fragment(fragments[-1][0])
        assert any(m.WhichOneof("type") == "delta" for m in live) and not shows_login_form(live)
        users.set_disabled(writer, "mapwatch")
        after = s.rerun_fragment(fragments[-1][0])
        assert shows_login_form(after + s.until_finished())
    writer.dispose()


# --- findings 6 and 7: Streamlit's upload and media endpoints (ui/server_guard.py) -------------


def _xsrf_cookie(base: str) -> str:
    """The XSRF cookie any client gets from the health check (it only proves a same-origin
    browser, not a signed-in user)."""
    import urllib.request

    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=10) as resp:
        for header in resp.headers.get_all("Set-Cookie") or []:
            if header.startswith("_streamlit_xsrf="):
                return header.split(";", 1)[0].split("=", 1)[1]
    return ""


def put_upload(base: str, path: str, size: int) -> int:
    """PUT a `size`-byte file to an upload URL path as Streamlit's frontend does; the status."""
    import http.client
    from urllib.parse import urlparse

    token = _xsrf_cookie(base)
    boundary = "gridsightboundary18"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + b"a" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    conn = http.client.HTTPConnection(urlparse(base).netloc, timeout=60)
    try:
        conn.request(
            "PUT",
            path,
            body=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "X-Xsrftoken": token,
                "Cookie": f"_streamlit_xsrf={token}",
            },
        )
        return conn.getresponse().status
    finally:
        conn.close()


def http_get(url: str, cookie: str | None = None) -> int:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            resp.read()
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_anonymous_session_gets_no_upload_url_and_its_put_is_refused(sqlite_server):
    """Finding 6: a session that never signed in asked for upload URLs and PUT 1 MB and 60 MB
    files (204), held in server memory."""
    url, base = sqlite_server
    with WireSession(base) as s:
        s.rerun()
        reply = s.upload_urls("x.csv")
        assert reply is not None and len(reply.file_urls) == 0, "upload URLs handed to an anonymous session"
        forged = f"/_stcore/upload_file/{s.session_id()}/forged-file-id"
        assert put_upload(base, forged, 1024 * 1024) == 400
    # The control: the same request from a signed-in administrator is accepted.
    add_user(url, "uploadadmin", "upload-admin-password-1", "admin")
    with signed_in_session(base, "uploadadmin", "upload-admin-password-1") as s:
        reply = s.upload_urls("x.csv")
        assert reply is not None and len(reply.file_urls) == 1
        path = reply.file_urls[0].upload_url
        assert put_upload(base, path if path.startswith("/") else "/" + path, 1024) == 204


def test_downloads_exist_only_after_the_click_and_are_served_once(sqlite_server):
    """Finding 7: the printable report was stored as soon as the rankings page rendered and
    served to an anonymous client 60 s later; a CSV stayed fetchable for >= 180 s, and no
    export audit row was written."""
    from sqlalchemy import create_engine, text

    from data_access.users import DEMO_PASSWORD
    from tests.conftest import ensure_demo_users

    url, base = sqlite_server
    ensure_demo_users(url)
    with signed_in_session(base, "leader", DEMO_PASSWORD) as s:
        s.rerun(page_name="monthly_rankings")
        report = s.element("rankings_report_download")
        assert report.url == "" and report.deferred_file_id, "the report was stored before any click"
        media = s.deferred_file(report.deferred_file_id)
        assert media.startswith("/media/") or media.startswith("media/"), media
        cookie = "gridsight_session=" + fetch_cookies(base, cookie_grant(s.received))["gridsight_session"][0]
        s.click("rankings_report_download")  # what the browser sends with the click: the audit
        link = f"{base}/{media.lstrip('/')}"
        assert http_get(link, cookie) == 200  # the browser's probe, right after the click
        assert http_get(link) == 200  # and its download (here without the cookie)
        assert http_get(link) == 404  # anyone else with the URL, from then on
    engine = create_engine(url)
    fetches = []
    for _ in range(100):  # the fetch rows are written by the server's audit thread
        with engine.connect() as conn:
            fetches = conn.execute(
                text("SELECT username, detail FROM audit_log WHERE action = 'download_fetch' ORDER BY id")
            ).all()
        if len(fetches) >= 3:
            break
        time.sleep(0.1)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT detail, page FROM audit_log WHERE username = 'leader' AND action = 'export'")
        ).all()
        logins = conn.execute(
            text("SELECT detail FROM audit_log WHERE username = 'leader' AND action = 'login_ok'")
        ).all()
    engine.dispose()
    # Finding 13, media fetches: each fetch of the download is recorded, served or refused, with
    # the user when the request carried the sign-in cookie.
    served = [(who, '"served": true' in detail) for who, detail in fetches]
    assert served == [("leader", True), ("(anonymous)", True), ("(anonymous)", False)], fetches
    assert all('"name": "monthly_report_' in detail for _who, detail in fetches), fetches
    # Finding 13: the export row names its page; sign-in rows carry the client address (which
    # Streamlit's st.context.ip_address gives as None for a loopback client such as this test).
    assert any("monthly_report_" in str(r[0]) and r[1] == "monthly_rankings" for r in rows), rows
    assert logins and all('"client": null' in r[0] for r in logins), logins
