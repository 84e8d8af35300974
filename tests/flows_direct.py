"""The event flow queries as they were before the event_paths rollup: a frozen reference that
tests compare the rollup-based answers with (steps read directly, up to period_end)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Integer, String, and_, case, cast, func, literal, select, true, union_all
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from data_access import sqlfuncs
from data_access.filters import Filters
from data_access.queries import frame, scalar, unit_conditions
from data_access.rules import default_rule_rows, load_rules
from data_access.schema import (
    EVENT_SOURCES,
    GRID_SOURCES,
    admin_units,
    event_categories,
    event_steps,
    events,
)

SOURCES = EVENT_SOURCES
PATH_LEVELS = ("grid", "village", "town", "county")
DISPATCH_NODES = ("department", "assigned_grid")
OUTCOMES = ("closed", "closed_returned", "closed_rejected", "open", "filed")
STAGES = ("report_accept", "accept_dispatch", "dispatch_complete", "accept_complete", "complete_verify", "verify_close")
RULESET = "integrity"


def node_id(kind: str, name: str) -> str:
    """Node ids: 'origin:patrol', 'level:town', 'dispatch:department', 'outcome:closed'."""
    return f"{kind}:{name}"


def _count_if(condition: ColumnElement) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _flag(condition: ColumnElement) -> ColumnElement:
    return func.max(case((condition, 1), else_=0))


def _scope(f: Filters) -> ColumnElement:
    return and_(
        unit_conditions(f), events.c.report_date.between(f.date_from, f.date_to), events.c.reported_at <= f.period_end
    )


def _per_event(f: Filters):
    """One row per event in scope: step flags and first/last step times, steps up to period_end."""
    s = event_steps.c
    act = s.action

    def first(action):
        return func.min(case((act == action, s.at)))

    def last(action):
        return func.max(case((act == action, s.at)))

    reached = {lvl: _flag(and_(act.in_(("report", "escalate")), s.to_level == lvl)) for lvl in PATH_LEVELS}
    return (
        select(
            s.event_id,
            events.c.source,
            events.c.category_code,
            events.c.deadline,
            *[reached[lvl].label(f"r_{lvl}") for lvl in PATH_LEVELS],
            _flag(and_(act == "dispatch", s.to_level == "department")).label("disp_dept"),
            _flag(and_(act == "dispatch", s.to_level == "grid")).label("disp_grid"),
            _flag(act == "close").label("closed"),
            _flag(act == "file").label("filed"),
            _count_if(act == "return").label("n_returns"),
            _count_if(act == "reject").label("n_rejects"),
            first("report").label("t_report"),
            first("accept").label("t_accept"),
            first("dispatch").label("t_dispatch"),
            last("complete").label("t_complete"),
            last("verify").label("t_verify"),
            first("close").label("t_close"),
        )
        .select_from(event_steps.join(events, events.c.id == s.event_id))
        .where(_scope(f), s.at <= f.period_end)
        .group_by(s.event_id, events.c.source, events.c.category_code, events.c.deadline)
        .subquery("per_event")
    )


def _paths(f: Filters):
    """Per event: visited levels v_<level> (0/1), dispatch node, outcome, route, step times."""
    pe = _per_event(f)
    none_reached = sum(pe.c[f"r_{lvl}"] for lvl in PATH_LEVELS) == 0
    # Imported data without a `report` step: enter where the source says.
    visited = {
        "grid": case((and_(none_reached, pe.c.source.in_(GRID_SOURCES)), 1), else_=pe.c.r_grid),
        "village": pe.c.r_village,
        "town": pe.c.r_town,
        "county": case((and_(none_reached, pe.c.source.not_in(GRID_SOURCES)), 1), else_=pe.c.r_county),
    }
    dispatch = case((pe.c.disp_dept == 1, "department"), (pe.c.disp_grid == 1, "assigned_grid"), else_="none")
    outcome = case(
        (pe.c.filed == 1, "filed"),
        (and_(pe.c.closed == 1, pe.c.n_rejects > 0), "closed_rejected"),
        (and_(pe.c.closed == 1, pe.c.n_returns > 0), "closed_returned"),
        (pe.c.closed == 1, "closed"),
        else_="open",
    )
    return select(
        pe.c.event_id,
        pe.c.source,
        pe.c.category_code,
        pe.c.deadline,
        *[cast(v, Integer).label(f"v_{lvl}") for lvl, v in visited.items()],
        cast(dispatch, String).label("dispatch"),
        cast(outcome, String).label("outcome"),
        pe.c.n_returns,
        pe.c.n_rejects,
        pe.c.t_report,
        pe.c.t_accept,
        pe.c.t_dispatch,
        pe.c.t_complete,
        pe.c.t_verify,
        pe.c.t_close,
    ).subquery("paths")


def _path_nodes(row) -> list[str]:
    """The node ids an event with these path columns passes, left to right."""
    nodes = [node_id("origin", row["source"])]
    nodes += [node_id("level", lvl) for lvl in PATH_LEVELS if int(row[f"v_{lvl}"])]
    if row["dispatch"] != "none":
        nodes.append(node_id("dispatch", row["dispatch"]))
    nodes.append(node_id("outcome", row["outcome"]))
    return nodes


def path_counts(engine: Engine, f: Filters) -> pd.DataFrame:
    """Events per distinct path. Columns: source, v_grid, v_village, v_town, v_county, dispatch,
    outcome, events."""
    p = _paths(f)
    keys = [p.c.source, p.c.v_grid, p.c.v_village, p.c.v_town, p.c.v_county, p.c.dispatch, p.c.outcome]
    return frame(engine, select(*keys, func.count().label("events")).group_by(*keys))


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
    now = flow_links(engine, f)
    before = flow_links(engine, f.previous_period())
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
    if not valid_link(source, target):
        return 0
    p = _paths(f)
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
    p = _paths(f)
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


# --- lifecycle timing ------------------------------------------------------------------------


def _route(p) -> ColumnElement:
    """The last level node of the path: where the event ended up being handled or is waiting."""
    return case(
        (p.c.dispatch == "department", "department"),
        (p.c.dispatch == "assigned_grid", "assigned_grid"),
        (p.c.v_county == 1, "county"),
        (p.c.v_town == 1, "town"),
        (p.c.v_village == 1, "village"),
        else_="grid",
    )


def _stage_rows(f: Filters, verify_hours: float):
    """UNION ALL of one row per (event, finished stage): stage, route, category_code, seconds, breach."""
    p = _paths(f)
    route = cast(_route(p), String)
    dispatched = p.c.dispatch != "none"
    verify_limit = float(verify_hours) * 3600.0
    specs = [
        # stage, start, end, extra condition, breach condition
        ("report_accept", p.c.t_report, p.c.t_accept, None, p.c.t_accept > p.c.deadline),
        ("accept_dispatch", p.c.t_accept, p.c.t_dispatch, None, p.c.t_dispatch > p.c.deadline),
        ("dispatch_complete", p.c.t_dispatch, p.c.t_complete, None, p.c.t_complete > p.c.deadline),
        ("accept_complete", p.c.t_accept, p.c.t_complete, ~dispatched, p.c.t_complete > p.c.deadline),
        (
            "complete_verify",
            p.c.t_complete,
            p.c.t_verify,
            None,
            sqlfuncs.seconds_between(p.c.t_complete, p.c.t_verify) > verify_limit,
        ),
        ("verify_close", p.c.t_verify, p.c.t_close, None, p.c.t_close > p.c.deadline),
    ]
    parts = []
    for stage, start, end, extra, breach in specs:
        conds = [start.is_not(None), end.is_not(None), end >= start]
        if extra is not None:
            conds.append(extra)
        parts.append(
            select(
                cast(literal(stage), String).label("stage"),
                route.label("route"),
                p.c.category_code,
                sqlfuncs.seconds_between(start, end).label("seconds"),
                case((breach, 1), else_=0).label("breach"),
            ).where(*conds)
        )
    return union_all(*parts).subquery("stage_rows")


def stage_timing(engine: Engine, f: Filters, by: str = "route", verify_hours: float | None = None) -> pd.DataFrame:
    """Median and 90th percentile duration of each lifecycle stage, per route or per category.

    `by` is "route" (the last level node of the event's path), "category" or "all".
    Columns: stage, group, n, median_hours, p90_hours, breaches, breach_share.
    A stage counts once it has finished by period_end (end step at or after its start step).
    Breach: for complete→verify, longer than `common.verify_within_hours`; for every other stage,
    the stage ended after the event's own handling deadline.
    """
    if verify_hours is None:
        verify_hours = escalation_rules(engine)["verify_within_hours"]
    rows = _stage_rows(f, verify_hours)
    group_col = {"route": "route", "category": "category_code", "all": None}[by]
    groups = ["stage"] + ([group_col] if group_col else [])
    pct = frame(engine, sqlfuncs.percentiles(rows, "seconds", groups, {"median": 0.5, "p90": 0.9}))
    gcols = [rows.c[g] for g in groups]
    breaches = frame(engine, select(*gcols, func.sum(rows.c.breach).label("breaches")).group_by(*gcols))
    out = pct.merge(breaches, on=groups, how="left")
    out["group"] = out[group_col] if group_col else "all"
    out["median_hours"] = out["median"].astype(float) / 3600
    out["p90_hours"] = out["p90"].astype(float) / 3600
    out["breaches"] = out["breaches"].fillna(0).astype(int)
    out["n"] = out["n"].astype(int)
    out["breach_share"] = out["breaches"] / out["n"]
    out["_o"] = out["stage"].map(STAGES.index)
    out = out.sort_values(["_o", "group"]).reset_index(drop=True)
    return out[["stage", "group", "n", "median_hours", "p90_hours", "breaches", "breach_share"]]


# --- returns and rework ----------------------------------------------------------------------


def returns_by_route(engine: Engine, f: Filters) -> pd.DataFrame:
    """Return (退回) and reject (驳回) steps by direction and category, up to period_end.

    Columns: action (return | reject), from_level, to_level, category_code, category,
    category_en, steps, events.
    """
    s = event_steps.c
    keys = [
        s.action,
        s.from_level,
        s.to_level,
        events.c.category_code,
        event_categories.c.name,
        event_categories.c.name_en,
    ]
    q = (
        select(*keys, func.count().label("steps"), func.count(func.distinct(s.event_id)).label("events"))
        .select_from(
            event_steps.join(events, events.c.id == s.event_id).join(
                event_categories, event_categories.c.code == events.c.category_code
            )
        )
        .where(_scope(f), s.at <= f.period_end, s.action.in_(("return", "reject")))
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
    p = _paths(f)
    trips = (p.c.n_returns + p.c.n_rejects).label("round_trips")
    inner = select(trips).subquery("trips")
    q = (
        select(inner.c.round_trips, func.count().label("events"))
        .group_by(inner.c.round_trips)
        .order_by(inner.c.round_trips)
    )
    out = frame(engine, q, ["round_trips", "events"])
    return out.astype(int)


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
    window = and_(events.c.report_date.between(start, f.date_to), events.c.reported_at <= f.period_end)
    if f.category_code is not None:
        window = and_(window, events.c.category_code == f.category_code)
    s = event_steps.c
    per_event = (
        select(
            events.c.id,
            events.c.village_id,
            events.c.town_id,
            _flag(s.action == "escalate").label("esc"),
            _flag(s.action.in_(("accept", "escalate"))).label("decided"),
            _flag(s.action == "file").label("filed"),
        )
        .select_from(event_steps.join(events, events.c.id == s.event_id))
        .where(window, events.c.source.in_(GRID_SOURCES), s.at <= f.period_end)
        .group_by(events.c.id, events.c.village_id, events.c.town_id)
        .subquery("esc_events")
    )
    counted = and_(per_event.c.decided == 1, per_event.c.filed == 0)
    hot_q = (
        select(events.c.village_id, func.count().label("hotline"))
        .where(window, events.c.source == "hotline_12345", events.c.village_id.is_not(None))
        .group_by(events.c.village_id)
    )
    grid_q = select(
        per_event.c.village_id,
        _count_if(counted).label("decided"),
        _count_if(and_(counted, per_event.c.esc == 1)).label("escalated"),
    ).group_by(per_event.c.village_id)
    units = frame(
        engine,
        select(
            admin_units.c.id, admin_units.c.level, admin_units.c.kind, admin_units.c.name, admin_units.c.parent_id
        ).where(admin_units.c.level.in_(("town", "village"))),
    )
    grid_df = frame(engine, grid_q)
    hot_df = frame(engine, hot_q)
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
