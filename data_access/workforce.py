"""Questions the workforce page asks: staffing, age and education, turnover, workload, retirement.

"Active" is the metric `workforce_active` (metrics.py): on a day D a worker is active when
hired_on <= D and (left_on is null or left_on > D); D is the filter's end date unless said
otherwise. The town / village filter applies (workers and grids carry town_id and village_id); the
category filter does not — a worker belongs to no event category.

Turnover and workload use an *analysis window* of N whole calendar months ending with the month of
the filter's end date when that date is the month's last day, else with the month before it (a
part month would understate a monthly quota).
"""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd
from sqlalchemy import Date, Integer, and_, case, func, literal, or_, select, true, union_all
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from . import metrics as m
from .filters import FilterError, Filters
from .queries import frame, person_name, unit_conditions
from .rollups import reporter_months as rm_rollup
from .schema import admin_units, events, grids, micro_grids, workers
from .sqlfuncs import count_if

# Published reference figures (not computed): T county's grid workers, September 2023, as quoted in
# the field study summarised in DOMAIN.md ("Grid workers (T county, Sept 2023)").
REFERENCE_SOURCE = ("T县网格员队伍公开调研数据(2023年9月)", "T county, published field study (Sept 2023)")
REFERENCE = {
    "workers": 3361,
    "full_time": 836,
    "aged_50_plus_share": 0.71,
    "education_share": {"postgraduate": 0.04, "junior_college": 0.67, "high_school_or_below": 0.29},
}

EMPLOYMENT_TYPES = ("full_time", "part_time", "departmental")
EDUCATION_LEVELS = ("postgraduate", "junior_college", "high_school_or_below")
GENDERS = ("M", "F")
# Age bands of the pyramid: (label, lowest age); "<20" below the first, "75+" from the last.
AGE_BANDS = [("<20", 0)] + [(f"{a}–{a + 4}", a) for a in range(20, 75, 5)] + [("75+", 75)]
# Tenure bands in whole years: (label, lowest years of service).
TENURE_BANDS = [("<1", 0), ("1–2", 1), ("2–3", 2), ("3–5", 3), ("5–10", 5), ("10+", 10)]
# Workload: a worker is "far above" / "far below" when their monthly average is at least / at most
# this multiple of the median monthly average of the workers compared.
FAR_ABOVE_FACTOR = 2.5
FAR_BELOW_FACTOR = 0.4
MAX_WINDOW_MONTHS = 36
MAX_PROJECTION_YEARS = 40


# --- small helpers -----------------------------------------------------------------------------


def shift_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _aged_at_least(age: int, day: dt.date) -> ColumnElement:
    # Completed years on `day` >= age  <=>  born on or before the same day `age` years earlier.
    return workers.c.birth_date <= shift_years(day, -age)


def _band(column: ColumnElement, day: dt.date, bands: list[tuple[str, int]]) -> ColumnElement:
    """CASE giving the band label of a date column (birth or hiring date) measured in years to `day`."""
    whens = [(column <= shift_years(day, -low), literal(label)) for label, low in reversed(bands[1:])]
    return case(*whens, else_=literal(bands[0][0]))


def analysis_months(f: Filters, months: int) -> list[tuple[dt.date, dt.date]]:
    """The window's months as (first day, last day), oldest first (see the module docstring)."""
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= MAX_WINDOW_MONTHS:
        raise FilterError(f"The window must be 1 to {MAX_WINDOW_MONTHS} whole months, not {months!r}.")
    end = f.date_to
    last_day = calendar.monthrange(end.year, end.month)[1]
    year, month = end.year, end.month
    if end.day != last_day:
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    out = []
    for _ in range(months):
        out.append((dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


def _month_index(column: ColumnElement, window: list[tuple[dt.date, dt.date]]) -> ColumnElement:
    """CASE: 0-based index of the window month a date falls in (caller restricts to the window)."""
    return case(
        *[(column >= start, literal(i, Integer)) for i, (start, _) in reversed(list(enumerate(window)))],
        else_=literal(None, Integer),
    )


def _towns(engine: Engine, f: Filters) -> pd.DataFrame:
    q = select(admin_units.c.id.label("town_id"), admin_units.c.name.label("town")).where(admin_units.c.level == "town")
    if f.town_id is not None:
        q = q.where(admin_units.c.id == f.town_id)
    return frame(engine, q.order_by(admin_units.c.code))


def _ratio(num, den, scale: float = 1.0):
    return [None if not d else float(n) / float(d) * scale for n, d in zip(num, den)]


# --- staffing ----------------------------------------------------------------------------------

STAFFING_COUNTS = [
    "grids",
    "micro_grids",
    "residents",
    "households",
    "workers",
    "full_time",
    "part_time",
    "departmental",
    "aged_50_plus",
    "grids_without_full_time",
]


def _staffing_parts(engine: Engine, f: Filters, by_town: bool) -> pd.DataFrame:
    day = f.date_to
    g_cols = [grids.c.town_id] if by_town else []
    mg_cols = [micro_grids.c.town_id] if by_town else []
    w_cols = [workers.c.town_id] if by_town else []
    ft_grids = select(workers.c.grid_id).where(
        m.active_on(day), workers.c.employment_type == "full_time", workers.c.grid_id.is_not(None)
    )
    grid_q = (
        select(
            *g_cols,
            func.count().label("grids"),
            func.coalesce(func.sum(grids.c.residents), 0).label("residents"),
            func.coalesce(func.sum(grids.c.households), 0).label("households"),
            count_if(grids.c.id.not_in(ft_grids)).label("grids_without_full_time"),
        )
        .select_from(grids)
        .where(unit_conditions(f, grids))
        .group_by(*g_cols)
    )
    mg_q = (
        select(*mg_cols, func.count().label("micro_grids"))
        .select_from(micro_grids)
        .where(unit_conditions(f, micro_grids))
        .group_by(*mg_cols)
    )
    w_q = (
        select(
            *w_cols,
            func.count().label("workers"),
            *[count_if(workers.c.employment_type == t).label(t) for t in EMPLOYMENT_TYPES],
            count_if(_aged_at_least(50, day)).label("aged_50_plus"),
        )
        .select_from(workers)
        .where(unit_conditions(f, workers), m.active_on(day))
        .group_by(*w_cols)
    )
    parts = [frame(engine, q) for q in (grid_q, mg_q, w_q)]
    if by_town:
        out = _towns(engine, f)
        for part in parts:
            out = out.merge(part, on="town_id", how="left")
    else:
        out = pd.concat(parts, axis=1)  # each an ungrouped aggregate: exactly one row
    for col in STAFFING_COUNTS:
        out[col] = (out[col] if col in out else pd.Series(0, index=out.index)).fillna(0).astype(int)
    return out


def _add_ratios(df: pd.DataFrame, target_ft_per_grid: float) -> pd.DataFrame:
    df["workers_per_grid"] = _ratio(df["workers"], df["grids"])
    df["workers_per_micro_grid"] = _ratio(df["workers"], df["micro_grids"])
    df["full_time_per_grid"] = _ratio(df["full_time"], df["grids"])
    df["full_time_share"] = _ratio(df["full_time"], df["workers"])
    df["aged_50_plus_share"] = _ratio(df["aged_50_plus"], df["workers"])
    df["per_1000_residents"] = _ratio(df["workers"], df["residents"], 1000)
    df["per_100_households"] = _ratio(df["workers"], df["households"], 100)
    # Whole people: a target of 0.5 per grid in a town of 3 grids needs 2 full-time workers.
    df["target_full_time"] = [int(-(-round(target_ft_per_grid * g, 9) // 1)) for g in df["grids"]]
    df["full_time_gap"] = df["target_full_time"] - df["full_time"]
    return df


def _check_target(target_ft_per_grid: float) -> float:
    try:
        value = float(target_ft_per_grid)
    except (TypeError, ValueError):
        raise FilterError(f"The target must be a number, not {target_ft_per_grid!r}.") from None
    if not 0 <= value <= 20:
        raise FilterError(f"The target must be between 0 and 20 full-time workers per grid, not {value}.")
    return value


def staffing_by_town(engine: Engine, f: Filters, target_ft_per_grid: float = 1.0) -> pd.DataFrame:
    """Staffing per town on the filter's end date, every town in scope present.

    Columns: town_id, town, grids, micro_grids, residents, households, workers, full_time, part_time,
    departmental, aged_50_plus, grids_without_full_time (ints); workers_per_grid,
    workers_per_micro_grid, full_time_per_grid, full_time_share, aged_50_plus_share,
    per_1000_residents, per_100_households (floats, None without a denominator); target_full_time
    (ceil(target × grids)) and full_time_gap (target_full_time − full_time; positive = short).
    """
    return _add_ratios(_staffing_parts(engine, f, by_town=True), _check_target(target_ft_per_grid))


def staffing_total(engine: Engine, f: Filters, target_ft_per_grid: float = 1.0) -> pd.DataFrame:
    """The same columns as `staffing_by_town` (without town_id / town) for the whole scope, as one row.

    Computed by its own ungrouped queries, so a test can check that the towns add up to it.
    """
    return _add_ratios(_staffing_parts(engine, f, by_town=False), _check_target(target_ft_per_grid))


def grids_without_full_time(engine: Engine, f: Filters, limit: int = 50, offset: int = 0) -> pd.DataFrame:
    """Grids with no active full-time worker on the end date, by town and grid code; one page.

    Columns: town, village, grid, households, residents, other_workers (active workers of any other
    type attached to the grid).
    """
    day = f.date_to
    ft_grids = select(workers.c.grid_id).where(
        m.active_on(day), workers.c.employment_type == "full_time", workers.c.grid_id.is_not(None)
    )
    others = (
        select(workers.c.grid_id, func.count().label("n"))
        .where(m.active_on(day), workers.c.grid_id.is_not(None))
        .group_by(workers.c.grid_id)
        .subquery("others")
    )
    town = admin_units.alias("town")
    village = admin_units.alias("village")
    q = (
        select(
            town.c.name.label("town"),
            village.c.name.label("village"),
            grids.c.name.label("grid"),
            grids.c.households,
            grids.c.residents,
            func.coalesce(others.c.n, 0).label("other_workers"),
        )
        .select_from(
            grids.join(town, town.c.id == grids.c.town_id)
            .join(village, village.c.id == grids.c.village_id)
            .outerjoin(others, others.c.grid_id == grids.c.id)
        )
        .where(unit_conditions(f, grids), grids.c.id.not_in(ft_grids))
        .order_by(town.c.code, grids.c.code)
        .limit(max(1, int(limit)))
        .offset(max(0, int(offset)))
    )
    return frame(engine, q)


# --- profiles ----------------------------------------------------------------------------------


def _profile_scope(f: Filters, town_id: int | None) -> ColumnElement:
    cond = and_(unit_conditions(f, workers), m.active_on(f.date_to))
    return cond if town_id is None else and_(cond, workers.c.town_id == int(town_id))


def age_pyramid(engine: Engine, f: Filters, town_id: int | None = None) -> pd.DataFrame:
    """Active workers by 5-year age band (age on the end date) and gender; every band × gender present.

    `town_id` narrows to one town inside the filter (None: the whole scope).
    Columns: band (label), band_order (0 = youngest), gender (M | F), workers.
    """
    band = _band(workers.c.birth_date, f.date_to, AGE_BANDS).label("band")
    q = (
        select(band, workers.c.gender, func.count().label("workers"))
        .where(_profile_scope(f, town_id))
        .group_by(band, workers.c.gender)
    )
    got = frame(engine, q)
    counts = {(b, g): int(n) for b, g, n in zip(got["band"], got["gender"], got["workers"])} if len(got) else {}
    rows = [
        {"band": label, "band_order": i, "gender": g, "workers": counts.get((label, g), 0)}
        for i, (label, _) in enumerate(AGE_BANDS)
        for g in GENDERS
    ]
    return pd.DataFrame(rows, columns=["band", "band_order", "gender", "workers"])


def education_profile(engine: Engine, f: Filters, town_id: int | None = None) -> pd.DataFrame:
    """Active workers by education on the end date, with the published county share beside it.

    Columns: education, workers, share (of the active workers in scope), reference_share.
    """
    q = (
        select(workers.c.education, func.count().label("n"))
        .where(_profile_scope(f, town_id))
        .group_by(workers.c.education)
    )
    got = frame(engine, q)
    counts = dict(zip(got["education"], got["n"])) if len(got) else {}
    total = sum(int(v) for v in counts.values())
    rows = [
        {
            "education": e,
            "workers": int(counts.get(e, 0)),
            "share": m.ratio(counts.get(e, 0), total),
            "reference_share": REFERENCE["education_share"][e],
        }
        for e in EDUCATION_LEVELS
    ]
    return pd.DataFrame(rows, columns=["education", "workers", "share", "reference_share"])


def profile_by_town(engine: Engine, f: Filters) -> pd.DataFrame:
    """Per town: active workers, the 50+ share and each education share on the end date.

    Columns: town_id, town, workers, aged_50_plus, aged_50_plus_share, and for each education level
    e: e (count) and e_share.
    """
    day = f.date_to
    q = (
        select(
            workers.c.town_id,
            func.count().label("workers"),
            count_if(_aged_at_least(50, day)).label("aged_50_plus"),
            *[count_if(workers.c.education == e).label(e) for e in EDUCATION_LEVELS],
        )
        .where(unit_conditions(f, workers), m.active_on(day))
        .group_by(workers.c.town_id)
    )
    out = _towns(engine, f).merge(frame(engine, q), on="town_id", how="left")
    for col in ["workers", "aged_50_plus", *EDUCATION_LEVELS]:
        out[col] = out[col].fillna(0).astype(int)
    out["aged_50_plus_share"] = _ratio(out["aged_50_plus"], out["workers"])
    for e in EDUCATION_LEVELS:
        out[f"{e}_share"] = _ratio(out[e], out["workers"])
    return out


def tenure_distribution(engine: Engine, f: Filters) -> pd.DataFrame:
    """Active workers by completed years of service on the end date and employment type.

    Columns: band (label), band_order, employment_type, workers; every band × type present.
    """
    band = _band(workers.c.hired_on, f.date_to, TENURE_BANDS).label("band")
    q = (
        select(band, workers.c.employment_type, func.count().label("n"))
        .where(unit_conditions(f, workers), m.active_on(f.date_to))
        .group_by(band, workers.c.employment_type)
    )
    got = frame(engine, q)
    counts = {(b, t): int(n) for b, t, n in zip(got["band"], got["employment_type"], got["n"])} if len(got) else {}
    rows = [
        {"band": label, "band_order": i, "employment_type": t, "workers": counts.get((label, t), 0)}
        for i, (label, _) in enumerate(TENURE_BANDS)
        for t in EMPLOYMENT_TYPES
    ]
    return pd.DataFrame(rows, columns=["band", "band_order", "employment_type", "workers"])


# --- turnover ----------------------------------------------------------------------------------


def hires_and_leavers_by_month(engine: Engine, f: Filters, months: int = 12) -> pd.DataFrame:
    """Hires, leavers and the headcount at each month's end over the analysis window.

    Columns: month (first day, date), hires, leavers, headcount_end. Every month present.
    """
    window = analysis_months(f, months)
    start, end = window[0][0], window[-1][1]
    scope = unit_conditions(f, workers)
    frames = {}
    for name, col in (("hires", workers.c.hired_on), ("leavers", workers.c.left_on)):
        idx = _month_index(col, window).label("idx")
        frames[name] = frame(
            engine, select(idx, func.count().label("n")).where(scope, col.between(start, end)).group_by(idx)
        )
    heads = frame(
        engine,
        select(*[count_if(m.active_on(last)).label(f"h{i}") for i, (_, last) in enumerate(window)])
        .select_from(workers)
        .where(scope),
    )
    out = pd.DataFrame({"month": [s for s, _ in window]})
    for name, part in frames.items():
        counts = dict(zip(part["idx"], part["n"])) if len(part) else {}
        out[name] = [int(counts.get(i, 0)) for i in range(len(window))]
    out["headcount_end"] = [int(heads.iloc[0][f"h{i}"]) for i in range(len(window))]
    return out


def turnover_by_town(engine: Engine, f: Filters, months: int = 12) -> pd.DataFrame:
    """Per town over the analysis window: who left, who joined, and the annualised turnover.

    Columns: town_id, town, headcount_start (active on the window's first day), headcount_end (on
    its last day), average_headcount, hires, leavers, turnover_annualised (leavers ÷ average
    headcount × 12 ÷ months; None without headcount). Sorted fastest-losing first.
    """
    window = analysis_months(f, months)
    start, end = window[0][0], window[-1][1]
    q = (
        select(
            workers.c.town_id,
            count_if(m.active_on(start)).label("headcount_start"),
            count_if(m.active_on(end)).label("headcount_end"),
            count_if(workers.c.hired_on.between(start, end)).label("hires"),
            count_if(workers.c.left_on.between(start, end)).label("leavers"),
        )
        .where(unit_conditions(f, workers))
        .group_by(workers.c.town_id)
    )
    out = _towns(engine, f).merge(frame(engine, q), on="town_id", how="left")
    for col in ("headcount_start", "headcount_end", "hires", "leavers"):
        out[col] = out[col].fillna(0).astype(int)
    out["average_headcount"] = (out["headcount_start"] + out["headcount_end"]) / 2
    out["turnover_annualised"] = _ratio(out["leavers"], out["average_headcount"], 12 / len(window))
    return out.sort_values("turnover_annualised", ascending=False, na_position="last", kind="stable").reset_index(
        drop=True
    )


# --- workload ----------------------------------------------------------------------------------


def _worker_months(f: Filters, months: int, employment_type: str, counts_from_rollup: bool = False):
    """Subquery: one row per (worker, window month) the worker was in post for the whole month,
    with the events they reported that month (0 when none). Columns: worker_id, idx, events."""
    if employment_type not in EMPLOYMENT_TYPES:
        raise FilterError(f"Unknown employment type {employment_type!r}.")
    window = analysis_months(f, months)
    start, end = window[0][0], window[-1][1]
    month_rows = [
        select(
            literal(i, Integer).label("idx"), literal(s, Date).label("first_day"), literal(e, Date).label("last_day")
        )
        for i, (s, e) in enumerate(window)
    ]
    month_table = (union_all(*month_rows) if len(month_rows) > 1 else month_rows[0]).subquery("months")
    in_scope = and_(unit_conditions(f, workers), workers.c.employment_type == employment_type)
    slots = (
        select(workers.c.id.label("worker_id"), month_table.c.idx)
        .select_from(workers.join(month_table, true()))
        .where(
            in_scope,
            workers.c.hired_on <= month_table.c.first_day,
            or_(workers.c.left_on.is_(None), workers.c.left_on > month_table.c.last_day),
        )
        .subquery("slots")
    )
    if counts_from_rollup:
        # Events per reporter and month from the rollup (it counts every event in the store).
        rm = rm_rollup.reporter_months.c
        idx = _month_index(rm.month, window).label("idx")
        counted = (
            select(rm.reported_by, idx, func.sum(rm.reported).label("n"))
            .where(rm.month.between(start, end), rm.reported_by.in_(select(workers.c.id).where(in_scope)))
            .group_by(rm.reported_by, idx)
            .subquery("counted")
        )
    else:
        idx = _month_index(events.c.report_date, window).label("idx")
        counted = (
            select(events.c.reported_by, idx, func.count().label("n"))
            .where(
                events.c.report_date.between(start, end), events.c.reported_by.in_(select(workers.c.id).where(in_scope))
            )
            .group_by(events.c.reported_by, idx)
            .subquery("counted")
        )
    return (
        select(slots.c.worker_id, slots.c.idx, func.coalesce(counted.c.n, 0).label("events"))
        .select_from(
            slots.outerjoin(counted, and_(counted.c.reported_by == slots.c.worker_id, counted.c.idx == slots.c.idx))
        )
        .subquery("worker_months")
    )


def workload_distribution(
    engine: Engine, f: Filters, months: int = 12, employment_type: str = "full_time"
) -> pd.DataFrame:
    """How many worker-months had each number of reported events (the spread between workers).

    Columns: events (per worker-month), worker_months. Sorted by events.
    """
    wm = _worker_months(f, months, employment_type, rm_rollup.params(engine) is not None)
    q = select(wm.c.events, func.count().label("worker_months")).group_by(wm.c.events).order_by(wm.c.events)
    out = frame(engine, q)
    return out.astype({"events": int, "worker_months": int}) if len(out) else out


def workload_by_town(
    engine: Engine, f: Filters, months: int = 12, employment_type: str = "full_time", quota: float = 30.0
) -> pd.DataFrame:
    """Per town: worker-months, events, events per worker-month and the share of months at quota.

    Columns: town_id, town, workers (with at least one whole month), worker_months, events,
    events_per_worker_month, months_at_quota, quota_share (months_at_quota ÷ worker_months).
    """
    wm = _worker_months(f, months, employment_type, rm_rollup.params(engine) is not None)
    q = (
        select(
            workers.c.town_id,
            func.count(func.distinct(wm.c.worker_id)).label("workers"),
            func.count().label("worker_months"),
            func.coalesce(func.sum(wm.c.events), 0).label("events"),
            count_if(wm.c.events >= float(quota)).label("months_at_quota"),
        )
        .select_from(wm.join(workers, workers.c.id == wm.c.worker_id))
        .group_by(workers.c.town_id)
    )
    out = _towns(engine, f).merge(frame(engine, q), on="town_id", how="left")
    for col in ("workers", "worker_months", "events", "months_at_quota"):
        out[col] = out[col].fillna(0).astype(int)
    out["events_per_worker_month"] = _ratio(out["events"], out["worker_months"])
    out["quota_share"] = _ratio(out["months_at_quota"], out["worker_months"])
    return out


def workload_by_worker(
    engine: Engine, f: Filters, months: int = 12, employment_type: str = "full_time", quota: float = 30.0
) -> pd.DataFrame:
    """Per worker compared (aggregated in SQL), with the far-above / far-below rule applied.

    Columns: worker_id (internal key, never shown), name, town, grid, months (whole months in post),
    events, per_month (events ÷ months), quota_ratio (per_month ÷ quota), flag ("far_above" when
    per_month ≥ FAR_ABOVE_FACTOR × the median per_month of the workers compared, "far_below" when ≤
    FAR_BELOW_FACTOR × it, else ""). Sorted by per_month, highest first. The median is in `attrs`.
    """
    wm = _worker_months(f, months, employment_type, rm_rollup.params(engine) is not None)
    town = admin_units.alias("town")
    q = (
        select(
            wm.c.worker_id,
            person_name(f, workers.c.name),
            town.c.name.label("town"),
            grids.c.name.label("grid"),
            func.count().label("months"),
            func.coalesce(func.sum(wm.c.events), 0).label("events"),
        )
        .select_from(
            wm.join(workers, workers.c.id == wm.c.worker_id)
            .join(town, town.c.id == workers.c.town_id)
            .outerjoin(grids, grids.c.id == workers.c.grid_id)
        )
        .group_by(wm.c.worker_id, workers.c.name, town.c.name, grids.c.name)
    )
    out = frame(engine, q)
    out["per_month"] = out["events"].astype(float) / out["months"].astype(float) if len(out) else []
    out["quota_ratio"] = out["per_month"] / float(quota) if quota else None
    median = float(out["per_month"].median()) if len(out) else None
    out["flag"] = ""
    if median:
        out.loc[out["per_month"] >= FAR_ABOVE_FACTOR * median, "flag"] = "far_above"
        out.loc[out["per_month"] <= FAR_BELOW_FACTOR * median, "flag"] = "far_below"
    out = out.sort_values(["per_month", "name"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out.attrs["median_per_month"] = median
    return out


# --- retirement projection ---------------------------------------------------------------------


def retirement_projection(engine: Engine, f: Filters, retire_age: int = 60, years: int = 10) -> pd.DataFrame:
    """Active workers left in each town if everyone retires in the calendar year they reach
    `retire_age` and nobody is hired, for the end date's year and each of the next `years` years.

    Counts by birth year are aggregated in SQL (town × birth year × employment type); the projection
    is arithmetic on those counts: at the end of year Y a worker born in B is still in post when
    B + retire_age > Y (year 0 therefore already drops those past the age).
    Columns: town_id, town, year, offset (0..years), full_time, part_time, departmental, total,
    workers_now (active on the end date).
    """
    if not isinstance(retire_age, int) or isinstance(retire_age, bool) or not 40 <= retire_age <= 80:
        raise FilterError(f"The retirement age must be a whole number from 40 to 80, not {retire_age!r}.")
    if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= MAX_PROJECTION_YEARS:
        raise FilterError(f"The horizon must be 1 to {MAX_PROJECTION_YEARS} years, not {years!r}.")
    birth_year = func.extract("year", workers.c.birth_date).label("birth_year")
    q = (
        select(workers.c.town_id, birth_year, workers.c.employment_type, func.count().label("n"))
        .where(unit_conditions(f, workers), m.active_on(f.date_to))
        .group_by(workers.c.town_id, birth_year, workers.c.employment_type)
    )
    counts = frame(engine, q)
    towns = _towns(engine, f)
    if len(counts):
        counts["birth_year"] = counts["birth_year"].astype(int)
        counts["n"] = counts["n"].astype(int)
    base_year = f.date_to.year
    offsets = list(range(years + 1))
    # Vectorised: a birth-year row stays in post for the offsets below birth_year + retire_age − base_year.
    if len(counts):
        stays = (counts["birth_year"].to_numpy()[:, None] + retire_age - base_year) > pd.Series(offsets).to_numpy()
        left = pd.DataFrame(stays * counts["n"].to_numpy()[:, None], columns=offsets)
        left["town_id"], left["employment_type"] = counts["town_id"].to_numpy(), counts["employment_type"].to_numpy()
        by_type = left.groupby(["town_id", "employment_type"])[offsets].sum()
        now_by_town = counts.groupby("town_id")["n"].sum()
    else:
        by_type, now_by_town = pd.DataFrame(columns=offsets), pd.Series(dtype=int)
    rows = []
    for town_id, town_name in zip(towns["town_id"], towns["town"]):
        now = int(now_by_town.get(town_id, 0))
        per_type = {
            t: (by_type.loc[(town_id, t)].to_numpy() if (town_id, t) in by_type.index else None)
            for t in EMPLOYMENT_TYPES
        }
        for offset in offsets:
            row = {"town_id": int(town_id), "town": town_name, "year": base_year + offset, "offset": offset}
            for t in EMPLOYMENT_TYPES:
                row[t] = int(per_type[t][offset]) if per_type[t] is not None else 0
            row["total"] = sum(row[t] for t in EMPLOYMENT_TYPES)
            row["workers_now"] = now
            rows.append(row)
    return pd.DataFrame(rows, columns=["town_id", "town", "year", "offset", *EMPLOYMENT_TYPES, "total", "workers_now"])


def retirement_summary(
    engine: Engine, f: Filters, retire_age: int = 60, years: int = 10, target_ft_per_grid: float = 1.0
) -> pd.DataFrame:
    """Per town: now against the last year of `retirement_projection`, with the full-time gap then.

    Columns: town_id, town, workers_now, workers_then, retired, retired_share, full_time_now,
    full_time_then, grids, target_full_time, full_time_gap_then (target − full_time_then).
    `attrs["year"]` is the projected calendar year.
    """
    projection = retirement_projection(engine, f, retire_age, years)
    staffing = staffing_by_town(engine, f, target_ft_per_grid)
    last = projection[projection["offset"] == years].rename(
        columns={"full_time": "full_time_then", "total": "workers_then"}
    )
    out = last[["town_id", "town", "workers_now", "workers_then", "full_time_then"]].merge(
        staffing[["town_id", "grids", "full_time", "target_full_time"]].rename(columns={"full_time": "full_time_now"}),
        on="town_id",
        how="left",
    )
    out["retired"] = out["workers_now"] - out["workers_then"]
    out["retired_share"] = _ratio(out["retired"], out["workers_now"])
    out["full_time_gap_then"] = out["target_full_time"] - out["full_time_then"]
    out = out[
        [
            "town_id",
            "town",
            "workers_now",
            "workers_then",
            "retired",
            "retired_share",
            "full_time_now",
            "full_time_then",
            "grids",
            "target_full_time",
            "full_time_gap_then",
        ]
    ].reset_index(drop=True)
    out.attrs["year"] = f.date_to.year + years
    return out
