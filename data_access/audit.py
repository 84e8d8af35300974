"""The audit log: logins (failed ones too), page views with their filters, exports, denials."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from .filters import Filters, local_midnight_utc
from .queries import frame
from .schema import audit_log

ACTIONS = (
    "login_ok",
    "login_failed",
    "login_locked",
    "logout",
    "session_resumed",
    "page_view",
    "export",
    "download_fetch",
    "denied",
    "import",
    "integrity_review",  # a reviewer's decision on an integrity flag (data_access/integrity_review.py)
)


def record(
    engine: Engine,
    username: str,
    action: str,
    page: str | None = None,
    detail: dict | str = "",
    at: dt.datetime | None = None,
) -> None:
    """Append one entry (through a writable engine: the dashboard's read engine cannot write)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    text = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True)
    with engine.begin() as conn:
        conn.execute(
            audit_log.insert().values(
                at=at or dt.datetime.now(dt.UTC),
                username=username[:64],
                action=action,
                page=page,
                detail=text[:4000],
            )
        )


def filters_detail(f: Filters) -> dict:
    return {
        "from": f.date_from.isoformat(),
        "to": f.date_to.isoformat(),
        "town": f.town_id,
        "village": f.village_id,
        "category": f.category_code,
    }


def audit_entries(
    engine: Engine,
    date_from: dt.date,
    date_to: dt.date,
    username: str | None = None,
    action: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> pd.DataFrame:
    """One page of entries, newest first. Columns: at, username, action, page, detail."""
    q = select(audit_log.c.at, audit_log.c.username, audit_log.c.action, audit_log.c.page, audit_log.c.detail).where(
        audit_log.c.at >= local_midnight_utc(date_from),
        audit_log.c.at < local_midnight_utc(date_to + dt.timedelta(days=1)),
    )
    if username:
        q = q.where(audit_log.c.username == username)
    if action:
        q = q.where(audit_log.c.action == action)
    return frame(engine, q.order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(limit).offset(offset))


def audit_counts(engine: Engine, date_from: dt.date, date_to: dt.date) -> pd.DataFrame:
    """Entries per action in the range. Columns: action, n."""
    q = (
        select(audit_log.c.action, func.count().label("n"))
        .where(
            audit_log.c.at >= local_midnight_utc(date_from),
            audit_log.c.at < local_midnight_utc(date_to + dt.timedelta(days=1)),
        )
        .group_by(audit_log.c.action)
        .order_by(audit_log.c.action)
    )
    return frame(engine, q)
