"""Rollup: each event's path through the levels (event flow page), and escalation counts per day.

`event_paths`: one row per event — its scope columns (report day, units, category, source,
deadline), what the flow model derives from its steps (levels visited, dispatch node, outcome,
route, returns and rejections, first/last time of each action, the duration and breach of each
lifecycle stage, escalation flags) and `last_at`, the time of its last step (at least its report
time). Built from *all* steps, a row is what the event looked like at any moment ≥ `last_at`;
queries "as of period_end" use it for events with `last_at <= period_end` and recompute the few
others from `event_steps` with the same SQL (`per_event(..., upto=period_end)`).

`escalation_days`: per category (and `*`, all categories together) × report day × village,
grid-source events decided (accepted or escalated, not filing-only) and escalated, and hotline
events — the escalation profile's year-long window summed over days × villages, not events.

`event_returns`: every return and rejection step, with its event's scope columns.

`path_days`: events (with at least one step) per report day × category × path (source, levels
visited, dispatch node, outcome) × round trips (returns + rejections) — the flow chart and the
round-trip counts of a county-wide period read a few thousand groups, not every event.

Refresh: changed events' rows are deleted and inserted again; the (day, village) keys of changed
events are recomputed in `escalation_days` and their (day, category) keys in `path_days` (an
event's report day, village and category never change).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    Float,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from .. import sqlfuncs
from ..schema import GRID_SOURCES, UtcDateTime, event_steps, events, metadata
from ..sqlfuncs import count_if

PATH_LEVELS = ("grid", "village", "town", "county")
STAGES = ("report_accept", "accept_dispatch", "dispatch_complete", "accept_complete", "complete_verify", "verify_close")
# Stages whose breach is "ended after the event's deadline" (complete→verify: a rule's hours).
DEADLINE_STAGES = tuple(s for s in STAGES if s != "complete_verify")
# Facts a path is made of: first step; each level reached (report or escalation to it); first
# dispatch to a department / down to a grid; filed; first return; first rejection (closed: t_close).
PATH_FACTS = (
    "first_step",
    *[f"reach_{lvl}" for lvl in PATH_LEVELS],
    "dispatch_department",
    "dispatch_grid",
    "file",
    "return",
    "reject",
)

event_paths = Table(
    "event_paths",
    metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=False),
    Column("report_date", Date, nullable=False),
    Column("reported_at", UtcDateTime, nullable=False),
    Column("town_id", Integer, nullable=True),
    Column("village_id", Integer, nullable=True),
    Column("category_code", String(32), nullable=False),
    Column("source", String(16), nullable=False),
    Column("deadline", UtcDateTime, nullable=False),
    Column("last_at", UtcDateTime, nullable=False),  # latest step, or reported_at if later / no steps
    Column("n_steps", Integer, nullable=False),
    *[Column(f"v_{lvl}", SmallInteger, nullable=False) for lvl in PATH_LEVELS],
    Column("dispatch", String(16), nullable=False),  # department | assigned_grid | none
    Column("outcome", String(16), nullable=False),  # flows.OUTCOMES
    Column("route", String(16), nullable=False),  # last level node: grid … county, department, assigned_grid
    Column("n_returns", Integer, nullable=False),
    Column("n_rejects", Integer, nullable=False),
    Column("esc", SmallInteger, nullable=False),  # any escalate step
    Column("decided", SmallInteger, nullable=False),  # any accept or escalate step
    *[
        Column(f"t_{a}", UtcDateTime, nullable=True)
        for a in ("report", "accept", "dispatch", "complete", "verify", "close")
    ],
    *[Column(f"sec_{s}", Float, nullable=True) for s in STAGES],  # NULL: stage not finished
    *[Column(f"breach_{s}", SmallInteger, nullable=False) for s in DEADLINE_STAGES],
    # When each fact of the path first became true (NULL: never): the path as it stood at any
    # moment T follows from these alone (`path_keys_at`), without reading the steps again.
    *[Column(f"at_{fact}", UtcDateTime, nullable=True) for fact in PATH_FACTS],
    Index("ix_event_paths_date", "report_date"),
    Index("ix_event_paths_town_date", "town_id", "report_date"),
    Index("ix_event_paths_village_date", "village_id", "report_date"),
    Index("ix_event_paths_category_date", "category_code", "report_date"),
    # Events still moving after a moment: few for any recent moment.
    Index("ix_event_paths_last_at", "last_at", "report_date"),
)

escalation_days = Table(
    "escalation_days",
    metadata,
    Column("report_date", Date, nullable=False),
    Column("village_id", Integer, nullable=False),
    Column("category_code", String(32), nullable=False),  # ALL_CATEGORIES: every category
    Column("decided", Integer, nullable=False),
    Column("escalated", Integer, nullable=False),
    Column("hotline", Integer, nullable=False),
    PrimaryKeyConstraint("category_code", "report_date", "village_id", name="pk_escalation_days"),
)

# Every return (退回) and rejection (驳回) step with its event's scope columns: the returns view
# reads the period's few rows; each row carries its own time, so "up to period_end" is exact.
event_returns = Table(
    "event_returns",
    metadata,
    Column("step_id", Integer, primary_key=True, autoincrement=False),
    Column("event_id", Integer, nullable=False),
    Column("report_date", Date, nullable=False),
    Column("reported_at", UtcDateTime, nullable=False),
    Column("town_id", Integer, nullable=True),
    Column("village_id", Integer, nullable=True),
    Column("category_code", String(32), nullable=False),
    Column("action", String(16), nullable=False),  # return | reject
    Column("from_level", String(16), nullable=True),
    Column("to_level", String(16), nullable=True),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_event_returns_date", "report_date"),
    Index("ix_event_returns_event", "event_id"),
)

PATH_KEYS = ("source", *[f"v_{lvl}" for lvl in PATH_LEVELS], "dispatch", "outcome")

path_days = Table(
    "path_days",
    metadata,
    Column("report_date", Date, nullable=False),
    Column("category_code", String(32), nullable=False),
    Column("source", String(16), nullable=False),
    *[Column(f"v_{lvl}", SmallInteger, nullable=False) for lvl in PATH_LEVELS],
    Column("dispatch", String(16), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("trips", Integer, nullable=False),  # n_returns + n_rejects
    Column("events", Integer, nullable=False),
    # Report day first: a period is one range of the key.
    PrimaryKeyConstraint("report_date", "category_code", *PATH_KEYS, "trips", name="pk_path_days"),
    sqlite_with_rowid=False,
)

TABLES = (event_paths, escalation_days, event_returns, path_days)
ALL_CATEGORIES = "*"


def _flag(condition: ColumnElement) -> ColumnElement:
    return func.coalesce(func.max(case((condition, 1), else_=0)), 0)


def per_event(where: ColumnElement, upto=None, lateral: bool = False):
    """Per event matching `where`: step flags and first/last step times, from its steps up to
    `upto` (all steps when None). Events without such steps get n_steps 0.

    `lateral` (PostgreSQL, for a few events): the steps are aggregated per event in a LATERAL
    subquery, one index range on (event_id, seq) each. As a plain join the planner, misjudging
    how many events `where` keeps, hashes all of event_steps (24 s at 75 M steps, not 0.3 s).
    """
    s = event_steps.c
    act = s.action

    def first(action):
        return func.min(case((act == action, s.at)))

    def last(action):
        return func.max(case((act == action, s.at)))

    step_columns = [
        func.count(s.id).label("n_steps"),
        func.max(s.at).label("last_step_at"),
        _flag(act == "escalate").label("esc"),
        _flag(act.in_(("accept", "escalate"))).label("decided"),
        count_if(act == "return").label("n_returns"),
        count_if(act == "reject").label("n_rejects"),
        first("report").label("t_report"),
        first("accept").label("t_accept"),
        first("dispatch").label("t_dispatch"),
        last("complete").label("t_complete"),
        last("verify").label("t_verify"),
        first("close").label("t_close"),
        func.min(s.at).label("at_first_step"),
        *[
            func.min(case((and_(act.in_(("report", "escalate")), s.to_level == lvl), s.at))).label(f"at_reach_{lvl}")
            for lvl in PATH_LEVELS
        ],
        func.min(case((and_(act == "dispatch", s.to_level == "department"), s.at))).label("at_dispatch_department"),
        func.min(case((and_(act == "dispatch", s.to_level == "grid"), s.at))).label("at_dispatch_grid"),
        first("file").label("at_file"),
        first("return").label("at_return"),
        first("reject").label("at_reject"),
    ]
    event_columns = [
        events.c.id.label("event_id"),
        events.c.report_date,
        events.c.reported_at,
        events.c.town_id,
        events.c.village_id,
        events.c.category_code,
        events.c.source,
        events.c.deadline,
    ]
    on = s.event_id == events.c.id
    if upto is not None:
        on = and_(on, s.at <= upto)
    if lateral:
        # An aggregate without GROUP BY yields one row even for an event without steps.
        steps = select(*step_columns).where(on).lateral("event_step_summary")
        return (
            select(*event_columns, *[steps.c[c.name] for c in step_columns])
            .select_from(events.join(steps, true()))
            .where(where)
            .subquery("per_event")
        )
    return (
        select(*event_columns, *step_columns)
        .select_from(events.outerjoin(event_steps, on))
        .where(where)
        .group_by(
            events.c.id,
            events.c.report_date,
            events.c.reported_at,
            events.c.town_id,
            events.c.village_id,
            events.c.category_code,
            events.c.source,
            events.c.deadline,
        )
        .subquery("per_event")
    )


def _path_keys(source, reached: dict, to_department, to_grid, filed, closed, rejected, returned) -> dict:
    """The path of an event from its facts (SQL booleans): visited levels v_<level> (0/1),
    dispatch node, outcome and route. One definition for `path_select` (facts from the steps)
    and `path_keys_at` (facts as they stood at a moment)."""
    none_reached = and_(*[~r for r in reached.values()])
    # Imported data without a `report` step: enter where the source says.
    visited = {
        "grid": case((or_(reached["grid"], and_(none_reached, source.in_(GRID_SOURCES))), 1), else_=0),
        "village": case((reached["village"], 1), else_=0),
        "town": case((reached["town"], 1), else_=0),
        "county": case((or_(reached["county"], and_(none_reached, source.not_in(GRID_SOURCES))), 1), else_=0),
    }
    dispatch = case((to_department, "department"), (to_grid, "assigned_grid"), else_="none")
    outcome = case(
        (filed, "filed"),
        (and_(closed, rejected), "closed_rejected"),
        (and_(closed, returned), "closed_returned"),
        (closed, "closed"),
        else_="open",
    )
    route = case(
        (to_department, "department"),
        (to_grid, "assigned_grid"),
        (visited["county"] == 1, "county"),
        (visited["town"] == 1, "town"),
        (visited["village"] == 1, "village"),
        else_="grid",
    )
    return {
        **{f"v_{lvl}": cast(v, SmallInteger) for lvl, v in visited.items()},
        "dispatch": cast(dispatch, String),
        "outcome": cast(outcome, String),
        "route": cast(route, String),
    }


def path_keys_at(p, moment=None) -> dict:
    """`_path_keys` of rows `p` with the at_<fact> columns and t_close (`event_paths`, or a
    `per_event` subquery) as they stood at `moment` (None: after their last step), plus `stepped`
    (the event had a step by then). Exact for the keys of PATH_KEYS and the route; not for
    counts (round trips) or stage times."""

    def by(col):
        return col.is_not(None) if moment is None else and_(col.is_not(None), col <= moment)

    keys = _path_keys(
        p.c.source,
        {lvl: by(p.c[f"at_reach_{lvl}"]) for lvl in PATH_LEVELS},
        by(p.c.at_dispatch_department),
        by(p.c.at_dispatch_grid),
        by(p.c.at_file),
        by(p.c.t_close),
        by(p.c.at_reject),
        by(p.c.at_return),
    )
    return {"source": p.c.source, **keys, "stepped": by(p.c.at_first_step)}


def path_select(pe) -> Select:
    """The `event_paths` columns (in table order) from a `per_event` subquery."""
    keys = path_keys_at(pe)  # from the facts' first moments: one definition with the as-of view
    t = {a: pe.c[f"t_{a}"] for a in ("report", "accept", "dispatch", "complete", "verify", "close")}
    dispatched = or_(pe.c.at_dispatch_department.is_not(None), pe.c.at_dispatch_grid.is_not(None))
    specs = {  # stage: start, end, extra condition
        "report_accept": (t["report"], t["accept"], None),
        "accept_dispatch": (t["accept"], t["dispatch"], None),
        "dispatch_complete": (t["dispatch"], t["complete"], None),
        "accept_complete": (t["accept"], t["complete"], ~dispatched),
        "complete_verify": (t["complete"], t["verify"], None),
        "verify_close": (t["verify"], t["close"], None),
    }
    seconds, breaches = [], []
    for stage in STAGES:
        start, end, extra = specs[stage]
        conds = [start.is_not(None), end.is_not(None), end >= start]
        if extra is not None:
            conds.append(extra)
        seconds.append(case((and_(*conds), sqlfuncs.seconds_between(start, end))).label(f"sec_{stage}"))
        if stage in DEADLINE_STAGES:
            breaches.append(case((end > pe.c.deadline, 1), else_=0).label(f"breach_{stage}"))
    last_at = case((pe.c.last_step_at > pe.c.reported_at, pe.c.last_step_at), else_=pe.c.reported_at)
    return select(
        pe.c.event_id,
        pe.c.report_date,
        pe.c.reported_at,
        pe.c.town_id,
        pe.c.village_id,
        pe.c.category_code,
        pe.c.source,
        pe.c.deadline,
        last_at.label("last_at"),
        pe.c.n_steps,
        *[keys[k].label(k) for k in ("v_grid", "v_village", "v_town", "v_county", "dispatch", "outcome", "route")],
        pe.c.n_returns,
        pe.c.n_rejects,
        pe.c.esc,
        pe.c.decided,
        *[t[a].label(f"t_{a}") for a in t],
        *seconds,
        *breaches,
        *[pe.c[f"at_{fact}"] for fact in PATH_FACTS],
    )


def escalation_counts(p, where: ColumnElement) -> list[ColumnElement]:
    """decided, escalated, hotline sums over `event_paths`-shaped rows `p` (villages only)."""
    grid = and_(p.c.source.in_(GRID_SOURCES), p.c.n_steps > 0, p.c.decided == 1, p.c.outcome != "filed")
    return [
        count_if(and_(where, grid)).label("decided"),
        count_if(and_(where, grid, p.c.esc == 1)).label("escalated"),
        count_if(and_(where, p.c.source == "hotline_12345")).label("hotline"),
    ]


def _insert_days(conn: Connection, where: ColumnElement) -> None:
    p = event_paths
    cols = ["category_code", "report_date", "village_id", "decided", "escalated", "hotline"]
    for category in (p.c.category_code, literal(ALL_CATEGORIES, String)):
        keys = [p.c.report_date, p.c.village_id] + ([category] if category is p.c.category_code else [])
        q = (
            select(category.label("category_code"), p.c.report_date, p.c.village_id, *escalation_counts(p, true()))
            .where(where, p.c.village_id.is_not(None))
            .group_by(*keys)
        )
        conn.execute(escalation_days.insert().from_select(cols, q))


def _insert_path_days(conn: Connection, where: ColumnElement) -> None:
    p = event_paths.c
    keys = [p.report_date, p.category_code, *[p[k] for k in PATH_KEYS]]
    trips = p.n_returns + p.n_rejects
    q = (
        select(*keys, trips.label("trips"), func.count().label("events"))
        .where(where, p.n_steps > 0)
        .group_by(*keys, trips)
        .order_by(p.report_date)
    )  # a period's rows together on disk (PostgreSQL)
    conn.execute(path_days.insert().from_select([c.name for c in path_days.columns], q))


def _insert_returns(conn: Connection, where: ColumnElement, everything: bool = False) -> None:
    s, e = event_steps.c, events.c
    q = (
        select(
            s.id,
            s.event_id,
            e.report_date,
            e.reported_at,
            e.town_id,
            e.village_id,
            e.category_code,
            s.action,
            s.from_level,
            s.to_level,
            s.at,
        )
        .select_from(event_steps.join(events, e.id == s.event_id))
        .where(
            where,
            s.action.in_(("return", "reject"))
            if everything
            else sqlfuncs.only_indexes(s.action.in_(("return", "reject")), event_steps),
        )
    )  # by event id
    conn.execute(event_returns.insert().from_select([c.name for c in event_returns.columns], q))


def refresh(conn: Connection, changed) -> None:
    """Make this module's rows right for the events `changed` selects."""
    cols = [c.name for c in event_paths.columns]
    if changed.everything:
        conn.execute(escalation_days.delete())
        conn.execute(event_paths.delete())
        conn.execute(event_returns.delete())
        conn.execute(path_days.delete())
        # In event order: PostgreSQL then keeps a period's rows together on disk (a month of a
        # 10 M store is 26k pages, not most of the table's 300k).
        conn.execute(event_paths.insert().from_select(cols, path_select(per_event(true())).order_by("event_id")))
        _insert_days(conn, true())
        _insert_path_days(conn, true())
        _insert_returns(conn, true(), everything=True)
        return
    conn.execute(event_returns.delete().where(changed.condition(event_returns.c.event_id)))
    _insert_returns(conn, changed.condition(event_steps.c.event_id))
    day_keys = select(events.c.report_date, events.c.village_id).where(
        changed.condition(events.c.id), events.c.village_id.is_not(None)
    )
    path_keys = select(events.c.report_date, events.c.category_code).where(changed.condition(events.c.id))
    conn.execute(event_paths.delete().where(changed.condition(event_paths.c.event_id)))
    few = conn.dialect.name == "postgresql"  # a catch-up's events: look their steps up one by one
    conn.execute(
        event_paths.insert().from_select(cols, path_select(per_event(changed.condition(events.c.id), lateral=few)))
    )
    d = escalation_days.c
    conn.execute(escalation_days.delete().where(tuple_(d.report_date, d.village_id).in_(day_keys)))
    _insert_days(conn, tuple_(event_paths.c.report_date, event_paths.c.village_id).in_(day_keys))
    pd_ = path_days.c
    conn.execute(path_days.delete().where(tuple_(pd_.report_date, pd_.category_code).in_(path_keys)))
    _insert_path_days(conn, tuple_(event_paths.c.report_date, event_paths.c.category_code).in_(path_keys))
