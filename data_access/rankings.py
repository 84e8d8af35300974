"""Monthly rankings: explainable scores of towns, communities and full-time grid workers.

The counting happens in SQL: the grid reports (events a worker reported) per worker, community,
town and month, read from the `reporter_months` rollup (rows with activity after `as_of` are
counted live from their events, so the numbers are those of the events as of then). The scoring arithmetic is
vectorised pandas on that small
aggregated table, with every constant taken from the assessment rules (`assessment_rules`).

Score (0–100) = Σ weight · part, the weights from the ruleset:
- quantity  = 100 · min(1, (reports − held) / quota); held = the ranked month's events under a
  strong integrity flag awaiting or failing review, only where the ruleset reviews
  (integrity_review = 1; the caller, data_access/integrity_review.py, names them).
  Quota = quota_events_per_worker (+ street_quota_bonus for a worker in a street); with
  per_capita_normalisation = 1 it is scaled by the grid's residents over the mean residents of a
  staffed grid (so a small grid is not asked for the reports of a big one). For a unit the quota
  is summed over its active full-time workers (per-capita: its residents over the mean of a
  staffed grid, as "grid equivalents").
- quality   = 100 · mean of the rates that have a denominator: closure rate (filing-only events
  count as closed when filing_only_in_closure_rate = 1, else they leave numerator and
  denominator), qualified rate and excellent rate of graded events, on-time verification rate
  (verified within common.verify_within_hours of completion).
- process   = 50 · min(1, team-handled share / team_handling_min_share)
            + 50 · min(1, county/department share / process_transfer_target_share).
- residents = 100 · (mean rating − 1) / 4 over rated events; without ratings, the month's mean
  of that level (neutral: nobody gains or loses by having no ratings).
Nothing reported in a month: every part is 0 except residents (neutral). A month in which the
store holds no grid report at all (before the data begins) is left out: no score, no rank.
Grades: A ≥ grade_a_min, B ≥ grade_b_min, C ≥ grade_c_min, D ≥ grade_d_min, else E.
Only full-time workers (role full_time_worker) are ranked; part-time workers' reports still
count for their community and town. Closures and ratings are counted as of `Filters.as_of`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Date, Integer, and_, case, false, func, literal, or_, select, true, union_all
from sqlalchemy.engine import Engine

from . import rules as rules_mod
from .filters import Filters
from .queries import frame, person_name
from .rollups import reporter_months as rm_rollup
from .rollups.reporter_months import month_end, month_start, shift_month  # noqa: F401 - re-exported
from .schema import admin_units, assessment_rules, event_steps, events, grids, workers
from .sqlfuncs import count_if, seconds_between

RULESETS = ("as_practised", "reformed", "hdistrict")
# The ruleset a store ranks by unless the user picks another: store_meta "ruleset" (the
# generator's hdistrict profile writes "hdistrict"), else this.
DEFAULT_RULESET = "as_practised"
LEVELS = ("town", "village", "worker")
PARTS = ("quantity", "quality", "process", "residents")
TREND_MONTHS = 6
RANKED_ROLE = "full_time_worker"
TEAM_LEVELS = ("village", "town", "county", "department")
TRANSFER_LEVELS = ("county", "department")


class RankingError(ValueError):
    """A month, ruleset or level that cannot be ranked; the message says why.

    The message is English (logs, the report's command line). `code` and `params` let the UI
    say the same in the reader's language: ui.labels.error_text renders the label `err_<code>`.
    Codes: unknown_ruleset (ruleset, choices), unknown_ranking_level (level, choices),
    month_not_a_date (value)."""

    def __init__(self, message: str, code: str, **params) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


# --- months and rules ------------------------------------------------------------------------
# month_start / month_end / shift_month: one definition, beside the rollup that keys by month.


def month_list(last: dt.date, count: int) -> list[dt.date]:
    """`count` month starts ending with the month of `last`, oldest first."""
    first = month_start(last)
    return [shift_month(first, -k) for k in range(count - 1, -1, -1)]


def available_months(engine: Engine, f: Filters) -> pd.DataFrame:
    """Months with events in the store, newest first. Columns: month (date, first day), events."""
    if rm_rollup.params(engine) is None:
        return _available_months_live(engine, f)
    rm = rm_rollup.reporter_months.c
    got = frame(
        engine,
        select(
            rm.month, func.sum(rm.reported).label("n"), count_if(rm.last_reported_at > f.as_of).label("later")
        ).group_by(rm.month),
    )
    counts = {}
    for first, n, later in zip(got["month"], got["n"], got["later"]):
        if int(later):  # events reported after as_of in that month: count the month's events live
            n = frame(
                engine,
                select(func.count().label("n")).where(
                    events.c.report_date.between(first, month_end(first)), events.c.reported_at <= f.as_of
                ),
            ).iloc[0, 0]
        counts[first] = int(n)
    months = sorted((m for m, n in counts.items() if n > 0), reverse=True)
    return pd.DataFrame(
        {"month": pd.Series(months, dtype=object), "events": pd.Series([counts[m] for m in months], dtype=int)}
    )


def _available_months_live(engine: Engine, f: Filters) -> pd.DataFrame:
    bounds = frame(
        engine,
        select(func.min(events.c.report_date).label("lo"), func.max(events.c.report_date).label("hi")).where(
            events.c.reported_at <= f.as_of
        ),
    )
    lo, hi = bounds.iloc[0]["lo"], bounds.iloc[0]["hi"]
    if lo is None or pd.isna(lo):
        return pd.DataFrame({"month": pd.Series([], dtype=object), "events": pd.Series([], dtype=int)})
    months = []
    m = month_start(lo)
    while m <= hi:
        months.append(m)
        m = shift_month(m, 1)
    idx = _month_index(months)
    counts = frame(
        engine,
        select(idx.label("m"), func.count().label("n"))
        .where(events.c.report_date.between(months[0], month_end(months[-1])), events.c.reported_at <= f.as_of)
        .group_by(idx),
    )
    got = dict(zip(counts["m"].astype(int), counts["n"].astype(int))) if len(counts) else {}
    out = pd.DataFrame({"month": months, "events": [got.get(i, 0) for i in range(len(months))]})
    return out[out["events"] > 0].iloc[::-1].reset_index(drop=True)


def rules_for(engine: Engine, ruleset: str) -> dict[str, float]:
    """The ruleset's values from the store, with the shipped file filling keys the store lacks
    (a store seeded before a key was added still works)."""
    if ruleset not in RULESETS and ruleset != "integrity":
        raise RankingError(
            f"Unknown ruleset {ruleset!r}; choose one of {', '.join(RULESETS)}.",
            "unknown_ruleset",
            ruleset=str(ruleset),
            choices=RULESETS,
        )
    merged = {r["key"]: r["value"] for r in rules_mod.default_rule_rows() if r["ruleset"] == "common"}
    merged.update({r["key"]: r["value"] for r in rules_mod.default_rule_rows() if r["ruleset"] == ruleset})
    merged.update(rules_mod.load_rules(engine, ruleset))
    return merged


def rule_table(engine: Engine, ruleset: str) -> pd.DataFrame:
    """The rules a ruleset uses, for display. Columns: key, value, unit, description, description_en,
    source ('store' or 'file': a key only in the shipped rule file)."""
    rules_for(engine, ruleset)  # validates the name
    stored = frame(
        engine,
        select(
            assessment_rules.c.ruleset,
            assessment_rules.c.key,
            assessment_rules.c.value,
            assessment_rules.c.unit,
            assessment_rules.c.description,
            assessment_rules.c.description_en,
        ).where(assessment_rules.c.ruleset.in_(["common", ruleset])),
    )
    rows = {}
    for r in rules_mod.default_rule_rows():
        if r["ruleset"] in ("common", ruleset):
            rows[(r["ruleset"], r["key"])] = {**r, "source": "file"}
    for r in stored.to_dict("records"):
        rows[(r["ruleset"], r["key"])] = {**r, "source": "store"}
    # A ruleset's own key overrides the common one of the same name, as in load_rules.
    out = {}
    for (_ruleset, key), r in sorted(rows.items(), key=lambda kv: (kv[0][0] != "common", kv[0][1])):
        out[key] = r
    cols = ["key", "value", "unit", "description", "description_en", "source"]
    return pd.DataFrame([{c: r[c] for c in cols} for r in out.values()], columns=cols)


# --- the SQL aggregation ---------------------------------------------------------------------


def _month_index(months: list[dt.date]):
    return case(*[(events.c.report_date.between(m, month_end(m)), i) for i, m in enumerate(months)], else_=None)


def report_parts(engine: Engine, f: Filters, months: tuple[dt.date, ...], verify_hours: float) -> pd.DataFrame:
    """Counts per (reporter, community, town, month index) of the grid reports in `months`.

    Columns: reported_by, village_id, town_id, m (index into months), reported, filing, closed,
    graded, qualified, excellent, verify_due, verified_on_time, team, transfers, sat_sum, sat_n.
    Events reported after `f.as_of` are left out; closures and ratings count up to `f.as_of`.
    Read from the `reporter_months` rollup; a (reporter, month) with anything after `f.as_of`
    (or an undecided verification due) is counted live from its events.
    """
    months = list(months)
    p = rm_rollup.params(engine)
    if p is None or float(verify_hours) != p["verify_within_hours"]:
        return _live_parts(engine, f, months, verify_hours)
    rm = rm_rollup.reporter_months.c
    due = rm.verify_done + rm_rollup.due_unverified(f.as_of, verify_hours)
    exact = case((and_(rm_rollup.usable_at(f.as_of), due.is_not(None)), 1), else_=0)
    q = select(
        rm.reported_by,
        rm.village_id,
        rm.town_id,
        rm.month,
        *[rm[c] for c in _ROLLUP_COLS],
        due.label("verify_due"),
        exact.label("exact"),
    ).where(rm.month.in_(months), rm.reported_by != 0)
    got = frame(engine, q)
    index = {m: i for i, m in enumerate(months)}
    got["m"] = got["month"].map(index)
    bad = got.loc[got["exact"].astype(int) == 0, ["reported_by", "m"]].drop_duplicates()
    if len(bad) > LIVE_PAIRS_MAX:
        return _live_parts(engine, f, months, verify_hours)
    keyed = got.set_index(["reported_by", "m"]).index
    good = got[~keyed.isin(bad.set_index(["reported_by", "m"]).index)] if len(bad) else got
    parts = [good[_PARTS_COLS]]
    if len(bad):
        pairs = [(int(r), months[int(i)]) for r, i in zip(bad["reported_by"], bad["m"])]
        parts.append(_live_parts(engine, f, months, verify_hours, pairs))
    out = pd.concat(parts, ignore_index=True)
    for col in out.columns:
        out[col] = pd.to_numeric(out[col]).fillna(0).astype(int)
    return out.sort_values(["reported_by", "village_id", "town_id", "m"]).reset_index(drop=True)


_ROLLUP_COLS = [
    "reported",
    "filing",
    "closed",
    "graded",
    "qualified",
    "excellent",
    "verified_on_time",
    "team",
    "transfers",
    "sat_sum",
    "sat_n",
]
_PARTS_COLS = [
    "reported_by",
    "village_id",
    "town_id",
    "m",
    "reported",
    "filing",
    "closed",
    "graded",
    "qualified",
    "excellent",
    "verify_due",
    "verified_on_time",
    "team",
    "transfers",
    "sat_sum",
    "sat_n",
]
LIVE_PAIRS_MAX = 200  # more (reporter, month)s to count live than this: count the whole window live


def _live_parts(
    engine: Engine,
    f: Filters,
    months: list[dt.date],
    verify_hours: float,
    pairs: list[tuple[int, dt.date]] | None = None,
) -> pd.DataFrame:
    """`report_parts` from the events themselves: the whole window, or only the given
    (reporter, month first day) pairs."""
    idx = _month_index(months)
    window = and_(
        events.c.report_date.between(months[0], month_end(months[-1])),
        events.c.reported_by.is_not(None),
        events.c.reported_at <= f.as_of,
    )
    source = events
    if pairs is not None:
        rows = [
            select(
                literal(r, Integer).label("rb"), literal(m, Date).label("lo"), literal(month_end(m), Date).label("hi")
            )
            for r, m in pairs
        ]
        wanted = (union_all(*rows) if len(rows) > 1 else rows[0]).subquery("wanted")
        source = events.join(
            wanted, and_(events.c.reported_by == wanted.c.rb, events.c.report_date.between(wanted.c.lo, wanted.c.hi))
        )
    # The newest verification up to as_of, per event (its own steps only: an index lookup;
    # coalesce(action) keeps SQLite off the action index, which would read every verify step).
    verified_at = (
        select(func.max(event_steps.c.at))
        .where(
            event_steps.c.event_id == events.c.id,
            func.coalesce(event_steps.c.action, "") == "verify",
            event_steps.c.at <= f.as_of,
        )
        .scalar_subquery()
    )
    ev = (
        select(
            events.c.reported_by,
            events.c.village_id,
            events.c.town_id,
            idx.label("m"),
            events.c.filing_only,
            events.c.closed_at,
            events.c.completed_at,
            events.c.quality_grade,
            events.c.satisfaction,
            events.c.handled_level,
            verified_at.label("verified_at"),
        )
        .select_from(source)
        .where(window)
        .subquery("ev")
    )
    limit_s = float(verify_hours) * 3600.0
    closed = and_(ev.c.closed_at.is_not(None), ev.c.closed_at <= f.as_of)
    completed = and_(ev.c.completed_at.is_not(None), ev.c.completed_at <= f.as_of)
    on_time = and_(
        completed, ev.c.verified_at.is_not(None), seconds_between(ev.c.completed_at, ev.c.verified_at) <= limit_s
    )
    # Due: verified, or the allowed time since completion has run out.
    due = and_(
        completed,
        or_(
            ev.c.verified_at.is_not(None),
            seconds_between(ev.c.completed_at, literal(f.as_of, events.c.reported_at.type)) > limit_s,
        ),
    )
    graded = and_(closed, ev.c.quality_grade.is_not(None))
    rated = and_(closed, ev.c.satisfaction.is_not(None))
    q = select(
        ev.c.reported_by,
        ev.c.village_id,
        ev.c.town_id,
        ev.c.m,
        func.count().label("reported"),
        count_if(ev.c.filing_only == true()).label("filing"),
        count_if(and_(closed, ev.c.filing_only == false())).label("closed"),
        count_if(graded).label("graded"),
        count_if(and_(graded, ev.c.quality_grade.in_(["qualified", "excellent"]))).label("qualified"),
        count_if(and_(graded, ev.c.quality_grade == "excellent")).label("excellent"),
        count_if(due).label("verify_due"),
        count_if(on_time).label("verified_on_time"),
        count_if(ev.c.handled_level.in_(TEAM_LEVELS)).label("team"),
        count_if(ev.c.handled_level.in_(TRANSFER_LEVELS)).label("transfers"),
        func.coalesce(func.sum(case((rated, ev.c.satisfaction), else_=0)), 0).label("sat_sum"),
        count_if(rated).label("sat_n"),
    ).group_by(ev.c.reported_by, ev.c.village_id, ev.c.town_id, ev.c.m)
    out = frame(engine, q)
    for col in out.columns:
        out[col] = pd.to_numeric(out[col]).fillna(0).astype(int)
    return out


def ranked_workers(engine: Engine, f: Filters) -> pd.DataFrame:
    """Full-time workers with their unit names and grid residents (one row each, ~1 per grid).

    Columns: worker_id, code, name, hired_on, left_on, grid_id, grid_name, village_id, village_name,
    town_id, town_name, town_kind, population (residents).
    """
    village = admin_units.alias("village")
    town = admin_units.alias("town")
    q = (
        select(
            workers.c.id.label("worker_id"),
            workers.c.code,
            person_name(f, workers.c.name),
            workers.c.hired_on,
            workers.c.left_on,
            workers.c.grid_id,
            grids.c.name.label("grid_name"),
            workers.c.village_id,
            village.c.name.label("village_name"),
            workers.c.town_id,
            town.c.name.label("town_name"),
            town.c.kind.label("town_kind"),
            grids.c.residents.label("population"),
        )
        .select_from(
            workers.outerjoin(grids, grids.c.id == workers.c.grid_id)
            .outerjoin(village, village.c.id == workers.c.village_id)
            .join(town, town.c.id == workers.c.town_id)
        )
        .where(workers.c.role == RANKED_ROLE, workers.c.hired_on <= f.as_of.date())
        .order_by(workers.c.id)
    )
    out = frame(engine, q)
    out["population"] = pd.to_numeric(out["population"]).fillna(0)
    return out


def units(engine: Engine, level: str) -> pd.DataFrame:
    """Towns or communities with their residents (sum over their grids) and staffed-grid counts.

    Columns: unit_id, code, name, kind, town_id, town_name, town_kind, population (residents).
    """
    town = admin_units.alias("town")
    key = grids.c.town_id if level == "town" else grids.c.village_id
    res = select(key.label("unit_id"), func.sum(grids.c.residents).label("residents")).group_by(key).subquery()
    q = (
        select(
            admin_units.c.id.label("unit_id"),
            admin_units.c.code,
            admin_units.c.name,
            admin_units.c.kind,
            func.coalesce(town.c.id, admin_units.c.id).label("town_id"),
            func.coalesce(town.c.name, admin_units.c.name).label("town_name"),
            func.coalesce(town.c.kind, admin_units.c.kind).label("town_kind"),
            res.c.residents.label("population"),
        )
        .select_from(
            admin_units.outerjoin(town, and_(town.c.id == admin_units.c.parent_id, level == "village")).outerjoin(
                res, res.c.unit_id == admin_units.c.id
            )
        )
        .where(admin_units.c.level == level)
        .order_by(admin_units.c.code)
    )
    out = frame(engine, q)
    out["population"] = pd.to_numeric(out["population"]).fillna(0)
    return out


# --- the scoring arithmetic (pandas, vectorised) ----------------------------------------------


def _rate(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den > 0)).astype(float)


def score_parts(counts: pd.DataFrame, quota: pd.Series, rules: dict[str, float]) -> pd.DataFrame:
    """Parts, total and grade from aggregated counts (one row per subject-month) and each row's quota.

    Adds: closure_rate, qualified_rate, excellent_rate, on_time_verify_rate, team_share,
    transfer_share, satisfaction_avg, quota, quantity, quality, process, residents, total, grade.
    `counts` must carry a column `m` (month index): residents' neutral value is per month.
    """
    c = counts.copy()
    filing_counts = rules["filing_only_in_closure_rate"] >= 0.5
    if filing_counts:
        c["closure_rate"] = _rate(c["closed"] + c["filing"], c["reported"])
    else:
        c["closure_rate"] = _rate(c["closed"], c["reported"] - c["filing"])
    c["qualified_rate"] = _rate(c["qualified"], c["graded"])
    c["excellent_rate"] = _rate(c["excellent"], c["graded"])
    c["on_time_verify_rate"] = _rate(c["verified_on_time"], c["verify_due"])
    c["team_share"] = _rate(c["team"], c["reported"])
    c["transfer_share"] = _rate(c["transfers"], c["reported"])
    c["satisfaction_avg"] = _rate(c["sat_sum"], c["sat_n"])
    c["quota"] = quota.astype(float)

    counted = c["reported"] - (c["held"] if "held" in c else 0)
    c["quantity"] = 100.0 * np.minimum(1.0, counted / c["quota"].where(c["quota"] > 0)).fillna(0.0)
    rates = c[["closure_rate", "qualified_rate", "excellent_rate", "on_time_verify_rate"]]
    c["quality"] = (100.0 * rates.mean(axis=1, skipna=True)).fillna(0.0)
    team = np.minimum(1.0, c["team_share"].fillna(0) / max(rules["team_handling_min_share"], 1e-9))
    transfer = np.minimum(1.0, c["transfer_share"].fillna(0) / max(rules["process_transfer_target_share"], 1e-9))
    c["process"] = 50.0 * team + 50.0 * transfer
    residents = 100.0 * (c["satisfaction_avg"] - 1.0) / 4.0
    neutral = residents.groupby(c["m"]).transform("mean")
    c["residents"] = residents.fillna(neutral).fillna(0.0)
    c["total"] = sum(rules[f"weight_{p}"] * c[p] for p in PARTS)
    c["grade"] = grade_of(c["total"], rules)
    return c


def grade_of(total: pd.Series, rules: dict[str, float]) -> pd.Series:
    bins = [rules["grade_a_min"], rules["grade_b_min"], rules["grade_c_min"], rules["grade_d_min"]]
    return pd.Series(np.select([total >= b for b in bins], ["A", "B", "C", "D"], default="E"), index=total.index)


_COUNT_COLS = [
    "reported",
    "filing",
    "closed",
    "graded",
    "qualified",
    "excellent",
    "verify_due",
    "verified_on_time",
    "team",
    "transfers",
    "sat_sum",
    "sat_n",
    "held",
]


def _active_in(people: pd.DataFrame, first: dt.date) -> pd.Series:
    last = month_end(first)
    left = pd.to_datetime(people["left_on"]).dt.date
    return (pd.to_datetime(people["hired_on"]).dt.date <= last) & (left.isna() | (left > first))


def reviews(rules: dict[str, float]) -> bool:
    """Whether the ruleset holds flagged events out until reviewed (rule integrity_review = 1)."""
    return float(rules.get("integrity_review", 0) or 0) >= 0.5


def _scores_for_months(
    engine: Engine,
    f: Filters,
    months: tuple[dt.date, ...],
    ruleset: str,
    level: str,
    shared: dict | None = None,
    held: tuple = (),
) -> pd.DataFrame:
    """One row per (subject, month index) with counts, parts, total, grade and rank in that month.
    `shared` (a dict) keeps the counts and staff between calls for the same filters and months.
    `held`: ((worker_id, events), ...) taken out of the last month's quantity where the ruleset reviews."""
    if level not in LEVELS:
        raise RankingError(
            f"Unknown level {level!r}; choose one of {', '.join(LEVELS)}.",
            "unknown_ranking_level",
            level=str(level),
            choices=LEVELS,
        )
    shared = {} if shared is None else shared
    held = tuple(sorted((int(w), int(n)) for w, n in held if int(n) > 0)) if reviews(rules_for(engine, ruleset)) else ()
    done = ("scored", months, ruleset, level, held)
    if done not in shared:  # callers read the frame, never change it
        shared[done] = _score_months(engine, f, months, ruleset, level, shared, held)
    return shared[done]


def _with_held(counts: pd.DataFrame, last: int, held: tuple) -> pd.DataFrame:
    """`counts` with a column `held`: each worker's held events on their rows of month `last`,
    the row with most reports first, never more than a row reported."""
    out = counts.assign(held=0)
    if not held:
        return out
    want = dict(held)
    rows = out[(out["m"] == last) & out["reported_by"].isin(want)].sort_values(
        ["reported_by", "reported"], ascending=[True, False]
    )
    before = rows.groupby("reported_by")["reported"].cumsum() - rows["reported"]
    owed = rows["reported_by"].map(want) - before
    out.loc[rows.index, "held"] = np.clip(owed, 0, rows["reported"]).astype(int)
    return out


def _score_months(
    engine: Engine, f: Filters, months: tuple[dt.date, ...], ruleset: str, level: str, shared: dict, held: tuple = ()
) -> pd.DataFrame:
    rules = rules_for(engine, ruleset)
    key = ("counts", float(rules["verify_within_hours"]), months)
    if key not in shared:
        shared[key] = report_parts(engine, f, months, rules["verify_within_hours"])
    counts = _with_held(shared[key], len(months) - 1, held)
    if "staff" not in shared:
        shared["staff"] = ranked_workers(engine, f)
    staff = shared["staff"]
    staffed = staff[staff["grid_id"].notna()].drop_duplicates("grid_id")
    mean_grid_residents = float(staffed["population"].mean()) if len(staffed) else 0.0
    per_capita = rules["per_capita_normalisation"] >= 0.5
    base_quota = rules["quota_events_per_worker"]
    bonus = rules["street_quota_bonus"]
    frames = []
    if level == "worker":
        subjects = staff.rename(columns={"worker_id": "subject_id"})
        subject_quota = base_quota + np.where(_adds_bonus(subjects, rules), bonus, 0.0)
        if per_capita and mean_grid_residents > 0:
            subject_quota = subject_quota * subjects["population"] / mean_grid_residents
        subjects = subjects.assign(quota_one=subject_quota)
        by = counts.groupby(["reported_by", "m"], as_index=False)[_COUNT_COLS].sum()
        by = by.rename(columns={"reported_by": "subject_id"})
        for i, first in enumerate(months):
            active = subjects[_active_in(subjects, first)]
            part = (
                active[["subject_id", "quota_one"]]
                .assign(m=i)
                .merge(by[by["m"] == i], on=["subject_id", "m"], how="left")
            )
            frames.append(part)
    else:
        subjects = units(engine, level).rename(columns={"unit_id": "subject_id"})
        key = "town_id" if level == "town" else "village_id"
        by = counts.groupby([key, "m"], as_index=False)[_COUNT_COLS].sum().rename(columns={key: "subject_id"})
        street = _adds_bonus(staff, rules)
        for i, first in enumerate(months):
            active = staff[_active_in(staff, first)]
            if per_capita and mean_grid_residents > 0:
                # Grid equivalents: the unit's residents over a staffed grid's, each owing a quota.
                one = base_quota + np.where(_adds_bonus(subjects, rules), bonus, 0.0)
                quota = pd.Series(
                    subjects["population"].to_numpy() / mean_grid_residents * one, index=subjects["subject_id"]
                )
            else:
                per_worker = base_quota + np.where(street.loc[active.index], bonus, 0.0)
                quota = pd.Series(per_worker, index=active.index).groupby(active[key]).sum()
            part = subjects[["subject_id"]].assign(m=i)
            part["quota_one"] = part["subject_id"].map(quota).fillna(0.0)
            part = part.merge(by[by["m"] == i], on=["subject_id", "m"], how="left")
            frames.append(part)
    allm = pd.concat(frames, ignore_index=True)
    # A month without a single grid report in the store is missing data, not a month of zeros.
    allm = allm[allm["m"].isin(set(counts["m"]))].reset_index(drop=True)
    for col in _COUNT_COLS:
        allm[col] = allm[col].fillna(0).astype(int)
    scored = score_parts(allm, allm["quota_one"], rules)
    scored["rank"] = scored.groupby("m")["total"].rank(ascending=False, method="min").astype(int)
    scored["n_ranked"] = scored.groupby("m")["total"].transform("size").astype(int)
    return scored.merge(subjects.drop(columns=["quota_one"], errors="ignore"), on="subject_id", how="left")


def _adds_bonus(rows: pd.DataFrame, rules: dict[str, float]) -> pd.Series:
    """True for rows (with town_id, town_kind) in a street that adds street_quota_bonus: every
    street, or with street_quota_bonus_town_id set (H district: "one street adds +10") that one."""
    street = rows["town_kind"] == "street"
    only = int(rules.get("street_quota_bonus_town_id", 0) or 0)
    if only:
        street = street & (pd.to_numeric(rows["town_id"]) == only)
    return street


def default_ruleset(engine: Engine) -> str:
    """The store's own ruleset (store_meta "ruleset") if it names a known one, else DEFAULT_RULESET."""
    from .schema import store_meta

    got = frame(engine, select(store_meta.c.value).where(store_meta.c.key == "ruleset"))
    value = str(got.iloc[0, 0]) if len(got) else ""
    return value if value in RULESETS else DEFAULT_RULESET


def _check_month(month: dt.date) -> dt.date:
    if not isinstance(month, dt.date) or isinstance(month, dt.datetime):
        raise RankingError(f"The month must be a date, not {month!r}.", "month_not_a_date", value=str(month))
    return month_start(month)


def scope_rows(df: pd.DataFrame, f: Filters, level: str) -> pd.DataFrame:
    """Town/community filter on the rows shown; ranks stay county-wide."""
    if f.town_id is not None:
        df = df[df["town_id"] == f.town_id] if level != "town" else df[df["subject_id"] == f.town_id]
    if f.village_id is not None and level != "town":
        col = "village_id" if level == "worker" else "subject_id"
        df = df[df[col] == f.village_id]
    return df


def monthly_scores(
    engine: Engine, f: Filters, month: dt.date, ruleset: str, level: str, _shared: dict | None = None, held: tuple = ()
) -> pd.DataFrame:
    """The ranking of one month, best first.

    Columns: subject_id, name, code, town_id, town_name, (workers: village_id, village_name, grid_name),
    reported, quota, quantity, quality, process, residents, total, grade, rank, n_ranked, prev_rank,
    rank_change (positive = moved up), trend (list of the last 6 months' totals, oldest first, None
    where not ranked), closure_rate, qualified_rate, excellent_rate, on_time_verify_rate, team_share,
    transfer_share, satisfaction_avg, and the raw counts behind them (held: events kept out of the
    quantity part, see `held` of `_scores_for_months`).
    """
    month = _check_month(month)
    months = tuple(month_list(month, TREND_MONTHS))
    allm = _scores_for_months(engine, f, months, ruleset, level, _shared, held)
    last = len(months) - 1
    cur = allm[allm["m"] == last].copy()
    prev = allm[allm["m"] == last - 1].set_index("subject_id")["rank"]
    cur["prev_rank"] = cur["subject_id"].map(prev).astype("Int64")
    cur["rank_change"] = (cur["prev_rank"] - cur["rank"]).astype("Int64")
    wide = allm.pivot_table(index="subject_id", columns="m", values="total", aggfunc="first")
    wide = wide.reindex(columns=range(len(months)))
    trend = {
        sid: [None if pd.isna(v) else round(float(v), 1) for v in row] for sid, row in zip(wide.index, wide.values)
    }
    cur["trend"] = cur["subject_id"].map(trend)
    cur = scope_rows(cur, f, level).sort_values(["rank", "subject_id"]).reset_index(drop=True)
    return cur.drop(columns=["m", "quota_one"], errors="ignore")


def compare_rulesets(
    engine: Engine, f: Filters, month: dt.date, level: str, _shared: dict | None = None, held: tuple = ()
) -> pd.DataFrame:
    """Both rulesets side by side, biggest movers first.

    Columns: subject_id, name, town_name, total_as_practised, rank_as_practised, grade_as_practised,
    total_reformed, rank_reformed, grade_reformed, move (rank_as_practised − rank_reformed: positive =
    better placed under the reformed rules).
    """
    keep = ["subject_id", "name", "town_name", "total", "rank", "grade"]
    shared: dict = {} if _shared is None else _shared  # both rulesets score the same counts
    a = monthly_scores(engine, f, month, "as_practised", level, shared, held)[keep]
    b = monthly_scores(engine, f, month, "reformed", level, shared, held)[["subject_id", "total", "rank", "grade"]]
    out = a.merge(b, on="subject_id", suffixes=("_as_practised", "_reformed"))
    out["move"] = out["rank_as_practised"] - out["rank_reformed"]
    order = out["move"].abs().sort_values(ascending=False, kind="stable").index
    return out.loc[order].reset_index(drop=True)


def consequences(
    engine: Engine, f: Filters, month: dt.date, ruleset: str, _shared: dict | None = None, held: tuple = ()
) -> pd.DataFrame:
    """What signing this month's worker ranking would do, under `ruleset`.

    Columns: subject_id, name, town_name, village_name, total, rank, n_ranked, prev_total, loses_pay,
    double_pay, dismissal_risk, reason_keys (list of: 'bottom_n', 'at_most_pass', 'top_n',
    'consecutive'). Only workers with at least one consequence, worst first. Rules used:
    pay_cut_bottom_n, pay_cut_score_at_most, double_pay_top_n, dismissal_consecutive_months.
    """
    month = _check_month(month)
    rules = rules_for(engine, ruleset)
    need = max(int(rules["dismissal_consecutive_months"]), 1)
    # Scored over the ranking's trend months too (each month is scored on its own), so a page
    # showing both reads the counts once; only the last `need` months count here.
    months = tuple(month_list(month, max(need, TREND_MONTHS)))
    last = len(months) - 1
    allm = _scores_for_months(engine, f, months, ruleset, "worker", _shared, held)
    allm = allm[allm["m"] > last - need]
    cur = allm[allm["m"] == last].copy()
    low = allm.assign(low=allm["total"] <= rules["pay_cut_score_at_most"])
    streak = low.groupby("subject_id")["low"].agg(["sum", "size"])
    cur["low_months"] = cur["subject_id"].map(streak["sum"]).fillna(0).astype(int)
    cur["months_ranked"] = cur["subject_id"].map(streak["size"]).fillna(0).astype(int)
    prev = allm[allm["m"] == last - 1].set_index("subject_id")["total"] if last else pd.Series(dtype=float)
    cur["prev_total"] = cur["subject_id"].map(prev)
    n = len(cur)
    bottom = cur["rank"] > n - int(rules["pay_cut_bottom_n"])
    at_most = cur["total"] <= rules["pay_cut_score_at_most"]
    cur["loses_pay"] = bottom | at_most
    cur["double_pay"] = (cur["rank"] <= int(rules["double_pay_top_n"])) & ~cur["loses_pay"]
    cur["dismissal_risk"] = (cur["low_months"] >= need) & (cur["months_ranked"] >= need)
    reasons = pd.DataFrame(
        {"bottom_n": bottom, "at_most_pass": at_most, "top_n": cur["double_pay"], "consecutive": cur["dismissal_risk"]}
    )
    names = list(reasons.columns)  # plain Python per row: indexing the Index row by row cost ~60 µs a worker
    cur["reason_keys"] = [[n for n, on in zip(names, row) if on] for row in reasons.to_numpy().tolist()]
    out = cur[cur["loses_pay"] | cur["double_pay"] | cur["dismissal_risk"]]
    out = scope_rows(out, f, "worker").sort_values(
        ["dismissal_risk", "loses_pay", "total"], ascending=[False, False, True]
    )
    cols = [
        "subject_id",
        "name",
        "town_name",
        "village_name",
        "total",
        "rank",
        "n_ranked",
        "prev_total",
        "loses_pay",
        "double_pay",
        "dismissal_risk",
        "reason_keys",
    ]
    return out[cols].reset_index(drop=True)


def month_view(
    engine: Engine,
    f: Filters,
    month: dt.date,
    ruleset: str,
    level: str,
    held: tuple = (),
    _shared: dict | None = None,
) -> dict[str, pd.DataFrame]:
    """What the rankings page shows for a month: {"scores": monthly_scores, "compare":
    compare_rulesets, "consequences": consequences}, computed together so that the month counts
    and the staff are read once, not once per table (the shared cache is keyed by months).
    `held` as for `monthly_scores`; `_shared` lets a caller score more rulesets on the same counts."""
    shared: dict = {} if _shared is None else _shared
    return {
        "scores": monthly_scores(engine, f, month, ruleset, level, shared, held),
        "compare": compare_rulesets(engine, f, month, level, shared, held),
        "consequences": consequences(engine, f, month, ruleset, shared, held),
    }
