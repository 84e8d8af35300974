"""Questions the live map asks: numbers per unit at every level, open events, workers on duty.

Two clocks meet here. Backlog numbers (open, overdue, workers checked in today, the ticker and the
overdue alerts) are measured at `now`, the live clock the page passes in (rounded to its refresh
interval so cached answers are shared). Period numbers (events per 1,000 residents, on-time
closure rate) follow the shared date filter `f`, with `f.as_of` as usual.

A "scope" is one unit of the drill path: (level, unit_id) with level in `LEVELS`; every function
restricts to the scope as well as to the shared town / village / category filter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
from sqlalchemy import and_, case, false, func, literal, select, true
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from . import metrics as m
from . import overview
from .filters import FilterError, Filters, Scope, local_date
from .queries import frame, person_name, person_phone, unit_conditions
from .schema import (
    admin_units,
    departments,
    event_categories,
    event_item_types,
    events,
    grids,
    micro_grids,
    patrol_checkins,
    workers,
)
from .sqlfuncs import count_if, no_index, only_indexes

LEVELS = ("county", "town", "village", "grid", "micro_grid")
CHILD = {"county": "town", "town": "village", "village": "grid", "grid": "micro_grid"}
# Caps on row lists sent to the page; the page says so when a cap is reached.
MAX_EVENT_POINTS = 3000
MAX_WORKER_POINTS = 3000
# How far back the ticker looks first, in days (None: all history).
NEWEST_WINDOWS_DAYS = (1, 31, None)
# Roles that answer for a grid / micro-grid in the tooltip.
RESPONSIBLE_ROLES = {"grid": ("grid_head", "full_time_worker"), "micro_grid": ("micro_grid_head",)}

# The live map's metrics; definitions are registered in metrics.METRICS ("--- live map ---").
LIVE_METRICS: dict[str, m.Metric] = {
    k: m.METRICS[k]
    for k in (
        "live_open_events",
        "live_overdue_events",
        "events_per_1000_residents",
        "on_time_closure_rate",
        "live_workers_checked_in",
        "grids_without_checkin",
    )
}


def backlog_filters(f: Filters, now: dt.datetime) -> Filters:
    """`f` with its period moved to today, so backlog metrics are measured at `now`."""
    today = local_date(now)
    return replace(f, date_from=today, date_to=today, as_of=now)


def _level_col(table, level: str):
    return table.c[f"{level}_id"]


def scope_condition(level: str, unit_id: int | None, table=events) -> ColumnElement:
    """Rows of `table` (events, workers, grids, micro_grids) inside the scope unit."""
    if level not in LEVELS:
        raise FilterError(f"Unknown level {level!r}", "unknown_level", level=str(level))
    if level == "county" or unit_id is None:
        return true()
    if table is grids and level == "grid":
        return grids.c.id == unit_id
    if table is micro_grids and level == "micro_grid":
        return micro_grids.c.id == unit_id
    if f"{level}_id" not in table.c:
        raise FilterError(f"{table.name} cannot be scoped to a {level}")
    return _level_col(table, level) == unit_id


# --- the drill path ----------------------------------------------------------------------------


def unit_path(engine: Engine, level: str, unit_id: int | None, scope: Scope | None = None) -> pd.DataFrame:
    """The path from the county down to one unit. Raises FilterError when the unit does not exist
    or lies outside a town `scope` (without naming it: its name is outside the scope too).

    Columns: level, id, name — one row per level, county first.
    """
    if level not in LEVELS:
        raise FilterError(f"Unknown level {level!r}; use one of {', '.join(LEVELS)}.", "unknown_level", level=level)
    county = frame(
        engine,
        select(admin_units.c.id, admin_units.c.name)
        .where(admin_units.c.level == "county")
        .order_by(admin_units.c.id)
        .limit(1),
    )
    if county.empty:
        raise FilterError("The store has no county.", "no_county")
    rows = [("county", int(county["id"].iloc[0]), county["name"].iloc[0])]
    if level == "county":
        if unit_id is not None and unit_id != rows[0][1]:
            raise FilterError(f"There is no county with id {unit_id}.", "no_unit", level="county", id=unit_id)
        return pd.DataFrame(rows, columns=["level", "id", "name"])
    if unit_id is None:
        raise FilterError(f"A {level} needs a unit id.", "unit_needs_id", level=level)
    ids = {}
    if level in ("micro_grid", "grid"):
        t = micro_grids if level == "micro_grid" else grids
        found = frame(
            engine,
            select(
                t.c.id, t.c.name, t.c.village_id, t.c.town_id, *([t.c.grid_id] if level == "micro_grid" else [])
            ).where(t.c.id == unit_id),
        )
        if found.empty:
            raise FilterError(f"There is no {level} with id {unit_id}.", "no_unit", level=level, id=unit_id)
        rec = found.iloc[0]
        ids = {"town": int(rec["town_id"]), "village": int(rec["village_id"])}
        if level == "micro_grid":
            ids["grid"] = int(rec["grid_id"])
    else:
        found = frame(
            engine,
            select(admin_units.c.id, admin_units.c.parent_id).where(
                admin_units.c.id == unit_id, admin_units.c.level == level
            ),
        )
        if found.empty:
            raise FilterError(f"There is no {level} with id {unit_id}.", "no_unit", level=level, id=unit_id)
        if level == "village":
            ids["town"] = int(found["parent_id"].iloc[0])
    ids[level] = unit_id
    if scope is not None and scope.town_id is not None and ids.get("town") != scope.town_id:
        raise FilterError(
            f"The {level} with id {unit_id} is outside your account's scope.",
            "unit_outside_scope",
            level=level,
            id=unit_id,
        )
    admin_ids = [ids[k] for k in ("town", "village") if k in ids]
    names = dict(
        frame(engine, select(admin_units.c.id, admin_units.c.name).where(admin_units.c.id.in_(admin_ids))).itertuples(
            index=False, name=None
        )
    )
    if "grid" in ids:
        names_g = frame(engine, select(grids.c.name).where(grids.c.id == ids["grid"]))
        names[("grid", ids["grid"])] = names_g["name"].iloc[0]
    if level == "micro_grid":
        names[("micro_grid", unit_id)] = found["name"].iloc[0]
    for lv in LEVELS[1 : LEVELS.index(level) + 1]:
        key = ids[lv] if lv in ("town", "village") else (lv, ids[lv])
        rows.append((lv, ids[lv], names[key]))
    return pd.DataFrame(rows, columns=["level", "id", "name"])


# --- numbers per unit --------------------------------------------------------------------------


def _units_select(level: str):
    """id, name, town_id, village_id[, grid_id] and residents of every unit of `level`."""
    if level in ("grid", "micro_grid"):
        t = grids if level == "grid" else micro_grids
        cols = [t.c.id.label("unit_id"), t.c.name, t.c.code, t.c.town_id, t.c.village_id, t.c.residents]
        if level == "micro_grid":
            cols.append(t.c.grid_id)
        return select(*cols), t
    res = (
        select(_level_col(grids, level).label("uid"), func.sum(grids.c.residents).label("residents"))
        if level != "county"
        else select(literal(0).label("uid"), func.sum(grids.c.residents).label("residents"))
    )
    res = res.group_by(*([_level_col(grids, level)] if level != "county" else [])).subquery("res")
    a = admin_units
    join_on = (res.c.uid == a.c.id) if level != "county" else true()
    cols = [a.c.id.label("unit_id"), a.c.name, a.c.code, func.coalesce(res.c.residents, 0).label("residents")]
    if level == "town":
        cols += [a.c.id.label("town_id")]
    elif level == "village":
        cols += [a.c.parent_id.label("town_id"), a.c.id.label("village_id")]
    return select(*cols).select_from(a.outerjoin(res, join_on)).where(a.c.level == level), a


def _unit_scope(level: str, t, scope_level: str, scope_id: int | None, f: Filters) -> list[ColumnElement]:
    """Conditions on the unit table: inside the scope unit and inside the shared town/village filter."""
    wanted = [
        (lv, uid)
        for lv, uid in ((scope_level, scope_id), ("town", f.town_id), ("village", f.village_id))
        if lv != "county" and uid is not None and LEVELS.index(lv) <= LEVELS.index(level)
    ]
    conds = []
    for lv, uid in wanted:
        if lv == level:
            conds.append(t.c.id == uid)
        elif t is admin_units:  # villages inside a town
            conds.append(admin_units.c.parent_id == uid)
        else:
            conds.append(t.c[f"{lv}_id"] == uid)
    return conds


def _backlog(engine, f, now, level, scope_level, scope_id, county_id) -> pd.DataFrame:
    """unit_id, open_events, overdue_events at `now` (events still open, or closed after now)."""
    group = None if level == "county" else _level_col(events, level)
    # Without a scope unit, the county and its towns come from the backlog_days rollup.
    where = () if scope_level == "county" or scope_id is None else (scope_condition(scope_level, scope_id, events),)
    df = overview.backlog_numbers(engine, backlog_filters(f, now), group, "unit_id", where)
    return df.assign(unit_id=county_id) if group is None else df


def unit_period(
    engine: Engine, f: Filters, level: str, scope_level: str = "county", scope_id: int | None = None
) -> pd.DataFrame:
    """The period part of `unit_numbers` (it follows the date filter, not the live clock, so the
    page can cache it longer). Columns: unit_id, events_reported, on_time_closed, due_or_closed;
    units without events are absent."""
    if level not in LEVELS:
        raise FilterError(f"Unknown level {level!r}", "unknown_level", level=str(level))
    county_id = 0
    if level == "county":
        county = frame(
            engine, select(admin_units.c.id).where(admin_units.c.level == "county").order_by(admin_units.c.id).limit(1)
        )
        county_id = int(county["id"].iloc[0]) if len(county) else 0
    return _period(engine, f, level, scope_level, scope_id, county_id)


def _period(engine, f, level, scope_level, scope_id, county_id) -> pd.DataFrame:
    """unit_id, events_reported, on_time_closed, due_or_closed over the period of `f`."""
    group = None if level == "county" else f"{level}_id"
    if level in ("county", "town") and (scope_level == "county" or scope_id is None):
        df = overview.period_numbers(engine, f, group)  # the town rollup, when the filter allows
    else:
        df = overview.rollup_period_numbers(
            engine, f, group, lambda table: [unit_conditions(f, table), scope_condition(scope_level, scope_id, table)]
        )
    df = df.assign(unit_id=county_id) if group is None else df.rename(columns={group: "unit_id"})
    return df[["unit_id", "events_reported", "on_time_closed", "due_or_closed"]]


def unit_numbers(
    engine: Engine,
    f: Filters,
    now: dt.datetime,
    level: str,
    scope_level: str = "county",
    scope_id: int | None = None,
    period: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The live map's numbers for every unit of `level` inside the scope unit and the filter.

    Columns: unit_id, code, name, residents, open_events, overdue_events, events_reported,
    events_per_1000_residents (NaN without residents), on_time_closed, due_or_closed,
    on_time_closure_rate (NaN when nothing was due), workers_active, workers_checked_in,
    responsible (names with masked phones, for grids and micro-grids; "" otherwise).
    Backlog and check-ins are at `now`; reported and on-time follow the date filter.
    `period`: the `unit_period` of the same arguments when the caller already has it.
    """
    if level not in LEVELS:
        raise FilterError(f"Unknown level {level!r}", "unknown_level", level=str(level))
    units_q, t = _units_select(level)
    units_q = units_q.where(*_unit_scope(level, t, scope_level, scope_id, f))
    units = frame(engine, units_q.order_by(t.c.code))
    if units.empty:
        return pd.DataFrame(
            columns=[
                "unit_id",
                "code",
                "name",
                "residents",
                "open_events",
                "overdue_events",
                "events_reported",
                "events_per_1000_residents",
                "on_time_closed",
                "due_or_closed",
                "on_time_closure_rate",
                "workers_active",
                "workers_checked_in",
                "responsible",
            ]
        )
    if level == "county":
        units = units.iloc[:1]
    county_id = int(units["unit_id"].iloc[0])
    backlog = _backlog(engine, f, now, level, scope_level, scope_id, county_id)
    if period is None:
        period = _period(engine, f, level, scope_level, scope_id, county_id)
    elif level == "county":
        period = period.assign(unit_id=county_id)
    out = units.merge(backlog, on="unit_id", how="left").merge(period, on="unit_id", how="left")
    workers_df = _worker_counts(engine, f, now, level, scope_level, scope_id, int(units["unit_id"].iloc[0]))
    out = out.merge(workers_df, on="unit_id", how="left")
    for col in (
        "open_events",
        "overdue_events",
        "events_reported",
        "on_time_closed",
        "due_or_closed",
        "workers_active",
        "workers_checked_in",
    ):
        out[col] = out[col].fillna(0).astype(int)
    residents = out["residents"].astype("float64")
    out["events_per_1000_residents"] = (out["events_reported"] * 1000.0 / residents).where(residents > 0)
    out["on_time_closure_rate"] = (out["on_time_closed"] / out["due_or_closed"].astype("float64")).where(
        out["due_or_closed"] > 0
    )
    out = out.merge(_responsible(engine, f, now, level, out["unit_id"].tolist()), on="unit_id", how="left")
    out["responsible"] = out["responsible"].fillna("")
    return out[
        [
            "unit_id",
            "code",
            "name",
            "residents",
            "open_events",
            "overdue_events",
            "events_reported",
            "events_per_1000_residents",
            "on_time_closed",
            "due_or_closed",
            "on_time_closure_rate",
            "workers_active",
            "workers_checked_in",
            "responsible",
        ]
    ]


def unit_shapes(
    engine: Engine,
    level: str,
    scope_level: str = "county",
    scope_id: int | None = None,
    town_id: int | None = None,
    village_id: int | None = None,
) -> pd.DataFrame:
    """Boundaries of the units of `level` inside the scope and the town/village filter.

    Columns: unit_id, code, name, boundary_wkt, centroid_lon, centroid_lat.
    """
    if level not in LEVELS:
        raise FilterError(f"Unknown level {level!r}", "unknown_level", level=str(level))
    t = {"county": admin_units, "town": admin_units, "village": admin_units, "grid": grids, "micro_grid": micro_grids}[
        level
    ]
    f = Filters(
        date_from=dt.date(2000, 1, 1),
        date_to=dt.date(2000, 1, 1),
        as_of=dt.datetime(2000, 1, 2, tzinfo=dt.UTC),
        town_id=town_id,
        village_id=village_id,
    )
    q = select(t.c.id.label("unit_id"), t.c.code, t.c.name, t.c.boundary_wkt, t.c.centroid_lon, t.c.centroid_lat)
    if t is admin_units:
        q = q.where(admin_units.c.level == level)
    return frame(engine, q.where(*_unit_scope(level, t, scope_level, scope_id, f)).order_by(t.c.code))


def _checked_in_ids(today: dt.date, now: dt.datetime):
    return select(patrol_checkins.c.worker_id).where(
        patrol_checkins.c.checkin_date == today, patrol_checkins.c.at <= now
    )


def _worker_counts(engine, f, now, level, scope_level, scope_id, county_id) -> pd.DataFrame:
    today = local_date(now)
    group = literal(county_id) if level == "county" else _level_col(workers, level)
    q = (
        select(
            group.label("unit_id"),
            func.count().label("workers_active"),
            count_if(workers.c.id.in_(_checked_in_ids(today, now))).label("workers_checked_in"),
        )
        .where(m.active_on(today), unit_conditions(f, workers), scope_condition(scope_level, scope_id, workers))
        .group_by(group)
    )
    return frame(engine, q)


def _responsible(engine: Engine, f: Filters, now: dt.datetime, level: str, unit_ids: list[int]) -> pd.DataFrame:
    """unit_id, responsible: "name phone" of the workers who answer for each grid / micro-grid."""
    if level not in RESPONSIBLE_ROLES or not unit_ids:
        return pd.DataFrame({"unit_id": pd.Series(dtype="int64"), "responsible": pd.Series(dtype="object")})
    col = _level_col(workers, level)
    q = (
        select(col.label("unit_id"), person_name(f, workers.c.name), person_phone(f, workers.c.phone))
        .where(col.in_(unit_ids), workers.c.role.in_(RESPONSIBLE_ROLES[level]), m.active_on(local_date(now)))
        .order_by(col, workers.c.role, workers.c.code)
    )
    df = frame(engine, q)
    if df.empty:
        return pd.DataFrame({"unit_id": pd.Series(dtype="int64"), "responsible": pd.Series(dtype="object")})
    df["who"] = df["name"] + " " + df["phone"]
    return df.groupby("unit_id", as_index=False)["who"].agg(", ".join).rename(columns={"who": "responsible"})


# --- points on the map -------------------------------------------------------------------------


def open_event_points(
    engine: Engine,
    f: Filters,
    now: dt.datetime,
    scope_level: str,
    scope_id: int | None,
    recent_minutes: int = 30,
    limit: int = MAX_EVENT_POINTS,
) -> pd.DataFrame:
    """Open events (at `now`, filing-only excluded) in the scope, newest first, at most `limit`.

    Columns: event_id, code, lon, lat, urgency, status, reported_at, deadline, item_name,
    item_name_en, overdue (bool), recent (bool: reported within `recent_minutes` of now).
    """
    recent_from = now - dt.timedelta(minutes=max(0, int(recent_minutes)))
    cols = (
        events.c.id.label("event_id"),
        events.c.code,
        events.c.lon,
        events.c.lat,
        events.c.urgency,
        events.c.status,
        events.c.reported_at,
        events.c.deadline,
        event_item_types.c.name.label("item_name"),
        event_item_types.c.name_en.label("item_name_en"),
        case((events.c.deadline < now, True), else_=False).label("overdue"),
        case((events.c.reported_at >= recent_from, True), else_=False).label("recent"),
    )
    where = [
        only_indexes(c, events)
        for c in (
            unit_conditions(f),
            scope_condition(scope_level, scope_id),
            events.c.filing_only == false(),
            events.c.reported_at <= now,
        )
    ]
    df = _open_branches(
        engine,
        lambda branch: (
            select(*cols)
            .select_from(events.join(event_item_types, event_item_types.c.code == events.c.item_type_code))
            .where(branch, *where)
            .order_by(no_index(events.c.reported_at).desc(), no_index(events.c.id).desc())
            .limit(limit)
        ),
        now,
    )
    df = df.sort_values(["reported_at", "event_id"], ascending=False).head(limit).reset_index(drop=True)
    for col in ("overdue", "recent"):
        df[col] = df[col].astype(bool)
    return df


def _open_branches(engine: Engine, query, now: dt.datetime) -> pd.DataFrame:
    """`query(branch)` for the events open at `now` (closed_at NULL) and those closed after it,
    each a search of ix_events_closed_at, stacked."""
    parts = [frame(engine, query(branch)) for branch in (events.c.closed_at.is_(None), events.c.closed_at > now)]
    if "total" in parts[0].columns:  # each branch counted its own rows before its LIMIT
        total = sum(int(p["total"].iloc[0]) for p in parts if len(p))
        parts = [p.assign(total=total) for p in parts]
    nonempty = [p for p in parts if len(p)]
    return pd.concat(nonempty, ignore_index=True) if nonempty else parts[0]


def event_density(
    engine: Engine, f: Filters, scope_level: str, scope_id: int | None, cell_deg: float = 0.004
) -> pd.DataFrame:
    """Events reported in the period, binned in SQL on a lon/lat grid of `cell_deg` degrees.

    Columns: lon, lat (cell centre), n.
    """
    k = 1.0 / cell_deg
    bx, by = func.round(events.c.lon * k), func.round(events.c.lat * k)
    q = (
        select(bx.label("bx"), by.label("by"), func.count().label("n"))
        .where(
            unit_conditions(f),
            scope_condition(scope_level, scope_id),
            events.c.report_date.between(f.date_from, f.date_to),
            events.c.reported_at <= f.as_of,
        )
        .group_by(bx, by)
    )
    df = frame(engine, q)
    return pd.DataFrame(
        {"lon": df["bx"].astype(float) * cell_deg, "lat": df["by"].astype(float) * cell_deg, "n": df["n"].astype(int)}
    )


def _worker_scope(scope_level: str, scope_id: int | None) -> ColumnElement:
    # Most workers belong to a grid, not a micro-grid: inside a micro-grid, show its grid's workers.
    if scope_level == "micro_grid" and scope_id is not None:
        return workers.c.grid_id == select(micro_grids.c.grid_id).where(micro_grids.c.id == scope_id).scalar_subquery()
    return scope_condition(scope_level, scope_id, workers)


def worker_positions(
    engine: Engine, f: Filters, now: dt.datetime, scope_level: str, scope_id: int | None, limit: int = MAX_WORKER_POINTS
) -> pd.DataFrame:
    """Last check-in today (up to `now`) of each active worker in the scope.

    Columns: worker_id, name, role, phone (masked), at, lon, lat, grid_name.
    """
    today = local_date(now)
    last = (
        select(patrol_checkins.c.worker_id, func.max(patrol_checkins.c.at).label("last_at"))
        .where(patrol_checkins.c.checkin_date == today, patrol_checkins.c.at <= now)
        .group_by(patrol_checkins.c.worker_id)
        .subquery("last")
    )
    pc = patrol_checkins
    q = (
        select(
            workers.c.id.label("worker_id"),
            person_name(f, workers.c.name),
            workers.c.role,
            person_phone(f, workers.c.phone),
            pc.c.at,
            pc.c.lon,
            pc.c.lat,
            grids.c.name.label("grid_name"),
        )
        .select_from(
            last.join(pc, and_(pc.c.worker_id == last.c.worker_id, pc.c.at == last.c.last_at))
            .join(workers, workers.c.id == pc.c.worker_id)
            .outerjoin(grids, grids.c.id == pc.c.grid_id)
        )
        .where(m.active_on(today), unit_conditions(f, workers), _worker_scope(scope_level, scope_id))
        .order_by(pc.c.at.desc(), workers.c.id)
        .limit(limit)
    )
    return frame(engine, q).drop_duplicates("worker_id")


def grids_without_checkin(
    engine: Engine, f: Filters, now: dt.datetime, scope_level: str, scope_id: int | None, limit: int = 100
) -> pd.DataFrame:
    """Grids in the scope where nobody checked in today up to `now`, the longest-silent first.

    Columns: grid_id, code, name, village, last_checkin_at (None: never), responsible, total
    (how many such grids in all, before the LIMIT).
    """
    today = local_date(now)
    pc = patrol_checkins
    scope_level_g = "grid" if scope_level == "micro_grid" else scope_level
    scope_id_g = scope_id
    if scope_level == "micro_grid" and scope_id is not None:
        scope_id_g = select(micro_grids.c.grid_id).where(micro_grids.c.id == scope_id).scalar_subquery()
    checked_today = select(pc.c.grid_id).where(pc.c.checkin_date == today, pc.c.at <= now, pc.c.grid_id.is_not(None))
    village = admin_units.alias("village")
    cond = [grids.c.id.not_in(checked_today), unit_conditions(f, grids)]
    if scope_level_g != "county" and scope_id is not None:
        cond.append((grids.c.id if scope_level_g == "grid" else _level_col(grids, scope_level_g)) == scope_id_g)
    silent = frame(
        engine,
        select(grids.c.id.label("grid_id"), grids.c.code, grids.c.name, village.c.name.label("village"))
        .select_from(grids.join(village, village.c.id == grids.c.village_id))
        .where(*cond),
    )
    # The last check-in of each silent grid: found in the last day or week of check-ins (the date
    # index) nearly always; only grids silent for longer are looked up in all history.
    last: dict = {}
    for days in (1, 7, 31, None):
        missing = [g for g in silent["grid_id"].tolist() if g not in last]
        if not missing:
            break
        q = (
            select(pc.c.grid_id, func.max(pc.c.at).label("last_at"))
            .where(pc.c.grid_id.in_(missing), pc.c.at <= now)
            .group_by(pc.c.grid_id)
        )
        if days is not None:
            q = q.where(pc.c.checkin_date.between(today - dt.timedelta(days=days), today))
        last.update(dict(frame(engine, q).itertuples(index=False, name=None)))
    df = silent.assign(last_checkin_at=silent["grid_id"].map(last), total=len(silent))
    df = (
        df.assign(_never=df["last_checkin_at"].isna())
        .sort_values(["_never", "last_checkin_at", "code"], ascending=[False, True, True])
        .head(limit)
        .drop(columns=["_never"])
        .reset_index(drop=True)
    )
    resp = _responsible(engine, f, now, "grid", df["grid_id"].tolist())
    df = df.merge(resp, left_on="grid_id", right_on="unit_id", how="left").drop(columns=["unit_id"])
    df["responsible"] = df["responsible"].fillna("")
    return df[["grid_id", "code", "name", "village", "last_checkin_at", "responsible", "total"]]


# --- ticker and alerts -------------------------------------------------------------------------


def _event_list_select(now: dt.datetime):
    mg = micro_grids
    return select(
        events.c.id.label("event_id"),
        events.c.code,
        events.c.reported_at,
        events.c.urgency,
        events.c.status,
        events.c.source,
        events.c.deadline,
        events.c.handled_level,
        event_categories.c.name.label("category"),
        event_categories.c.name_en.label("category_en"),
        event_item_types.c.name.label("item_name"),
        event_item_types.c.name_en.label("item_name_en"),
        grids.c.name.label("grid_name"),
        mg.c.name.label("micro_grid_name"),
        departments.c.name.label("department"),
        departments.c.name_en.label("department_en"),
    ).select_from(
        events.join(event_categories, event_categories.c.code == events.c.category_code)
        .join(event_item_types, event_item_types.c.code == events.c.item_type_code)
        .outerjoin(grids, grids.c.id == events.c.grid_id)
        .outerjoin(mg, mg.c.id == events.c.micro_grid_id)
        .outerjoin(departments, departments.c.id == events.c.department_id)
    )


def newest_events(
    engine: Engine, f: Filters, now: dt.datetime, scope_level: str, scope_id: int | None, limit: int = 12
) -> pd.DataFrame:
    """The newest events reported up to `now` in the scope, newest first (the ticker).

    Columns: event_id, code, reported_at, urgency, status, source, deadline, handled_level, category,
    category_en, item_name, item_name_en, grid_name, micro_grid_name, department, department_en.
    """
    cond = and_(unit_conditions(f), scope_condition(scope_level, scope_id))
    # The newest events are among the last day's (or month's) nearly always: read that range of
    # ix_events_reported_at, and look further back only when a small scope has too few.
    for days in NEWEST_WINDOWS_DAYS:
        where = [events.c.reported_at <= now]
        if days is not None:
            where = [events.c.reported_at > now - dt.timedelta(days=days), *where]
            where.append(only_indexes(cond, events))
        else:
            where.append(cond)
        q = _event_list_select(now).where(*where).order_by(events.c.reported_at.desc(), events.c.id.desc()).limit(limit)
        df = frame(engine, q)
        if len(df) >= limit:
            break
    return df


def overdue_alerts(
    engine: Engine, f: Filters, now: dt.datetime, scope_level: str, scope_id: int | None, limit: int = 20
) -> pd.DataFrame:
    """Open events past their deadline at `now`, longest overdue first (filing-only excluded).

    Columns: as `newest_events`, plus overdue_hours and total (all such events before the LIMIT).
    """
    where = [
        only_indexes(c, events)
        for c in (
            unit_conditions(f),
            scope_condition(scope_level, scope_id),
            events.c.filing_only == false(),
            events.c.reported_at <= now,
            events.c.deadline < now,
        )
    ]
    df = _open_branches(
        engine,
        lambda branch: (
            _event_list_select(now)
            .add_columns(func.count().over().label("total"))
            .where(branch, *where)
            .order_by(no_index(events.c.deadline).asc(), no_index(events.c.id))
            .limit(limit)
        ),
        now,
    )
    df = df.sort_values(["deadline", "event_id"]).head(limit).reset_index(drop=True)
    deadline = pd.to_datetime(df["deadline"], utc=True)
    df["overdue_hours"] = (pd.Timestamp(now) - deadline).dt.total_seconds() / 3600.0
    return df
