"""Store helpers shared by the importers: one writable engine, ids, reference rows, the kill hook."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Boolean, Integer, func, inspect, select
from sqlalchemy.engine import Connection, Engine

from .. import levels, schema
from ..rules import default_rule_rows
from ..store import create_store_engine

# Seconds to sleep, inside the open transaction, once half the rows are written. Tests set it
# to kill the process at that moment and prove the store is left as it was.
PAUSE_ENV = "GRIDSIGHT_INGEST_PAUSE_SECONDS"
PAUSE_MARK = "ingest: paused inside the transaction"
IMPORT_CACHE_KIB = 128 * 1024  # SQLite page cache of the import's connection


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
                # A bounded page cache (the default 2 MB thrashes on a big import's B-trees).
                conn.connection.dbapi_connection.execute(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}")
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


def next_id(conn: Connection, table) -> int:
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


def ensure_store_basics(conn: Connection) -> None:
    """An imported store needs the assessment rules (deadlines) and a schema version like a built one."""
    if conn.execute(select(schema.assessment_rules.c.id).limit(1)).first() is None:
        conn.execute(schema.assessment_rules.insert(), default_rule_rows())
    if conn.execute(select(schema.store_meta.c.key).where(schema.store_meta.c.key == "schema_version")).first() is None:
        conn.execute(schema.store_meta.insert(), [{"key": "schema_version", "value": str(schema.SCHEMA_VERSION)}])
    levels.ensure(conn)  # the levels it has (T county's names) as store data


def settle_timezone(conn: Connection, wanted: str | None) -> str:
    """The store's time zone for this import: `wanted` (an IANA name, e.g. from `--timezone`) is
    written as the store setting `store_meta.timezone` when the store has no events yet (their
    local days were computed in the old zone, so a store with events keeps its zone); without
    `wanted`, the store's own (default Asia/Shanghai)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from ..store import store_timezone
    from .validation import ImportRefused

    current = store_timezone(conn)
    if not wanted or wanted == current:
        if wanted:
            _write_timezone(conn, wanted)
        return current
    try:
        ZoneInfo(wanted)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ImportRefused("unknown_store_timezone", zone=wanted) from exc
    if conn.execute(select(schema.events.c.id).limit(1)).first() is not None:
        raise ImportRefused("timezone_fixed", store=current, zone=wanted)
    _write_timezone(conn, wanted)
    return wanted


def _write_timezone(conn: Connection, zone: str) -> None:
    meta = schema.store_meta
    if conn.execute(select(meta.c.key).where(meta.c.key == "timezone")).first() is None:
        conn.execute(meta.insert(), [{"key": "timezone", "value": zone}])
    else:
        conn.execute(meta.update().where(meta.c.key == "timezone").values(value=zone))


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


def _column_values(frame, table, name: str, dialect) -> list:
    """One column of `frame` as the values the driver stores, without a Python call per cell:
    UTC times (datetime64) as SQLAlchemy writes them on SQLite ('YYYY-MM-DD HH:MM:SS.ffffff')
    or as UTC text on PostgreSQL, booleans as 0/1 on SQLite, missing values as None."""
    import numpy as np
    import pandas as pd

    col_type = table.c[name].type
    series = frame[name]
    if isinstance(series.dtype, pd.StringDtype):  # pandas' own text columns: missing → None in one pass
        return series.to_numpy(dtype=object, na_value=None).tolist()
    values = series.to_numpy()
    if isinstance(col_type, schema.UtcDateTime):
        at = values.astype("datetime64[us]")
        text = np.datetime_as_string(at, unit="us")  # 'YYYY-MM-DDTHH:MM:SS.ffffff' (or 'NaT')
        chars = text.view("U1").reshape(len(text), -1)
        if len(text) and chars.shape[1] > 10:
            chars[:, 10] = " "  # the SQL form, without a string operation per cell
        if dialect.name != "sqlite":
            text = np.strings.add(text, "+00")
        out = text.astype(object)
        out[np.isnat(at)] = None
        return out.tolist()
    if isinstance(col_type, Boolean):
        flags = values.astype(bool)
        return flags.astype(int).tolist() if dialect.name == "sqlite" else flags.tolist()
    if values.dtype.kind == "f" and isinstance(col_type, Integer):
        out = values.astype(object)
        missing = np.isnan(values)
        out[~missing] = values[~missing].astype(np.int64).tolist()
        out[missing] = None
        return out.tolist()
    if (
        values.dtype == object
        or values.dtype.kind in "OUT"
        or isinstance(values.dtype, pd.api.extensions.ExtensionDtype)
    ):
        out = np.asarray(values, dtype=object)
        missing = pd.isna(out)
        if missing.any():
            out = out.copy()
            out[missing] = None
        return out.tolist()
    return values.tolist()


def _rendered(conn: Connection, table, frame) -> tuple[list[str], list[tuple]]:
    cols = list(frame.columns)
    values = [_column_values(frame, table, c, conn.dialect) for c in cols]
    return cols, list(zip(*values))


def insert_frame(conn: Connection, table, frame) -> None:
    """Insert the rows of `frame` (columns named as `table`'s; times as UTC datetime64, dates as
    'YYYY-MM-DD' text) in the caller's transaction: COPY on PostgreSQL, one executemany on SQLite."""
    if frame is None or len(frame) == 0:
        return
    cols, rows = _rendered(conn, table, frame)
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in cols)
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        with conn.connection.driver_connection.cursor() as cur:
            with cur.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
        return
    marks = ", ".join("?" if dialect.paramstyle == "qmark" else "%s" for _ in cols)
    conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})", rows)


def update_frame(conn: Connection, table, frame) -> None:
    """Update the rows of `frame` by its `id` column (values rendered as `insert_frame` does)."""
    if frame is None or len(frame) == 0:
        return
    cols, rows = _rendered(conn, table, frame)
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    k = cols.index("id")
    sets = ", ".join(f"{quote(c)} = {mark}" for c in cols if c != "id")
    data = [tuple(v for i, v in enumerate(r) if i != k) + (r[k],) for r in rows]
    conn.exec_driver_sql(f"UPDATE {quote(table.name)} SET {sets} WHERE id = {mark}", data)
