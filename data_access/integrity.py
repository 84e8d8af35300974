"""Integrity signals (履职真实性): padding, near-duplicate events, empty patrols, selective reporting.

Each detector reads only `events`, `event_steps`'s derived columns on `events`, and
`patrol_checkins` (or their monthly / daily rollups `reporter_months` and `patrol_days`, which
hold the same features; live when a window holds anything after `as_of`) — never `planted_patterns`. Features are
computed in SQL (per-worker or
per-community GROUP BY with conditional counts; window functions LAG for consecutive rows);
Python only compares the small aggregated table with the thresholds in the rules data
(`assessment_rules`, ruleset `integrity`, keys prefixed with the signal's name).
Every window ends with the chosen month and spans `<signal>_window_months` months.

Rules (the page states them in words; the numbers are the rule values):
- padding: suspect event = a trivial item, reported in a rush window (the first working hour
  of a working day, or the last `padding_month_end_days` days of the month) and closed within
  `padding_quick_close_minutes` of being reported. Flag: ≥ padding_min_events suspect events
  and suspect / all the worker's reports ≥ padding_min_share.
- near_duplicates: a pair = the same reporter and item reported again within
  `near_duplicates_max_hours` and `near_duplicates_max_metres` of the previous report of that
  item. Flag: ≥ near_duplicates_min_pairs pairs.
- empty_patrol: suspect day = a leg between consecutive check-ins of one day faster than
  `empty_patrol_max_kmh`, or a track (≥ empty_patrol_route_min_points points) identical to the
  track of another day. Flag: ≥ empty_patrol_min_days suspect days and ≥ empty_patrol_min_share
  of the worker's patrol days.
- selective (communities): share of grid reports sent up (escalated) ≤ selective_escalation_rel_max
  × the county's share, and events that bypassed the grid (resident calls or 12345 with no
  reporting worker) per grid report ≥ selective_outside_rel_min × the county's ratio, judged
  only with ≥ selective_min_reports grid reports.
Distances use an equirectangular approximation in SQL arithmetic: dx = Δlon·cos(lat0)·111,320 m,
dy = Δlat·110,574 m, with cos(lat0) of the county's mean latitude bound as a parameter.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from sqlalchemy import Integer, and_, case, cast, func, literal, or_, select, true
from sqlalchemy.engine import Engine

from . import rankings
from .filters import LOCAL_TZ, Filters
from .queries import frame, person_name
from .rollups import reporter_months as rm_rollup
from .schema import admin_units, event_item_types, events, grids, patrol_checkins, workers
from .sqlfuncs import count_if, seconds_between

WORKER_SIGNALS = ("padding", "near_duplicates", "empty_patrol")
VILLAGE_SIGNALS = ("selective",)
SIGNALS = WORKER_SIGNALS + VILLAGE_SIGNALS
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON_EQUATOR = 111_320.0
# A Monday at local midnight: days since it, mod 7, give the weekday without SQL date functions.
MONDAY_EPOCH = dt.datetime(2000, 1, 3, tzinfo=LOCAL_TZ)
BYPASS_SOURCES = ("resident_call", "hotline_12345")
EVIDENCE_PAGE = 50


def integrity_rules(engine: Engine) -> dict[str, float]:
    return rankings.rules_for(engine, "integrity")


def window(month: dt.date, months: float) -> tuple[dt.date, dt.date]:
    """First and last local day of the `months` months ending with `month`."""
    first = rankings.month_start(month)
    start = rankings.shift_month(first, -(max(int(months), 1) - 1))
    return start, rankings.month_end(first)


def _utc(value):
    return literal(value, events.c.reported_at.type)


def _local_seconds_of_day(column):
    return cast(seconds_between(_utc(MONDAY_EPOCH), column), Integer) % 86400


def _local_weekday(column):
    """0 = Monday … 6 = Sunday, of the local day of `column`."""
    return (cast(seconds_between(_utc(MONDAY_EPOCH), column), Integer) // 86400) % 7


def _cos_lat(engine: Engine) -> float:
    lat = frame(engine, select(func.avg(grids.c.centroid_lat).label("lat"))).iloc[0]["lat"]
    return math.cos(math.radians(float(lat))) if lat is not None and not pd.isna(lat) else 1.0


def _dist2_m(lon1, lat1, lon2, lat2, cos_lat: float):
    """Squared distance in metres² (equirectangular), SQL arithmetic only."""
    dx = (lon2 - lon1) * literal(cos_lat * M_PER_DEG_LON_EQUATOR)
    dy = (lat2 - lat1) * literal(M_PER_DEG_LAT)
    return dx * dx + dy * dy


def _month_end_condition(start: dt.date, end: dt.date, days: int):
    """report_date falls in the last `days` days of its month (one bound range per month)."""
    parts = []
    m = start
    while m <= end:
        last = rankings.month_end(m)
        parts.append(events.c.report_date.between(last - dt.timedelta(days=max(days, 1) - 1), last))
        m = rankings.shift_month(m, 1)
    return or_(*parts)


def _padding_suspect(r: dict, start: dt.date, end: dt.date):
    first_hour = int(r["padding_first_hour"]) * 3600
    sod = _local_seconds_of_day(events.c.reported_at)
    first_working_hour = and_(_local_weekday(events.c.reported_at) < 5, sod >= first_hour, sod < first_hour + 3600)
    rush = or_(first_working_hour, _month_end_condition(start, end, int(r["padding_month_end_days"])))
    quick = and_(
        events.c.closed_at.is_not(None),
        seconds_between(events.c.reported_at, events.c.closed_at) <= r["padding_quick_close_minutes"] * 60,
    )
    return and_(event_item_types.c.trivial == true(), rush, quick)


def _grid_reports(f: Filters, start: dt.date, end: dt.date):
    return and_(
        events.c.reported_by.is_not(None), events.c.report_date.between(start, end), events.c.reported_at <= f.as_of
    )


def _rollup_for(engine: Engine, f: Filters, start: dt.date, end: dt.date) -> dict | None:
    """The rollup's rule values when its rows of the months start..end count exactly what a live
    query as of `f.as_of` would (nothing in them reported later, rules unchanged), else None."""
    p = rm_rollup.params(engine)
    if p is None:
        return None
    rm = rm_rollup.reporter_months.c
    later = frame(
        engine, select(func.count().label("n")).where(rm.month.between(start, end), rm.last_reported_at > f.as_of)
    ).iloc[0, 0]
    return p if int(later) == 0 else None


def _patrols_from_rollup(engine: Engine, f: Filters, start: dt.date, end: dt.date) -> bool:
    """The rollup's patrol days of start..end hold no check-in after `f.as_of` (and its rules are current)."""
    if rm_rollup.params(engine) is None:
        return False
    pdc = rm_rollup.patrol_days.c
    later = frame(
        engine, select(func.count().label("n")).where(pdc.checkin_date.between(start, end), pdc.last_at > f.as_of)
    ).iloc[0, 0]
    return int(later) == 0


def _month_firsts(start: dt.date, end: dt.date) -> list[dt.date]:
    out, m = [], start
    while m <= end:
        out.append(m)
        m = rankings.shift_month(m, 1)
    return out


def padding_features(engine: Engine, f: Filters, month: dt.date) -> pd.DataFrame:
    """Per reporting worker: reports, trivial, suspect events. Columns: worker_id, reports, trivial, suspect."""
    r = integrity_rules(engine)
    start, end = window(month, r["padding_window_months"])
    if _rollup_for(engine, f, start, end) is not None:
        rm = rm_rollup.reporter_months.c
        return _ints(
            frame(
                engine,
                select(
                    rm.reported_by.label("worker_id"),
                    func.sum(rm.reported).label("reports"),
                    func.sum(rm.trivial).label("trivial"),
                    func.sum(rm.padding_suspect).label("suspect"),
                )
                .where(rm.month.in_(_month_firsts(start, end)), rm.reported_by != 0)
                .group_by(rm.reported_by),
            )
        )
    q = (
        select(
            events.c.reported_by.label("worker_id"),
            func.count().label("reports"),
            count_if(event_item_types.c.trivial == true()).label("trivial"),
            count_if(_padding_suspect(r, start, end)).label("suspect"),
        )
        .select_from(events.join(event_item_types, event_item_types.c.code == events.c.item_type_code))
        .where(_grid_reports(f, start, end))
        .group_by(events.c.reported_by)
    )
    return _ints(frame(engine, q))


def _dup_pairs(engine: Engine, f: Filters, month: dt.date, r: dict, worker_id: int | None = None):
    """A SELECT of near-duplicate pairs: worker_id, event_id, prev_event_id, gap_s, dist2_m; one
    worker's only when `worker_id` is given (the partition is per worker, so nothing changes)."""
    start, end = window(month, r["near_duplicates_window_months"])
    part = [events.c.reported_by, events.c.item_type_code]
    order = [events.c.reported_at, events.c.id]
    lagged = (
        select(
            events.c.reported_by.label("worker_id"),
            events.c.id.label("event_id"),
            events.c.reported_at,
            events.c.lon,
            events.c.lat,
            func.lag(events.c.id).over(partition_by=part, order_by=order).label("prev_id"),
            func.lag(events.c.reported_at).over(partition_by=part, order_by=order).label("prev_at"),
            func.lag(events.c.lon).over(partition_by=part, order_by=order).label("prev_lon"),
            func.lag(events.c.lat).over(partition_by=part, order_by=order).label("prev_lat"),
        )
        .where(_grid_reports(f, start, end), true() if worker_id is None else events.c.reported_by == int(worker_id))
        .subquery("lagged")
    )
    gap = seconds_between(lagged.c.prev_at, lagged.c.reported_at)
    dist2 = _dist2_m(lagged.c.prev_lon, lagged.c.prev_lat, lagged.c.lon, lagged.c.lat, _cos_lat(engine))
    max_m = float(r["near_duplicates_max_metres"])
    pairs = select(
        lagged.c.worker_id,
        lagged.c.event_id,
        lagged.c.prev_id.label("prev_event_id"),
        gap.label("gap_s"),
        dist2.label("dist2_m"),
    ).where(lagged.c.prev_id.is_not(None), gap <= r["near_duplicates_max_hours"] * 3600.0, dist2 <= max_m * max_m)
    return pairs


def near_duplicate_features(engine: Engine, f: Filters, month: dt.date) -> pd.DataFrame:
    """Per worker with at least one pair. Columns: worker_id, pairs."""
    r = integrity_rules(engine)
    start, end = window(month, r["near_duplicates_window_months"])
    if r["near_duplicates_max_hours"] <= rm_rollup.MAX_DUP_HOURS and _rollup_for(engine, f, start, end) is not None:
        # Pairs within a month, and pairs reaching back into the month before (when it is in the window).
        rm = rm_rollup.reporter_months.c
        n = func.sum(rm.dup_same + case((rm.month > start, rm.dup_prev), else_=0))
        q = (
            select(rm.reported_by.label("worker_id"), n.label("pairs"))
            .where(rm.month.in_(_month_firsts(start, end)), rm.reported_by != 0)
            .group_by(rm.reported_by)
            .having(n > 0)
        )
        return _ints(frame(engine, q))
    pairs = _dup_pairs(engine, f, month, r).subquery("pairs")
    q = select(pairs.c.worker_id, func.count().label("pairs")).group_by(pairs.c.worker_id)
    return _ints(frame(engine, q))


def _legs(engine: Engine, f: Filters, month: dt.date, r: dict, worker_id: int | None = None):
    """Check-ins of the window with the previous one of the same worker and day (LAG); one
    worker's only when `worker_id` is given (the partition is per worker, so nothing changes)."""
    start, end = window(month, r["empty_patrol_window_months"])
    part = [patrol_checkins.c.worker_id, patrol_checkins.c.checkin_date]
    order = [patrol_checkins.c.at, patrol_checkins.c.id]
    lagged = (
        select(
            patrol_checkins.c.id,
            patrol_checkins.c.worker_id,
            patrol_checkins.c.checkin_date,
            patrol_checkins.c.at,
            patrol_checkins.c.lon,
            patrol_checkins.c.lat,
            func.row_number().over(partition_by=part, order_by=order).label("seq"),
            func.lag(patrol_checkins.c.at).over(partition_by=part, order_by=order).label("prev_at"),
            func.lag(patrol_checkins.c.lon).over(partition_by=part, order_by=order).label("prev_lon"),
            func.lag(patrol_checkins.c.lat).over(partition_by=part, order_by=order).label("prev_lat"),
        )
        .where(
            patrol_checkins.c.checkin_date.between(start, end),
            patrol_checkins.c.at <= f.as_of,
            true() if worker_id is None else patrol_checkins.c.worker_id == int(worker_id),
        )
        .subquery("legs")
    )
    secs = seconds_between(lagged.c.prev_at, lagged.c.at)
    dist2 = _dist2_m(lagged.c.prev_lon, lagged.c.prev_lat, lagged.c.lon, lagged.c.lat, _cos_lat(engine))
    vmax = float(r["empty_patrol_max_kmh"]) / 3.6  # m/s
    # d > v·t, squared to avoid a square root (t ≥ 0; t = 0 with any distance counts as a jump).
    fast = and_(lagged.c.prev_at.is_not(None), dist2 > (secs * vmax) * (secs * vmax), dist2 > 1.0)
    return lagged, fast, dist2, secs


def _patrol_days(
    engine: Engine, f: Filters, month: dt.date, r: dict, worker_id: int | None = None, from_rollup: bool = False
):
    if from_rollup:  # the same per-day features, kept in the rollup
        start, end = window(month, r["empty_patrol_window_months"])
        pdc = rm_rollup.patrol_days.c
        days = (
            select(
                pdc.worker_id,
                pdc.checkin_date,
                pdc.points,
                pdc.fast,
                pdc.sig_lon,
                pdc.sig_lat,
                pdc.sig_lon_w,
                pdc.sig_lat_w,
            )
            .where(pdc.checkin_date.between(start, end))
            .cte("days")
        )
        return _flag_repeats(days, r)
    lagged, fast, _, _ = _legs(engine, f, month, r, worker_id)
    days = (
        select(
            lagged.c.worker_id,
            lagged.c.checkin_date,
            func.count().label("points"),
            func.max(case((fast, 1), else_=0)).label("fast"),
            # The track's signature: the same points in the same order give the same rounded sums
            # (position-weighted, so a route walked in another order is a different track).
            func.round(func.sum(lagged.c.lon) * 100000).label("sig_lon"),
            func.round(func.sum(lagged.c.lat) * 100000).label("sig_lat"),
            func.round(func.sum(lagged.c.lon * lagged.c.seq) * 100000).label("sig_lon_w"),
            func.round(func.sum(lagged.c.lat * lagged.c.seq) * 100000).label("sig_lat_w"),
        )
        .group_by(lagged.c.worker_id, lagged.c.checkin_date)
        .cte("days")  # used twice below: a CTE, so the window runs once
    )
    return _flag_repeats(days, r)


def _flag_repeats(days, r: dict):
    """Days (worker_id, checkin_date, points, fast, signature) with `repeated`: the same track on
    another day of the window."""
    repeats = (
        select(
            days.c.worker_id,
            days.c.points,
            days.c.sig_lon,
            days.c.sig_lat,
            days.c.sig_lon_w,
            days.c.sig_lat_w,
            func.count().label("n_days"),
        )
        .where(days.c.points >= int(r["empty_patrol_route_min_points"]))
        .group_by(days.c.worker_id, days.c.points, days.c.sig_lon, days.c.sig_lat, days.c.sig_lon_w, days.c.sig_lat_w)
        .having(func.count() >= 2)
        .subquery("repeats")
    )
    repeated = and_(repeats.c.n_days.is_not(None))
    flagged = (
        select(
            days.c.worker_id,
            days.c.checkin_date,
            days.c.points,
            days.c.fast,
            case((repeated, 1), else_=0).label("repeated"),
        )
        .select_from(
            days.outerjoin(
                repeats,
                and_(
                    repeats.c.worker_id == days.c.worker_id,
                    repeats.c.points == days.c.points,
                    repeats.c.sig_lon == days.c.sig_lon,
                    repeats.c.sig_lat == days.c.sig_lat,
                    repeats.c.sig_lon_w == days.c.sig_lon_w,
                    repeats.c.sig_lat_w == days.c.sig_lat_w,
                ),
            )
        )
        .subquery("flagged")
    )
    return flagged


def empty_patrol_features(engine: Engine, f: Filters, month: dt.date) -> pd.DataFrame:
    """Per worker with check-ins. Columns: worker_id, patrol_days, fast_days, repeated_days, suspect_days."""
    r = integrity_rules(engine)
    start, end = window(month, r["empty_patrol_window_months"])
    d = _patrol_days(engine, f, month, r, from_rollup=_patrols_from_rollup(engine, f, start, end))
    q = select(
        d.c.worker_id,
        func.count().label("patrol_days"),
        func.sum(d.c.fast).label("fast_days"),
        func.sum(d.c.repeated).label("repeated_days"),
        count_if(or_(d.c.fast == 1, d.c.repeated == 1)).label("suspect_days"),
    ).group_by(d.c.worker_id)
    return _ints(frame(engine, q))


def selective_features(engine: Engine, f: Filters, month: dt.date) -> pd.DataFrame:
    """Per community: grid reports, escalated among them, events that bypassed the grid.

    Columns: village_id, grid_reports, escalated, bypass.
    """
    r = integrity_rules(engine)
    start, end = window(month, r["selective_window_months"])
    if _rollup_for(engine, f, start, end) is not None:
        rm = rm_rollup.reporter_months.c
        q = (
            select(
                rm.village_id,
                func.sum(case((rm.reported_by != 0, rm.reported), else_=0)).label("grid_reports"),
                func.sum(rm.escalated).label("escalated"),
                func.sum(rm.bypass).label("bypass"),
            )
            .where(rm.month.in_(_month_firsts(start, end)), rm.village_id != 0)
            .group_by(rm.village_id)
        )
        return _ints(frame(engine, q))
    is_grid = events.c.reported_by.is_not(None)
    bypass = and_(events.c.reported_by.is_(None), events.c.source.in_(BYPASS_SOURCES))
    q = (
        select(
            events.c.village_id,
            count_if(is_grid).label("grid_reports"),
            count_if(and_(is_grid, events.c.escalations > 0)).label("escalated"),
            count_if(bypass).label("bypass"),
        )
        .where(
            events.c.report_date.between(start, end), events.c.reported_at <= f.as_of, events.c.village_id.is_not(None)
        )
        .group_by(events.c.village_id)
    )
    return _ints(frame(engine, q))


def _ints(df: pd.DataFrame) -> pd.DataFrame:
    for col in df.columns:
        df[col] = pd.to_numeric(df[col]).fillna(0).astype(int)
    return df


# --- the flags -------------------------------------------------------------------------------


def worker_signals(engine: Engine, f: Filters, month: dt.date) -> pd.DataFrame:
    """Every worker who reported or checked in within any window, with features and flags.

    Columns: worker_id, name, role, town_id, town_name, village_id, village_name, reports, trivial,
    trivial_share, padding_suspect, padding_share, dup_pairs, patrol_days, fast_days, repeated_days,
    suspect_days, suspect_day_share, padding, near_duplicates, empty_patrol (bool), flags (count).
    Sorted: most flags first. The sidebar's town/community filter narrows the rows.
    """
    month = rankings.month_start(month)
    r = integrity_rules(engine)
    pad = padding_features(engine, f, month).rename(columns={"suspect": "padding_suspect"})
    dup = near_duplicate_features(engine, f, month).rename(columns={"pairs": "dup_pairs"})
    pat = empty_patrol_features(engine, f, month)
    ids = sorted(set(pad["worker_id"]) | set(dup["worker_id"]) | set(pat["worker_id"]))
    out = pd.DataFrame({"worker_id": pd.Series(ids, dtype=int)})
    out = (
        out.merge(pad, on="worker_id", how="left")
        .merge(dup, on="worker_id", how="left")
        .merge(pat, on="worker_id", how="left")
    )
    for col in (
        "reports",
        "trivial",
        "padding_suspect",
        "dup_pairs",
        "patrol_days",
        "fast_days",
        "repeated_days",
        "suspect_days",
    ):
        out[col] = out[col].fillna(0).astype(int)
    out["trivial_share"] = out["trivial"] / out["reports"].where(out["reports"] > 0)
    out["padding_share"] = out["padding_suspect"] / out["reports"].where(out["reports"] > 0)
    out["suspect_day_share"] = out["suspect_days"] / out["patrol_days"].where(out["patrol_days"] > 0)
    out["padding"] = (out["padding_suspect"] >= r["padding_min_events"]) & (
        out["padding_share"].fillna(0) >= r["padding_min_share"]
    )
    out["near_duplicates"] = out["dup_pairs"] >= r["near_duplicates_min_pairs"]
    out["empty_patrol"] = (out["suspect_days"] >= r["empty_patrol_min_days"]) & (
        out["suspect_day_share"].fillna(0) >= r["empty_patrol_min_share"]
    )
    out["flags"] = out[list(WORKER_SIGNALS)].sum(axis=1).astype(int)
    people = _people(engine, f, ids)
    out = people.merge(out, on="worker_id", how="right")
    out = rankings.scope_rows(out, f, "worker")
    return out.sort_values(
        ["flags", "padding_suspect", "dup_pairs", "suspect_days"], ascending=False, kind="stable"
    ).reset_index(drop=True)


def _people(engine: Engine, f: Filters, ids: list[int]) -> pd.DataFrame:
    village = admin_units.alias("village")
    town = admin_units.alias("town")
    cols = ["worker_id", "name", "role", "town_id", "town_name", "village_id", "village_name"]
    if not ids:
        return pd.DataFrame(columns=cols)
    q = (
        select(
            workers.c.id.label("worker_id"),
            person_name(f, workers.c.name),
            workers.c.role,
            workers.c.town_id,
            town.c.name.label("town_name"),
            workers.c.village_id,
            village.c.name.label("village_name"),
        )
        .select_from(
            workers.join(town, town.c.id == workers.c.town_id).outerjoin(village, village.c.id == workers.c.village_id)
        )
        .where(workers.c.id.in_([int(i) for i in ids]))
    )
    return frame(engine, q, cols)


def village_signals(engine: Engine, f: Filters, month: dt.date) -> pd.DataFrame:
    """Every community with events in the window, with the selective-reporting features and flag.

    Columns: village_id, name, town_id, town_name, grid_reports, escalated, bypass, escalation_share,
    escalation_rel (× county), bypass_ratio, bypass_rel (× county), selective (bool). The county
    shares are over all communities, whatever the sidebar filter; it narrows the rows only.
    """
    month = rankings.month_start(month)
    r = integrity_rules(engine)
    feats = selective_features(engine, f, month)
    county_esc = feats["escalated"].sum() / max(feats["grid_reports"].sum(), 1)
    county_bypass = feats["bypass"].sum() / max(feats["grid_reports"].sum(), 1)
    feats["escalation_share"] = feats["escalated"] / feats["grid_reports"].where(feats["grid_reports"] > 0)
    feats["bypass_ratio"] = feats["bypass"] / feats["grid_reports"].where(feats["grid_reports"] > 0)
    feats["escalation_rel"] = feats["escalation_share"] / county_esc if county_esc else float("nan")
    feats["bypass_rel"] = feats["bypass_ratio"] / county_bypass if county_bypass else float("nan")
    feats["selective"] = (
        (
            (feats["grid_reports"] >= r["selective_min_reports"])
            & (feats["escalation_rel"] <= r["selective_escalation_rel_max"])
            & (feats["bypass_rel"] >= r["selective_outside_rel_min"])
        )
        .fillna(False)
        .astype(bool)
    )
    names = rankings.units(engine, "village")[["unit_id", "name", "town_id", "town_name"]].rename(
        columns={"unit_id": "village_id"}
    )
    out = names.merge(feats, on="village_id", how="inner")
    if f.town_id is not None:
        out = out[out["town_id"] == f.town_id]
    if f.village_id is not None:
        out = out[out["village_id"] == f.village_id]
    return out.sort_values(["selective", "escalation_rel"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )


# --- evidence (bounded, paged) -------------------------------------------------------------------


def lagged_worker_in_town(f: Filters):
    """A condition factory: the worker id column belongs to a worker of the filter's town."""
    return lambda column: column.in_(select(workers.c.id).where(workers.c.town_id == f.town_id))


def evidence(engine: Engine, f: Filters, month: dt.date, signal: str, subject_id: int, page: int = 0) -> pd.DataFrame:
    """The rows behind one flag, EVIDENCE_PAGE per page (page 0 first).

    padding: event_id, code, item, reported_at, closed_at, minutes_to_close.
    near_duplicates: event_id, code, prev_event_id, prev_code, item, reported_at, hours_after, metres.
    empty_patrol: checkin_id, checkin_date, at, lon, lat, kmh (from the previous check-in), reason
    ('fast' | 'repeated_track').
    selective: event_id, code, source, item, reported_at (events that bypassed the grid).
    """
    month = rankings.month_start(month)
    if signal not in SIGNALS:
        raise ValueError(f"Unknown signal {signal!r}")
    if not isinstance(page, int) or page < 0:
        raise ValueError(f"page must be a whole number ≥ 0, not {page!r}")
    sid = int(subject_id)
    r = integrity_rules(engine)
    limit, offset = EVIDENCE_PAGE, page * EVIDENCE_PAGE
    # A subject outside the town filter (a town user's scope) has no evidence to show.
    in_town = true() if f.town_id is None else events.c.town_id == f.town_id
    worker_in_town = (lambda column: true()) if f.town_id is None else lagged_worker_in_town(f)
    item = event_item_types.c.name.label("item")
    if signal == "padding":
        start, end = window(month, r["padding_window_months"])
        q = (
            select(
                events.c.id.label("event_id"),
                events.c.code,
                item,
                events.c.reported_at,
                events.c.closed_at,
                (seconds_between(events.c.reported_at, events.c.closed_at) / 60.0).label("minutes_to_close"),
            )
            .select_from(events.join(event_item_types, event_item_types.c.code == events.c.item_type_code))
            .where(_grid_reports(f, start, end), events.c.reported_by == sid, _padding_suspect(r, start, end), in_town)
            .order_by(events.c.reported_at, events.c.id)
            .limit(limit)
            .offset(offset)
        )
        return frame(engine, q)
    if signal == "near_duplicates":
        pairs = _dup_pairs(engine, f, month, r, sid).subquery("pairs")
        prev = events.alias("prev")
        q = (
            select(
                pairs.c.event_id,
                events.c.code,
                pairs.c.prev_event_id,
                prev.c.code.label("prev_code"),
                item,
                events.c.reported_at,
                (pairs.c.gap_s / 3600.0).label("hours_after"),
                func.sqrt(pairs.c.dist2_m).label("metres"),
            )
            .select_from(
                pairs.join(events, events.c.id == pairs.c.event_id)
                .join(prev, prev.c.id == pairs.c.prev_event_id)
                .join(event_item_types, event_item_types.c.code == events.c.item_type_code)
            )
            .where(pairs.c.worker_id == sid, in_town)
            .order_by(events.c.reported_at, pairs.c.event_id)
            .limit(limit)
            .offset(offset)
        )
        return frame(engine, q)
    if signal == "empty_patrol":
        lagged, fast, dist2, secs = _legs(engine, f, month, r, sid)
        days = _patrol_days(engine, f, month, r, sid)
        kmh = case((secs > 0, func.sqrt(dist2) / secs * 3.6), else_=None)
        q = (
            select(
                lagged.c.id.label("checkin_id"),
                lagged.c.checkin_date,
                lagged.c.at,
                lagged.c.lon,
                lagged.c.lat,
                kmh.label("kmh"),
                case((fast, "fast"), else_="repeated_track").label("reason"),
            )
            .select_from(
                lagged.join(
                    days, and_(days.c.worker_id == lagged.c.worker_id, days.c.checkin_date == lagged.c.checkin_date)
                )
            )
            .where(lagged.c.worker_id == sid, or_(fast, days.c.repeated == 1), worker_in_town(lagged.c.worker_id))
            .order_by(lagged.c.at, lagged.c.id)
            .limit(limit)
            .offset(offset)
        )
        return frame(engine, q)
    start, end = window(month, r["selective_window_months"])
    q = (
        select(events.c.id.label("event_id"), events.c.code, events.c.source, item, events.c.reported_at)
        .select_from(events.join(event_item_types, event_item_types.c.code == events.c.item_type_code))
        .where(
            events.c.village_id == sid,
            events.c.reported_by.is_(None),
            events.c.source.in_(BYPASS_SOURCES),
            events.c.report_date.between(start, end),
            events.c.reported_at <= f.as_of,
            in_town,
        )
        .order_by(events.c.reported_at.desc(), events.c.id)
        .limit(limit)
        .offset(offset)
    )
    return frame(engine, q)


def evidence_count(engine: Engine, f: Filters, month: dt.date, signal: str, subject_id: int) -> int:
    """How many evidence rows `evidence` pages through (for the pager)."""
    month = rankings.month_start(month)
    sid = int(subject_id)
    if signal == "padding":
        df = padding_features(engine, f, month)
        return int(df.loc[df["worker_id"] == sid, "suspect"].sum())
    if signal == "near_duplicates":
        df = near_duplicate_features(engine, f, month)
        return int(df.loc[df["worker_id"] == sid, "pairs"].sum())
    if signal == "empty_patrol":
        r = integrity_rules(engine)
        lagged, fast, _, _ = _legs(engine, f, month, r, sid)
        days = _patrol_days(engine, f, month, r, sid)
        q = (
            select(func.count())
            .select_from(
                lagged.join(
                    days, and_(days.c.worker_id == lagged.c.worker_id, days.c.checkin_date == lagged.c.checkin_date)
                )
            )
            .where(lagged.c.worker_id == sid, or_(fast, days.c.repeated == 1))
        )
        return int(frame(engine, q).iloc[0, 0])
    if signal == "selective":
        df = selective_features(engine, f, month)
        return int(df.loc[df["village_id"] == sid, "bypass"].sum())
    raise ValueError(f"Unknown signal {signal!r}")
