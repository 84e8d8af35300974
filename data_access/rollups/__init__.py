"""Derived tables ("rollups"): what pages read instead of scanning every event and step.

Each module here owns some tables (defined on `schema.metadata`) and one function,
`refresh(conn, changed)`, that makes its rows right for the events `changed` selects: delete
what depends on them, insert it again from `events` / `event_steps` with INSERT … SELECT. The
base tables stay the truth; a rollup can always be rebuilt from them.

Kept up to date by whoever writes events, inside the same transaction:
- the sample generator and the fixture builders call `rebuild(conn)` once loaded;
- the feeder (`sample_data.simulate`) and the importers call `catch_up(conn)` after writing:
  it recomputes the events with an id, or a step id, above the watermarks in `store_meta`.
Events written by any other tool leave the rollups behind; `status()` says by how much and the
dashboard shows it. `python -m data_access.rollups rebuild --db URL` rebuilds them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, inspect, select, true, union
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from .. import schema

# Bump when a rollup's definition changes: stores built before then must be rebuilt.
ROLLUPS_VERSION = 5

META_VERSION = "rollups_version"
META_EVENT_ID = "rollups_event_id"
META_STEP_ID = "rollups_step_id"


@dataclass(frozen=True)
class Changed:
    """The events a refresh recomputes: every event (`ids` None) or those `ids` selects."""

    ids: Select | None = None

    @property
    def everything(self) -> bool:
        return self.ids is None

    def condition(self, event_id_column) -> ColumnElement:
        """SQL: the row's event is one of the changed ones."""
        return true() if self.ids is None else event_id_column.in_(self.ids)


from . import assignments, backlog_days, daily_counts, event_paths, reporter_months  # noqa: E402 - after Changed

MODULES = (event_paths, assignments, daily_counts, backlog_days, reporter_months)


def rollup_tables() -> list:
    return [t for m in MODULES for t in m.TABLES]


@dataclass(frozen=True)
class Status:
    present: bool  # every rollup table exists and the store says they were built
    version: int | None  # ROLLUPS_VERSION they were built with
    events_behind: int  # events with an id above the watermark
    steps_behind: int  # steps with an id above the watermark

    @property
    def usable(self) -> bool:
        return self.present and self.version == ROLLUPS_VERSION

    @property
    def current(self) -> bool:
        return self.usable and self.events_behind == 0 and self.steps_behind == 0


def _meta(conn: Connection, lock: bool = False) -> dict[str, str]:
    m = schema.store_meta
    q = select(m.c.key, m.c.value).where(m.c.key.in_((META_VERSION, META_EVENT_ID, META_STEP_ID)))
    if lock:
        q = q.with_for_update()  # PostgreSQL: one refresher at a time; SQLite has one writer anyway
    return {k: v for k, v in conn.execute(q).all()}


def _set_meta(conn: Connection, values: dict[str, str]) -> None:
    m = schema.store_meta
    conn.execute(m.delete().where(m.c.key.in_(list(values))))
    conn.execute(m.insert(), [{"key": k, "value": str(v)} for k, v in values.items()])


def _max_ids(conn: Connection) -> tuple[int, int]:
    e = conn.execute(select(func.coalesce(func.max(schema.events.c.id), 0))).scalar_one()
    s = conn.execute(select(func.coalesce(func.max(schema.event_steps.c.id), 0))).scalar_one()
    return int(e), int(s)


def ensure_schema(conn: Connection) -> None:
    """Create missing rollup tables and any index the schema declares but the store lacks
    (a store built by an older version)."""
    schema.metadata.create_all(conn, tables=rollup_tables(), checkfirst=True)
    insp = inspect(conn)
    present_tables = set(insp.get_table_names())
    for table in schema.metadata.sorted_tables:
        if table.name not in present_tables or not table.indexes:
            continue
        have = {ix["name"] for ix in insp.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in have:
                index.create(conn)


def rebuild(conn: Connection) -> None:
    """Every rollup from scratch, in the caller's transaction. The tables are dropped and created
    again: a store built by an older version may hold them with other columns."""
    for table in reversed(rollup_tables()):
        table.drop(conn, checkfirst=True)
    ensure_schema(conn)
    _meta(conn, lock=True)
    top_event, top_step = _max_ids(conn)
    for module in MODULES:
        module.refresh(conn, Changed())
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE")  # fresh statistics for the planner after a bulk load
    _set_meta(conn, {META_VERSION: ROLLUPS_VERSION, META_EVENT_ID: top_event, META_STEP_ID: top_step})


def catch_up(conn: Connection) -> int:
    """Recompute the events written since the last refresh (new events, or new steps of old
    ones), in the caller's transaction. Returns how many events were recomputed. Rebuilds when
    the rollups were never built or were built by another version."""
    meta = _meta(conn, lock=True)
    if meta.get(META_VERSION) != str(ROLLUPS_VERSION) or META_EVENT_ID not in meta:
        rebuild(conn)
        return -1
    old_event, old_step = int(meta[META_EVENT_ID]), int(meta.get(META_STEP_ID, 0))
    top_event, top_step = _max_ids(conn)
    if (top_event, top_step) == (old_event, old_step):
        return 0
    e, s = schema.events.c, schema.event_steps.c
    ids = union(
        select(e.id.label("event_id")).where(e.id > old_event, e.id <= top_event),
        select(s.event_id).where(s.id > old_step, s.id <= top_step),
    ).subquery("changed_ids")
    n = int(conn.execute(select(func.count()).select_from(ids)).scalar_one())
    if n:
        # A subquery, not a list of ids: an import of 100k events would pass SQLite's
        # bound-parameter limit. Both databases evaluate IN (SELECT …) once per statement.
        changed = Changed(select(ids.c.event_id))
        for module in MODULES:
            module.refresh(conn, changed)
    _set_meta(conn, {META_EVENT_ID: top_event, META_STEP_ID: top_step})
    return n


def status(conn: Connection) -> Status:
    """Whether the rollups exist, which version built them, and how far behind the events they are."""
    names = set(inspect(conn).get_table_names())
    if not {t.name for t in rollup_tables()} <= names:
        return Status(False, None, 0, 0)
    meta = _meta(conn)
    top_event, top_step = _max_ids(conn)
    if META_EVENT_ID not in meta:
        # No events yet (e.g. only boundaries imported): nothing to summarise, nothing behind.
        return Status(True, ROLLUPS_VERSION, 0, 0) if (top_event, top_step) == (0, 0) else Status(False, None, 0, 0)
    ev = conn.execute(select(func.count()).where(schema.events.c.id > int(meta[META_EVENT_ID]))).scalar_one()
    st = conn.execute(select(func.count()).where(schema.event_steps.c.id > int(meta.get(META_STEP_ID, 0)))).scalar_one()
    version = int(meta[META_VERSION]) if meta.get(META_VERSION, "").isdigit() else None
    return Status(True, version, int(ev), int(st))
