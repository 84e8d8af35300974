"""Questions the overview page asks. Every number comes from `metrics`, aggregated in SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
from sqlalchemy import and_, case, false, func, literal, or_, select, union_all
from sqlalchemy.engine import Engine

from . import metrics as m
from .filters import Filters, local_date, local_midnight_utc
from .queries import frame, unit_conditions
from .rollups.backlog_days import COUNTS as bd_counts
from .rollups.backlog_days import backlog_days as bd
from .rollups.daily_counts import daily_counts as dc
from .rollups.daily_counts import town_daily_counts as tdc
from .schema import EVENT_STATUSES, admin_units, events, patrol_checkins, workers
from .sqlfuncs import count_if, only_indexes

# The metrics the overview's KPI cards show, in order (definitions in data_access.metrics).
OVERVIEW_KPIS = (
    "events_reported",
    "open_events",
    "overdue_events",
    "on_time_closure_rate",
    "filing_only_events",
    "workers_checked_in_today",
    "rework_rate",
    "satisfaction_avg",
)


# --- period sums at a moment: the daily_counts rollup plus the boundary events -------------------

PERIOD_SUMS = (
    "events_reported",
    "filing_only_events",
    "on_time_closed",
    "due_or_closed",
    "rejected",
    "verified",
    "satisfaction_sum",
    "satisfaction_n",
)


def period_select(f: Filters, group_cols: list, where: list, table=dc):
    """SUMs of the rollup rows of the period (`f`), without the boundary events of day(period_end).

    `group_cols` and `where` are expressions on `table` (`daily_counts`, or `town_daily_counts`
    for the county and its towns). Columns: the groups, PERIOD_SUMS. Add `boundary_select` (same
    groups on `events`) to get the exact metrics."""
    t = table.c
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
    e = events.c
    d = local_date(f.period_end)
    on_num, on_den = m.on_time_parts(f)
    rw_num, rw_den = m.rework_parts(f)
    sat_sum, sat_n = m.satisfaction_parts(f)
    cols = [
        *group_cols,
        literal(0).label("events_reported"),
        literal(0).label("filing_only_events"),
        on_num.label("on_time_closed"),
        on_den.label("due_or_closed"),
        rw_num.label("rejected"),
        rw_den.label("verified"),
        sat_sum.label("satisfaction_sum"),
        sat_n.label("satisfaction_n"),
    ]
    # Each SELECT reads one index (ix_events_close_date; ix_events_status_deadline): the other
    # terms are kept off theirs, or SQLite's planner may prefer a town's or a period's events.
    base = [only_indexes(c, events) for c in (e.report_date.between(f.date_from, f.date_to), *where)]
    groups = [only_indexes(c, events) for c in group_cols]
    cols = [*[g.label(c.name) for g, c in zip(groups, group_cols)], *cols[len(group_cols) :]]
    closed_that_day = select(*cols).where(e.close_date == d, *base)
    due_that_day = select(*cols).where(
        e.status.in_(EVENT_STATUSES),  # all of them: lets ix_events_status_deadline find the day
        e.deadline >= local_midnight_utc(d),
        e.deadline < local_midnight_utc(d + dt.timedelta(days=1)),
        only_indexes(or_(e.closed_at.is_(None), e.close_date > d), events),
        *base,
    )
    if group_cols:
        return [closed_that_day.group_by(*groups), due_that_day.group_by(*groups)]
    return [closed_that_day, due_that_day]


def rollup_period_numbers(engine: Engine, f: Filters, group: str | None, conditions, table=dc) -> pd.DataFrame:
    """Period sums per `group` (a column name both tables have, e.g. "town_id"; None: one row).

    `conditions(table)` gives the WHERE terms (unit filter, scope) for the rollup `table` or `events`.
    Columns: the group (if any), then PERIOD_SUMS as integers. Groups without rows are absent.
    """
    parts = [
        period_select(f, [table.c[group]] if group else [], conditions(table), table),
        *boundary_selects(f, [events.c[group]] if group else [], conditions(events)),
    ]
    frames = [frame(engine, q) for q in parts]
    df = pd.concat([x for x in frames if len(x)], ignore_index=True) if any(len(x) for x in frames) else frames[0]
    for col in PERIOD_SUMS:
        df[col] = pd.to_numeric(df[col]).fillna(0).astype("int64")
    if group is None:
        return df[list(PERIOD_SUMS)].sum().to_frame().T.astype("int64")
    df[group] = df[group].fillna(0).astype("int64")  # events' NULL ids are the rollup's 0
    return df.groupby(group, as_index=False)[list(PERIOD_SUMS)].sum()


def period_numbers(engine: Engine, f: Filters, group: str | None = None) -> pd.DataFrame:
    """Period sums of the overview's metrics (from the daily rollup, plus the events whose close or
    due day is the period end's). Columns: `group` (if given), events_reported, filing_only_events,
    on_time_closed, due_or_closed, rejected, verified, satisfaction_sum, satisfaction_n."""
    coarse = f.village_id is None and group in (None, "town_id")
    return rollup_period_numbers(engine, f, group, lambda table: [unit_conditions(f, table)], tdc if coarse else dc)


def backlog_numbers(engine: Engine, f: Filters, group=None, label: str = "", where: tuple = ()) -> pd.DataFrame:
    """Open and overdue events at `f.period_end`, per `group` (an `events` column; None: one row).

    Columns: `label` (the group, if any), open_events, overdue_events. County-wide or per town
    (no village filter, no extra `where`): running sums of the `backlog_days` rollup plus the
    events of period_end's own day. Otherwise, for a village or a grid's few events: two
    searches of ix_events_closed_at (events still open; events closed after the moment), never a
    pass over every event. `where`: more terms on `events`."""
    if f.village_id is None and not where and (group is None or group is events.c.town_id):
        out = _backlog_from_days(engine, f, label if group is not None else None)
        return out if group is None else out[out[label] != 0].reset_index(drop=True)  # 0: no town
    t = f.period_end
    g = only_indexes(group, events) if group is not None else None
    cols = [
        *([g.label(label)] if g is not None else []),
        m.open_events_expr(f).label("open_events"),
        m.overdue_events_expr(f).label("overdue_events"),
    ]
    base = [only_indexes(c, events) for c in (unit_conditions(f), events.c.reported_at <= t, *where)]
    parts = []
    for branch in (events.c.closed_at.is_(None), events.c.closed_at > t):
        q = select(*cols).where(branch, *base)
        parts.append(frame(engine, q.group_by(g) if g is not None else q))
    df = pd.concat(parts, ignore_index=True)
    for col in ("open_events", "overdue_events"):
        df[col] = pd.to_numeric(df[col]).fillna(0).astype("int64")
    if group is None:
        return df[["open_events", "overdue_events"]].sum().to_frame().T.astype("int64")
    return df.groupby(label, as_index=False, dropna=False)[["open_events", "overdue_events"]].sum()


def _backlog_from_days(engine: Engine, f: Filters, label: str | None) -> pd.DataFrame:
    """`backlog_numbers` per town (`label`) or county-wide, from `backlog_days` (the formulas are
    in data_access/rollups/backlog_days.py): days before period_end's day from the rollup, that
    day up to period_end from `events` (one day of reports, closures and deadlines, by index)."""
    t = f.period_end
    d = local_date(t)
    start = local_midnight_utc(d)
    b, e = bd.c, events.c
    nf = m.backlog_counted()  # the backlog's one definition, as the rollup counts it
    town_b = [b.town_id.label("town_id")] if label else []
    town_e = [func.coalesce(e.town_id, 0).label("town_id")] if label else []
    scope_b = [unit_conditions(f, bd)]  # town, category (no village here: the caller checked)
    scope_e = [only_indexes(unit_conditions(f), events), nf]
    zero = literal(0)

    def sums(**columns):
        return [columns.get(c, zero).label(c) for c in bd_counts]

    def today(moment_col, condition, **columns):
        q = select(*town_e, *sums(**columns)).where(moment_col >= start, condition, *scope_e)
        return q.group_by(*town_e) if label else q

    parts = [
        select(*town_b, *sums(**{c: func.coalesce(func.sum(b[c]), 0) for c in bd_counts}))
        .where(b.day < d, *scope_b)
        .group_by(*town_b),
        today(m.BACKLOG_JOINS, m.BACKLOG_JOINS <= t, reported=func.count()),
        today(m.BACKLOG_LEAVES, m.BACKLOG_LEAVES <= t, closed=func.count(), closed_late=count_if(m.left_late())),
        # deadlines of day d before t, on ix_events_status_deadline (every status listed)
        today(
            m.BACKLOG_DUE,
            and_(e.status.in_(EVENT_STATUSES), m.BACKLOG_DUE < t),
            due=func.count(),
            due_on_time=count_if(m.left_on_time()),
        ),
    ]
    df = pd.concat([frame(engine, q) for q in parts], ignore_index=True)
    for c in bd_counts:
        df[c] = pd.to_numeric(df[c]).fillna(0).astype("int64")
    if label:
        df = df.groupby("town_id", as_index=False)[list(bd_counts)].sum()
    else:
        df = df[list(bd_counts)].sum().to_frame().T
    out = pd.DataFrame(
        {
            "open_events": df["reported"] - df["closed"],
            "overdue_events": df["due"] - df["closed_late"] - df["due_on_time"],
        }
    ).astype("int64")
    if label:
        out.insert(0, label, df["town_id"].astype("int64"))
    return out.reset_index(drop=True)


def _checkins(engine: Engine, f: Filters) -> tuple[int, int]:
    """(workers checked in on the local day of as_of up to as_of, active workers) in scope."""
    today = f.today
    scope_w = unit_conditions(f, workers)
    active = and_(scope_w, m.active_on(today))
    checked = (
        select(func.count(func.distinct(patrol_checkins.c.worker_id)))
        .select_from(patrol_checkins.join(workers, workers.c.id == patrol_checkins.c.worker_id))
        .where(active, patrol_checkins.c.checkin_date == today, patrol_checkins.c.at <= f.as_of)
    )
    total = select(func.count()).select_from(workers).where(active)
    with engine.connect() as conn:
        return int(conn.execute(checked).scalar() or 0), int(conn.execute(total).scalar() or 0)


def _kpi_values(engine: Engine, f: Filters) -> dict:
    period = period_numbers(engine, f).iloc[0]
    backlog = backlog_numbers(engine, f).iloc[0]
    checked_in, active = _checkins(engine, f)
    return {
        "events_reported": int(period["events_reported"]),
        "open_events": int(backlog["open_events"]),
        "overdue_events": int(backlog["overdue_events"]),
        "on_time_closure_rate": m.ratio(period["on_time_closed"], period["due_or_closed"]),
        "filing_only_events": int(period["filing_only_events"]),
        "workers_checked_in_today": checked_in,
        "workers_active": active,
        "rework_rate": m.ratio(period["rejected"], period["verified"]),
        "satisfaction_avg": m.ratio(period["satisfaction_sum"], period["satisfaction_n"]),
        # parts, so the page can show "numerator / denominator" beside a rate
        "on_time_closed": int(period["on_time_closed"]),
        "due_or_closed": int(period["due_or_closed"]),
        "rejected": int(period["rejected"]),
        "verified": int(period["verified"]),
    }


def kpi_summary(engine: Engine, f: Filters) -> pd.DataFrame:
    """One row per metric for the filter and for the previous period of the same length.

    Columns: metric (key of metrics.METRICS), value, previous, numerator, denominator.
    `workers_checked_in_today` compares with yesterday at the same time of day.
    """
    now = _kpi_values(engine, f)
    before = _kpi_values(engine, f.previous_period())
    prev_day = _checkins(engine, _shift_as_of(f, dt.timedelta(days=-1)))
    parts = {
        "on_time_closure_rate": ("on_time_closed", "due_or_closed"),
        "rework_rate": ("rejected", "verified"),
    }
    rows = []
    for key in OVERVIEW_KPIS:
        previous = prev_day[0] if key == "workers_checked_in_today" else before[key]
        num_key, den_key = parts.get(key, (None, None))
        rows.append(
            {
                "metric": key,
                "value": now[key],
                "previous": previous,
                "numerator": now[num_key] if num_key else None,
                "denominator": now[den_key]
                if den_key
                else (now["workers_active"] if key == "workers_checked_in_today" else None),
            }
        )
    return pd.DataFrame(rows, columns=["metric", "value", "previous", "numerator", "denominator"])


def _shift_as_of(f: Filters, delta: dt.timedelta) -> Filters:
    return replace(f, as_of=f.as_of + delta)


def daily_trend(engine: Engine, f: Filters) -> pd.DataFrame:
    """Events reported and closed per local day of the period.

    Columns: day (date), reported, closed. Every day of the range is present (zeros filled).
    Closed counts events closed that day (by period_end) whatever day they were reported,
    filing-only excluded. From `backlog_days` (days before period_end's day; that day's closures
    up to period_end from `events`); with a village filter, from that village's events.
    """
    if f.village_id is None:
        reported, closed = _trend_from_days(f)
    else:
        reported = (
            select(events.c.report_date.label("day"), func.count().label("n"))
            .where(unit_conditions(f), events.c.report_date.between(f.date_from, f.date_to))
            .group_by(events.c.report_date)
        )
        closed = (
            select(events.c.close_date.label("day"), func.count().label("n"))
            .where(
                unit_conditions(f),
                events.c.close_date.between(f.date_from, f.date_to),
                events.c.closed_at <= f.period_end,
                events.c.filing_only == false(),
            )
            .group_by(events.c.close_date)
        )
    days = pd.date_range(f.date_from, f.date_to, freq="D").date
    out = pd.DataFrame({"day": days})
    for name, q in (("reported", reported), ("closed", closed)):
        part = frame(engine, q)
        counts = {}
        for day, n in zip(part["day"], part["n"]) if len(part) else ():
            counts[day] = counts.get(day, 0) + int(n)
        out[name] = [int(counts.get(d, 0)) for d in days]
    return out


def _trend_from_days(f: Filters):
    """(reported, closed) SELECTs of (day, n) for `daily_trend` on `backlog_days`; closed on the
    day of period_end is counted from `events` up to period_end (rows may repeat a day: summed)."""
    b, e = bd.c, events.c
    d = local_date(f.period_end)
    scope = [unit_conditions(f, bd)]  # town, category (no village here: the caller checked)
    reported = (
        select(b.day, func.sum(b.reported_all).label("n"))
        .where(b.day.between(f.date_from, f.date_to), *scope)
        .group_by(b.day)
    )
    last_full = min(f.date_to, d - dt.timedelta(days=1))
    closed_days = (
        select(b.day, func.sum(b.closed).label("n"))
        .where(b.day.between(f.date_from, last_full), *scope)
        .group_by(b.day)
    )
    if f.date_from <= d <= f.date_to:
        closed_today = (
            select(e.close_date.label("day"), func.count().label("n"))
            .where(
                e.closed_at >= local_midnight_utc(d),
                e.closed_at <= f.period_end,
                e.filing_only == false(),
                only_indexes(unit_conditions(f), events),
            )
            .group_by(e.close_date)
        )
        return reported, union_all(closed_days, closed_today)
    return reported, closed_days


def overdue_by_town(engine: Engine, f: Filters) -> pd.DataFrame:
    """Per town: open and overdue events at the period end, and events reported in the period.

    Columns: town_id, code, name, boundary_wkt, centroid_lon, centroid_lat, events_reported,
    open_events, overdue_events. Every town is present (zeros when it has no events); with a town
    filter, only that town.
    """
    towns_q = select(
        admin_units.c.id.label("town_id"),
        admin_units.c.code,
        admin_units.c.name,
        admin_units.c.boundary_wkt,
        admin_units.c.centroid_lon,
        admin_units.c.centroid_lat,
    ).where(admin_units.c.level == "town")
    if f.town_id is not None:
        towns_q = towns_q.where(admin_units.c.id == f.town_id)
    towns_df = frame(engine, towns_q.order_by(admin_units.c.code))
    period = period_numbers(engine, f, "town_id")[["town_id", "events_reported"]]
    backlog = backlog_numbers(engine, f, events.c.town_id, "town_id")
    out = towns_df.merge(period, on="town_id", how="left").merge(backlog, on="town_id", how="left")
    for col in ("events_reported", "open_events", "overdue_events"):
        out[col] = out[col].fillna(0).astype(int)
    return out
