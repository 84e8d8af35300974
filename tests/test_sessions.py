"""Issue #18, finding 12: a sign-in outlives its tab, and ends in every tab at once.

Before: sessions were per tab — a reload or a second tab asked for the sign-in again (a wall
screen that reloads was signed out), signing out in one tab left the others signed in, and there
was no "sign out everywhere". Finding 14's headers and the metrics route are checked here too."""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request

import pytest

from data_access import sessions, users
from data_access.store import create_store_engine
from tests.st_wire import WireSession, add_user, cookie_grant, fetch_cookies, shows_login_form, signed_in_session

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def writer(fixture_url):
    eng = create_store_engine(fixture_url, writable=True)
    yield eng
    eng.dispose()


def test_a_session_lives_until_revoked_expired_or_idle(writer):
    token = sessions.issue(writer, "lives-a", hours=12, client="10.0.0.7", now=T0)
    found = sessions.live(writer, token, idle_minutes=30, now=T0 + dt.timedelta(minutes=20))
    assert found is not None and found.username == "lives-a" and found.created_at == T0
    # idle: 31 minutes without use; used at 20 minutes, live again until 50
    assert sessions.live(writer, token, 30, now=T0 + dt.timedelta(minutes=31)) is None
    sessions.touch(writer, token, now=T0 + dt.timedelta(minutes=20))
    assert sessions.live(writer, token, 30, now=T0 + dt.timedelta(minutes=49)) is not None
    # the session limit counts from the first sign-in, whatever the use
    sessions.touch(writer, token, now=T0 + dt.timedelta(hours=11, minutes=59))
    assert sessions.live(writer, token, 30, now=T0 + dt.timedelta(hours=12)) is None
    assert sessions.live(writer, "not-a-token", 30, now=T0) is None
    assert sessions.live(writer, "x" * 500, 30, now=T0) is None


def test_revoke_ends_one_session_and_revoke_all_every_one(writer):
    # Names no other test signs in with: the fixture store is shared by the whole run.
    a = sessions.issue(writer, "revoke-a", 12, now=T0)
    b = sessions.issue(writer, "revoke-a", 12, now=T0)
    other = sessions.issue(writer, "revoke-b", 12, now=T0)
    later = T0 + dt.timedelta(minutes=1)
    assert sessions.revoke(writer, a, now=later) == 1
    assert sessions.revoke(writer, a, now=later) == 0
    assert sessions.live(writer, a, 30, now=later) is None and sessions.live(writer, b, 30, now=later) is not None
    assert sessions.revoke_all(writer, "revoke-a", now=later) == 1
    assert sessions.live(writer, b, 30, now=later) is None
    assert sessions.live(writer, other, 30, now=later) is not None
    # the store keeps only the hash of a token
    from sqlalchemy import select

    from data_access.schema import login_sessions

    with writer.connect() as conn:
        stored = conn.execute(select(login_sessions.c.token_hash)).scalars().all()
    assert a not in stored and sessions._hash(a) in stored
    sessions.revoke_all(writer, "revoke-b")


def test_disabling_an_account_ends_its_sessions(writer):
    from data_access import schema

    users.add_user(writer, "session-dis", "tall-maple-river-7", "duty")
    try:
        token = sessions.issue(writer, "session-dis", 12)
        users.set_disabled(writer, "session-dis")
        assert sessions.live(writer, token, 30) is None
    finally:  # the fixture store is shared by the whole run
        with writer.begin() as conn:
            conn.execute(schema.users.delete().where(schema.users.c.username == "session-dis"))


def test_a_known_device_signs_in_while_strangers_have_the_account_locked(writer):
    """Finding 3: five wrong passwords from anyone locked the account (the admin's too), every
    15 minutes, for its owner as well."""
    from sqlalchemy import select

    from data_access import schema

    users.add_user(writer, "device-owner", "tall-maple-river-5", "admin")
    try:
        device = sessions.issue_device(writer, "device-owner")
        for _ in range(users.LOCKOUT_AFTER_FAILURES):
            users.authenticate(writer, "device-owner", "wrong-guess-000")
        assert users.authenticate(writer, "device-owner", "tall-maple-river-5") == (None, "locked")
        assert users.authenticate(writer, "device-owner", "tall-maple-river-5", device="forged")[1] == "locked"
        user, reason = users.authenticate(writer, "device-owner", "tall-maple-river-5", device=device)
        assert reason == "ok" and user.username == "device-owner"
        # The device's own wrong passwords count against it, not the account; then it is revoked.
        for _ in range(sessions.DEVICE_FAILURES):
            assert users.authenticate(writer, "device-owner", "wrong-guess-001", device=device)[1] == "bad_password"
        with writer.connect() as conn:
            failed = conn.execute(
                select(schema.users.c.failed_attempts).where(schema.users.c.username == "device-owner")
            ).scalar_one()
        assert failed == 0
        assert not sessions.known_device(writer, device, "device-owner")
        # Another account's device is no device for this one.
        other = sessions.issue_device(writer, "someone-else")
        assert not sessions.known_device(writer, other, "device-owner")
    finally:
        with writer.begin() as conn:
            conn.execute(schema.users.delete().where(schema.users.c.username == "device-owner"))


# --- on a running server (serve.py: the README command) ----------------------------------------------


def _fetch_cookie(base: str, grant: str) -> tuple[str, str]:
    return fetch_cookies(base, grant)["gridsight_session"]


def _signed_in_tab(base: str, username: str, password: str) -> tuple[WireSession, str]:
    tab = signed_in_session(base, username, password)
    token, header = _fetch_cookie(base, cookie_grant(tab.received))
    flags = {part.strip().lower() for part in header.split(";")[1:]}
    assert "httponly" in flags and "samesite=strict" in flags and "path=/" in flags
    return tab, token


def test_reload_and_second_tab_stay_signed_in_and_sign_out_ends_all(sqlite_server):
    url, base = sqlite_server
    add_user(url, "tabs", "tall-maple-river-8", "duty")
    first, token = _signed_in_tab(base, "tabs", "tall-maple-river-8")
    cookie = {"gridsight_session": token}
    # A grant works once.
    grant_again = urllib.request.Request(f"{base}/_gridsight/session?grant=whatever")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(grant_again, timeout=10)
    assert refused.value.code == 404
    # A reload (a new websocket bringing the cookie) and a second tab: signed in, no form.
    with WireSession(base, cookies=cookie) as reload:
        assert not shows_login_form(reload.rerun())
        reload.widget_id("auth_logout")
    with WireSession(base, cookies=cookie) as second:
        assert not shows_login_form(second.rerun())
        # Signing out in the second tab ends the first one on its next run.
        second.click("auth_logout")
    assert shows_login_form(first.rerun())
    first.close()
    with WireSession(base, cookies=cookie) as again:
        assert shows_login_form(again.rerun())
    # A forged cookie is just no cookie.
    with WireSession(base, cookies={"gridsight_session": "forged"}) as forged:
        assert shows_login_form(forged.rerun())


def test_sign_out_everywhere_ends_other_browsers(sqlite_server):
    url, base = sqlite_server
    add_user(url, "wallpc", "tall-maple-river-9", "duty")
    wall, _ = _signed_in_tab(base, "wallpc", "tall-maple-river-9")
    office, _ = _signed_in_tab(base, "wallpc", "tall-maple-river-9")
    office.click("auth_logout_everywhere")
    assert shows_login_form(wall.rerun())
    for tab in (wall, office):
        tab.close()


def test_security_headers_and_metrics_only_for_the_machine_itself(sqlite_server):
    """Finding 14: the dashboard could be framed by any site, and /_stcore/metrics answered anyone."""
    _url, base = sqlite_server
    with urllib.request.urlopen(base + "/", timeout=10) as resp:
        assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in resp.headers["Content-Security-Policy"]
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
    with urllib.request.urlopen(base + "/_stcore/metrics", timeout=10) as resp:  # from 127.0.0.1
        assert resp.status == 200


def test_metrics_refused_to_other_machines():
    import asyncio

    from ui.asgi import SecurityHeaders

    sent = []

    async def inner(scope, receive, send):  # Streamlit's app: would answer 200
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"metrics"})

    async def send(message):
        sent.append(message)

    async def call(client):
        sent.clear()
        scope = {"type": "http", "path": "/_stcore/metrics", "client": client}
        await SecurityHeaders(inner)(scope, None, send)
        return sent[0]["status"], dict(sent[0]["headers"])

    status, headers = asyncio.run(call(("192.0.2.10", 50000)))
    assert status == 404 and headers[b"x-frame-options"] == b"SAMEORIGIN"
    assert asyncio.run(call(("127.0.0.1", 50000)))[0] == 200
    assert asyncio.run(call(("::1", 50000, 0, 0)))[0] == 200


def test_the_owners_browser_signs_in_while_the_account_is_locked(sqlite_server):
    url, base = sqlite_server
    writer = create_store_engine(url, writable=True)
    add_user(url, "lockedowner", "tall-maple-river-4", "duty")
    with signed_in_session(base, "lockedowner", "tall-maple-river-4") as tab:
        cookies = fetch_cookies(base, cookie_grant(tab.received))
    device, header = cookies["gridsight_device"]
    flags = {part.strip().lower() for part in header.split(";")[1:]}
    assert "httponly" in flags and "samesite=strict" in flags
    from sqlalchemy import select

    from data_access import schema

    for _ in range(users.LOCKOUT_AFTER_FAILURES):  # a stranger, from a browser of their own
        with WireSession(base) as stranger:
            stranger.rerun()
            stranger.submit_login("lockedowner", "not-the-password")
    with writer.connect() as conn:
        locked = conn.execute(
            select(schema.users.c.locked_until).where(schema.users.c.username == "lockedowner")
        ).scalar_one()
    assert locked is not None  # the stranger locked the account
    with WireSession(base) as stranger:
        stranger.rerun()
        stranger.submit_login("lockedowner", "tall-maple-river-4")
        with pytest.raises(LookupError):  # not signed in: no sign-out button
            stranger.widget_id("auth_logout")
    with signed_in_session(base, "lockedowner", "tall-maple-river-4", cookies={"gridsight_device": device}) as owner:
        owner.widget_id("auth_logout")  # signed in, though the account is locked to others
    writer.dispose()
