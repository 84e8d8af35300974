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

Reading (period sums at a moment, plus the boundary events): `overview.rollup_period_numbers`.

Refresh: a changed event's (report day, village) partition is deleted and aggregated again from
`events` (ix_events_village_date), so an event that closes moves between outcome rows of its
report day.
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
    bindparam,
    case,
    false,
    func,
    literal,
    select,
    true,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from ..schema import events, metadata
from ..sqlfuncs import count_if, local_day

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
    PrimaryKeyConstraint(
        "report_date",
        "town_id",
        "village_id",
        "grid_id",
        "micro_grid_id",
        "category_code",
        "close_date",
        "due_date",
        name="pk_daily_counts",
    ),
    sqlite_with_rowid=False,
)

# The same sums without village, grid and micro-grid: the county's and the towns' period numbers
# (overview) read ~10× fewer rows at 10 M events (50k a month, not 560k). Built from daily_counts.
TOWN_KEYS = ("report_date", "town_id", "category_code", "close_date", "due_date")
SUM_COLS = ("n", "n_filing", "nf", "nf_on_time", "nf_rejected", "sat_sum", "sat_n")

town_daily_counts = Table(
    "town_daily_counts",
    metadata,
    *[Column(c.name, c.type, nullable=False) for c in daily_counts.columns if c.name not in UNIT_COLS[1:]],
    PrimaryKeyConstraint(*TOWN_KEYS, name="pk_town_daily_counts"),
    sqlite_with_rowid=False,
)

TABLES = (daily_counts, town_daily_counts)


def _aggregate(where: ColumnElement):
    e = events.c
    nf = e.filing_only == false()

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
        # In key order: PostgreSQL keeps a period's rows together on disk (SQLite's table is its key).
        conn.execute(t.insert().from_select(_COLUMNS, _aggregate(true()).order_by(events.c.report_date)))
        conn.execute(town_daily_counts.delete())
        conn.execute(_town_insert(true()))
        return
    e = events.c
    # Fetched once as lists: few (bounded by the days and villages, not the events), and they
    # let each statement below search its index instead of re-running the changed-ids query.
    keys = conn.execute(select(e.report_date, e.village_id, e.town_id).where(changed.condition(e.id)).distinct()).all()
    if not keys:
        return
    dates = sorted({d for d, _, _ in keys})
    villages = sorted({v or 0 for _, v, _ in keys})
    towns = sorted({w or 0 for _, _, w in keys})
    params = {"dates": dates, "villages": villages}
    conn.execute(_DELETE_PARTITIONS, params)
    conn.execute(_INSERT_PARTITIONS, params)
    if 0 in villages:
        conn.execute(_INSERT_NO_VILLAGE, params)
    # The changed days of the changed towns, summed again from daily_counts.
    w = town_daily_counts.c
    conn.execute(town_daily_counts.delete().where(w.report_date.in_(dates), w.town_id.in_(towns)))
    conn.execute(_town_insert(and_(daily_counts.c.report_date.in_(dates), daily_counts.c.town_id.in_(towns))))


def _town_insert(where: ColumnElement):
    d = daily_counts.c
    keys = [d[k] for k in TOWN_KEYS]
    q = select(*keys, *[func.sum(d[c]) for c in SUM_COLS]).where(where).group_by(*keys).order_by(d.report_date)
    return town_daily_counts.insert().from_select([*TOWN_KEYS, *SUM_COLS], q)


# Built once (the feeder refreshes after every write: building these costs more than running them).
# Every (day, village) of the changed events: a superset of the changed partitions, recomputed whole.
_DATES = bindparam("dates", expanding=True)
_VILLAGES = bindparam("villages", expanding=True)
_DELETE_PARTITIONS = daily_counts.delete().where(
    daily_counts.c.report_date.in_(_DATES), daily_counts.c.village_id.in_(_VILLAGES)
)
_INSERT_PARTITIONS = daily_counts.insert().from_select(
    _COLUMNS, _aggregate(and_(events.c.report_date.in_(_DATES), events.c.village_id.in_(_VILLAGES)))
)
_INSERT_NO_VILLAGE = daily_counts.insert().from_select(
    _COLUMNS, _aggregate(and_(events.c.village_id.is_(None), events.c.report_date.in_(_DATES)))
)
