"""Integrity signals (履职真实性): padding, near-duplicate events, empty patrols, selective reporting.

Each detector reads only `events`, `patrol_checkins`, `workers`, `admin_units` and `grids` (and the
`reporter_months` / `patrol_days` rollups that hold the same counts) — never `planted_patterns`.
Counts and joins run in SQL (per-worker GROUP BY with conditional sums, a window LAG, a self-join
of one worker's reports of one category); Python finishes the small per-worker tables: peer
statistics, text similarity of candidate pairs, and the comparison of a bounded set of candidate
patrol days (`tracks`). Thresholds are rules in the store (ruleset
`integrity`, keys prefixed with the signal's name), read by `integrity_rules()`.

Judged against peers, not against fixed recipes. A worker's peers are the workers of the same
role and the same kind of community (village / urban community) with grid reports (padding,
near-duplicates) or check-ins (empty patrols) in the same window; a group of fewer than
`peer_min_workers` falls back to the role county-wide, then to every worker. Two scores:
- robust z = (x − median) / (1.4826·MAD) within the peer group (1.2533 × the mean absolute
  deviation when the MAD is 0; not computable, NaN, when both are 0), for continuous features;
- binomial z = (k − p·n) / √(n·p·(1 − p)) with p the peer group's pooled rate, for counts of rare
  events among a worker's opportunities (most peers have none, so the MAD is 0 there).

- padding: a worker's reports, their trivial share, and per report a "quick self-close" weight:
  trivial item, found on patrol, closed at grid level, weight 1 − minutes-to-close /
  `padding_close_ramp_minutes` (0 beyond it: a continuous score, not one cut); suspect event =
  weight > 0. Concentration in time: the share of reports in the worker's busiest hour of the day
  (any hour) and in the last `padding_month_end_days` days of the months, each shrunk towards the
  county's share by `padding_shrink_reports` pseudo-reports (a worker with 2 reports is not
  "concentrated"). pattern z = the largest robust z of quick-self-close share, busiest-hour share
  and month-end share; volume z = robust z of log(1 + reports). padding_z = min(volume z,
  pattern z): both must be unusual, so an on-the-spot fixer at normal volume and a very busy worker
  with an ordinary pattern are not flagged. Flag: padding_z ≥ `padding_z_min` and ≥
  `padding_min_events` suspect events.
- near_duplicates: a re-entry = a report with an earlier report of the same worker and CATEGORY
  within `near_duplicates_pair_hours` and `near_duplicates_pair_metres` that is either at the same
  spot (≤ `near_duplicates_gps_metres`, GPS error, any item) or the same item with descriptions of
  character-bigram similarity ≥ `near_duplicates_near_text_min` within `near_duplicates_near_metres`
  (two GPS errors), ≥ `near_duplicates_text_min` beyond (rewording). Not counted: a recurring
  problem at a fixed place = a chain of same-spot reports, linked pair by pair, over ≥
  `near_duplicates_recurring_min_days` distinct days with one report a day; or both reports ≥
  `near_duplicates_recurring_min_hours` apart and neither closed by the worker at grid level.
  Opportunities = the worker's reports with any earlier report of theirs within the pair hours
  (bursts of reports make coincidences likelier). near_duplicates_z = binomial z of re-entries
  among opportunities. Flag: z ≥ `near_duplicates_z_min` and ≥ `near_duplicates_min_pairs` re-entries.
- empty_patrol: per worker-day of check-ins: fast = a leg faster than `empty_patrol_max_kmh`;
  stationary = ≥ `empty_patrol_route_min_points` fixes whose radius of gyration is ≤
  `empty_patrol_still_metres` (never beyond GPS noise); replayed = the day's track, resampled to
  `empty_patrol_resample_points` points along its path, within a DTW mean distance of
  `empty_patrol_replay_metres` of another day's track of the worker (candidate days are those
  whose centroid and radius are within that distance of another day's, from SQL; only their fixes are
  loaded). Jitter around real movement keeps the radius large and the DTW distance at several
  times the noise of a true replay. Grid coverage = the radius of gyration of the month's walking
  days' fixes pooled over √(grid area); coverage_z = robust z of its log, low side, among peers
  with ≥ `empty_patrol_coverage_min_days` walking days. empty_patrol_z = max(binomial z of suspect
  days among patrol days, coverage_z). Flag: the suspect-day z ≥ `empty_patrol_z_min` with ≥
  `empty_patrol_min_days` suspect days, or coverage_z ≥ `empty_patrol_coverage_z_min`.
- selective (communities): share of grid reports sent up (escalated) ≤ selective_escalation_rel_max
  × the county's share, and events that bypassed the grid (resident calls or 12345 with no
  reporting worker) per grid report ≥ selective_outside_rel_min × the county's ratio, judged
  only with ≥ selective_min_reports grid reports.

How the thresholds were chosen (development seeds 7 and 11 only, and the hand-planted variations
of tests/planting_variants.py; see docs/INTEGRITY.md "Detectors"): each z threshold sits above the
largest score of the unplanted workers of both seeds' peer distributions, the distances reflect
GPS error and the sample's grid sizes (a true replay scores a few metres, two honest walks of one
grid hundreds), and `strong_z` is the level no unplanted worker of either seed reaches by a
margin, so holding events out of the quantity part is reserved for clear cases.

Each flag carries its evidence (`evidence`), a strength (the z) and the innocent explanation a
reviewer should rule out (`INNOCENT`). Distances in SQL use the equirectangular approximation:
dx = Δlon·cos(lat0)·111,320 m, dy = Δlat·110,574 m, with cos(lat0) of the county's mean latitude
bound as a parameter.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
from sqlalchemy import Date, Integer, and_, case, cast, func, literal, or_, select, true, tuple_
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from . import rankings, tracks
from .filters import LOCAL_TZ, Filters
from .queries import frame, person_name
from .rollups import reporter_months as rm_rollup
from .schema import admin_units, event_item_types, events, grids, patrol_checkins, workers
from .sqlfuncs import count_if, seconds_between

WORKER_SIGNALS = ("padding", "near_duplicates", "empty_patrol")
VILLAGE_SIGNALS = ("selective",)
SIGNALS = WORKER_SIGNALS + VILLAGE_SIGNALS
# The innocent explanation a reviewer should rule out before acting on a flag (label keys).
INNOCENT = {
    "padding": "on_the_spot_fixes",
    "near_duplicates": "recurring_problem",
    "empty_patrol": "gps_noise",
}
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON_EQUATOR = 111_320.0
# A Monday at local midnight: days since it, mod 7, give the weekday without SQL date functions.
MONDAY_EPOCH = dt.datetime(2000, 1, 3, tzinfo=LOCAL_TZ)
BYPASS_SOURCES = ("resident_call", "hotline_12345")
EVIDENCE_PAGE = 50
MAD_TO_SD = 1.4826  # MAD of a normal distribution × this = its standard deviation
MEAN_AD_TO_SD = 1.2533  # mean absolute deviation × this = the standard deviation (√(π/2))


def integrity_rules(engine: Engine) -> dict[str, float]:
    return rankings.rules_for(engine, "integrity")


def window(month: dt.date, months: float) -> tuple[dt.date, dt.date]:
    """First and last local day of the `months` months ending with `month`."""
    first = rankings.month_start(month)
    start = rankings.shift_month(first, -(max(int(months), 1) - 1))
    return start, rankings.month_end(first)


def _utc(value):
    return literal(value, events.c.reported_at.type)


class _days_after(FunctionElement):  # noqa: N801 - reads like the SQL it renders
    """`date + n days` of a DATE column (n a whole number): an upper bound an index range can use."""

    type = Date()
    inherit_cache = True
    name = "days_after"


@compiles(_days_after, "sqlite")
def _days_after_sqlite(element, compiler, **kw):
    day, n = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, '+' || {compiler.process(n, **kw)} || ' days')"


@compiles(_days_after, "postgresql")
def _days_after_pg(element, compiler, **kw):
    day, n = list(element.clauses)
    return f"({compiler.process(day, **kw)} + CAST({compiler.process(n, **kw)} AS INTEGER))"


def _local_seconds_of_day(column):
    return cast(seconds_between(_utc(MONDAY_EPOCH), column), Integer) % 86400


def _reference(engine: Engine) -> tuple[float, float]:
    """The county's mean grid centroid (lon, lat): the origin of local metres."""
    row = frame(
        engine, select(func.avg(grids.c.centroid_lon).label("lon"), func.avg(grids.c.centroid_lat).label("lat"))
    ).iloc[0]
    if row["lat"] is None or pd.isna(row["lat"]):
        return 0.0, 0.0
    return float(row["lon"]), float(row["lat"])


def _cos_lat(engine: Engine) -> float:
    return math.cos(math.radians(_reference(engine)[1]))


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


def _grid_reports(f: Filters, start: dt.date, end: dt.date, table=events):
    return and_(
        table.c.reported_by.is_not(None), table.c.report_date.between(start, end), table.c.reported_at <= f.as_of
    )


def _ints(df: pd.DataFrame) -> pd.DataFrame:
    for col in df.columns:
        df[col] = pd.to_numeric(df[col]).fillna(0).astype(int)
    return df


# --- peers -------------------------------------------------------------------------------------


def peer_groups(engine: Engine, ids) -> pd.DataFrame:
    """worker_id, role, kind (of the worker's community: village | community | none)."""
    cols = ["worker_id", "role", "kind"]
    ids = [int(i) for i in ids]
    if not ids:
        return pd.DataFrame(columns=cols)
    village = admin_units.alias("village")
    q = (
        select(workers.c.id.label("worker_id"), workers.c.role, func.coalesce(village.c.kind, "none").label("kind"))
        .select_from(workers.outerjoin(village, village.c.id == workers.c.village_id))
        .where(workers.c.id.in_(ids))
    )
    return frame(engine, q, cols)


class Peers:
    """Peer groups of a set of workers (rows of `peers`: role, kind), with the fallback: a worker
    whose role·kind group has fewer than `min_workers` members is judged against every worker of
    the role, and against everyone when the role has fewer too. `apply(fn, *series)` runs a
    group-wise statistic at each level (over all rows of the level's groups) and picks the row's level."""

    def __init__(self, peers: pd.DataFrame, min_workers: int):
        role = peers["role"].astype(str)
        fine = role + "·" + peers["kind"].astype(str)
        everyone = pd.Series("county", index=peers.index)
        use_fine = fine.map(fine.value_counts()) >= min_workers
        use_role = ~use_fine & (role.map(role.value_counts()) >= min_workers)
        self.levels = [(fine, use_fine), (role, use_role), (everyone, ~use_fine & ~use_role)]

    def key(self) -> pd.Series:
        """The group each row is judged in (for display and tests)."""
        out = self.levels[2][0].copy()
        for key, use in self.levels[:2]:
            out = out.where(~use, key)
        return out

    def apply(self, fn, *series) -> pd.Series:
        out = pd.Series(np.nan, index=self.levels[0][0].index)
        for key, use in self.levels:
            if use.any():
                out = out.where(~use, fn(*series, key))
        return out


def robust_z(values: pd.Series, groups: pd.Series) -> pd.Series:
    """(x − median) / (1.4826·MAD) within each group; 1.2533 × mean absolute deviation when the MAD
    is 0; NaN when the group has no spread at all."""
    values = pd.to_numeric(values, errors="coerce").astype(float)
    med = values.groupby(groups).transform("median")
    dev = (values - med).abs()
    mad = dev.groupby(groups).transform("median") * MAD_TO_SD
    mean_ad = dev.groupby(groups).transform("mean") * MEAN_AD_TO_SD
    scale = mad.where(mad > 0, mean_ad)
    return (values - med) / scale.where(scale > 0)


def binomial_z(k: pd.Series, n: pd.Series, groups: pd.Series) -> pd.Series:
    """(k − p·n) / √(n·p·(1−p)) with p = Σk / Σn of the group; NaN where n = 0 or p ∈ {0, 1}."""
    k = pd.to_numeric(k).astype(float)
    n = pd.to_numeric(n).astype(float)
    p = k.groupby(groups).transform("sum") / n.groupby(groups).transform("sum").where(lambda s: s > 0)
    var = n * p * (1 - p)
    return (k - p * n) / np.sqrt(var.where(var > 0))


# --- padding -----------------------------------------------------------------------------------


def _quick_self_close(r: dict):
    """(suspect condition, weight expression) of one event: trivial, found on patrol, closed at
    grid level within the ramp; weight 1 − minutes / ramp."""
    ramp = float(r["padding_close_ramp_minutes"]) * 60.0
    secs = seconds_between(events.c.reported_at, events.c.closed_at)
    suspect = and_(
        event_item_types.c.trivial == true(),
        events.c.source == "patrol",
        events.c.handled_level == "grid",
        events.c.closed_at.is_not(None),
        secs >= 0,
        secs < ramp,
    )
    return suspect, case((suspect, 1.0 - secs / ramp), else_=0.0)


def padding_features(engine: Engine, f: Filters, month: dt.date) -> pd.DataFrame:
    """Per reporting worker of the padding window.

    Columns: worker_id, reports, trivial, suspect (quick self-closed trivial reports), quick_sum
    (their weights), busiest_hour (reports in the worker's busiest hour of day), month_end (reports
    in the months' last days)."""
    r = integrity_rules(engine)
    start, end = window(month, r["padding_window_months"])
    suspect, weight = _quick_self_close(r)
    hour = (_local_seconds_of_day(events.c.reported_at) // 3600).label("hour")
    month_end = case((_month_end_condition(start, end, int(r["padding_month_end_days"])), 1), else_=0).label("me")
    q = (
        select(
            events.c.reported_by.label("worker_id"),
            hour,
            month_end,
            func.count().label("n"),
            count_if(event_item_types.c.trivial == true()).label("trivial"),
            count_if(suspect).label("suspect"),
            func.coalesce(func.sum(weight), 0.0).label("quick_sum"),
        )
        .select_from(events.join(event_item_types, event_item_types.c.code == events.c.item_type_code))
        .where(_grid_reports(f, start, end))
        .group_by(events.c.reported_by, hour, month_end)
    )
    cells = frame(engine, q, ["worker_id", "hour", "me", "n", "trivial", "suspect", "quick_sum"])
    cols = ["worker_id", "reports", "trivial", "suspect", "quick_sum", "busiest_hour", "month_end"]
    if cells.empty:
        return pd.DataFrame(columns=cols)
    for c in ("worker_id", "hour", "me", "n", "trivial", "suspect"):
        cells[c] = pd.to_numeric(cells[c]).astype(int)
    cells["quick_sum"] = pd.to_numeric(cells["quick_sum"]).astype(float)
    per = cells.groupby("worker_id").agg(
        reports=("n", "sum"), trivial=("trivial", "sum"), suspect=("suspect", "sum"), quick_sum=("quick_sum", "sum")
    )
    per["busiest_hour"] = cells.groupby(["worker_id", "hour"])["n"].sum().groupby("worker_id").max()
    per["month_end"] = cells[cells["me"] == 1].groupby("worker_id")["n"].sum()
    per["month_end"] = per["month_end"].fillna(0).astype(int)
    return per.reset_index()[cols]


def _padding_scores(pad: pd.DataFrame, groups: Peers, r: dict) -> pd.DataFrame:
    """padding_z and its parts for the workers of `pad` (indexed like it, judged among `groups`).

    Each share is pulled towards the county's by `padding_shrink_reports` pseudo-reports, so a worker
    with two reports, both quick, is not "all quick". padding_z = the largest robust z of the three
    shares; volume_floor = `padding_min_peer_volume` × the peer group's median reports (the suspect
    events alone must reach it: padding adds volume, an on-the-spot fixer's volume is ordinary)."""
    s = float(r["padding_shrink_reports"])
    n = pad["reports"].astype(float)
    total = max(float(n.sum()), 1.0)
    quick0 = float(pad["quick_sum"].sum()) / total
    hour0 = float(pad["busiest_hour"].sum()) / total
    me0 = float(pad["month_end"].sum()) / total
    out = pd.DataFrame(index=pad.index)
    out["quick_share"] = (pad["quick_sum"] + s * quick0) / (n + s)
    out["hour_share"] = (pad["busiest_hour"] + s * hour0) / (n + s)
    out["month_end_share"] = (pad["month_end"] + s * me0) / (n + s)
    for c in ("quick_share", "hour_share", "month_end_share"):
        out[f"{c}_z"] = groups.apply(robust_z, out[c])
    out["padding_z"] = out[["quick_share_z", "hour_share_z", "month_end_share_z"]].max(axis=1, skipna=True)
    out["volume_floor"] = float(r["padding_min_peer_volume"]) * groups.apply(
        lambda v, key: v.groupby(key).transform("median"), n
    )
    return out


# --- near-duplicates -----------------------------------------------------------------------------


def _bigrams(text: str) -> set[str]:
    text = "".join(ch for ch in str(text or "") if not ch.isspace())
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def text_similarity(a: str, b: str) -> float:
    """Character-bigram overlap of two descriptions: shared bigrams / the bigrams of the shorter one
    (1 = one is contained in the other, as a re-entry that adds or drops a clause; 0 = none shared)."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / min(len(x), len(y))


def _pair_candidates(engine: Engine, f: Filters, month: dt.date, r: dict, worker_id: int | None = None):
    """Pairs (earlier, later) of one worker's reports of one category within the pair hours and
    metres, with what classifying them needs. One worker's only when `worker_id` is given."""
    start, end = window(month, r["near_duplicates_window_months"])
    a, b = events.alias("a"), events.alias("b")
    gap = seconds_between(a.c.reported_at, b.c.reported_at)
    dist2 = _dist2_m(a.c.lon, a.c.lat, b.c.lon, b.c.lat, _cos_lat(engine))
    max_m = float(r["near_duplicates_pair_metres"])
    later = or_(b.c.reported_at > a.c.reported_at, and_(b.c.reported_at == a.c.reported_at, b.c.id > a.c.id))
    span_days = int(math.ceil(float(r["near_duplicates_pair_hours"]) / 24.0)) + 1
    who = true() if worker_id is None else a.c.reported_by == int(worker_id)
    q = (
        select(
            a.c.reported_by.label("worker_id"),
            a.c.id.label("prev_event_id"),
            b.c.id.label("event_id"),
            gap.label("gap_s"),
            dist2.label("dist2_m"),
            case((a.c.item_type_code == b.c.item_type_code, 1), else_=0).label("same_item"),
            case((a.c.handled_level == "grid", 1), else_=0).label("prev_self"),
            case((b.c.handled_level == "grid", 1), else_=0).label("self"),
            a.c.description.label("prev_text"),
            b.c.description.label("text"),
            b.c.report_date,
            a.c.report_date.label("prev_report_date"),
        )
        .select_from(
            a.join(
                b,
                and_(
                    b.c.reported_by == a.c.reported_by,
                    b.c.category_code == a.c.category_code,
                    b.c.report_date >= a.c.report_date,
                    # Local days can differ by one more than the hours span: a bound the
                    # (reported_by, report_date) index ranges over; the exact gap is tested below.
                    b.c.report_date <= _days_after(a.c.report_date, literal(span_days, Integer)),
                    b.c.id != a.c.id,
                ),
            )
        )
        .where(
            _grid_reports(f, start, end, a),
            _grid_reports(f, start, end, b),
            who,
            later,
            gap <= float(r["near_duplicates_pair_hours"]) * 3600.0,
            dist2 <= max_m * max_m,
        )
    )
    cols = [
        "worker_id",
        "prev_event_id",
        "event_id",
        "gap_s",
        "dist2_m",
        "same_item",
        "prev_self",
        "self",
        "prev_text",
        "text",
        "report_date",
        "prev_report_date",
    ]
    return frame(engine, q, cols)


def _recurring_chains(pairs: pd.DataFrame, spot: pd.Series, min_days: int) -> pd.Series:
    """Per pair: both reports belong to a chain of one worker's same-spot reports (linked pair by
    pair) that spans at least `min_days` distinct days with at most one report a day — a problem
    that keeps coming back at one place (a market stall each morning), not a re-entry."""
    out = pd.Series(False, index=pairs.index)
    linked = pairs[spot]
    if linked.empty or min_days <= 1:
        return out
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(linked["prev_event_id"].astype(int), linked["event_id"].astype(int)):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    day = {}
    for ids, dates in (
        (linked["prev_event_id"], linked["prev_report_date"]),
        (linked["event_id"], linked["report_date"]),
    ):
        for i, d in zip(ids.astype(int), pd.to_datetime(dates).dt.date):
            day[i] = d
    chains = pd.DataFrame({"event_id": list(day), "day": list(day.values())})
    chains["root"] = [find(i) for i in chains["event_id"]]
    per = chains.groupby("root").agg(days=("day", "nunique"), reports=("event_id", "size"))
    recurring_roots = set(per.index[(per["days"] >= min_days) & (per["reports"] == per["days"])])
    if not recurring_roots:
        return out
    root = {i: find(i) for i in day}
    return pd.Series([root.get(int(b)) in recurring_roots for b in pairs["event_id"]], index=pairs.index) & spot


def classify_pairs(pairs: pd.DataFrame, r: dict) -> pd.DataFrame:
    """The candidate pairs with metres, similarity, and kind: 'same_spot' | 'reworded' (counted),
    'recurring' (a recurring problem at a fixed place: not counted) or '' (not a duplicate).

    same_spot: within `near_duplicates_gps_metres` (GPS error), any item of the category.
    reworded: the same item with descriptions of similarity ≥ `near_duplicates_near_text_min` within
    `near_duplicates_near_metres` (two GPS errors), ≥ `near_duplicates_text_min` up to the pair metres.
    recurring: a same-spot chain over ≥ `near_duplicates_recurring_min_days` days, one report a day; or
    ≥ `near_duplicates_recurring_min_hours` apart with neither report closed by the worker at grid level."""
    out = pairs.copy()
    out["metres"] = np.sqrt(pd.to_numeric(out["dist2_m"]).astype(float))
    out["similarity"] = [text_similarity(x, y) for x, y in zip(out["prev_text"], out["text"])]
    spot = out["metres"] <= float(r["near_duplicates_gps_metres"])
    # Rewording: the farther apart, the closer the text must be (two GPS errors apart, a looser match).
    text_min = np.where(
        out["metres"] <= float(r["near_duplicates_near_metres"]),
        float(r["near_duplicates_near_text_min"]),
        float(r["near_duplicates_text_min"]),
    )
    reworded = (out["same_item"] == 1) & (out["similarity"] >= text_min)
    recurring = (pd.to_numeric(out["gap_s"]) >= float(r["near_duplicates_recurring_min_hours"]) * 3600.0) & (
        (out["self"] == 0) & (out["prev_self"] == 0)
    )
    if len(out):
        recurring = recurring | _recurring_chains(out, spot, int(r["near_duplicates_recurring_min_days"]))
    kind = np.where(spot, "same_spot", np.where(reworded, "reworded", ""))
    out["kind"] = np.where((kind != "") & recurring, "recurring", kind)
    return out


def _opportunities(engine: Engine, f: Filters, month: dt.date, r: dict) -> pd.DataFrame:
    """Per worker: reports with an earlier report of theirs (any category, anywhere) within the pair
    hours — the reports that could be re-entries. Columns: worker_id, reports, opportunities."""
    start, end = window(month, r["near_duplicates_window_months"])
    part, order = [events.c.reported_by], [events.c.reported_at, events.c.id]
    lagged = (
        select(
            events.c.reported_by.label("worker_id"),
            events.c.reported_at,
            func.lag(events.c.reported_at).over(partition_by=part, order_by=order).label("prev_at"),
        )
        .where(_grid_reports(f, start, end))
        .subquery("lagged")
    )
    near = and_(
        lagged.c.prev_at.is_not(None),
        seconds_between(lagged.c.prev_at, lagged.c.reported_at) <= float(r["near_duplicates_pair_hours"]) * 3600.0,
    )
    q = select(lagged.c.worker_id, func.count().label("reports"), count_if(near).label("opportunities")).group_by(
        lagged.c.worker_id
    )
    return _ints(frame(engine, q, ["worker_id", "reports", "opportunities"]))


def near_duplicate_features(engine: Engine, f: Filters, month: dt.date) -> pd.DataFrame:
    """Per worker with grid reports. Columns: worker_id, reports, opportunities, pairs (counted
    re-entries: later reports of a same-spot or reworded pair), recurring (re-entries of a recurring
    problem, not counted)."""
    return _near_dup_tables(engine, f, month, integrity_rules(engine))[0]


# --- empty patrols -------------------------------------------------------------------------------


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


def _patrols_from_rollup(engine: Engine, f: Filters, start: dt.date, end: dt.date) -> bool:
    """The rollup's patrol days of start..end hold no check-in after `f.as_of` (and its rules are current)."""
    if rm_rollup.params(engine) is None:
        return False
    pdc = rm_rollup.patrol_days.c
    later = frame(
        engine, select(func.count().label("n")).where(pdc.checkin_date.between(start, end), pdc.last_at > f.as_of)
    ).iloc[0, 0]
    return int(later) == 0


def _day_table(engine: Engine, f: Filters, month: dt.date, r: dict, worker_id: int | None = None) -> pd.DataFrame:
    """One row per worker-day: points, fast, centroid (cx, cy, metres from the county's reference)
    and radius of gyration (rg), from SQL sums of x, y, x², y² (a plain GROUP BY on the date index);
    points and fast legs from the `patrol_days` rollup when it holds the window, else a LAG."""
    start, end = window(month, r["empty_patrol_window_months"])
    lon0, lat0 = _reference(engine)
    kx = math.cos(math.radians(lat0)) * M_PER_DEG_LON_EQUATOR
    pc = patrol_checkins.c
    who = true() if worker_id is None else pc.worker_id == int(worker_id)
    x = (pc.lon - literal(lon0)) * literal(kx)
    y = (pc.lat - literal(lat0)) * literal(M_PER_DEG_LAT)
    q = (
        select(
            pc.worker_id,
            pc.checkin_date,
            func.count().label("points"),
            func.avg(x).label("cx"),
            func.avg(y).label("cy"),
            func.avg(x * x).label("cxx"),
            func.avg(y * y).label("cyy"),
        )
        .where(pc.checkin_date.between(start, end), pc.at <= f.as_of, who)
        .group_by(pc.checkin_date, pc.worker_id)  # the date index order: no sort
    )
    days = frame(engine, q, ["worker_id", "checkin_date", "points", "cx", "cy", "cxx", "cyy"])
    if _patrols_from_rollup(engine, f, start, end):
        pdc = rm_rollup.patrol_days.c
        fq = select(pdc.worker_id, pdc.checkin_date, pdc.fast).where(
            pdc.checkin_date.between(start, end),
            pdc.fast > 0,
            true() if worker_id is None else pdc.worker_id == int(worker_id),
        )
    else:
        lagged, fast, _, _ = _legs(engine, f, month, r, worker_id)
        fq = (
            select(lagged.c.worker_id, lagged.c.checkin_date, func.max(case((fast, 1), else_=0)).label("fast"))
            .group_by(lagged.c.worker_id, lagged.c.checkin_date)
            .having(func.max(case((fast, 1), else_=0)) > 0)
        )
    fast_days = frame(engine, fq, ["worker_id", "checkin_date", "fast"])
    for frame_ in (days, fast_days):
        frame_["worker_id"] = pd.to_numeric(frame_["worker_id"]).astype(int)
    days = days.merge(fast_days, on=["worker_id", "checkin_date"], how="left")
    days["fast"] = pd.to_numeric(days["fast"]).fillna(0).astype(int)
    days["points"] = pd.to_numeric(days["points"]).astype(int)
    for c in ("cx", "cy", "cxx", "cyy"):
        days[c] = pd.to_numeric(days[c]).astype(float)
    var = (days["cxx"] - days["cx"] ** 2) + (days["cyy"] - days["cy"] ** 2)
    days["rg"] = np.sqrt(var.clip(lower=0.0))
    return days.drop(columns=["cxx", "cyy"])


def _replayed_days(engine: Engine, f: Filters, days: pd.DataFrame, r: dict) -> set[tuple[int, dt.date]]:
    """(worker_id, day) of days whose track is within the replay distance of another day's.

    Candidates from the day table (centroids and radii within the distance: a replay keeps both,
    its noise averages out in the centroid); only their check-ins are loaded, and the candidate
    pairs are compared at once."""
    tol = float(r["empty_patrol_replay_metres"])
    k = int(r["empty_patrol_resample_points"])
    moving = days[(days["points"] >= int(r["empty_patrol_route_min_points"])) & ~days["still"]]
    moving = moving[["worker_id", "checkin_date", "cx", "cy", "rg"]]
    pairs = moving.merge(moving, on="worker_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs["checkin_date_a"] < pairs["checkin_date_b"]]
    near = (np.hypot(pairs["cx_a"] - pairs["cx_b"], pairs["cy_a"] - pairs["cy_b"]) <= tol) & (
        (pairs["rg_a"] - pairs["rg_b"]).abs() <= tol
    )
    pairs = pairs[near]
    if pairs.empty:
        return set()
    wanted = set(zip(pairs["worker_id"], pairs["checkin_date_a"])) | set(
        zip(pairs["worker_id"], pairs["checkin_date_b"])
    )
    pc = patrol_checkins.c
    q = (
        select(pc.worker_id, pc.checkin_date, pc.lon, pc.lat)
        .where(
            pc.worker_id.in_(sorted({int(w) for w, _ in wanted})),
            pc.checkin_date.in_(sorted({d for _, d in wanted})),
            tuple_(pc.worker_id, pc.checkin_date).in_(sorted((int(w), d) for w, d in wanted)),
            pc.at <= f.as_of,
        )
        .order_by(pc.worker_id, pc.checkin_date, pc.at, pc.id)
    )
    fixes = frame(engine, q, ["worker_id", "checkin_date", "lon", "lat"])
    fixes["worker_id"] = pd.to_numeric(fixes["worker_id"]).astype(int)
    lon0, lat0 = _reference(engine)
    shapes = {}
    for key, g in fixes.groupby(["worker_id", "checkin_date"], sort=False):
        if key in wanted:
            shapes[key] = tracks.resample(tracks.to_metres(g["lon"], g["lat"], lon0, lat0), k)
    keys = [
        (w, da, db)
        for w, da, db in zip(pairs["worker_id"], pairs["checkin_date_a"], pairs["checkin_date_b"])
        if (w, da) in shapes and (w, db) in shapes
    ]
    if not keys:
        return set()
    dist = tracks.dtw_mean_batch(
        np.stack([shapes[(w, da)] for w, da, _ in keys]), np.stack([shapes[(w, db)] for w, _, db in keys])
    )
    out: set[tuple[int, dt.date]] = set()
    for (w, da, db), dd in zip(keys, dist):
        if dd <= tol:
            out.update({(w, da), (w, db)})
    return out


def patrol_days(engine: Engine, f: Filters, month: dt.date, worker_id: int | None = None) -> pd.DataFrame:
    """Worker-days of the empty-patrol window: worker_id, checkin_date, points, fast, still,
    repeated (replayed track), rg (metres), suspect."""
    r = integrity_rules(engine)
    days = _day_table(engine, f, month, r, worker_id)
    days["still"] = (days["points"] >= int(r["empty_patrol_route_min_points"])) & (
        days["rg"] <= float(r["empty_patrol_still_metres"])
    )
    replayed = _replayed_days(engine, f, days, r) if len(days) else set()
    days["repeated"] = [(w, d) in replayed for w, d in zip(days["worker_id"], days["checkin_date"])]
    days["fast"] = days["fast"].astype(bool)
    days["suspect"] = days["fast"] | days["still"] | days["repeated"]
    return days


def _grid_sizes(engine: Engine, ids) -> pd.Series:
    """√(area) in metres of each worker's grid (NaN for a worker without one), by worker_id."""
    ids = [int(i) for i in ids]
    if not ids:
        return pd.Series(dtype=float)
    q = (
        select(workers.c.id.label("worker_id"), grids.c.area_km2)
        .select_from(workers.join(grids, grids.c.id == workers.c.grid_id))
        .where(workers.c.id.in_(ids))
    )
    g = frame(engine, q, ["worker_id", "area_km2"])
    area = pd.to_numeric(g["area_km2"]).astype(float)
    return pd.Series(np.sqrt(area.where(area > 0) * 1e6).to_numpy(), index=pd.to_numeric(g["worker_id"]).astype(int))


def empty_patrol_features(engine: Engine, f: Filters, month: dt.date) -> pd.DataFrame:
    """Per worker with check-ins. Columns: worker_id, patrol_days, fast_days, still_days,
    repeated_days, suspect_days; walk_days (days that moved: not stationary), spread_m (radius of
    gyration of every fix of those days pooled, metres: how much of the grid the month's walking
    reaches), coverage (spread_m / √(the worker's grid area); NaN without a grid)."""
    d = patrol_days(engine, f, month)
    cols = ["worker_id", "patrol_days", "fast_days", "still_days", "repeated_days", "suspect_days"]
    if d.empty:
        return pd.DataFrame(columns=cols + ["walk_days", "spread_m", "coverage"])
    out = d.groupby("worker_id").agg(
        patrol_days=("points", "size"),
        fast_days=("fast", "sum"),
        still_days=("still", "sum"),
        repeated_days=("repeated", "sum"),
        suspect_days=("suspect", "sum"),
    )
    out = _ints(out.reset_index()[cols])
    # Pooled second moments of the walking days: Σn·(rg² + cx² + cy²) / Σn − (mean x)² − (mean y)².
    walk = d[~d["still"]].assign(n=lambda x: x["points"].astype(float))
    walk = walk.assign(
        nx=walk["n"] * walk["cx"],
        ny=walk["n"] * walk["cy"],
        nm=walk["n"] * (walk["rg"] ** 2 + walk["cx"] ** 2 + walk["cy"] ** 2),
    )
    pooled = walk.groupby("worker_id").agg(
        walk_days=("n", "size"), n=("n", "sum"), nx=("nx", "sum"), ny=("ny", "sum"), nm=("nm", "sum")
    )
    var = pooled["nm"] / pooled["n"] - (pooled["nx"] / pooled["n"]) ** 2 - (pooled["ny"] / pooled["n"]) ** 2
    pooled["spread_m"] = np.sqrt(var.clip(lower=0.0))
    out["walk_days"] = out["worker_id"].map(pooled["walk_days"]).fillna(0).astype(int)
    out["spread_m"] = out["worker_id"].map(pooled["spread_m"]).astype(float)
    out["coverage"] = out["spread_m"] / out["worker_id"].map(_grid_sizes(engine, out["worker_id"])).astype(float)
    return out


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


def _month_firsts(start: dt.date, end: dt.date) -> list[dt.date]:
    out, m = [], start
    while m <= end:
        out.append(m)
        m = rankings.shift_month(m, 1)
    return out


# --- selective reporting (communities) ---------------------------------------------------------


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


# --- the flags -------------------------------------------------------------------------------


def _near_dup_tables(engine: Engine, f: Filters, month: dt.date, r: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-worker features as near_duplicate_features, the counted pairs)."""
    opp = _opportunities(engine, f, month, r)
    pairs = classify_pairs(_pair_candidates(engine, f, month, r), r)
    counted = pairs[pairs["kind"].isin(["same_spot", "reworded"])]
    recurring = pairs[(pairs["kind"] == "recurring") & ~pairs["event_id"].isin(counted["event_id"])]
    opp["pairs"] = opp["worker_id"].map(counted.groupby("worker_id")["event_id"].nunique()).fillna(0).astype(int)
    opp["recurring"] = opp["worker_id"].map(recurring.groupby("worker_id")["event_id"].nunique()).fillna(0).astype(int)
    return opp, counted


def _month_suspects(engine: Engine, f: Filters, month: dt.date, r: dict, pad_ids, counted: pd.DataFrame, dup_ids):
    """{worker_id: set of event ids} reported in `month`: quick self-closed trivial reports of the
    workers `pad_ids`, and counted re-entries of the workers `dup_ids`."""
    first, last = rankings.month_start(month), rankings.month_end(rankings.month_start(month))
    out: dict[int, set[int]] = {}
    pad_ids = [int(i) for i in pad_ids]
    if pad_ids:
        suspect, _ = _quick_self_close(r)
        q = (
            select(events.c.reported_by, events.c.id)
            .select_from(events.join(event_item_types, event_item_types.c.code == events.c.item_type_code))
            .where(_grid_reports(f, first, last), events.c.reported_by.in_(pad_ids), suspect)
        )
        for w, i in frame(engine, q, ["reported_by", "id"]).itertuples(index=False):
            out.setdefault(int(w), set()).add(int(i))
    dup_ids = {int(i) for i in dup_ids}
    if dup_ids and len(counted):
        days = pd.to_datetime(counted["report_date"]).dt.date
        mine = counted[counted["worker_id"].isin(dup_ids) & (days >= first) & (days <= last)]
        for w, i in zip(mine["worker_id"], mine["event_id"]):
            out.setdefault(int(w), set()).add(int(i))
    return out


def _signals(engine: Engine, f: Filters, month: dt.date):
    """(the unfiltered worker table, the counted near-duplicate pairs, the rules, the held event
    ids by worker)."""
    month = rankings.month_start(month)
    r = integrity_rules(engine)
    pad = padding_features(engine, f, month).rename(columns={"suspect": "padding_suspect"})
    dup, counted = _near_dup_tables(engine, f, month, r)
    dup = dup.drop(columns=["reports"]).rename(columns={"pairs": "dup_pairs", "recurring": "recurring_pairs"})
    pat = empty_patrol_features(engine, f, month)
    ids = sorted(set(pad["worker_id"]) | set(dup["worker_id"]) | set(pat["worker_id"]))
    out = pd.DataFrame({"worker_id": pd.Series(ids, dtype=int)})
    out = (
        out.merge(pad, on="worker_id", how="left")
        .merge(dup, on="worker_id", how="left")
        .merge(pat, on="worker_id", how="left")
    )
    counts = (
        "reports",
        "trivial",
        "padding_suspect",
        "busiest_hour",
        "month_end",
        "opportunities",
        "dup_pairs",
        "recurring_pairs",
        "patrol_days",
        "fast_days",
        "still_days",
        "repeated_days",
        "suspect_days",
    )
    for col in counts:
        out[col] = out[col].fillna(0).astype(int)
    out["walk_days"] = out["walk_days"].fillna(0).astype(int)
    out["quick_sum"] = out["quick_sum"].fillna(0.0).astype(float)
    out["trivial_share"] = out["trivial"] / out["reports"].where(out["reports"] > 0)
    out["padding_share"] = out["padding_suspect"] / out["reports"].where(out["reports"] > 0)
    out["suspect_day_share"] = out["suspect_days"] / out["patrol_days"].where(out["patrol_days"] > 0)

    peers = peer_groups(engine, ids).rename(columns={"role": "peer_role"})
    peers["worker_id"] = pd.to_numeric(peers["worker_id"]).astype(int)
    out = out.merge(peers, on="worker_id", how="left")
    out["kind"] = out["kind"].fillna("none")
    out["peer_role"] = out["peer_role"].fillna("none")
    min_w = int(r["peer_min_workers"])
    grouped = out.rename(columns={"peer_role": "role"})[["role", "kind"]]

    for col in ("padding_z", "near_duplicates_z", "empty_patrol_z", "quick_share", "volume_floor"):
        out[col] = np.nan
    rep = out["reports"] > 0
    if rep.any():
        g = Peers(grouped[rep], min_w)
        scores = _padding_scores(out[rep], g, r)
        for col in ("padding_z", "quick_share", "volume_floor"):
            out.loc[rep, col] = scores[col]
        out.loc[rep, "near_duplicates_z"] = g.apply(
            binomial_z, out.loc[rep, "dup_pairs"], out.loc[rep, "opportunities"]
        )
    walked = out["patrol_days"] > 0
    out["days_z"] = np.nan
    out["coverage_z"] = np.nan
    if walked.any():
        g = Peers(grouped[walked], min_w)
        out.loc[walked, "days_z"] = g.apply(binomial_z, out.loc[walked, "suspect_days"], out.loc[walked, "patrol_days"])
    # Coverage: a month of real walking confined to a corner of the grid. Judged only with enough
    # walking days (a few days of one route say nothing), against peers with as many; low = suspect.
    judged = (out["walk_days"] >= int(r["empty_patrol_coverage_min_days"])) & (out["coverage"] > 0)
    if judged.any():
        g = Peers(grouped[judged], min_w)
        out.loc[judged, "coverage_z"] = -g.apply(robust_z, np.log(out.loc[judged, "coverage"]))
    out["empty_patrol_z"] = out[["days_z", "coverage_z"]].max(axis=1, skipna=True)

    out["padding"] = (
        (out["padding_z"] >= r["padding_z_min"])
        & (out["padding_suspect"] >= r["padding_min_events"])
        & (out["padding_suspect"] >= out["volume_floor"])
    )
    out["near_duplicates"] = (out["near_duplicates_z"] >= r["near_duplicates_z_min"]) & (
        out["dup_pairs"] >= r["near_duplicates_min_pairs"]
    )
    out["empty_patrol"] = (
        (out["days_z"] >= r["empty_patrol_z_min"]) & (out["suspect_days"] >= r["empty_patrol_min_days"])
    ) | (out["coverage_z"] >= r["empty_patrol_coverage_z_min"])
    for s in WORKER_SIGNALS:
        out[s] = out[s].fillna(False).astype(bool)
    out["flags"] = out[list(WORKER_SIGNALS)].sum(axis=1).astype(int)
    zs = pd.concat([out[f"{s}_z"].where(out[s]) for s in WORKER_SIGNALS], axis=1)
    out["strength"] = zs.max(axis=1, skipna=True)
    strong = {s: out[s] & (out[f"{s}_z"] >= r["strong_z"]) for s in WORKER_SIGNALS}
    out["strong"] = strong["padding"] | strong["near_duplicates"] | strong["empty_patrol"]
    out["innocent"] = [
        ",".join(INNOCENT[s] for s, on in zip(WORKER_SIGNALS, row) if on)
        for row in zip(*(out[s] for s in WORKER_SIGNALS))
    ]
    held = _month_suspects(
        engine,
        f,
        month,
        r,
        out.loc[strong["padding"], "worker_id"],
        counted,
        out.loc[strong["near_duplicates"], "worker_id"],
    )
    out["held_events"] = out["worker_id"].map(lambda w: len(held.get(int(w), ()))).astype(int)
    out = out.drop(columns=["kind", "peer_role"])
    return out, counted, r, held


def worker_signals(engine: Engine, f: Filters, month: dt.date) -> pd.DataFrame:
    """Every worker who reported or checked in within any window, with features, scores and flags.

    Columns: worker_id, name, role, town_id, town_name, village_id, village_name; features: reports,
    trivial, trivial_share, padding_suspect (quick self-closed trivial reports), padding_share,
    quick_sum, quick_share, busiest_hour, month_end, opportunities, dup_pairs (counted re-entries),
    recurring_pairs (re-entries of a recurring problem, not counted), patrol_days, fast_days,
    still_days, repeated_days (replayed tracks), suspect_days, suspect_day_share; scores: volume_z,
    pattern_z, padding_z, near_duplicates_z, empty_patrol_z (NaN when not computable); flags:
    padding, near_duplicates, empty_patrol (bool), flags (count), strength (max z over the flagged
    signals, NaN if none), strong (a flag at z ≥ strong_z), held_events (the worker's events of the
    month under a strong padding or near-duplicate flag: held out of the quantity part until a
    reviewer clears them, `suspect_event_ids`), innocent (comma-separated `INNOCENT` keys of the
    flagged signals). Sorted: most flags first, then strength. The sidebar's town/community filter
    narrows the rows; peers are always county-wide.
    """
    out, _, _, _ = _signals(engine, f, month)
    people = _people(engine, f, list(out["worker_id"]))
    out = people.merge(out, on="worker_id", how="right")
    out = rankings.scope_rows(out, f, "worker")
    return out.sort_values(
        ["flags", "strength", "padding_suspect", "dup_pairs", "suspect_days"],
        ascending=False,
        kind="stable",
        na_position="last",
    ).reset_index(drop=True)


def held_event_ids(engine: Engine, f: Filters, month: dt.date) -> dict[int, list[int]]:
    """`suspect_event_ids` of every worker at once ({worker_id: event ids}, only workers with any),
    narrowed by the filter's town / community like worker_signals' rows."""
    _, _, _, held = _signals(engine, f, month)
    people = rankings.scope_rows(_people(engine, f, sorted(held)), f, "worker")
    keep = {int(i) for i in people["worker_id"]}
    return {w: sorted(ids) for w, ids in sorted(held.items()) if w in keep and ids}


def suspect_event_ids(engine: Engine, f: Filters, month: dt.date, worker_id: int) -> list[int]:
    """The worker's events of `month` held out of the quantity part (see worker_signals'
    held_events): empty unless the worker has a strong padding or near-duplicate flag, or is outside
    the filter's town / community."""
    out, _, _, held = _signals(engine, f, month)
    wid = int(worker_id)
    people = _people(engine, f, [wid])
    if rankings.scope_rows(people, f, "worker").empty:
        return []
    return sorted(held.get(wid, set()))


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


def _worker_in_scope(engine: Engine, f: Filters, sid: int) -> bool:
    if f.town_id is None:
        return True
    q = select(func.count()).where(workers.c.id == sid, workers.c.town_id == f.town_id)
    return int(frame(engine, q).iloc[0, 0]) > 0


def _padding_evidence_query(f: Filters, month: dt.date, r: dict, sid: int):
    start, end = window(month, r["padding_window_months"])
    suspect, _ = _quick_self_close(r)
    return (
        select(
            events.c.id.label("event_id"),
            events.c.code,
            event_item_types.c.name.label("item"),
            events.c.reported_at,
            events.c.closed_at,
            (seconds_between(events.c.reported_at, events.c.closed_at) / 60.0).label("minutes_to_close"),
        )
        .select_from(events.join(event_item_types, event_item_types.c.code == events.c.item_type_code))
        .where(_grid_reports(f, start, end), events.c.reported_by == sid, suspect)
    )


def _near_dup_evidence(engine: Engine, f: Filters, month: dt.date, r: dict, sid: int) -> pd.DataFrame:
    """The worker's counted re-entries, one row per later report (its closest earlier twin)."""
    cols = ["event_id", "code", "prev_event_id", "prev_code", "item", "reported_at", "hours_after", "metres"]
    pairs = classify_pairs(_pair_candidates(engine, f, month, r, sid), r)
    pairs = pairs[pairs["kind"].isin(["same_spot", "reworded"])]
    if pairs.empty:
        return pd.DataFrame(columns=cols)
    pairs = pairs.sort_values(["event_id", "metres", "prev_event_id"]).drop_duplicates("event_id")
    ids = sorted(set(pairs["event_id"]) | set(pairs["prev_event_id"]))
    q = (
        select(
            events.c.id,
            events.c.code,
            event_item_types.c.name.label("item"),
            events.c.reported_at,
        )
        .select_from(events.join(event_item_types, event_item_types.c.code == events.c.item_type_code))
        .where(events.c.id.in_([int(i) for i in ids]))
    )
    info = frame(engine, q, ["id", "code", "item", "reported_at"]).set_index("id")
    out = pd.DataFrame(
        {
            "event_id": pairs["event_id"].astype(int).to_numpy(),
            "code": info.loc[pairs["event_id"], "code"].to_numpy(),
            "prev_event_id": pairs["prev_event_id"].astype(int).to_numpy(),
            "prev_code": info.loc[pairs["prev_event_id"], "code"].to_numpy(),
            "item": info.loc[pairs["event_id"], "item"].to_numpy(),
            "reported_at": info.loc[pairs["event_id"], "reported_at"].to_numpy(),
            "hours_after": (pd.to_numeric(pairs["gap_s"]) / 3600.0).to_numpy(),
            "metres": pairs["metres"].to_numpy(),
        }
    )
    return out.sort_values(["reported_at", "event_id"], kind="stable").reset_index(drop=True)[cols]


def _empty_patrol_evidence(engine: Engine, f: Filters, month: dt.date, r: dict, sid: int) -> pd.DataFrame:
    """Check-ins of the worker's suspect days: fast legs, and every fix of a stationary or replayed day."""
    cols = ["checkin_id", "checkin_date", "at", "lon", "lat", "kmh", "reason"]
    days = patrol_days(engine, f, month, sid)
    days = days[days["suspect"]]
    if days.empty:
        return pd.DataFrame(columns=cols)
    lagged, fast, dist2, secs = _legs(engine, f, month, r, sid)
    kmh = case((secs > 0, func.sqrt(dist2) / secs * 3.6), else_=None)
    q = select(
        lagged.c.id.label("checkin_id"),
        lagged.c.checkin_date,
        lagged.c.at,
        lagged.c.lon,
        lagged.c.lat,
        kmh.label("kmh"),
        case((fast, 1), else_=0).label("fast"),
    ).order_by(lagged.c.at, lagged.c.id)
    fixes = frame(engine, q, ["checkin_id", "checkin_date", "at", "lon", "lat", "kmh", "fast"])
    fixes = fixes.merge(days[["checkin_date", "still", "repeated"]], on="checkin_date", how="inner")
    fast_leg = pd.to_numeric(fixes["fast"]) == 1
    fixes["reason"] = np.where(
        fast_leg, "fast", np.where(fixes["still"], "stationary", np.where(fixes["repeated"], "repeated_track", ""))
    )
    return fixes[fixes["reason"] != ""].reset_index(drop=True)[cols]


def _worker_evidence(engine: Engine, f: Filters, month: dt.date, signal: str, sid: int) -> pd.DataFrame:
    r = integrity_rules(engine)
    if signal == "near_duplicates":
        return _near_dup_evidence(engine, f, month, r, sid)
    return _empty_patrol_evidence(engine, f, month, r, sid)


def evidence(engine: Engine, f: Filters, month: dt.date, signal: str, subject_id: int, page: int = 0) -> pd.DataFrame:
    """The rows behind one flag, EVIDENCE_PAGE per page (page 0 first).

    padding: event_id, code, item, reported_at, closed_at, minutes_to_close (the quick self-closed
    trivial reports).
    near_duplicates: event_id, code, prev_event_id, prev_code, item, reported_at, hours_after, metres
    (each counted re-entry with its closest earlier twin).
    empty_patrol: checkin_id, checkin_date, at, lon, lat, kmh (from the previous check-in), reason
    ('fast' leg | every fix of a 'stationary' or 'repeated_track' day).
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
    item = event_item_types.c.name.label("item")
    if signal == "padding":
        q = _padding_evidence_query(f, month, r, sid).where(in_town)
        return frame(engine, q.order_by(events.c.reported_at, events.c.id).limit(limit).offset(offset))
    if signal in ("near_duplicates", "empty_patrol"):
        if not _worker_in_scope(engine, f, sid):
            return _worker_evidence(engine, f, month, signal, sid).iloc[0:0]
        rows = _worker_evidence(engine, f, month, signal, sid)
        return rows.iloc[offset : offset + limit].reset_index(drop=True)
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
        sub = _padding_evidence_query(f, month, integrity_rules(engine), sid).subquery("suspects")
        return int(frame(engine, select(func.count()).select_from(sub)).iloc[0, 0])
    if signal in ("near_duplicates", "empty_patrol"):
        return len(_worker_evidence(engine, f, month, signal, sid))
    if signal == "selective":
        df = selective_features(engine, f, month)
        return int(df.loc[df["village_id"] == sid, "bypass"].sum())
    raise ValueError(f"Unknown signal {signal!r}")
