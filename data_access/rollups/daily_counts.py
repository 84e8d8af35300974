"""Rollup: events per report day × micro-grid (with its grid, village, town) × category × outcome.

The "outcome" is two dates: `close_date` (local day the event closed; OPEN_DATE while open) and
`due_date` (local day of its deadline). With them, every period metric of the overview and the
live map at any moment T can be read from this table, except for the events whose close or due
day *is* T's day (D): those are the "boundary" events, counted exactly from `events` (a day of
closures plus the events due that day; found by index). For the others, relative to D:
- closed before D (close_date < D): closed by T, so due_or_closed, verified, on_time and the
  rating are final;
- not closed by T (close_date > D, open included): due_or_closed iff due_date < D, verified iff
  rejected, no on-time closure and no rating.

Ids missing on an event are stored as 0 (SQLite's WITHOUT ROWID needs a non-null key), which
matches no unit, as NULL did.

Refresh: a changed event's (report day, village) partition is deleted and aggregated again from
`events` (ix_events_village_date), so an event that closes moves between outcome rows of its
report day.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import (
    Column, Date, Integer, PrimaryKeyConstraint, String, Table, and_, case, false, func, literal, or_, select,
    true,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from ..filters import Filters, local_date, local_midnight_utc
from ..schema import EVENT_STATUSES, events, metadata
from ..sqlfuncs import local_day, only_indexes

OPEN_DATE = dt.date(9999, 12, 31)  # close_date of an event still open: after every day

UNIT_COLS = ("town_id", "village_id", "grid_id", "micro_grid_id")

daily_counts = Table(
    "daily_counts",
    metadata,
    Column("report_date", Date, nullable=False),
    Column("town_id", Integer, nullable=False),
    Column("village_id", Integer, nullable=False),
    Column("grid_id", Integer, nullable=False),
    Column("micro_grid_id", Integer, nullable=False),
    Column("category_code", String(32), nullable=False),
    Column("close_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("n", Integer, nullable=False),  # events reported (filing-only included)
    Column("n_filing", Integer, nullable=False),  # filing-only events
    Column("nf", Integer, nullable=False),  # not filing-only
    Column("nf_on_time", Integer, nullable=False),  # not filing-only, closed by the deadline
    Column("nf_rejected", Integer, nullable=False),  # not filing-only, rejected at least once
    Column("sat_sum", Integer, nullable=False),  # ratings of closed, rated, not filing-only events
    Column("sat_n", Integer, nullable=False),
    # Report day first: a period is one range of the key (SQLite stores the rows in key order).
    PrimaryKeyConstraint("report_date", "town_id", "village_id", "grid_id", "micro_grid_id", "category_code",
                         "close_date", "due_date", name="pk_daily_counts"),
    sqlite_with_rowid=False,
)

TABLES = (daily_counts,)


def _aggregate(where: ColumnElement):
    e = events.c
    nf = e.filing_only == false()

    def count_if(cond):
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    keys = [
        e.report_date,
        *[func.coalesce(e[c], 0) for c in UNIT_COLS],
        e.category_code,
        func.coalesce(e.close_date, literal(OPEN_DATE, Date)),
        local_day(e.deadline),
    ]
    closed_rated = and_(nf, e.closed_at.is_not(None), e.satisfaction.is_not(None))
    cols = [
        *keys,
        func.count(),
        count_if(e.filing_only == true()),
        count_if(nf),
        count_if(and_(nf, e.closed_at.is_not(None), e.closed_at <= e.deadline)),
        count_if(and_(nf, e.rejections > 0)),
        func.coalesce(func.sum(case((closed_rated, e.satisfaction), else_=0)), 0),
        count_if(closed_rated),
    ]
    return select(*cols).where(where).group_by(*keys)


_COLUMNS = [c.name for c in daily_counts.c]


def refresh(conn: Connection, changed) -> None:
    """Make this module's rows right for the events `changed` selects."""
    t = daily_counts
    if changed.everything:
        conn.execute(t.delete())
        conn.execute(t.insert().from_select(_COLUMNS, _aggregate(true())))
        return
    e = events.c
    mine = changed.condition(e.id)
    dates = select(e.report_date).where(mine).distinct()
    villages = select(func.coalesce(e.village_id, 0)).where(mine).distinct()
    # Every (day, village) of those: a superset of the changed partitions, recomputed whole.
    conn.execute(t.delete().where(t.c.report_date.in_(dates), t.c.village_id.in_(villages)))
    conn.execute(t.insert().from_select(_COLUMNS, _aggregate(
        and_(e.report_date.in_(dates), e.village_id.in_(villages)))))
    conn.execute(t.insert().from_select(_COLUMNS, _aggregate(
        and_(e.village_id.is_(None), e.report_date.in_(dates), literal(0).in_(villages)))))


# --- reading: period sums at a moment ------------------------------------------------------------

PERIOD_SUMS = ("events_reported", "filing_only_events", "on_time_closed", "due_or_closed", "rejected", "verified",
               "satisfaction_sum", "satisfaction_n")


def period_select(f: Filters, group_cols: list, where: list):
    """SUMs of the rollup rows of the period (`f`), without the boundary events of day(period_end).

    `group_cols` and `where` are expressions on `daily_counts`. Columns: the groups, PERIOD_SUMS.
    Add `boundary_select` (same groups on `events`) to get the exact metrics."""
    t = daily_counts.c
    d = local_date(f.period_end)
    closed = t.close_date < d
    later = t.close_date > d  # not closed by the period end (open included)
    boundary = or_(t.close_date == d, and_(later, t.due_date == d))

    def total(expr):
        return func.coalesce(func.sum(expr), 0)

    return (
        select(
            *group_cols,
            total(t.n).label("events_reported"),
            total(t.n_filing).label("filing_only_events"),
            total(case((closed, t.nf_on_time), else_=0)).label("on_time_closed"),
            total(case((closed, t.nf), (and_(later, t.due_date < d), t.nf), else_=0)).label("due_or_closed"),
            total(case((boundary, 0), else_=t.nf_rejected)).label("rejected"),
            total(case((closed, t.nf), (and_(later, t.due_date != d), t.nf_rejected), else_=0)).label("verified"),
            total(case((closed, t.sat_sum), else_=0)).label("satisfaction_sum"),
            total(case((closed, t.sat_n), else_=0)).label("satisfaction_n"),
        )
        .where(t.report_date.between(f.date_from, f.date_to), *where)
        .group_by(*group_cols)
    )


def boundary_selects(f: Filters, group_cols: list, where: list) -> list:
    """The period's events whose close or due day is the day of the period end, with the exact
    metric expressions (events_reported and filing_only_events are 0 here: the rollup has them).
    Two SELECTs (closed that day; due that day and not closed before it), each on an index."""
    from .. import metrics as m  # metrics imports the schema, which imports this package

    e = events.c
    d = local_date(f.period_end)
    on_num, on_den = m.on_time_parts(f)
    rw_num, rw_den = m.rework_parts(f)
    sat_sum, sat_n = m.satisfaction_parts(f)
    cols = [*group_cols, literal(0).label("events_reported"), literal(0).label("filing_only_events"),
            on_num.label("on_time_closed"), on_den.label("due_or_closed"), rw_num.label("rejected"),
            rw_den.label("verified"), sat_sum.label("satisfaction_sum"), sat_n.label("satisfaction_n")]
    # Each SELECT reads one index (ix_events_close_date; ix_events_status_deadline): the other
    # terms are kept off theirs, or SQLite's planner may prefer a town's or a period's events.
    base = [only_indexes(c, events) for c in (e.report_date.between(f.date_from, f.date_to), *where)]
    groups = [only_indexes(c, events) for c in group_cols]
    cols = [*[g.label(c.name) for g, c in zip(groups, group_cols)], *cols[len(group_cols):]]
    closed_that_day = select(*cols).where(e.close_date == d, *base)
    due_that_day = select(*cols).where(
        e.status.in_(EVENT_STATUSES),  # all of them: lets ix_events_status_deadline find the day
        e.deadline >= local_midnight_utc(d), e.deadline < local_midnight_utc(d + dt.timedelta(days=1)),
        only_indexes(or_(e.closed_at.is_(None), e.close_date > d), events), *base)
    if group_cols:
        return [closed_that_day.group_by(*groups), due_that_day.group_by(*groups)]
    return [closed_that_day, due_that_day]


def period_numbers(conn_or_engine, f: Filters, group: str | None, conditions) -> pd.DataFrame:
    """Period sums per `group` (a column name both tables have, e.g. "town_id"; None: one row).

    `conditions(table)` gives the WHERE terms (unit filter, scope) for `daily_counts` or `events`.
    Columns: the group (if any), then PERIOD_SUMS as integers. Groups without rows are absent.
    """
    from ..queries import frame

    parts = [period_select(f, [daily_counts.c[group]] if group else [], conditions(daily_counts)),
             *boundary_selects(f, [events.c[group]] if group else [], conditions(events))]
    frames = [frame(conn_or_engine, q) for q in parts]
    df = pd.concat([x for x in frames if len(x)], ignore_index=True) if any(len(x) for x in frames) else frames[0]
    for col in PERIOD_SUMS:
        df[col] = pd.to_numeric(df[col]).fillna(0).astype("int64")
    if group is None:
        return df[list(PERIOD_SUMS)].sum().to_frame().T.astype("int64")
    df[group] = df[group].fillna(0).astype("int64")  # events' NULL ids are the rollup's 0
    return df.groupby(group, as_index=False)[list(PERIOD_SUMS)].sum()
