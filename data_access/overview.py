"""Questions the overview page asks. Every number comes from `metrics`, aggregated in SQL."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
from sqlalchemy import and_, false, func, select
from sqlalchemy.engine import Engine

from . import metrics as m
from .filters import Filters
from .queries import frame, unit_conditions
from .rollups import daily_counts
from .sqlfuncs import only_indexes
from .schema import admin_units, events, patrol_checkins, workers


# The metrics the overview's KPI cards show, in order (definitions in data_access.metrics).
OVERVIEW_KPIS = (
    "events_reported", "open_events", "overdue_events", "on_time_closure_rate", "filing_only_events",
    "workers_checked_in_today", "rework_rate", "satisfaction_avg",
)


def period_numbers(engine: Engine, f: Filters, group: str | None = None) -> pd.DataFrame:
    """Period sums of the overview's metrics (from the daily rollup, plus the events whose close or
    due day is the period end's). Columns: `group` (if given), events_reported, filing_only_events,
    on_time_closed, due_or_closed, rejected, verified, satisfaction_sum, satisfaction_n."""
    return daily_counts.period_numbers(engine, f, group, lambda table: [unit_conditions(f, table)])


def backlog_numbers(engine: Engine, f: Filters, group=None, label: str = "", where: tuple = ()) -> pd.DataFrame:
    """Open and overdue events at `f.period_end`, per `group` (an `events` column; None: one row).

    Columns: `label` (the group, if any), open_events, overdue_events. Read as two searches of
    ix_events_closed_at (events still open; events closed after the moment), never a pass over
    every event: the other terms are kept off their indexes. `where`: more terms on `events`."""
    t = f.period_end
    g = only_indexes(group, events) if group is not None else None
    cols = [*([g.label(label)] if g is not None else []),
            m.open_events_expr(f).label("open_events"), m.overdue_events_expr(f).label("overdue_events")]
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
        rows.append({
            "metric": key,
            "value": now[key],
            "previous": previous,
            "numerator": now[num_key] if num_key else None,
            "denominator": now[den_key] if den_key else (
                now["workers_active"] if key == "workers_checked_in_today" else None),
        })
    return pd.DataFrame(rows, columns=["metric", "value", "previous", "numerator", "denominator"])


def _shift_as_of(f: Filters, delta: dt.timedelta) -> Filters:
    return replace(f, as_of=f.as_of + delta)


def daily_trend(engine: Engine, f: Filters) -> pd.DataFrame:
    """Events reported and closed per local day of the period.

    Columns: day (date), reported, closed. Every day of the range is present (zeros filled).
    Closed counts events closed that day whatever day they were reported, filing-only excluded.
    """
    reported = (
        select(events.c.report_date.label("day"), func.count().label("n"))
        .where(unit_conditions(f), events.c.report_date.between(f.date_from, f.date_to))
        .group_by(events.c.report_date)
    )
    closed = (
        select(events.c.close_date.label("day"), func.count().label("n"))
        .where(unit_conditions(f), events.c.close_date.between(f.date_from, f.date_to),
               events.c.closed_at <= f.period_end, events.c.filing_only == false())
        .group_by(events.c.close_date)
    )
    days = pd.date_range(f.date_from, f.date_to, freq="D").date
    out = pd.DataFrame({"day": days})
    for name, q in (("reported", reported), ("closed", closed)):
        part = frame(engine, q)
        counts = dict(zip(part["day"], part["n"])) if len(part) else {}
        out[name] = [int(counts.get(d, 0)) for d in days]
    return out


def overdue_by_town(engine: Engine, f: Filters) -> pd.DataFrame:
    """Per town: open and overdue events at the period end, and events reported in the period.

    Columns: town_id, code, name, boundary_wkt, centroid_lon, centroid_lat, events_reported,
    open_events, overdue_events. Every town is present (zeros when it has no events); with a town
    filter, only that town.
    """
    towns_q = select(admin_units.c.id.label("town_id"), admin_units.c.code, admin_units.c.name,
                     admin_units.c.boundary_wkt, admin_units.c.centroid_lon, admin_units.c.centroid_lat
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

