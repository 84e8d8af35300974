"""Choosing, creating and opening the store.

The store is named by one SQLAlchemy URL, looked up in this order:
1. the environment variable `GRID_DB_URL`;
2. `.streamlit/secrets.toml`, key `url` under `[connections.sql]`;
3. the embedded default `sqlite:///sample_data/grid.db` (relative to the project root), which
   `bootstrap.py` (beside dashboard.py) creates and fills with the sample county on first start
   when it is missing — not this module: the data layer does not depend on the generator.

The dashboard reads through read-only connections: SQLite opened with `mode=ro`, PostgreSQL with
`default_transaction_read_only`. Writers (generator, simulator, importers) ask for `writable=True`.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from . import schema
from .sqlfuncs import add_sqlite_quantile

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "sample_data" / "grid.db"
DEFAULT_DB_URL = f"sqlite:///{DEFAULT_SQLITE_PATH}"
SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"


class StoreError(RuntimeError):
    """The store cannot be used; the message says what a person should do."""


def resolve_db_url(environ: dict | None = None, secrets_path: Path = SECRETS_PATH) -> str:
    env = os.environ if environ is None else environ
    url = env.get("GRID_DB_URL", "").strip()
    if url:
        return url
    if secrets_path.exists():
        try:
            secrets = tomllib.loads(secrets_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise StoreError(f"{secrets_path} is not valid TOML: {exc}") from exc
        url = str(secrets.get("connections", {}).get("sql", {}).get("url", "")).strip()
        if url:
            return url
    return DEFAULT_DB_URL


def describe_url(url: str) -> str:
    """The URL with any password hidden, safe to show on screen or in logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL is shown as the parser saw it: not at all
        return "<unparseable database URL>"


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def create_store_engine(url: str, *, writable: bool = False) -> Engine:
    """An Engine on the store; read-only unless `writable`."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise StoreError(f"GRID_DB_URL is not a database URL ({exc}).") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = _sqlite_path(url)
        if path is None:
            return create_engine(url)
        if writable:
            engine = create_engine(url, connect_args={"timeout": 30})
        else:
            if not path.exists():
                raise StoreError(f"The SQLite store {path} does not exist.")
            ro_url = f"sqlite:///file:{path}?mode=ro&uri=true"
            engine = create_engine(ro_url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001 - DBAPI hook
            cur = dbapi_conn.cursor()
            # WAL lets the dashboard read while a feeder writes; busy_timeout avoids "locked".
            if writable:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            # Percentile windows sort tens of thousands of rows: in memory (≤ 64 MB a connection),
            # not in temp files.
            cur.execute("PRAGMA cache_size=-65536")
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.close()
            add_sqlite_quantile(dbapi_conn)  # exact percentiles as an aggregate (sqlfuncs)

        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        # JIT compiling costs seconds on queries that run in milliseconds (planner estimates
        # of never-run subplans); a window's sort of ~150k rows needs more than 4 MB of work_mem.
        options = "-c jit=off -c work_mem=32MB"
        if not writable:
            options += " -c default_transaction_read_only=on"
        connect_args = {"connect_timeout": 5, "options": options}
        return create_engine(parsed, connect_args=connect_args, pool_pre_ping=True)
    raise StoreError(f"Unsupported database '{backend}': GridSight runs on SQLite or PostgreSQL.")


def store_status(engine: Engine) -> tuple[bool, str]:
    """(usable, message). Usable means reachable, with the schema and at least one grid."""
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
            missing = {t.name for t in schema.REQUIRED_TABLES} - names
            if missing:
                return False, "missing tables: " + ", ".join(sorted(missing))
            has_grid = conn.execute(select(schema.grids.c.id).limit(1)).first() is not None
            if not has_grid:
                return False, "the store has no grids"
            from . import rollups  # the package imports this module's neighbours, not this one

            derived = rollups.status(conn)
            if not derived.usable:
                return False, (
                    "missing derived tables: "
                    if not derived.present
                    else f"derived tables built by version {derived.version}, this is {rollups.ROLLUPS_VERSION}: "
                ) + "run `python -m data_access.rollups rebuild`"
    except SQLAlchemyError as exc:
        return False, f"cannot connect: {exc.__class__.__name__}: {str(exc).splitlines()[0]}"
    return True, "ok"


def create_schema(engine: Engine) -> None:
    schema.metadata.create_all(engine)


def ensure_access_tables(engine: Engine) -> None:
    """Create `users`, `audit_log` and `login_sessions` when missing (through a writable engine)."""
    schema.metadata.create_all(engine, tables=list(schema.ACCESS_TABLES), checkfirst=True)


def store_timezone(engine_or_conn) -> str:
    """The store's time zone (`store_meta.timezone`, an IANA name): its local days (report_date,
    close_date, the dashboard's "today") are days in this zone. Asia/Shanghai when unset or unknown."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from .filters import DEFAULT_TIMEZONE

    q = select(schema.store_meta.c.value).where(schema.store_meta.c.key == "timezone")
    try:
        if isinstance(engine_or_conn, Engine):
            with engine_or_conn.connect() as conn:
                value = conn.execute(q).scalar()
        else:
            value = engine_or_conn.execute(q).scalar()
    except SQLAlchemyError:  # a store without store_meta yet
        return DEFAULT_TIMEZONE
    try:
        ZoneInfo(value or "")
    except (ZoneInfoNotFoundError, ValueError):
        return DEFAULT_TIMEZONE
    return value


def read_meta(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(select(schema.store_meta.c.key, schema.store_meta.c.value)).all()
    return {k: v for k, v in rows}


def reset_id_sequences(conn, tables) -> None:
    """After rows were written with explicit ids, move PostgreSQL's serials past the largest id
    (SQLite needs nothing: it takes MAX(id) + 1). Tables without an `id` column are skipped."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" not in table.c:
            continue
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), COALESCE(MAX(id), 0) + 1, false) "
            f"FROM {table.name}"
        )
