"""Questions the department response page asks (部门响应). Every number is aggregated in SQL.

The unit of measure is an *assignment*: one event dispatched to one department (an `event_steps`
row with action 'dispatch' and to_level 'department'). An event sent back by department A and
re-dispatched to B is one assignment for A (returned) and one for B. An assignment belongs to the
period when its first dispatch to that department falls in it; the backlog (open / overdue now)
counts every assignment dispatched up to the period end. The department's own steps after the
dispatch give the moments measured: its first `accept`, its last `complete` (after a rejection
the redo counts), a `return` (sent back as not its own) and `reject` steps aimed at it.
Definitions in words: the `dept_*` entries of `metrics.METRICS` (`DEPARTMENT_METRICS` here).

The assignments come from the `assignments` rollup (data_access/rollups/assignments.py), which
stores each moment so that "as of the period end" is a comparison in SQL; percentiles stay exact
(percentile_cont on PostgreSQL; window ranks on SQLite, or the `grid_quantile` aggregate when
SQLITE_QUANTILE_AGGREGATE is on). The page asks `department_page` once: every grouping it shows comes
from one statement (`response_sets`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
from sqlalchemy import Integer, String, and_, case, cast, func, literal, null, or_, select, tuple_, union_all
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from .filters import Filters, local_midnight_utc
from .metrics import METRICS
from .queries import frame, unit_conditions
from .rollups.assignments import assignments
from .rules import default_rule_rows, load_rules
from .schema import admin_units, department_ratings, departments, event_categories, event_steps, events, grids
from .sqlfuncs import count_if, percentile_columns, quantile_columns, register_sqlite_quantile, seconds_between

DEPARTMENT_METRICS = {key: m for key, m in METRICS.items() if key.startswith("dept_")}
RULESET = "department"
DIMENSIONS = ("department", "month", "category", "town")
# Columns of `response_by` (besides `bucket`), in the order the page shows them.
MEASURES = (
    "received",
    "accept_h_median",
    "accept_h_p90",
    "complete_h_median",
    "complete_h_p90",
    "on_time",
    "due_or_done",
    "on_time_rate",
    "returned",
    "return_rate",
    "rejected",
    "completed",
    "rework_rate",
    "closure_rate",
    "satisfaction_avg",
    "satisfaction_n",
)
HOUR = 3600.0
# SQLite percentiles by the `grid_quantile` aggregate (sqlfuncs; ~3x less CPU than the window
# ranking at 1M events) instead of window ranks; the store's SQLite connections know it.
SQLITE_QUANTILE_AGGREGATE = True


# --- assignments -------------------------------------------------------------------------------


def _no_index(column: ColumnElement) -> ColumnElement:
    """The column's value, hidden from the planner: it must not pick this column's index (SQLite
    chooses by shape, not numbers, and would read every row up to a bound)."""
    return func.coalesce(column, column)


def _redos_exist(engine: Engine, f: Filters) -> bool:
    """Whether some assignment was completed by the period end and completed again after it
    (never for a period ending now); only then must `_assignments` look into the steps."""
    b = assignments.c
    q = (
        select(b.event_id)
        .where(
            b.completed_at > f.period_end,
            b.completed_first_at <= f.period_end,
            _no_index(b.dispatched_at) <= f.period_end,
        )
        .limit(1)
    )
    with engine.connect() as conn:
        return conn.execute(q).first() is not None


def _assignments(f: Filters, by_dispatch: bool = True, redos: bool = True):
    """One row per (event, department) dispatched up to the period end, in the unit filter, as
    the steps up to the period end tell it (from the `assignments` rollup).

    Columns: event_id, department_id, dispatched_at, accepted_at, completed_at, returned_at,
    rejections (1 when a reject aimed at this department came by the period end, else 0),
    accept_s, complete_s (None when returned), plus the event's deadline, closed_at,
    satisfaction, category_code, town_id, village_id. `by_dispatch` False keeps the planner off
    the dispatch-time index (every assignment up to the period end) when another is narrower.
    `redos` False: no completion was redone across the period end (`_redos_exist`), or the
    caller does not read completed_at / complete_s.
    """
    a = assignments
    end = f.period_end
    # The last completion by the period end: the stored last one, unless a redo came after the
    # period end (few rows, found by the completed_at index); then the steps say which came last.
    b, s = assignments.alias("b"), event_steps.alias("s")
    last_by_end = (
        select(func.max(s.c.at))
        .where(
            s.c.event_id == b.c.event_id,
            _no_index(s.c.action) == "complete",
            s.c.from_level == "department",
            s.c.from_unit_id == b.c.department_id,
            s.c.at >= b.c.dispatched_at,
            s.c.at <= end,
        )
        .scalar_subquery()
    )
    redo = (
        select(b.c.event_id, b.c.department_id, last_by_end.label("at"))
        .where(b.c.completed_at > end, b.c.completed_first_at <= end, _no_index(b.c.dispatched_at) <= end)
        .subquery("redo")
    )
    by_end = a.c.completed_at <= end
    if redos:
        completed = case((by_end, a.c.completed_at), else_=redo.c.at)
        complete_s = case((by_end, a.c.complete_s), else_=seconds_between(a.c.dispatched_at, redo.c.at))
        source = a.outerjoin(redo, and_(redo.c.event_id == a.c.event_id, redo.c.department_id == a.c.department_id))
    else:
        completed, complete_s, source = case((by_end, a.c.completed_at)), case((by_end, a.c.complete_s)), a
    not_returned = or_(a.c.returned_at.is_(None), a.c.returned_at > end)
    dispatched = a.c.dispatched_at if by_dispatch else _no_index(a.c.dispatched_at)
    return (
        select(
            a.c.event_id,
            a.c.department_id,
            a.c.dispatched_at,
            case((a.c.accepted_at <= end, a.c.accepted_at)).label("accepted_at"),
            case((not_returned, completed)).label("completed_at"),
            case((a.c.returned_at <= end, a.c.returned_at)).label("returned_at"),
            case((a.c.rejected_at <= end, 1), else_=0).label("rejections"),
            case((a.c.accepted_at <= end, a.c.accept_s)).label("accept_s"),
            case((not_returned, complete_s)).label("complete_s"),
            a.c.deadline,
            a.c.closed_at,
            a.c.satisfaction,
            a.c.category_code,
            a.c.town_id,
            a.c.village_id,
        )
        .select_from(source)
        .where(dispatched <= end, unit_conditions(f, a))
    )


def _month_starts(f: Filters) -> list[dt.date]:
    months, day = [], f.date_from.replace(day=1)
    while day <= f.date_to:
        months.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def _bucket(f: Filters, a, by: str) -> ColumnElement:
    if by == "department":
        return a.c.department_id
    if by == "category":
        return a.c.category_code
    if by == "town":
        return a.c.town_id
    # Month of dispatch in Beijing time, from bound boundaries: SQLite and PostgreSQL alike.
    months = _month_starts(f)
    whens = [
        (a.c.dispatched_at < local_midnight_utc(nxt), literal(m.strftime("%Y-%m"), String))
        for m, nxt in zip(months, months[1:])
    ]
    last = literal(months[-1].strftime("%Y-%m"), String)
    return case(*whens, else_=last) if whens else last


def _period(engine: Engine, f: Filters, by: str, department_id: int | None):
    """The assignments dispatched in the period, with a `bucket` column for the dimension."""
    if by not in DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}; choose one of {DIMENSIONS}")
    a = _assignments(f, redos=_redos_exist(engine, f)).subquery("a")
    q = select(*a.c, _bucket(f, a, by).label("bucket")).where(a.c.dispatched_at >= f.period_start)
    if department_id is not None:
        q = q.where(a.c.department_id == int(department_id))
    return q.subquery("p")


def _flags(p, f: Filters) -> list:
    """Per assignment, what each count adds (0/1, or the rating): few narrow columns, so the
    percentile ranking that follows sorts small rows."""
    kept = p.c.returned_at.is_(None)
    done = and_(kept, p.c.completed_at.is_not(None))
    due_or_done = and_(kept, or_(p.c.completed_at.is_not(None), p.c.deadline <= f.period_end))
    rated = and_(kept, p.c.closed_at.is_not(None), p.c.closed_at <= f.period_end, p.c.satisfaction.is_not(None))
    one = lambda condition: case((condition, 1), else_=0)  # noqa: E731
    return [
        one(and_(done, p.c.completed_at <= p.c.deadline)).label("on_time"),
        one(due_or_done).label("due_or_done"),
        one(p.c.returned_at.is_not(None)).label("returned"),
        one(and_(done, p.c.rejections > 0)).label("rejected"),
        one(done).label("completed"),
        case((rated, p.c.satisfaction), else_=0).label("satisfaction_sum"),
        one(rated).label("satisfaction_n"),
    ]


COUNTS = ("on_time", "due_or_done", "returned", "rejected", "completed", "satisfaction_sum", "satisfaction_n")


def _measures(flags) -> list:
    """The counts of MEASURES, summed over a subquery with the `_flags` columns."""
    return [func.count().label("received"), *[func.coalesce(func.sum(flags.c[name]), 0).label(name) for name in COUNTS]]


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num.astype(float) / den.where(den > 0).astype(float)).astype(float)


def response_by(engine: Engine, f: Filters, by: str = "department", department_id: int | None = None) -> pd.DataFrame:
    """Response measures per `by` (department | month | category | town) for the period.

    Columns: bucket (department id, 'YYYY-MM', category code or town id), then MEASURES:
    received, accept_h_median, accept_h_p90, complete_h_median, complete_h_p90 (hours),
    on_time, due_or_done, on_time_rate, returned, return_rate, rejected, completed, rework_rate,
    closure_rate (completed / received), satisfaction_avg, satisfaction_n.
    `department_id` restricts to one department; None pools them all. Sorted by bucket.
    """
    if by not in DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}; choose one of {DIMENSIONS}")
    return response_sets(engine, f, (by,), department_id)[by]


# The column that holds each grouping's bucket in `response_sets`' one statement (county: none).
SET_COLUMNS = {
    "department": "department_id",
    "category": "category_code",
    "town": "town_id",
    "month": "month",
    "county": None,
}
SETS = ("department", "county", "month", "category", "town")


def response_sets(engine: Engine, f: Filters, sets: tuple = SETS, focus: int | None = None) -> dict[str, pd.DataFrame]:
    """`response_by` for several groupings at once, from ONE statement: {set: frame}.

    `sets` are DIMENSIONS and 'county' (every assignment pooled: one row, bucket None, as
    `county_reference`). `focus` (a department id) restricts month, category and town — the
    page's breakdowns of one department — while department and county always pool every
    department. The period's assignments are read once (a CTE). PostgreSQL: one GROUP BY
    GROUPING SETS with percentile_cont. SQLite: one grouped branch of a UNION ALL per grouping,
    percentiles by window ranks (or the `grid_quantile` aggregate: SQLITE_QUANTILE_AGGREGATE).
    """
    unknown = [s for s in sets if s not in SET_COLUMNS]
    if unknown:
        raise ValueError(f"unknown dimension {unknown[0]!r}; choose from {tuple(SET_COLUMNS)}")
    a = _assignments(f, redos=_redos_exist(engine, f)).subquery("a")
    p = (select(*a.c, _bucket(f, a, "month").label("month")).where(a.c.dispatched_at >= f.period_start)).cte("p")
    keys = ("department_id", "category_code", "town_id", "month")
    flags = select(
        p.c.department_id, p.c.category_code, p.c.town_id, p.c.month, p.c.accept_s, p.c.complete_s, *_flags(p, f)
    ).cte("flags")
    qs = {"median": 0.5, "p90": 0.9}
    wanted = {
        flags.c.accept_s: {f"accept_h_{k}": q for k, q in qs.items()},
        flags.c.complete_s: {f"complete_h_{k}": q for k, q in qs.items()},
    }
    if engine.dialect.name == "postgresql" and (focus is None or not {"department", "county"} & set(sets)):
        q = _grouping_sets(flags, keys, sets, focus, wanted)
    else:
        branches = _branches(engine, flags, keys, sets, focus, wanted)
        q = branches[0] if len(branches) == 1 else union_all(*branches)
    with engine.connect() as conn:
        register_sqlite_quantile(conn)
        result = conn.execute(q)
        names, rows = list(result.keys()), result.all()
    out = {}
    for name in sets:
        # Built per set from the rows, so each bucket column gets its own dtype (ints stay ints).
        part = pd.DataFrame([r for r in rows if r[0] == name], columns=names)
        own = SET_COLUMNS[name]
        part["bucket"] = part[own] if own else None
        frame_ = _finish(part)
        out[name] = frame_.sort_values("bucket", na_position="last").reset_index(drop=True) if own else frame_
    return out


def _grouping_sets(flags, keys, sets, focus, wanted):
    """PostgreSQL: the groupings as GROUPING SETS of one GROUP BY — one scan, the groups sorted
    by the planner together (about half the time of one branch per grouping at 150k rows).
    GROUPING() tells the sets apart (a NULL town is a real bucket); bit 1 = key not grouped."""
    grouped = [k for k in keys if any(SET_COLUMNS[name] == k for name in sets)]  # GROUPING takes only these
    bits = {
        name: sum(1 << (len(grouped) - 1 - i) for i, k in enumerate(grouped) if k != SET_COLUMNS[name]) for name in sets
    }
    g = func.grouping(*[flags.c[k] for k in grouped]) if grouped else literal(0, Integer)
    label = case(*[(g == b, literal(name, String)) for name, b in bits.items()])
    cols = [(flags.c[k] if k in grouped else cast(null(), flags.c[k].type)).label(k) for k in keys]
    q = select(label.label("grouping"), *cols, *_measures(flags), *quantile_columns("postgresql", wanted))
    if focus is not None:
        q = q.where(flags.c.department_id == int(focus))
    specs = [tuple_(flags.c[SET_COLUMNS[name]]) if SET_COLUMNS[name] else tuple_() for name in sets]
    return q.group_by(func.grouping_sets(*specs))


def _branches(engine, flags, keys, sets, focus, wanted):
    """One grouped SELECT per grouping over the same rows: the other groupings' key columns are
    typed NULLs, so the branches stack with one column per key."""
    dialect = engine.dialect.name
    branches = []
    for name in sets:
        own = SET_COLUMNS[name]
        src = flags
        if focus is not None and name in ("month", "category", "town"):
            src = select(flags).where(flags.c.department_id == int(focus)).subquery("focus")
        if dialect == "sqlite" and not SQLITE_QUANTILE_AGGREGATE:
            by_name = {col.name: qs for col, qs in wanted.items()}
            src, picks = percentile_columns(dialect, src, by_name, [own] if own else [])
        else:
            picks = quantile_columns(dialect, {src.c[col.name]: qs for col, qs in wanted.items()})
        q = select(
            literal(name, String).label("grouping"),
            *[(src.c[k] if k == own else cast(null(), flags.c[k].type)).label(k) for k in keys],
            *_measures(src),
            *picks,
        )
        if own:  # the county: one row, even when the period holds nothing
            q = q.group_by(src.c[own])
        branches.append(q)
    return branches


def _finish(out: pd.DataFrame) -> pd.DataFrame:
    """Hours from seconds, whole counts, and the rates from their parts (None where 0/0)."""
    for col in ("accept_h_median", "accept_h_p90", "complete_h_median", "complete_h_p90"):
        out[col] = out[col].astype(float) / HOUR
    for col in ("received", "on_time", "due_or_done", "returned", "rejected", "completed", "satisfaction_n"):
        out[col] = out[col].astype(int)
    out["on_time_rate"] = _ratio(out["on_time"], out["due_or_done"])
    out["return_rate"] = _ratio(out["returned"], out["received"])
    out["rework_rate"] = _ratio(out["rejected"], out["completed"])
    out["closure_rate"] = _ratio(out["completed"], out["received"])
    out["satisfaction_avg"] = _ratio(out["satisfaction_sum"].astype(float), out["satisfaction_n"])
    return out[["bucket", *MEASURES]]


def county_reference(engine: Engine, f: Filters) -> pd.DataFrame:
    """The same measures pooled over every department: one row, bucket = None."""
    return response_sets(engine, f, ("county",))["county"]


def _backlog(f: Filters):
    """The assignments open at the period end: not returned, not completed, the event not closed
    by then — the earliest of those moments (`open_until`) is after it."""
    # Open rows are not completed: their completed_at is NULL with or without redos.
    a = _assignments(f, by_dispatch=False, redos=False).where(assignments.c.open_until > f.period_end)
    return a.subquery("a")


def backlog_by_department(engine: Engine, f: Filters) -> pd.DataFrame:
    """Per department: assignments open at the period end and, of those, past their deadline.

    Columns: department_id, open_now, overdue_now; departments with nothing open are left out.
    Open = dispatched up to the period end, not returned, not completed by the department and the
    event not closed; any dispatch date.
    """
    a = _backlog(f)
    q = select(
        a.c.department_id, func.count().label("open_now"), count_if(a.c.deadline < f.period_end).label("overdue_now")
    ).group_by(a.c.department_id)
    out = frame(engine, q)
    for col in ("open_now", "overdue_now"):
        out[col] = out[col].astype(int)
    return out


def department_names(engine: Engine, f: Filters) -> pd.DataFrame:
    """Every department. Columns: department_id, code, name, name_en, level, town_id."""
    q = select(
        departments.c.id.label("department_id"),
        departments.c.code,
        departments.c.name,
        departments.c.name_en,
        departments.c.level,
        departments.c.town_id,
    ).order_by(departments.c.code)
    return frame(engine, q)


def ratings_by_department(engine: Engine, f: Filters) -> pd.DataFrame:
    """The towns' ratings (街呼区应) of each department over the months the period touches.

    Columns: department_id, rating_avg (0..100), ratings (rows), towns (distinct raters). The town
    filter picks that town's ratings; village and category filters do not apply to ratings.
    """
    q = (
        select(
            department_ratings.c.department_id,
            func.avg(department_ratings.c.score).label("rating_avg"),
            func.count().label("ratings"),
            func.count(func.distinct(department_ratings.c.town_id)).label("towns"),
        )
        .where(department_ratings.c.month.between(f.date_from.replace(day=1), f.date_to))
        .group_by(department_ratings.c.department_id)
    )
    if f.town_id is not None:
        q = q.where(department_ratings.c.town_id == f.town_id)
    out = frame(engine, q)
    out["rating_avg"] = out["rating_avg"].astype(float)
    return out


# --- rules, score and the reverse evaluation ---------------------------------------------------

RULE_KEYS = (
    "score_weight_closure",
    "score_weight_on_time",
    "score_weight_rework",
    "score_weight_volume",
    "min_received_for_rank",
    "mismatch_robust_z",
    "mismatch_pool_months",
)


def department_rules(engine: Engine) -> pd.DataFrame:
    """The `department` ruleset: store values, or the shipped defaults for keys the store lacks.

    Columns: key, value, description, description_en, source ('store' | 'default').
    """
    defaults = {r["key"]: r for r in default_rule_rows() if r["ruleset"] == RULESET}
    stored = load_rules(engine, RULESET)
    rows = []
    for key in RULE_KEYS:
        d = defaults[key]
        in_store = key in stored
        rows.append(
            {
                "key": key,
                "value": float(stored[key] if in_store else d["value"]),
                "description": d["description"],
                "description_en": d["description_en"],
                "source": "store" if in_store else "default",
            }
        )
    return pd.DataFrame(rows)


def _robust_z(values: pd.Series) -> pd.Series:
    spread = 1.4826 * (values - values.median()).abs().median()
    return (values - values.median()) / spread if spread > 0 else values * float("nan")


def _score(table: pd.DataFrame, rules: dict[str, float]) -> pd.DataFrame:
    out = table.copy()
    out["ranked"] = out["received"] >= rules["min_received_for_rank"]
    top = out.loc[out["ranked"], "received"].max() if out["ranked"].any() else 0
    out["volume_share"] = out["received"] / top if top else float("nan")
    out["score"] = 100 * (
        rules["score_weight_closure"] * out["closure_rate"]
        + rules["score_weight_on_time"] * out["on_time_rate"]
        + rules["score_weight_rework"] * (1 - out["rework_rate"])
        + rules["score_weight_volume"] * out["volume_share"]
    )
    out.loc[~out["ranked"], "score"] = float("nan")
    return out


def shrunk_ratings(ratings: pd.DataFrame) -> pd.Series:
    """Each department's mean rating pulled toward the mean of all departments (empirical Bayes).

    `ratings` has rating_avg, ratings (n) and rating_var (variance of the single ratings; NaN for
    n < 2). Shrunk = m + n / (n + k) · (mean − m), m = the mean of the departments' means, k =
    within-department variance ÷ between-department variance (the between part: the variance of
    the means less the mean of within ÷ n). A department rated by few towns is pulled most.
    Without the variances (n unknown) the means are returned as they are.
    """
    mean = ratings["rating_avg"].astype(float)
    rated = mean.notna()
    if "rating_var" not in ratings or rated.sum() < 3:
        return mean
    n = ratings["ratings"].astype(float)
    dof = (n - 1).where(rated & ratings["rating_var"].notna() & (n > 1), 0)
    within = float((ratings["rating_var"].fillna(0) * dof).sum() / dof.sum()) if dof.sum() > 0 else 0.0
    m = float(mean[rated].mean())
    between = float(mean[rated].var()) - float((within / n[rated]).mean())
    if within <= 0:
        return mean
    if between <= 0:  # the means differ no more than chance: every department gets the mean
        return mean.where(~rated, m)
    k = within / between
    return m + n / (n + k) * (mean - m)


def score_and_mismatch(
    table: pd.DataFrame, rules: dict[str, float], pooled: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Add the department score and the rating-vs-data check to a per-department table.

    `table` needs received, closure_rate, on_time_rate, rework_rate and rating_avg (NaN when the
    towns gave no rating). Adds ranked (enough volume), volume_share, score (0..100), and the check's
    pooled_score, pooled_rating, pooled_ratings, score_rank, rating_rank (1 = best), z_gap and
    mismatch ('rated_above_data' | 'rated_below_data' | '').
    Score = 100 × (w_closure·closure + w_on_time·on_time + w_rework·(1 − rework) + w_volume·volume),
    volume = received ÷ the largest received among ranked departments.

    The check (`pooled`: the same columns plus ratings and rating_var, over the last
    mismatch_pool_months months ending with the period; without it, `table` itself) compares,
    over the departments ranked and rated there, the robust z (median, 1.4826·MAD) of the
    shrunk rating (`shrunk_ratings`) with the robust z of the score; z_gap = the robust z, across
    departments, of that difference; |z_gap| ≥ mismatch_robust_z flags the department.
    """
    out = _score(table, rules)
    basis = out if pooled is None else _score(pooled, rules)
    basis = basis.assign(pooled_rating=shrunk_ratings(basis))
    both = basis["ranked"] & basis["score"].notna() & basis["pooled_rating"].notna()
    check = pd.DataFrame(index=basis.index)
    check["pooled_score"] = basis["score"].where(both)
    check["pooled_rating"] = basis["pooled_rating"].where(both)
    check["pooled_ratings"] = basis["ratings"] if "ratings" in basis else float("nan")
    check["score_rank"] = check["pooled_score"].rank(ascending=False, method="min")
    check["rating_rank"] = check["pooled_rating"].rank(ascending=False, method="min")
    check["z_gap"] = float("nan")
    if both.sum() >= 3:  # a median and a spread need a few departments
        gap = _robust_z(check.loc[both, "pooled_rating"]) - _robust_z(check.loc[both, "pooled_score"])
        check.loc[both, "z_gap"] = _robust_z(gap)
    limit = rules["mismatch_robust_z"]
    check["mismatch"] = ""
    check.loc[check["z_gap"] >= limit, "mismatch"] = "rated_above_data"
    check.loc[check["z_gap"] <= -limit, "mismatch"] = "rated_below_data"
    if pooled is None:
        return pd.concat([out, check], axis=1)
    check["department_id"] = basis["department_id"]
    out = out.drop(columns=[c for c in check.columns if c != "department_id" and c in out.columns])
    out = out.merge(check, on="department_id", how="left")
    out["mismatch"] = out["mismatch"].fillna("")
    return out


def pool_months(f: Filters, months: int) -> tuple[dt.date, dt.date]:
    """First and last day of the `months` calendar months ending with the period's last month."""
    first = f.date_to.replace(day=1)
    for _ in range(max(int(months), 1) - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first, f.date_to


def ratings_pooled(engine: Engine, f: Filters, months: int) -> pd.DataFrame:
    """The towns' ratings of each department over the `pool_months` months.

    Columns: department_id, rating_avg, ratings (rows), rating_var (sample variance of the single
    ratings; NaN with one rating). The town filter picks that town's ratings.
    """
    first, last = pool_months(f, months)
    score = department_ratings.c.score
    q = (
        select(
            department_ratings.c.department_id,
            func.avg(score).label("rating_avg"),
            func.avg(score * score).label("rating_sq"),
            func.count().label("ratings"),
        )
        .where(department_ratings.c.month.between(first, last))
        .group_by(department_ratings.c.department_id)
    )
    if f.town_id is not None:
        q = q.where(department_ratings.c.town_id == f.town_id)
    out = frame(engine, q)
    n = out["ratings"].astype(float)
    out["rating_avg"] = out["rating_avg"].astype(float)
    second = out.pop("rating_sq").astype(float)
    out["rating_var"] = ((second - out["rating_avg"] ** 2) * n / (n - 1)).where(n > 1).clip(lower=0)
    return out


def department_table(engine: Engine, f: Filters) -> pd.DataFrame:
    """The page's main table: one row per department that received work in the period or holds
    open work now.

    Columns: department_id, code, name, name_en, level, MEASURES, open_now, overdue_now,
    rating_avg, ratings, plus the columns `score_and_mismatch` adds. Sorted by score, worst first.
    """
    return _department_table(engine, f, response_by(engine, f, "department"))


def department_page(engine: Engine, f: Filters) -> dict[str, pd.DataFrame]:
    """What the page shows first, from one `response_sets` statement: {'table':
    `department_table`, 'county': `county_reference`, 'month' / 'category' / 'town':
    `response_by` of every department pooled}. The page caches this one call."""
    sets = response_sets(engine, f, SETS)
    out = {name: sets[name] for name in ("county", "month", "category", "town")}
    out["table"] = _department_table(engine, f, sets["department"])
    return out


def _department_table(engine: Engine, f: Filters, by_department: pd.DataFrame) -> pd.DataFrame:
    measures = by_department.rename(columns={"bucket": "department_id"})
    backlog = backlog_by_department(engine, f)
    names = department_names(engine, f)
    active = pd.concat([measures["department_id"], backlog.loc[backlog["open_now"] > 0, "department_id"]]).unique()
    out = names[names["department_id"].isin(active)]
    out = out.merge(measures, on="department_id", how="left").merge(backlog, on="department_id", how="left")
    out = out.merge(ratings_by_department(engine, f), on="department_id", how="left")
    for col in (
        "received",
        "on_time",
        "due_or_done",
        "returned",
        "rejected",
        "completed",
        "satisfaction_n",
        "open_now",
        "overdue_now",
        "ratings",
    ):
        out[col] = out[col].fillna(0).astype(int)
    rules = dict(zip(*department_rules(engine)[["key", "value"]].T.values))
    # The rating check pools the last mismatch_pool_months months (data and ratings alike), so a
    # short window still holds enough ratings and events to judge by.
    first, last = pool_months(f, rules["mismatch_pool_months"])
    same = first == f.date_from and last == f.date_to
    pooled_measures = measures if same else response_by(engine, replace(f, date_from=first), "department")
    pooled = pooled_measures.rename(columns={"bucket": "department_id"}).merge(
        ratings_pooled(engine, f, rules["mismatch_pool_months"]), on="department_id", how="left"
    )
    pooled["ratings"] = pooled["ratings"].fillna(0).astype(int)
    out = score_and_mismatch(out, rules, pooled)
    return out.sort_values(["score", "received"], ascending=[True, False], na_position="last").reset_index(drop=True)


# --- distributions and lists -------------------------------------------------------------------


def box_stats(engine: Engine, f: Filters, measure: str = "complete") -> pd.DataFrame:
    """Box-plot statistics (hours) per department of time to accept or to complete.

    Columns: department_id, n, q1, median, q3, lowerfence, upperfence. Fences are Tukey's: the
    most extreme values within 1.5 × IQR of the quartiles. Only the statistics leave the database.
    """
    if measure not in ("accept", "complete"):
        raise ValueError("measure must be 'accept' or 'complete'")
    value = f"{measure}_s"
    p = _period(engine, f, "department", None).element.cte("p")  # read once, used twice
    quartiles = {"q1": 0.25, "median": 0.5, "q3": 0.75}
    if engine.dialect.name == "sqlite" and not SQLITE_QUANTILE_AGGREGATE:
        src, picks = percentile_columns("sqlite", p, {value: quartiles}, ["bucket"])
    else:
        src, picks = p, quantile_columns(engine.dialect.name, {p.c[value]: quartiles})
    stats = (
        select(src.c.bucket, func.count(src.c[value]).label("n"), *picks)
        .where(src.c[value].is_not(None))
        .group_by(src.c.bucket)
        .subquery("st")
    )
    iqr = stats.c.q3 - stats.c.q1
    v = p.c[value]
    q = (
        select(
            stats.c.bucket,
            stats.c.n,
            stats.c.q1,
            stats.c.median,
            stats.c.q3,
            func.min(case((v >= stats.c.q1 - 1.5 * iqr, v))).label("lowerfence"),
            func.max(case((v <= stats.c.q3 + 1.5 * iqr, v))).label("upperfence"),
        )
        .select_from(stats.join(p, p.c.bucket == stats.c.bucket))
        .group_by(stats.c.bucket, stats.c.n, stats.c.q1, stats.c.median, stats.c.q3)
    )
    with engine.connect() as conn:
        register_sqlite_quantile(conn)
        result = conn.execute(q)
        out = pd.DataFrame(result.all(), columns=list(result.keys())).rename(columns={"bucket": "department_id"})
    for col in ("q1", "median", "q3", "lowerfence", "upperfence"):
        out[col] = out[col].astype(float) / HOUR
    out["n"] = out["n"].astype(int)
    return out


def oldest_open(engine: Engine, f: Filters, department_id: int, limit: int = 20, offset: int = 0) -> pd.DataFrame:
    """A department's open assignments, longest waiting first (one page of `limit` rows).

    Columns: code, category, category_en, urgency, source, town, village, grid, dispatched_at,
    accepted_at, deadline, waited_hours (dispatch to the period end), overdue (bool).
    """
    limit = max(1, min(int(limit), 200))
    offset = max(0, int(offset))
    a = _backlog(f)
    town, village = admin_units.alias("town"), admin_units.alias("village")
    q = (
        select(
            events.c.code,
            event_categories.c.name.label("category"),
            event_categories.c.name_en.label("category_en"),
            events.c.urgency,
            events.c.source,
            town.c.name.label("town"),
            village.c.name.label("village"),
            grids.c.name.label("grid"),
            a.c.dispatched_at,
            a.c.accepted_at,
            a.c.deadline,
        )
        .select_from(
            a.join(events, events.c.id == a.c.event_id)
            .join(event_categories, event_categories.c.code == a.c.category_code)
            .outerjoin(town, town.c.id == a.c.town_id)
            .outerjoin(village, village.c.id == a.c.village_id)
            .outerjoin(grids, grids.c.id == events.c.grid_id)
        )
        .where(a.c.department_id == int(department_id))
        .order_by(a.c.dispatched_at, events.c.code)
        .limit(limit)
        .offset(offset)
    )
    out = frame(engine, q)
    end = pd.Timestamp(f.period_end)
    out["waited_hours"] = [(end - pd.Timestamp(t)).total_seconds() / HOUR for t in out["dispatched_at"]]
    out["overdue"] = [pd.Timestamp(d) < end for d in out["deadline"]]
    return out


def local_months(f: Filters) -> list[str]:
    """'YYYY-MM' of every month the period touches (the buckets of the monthly trend)."""
    return [m.strftime("%Y-%m") for m in _month_starts(f)]


def categories(engine: Engine, f: Filters) -> pd.DataFrame:
    """Columns: code, name, name_en."""
    return frame(
        engine,
        select(event_categories.c.code, event_categories.c.name, event_categories.c.name_en).order_by(
            event_categories.c.sort_order
        ),
    )


def towns(engine: Engine, f: Filters) -> pd.DataFrame:
    """Columns: id, name."""
    return frame(
        engine,
        select(admin_units.c.id, admin_units.c.name).where(admin_units.c.level == "town").order_by(admin_units.c.code),
    )
