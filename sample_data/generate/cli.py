"""Generate the sample county (T county, Zhejiang, as in DOMAIN.md) into a GridSight store.

The entry point `generate` and the command line `python -m sample_data.generate` (see the package's docstring)."""

import argparse
import datetime as dt
import sys
import time

from sqlalchemy import event, func, inspect, literal, select
from tqdm import tqdm

from data_access import levels as levels_mod
from data_access import rollups, schema
from data_access.rules import default_rule_rows, seed_default_rules
from data_access.store import create_store_engine, describe_url, reset_id_sequences, resolve_db_url
from data_access.users import seed_demo_users
from sample_data.bulk import BulkWriter
from sample_data.generate.checkins import _checkins
from sample_data.generate.events import EventFactory
from sample_data.generate.planting import _plan
from sample_data.generate.profiles import (
    BULK_TABLES,
    LOCAL_TZ,
    PROFILES,
    StoreNotEmptyError,
    _local_day,
    _months_back,
    _us,
    default_end,
    parse_end,
)
from sample_data.generate.ratings import _ratings
from sample_data.generate.workers import _build_workers
from sample_data.generate.world import _build_world
from sample_data.generate.writing import _own_rules, _write_static


def _refuse_if_not_empty(engine) -> None:
    with engine.connect() as conn:
        if schema.grids.name not in inspect(conn).get_table_names():
            return
        if conn.execute(select(literal(1)).select_from(schema.grids).limit(1)).first():
            raise StoreNotEmptyError(
                f"{describe_url(str(engine.url))} already holds data (it has grids); nothing was changed. "
                "Use --replace to drop and rebuild it."
            )


def generate(
    url: str,
    profile: str = "county",
    seed: int = 7,
    months: int | None = None,
    events: int | None = None,
    end: dt.datetime | str | None = None,
    progress: bool = True,
    replace: bool = False,
    held_out: bool = False,
) -> dict:
    """Build the sample county into the store at `url`; returns counts per table and timings.

    `held_out` also plants the held-out gaming families (held_out.py): only for the final held-out
    test of the integrity signals, never during their development (docs/INTEGRITY.md)."""
    began = time.perf_counter()
    prof = PROFILES[profile]
    months = prof.months if months is None else int(months)
    if months < 1:
        raise ValueError("months must be at least 1")
    n_events = prof.events_per_month * months if events is None else int(events)
    end = default_end() if end is None else (parse_end(end) if isinstance(end, str) else end)
    if end.tzinfo is None:
        end = end.replace(tzinfo=LOCAL_TZ)
    end_local = end.astimezone(LOCAL_TZ)
    start_local = _months_back(end_local, months)
    end_us, start_us = _us(end), _us(start_local)

    engine = create_store_engine(url, writable=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _fast_build(dbapi_conn, _record):  # noqa: ANN001 - DBAPI hook
            # A bigger (but bounded: 256 MB) page cache for loading and the final index builds.
            dbapi_conn.execute("PRAGMA cache_size=-262144")

    try:
        if replace:
            schema.metadata.drop_all(engine)
        else:
            _refuse_if_not_empty(engine)
        schema.metadata.create_all(engine)

        rules = {r["key"]: r["value"] for r in default_rule_rows() if r["ruleset"] == "common"}
        deadlines = {u: rules[f"deadline_hours_{u}"] for u in schema.URGENCIES}
        world = _build_world(prof, seed)
        _build_workers(world, prof, seed, start_local.date(), end_local.date())
        plan = _plan(world, prof, seed, start_local.date(), int(_local_day(end_us)), held_out=held_out)
        factory = EventFactory(world, plan, seed, start_us, end_us, n_events, deadlines, rules["verify_within_hours"])
        counts: dict[str, int] = {}
        # Indexes of the big tables are built once after loading: far faster than maintaining
        # them row by row (a build that fails half-way needs --replace anyway).
        deferred = [ix for table in BULK_TABLES for ix in sorted(table.indexes, key=lambda ix: ix.name)]
        with engine.begin() as conn:
            for index in deferred:
                index.drop(conn)
            _write_static(BulkWriter(conn), world, factory)
            levels_mod.write(conn, prof.shape.levels)
            seed_default_rules(conn)
            _own_rules(conn, world, plan)
        bar = tqdm(total=n_events, unit="ev", desc="events", disable=not progress)
        for ev_cols, st_cols in factory.batches():
            with engine.begin() as conn:
                writer = BulkWriter(conn)
                writer.insert(schema.events, ev_cols)
                writer.insert(schema.event_steps, st_cols)
            bar.update(len(ev_cols["id"]))
        bar.close()
        seed_demo_users(engine)  # the README's demo accounts (sample stores only)
        with engine.begin() as conn:
            writer = BulkWriter(conn)
            writer.insert(schema.patrol_checkins, _checkins(world, plan, seed, end_us))
            writer.insert(schema.department_ratings, _ratings(world, plan, seed, factory.dept_stats, start_us, end_us))
            writer.insert(
                schema.planted_patterns,
                {
                    "id": list(range(1, len(world.planted) + 1)),
                    "pattern": [p[0] for p in world.planted],
                    "subject_type": [p[1] for p in world.planted],
                    "subject_id": [p[2] for p in world.planted],
                    "detail": [p[3] for p in world.planted],
                    "kind": [p[4] if len(p) > 4 else "gaming" for p in world.planted],
                    "family": [p[5] if len(p) > 5 else p[0] for p in world.planted],
                },
            )
            meta = {
                "schema_version": str(schema.SCHEMA_VERSION),
                "profile": profile,
                "seed": str(seed),
                "months": str(months),
                "events": str(n_events),
                "end": end.astimezone(dt.UTC).isoformat(),
                "timezone": "Asia/Shanghai",
                "ruleset": prof.shape.ruleset,
                "held_out": "1" if held_out else "0",
            }
            writer.insert(schema.store_meta, {"key": list(meta), "value": list(meta.values())})
            for index in deferred:
                index.create(conn)
            reset_id_sequences(conn, list(schema.metadata.sorted_tables))
            rollups.rebuild(conn)  # the derived tables pages read (data_access/rollups)
            for table in schema.metadata.sorted_tables:
                counts[table.name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
    finally:
        engine.dispose()  # checkpoints SQLite's WAL into the main file
    active = [r for r in world.workers["rows"] if r["left"] is None]
    return {
        "tables": counts,
        "active_workers": len(active),
        "full_time": sum(r["employment_type"] == "full_time" for r in active),
        "seconds": round(time.perf_counter() - began, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_data.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db", default=None, help="SQLAlchemy URL of the store (default: GRID_DB_URL or the built-in SQLite file)"
    )
    parser.add_argument("--profile", choices=sorted(PROFILES), default="county")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--months", type=int, default=None, help="length of the period (default: the profile's)")
    parser.add_argument(
        "--events", type=int, default=None, help="total number of events (default: about 6,000 a month)"
    )
    parser.add_argument(
        "--end", default=None, help="end of the period, ISO date-time (default: this hour, Asia/Shanghai)"
    )
    parser.add_argument("--replace", action="store_true", help="drop and rebuild a store that already holds data")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--held-out",
        action="store_true",
        help="also plant the held-out families (for the final held-out test of the integrity signals only)",
    )
    args = parser.parse_args(argv)
    url = args.db or resolve_db_url()
    try:
        summary = generate(
            url,
            profile=args.profile,
            seed=args.seed,
            months=args.months,
            events=args.events,
            end=args.end,
            progress=not args.quiet,
            replace=args.replace,
            held_out=args.held_out,
        )
    except StoreNotEmptyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Built the '{args.profile}' sample county in {describe_url(url)} in {summary['seconds']} s")
    for name, n in summary["tables"].items():
        print(f"  {name:<20} {n:>10,}")
    print(f"  active workers {summary['active_workers']:,}, of whom full-time {summary['full_time']:,}")
    return 0
