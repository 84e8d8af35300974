"""Questions the overview page asks. Every number comes from `metrics`, aggregated in SQL."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.engine import Engine

from . import metrics as m
from .filters import Filters
from .queries import frame, unit_conditions
from .schema import admin_units, events, patrol_checkins, workers


# The metrics the overview's KPI cards show, in order (definitions in data_access.metrics).
OVERVIEW_KPIS = (
    "events_reported", "open_events", "overdue_events", "on_time_closure_rate", "filing_only_events",
    "workers_checked_in_today", "rework_rate", "satisfaction_avg",
)


def _period_select(f: Filters, *group_cols):
    on_time_num, on_time_den = m.on_time_parts(f)
    rework_num, rework_den = m.rework_parts(f)
    sat_sum, sat_n = m.satisfaction_parts(f)
    return (
        select(
            *group_cols,
            m.events_reported_expr(f).label("events_reported"),
            m.filing_only_expr(f).label("filing_only_events"),
            on_time_num.label("on_time_closed"),
            on_time_den.label("due_or_closed"),
            rework_num.label("rejected"),
            rework_den.label("verified"),
            sat_sum.label("satisfaction_sum"),
            sat_n.label("satisfaction_n"),
        )
        .where(unit_conditions(f), events.c.report_date.between(f.date_from, f.date_to))
    )


def _backlog_select(f: Filters, *group_cols):
    return (
        select(
            *group_cols,
            m.open_events_expr(f).label("open_events"),
            m.overdue_events_expr(f).label("overdue_events"),
        )
        # Pre-filter to rows that can be in the backlog; the metric expressions decide the rest.
        .where(
            unit_conditions(f),
            events.c.reported_at <= f.period_end,
            or_(events.c.closed_at.is_(None), events.c.closed_at > f.period_end),
        )
    )


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
    with engine.connect() as conn:
        period = conn.execute(_period_select(f)).mappings().one()
        backlog = conn.execute(_backlog_select(f)).mappings().one()
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
    period = frame(engine, select(events.c.town_id, m.events_reported_expr(f).label("events_reported"))
                   .where(unit_conditions(f), events.c.report_date.between(f.date_from, f.date_to))
                   .group_by(events.c.town_id))
    backlog = frame(engine, _backlog_select(f, events.c.town_id).group_by(events.c.town_id))
    out = towns_df.merge(period, on="town_id", how="left").merge(backlog, on="town_id", how="left")
    for col in ("events_reported", "open_events", "overdue_events"):
        out[col] = out[col].fillna(0).astype(int)
    return out

