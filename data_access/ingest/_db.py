"""Store helpers shared by the importers: one writable engine, ids, reference rows, the kill hook."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Connection, Engine

from .. import schema
from ..rules import default_rule_rows
from ..store import create_store_engine

# Seconds to sleep, inside the open transaction, once half the rows are written. Tests set it
# to kill the process at that moment and prove the store is left as it was.
PAUSE_ENV = "GRIDSIGHT_INGEST_PAUSE_SECONDS"
PAUSE_MARK = "ingest: paused inside the transaction"


def open_engine(url: str) -> Engine:
    """A writable engine on `url`, with the schema created when the store is empty."""
    engine = create_store_engine(url, writable=True)
    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
    if not {t.name for t in schema.metadata.sorted_tables} <= present:
        schema.metadata.create_all(engine)  # DDL only: an empty store stays empty of rows
    return engine


class Outcome:
    """Set `keep` inside `one_transaction` to commit; anything else rolls back."""

    keep = False


@contextmanager
def one_transaction(url: str, report) -> Iterator[tuple[Connection, Outcome]]:
    """A writable connection in one transaction: committed (and `report.committed` set) only when
    the body sets `outcome.keep`; rolled back otherwise, also on any error or interrupt."""
    engine = open_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                # Sorts of a big import (the derived tables' rebuild) spill to temp files rather
                # than grow the process: the store's readers keep temp_store=MEMORY.
                conn.connection.dbapi_connection.execute("PRAGMA temp_store=FILE")
            trans = conn.begin()
            outcome = Outcome()
            try:
                yield conn, outcome
                if outcome.keep:
                    trans.commit()
                    report.committed = True
                else:
                    trans.rollback()
            except BaseException:
                trans.rollback()
                raise
    finally:
        engine.dispose()


def bulk_insert(conn: Connection, table, rows: list[dict]) -> None:
    """Insert `rows` (dicts with the same keys) into `table` in the caller's transaction, fast:
    COPY on PostgreSQL (psycopg), one DBAPI executemany on SQLite with the columns' own bind
    processors (the values stored are exactly those `table.insert()` would store)."""
    if not rows:
        return
    cols = list(rows[0])
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in cols)
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        with conn.connection.driver_connection.cursor() as cur:
            with cur.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row([r[c] for c in cols])
        return
    procs = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in cols]
    converted = [(i, p) for i, p in enumerate(procs) if p is not None]
    getter = itemgetter(*cols)
    data = []
    for r in rows:
        values = list(getter(r))
        for i, p in converted:
            if values[i] is not None:
                values[i] = p(values[i])
        data.append(tuple(values))
    marks = ", ".join("?" if dialect.paramstyle == "qmark" else "%s" for _ in cols)
    conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})", data)


def next_id(conn: Connection, table) -> int:
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


def ensure_store_basics(conn: Connection) -> None:
    """An imported store needs the assessment rules (deadlines) and a schema version like a built one."""
    if conn.execute(select(schema.assessment_rules.c.id).limit(1)).first() is None:
        conn.execute(schema.assessment_rules.insert(), default_rule_rows())
    if conn.execute(select(schema.store_meta.c.key).where(schema.store_meta.c.key == "schema_version")).first() is None:
        conn.execute(schema.store_meta.insert(), [{"key": "schema_version", "value": str(schema.SCHEMA_VERSION)}])


def pause_hook() -> None:
    seconds = float(os.environ.get(PAUSE_ENV, "0") or 0)
    if seconds > 0:
        print(PAUSE_MARK, file=sys.stderr, flush=True)
        time.sleep(seconds)


def deadline_hours(conn: Connection) -> dict[str, float]:
    rows = conn.execute(
        select(schema.assessment_rules.c.key, schema.assessment_rules.c.value).where(
            schema.assessment_rules.c.ruleset == "common"
        )
    ).all()
    found = {k: v for k, v in rows}
    if not found:
        found = {r["key"]: r["value"] for r in default_rule_rows() if r["ruleset"] == "common"}
    return {u: float(found[f"deadline_hours_{u}"]) for u in schema.URGENCIES}
