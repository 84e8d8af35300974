"""Sign-ins that survive a reload or a second tab, and end everywhere at once (issue #18, finding 12).

A sign-in issues a random token. The browser keeps it in an HttpOnly, SameSite=Strict cookie
(set by the route in ui/asgi.py, never readable by page scripts); the store keeps only its SHA-256,
with the user, an absolute expiry (the session limit, never extended) and the last time it was
used (the idle limit, shared by every tab). A new tab or a reload that brings the cookie resumes
the sign-in while the row is live; signing out revokes the row, "sign out everywhere" every row
of the user, and a tab whose row is revoked is signed out on its next run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import case, literal, select, update
from sqlalchemy.engine import Engine

from .schema import known_devices, login_sessions

# A resumed tab writes last_seen_at at most this often: the idle limit is counted in minutes, and
# a write per rerun would make every click a write.
SEEN_WRITE_SECONDS = 60


@dataclass(frozen=True)
class LoginSession:
    username: str
    created_at: dt.datetime
    last_seen_at: dt.datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def issue(
    engine: Engine, username: str, hours: float, client: str | None = None, now: dt.datetime | None = None
) -> str:
    """A new session for `username`; returns the token (shown to nobody but the cookie)."""
    now = now or dt.datetime.now(dt.UTC)
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(
            login_sessions.insert().values(
                token_hash=_hash(token),
                username=username[:64],
                created_at=now,
                expires_at=now + dt.timedelta(hours=hours),
                last_seen_at=now,
                client=client[:64] if client else None,
            )
        )
    return token


def _plausible(token) -> bool:
    """A value that could be one of our tokens (cookies come from the client, unchecked)."""
    return isinstance(token, str) and 0 < len(token) <= 128


def live(engine: Engine, token: str, idle_minutes: float, now: dt.datetime | None = None) -> LoginSession | None:
    """The session `token` belongs to, or None when it is unknown, revoked, past its expiry or idle
    longer than `idle_minutes`."""
    if not _plausible(token):
        return None
    now = now or dt.datetime.now(dt.UTC)
    with engine.connect() as conn:
        row = conn.execute(
            select(
                login_sessions.c.username,
                login_sessions.c.created_at,
                login_sessions.c.expires_at,
                login_sessions.c.last_seen_at,
                login_sessions.c.revoked_at,
            ).where(login_sessions.c.token_hash == _hash(token))
        ).first()
    if row is None or row.revoked_at is not None or now >= _utc(row.expires_at):
        return None
    if now - _utc(row.last_seen_at) > dt.timedelta(minutes=idle_minutes):
        return None
    return LoginSession(row.username, _utc(row.created_at), _utc(row.last_seen_at))


def touch(engine: Engine, token: str, now: dt.datetime | None = None) -> None:
    """Record use of the session (for the idle limit shared by its tabs)."""
    now = now or dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            update(login_sessions)
            .where(login_sessions.c.token_hash == _hash(token), login_sessions.c.revoked_at.is_(None))
            .values(last_seen_at=now)
        )


def _revoke_where(engine: Engine, condition, now: dt.datetime | None) -> int:
    with engine.begin() as conn:
        return conn.execute(
            update(login_sessions)
            .where(condition, login_sessions.c.revoked_at.is_(None))
            .values(revoked_at=now or dt.datetime.now(dt.UTC))
        ).rowcount


def username_of(engine: Engine, token: str) -> str | None:
    """Whose session `token` is (revoked or expired ones too: for the audit trail), or None."""
    if not _plausible(token):
        return None
    with engine.connect() as conn:
        return conn.execute(
            select(login_sessions.c.username).where(login_sessions.c.token_hash == _hash(token))
        ).scalar_one_or_none()


def revoke(engine: Engine, token: str, now: dt.datetime | None = None) -> int:
    """End one session (this browser's). Returns the rows revoked (0 or 1)."""
    return _revoke_where(engine, login_sessions.c.token_hash == _hash(token), now)


def revoke_all(engine: Engine, username: str, now: dt.datetime | None = None) -> int:
    """End every session of `username` (sign out everywhere; also when an admin disables the
    account). Returns the number revoked."""
    return _revoke_where(engine, login_sessions.c.username == username, now)


# --- known devices (issue #18, finding 3) ---------------------------------------------------------
# A browser that signed in as an account keeps a device cookie for it. While strangers' wrong
# passwords have the account locked out, that browser may still sign in; its own wrong passwords
# count against the device (DEVICE_FAILURES revoke it), never against the account.

DEVICE_DAYS = 90
DEVICE_FAILURES = 5


def issue_device(engine: Engine, username: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(
            known_devices.insert().values(
                token_hash=_hash(token),
                username=username[:64],
                created_at=now,
                expires_at=now + dt.timedelta(days=DEVICE_DAYS),
                failures=0,
            )
        )
    return token


def known_device(engine: Engine, token: str | None, username: str, now: dt.datetime | None = None) -> bool:
    """Whether `token` is a live device cookie of `username`."""
    if not _plausible(token):
        return False
    now = now or dt.datetime.now(dt.UTC)
    with engine.connect() as conn:
        row = conn.execute(
            select(known_devices.c.expires_at, known_devices.c.revoked_at).where(
                known_devices.c.token_hash == _hash(token), known_devices.c.username == username
            )
        ).first()
    return row is not None and row.revoked_at is None and now < _utc(row.expires_at)


def device_failed(engine: Engine, token: str, now: dt.datetime | None = None) -> None:
    """Count a wrong password from the device; the DEVICE_FAILURES-th revokes it (atomic)."""
    now = now or dt.datetime.now(dt.UTC)
    failures = known_devices.c.failures + 1
    with engine.begin() as conn:
        conn.execute(
            update(known_devices)
            .where(known_devices.c.token_hash == _hash(token), known_devices.c.revoked_at.is_(None))
            .values(
                failures=failures,
                revoked_at=case(
                    (failures >= DEVICE_FAILURES, literal(now, known_devices.c.revoked_at.type)), else_=None
                ),
            )
        )


def device_succeeded(engine: Engine, token: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(known_devices).where(known_devices.c.token_hash == _hash(token)).values(failures=0))
