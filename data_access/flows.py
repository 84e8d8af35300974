"""How events move between levels: flows, stage timing, returns and rework, escalation profile.

The node model of the flow chart (it reconciles by construction, and tests prove it):

- Scope: events *reported* in the filter's period (local `report_date`) that match the unit and
  category filter and were reported by `period_end`; their steps are read up to `period_end`, so
  the chart shows where each event stood at the end of the period.
- Every event is one unit that walks one path, left to right, passing each node at most once:
  ``origin (events.source) → entry level → each higher level it was escalated to → where it was
  dispatched (a department, or down to a grid) → outcome``.
  - Levels are grid, village/community, town/street and the county centre. The entry level is the
    `to_level` of the `report` step (grid for workers' reports; county centre for camera and
    12345 events). An escalation adds its target level; levels it skipped (an emergency sent from
    the grid straight to the town) are not visited.
  - An event that goes up and comes back down (退回 a return, e.g. town → village) is counted at
    the **highest** level it reached; the return itself shows in the outcome
    ("closed after a return") and in the separate returns-and-rework view. Dispatches from a
    centre down to a town and a grid are counted once, as "assigned down to a grid".
  - Outcome (exactly one per event, in this order of precedence): filing-only (`file` step);
    closed after rejection and rework (`close` and ≥1 `reject`); closed after a return (`close`
    and ≥1 `return`); closed; still open.
- So for every level node, events in = events passed on to a higher level or a dispatch node +
  events that ended there (the links from that node to an outcome); each origin's outflow is its
  number of events, and the outcome nodes together hold every event exactly once.

Where the numbers come from: the rollups of `data_access/rollups/event_paths.py` (one row per
event with its path, stage durations and flags; escalation counts per day × village; return and
rejection steps). A row is built from all of an event's steps, so it is exact "as of period_end"
when the event's last step is ≤ period_end; when any event moved after period_end (a past
period), the period's events that did are recomputed from their steps up to period_end.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Integer, and_, cast, func, literal, select, true, union_all
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from . import sqlfuncs
from .filters import Filters
from .queries import HIDDEN, float_columns, frame, scalar, unit_conditions
from .rollups.event_paths import (
    ALL_CATEGORIES,
    DEADLINE_STAGES,
    PATH_KEYS,
    PATH_LEVELS,
    STAGES,
    escalation_counts,
    escalation_days,
    event_paths,
    event_returns,
    path_days,
    path_keys_at,
    path_select,
    per_event,
)
from .rules import default_rule_rows, load_rules
from .schema import (
    EVENT_SOURCES,
    admin_units,
    departments,
    event_categories,
    event_steps,
    events,
    grids,
    micro_grids,
    workers,
)
from .sqlfuncs import count_if

SOURCES = EVENT_SOURCES
DISPATCH_NODES = ("department", "assigned_grid")
OUTCOMES = ("closed", "closed_returned", "closed_rejected", "open", "filed")
RULESET = "integrity"
PAGE_SIZES = (20, 50, 100)


def node_id(kind: str, name: str) -> str:
    """Node ids: 'origin:patrol', 'level:town', 'dispatch:department', 'outcome:closed'."""
    return f"{kind}:{name}"


def _scope_paths(f: Filters) -> ColumnElement:
    """Scope (module docstring) on the `event_paths` rollup: reported in the period, by period_end."""
    p = event_paths
    return and_(unit_conditions(f, p), p.c.report_date.between(f.date_from, f.date_to), p.c.reported_at <= f.period_end)


PATH_COLUMNS = (
    "event_id",
    "source",
    "category_code",
    "v_grid",
    "v_village",
    "v_town",
    "v_county",
    "dispatch",
    "outcome",
    "route",
    "n_returns",
    "n_rejects",
    *[f"sec_{s}" for s in STAGES],
    *[f"breach_{s}" for s in DEADLINE_STAGES],
)


def _moving_after(engine: Engine, f: Filters) -> bool:
    """Whether any event has a step after period_end (never, for a period that ends now): only
    then can an event in scope differ from its `event_paths` row."""
    p = event_paths.c
    return scalar(engine, select(p.event_id).where(p.last_at > f.period_end).limit(1)) is not None


def _lateral(engine: Engine) -> bool:
    """Recompute moving events with per-event LATERAL lookups (`per_event`): PostgreSQL only."""
    return engine.dialect.name == "postgresql"


def _late_paths(engine: Engine, f: Filters):
    """The `event_paths` columns of the period's events still moving after period_end, as they
    stood then: recomputed from their steps up to period_end (few events; on PostgreSQL looked up
    one by one, see `per_event`)."""
    late_ids = select(event_paths.c.event_id).where(_scope_paths(f), event_paths.c.last_at > f.period_end)
    return path_select(per_event(events.c.id.in_(late_ids), upto=f.period_end, lateral=_lateral(engine))).subquery(
        "late_paths"
    )


def _paths(engine: Engine, f: Filters, moving: bool | None = None):
    """Per event in scope, as it stood at period_end: visited levels v_<level> (0/1), dispatch
    node, outcome, route, returns, rejections, each stage's seconds and breach.

    From the `event_paths` rollup for events whose last step is ≤ period_end; the events of the
    period still moving after it (few) are recomputed from their steps up to period_end.
    `moving`: `_moving_after(engine, f)` when the caller already has it.
    """
    p = event_paths
    settled = select(*[p.c[c] for c in PATH_COLUMNS]).where(
        _scope_paths(f), p.c.last_at <= f.period_end, p.c.n_steps > 0
    )
    if not (_moving_after(engine, f) if moving is None else moving):
        return settled.subquery("paths")
    late = _late_paths(engine, f)
    moving_rows = select(*[late.c[c] for c in PATH_COLUMNS]).where(late.c.n_steps > 0)
    return union_all(settled, moving_rows).subquery("paths")


def _path_nodes(row) -> list[str]:
    """The node ids an event with these path columns passes, left to right."""
    nodes = [node_id("origin", row["source"])]
    nodes += [node_id("level", lvl) for lvl in PATH_LEVELS if int(row[f"v_{lvl}"])]
    if row["dispatch"] != "none":
        nodes.append(node_id("dispatch", row["dispatch"]))
    nodes.append(node_id("outcome", row["outcome"]))
    return nodes


def _path_groups(engine: Engine, f: Filters, keys: list[str]) -> pd.DataFrame:
    """Events in scope per distinct value of `keys` (columns of `path_days`), column `events`.

    County-wide (no town or village filter): the `path_days` rollup over the period's days (and
    category), corrected for the period's events still moving after period_end — minus what the
    rollup counts for them, plus their paths as they stood at period_end (from their steps).
    With a town or village filter the unit's events are few: grouped from `_paths` directly.
    """

    def col(t, k):  # "trips": returns + rejections, the one key that is not a column
        return (t.c.n_returns + t.c.n_rejects if k == "trips" else t.c[k]).label(k)

    moving = _moving_after(engine, f)
    if f.town_id is not None or f.village_id is not None:
        p = _paths(engine, f, moving)
        cols = [col(p, k) for k in keys]
        return frame(engine, select(*cols, func.count().label("events")).group_by(*cols), [*keys, "events"])
    d = path_days.c
    in_days = [d.report_date.between(f.date_from, f.date_to)]
    if f.category_code is not None:
        in_days.append(d.category_code == f.category_code)
    parts = [
        select(*[d[k] for k in keys], cast(func.sum(d.events), Integer).label("events"))
        .where(*in_days)
        .group_by(*[d[k] for k in keys])
    ]
    if moving:
        p = event_paths
        late = [p.c.report_date.between(f.date_from, f.date_to), p.c.last_at > f.period_end, p.c.n_steps > 0]
        if f.category_code is not None:
            late.append(p.c.category_code == f.category_code)
        full = [col(p, k) for k in keys]
        parts.append(select(*full, cast(-func.count(), Integer).label("events")).where(*late).group_by(*full))
        if "trips" in keys:  # a count at period_end: from the steps
            now = _late_paths(engine, f)
            cols = [col(now, k) for k in keys]
            parts.append(
                select(*cols, cast(func.count(), Integer).label("events")).where(now.c.n_steps > 0).group_by(*cols)
            )
        else:  # the path at period_end, from the moments of its facts on the same rows
            then = path_keys_at(p, f.period_end)
            cols = [then[k].label(k) for k in keys]
            parts.append(
                select(*cols, cast(func.count(), Integer).label("events"))
                .where(_scope_paths(f), p.c.last_at > f.period_end, then["stepped"])
                .group_by(*cols)
            )
    u = union_all(*parts).subquery("path_parts")
    ucols = [u.c[k] for k in keys]
    total = func.sum(u.c.events)
    q = select(*ucols, cast(total, Integer).label("events")).group_by(*ucols).having(total != 0)
    return frame(engine, q, [*keys, "events"])


def path_counts(engine: Engine, f: Filters) -> pd.DataFrame:
    """Events per distinct path. Columns: source, v_grid, v_village, v_town, v_county, dispatch,
    outcome, events."""
    return _path_groups(engine, f, list(PATH_KEYS))


def flow_links(engine: Engine, f: Filters) -> pd.DataFrame:
    """Links of the flow chart, split by outcome so a link's colour is the outcome of its events.

    Columns: source, target (node ids, see the module docstring), outcome, events. Grouping by
    path happens in SQL; this only spells each of the (few dozen) distinct paths out as links.
    """
    counts = path_counts(engine, f)
    rows = []
    for _, row in counts.iterrows():
        nodes = _path_nodes(row)
        for a, b in zip(nodes, nodes[1:]):
            rows.append((a, b, row["outcome"], int(row["events"])))
    links = pd.DataFrame(rows, columns=["source", "target", "outcome", "events"])
    if links.empty:
        return links
    return links.groupby(["source", "target", "outcome"], as_index=False)["events"].sum()


def node_balance(links: pd.DataFrame) -> pd.DataFrame:
    """Per node: events in, passed on (to a level or dispatch node), ended there (to an outcome).

    Columns: node, inflow, passed_on, ended_here, outflow. Origins have no inflow; outcomes no
    outflow. For every level and dispatch node inflow == passed_on + ended_here.
    """
    to_outcome = links["target"].str.startswith("outcome:")
    inflow = links.groupby("target")["events"].sum()
    passed = links[~to_outcome].groupby("source")["events"].sum()
    ended = links[to_outcome].groupby("source")["events"].sum()
    nodes = sorted(set(links["source"]) | set(links["target"]), key=node_order)
    out = pd.DataFrame({"node": nodes})
    out["inflow"] = [int(inflow.get(n, 0)) for n in nodes]
    out["passed_on"] = [int(passed.get(n, 0)) for n in nodes]
    out["ended_here"] = [int(ended.get(n, 0)) for n in nodes]
    out["outflow"] = out["passed_on"] + out["ended_here"]
    return out


def node_order(node: str) -> tuple[int, int]:
    kind, name = node.split(":", 1)
    orders = {"origin": SOURCES, "level": PATH_LEVELS, "dispatch": DISPATCH_NODES, "outcome": OUTCOMES}
    column = {"origin": 0, "level": 1, "dispatch": 2, "outcome": 3}[kind]
    names = orders[kind]
    return column, names.index(name) if name in names else len(names)


def flow_comparison(engine: Engine, f: Filters) -> pd.DataFrame:
    """Each link (all outcomes together) in this period and the previous one of the same length.

    Columns: source, target, events, previous, change, change_share (None when previous is 0).
    """
    return compare_links(flow_links(engine, f), flow_links(engine, f.previous_period()))


def compare_links(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """`flow_comparison` from the two periods' `flow_links` (a page that has both reuses them)."""
    cols = ["source", "target"]
    a = now.groupby(cols)["events"].sum() if len(now) else pd.Series(dtype=int)
    b = before.groupby(cols)["events"].sum() if len(before) else pd.Series(dtype=int)
    both = pd.concat([a.rename("events"), b.rename("previous")], axis=1).fillna(0).astype(int).reset_index()
    if both.empty:
        return pd.DataFrame(columns=[*cols, "events", "previous", "change", "change_share"])
    both.columns = [*cols, "events", "previous"]
    both["change"] = both["events"] - both["previous"]
    both["change_share"] = [c / p if p else None for c, p in zip(both["change"], both["previous"])]
    both["_o"] = [(node_order(s), node_order(t)) for s, t in zip(both["source"], both["target"])]
    return both.sort_values("_o").drop(columns="_o").reset_index(drop=True)


# --- from a link to its events ---------------------------------------------------------------


def _visited_only(p, levels: list[str]) -> ColumnElement:
    """None of these path levels was visited."""
    return and_(true(), *[p.c[f"v_{lvl}"] == 0 for lvl in levels])


def _link_condition(p, source: str, target: str) -> ColumnElement:
    """SQL condition: the event's path contains the link source → target (node ids)."""
    s_kind, s_name = source.split(":", 1)
    t_kind, t_name = target.split(":", 1)
    if s_kind == "origin" and t_kind == "level":
        below = list(PATH_LEVELS[: PATH_LEVELS.index(t_name)])
        return and_(p.c.source == s_name, p.c[f"v_{t_name}"] == 1, _visited_only(p, below))
    if s_kind == "level":
        i = PATH_LEVELS.index(s_name)
        if t_kind == "level":
            j = PATH_LEVELS.index(t_name)
            return and_(
                p.c[f"v_{s_name}"] == 1, p.c[f"v_{t_name}"] == 1, _visited_only(p, list(PATH_LEVELS[i + 1 : j]))
            )
        top = and_(p.c[f"v_{s_name}"] == 1, _visited_only(p, list(PATH_LEVELS[i + 1 :])))
        if t_kind == "dispatch":
            return and_(top, p.c.dispatch == t_name)
        return and_(top, p.c.dispatch == "none", p.c.outcome == t_name)
    if s_kind == "dispatch" and t_kind == "outcome":
        return and_(p.c.dispatch == s_name, p.c.outcome == t_name)
    raise ValueError(f"no such link: {source} → {target}")


def valid_link(source: str, target: str) -> bool:
    try:
        s_kind, s_name = source.split(":", 1)
        t_kind, t_name = target.split(":", 1)
        names = {"origin": SOURCES, "level": PATH_LEVELS, "dispatch": DISPATCH_NODES, "outcome": OUTCOMES}
        if s_name not in names.get(s_kind, ()) or t_name not in names.get(t_kind, ()):
            return False
        return node_order(source) < node_order(target)
    except ValueError:
        return False


def link_event_count(engine: Engine, f: Filters, source: str, target: str) -> int:
    """Events on the link source → target (node ids). County-wide: the link as the chart draws
    it (`flow_links`, from the `path_days` rollup), not a pass over every event's row."""
    if not valid_link(source, target):
        return 0
    if f.town_id is None and f.village_id is None:
        links = flow_links(engine, f)  # has its columns even when empty
        return int(links.loc[(links["source"] == source) & (links["target"] == target), "events"].sum())
    p = _paths(engine, f)
    return int(scalar(engine, select(func.count()).select_from(p).where(_link_condition(p, source, target))) or 0)


def link_events(engine: Engine, f: Filters, source: str, target: str, limit: int = 20, offset: int = 0) -> pd.DataFrame:
    """One page of the events on a link, newest first.

    Columns: id, code, category, category_en, source, urgency, village, reported_at (UTC),
    status, outcome, returns, rejections. Empty for an unknown link.
    """
    cols = [
        "id",
        "code",
        "category",
        "category_en",
        "source",
        "urgency",
        "village",
        "reported_at",
        "status",
        "outcome",
        "returns",
        "rejections",
    ]
    if not valid_link(source, target):
        return pd.DataFrame(columns=cols)
    p = _paths(engine, f)
    q = (
        select(
            events.c.id,
            events.c.code,
            event_categories.c.name,
            event_categories.c.name_en,
            events.c.source,
            events.c.urgency,
            admin_units.c.name,
            events.c.reported_at,
            events.c.status,
            p.c.outcome,
            p.c.n_returns,
            p.c.n_rejects,
        )
        .select_from(
            p.join(events, events.c.id == p.c.event_id)
            .join(event_categories, event_categories.c.code == events.c.category_code)
            .outerjoin(admin_units, admin_units.c.id == events.c.village_id)
        )
        .where(_link_condition(p, source, target))
        .order_by(events.c.reported_at.desc(), events.c.id.desc())
        .limit(max(1, int(limit)))
        .offset(max(0, int(offset)))
    )
    return frame(engine, q, cols)


def event_timeline(engine: Engine, f: Filters, event_id: int) -> pd.DataFrame:
    """Every step of one event (within the unit/category filter), in order, all steps shown.

    Columns: seq, action, from_level, from_unit, to_level, to_unit, actor, at (UTC),
    minutes_since_previous (None for the first step).
    """
    s = event_steps.c

    def unit_name(level_col, id_col, prefix):
        au = admin_units.alias(f"{prefix}_au")
        g = grids.alias(f"{prefix}_g")
        mg = micro_grids.alias(f"{prefix}_mg")
        d = departments.alias(f"{prefix}_d")
        joins = [
            (au, and_(level_col.in_(("village", "town", "county")), au.c.id == id_col)),
            (g, and_(level_col == "grid", g.c.id == id_col)),
            (mg, and_(level_col == "micro_grid", mg.c.id == id_col)),
            (d, and_(level_col == "department", d.c.id == id_col)),
        ]
        name = func.coalesce(au.c.name, g.c.name, mg.c.name, d.c.name)
        return joins, name

    from_joins, from_name = unit_name(s.from_level, s.from_unit_id, "f")
    to_joins, to_name = unit_name(s.to_level, s.to_unit_id, "t")
    source = event_steps.join(events, events.c.id == s.event_id).outerjoin(workers, workers.c.id == s.actor_worker_id)
    for table, on in from_joins + to_joins:
        source = source.outerjoin(table, on)
    q = (
        select(
            s.seq,
            s.action,
            s.from_level,
            from_name,
            s.to_level,
            to_name,
            func.coalesce(workers.c.name, s.actor) if f.scope is None or f.scope.names_visible else literal(HIDDEN),
            s.at,
        )
        .select_from(source)
        .where(s.event_id == int(event_id), unit_conditions(f))
        .order_by(s.seq)
    )
    out = frame(engine, q, ["seq", "action", "from_level", "from_unit", "to_level", "to_unit", "actor", "at"])
    if len(out):
        out["at"] = pd.to_datetime(out["at"], utc=True)
        out["minutes_since_previous"] = (out["at"].diff().dt.total_seconds() / 60).round(1)
    else:
        out["minutes_since_previous"] = []
    return out


# --- lifecycle timing ------------------------------------------------------------------------


def stage_timing(engine: Engine, f: Filters, by: str = "route", verify_hours: float | None = None) -> pd.DataFrame:
    """Median and 90th percentile duration of each lifecycle stage, per route or per category.

    `by` is "route" (the last level node of the event's path), "category" or "all".
    Columns: stage, group, n, median_hours, p90_hours, breaches, breach_share.
    A stage counts once it has finished by period_end (end step at or after its start step).
    Breach: for complete→verify, longer than `common.verify_within_hours`; for every other stage,
    the stage ended after the event's own handling deadline.

    One pass over the period's path rows, one column per stage (no row per event × stage):
    PostgreSQL counts and takes exact percentiles in SQL (percentile_cont, one sort per stage);
    SQLite has no sorted aggregate (a Python one, called per row and stage, is slower than a
    fetch), so its durations and breach flags are fetched once as numbers.
    """
    if verify_hours is None:
        verify_hours = escalation_rules(engine)["verify_within_hours"]
    group_col = {"route": "route", "category": "category_code", "all": None}[by]
    p = _paths(engine, f)
    verify_limit = float(verify_hours) * 3600.0
    group = [p.c[group_col].label("group")] if group_col else []
    if engine.dialect.name == "postgresql":
        aggregates = []
        for stage in STAGES:
            seconds = p.c[f"sec_{stage}"]
            breach = seconds > verify_limit if stage not in DEADLINE_STAGES else p.c[f"breach_{stage}"] == 1
            aggregates += [
                func.count(seconds).label(f"n:{stage}"),
                count_if(and_(seconds.is_not(None), breach)).label(f"breaches:{stage}"),
            ]
        aggregates += sqlfuncs.quantile_columns(
            "postgresql", {p.c[f"sec_{stage}"]: {f"median:{stage}": 0.5, f"p90:{stage}": 0.9} for stage in STAGES}
        )
        wide = frame(engine, select(*group, *aggregates).group_by(*group))
    else:
        wide = _stage_numbers_sqlite(engine, p, group, verify_limit)
    if not group:
        wide["group"] = "all"
    long = []
    for stage in STAGES:
        part = wide[["group", f"n:{stage}", f"breaches:{stage}", f"median:{stage}", f"p90:{stage}"]].copy()
        part.columns = ["group", "n", "breaches", "median", "p90"]
        part.insert(0, "stage", stage)
        long.append(part)
    out = pd.concat(long, ignore_index=True)
    out = out[out["n"].fillna(0).astype(int) > 0].copy()
    out["n"] = out["n"].astype(int)
    out["breaches"] = out["breaches"].fillna(0).astype(int)
    out["median_hours"] = out["median"].astype(float) / 3600
    out["p90_hours"] = out["p90"].astype(float) / 3600
    out["breach_share"] = out["breaches"] / out["n"]
    out["_o"] = out["stage"].map(STAGES.index)
    out = out.sort_values(["_o", "group"]).reset_index(drop=True)
    return out[["stage", "group", "n", "median_hours", "p90_hours", "breaches", "breach_share"]]


def _stage_numbers_sqlite(engine: Engine, p, group: list, verify_limit: float) -> pd.DataFrame:
    """SQLite: n:, breaches:, median: and p90:<stage> per group, from one fetch of the stage
    durations and breach flags as float arrays (pandas' linear interpolation, the same as
    percentile_cont)."""
    seconds = [f"sec_{stage}" for stage in STAGES]
    flags = [f"breach_{stage}" for stage in DEADLINE_STAGES]
    data = pd.DataFrame(
        float_columns(
            engine, select(*group, *[p.c[n] for n in seconds + flags]), [g.name for g in group], seconds + flags
        )
    )
    if not group:
        data["group"] = "all"
    columns = {}
    for stage in STAGES:
        sec = data[f"sec_{stage}"]
        breach = sec > verify_limit if stage not in DEADLINE_STAGES else (data[f"breach_{stage}"] == 1) & sec.notna()
        columns[f"breaches:{stage}"] = breach.astype(int)
    data = pd.concat([data, pd.DataFrame(columns)], axis=1)
    grouped = data.groupby("group", sort=False)
    out = {}
    for stage in STAGES:
        out[f"n:{stage}"] = grouped[f"sec_{stage}"].count()
        out[f"breaches:{stage}"] = grouped[f"breaches:{stage}"].sum()
        out[f"median:{stage}"] = grouped[f"sec_{stage}"].quantile(0.5)
        out[f"p90:{stage}"] = grouped[f"sec_{stage}"].quantile(0.9)
    return pd.DataFrame(out).reset_index()


# --- returns and rework ----------------------------------------------------------------------


def returns_by_route(engine: Engine, f: Filters) -> pd.DataFrame:
    """Return (退回) and reject (驳回) steps by direction and category, up to period_end.

    Columns: action (return | reject), from_level, to_level, category_code, category,
    category_en, steps, events.
    """
    r = event_returns.c
    keys = [r.action, r.from_level, r.to_level, r.category_code, event_categories.c.name, event_categories.c.name_en]
    q = (
        select(*keys, func.count().label("steps"), func.count(func.distinct(r.event_id)).label("events"))
        .select_from(event_returns.join(event_categories, event_categories.c.code == r.category_code))
        .where(
            unit_conditions(f, event_returns),
            r.report_date.between(f.date_from, f.date_to),
            r.reported_at <= f.period_end,
            r.at <= f.period_end,
        )
        .group_by(*keys)
        .order_by(func.count().desc())
    )
    return frame(
        engine, q, ["action", "from_level", "to_level", "category_code", "category", "category_en", "steps", "events"]
    )


def round_trips(engine: Engine, f: Filters) -> pd.DataFrame:
    """How many events made 0, 1, 2, … round trips (returns + rejections) by period_end.

    Columns: round_trips, events.
    """
    out = _path_groups(engine, f, ["trips"]).rename(columns={"trips": "round_trips"})
    out = out.sort_values("round_trips").reset_index(drop=True)
    return out[["round_trips", "events"]].astype(int)


# --- escalation profile ----------------------------------------------------------------------


def escalation_rules(engine: Engine) -> dict[str, float]:
    """The `integrity` ruleset's escalation thresholds (plus `common`), from the store.

    A store seeded before these keys existed falls back to the shipped rules file, so the
    thresholds always come from the rules data, never from code.
    """
    shipped = {r["key"]: r["value"] for r in default_rule_rows() if r["ruleset"] in ("common", RULESET)}
    shipped.update(load_rules(engine, RULESET))
    return shipped


def escalation_profile(engine: Engine, f: Filters) -> pd.DataFrame:
    """Per village and per town: share of grid-reported events escalated, against its peers.

    Window: `escalation_window_days` days ending at the filter's end date (or the filter's range if
    that is longer) — a month holds too few events per village to judge. The category filter
    applies; the town/village filter does not (peers lie outside it) — the page narrows the rows.
    Counted: events from a grid source (patrol, household visit, resident call), not filing-only,
    that had been accepted at some level or escalated by period_end. Hotline: 12345 events located
    in the unit. Peers: units of the same kind (village/community; town/street) in the same town,
    or in the county when the town has fewer than `escalation_min_peers` of that kind.
    Flag: share escalated ≤ `escalation_max_share_of_peers` × the peers' median share, AND the
    events are enough to expect ≥ `escalation_min_expected` escalations at the peers' share, AND
    hotline events per grid report ≥ `escalation_hotline_ratio_min` × the peers' median ratio.

    Columns: level (village | town), unit_id, name, kind, town_id, town_name, decided, escalated,
    escalated_share, hotline, hotline_ratio, peer_scope (town | county), peers, peer_share,
    peer_hotline_ratio, expected_escalations, share_vs_peers, hotline_vs_peers, low_share,
    high_hotline, flagged.
    """
    r = escalation_rules(engine)
    days = max(int(r["escalation_window_days"]), f.days)
    start = f.date_to - dt.timedelta(days=days - 1)
    # Per village: the day rollup over the window, minus the events still moving after period_end
    # as the rollup counts them, plus those events as they stood at period_end (from their steps).
    d, p = escalation_days.c, event_paths.c
    in_window = [d.category_code == (f.category_code or ALL_CATEGORIES), d.report_date.between(start, f.date_to)]
    late = [p.report_date.between(start, f.date_to), p.last_at > f.period_end, p.village_id.is_not(None)]
    if f.category_code is not None:
        late.append(p.category_code == f.category_code)
    parts = [select(d.village_id, d.decided, d.escalated, d.hotline).where(*in_window)]
    if _moving_after(engine, f):
        late_full = (
            select(p.village_id, *escalation_counts(event_paths, true()))
            .where(*late)
            .group_by(p.village_id)
            .subquery("late_full")
        )
        late_now = path_select(
            per_event(events.c.id.in_(select(p.event_id).where(*late)), upto=f.period_end, lateral=_lateral(engine))
        ).subquery("late_now")
        parts += [
            select(late_full.c.village_id, -late_full.c.decided, -late_full.c.escalated, -late_full.c.hotline),
            select(
                late_now.c.village_id, *escalation_counts(late_now, late_now.c.reported_at <= f.period_end)
            ).group_by(late_now.c.village_id),
        ]
    parts = union_all(*parts).subquery("esc_parts")
    counts = frame(
        engine,
        select(
            parts.c.village_id,
            *[cast(func.sum(parts.c[c]), Integer).label(c) for c in ("decided", "escalated", "hotline")],
        ).group_by(parts.c.village_id),
    )
    grid_df = counts[["village_id", "decided", "escalated"]]
    hot_df = counts[["village_id", "hotline"]]
    units = frame(
        engine,
        select(
            admin_units.c.id, admin_units.c.level, admin_units.c.kind, admin_units.c.name, admin_units.c.parent_id
        ).where(admin_units.c.level.in_(("town", "village"))),
    )
    villages = units[units["level"] == "village"].rename(columns={"id": "unit_id", "parent_id": "town_id"})
    villages = villages.merge(grid_df.rename(columns={"village_id": "unit_id"}), on="unit_id", how="left").merge(
        hot_df.rename(columns={"village_id": "unit_id"}), on="unit_id", how="left"
    )
    towns = units[units["level"] == "town"].rename(columns={"id": "unit_id"})
    town_sum = villages.groupby("town_id")[["decided", "escalated", "hotline"]].sum(min_count=1).reset_index()
    towns = towns.merge(town_sum.rename(columns={"town_id": "unit_id"}), on="unit_id", how="left")
    towns["town_id"] = towns["unit_id"]
    town_names = dict(zip(towns["unit_id"], towns["name"]))
    out = pd.concat([villages, towns], ignore_index=True)
    for col in ("decided", "escalated", "hotline"):
        out[col] = out[col].fillna(0).astype(int)
    out["town_id"] = out["town_id"].astype(int)
    out["town_name"] = out["town_id"].map(town_names)
    out["escalated_share"] = [e / n if n else None for e, n in zip(out["escalated"], out["decided"])]
    out["hotline_ratio"] = [h / n if n else None for h, n in zip(out["hotline"], out["decided"])]
    out["escalated_share"] = out["escalated_share"].astype(float)
    out["hotline_ratio"] = out["hotline_ratio"].astype(float)
    # Peers on the small aggregated table (≤ a few hundred rows): medians of same-kind units.
    min_peers = int(r["escalation_min_peers"])
    in_town = out["level"] == "village"
    out["peer_group"] = [
        f"{lvl}:{k}:{t}" if lvl == "village" else f"{lvl}:{k}"
        for lvl, k, t in zip(out["level"], out["kind"], out["town_id"])
    ]
    sizes = out.groupby("peer_group")["unit_id"].transform("size")
    use_town = in_town & (sizes >= min_peers)
    out["peer_scope"] = ["town" if u else "county" for u in use_town]
    out.loc[~use_town, "peer_group"] = out.loc[~use_town, "level"] + ":" + out.loc[~use_town, "kind"]
    grouped = out.groupby("peer_group")
    out["peers"] = grouped["unit_id"].transform("size").astype(int)
    out["peer_share"] = grouped["escalated_share"].transform("median")
    out["peer_hotline_ratio"] = grouped["hotline_ratio"].transform("median")
    out["expected_escalations"] = out["decided"] * out["peer_share"]
    out["share_vs_peers"] = out["escalated_share"] / out["peer_share"].where(out["peer_share"] > 0)
    out["hotline_vs_peers"] = out["hotline_ratio"] / out["peer_hotline_ratio"].where(out["peer_hotline_ratio"] > 0)
    out["low_share"] = (
        (out["escalated_share"] <= r["escalation_max_share_of_peers"] * out["peer_share"])
        & (out["expected_escalations"] >= r["escalation_min_expected"])
    ).fillna(False)
    # With no hotline events among the peers any hotline call is "high"; with none at all, not.
    out["high_hotline"] = (
        (out["hotline_ratio"] >= r["escalation_hotline_ratio_min"] * out["peer_hotline_ratio"]) & (out["hotline"] > 0)
    ).fillna(False)
    out["flagged"] = out["low_share"] & out["high_hotline"]
    out["_level"] = out["level"].map({"town": 0, "village": 1})  # towns first, then villages by town
    out = out.sort_values(["_level", "town_id", "unit_id"])
    return out[
        [
            "level",
            "unit_id",
            "name",
            "kind",
            "town_id",
            "town_name",
            "decided",
            "escalated",
            "escalated_share",
            "hotline",
            "hotline_ratio",
            "peer_scope",
            "peers",
            "peer_share",
            "peer_hotline_ratio",
            "expected_escalations",
            "share_vs_peers",
            "hotline_vs_peers",
            "low_share",
            "high_hotline",
            "flagged",
        ]
    ].reset_index(drop=True)
