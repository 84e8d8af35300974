"""python -m data_access.rollups {rebuild|catch-up|status} [--db URL]

rebuild   every derived table from events and steps (also creates missing tables and indexes)
catch-up  only the events written since the last refresh
status    how far behind the events the derived tables are (exit 1 when not current)
"""

from __future__ import annotations

import argparse
import sys
import time

from ..store import StoreError, create_store_engine, describe_url, resolve_db_url
from . import ROLLUPS_VERSION, catch_up, rebuild, status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m data_access.rollups", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=("rebuild", "catch-up", "status"))
    parser.add_argument(
        "--db",
        default=None,
        help="SQLAlchemy URL of the store (default: GRID_DB_URL, secrets.toml, or the built-in SQLite file)",
    )
    args = parser.parse_args(argv)
    url = args.db or resolve_db_url()
    try:
        engine = create_store_engine(url, writable=args.command != "status")
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    began = time.perf_counter()
    try:
        if args.command == "status":
            with engine.connect() as conn:
                st = status(conn)
            print(
                f"{describe_url(url)}: present={st.present} version={st.version} (current {ROLLUPS_VERSION}) "
                f"events_behind={st.events_behind} steps_behind={st.steps_behind}"
            )
            return 0 if st.current else 1
        with engine.begin() as conn:
            if args.command == "rebuild":
                rebuild(conn)
                print(f"{describe_url(url)}: rollups rebuilt in {time.perf_counter() - began:.1f} s")
            else:
                n = catch_up(conn)
                what = "rebuilt (none were current)" if n < 0 else f"{n} events recomputed"
                print(f"{describe_url(url)}: {what} in {time.perf_counter() - began:.1f} s")
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
