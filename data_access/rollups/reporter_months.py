"""Rollup: events per reporter × community × town × month, with what rankings, integrity and
workforce count about them.

`reporter_months` has one row per (reported_by, village_id, town_id, month); events with no
reporting worker are rows of reported_by 0 (a missing village or town is 0 as well), so the table
also answers per-community and per-month totals of all events.

The counts are the events' *current* state (the store's steps as they are now). A query "as of"
a moment T may use a row only when nothing in it happened after T: the `last_*_at` columns say
so (`usable_at`). The one count that changes with time alone, "verification due" of an event
completed but not verified (due once `verify_within_hours` have passed), is kept apart
(`unverified_n` with the first and last completion time) so a query can decide it.

Thresholds from the rules (verification hours, padding and near-duplicate rules, the county's
mean latitude for distances) are baked in; the values used are in `store_meta`
(`reporter_months_params`). A refresh that finds other values recomputes every row, and a query
whose rules differ from them computes live (`params`).

Refresh: the rows of each (reporter, month) with a changed event, and the month after (a
near-duplicate pair may reach back one month), and of each (community, month) with a changed
event that has no reporter, are deleted and inserted again from `events`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from .. import rules as rules_mod
from ..filters import LOCAL_TZ
from ..schema import (
    UtcDateTime,
    assessment_rules,
    event_item_types,
    event_steps,
    events,
    grids,
    metadata,
    patrol_checkins,
    store_meta,
)
from ..sqlfuncs import count_if, seconds_between

META_PARAMS = "reporter_months_params"
TEAM_LEVELS = ("village", "town", "county", "department")
TRANSFER_LEVELS = ("county", "department")
BYPASS_SOURCES = ("resident_call", "hotline_12345")
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON_EQUATOR = 111_320.0
MONDAY_EPOCH = dt.datetime(2000, 1, 3, tzinfo=LOCAL_TZ)
# A near-duplicate pair must fit in this month and the one before: longer rule windows compute live.
MAX_DUP_HOURS = 27 * 24

COUNT_COLUMNS = (
    "reported",
    "filing",
    "closed",
    "graded",
    "qualified",
    "excellent",
    "verify_done",
    "verified_on_time",
    "unverified_n",
    "team",
    "transfers",
    "sat_sum",
    "sat_n",
    "trivial",
    "padding_suspect",
    "dup_same",
    "dup_prev",
    "escalated",
    "bypass",
)

reporter_months = Table(
    "reporter_months",
    metadata,
    Column("reported_by", Integer, nullable=False),  # 0: no reporting worker
    Column("village_id", Integer, nullable=False),  # 0: none
    Column("town_id", Integer, nullable=False),  # 0: none
    Column("month", Date, nullable=False),  # first day
    Column("month_last", Date, nullable=False),
    Column("prev_month", Date, nullable=False),  # first day of the month before
    *[Column(c, Integer, nullable=False) for c in COUNT_COLUMNS],
    Column("unverified_min_at", UtcDateTime, nullable=True),  # completion times of the unverified
    Column("unverified_max_at", UtcDateTime, nullable=True),
    Column("last_reported_at", UtcDateTime, nullable=True),
    Column("last_completed_at", UtcDateTime, nullable=True),
    Column("last_closed_at", UtcDateTime, nullable=True),
    Column("last_verified_at", UtcDateTime, nullable=True),
    PrimaryKeyConstraint("reported_by", "month", "village_id", "town_id", name="pk_reporter_months"),
    Index("ix_reporter_months_month", "month", "reported_by"),
)

# Patrol days (integrity's empty patrols): one row per worker and local day with check-ins.
patrol_days = Table(
    "patrol_days",
    metadata,
    Column("worker_id", Integer, nullable=False),
    Column("checkin_date", Date, nullable=False),
    Column("points", Integer, nullable=False),
    Column("fast", Integer, nullable=False),  # 1: a leg faster than empty_patrol_max_kmh
    # The track's signature (as integrity._patrol_days): same points in the same order, same sums.
    Column("sig_lon", Float, nullable=False),
    Column("sig_lat", Float, nullable=False),
    Column("sig_lon_w", Float, nullable=False),
    Column("sig_lat_w", Float, nullable=False),
    Column("last_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("worker_id", "checkin_date", name="pk_patrol_days"),
    Index("ix_patrol_days_date", "checkin_date"),
)

TABLES = (reporter_months, patrol_days)
META_CHECKIN_ID = "reporter_months_checkin_id"

# --- months (no SQL date functions: local days come from events.report_date) ---------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(first: dt.date) -> dt.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def shift_month(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _months_table(lo: dt.date, hi: dt.date, tail_days: int):
    """One row per month from lo's to hi's: first, last, prev_first, tail_from (the padding rule's
    month-end days begin here)."""
    rows, m = [], month_start(lo)
    while m <= hi:
        last = month_end(m)
        rows.append(
            select(
                literal(m, Date).label("first"),
                literal(last, Date).label("last"),
                literal(shift_month(m, -1), Date).label("prev_first"),
                literal(last - dt.timedelta(days=max(tail_days, 1) - 1), Date).label("tail_from"),
            )
        )
        m = shift_month(m, 1)
    return (union_all(*rows) if len(rows) > 1 else rows[0]).subquery("months")


# --- the rule values baked in ---------------------------------------------------------------------

PARAM_KEYS = {
    "common": ("verify_within_hours",),
    "integrity": (
        "empty_patrol_max_kmh",
        "padding_first_hour",
        "padding_month_end_days",
        "padding_quick_close_minutes",
        "near_duplicates_max_hours",
        "near_duplicates_max_metres",
    ),
}


def cos_lat_of(conn: Connection) -> float:
    lat = conn.execute(select(func.avg(grids.c.centroid_lat))).scalar()
    return math.cos(math.radians(float(lat))) if lat is not None else 1.0


def current_params(conn: Connection) -> dict[str, float]:
    """The rule values the rows depend on, as `rankings.rules_for` merges them (file under store)."""
    file_rows = rules_mod.default_rule_rows()
    stored = conn.execute(
        select(assessment_rules.c.ruleset, assessment_rules.c.key, assessment_rules.c.value).where(
            assessment_rules.c.ruleset.in_(list(PARAM_KEYS))
        )
    ).all()
    out: dict[str, float] = {}
    for ruleset, keys in PARAM_KEYS.items():
        merged = {r["key"]: r["value"] for r in file_rows if r["ruleset"] in ("common", ruleset)}
        merged.update({k: v for rs, k, v in stored if rs == "common"})
        merged.update({k: v for rs, k, v in stored if rs == ruleset})
        for key in keys:
            out[key] = float(merged[key])
    out["cos_lat"] = cos_lat_of(conn)
    return out


def stored_params(conn: Connection) -> dict[str, float] | None:
    raw = conn.execute(select(store_meta.c.value).where(store_meta.c.key == META_PARAMS)).scalar()
    return json.loads(raw) if raw else None


def _save_params(conn: Connection, params: dict[str, float]) -> None:
    conn.execute(store_meta.delete().where(store_meta.c.key == META_PARAMS))
    conn.execute(store_meta.insert(), [{"key": META_PARAMS, "value": json.dumps(params, sort_keys=True)}])


# --- the aggregation ------------------------------------------------------------------------------


def _utc(value):
    return literal(value, events.c.reported_at.type)


def _aggregate(p: dict[str, float], months, src_condition, affected=None, workers_side: bool = True):
    """SELECT of rows (columns in table order) from the events `src_condition` selects, one row per
    key in `months`; `affected` (rb, vk, month) narrows the rows produced."""
    e = events
    # coalesce(action): keeps SQLite on the (event_id, seq) index, not on every verify step.
    verified_at = (
        select(func.max(event_steps.c.at))
        .where(event_steps.c.event_id == e.c.id, func.coalesce(event_steps.c.action, "") == "verify")
        .scalar_subquery()
    )
    part = [e.c.reported_by, e.c.item_type_code]
    order = [e.c.reported_at, e.c.id]
    pe = (
        select(
            func.coalesce(e.c.reported_by, 0).label("rb"),
            func.coalesce(e.c.village_id, 0).label("vk"),
            func.coalesce(e.c.town_id, 0).label("tk"),
            e.c.report_date,
            e.c.reported_at,
            e.c.completed_at,
            e.c.closed_at,
            e.c.filing_only,
            e.c.quality_grade,
            e.c.satisfaction,
            e.c.handled_level,
            e.c.escalations,
            e.c.source,
            e.c.item_type_code,
            e.c.lon,
            e.c.lat,
            verified_at.label("verified_at"),
            func.lag(e.c.report_date).over(partition_by=part, order_by=order).label("prev_date"),
            func.lag(e.c.reported_at).over(partition_by=part, order_by=order).label("prev_at"),
            func.lag(e.c.lon).over(partition_by=part, order_by=order).label("prev_lon"),
            func.lag(e.c.lat).over(partition_by=part, order_by=order).label("prev_lat"),
        )
        .where(src_condition)
        .subquery("pe")
    )
    limit_s = float(p["verify_within_hours"]) * 3600.0
    completed = pe.c.completed_at.is_not(None)
    verified = pe.c.verified_at.is_not(None)
    closed = pe.c.closed_at.is_not(None)
    graded = and_(closed, pe.c.quality_grade.is_not(None))
    rated = and_(closed, pe.c.satisfaction.is_not(None))
    unverified = and_(completed, pe.c.verified_at.is_(None))
    # Padding (integrity): trivial, reported in a rush window, closed quickly.
    first_hour = int(p["padding_first_hour"]) * 3600
    since_monday = cast(seconds_between(_utc(MONDAY_EPOCH), pe.c.reported_at), Integer)
    sod = since_monday % 86400
    first_working_hour = and_((since_monday // 86400) % 7 < 5, sod >= first_hour, sod < first_hour + 3600)
    rush = or_(first_working_hour, pe.c.report_date >= months.c.tail_from)
    quick = and_(closed, seconds_between(pe.c.reported_at, pe.c.closed_at) <= p["padding_quick_close_minutes"] * 60)
    trivial = event_item_types.c.trivial == true()
    # Near-duplicates (integrity): the same reporter's previous report of the item, close in time and place.
    gap = seconds_between(pe.c.prev_at, pe.c.reported_at)
    dx = (pe.c.lon - pe.c.prev_lon) * literal(p["cos_lat"] * M_PER_DEG_LON_EQUATOR)
    dy = (pe.c.lat - pe.c.prev_lat) * literal(M_PER_DEG_LAT)
    max_m = float(p["near_duplicates_max_metres"])
    pair = and_(
        pe.c.rb != 0,
        pe.c.prev_at.is_not(None),
        gap <= p["near_duplicates_max_hours"] * 3600.0,
        dx * dx + dy * dy <= max_m * max_m,
    )
    joined = pe.join(months, pe.c.report_date.between(months.c.first, months.c.last)).join(
        event_item_types, event_item_types.c.code == pe.c.item_type_code
    )
    if affected is not None:
        key = affected.c.rb == pe.c.rb if workers_side else affected.c.vk == pe.c.vk
        joined = joined.join(affected, and_(key, affected.c.month == months.c.first))
    q = (
        select(
            pe.c.rb,
            pe.c.vk,
            pe.c.tk,
            months.c.first,
            months.c.last,
            months.c.prev_first,
            func.count(),
            count_if(pe.c.filing_only == true()),
            count_if(and_(closed, pe.c.filing_only == literal(False, Boolean))),
            count_if(graded),
            count_if(and_(graded, pe.c.quality_grade.in_(["qualified", "excellent"]))),
            count_if(and_(graded, pe.c.quality_grade == "excellent")),
            count_if(and_(completed, verified)),
            count_if(and_(completed, verified, seconds_between(pe.c.completed_at, pe.c.verified_at) <= limit_s)),
            count_if(unverified),
            count_if(pe.c.handled_level.in_(TEAM_LEVELS)),
            count_if(pe.c.handled_level.in_(TRANSFER_LEVELS)),
            func.coalesce(func.sum(case((rated, pe.c.satisfaction), else_=0)), 0),
            count_if(rated),
            count_if(trivial),
            count_if(and_(trivial, rush, quick)),
            count_if(and_(pair, pe.c.prev_date >= months.c.first)),
            count_if(and_(pair, pe.c.prev_date < months.c.first, pe.c.prev_date >= months.c.prev_first)),
            count_if(and_(pe.c.rb != 0, pe.c.escalations > 0)),
            count_if(and_(pe.c.rb == 0, pe.c.source.in_(BYPASS_SOURCES))),
            func.min(case((unverified, pe.c.completed_at))),
            func.max(case((unverified, pe.c.completed_at))),
            func.max(pe.c.reported_at),
            func.max(pe.c.completed_at),
            func.max(pe.c.closed_at),
            func.max(pe.c.verified_at),
        )
        .select_from(joined)
        .group_by(pe.c.rb, pe.c.vk, pe.c.tk, months.c.first, months.c.last, months.c.prev_first)
    )
    return q


def _columns():
    return [c.name for c in reporter_months.columns]


def refresh(conn: Connection, changed) -> None:
    """Make this module's rows right for the events `changed` selects."""
    params = current_params(conn)
    everything = changed.everything or stored_params(conn) != params
    e = events
    if everything:
        conn.execute(reporter_months.delete())
        lo, hi = conn.execute(select(func.min(e.c.report_date), func.max(e.c.report_date))).one()
        if lo is not None:
            months = _months_table(lo, hi, int(p_days(params)))
            for side in (True, False):
                src = e.c.reported_by.is_not(None) if side else e.c.reported_by.is_(None)
                conn.execute(reporter_months.insert().from_select(_columns(), _aggregate(params, months, src)))
        _refresh_patrol_days(conn, params, True)
        _save_params(conn, params)
        return
    _refresh_patrol_days(conn, params, False)
    c = events.alias("c")
    in_changed = changed.condition(c.c.id)
    lo, hi = conn.execute(select(func.min(c.c.report_date), func.max(c.c.report_date)).where(in_changed)).one()
    if lo is None:
        return
    # Rows of the changed events' months and the month after (its pairs may reach back).
    first, last = month_start(lo), month_end(shift_month(month_start(hi), 1))
    months = _months_table(first, last, int(p_days(params)))
    rm = reporter_months.c
    # Workers: (reporter, month) of a changed event, or of the month after one.
    aff_w = (
        select(c.c.reported_by.label("rb"), months.c.first.label("month"))
        .select_from(c.join(months, c.c.report_date.between(months.c.prev_first, months.c.last)))
        .where(in_changed, c.c.reported_by.is_not(None))
        .distinct()
        .subquery("aff_w")
    )
    # IN over row values, not a correlated EXISTS: evaluated once, not once per row of the table
    # (the feeder calls this after every write).
    conn.execute(
        reporter_months.delete().where(
            rm.reported_by != 0, tuple_(rm.reported_by, rm.month).in_(select(aff_w.c.rb, aff_w.c.month))
        )
    )
    src_w = and_(e.c.reported_by.in_(select(aff_w.c.rb)), e.c.report_date.between(shift_month(first, -1), last))
    conn.execute(
        reporter_months.insert().from_select(_columns(), _aggregate(params, months, src_w, aff_w, workers_side=True))
    )
    # No reporter: (community, month) of a changed event.
    aff_n = (
        select(func.coalesce(c.c.village_id, 0).label("vk"), months.c.first.label("month"))
        .select_from(c.join(months, c.c.report_date.between(months.c.first, months.c.last)))
        .where(in_changed, c.c.reported_by.is_(None))
        .distinct()
        .subquery("aff_n")
    )
    conn.execute(
        reporter_months.delete().where(
            rm.reported_by == 0, tuple_(rm.village_id, rm.month).in_(select(aff_n.c.vk, aff_n.c.month))
        )
    )
    src_n = and_(
        e.c.reported_by.is_(None),
        e.c.report_date.between(first, last),
        or_(
            e.c.village_id.in_(select(aff_n.c.vk)),
            and_(e.c.village_id.is_(None), exists(select(1).select_from(aff_n).where(aff_n.c.vk == 0))),
        ),
    )
    conn.execute(
        reporter_months.insert().from_select(_columns(), _aggregate(params, months, src_n, aff_n, workers_side=False))
    )


def _patrol_select(p: dict[str, float], condition):
    """SELECT of patrol_days rows from the check-ins `condition` selects (whole days)."""
    pc = patrol_checkins.c
    part = [pc.worker_id, pc.checkin_date]
    order = [pc.at, pc.id]
    lagged = (
        select(
            pc.worker_id,
            pc.checkin_date,
            pc.at,
            pc.lon,
            pc.lat,
            func.row_number().over(partition_by=part, order_by=order).label("seq"),
            func.lag(pc.at).over(partition_by=part, order_by=order).label("prev_at"),
            func.lag(pc.lon).over(partition_by=part, order_by=order).label("prev_lon"),
            func.lag(pc.lat).over(partition_by=part, order_by=order).label("prev_lat"),
        )
        .where(condition)
        .subquery("legs")
    )
    secs = seconds_between(lagged.c.prev_at, lagged.c.at)
    dx = (lagged.c.lon - lagged.c.prev_lon) * literal(p["cos_lat"] * M_PER_DEG_LON_EQUATOR)
    dy = (lagged.c.lat - lagged.c.prev_lat) * literal(M_PER_DEG_LAT)
    dist2 = dx * dx + dy * dy
    vmax = float(p["empty_patrol_max_kmh"]) / 3.6
    fast = and_(lagged.c.prev_at.is_not(None), dist2 > (secs * vmax) * (secs * vmax), dist2 > 1.0)
    return select(
        lagged.c.worker_id,
        lagged.c.checkin_date,
        func.count(),
        func.max(case((fast, 1), else_=0)),
        func.round(func.sum(lagged.c.lon) * 100000),
        func.round(func.sum(lagged.c.lat) * 100000),
        func.round(func.sum(lagged.c.lon * lagged.c.seq) * 100000),
        func.round(func.sum(lagged.c.lat * lagged.c.seq) * 100000),
        func.max(lagged.c.at),
    ).group_by(lagged.c.worker_id, lagged.c.checkin_date)


def _refresh_patrol_days(conn: Connection, p: dict[str, float], everything: bool) -> None:
    """Check-ins are not events: days with check-ins above this module's own watermark."""
    pc = patrol_checkins.c
    top = int(conn.execute(select(func.coalesce(func.max(pc.id), 0))).scalar_one())
    raw = conn.execute(select(store_meta.c.value).where(store_meta.c.key == META_CHECKIN_ID)).scalar()
    if everything or raw is None:
        conn.execute(patrol_days.delete())
        conn.execute(patrol_days.insert().from_select([c.name for c in patrol_days.columns], _patrol_select(p, true())))
    elif int(raw) < top:
        new = patrol_checkins.alias("new")
        day_of_new = tuple_(pc.worker_id, pc.checkin_date).in_(
            select(new.c.worker_id, new.c.checkin_date).where(new.c.id > int(raw))
        )
        pd_ = patrol_days.c
        conn.execute(
            patrol_days.delete().where(
                exists(
                    select(1)
                    .select_from(new)
                    .where(
                        new.c.id > int(raw), new.c.worker_id == pd_.worker_id, new.c.checkin_date == pd_.checkin_date
                    )
                )
            )
        )
        conn.execute(
            patrol_days.insert().from_select([c.name for c in patrol_days.columns], _patrol_select(p, day_of_new))
        )
    conn.execute(store_meta.delete().where(store_meta.c.key == META_CHECKIN_ID))
    conn.execute(store_meta.insert(), [{"key": META_CHECKIN_ID, "value": str(top)}])


def p_days(params: dict[str, float]) -> float:
    return params["padding_month_end_days"]


# --- reading --------------------------------------------------------------------------------------


def usable_at(as_of: dt.datetime) -> ColumnElement:
    """SQL: nothing counted in the row happened after `as_of` (the row is exact as of then), apart
    from the time-driven "verification due" that `due_unverified` decides."""
    rm = reporter_months.c
    conds = [rm.last_reported_at <= as_of]
    for col in (rm.last_completed_at, rm.last_closed_at, rm.last_verified_at):
        conds.append(or_(col.is_(None), col <= as_of))
    return and_(*conds)


def due_unverified(as_of: dt.datetime, verify_hours: float) -> ColumnElement:
    """SQL: how many of the row's completed, unverified events are due for verification as of
    `as_of` (their allowed time has run out), or NULL when some are and some are not."""
    rm = reporter_months.c
    limit_s = float(verify_hours) * 3600.0
    now = _utc(as_of)
    return case(
        (rm.unverified_n == 0, 0),
        (seconds_between(rm.unverified_max_at, now) > limit_s, rm.unverified_n),
        (seconds_between(rm.unverified_min_at, now) <= limit_s, 0),
        else_=None,
    )


def params(engine) -> dict[str, float] | None:
    """The rule values the rows were built with, or None when the rollup is missing or stale for
    the store's rules (callers then compute live)."""
    try:
        with engine.connect() as conn:
            built = stored_params(conn)
            if built is None or built != current_params(conn):
                return None
            return built
    except Exception:  # noqa: BLE001 - a store without the table: compute live
        return None
