"""Rollup: `assignments`, one row per (event, department it was dispatched to).

What the department response page measures (see `data_access/departments.py`), taken from all of
the event's steps: the first dispatch to the department, then the department's own steps after
it (first accept, first and last complete, first return) and the first verification that
rejected its work. Each moment is stored, not just a flag, so a query can evaluate the measures
"as of" any period end in SQL: a moment after the period end did not happen yet. The one thing
a moment cannot tell is the last completion up to a period end that falls between a first and a
last completion (a redo after a rejection): the page looks those few up in `event_steps`.

`open_until` is the earliest of returned, first completed and event closed (NEVER while none
came): an assignment is open at moment t when dispatched_at <= t < open_until — for the current
backlog one short index range (the open ones) instead of every assignment. Events recorded as filing only (事件报备) are
left out,
as the page leaves them out. The event's deadline, closing, satisfaction and unit filter
columns are copied so that no query needs the events table.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Column,
    Float,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.engine import Connection

from ..schema import UtcDateTime, event_steps, events, metadata
from ..sqlfuncs import only_indexes, seconds_between

assignments = Table(
    "assignments",
    metadata,
    Column("event_id", Integer, nullable=False),
    Column("department_id", Integer, nullable=False),
    Column("dispatched_at", UtcDateTime, nullable=False),  # first dispatch to the department
    Column("accepted_at", UtcDateTime, nullable=True),  # its first accept after that
    Column("accept_s", Float, nullable=True),  # seconds dispatched → accepted
    Column("completed_first_at", UtcDateTime, nullable=True),  # its first complete
    Column("completed_at", UtcDateTime, nullable=True),  # its last complete (a redo counts)
    Column("complete_s", Float, nullable=True),  # seconds dispatched → last complete
    Column("returned_at", UtcDateTime, nullable=True),  # its first return (not its own)
    Column("rejected_at", UtcDateTime, nullable=True),  # first reject aimed at it
    Column("open_until", UtcDateTime, nullable=False),  # min(returned, first completed, closed) or NEVER
    Column("deadline", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime, nullable=True),
    Column("satisfaction", SmallInteger, nullable=True),
    Column("category_code", String(32), nullable=False),
    Column("town_id", Integer, nullable=True),
    Column("village_id", Integer, nullable=True),
    PrimaryKeyConstraint("event_id", "department_id", name="pk_assignments"),
    Index("ix_assignments_dispatched", "dispatched_at"),
    Index("ix_assignments_open_until", "open_until"),
    Index("ix_assignments_completed", "completed_at"),  # redos after a past period's end
)

TABLES: tuple = (assignments,)
# Not NULL but far in the future, so "open at t" is the single range open_until > t.
NEVER = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)
COLUMNS = [c.name for c in assignments.columns]


def _earliest(*values):
    """The earliest of nullable moments (NULL only when all are): SQLite's min(a, b) is NULL
    when any argument is, PostgreSQL's LEAST ignores NULLs; a CASE reads the same in both."""
    out = values[0]
    for v in values[1:]:
        out = case((out.is_(None), v), (v.is_(None), out), (v < out, v), else_=out)
    return out


def assignment_rows(changed):
    """SELECT of the rows of COLUMNS for the events `changed` selects (all when everything)."""
    d = event_steps.alias("d")
    is_dispatch = and_(d.c.action == "dispatch", d.c.to_level == "department")
    if not changed.everything:  # a few events: their steps by event id, not every dispatch step by action
        is_dispatch = only_indexes(is_dispatch, d)
    first = (
        select(d.c.event_id, d.c.to_unit_id.label("department_id"), func.min(d.c.at).label("dispatched_at"))
        .where(is_dispatch, changed.condition(d.c.event_id))
        .group_by(d.c.event_id, d.c.to_unit_id)
        .subquery("first_dispatch")
    )
    s = event_steps.alias("s")
    its_step = or_(
        and_(s.c.from_level == "department", s.c.from_unit_id == first.c.department_id),
        and_(s.c.action == "reject", s.c.to_level == "department", s.c.to_unit_id == first.c.department_id),
    )
    per = (
        select(
            first.c.event_id,
            first.c.department_id,
            first.c.dispatched_at,
            func.min(case((s.c.action == "accept", s.c.at))).label("accepted_at"),
            func.min(case((s.c.action == "complete", s.c.at))).label("completed_first_at"),
            func.max(case((s.c.action == "complete", s.c.at))).label("completed_at"),
            func.min(case((s.c.action == "return", s.c.at))).label("returned_at"),
            func.min(case((s.c.action == "reject", s.c.at))).label("rejected_at"),
        )
        .select_from(
            first.outerjoin(s, and_(s.c.event_id == first.c.event_id, its_step, s.c.at >= first.c.dispatched_at))
        )
        .group_by(first.c.event_id, first.c.department_id, first.c.dispatched_at)
        .subquery("per_assignment")
    )
    return (
        select(
            per.c.event_id,
            per.c.department_id,
            per.c.dispatched_at,
            per.c.accepted_at,
            seconds_between(per.c.dispatched_at, per.c.accepted_at),
            per.c.completed_first_at,
            per.c.completed_at,
            seconds_between(per.c.dispatched_at, per.c.completed_at),
            per.c.returned_at,
            per.c.rejected_at,
            func.coalesce(
                _earliest(per.c.returned_at, per.c.completed_first_at, events.c.closed_at), literal(NEVER, UtcDateTime)
            ),
            events.c.deadline,
            events.c.closed_at,
            events.c.satisfaction,
            events.c.category_code,
            events.c.town_id,
            events.c.village_id,
        )
        .select_from(per.join(events, events.c.id == per.c.event_id))
        .where(events.c.filing_only == false())
    )


def refresh(conn: Connection, changed) -> None:
    """Delete the changed events' assignments and insert them again from their steps."""
    conn.execute(assignments.delete().where(changed.condition(assignments.c.event_id)))
    conn.execute(assignments.insert().from_select(COLUMNS, assignment_rows(changed)))
