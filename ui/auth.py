"""Login gate, session expiry and the signed-in user's scope.

Users live in the store (`data_access.users`). A session lasts at most SESSION_HOURS and ends
after IDLE_MINUTES without a rerun; the stored user is re-read every rerun, so disabling an
account or changing its role takes effect at once. Logins, failed logins and lock-outs go to the
audit log through the one writable engine the dashboard keeps for that purpose.

OIDC single sign-on: when `[auth]` is configured in `.streamlit/secrets.toml`, Streamlit's
`st.login()` identifies the person and GridSight looks them up in `users` by their e-mail address
(the username); their role and town come from the store exactly as for password users.

A sign-in outlives its tab (issue #18, finding 12): it is also a row of `login_sessions`
(data_access.sessions) whose token the browser keeps in an HttpOnly cookie, set through the route
of ui/asgi.py when served by `streamlit run serve.py`. A reload or a second tab that brings the
cookie resumes it; signing out ends it in every tab of that browser, "sign out everywhere" in every
browser, each on its next run.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import deque

import streamlit as st

from data_access import audit, sessions, users
from data_access.filters import Scope

from .asgi import DEVICE_COOKIE, SESSION_COOKIE, SESSION_ROUTE, grant_cookie
from .data import engine, writer_engine
from .labels import t

SESSION_HOURS = 12
IDLE_MINUTES = 30
# Per client address, on top of the per-account lock-out: failed sign-ins allowed in a sliding
# window before the form refuses further attempts from that address without checking them.
CLIENT_FAILURES = 20
CLIENT_WINDOW_MINUTES = 15
_USER = "auth_username"
_SINCE = "auth_since"
_SEEN = "auth_seen"
_TOKEN = "auth_session_token"  # this tab's login_sessions token
_GRANT = "auth_cookie_grant"  # a one-time grant the page hands to the cookie route
_WRITTEN = "auth_seen_written"  # when this tab last wrote last_seen_at


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ClientLimiter:
    """Sign-in attempts per client address in a sliding window, shared by every session of this
    server process (a module-level object, not session state, which each tab has its own of).

    `reserve` counts an attempt before the password is checked, under a lock, so parallel
    attempts from one client cannot all pass the check before any is counted; `succeeded` takes
    the attempt back, so only failures use up the allowance. At most `max_clients` addresses are
    remembered (the stalest are dropped first), so a flood of addresses cannot exhaust memory.
    """

    def __init__(self, limit: int, window: dt.timedelta, max_clients: int = 10_000) -> None:
        self.limit, self.window, self.max_clients = limit, window, max_clients
        self._lock = threading.Lock()
        self._attempts: dict[str, deque[dt.datetime]] = {}

    def reserve(self, client: str, now: dt.datetime) -> bool:
        """Count an attempt from `client`; False (not counted) when its allowance is used up."""
        with self._lock:
            attempts = self._attempts.pop(client, deque())
            while attempts and now - attempts[0] >= self.window:
                attempts.popleft()
            self._attempts[client] = attempts  # re-inserted: dict order is least recently seen first
            if len(attempts) >= self.limit:
                return False
            attempts.append(now)
            while len(self._attempts) > self.max_clients:
                del self._attempts[next(iter(self._attempts))]
            return True

    def succeeded(self, client: str, when: dt.datetime) -> None:
        with self._lock:
            attempts = self._attempts.get(client)
            if attempts and when in attempts:
                attempts.remove(when)


_LIMITER = ClientLimiter(CLIENT_FAILURES, dt.timedelta(minutes=CLIENT_WINDOW_MINUTES))


def _client_address() -> str | None:
    """The peer address of this session (a reverse proxy's address when behind one)."""
    try:
        address = st.context.ip_address
    except Exception:  # no request context (bare mode)
        return None
    return address if isinstance(address, str) else None  # AppTest's context has no address


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def sign_in(
    username: str, token: str | None = None, since: dt.datetime | None = None, device: str | None = None
) -> None:
    """Sign this tab in. Without `token` a new login session is issued and its cookie offered to
    the browser (`send_session_cookie`), with `device` (a new device cookie) when given; with a
    token (resumed from the cookie) it is reused, and the session limit counts from `since`."""
    now = _now()
    if token is None:
        token = sessions.issue(writer_engine(), username, SESSION_HOURS, _client_address(), now=now)
        cookies = [(SESSION_COOKIE, token, SESSION_HOURS * 3600)]
        if device is not None:
            cookies.append((DEVICE_COOKIE, device, sessions.DEVICE_DAYS * 86400))
        st.session_state[_GRANT] = grant_cookie(*cookies)
    st.session_state[_USER] = username
    st.session_state[_TOKEN] = token
    st.session_state[_SINCE] = since or now
    st.session_state[_SEEN] = st.session_state[_WRITTEN] = now


def _forget() -> str | None:
    for key in (_SINCE, _SEEN, _TOKEN, _GRANT, _WRITTEN):
        st.session_state.pop(key, None)
    return st.session_state.pop(_USER, None)


def sign_out(reason: str = "logout") -> None:
    """End this sign-in: in this tab and, by its login session, in every tab of this browser."""
    token = st.session_state.get(_TOKEN)
    username = _forget()
    if token and reason == "logout":
        sessions.revoke(writer_engine(), token)
    if username:
        audit.record(writer_engine(), username, "logout", detail=_detail(reason))


def sign_out_everywhere() -> int:
    """End every login session of the signed-in user, in every browser. Returns how many."""
    username = st.session_state.get(_USER)
    if not username:
        return 0
    n = sessions.revoke_all(writer_engine(), username)
    _forget()
    audit.record(writer_engine(), username, "logout", detail=_detail("everywhere", sessions=n))
    return n


def _detail(reason: str, **more) -> dict:
    return {"reason": reason, "client": _client_address(), **more}


def send_session_cookie() -> None:
    """After a sign-in, have the browser fetch its cookie from the route (once; a hidden element).
    Served by `streamlit run dashboard.py` alone the route does not exist: the fetch gets 404 and
    the sign-in lasts as long as the tab."""
    grant = st.session_state.pop(_GRANT, None)
    if grant:
        st.html(
            f'<script>fetch("{SESSION_ROUTE}?grant={grant}", {{credentials: "same-origin", cache: "no-store"}})'
            ".catch(() => {});</script>",
            unsafe_allow_javascript=True,
        )


def _cookie(name: str = SESSION_COOKIE) -> str | None:
    try:
        value = st.context.cookies.get(name)
    except Exception:  # no request context (bare mode)
        return None
    return value if isinstance(value, str) else None  # AppTest's context has no real cookies


def _resume() -> str | None:
    """Sign this tab in from the browser's cookie while its login session is live."""
    token = _cookie()
    found = sessions.live(engine(), token, IDLE_MINUTES) if token else None
    if found is None or users.get_user(engine(), found.username) is None:
        return None
    sign_in(found.username, token=token, since=found.created_at)
    audit.record(writer_engine(), found.username, "session_resumed", detail=_detail("cookie"))
    return found.username


def current_user(touch: bool = True) -> users.User | None:
    """The signed-in user, or None (after ending an expired or revoked session).

    `touch=False` for runs the person did not cause (a fragment's timed refresh): the session
    limits and the stored user are checked all the same, but the idle clock is not reset, so an
    unattended live map still ends after IDLE_MINUTES."""
    if _oidc_configured() and getattr(st.user, "is_logged_in", False) and _USER not in st.session_state:
        user = users.get_user(engine(), str(st.user.get("email", "")))
        if user is None:
            return None
        sign_in(user.username)
    username = st.session_state.get(_USER) or _resume()
    if not username:
        return None
    now = _now()
    since, seen = st.session_state.get(_SINCE, now), st.session_state.get(_SEEN, now)
    if now - since > dt.timedelta(hours=SESSION_HOURS) or now - seen > dt.timedelta(minutes=IDLE_MINUTES):
        sign_out("expired")
        st.session_state["auth_message"] = t("auth_expired")
        return None
    user = users.get_user(engine(), username)
    if user is None:  # disabled or removed since the login
        sign_out("revoked")
        return None
    token = st.session_state.get(_TOKEN)
    if token is not None and sessions.live(engine(), token, IDLE_MINUTES, now=now) is None:
        # Signed out in another tab, or everywhere, or idle in every tab of this browser.
        sign_out("ended_elsewhere")
        st.session_state["auth_message"] = t("auth_ended_elsewhere")
        return None
    if touch:
        st.session_state[_SEEN] = now
        if (
            token is not None
            and (now - st.session_state.get(_WRITTEN, now)).total_seconds() >= sessions.SEEN_WRITE_SECONDS
        ):
            sessions.touch(writer_engine(), token, now=now)
            st.session_state[_WRITTEN] = now
    return user


def scope_of(user: users.User) -> Scope:
    return Scope(role=user.role, town_id=user.town_id if user.role == "town" else None)


def login_form() -> None:
    """The sign-in form; on success the session is signed in and the app reruns."""
    st.title(t("auth_title"))
    if message := st.session_state.pop("auth_message", None):
        st.info(message)
    if _oidc_configured():
        st.button(t("auth_sso"), key="auth_sso", on_click=st.login)
    with st.form("login_form"):
        username = st.text_input(t("auth_username"), key="login_username", max_chars=64)
        password = st.text_input(t("auth_password"), type="password", key="login_password", max_chars=256)
        submitted = st.form_submit_button(t("auth_submit"))
    if not submitted:
        return
    client, attempt_at = _client_address(), _now()
    if client is not None and not _LIMITER.reserve(client, attempt_at):
        # Refused unchecked and unrecorded: a flood from one address must not fill the audit log.
        st.error(t("auth_throttled"))
        return
    device = _cookie(DEVICE_COOKIE)
    user, reason = users.authenticate(writer_engine(), username.strip(), password, device=device)
    if user is not None and client is not None:
        _LIMITER.succeeded(client, attempt_at)
    if user is None:
        action = "login_locked" if reason == "locked" else "login_failed"
        audit.record(writer_engine(), username.strip() or "(empty)", action, detail=_detail(reason))
        # One message for unknown names, wrong passwords, disabled and locked accounts (which
        # take as long to refuse): the reply does not confirm which names exist.
        st.error(t("auth_failed"))
        return
    audit.record(writer_engine(), user.username, "login_ok", detail=_detail("password"))
    # A browser new to this account gets a device cookie: it may sign in while strangers have the
    # account locked out (finding 3).
    known = sessions.known_device(writer_engine(), device, user.username)
    sign_in(user.username, device=None if known else sessions.issue_device(writer_engine(), user.username))
    st.rerun()
