"""Rollup: per local day × town × category, the counts whose running sums give the backlog.

The backlog at a moment T (open and overdue events, filing-only excluded) is a difference of
counts of events whose *one* timestamp is ≤ T, because no event is closed, or due, before it was
reported (the importer refuses such rows; the generator and the feeder never make them):

- open(T)    = reported(T) − closed(T)
  reported(T): reported_at ≤ T; closed(T): closed_at ≤ T.
- overdue(T) = due(T) − closed_late(T) − due_on_time(T)
  due(T): deadline < T (reported before it); closed_late(T): closed_at ≤ T and after the
  deadline; due_on_time(T): deadline < T and closed at or before it (so closed before T).

Each count is a sum over whole local days before T's day D, from this table (a row per day ×
town × category holding what fell on that day: reports by report day, closures by close day,
deadlines by their local day), plus the events of day D up to T itself, read exactly from
`events` through its reported_at, closed_at and (status, deadline) indexes — one day's events.
So the previous period's backlog, 30 days back, costs the same as today's: it no longer reads
every event closed since (800k at 10 M events).

`reported_all` (filing-only included) and `closed` by day also give the overview's daily trend.

Towns only (a village's or a grid's backlog reads its own few events directly): ~20 towns × 13
categories × days stays under 100k rows at any event count. Ids missing on an event are 0.

Refresh: the changed events' days (report, close and due days) in their towns are deleted and
counted again from `events` (an event's report day, town and category never change, and a close
or deadline, once set, does not move).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Column,
    Date,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    and_,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from .. import metrics as m
from ..filters import local_date, local_midnight_utc
from ..schema import EVENT_STATUSES, events, metadata
from ..sqlfuncs import count_if, local_day

COUNTS = ("reported", "closed", "closed_late", "due", "due_on_time")

backlog_days = Table(
    "backlog_days",
    metadata,
    Column("day", Date, nullable=False),
    Column("town_id", Integer, nullable=False),
    Column("category_code", String(32), nullable=False),
    *[Column(c, Integer, nullable=False) for c in COUNTS],  # not filing-only events
    Column("reported_all", Integer, nullable=False),  # filing-only included (the overview's daily trend)
    PrimaryKeyConstraint("day", "town_id", "category_code", name="pk_backlog_days"),
    sqlite_with_rowid=False,
)

TABLES = (backlog_days,)


def _parts(report_where: ColumnElement, close_where: ColumnElement, due_where: ColumnElement):
    """UNION ALL of (day, town_id, category_code, *COUNTS, reported_all) rows: the reports,
    closures and deadlines that `*_where` select, each on its own day."""
    e = events.c
    nf = m.backlog_counted()  # the one definition of the backlog (data_access/metrics.py)
    town = func.coalesce(e.town_id, 0)
    zero = literal(0)

    def part(day, where, counts: dict):
        return (
            select(
                day.label("day"),
                town.label("town_id"),
                e.category_code,
                *[counts.get(c, zero).label(c) for c in (*COUNTS, "reported_all")],
            )
            .where(where)
            .group_by(day, town, e.category_code)
        )

    return union_all(
        part(e.report_date, report_where, {"reported": count_if(nf), "reported_all": func.count()}),
        part(
            e.close_date,
            and_(close_where, m.BACKLOG_LEAVES.is_not(None), nf),
            {"closed": func.count(), "closed_late": count_if(m.left_late())},
        ),
        part(
            local_day(e.deadline),
            and_(due_where, nf),
            {"due": func.count(), "due_on_time": count_if(m.left_on_time())},
        ),
    ).subquery("backlog_parts")


def _insert(conn: Connection, report_where, close_where, due_where) -> None:
    u = _parts(report_where, close_where, due_where)
    keys = [u.c.day, u.c.town_id, u.c.category_code]
    q = select(*keys, *[func.sum(u.c[c]) for c in (*COUNTS, "reported_all")]).group_by(*keys).order_by(u.c.day)
    conn.execute(backlog_days.insert().from_select([c.name for c in backlog_days.columns], q))


def _due_on(days: list[dt.date]) -> ColumnElement:
    """Deadline on one of these local days: one range of ix_events_status_deadline per day (every
    status listed, so the index's first column is bound)."""
    e = events.c
    return and_(
        e.status.in_(EVENT_STATUSES),
        or_(
            *[
                and_(e.deadline >= local_midnight_utc(d), e.deadline < local_midnight_utc(d + dt.timedelta(days=1)))
                for d in days
            ]
        ),
    )


def refresh(conn: Connection, changed) -> None:
    """Make this module's rows right for the events `changed` selects."""
    if changed.everything:
        conn.execute(backlog_days.delete())
        _insert(conn, true(), true(), true())
        return
    e = events.c
    rows = conn.execute(select(e.report_date, e.close_date, e.deadline, e.town_id).where(changed.condition(e.id))).all()
    if not rows:
        return
    days = sorted({d for r in rows for d in (r.report_date, r.close_date, local_date(r.deadline)) if d is not None})
    towns = sorted({r.town_id or 0 for r in rows})
    b = backlog_days.c
    conn.execute(backlog_days.delete().where(b.day.in_(days), b.town_id.in_(towns)))
    in_towns = func.coalesce(e.town_id, 0).in_(towns)
    _insert(
        conn,
        and_(e.report_date.in_(days), in_towns),
        and_(e.close_date.in_(days), in_towns),
        and_(_due_on(days), in_towns),
    )
