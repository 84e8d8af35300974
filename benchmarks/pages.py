"""Page benchmark: server-side render time of every page, cold and warm, against the naive way.

    python -m benchmarks.pages --db URL --events N [--out FILE.json] [--pages a,b] [--warm-runs 3]

1. Fills the store at --db with the sample county (`sample_data.generate`, seed 7, N events)
   unless it already holds at least N events (then it is reused, and the run says so).
2. For every page of ui/pages.py (or --pages, by url_path) renders it through dashboard.py with
   Streamlit's AppTest, as a running server does: cold (st.cache_data and st.cache_resource
   cleared, so a new engine and no cached query) and warm (the same session rerun with caches
   kept; the median of --warm-runs runs). The clock is pinned to the store's end (GRID_NOW),
   so the default 30-day filter covers data. Every SQL statement is timed and attributed to the
   data_access function that issued it (the slowest are listed per page).
3. Runs the page's naive pandas version (benchmarks/naive.py) in a separate process, so its
   memory does not count against the dashboard's; naive seconds include reading the tables.
4. Prints a table and writes a JSON list of {page, cold_s, warm_s, naive_s, ratio (naive/cold),
   peak_rss_mb, error, ...}. peak_rss_mb is the benchmark process's peak RSS after that page
   (ru_maxrss: it only grows, so the last page's value is the overall peak of the process).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import pkgutil
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import traceback
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from data_access import rollups, schema
from data_access.store import StoreError, create_store_engine, describe_url, read_meta
from ui.pages import PAGES

DEFAULT_END = "2026-11-22T10:00:00+08:00"
FIELDS = ("page", "cold_s", "warm_s", "naive_s", "ratio", "peak_rss_mb", "error")
DATA_ACCESS = str(ROOT / "data_access")
# Plumbing that runs SQL for others: the caller one frame up is the function to blame.
PLUMBING = {"frame", "scalar", "load_rules"}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


# --- the store -------------------------------------------------------------------------------


def count_events(url: str) -> int | None:
    """Events in the store, or None when it does not exist or has no schema yet."""
    try:
        engine = create_store_engine(url)
    except StoreError:  # a missing SQLite file: nothing to count
        return None
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(schema.events)).scalar_one())
    except SQLAlchemyError:  # no events table yet
        return None
    finally:
        engine.dispose()


def ensure_store(url: str, events: int, end: str) -> str:
    """Fill the store unless it already holds `events` events; returns what happened, in words."""
    have = count_events(url)
    if have is not None and have >= events:
        note = "" if have == events else f" (asked for {events:,})"
        return f"reusing {describe_url(url)}: it already holds {have:,} events{note}" + ensure_rollups(url)
    if have:
        raise SystemExit(
            f"{describe_url(url)} holds {have:,} events, fewer than {events:,}: "
            "give another --db, or rebuild it with python -m sample_data.generate --replace"
        )
    # In a child process: the generator's memory must not count in this process's peak RSS.
    began = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sample_data.generate",
            "--db",
            url,
            "--profile",
            "county",
            "--seed",
            "7",
            "--events",
            str(events),
            "--end",
            end,
        ],
        cwd=ROOT,
        check=True,
    )
    return f"built {describe_url(url)} with {count_events(url):,} events in {time.perf_counter() - began:.0f} s"


def ensure_rollups(url: str) -> str:
    """A reused store built before the derived tables (or behind them) is brought up to date
    first, in a child process, and the run says how long that took; pages never build them."""
    engine = create_store_engine(url)
    try:
        with engine.connect() as conn:
            derived = rollups.status(conn)
    finally:
        engine.dispose()
    if derived.current:
        return ""
    command = "catch-up" if derived.usable else "rebuild"
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "data_access.rollups", command, "--db", url], cwd=ROOT, check=True)
    return f"; derived tables: {command} took {time.perf_counter() - began:.0f} s"


def store_end(url: str) -> str:
    """The store's end (store_meta 'end'): the dashboard's pinned 'now'."""
    engine = create_store_engine(url)
    try:
        meta = read_meta(engine)
        if meta.get("end"):
            return meta["end"]
        with engine.connect() as conn:  # an imported store without meta: its newest report
            newest = conn.execute(select(func.max(schema.events.c.reported_at))).scalar_one()
        return newest.isoformat()
    finally:
        engine.dispose()


# --- SQL timing ------------------------------------------------------------------------------


class SqlTimer:
    """Times every statement on every Engine and blames the data_access function that ran it.

    Statement times cover `cursor.execute` only: SQLite hands rows over lazily, so much of its
    work lands in the fetch. `CallTimer` has the whole cost of each data_access call.
    """

    def __init__(self) -> None:
        self.stats: dict[str, list] = defaultdict(lambda: [0, 0.0, 0.0, ""])  # calls, total, max, sql
        self.active = False
        self.calls = CallTimer()
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "after_cursor_execute", self._after)

    def reset(self) -> None:
        self.stats.clear()
        self.calls.clear()

    @staticmethod
    def _caller() -> str:
        frame = sys._getframe(2)
        while frame is not None:
            code = frame.f_code
            # Comprehensions (<listcomp>) and plumbing are blamed on the function around them.
            if (
                code.co_filename.startswith(DATA_ACCESS)
                and code.co_name not in PLUMBING
                and not code.co_name.startswith("<")
            ):
                return f"{Path(code.co_filename).stem}.{code.co_name}"
            frame = frame.f_back
        return "(shell/other)"

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("_bench_t0", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        began = conn.info["_bench_t0"].pop()
        if not self.active:
            return
        spent = time.perf_counter() - began
        row = self.stats[self._caller()]
        row[0] += 1
        row[1] += spent
        if spent > row[2]:
            row[2], row[3] = spent, " ".join(statement.split())[:160]

    def slowest(self, n: int = 5) -> list[dict]:
        rows = sorted(self.stats.items(), key=lambda kv: kv[1][1], reverse=True)[:n]
        return [
            {"function": k, "calls": v[0], "total_s": round(v[1], 3), "max_s": round(v[2], 3), "sql": v[3]}
            for k, v in rows
        ]

    def total(self) -> float:
        return sum(v[1] for v in self.stats.values())


class CallTimer(dict):
    """Stands in for ui.data._REGISTRY: every data_access call a page makes through `query` /
    `live_query` (cache misses only: hits never reach it) is timed whole — SQL, fetch, pandas."""

    def __init__(self) -> None:
        super().__init__()
        self.times: dict[str, list] = defaultdict(lambda: [0, 0.0, 0.0])  # calls, total, max

    def clear(self) -> None:  # keeps the registered functions
        self.times.clear()

    def __getitem__(self, key):
        fn = super().__getitem__(key)

        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent = time.perf_counter() - began
                row = self.times[key.replace("data_access.", "")]
                row[0] += 1
                row[1] += spent
                row[2] = max(row[2], spent)

        return timed

    def total(self) -> float:
        return sum(v[1] for v in self.times.values())

    def slowest(self, n: int = 6) -> list[dict]:
        rows = sorted(self.times.items(), key=lambda kv: kv[1][1], reverse=True)[:n]
        return [{"function": k, "calls": v[0], "total_s": round(v[1], 3), "max_s": round(v[2], 3)} for k, v in rows]


# --- the AppTest runs ------------------------------------------------------------------------


def steady_state_navigation() -> None:
    """As tests/conftest.py's fixture: runs go through dashboard.py, as on a running server.

    AppTest resets Streamlit's pages/ flag before every run; without this a rerun would run the
    page file alone, without the shell.
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init


def preload_modules() -> float:
    """Import what a running server has imported already, so the first page does not pay for it."""
    began = time.perf_counter()
    for name in ("plotly.graph_objects", "plotly.express", "pydeck", "shapely", "streamlit.testing.v1"):
        importlib.import_module(name)
    for package in ("data_access", "ui", "geo"):
        pkg = importlib.import_module(package)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{package}."):
            try:
                importlib.import_module(info.name)
            except Exception as exc:  # a module still being written: the page run will report it
                print(f"  (could not preload {info.name}: {type(exc).__name__})", file=sys.stderr)
    return time.perf_counter() - began


def deck_sizes(at) -> tuple[float, dict[str, float]]:
    """KiB of pydeck JSON the page sends to the browser: all its maps, and per layer id."""
    total, layers = 0, {}
    for el in at.get("deck_gl_json_chart"):
        text = getattr(getattr(el, "proto", None), "json", "") or ""
        total += len(text.encode("utf-8"))
        try:
            spec = json.loads(text)
        except ValueError:
            continue
        for layer in spec.get("layers", []):
            name = str(layer.get("id", layer.get("@@type", "?")))
            layers[name] = layers.get(name, 0.0) + len(json.dumps(layer, ensure_ascii=False).encode("utf-8")) / 1024
    return round(total / 1024, 1), {k: round(v, 1) for k, v in layers.items()}


def _error_text(at) -> str | None:
    if at.exception:
        first = at.exception[0]
        return (getattr(first, "message", "") or str(first)).strip().splitlines()[0][:300]
    return None


def profile_script_thread():
    """A cProfile that starts in the next thread started: AppTest runs the script in its own
    thread while this one only waits, so profiling this thread would show nothing but sleep."""
    import cProfile

    profiler = cProfile.Profile()

    def start(frame, event, arg):
        sys.setprofile(None)
        profiler.enable()

    threading.setprofile(start)
    return profiler


def profile_top(profiler, n: int = 12) -> list[dict]:
    """The functions with the most own time in a cold run (cProfile), project code and libraries."""
    import pstats

    stats = pstats.Stats(profiler)
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:n]
    return [
        {"function": f"{Path(file).name}:{line}:{name}", "calls": nc, "own_s": round(tt, 3), "cum_s": round(ct, 3)}
        for (file, line, name), (cc, nc, tt, ct, _callers) in rows
    ]


def signed_in_app(app_test_cls, timeout: float):
    """An AppTest of dashboard.py signed in as the demo admin (who may open every page) through
    the real login form; the store gets the demo users first when it lacks them."""
    from data_access.store import create_store_engine, ensure_access_tables, resolve_db_url
    from data_access.users import DEMO_PASSWORD, seed_demo_users

    writer = create_store_engine(resolve_db_url(), writable=True)
    try:
        ensure_access_tables(writer)
        seed_demo_users(writer)
    finally:
        writer.dispose()
    at = app_test_cls.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout)
    at.run()
    at.text_input(key="login_username").input("admin")
    at.text_input(key="login_password").input(DEMO_PASSWORD)
    next(b for b in at.button if b.proto.form_id == "login_form").click().run()
    if not any(w.key == "filter_dates" for w in at.sidebar.date_input):
        raise RuntimeError("the demo admin could not sign in: " + "; ".join(e.value for e in at.error))
    return at


def warm_store_file() -> float:
    """Read a SQLite store's file once (into the operating system's file cache), as a running
    dashboard keeps it: "cold" means empty Streamlit caches and a new connection, not a disk
    that has not seen the store. This machine's kernel reclaims idle file pages (DAMON), which
    otherwise turned some cold runs into disk benchmarks. Returns the seconds it took (0 for a
    server database, whose own buffers stay as they are)."""
    from data_access.store import _sqlite_path, resolve_db_url

    path = _sqlite_path(resolve_db_url())
    if path is None or not path.exists():
        return 0.0
    began = time.perf_counter()
    with open(path, "rb") as fh:
        while fh.read(16 << 20):
            pass
    return time.perf_counter() - began


def measure_page(spec, warm_runs: int, timeout: float, timer: SqlTimer, profile: bool = False) -> list[dict]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    row = {"page": spec.url_path, "cold_s": None, "warm_s": None, "error": None}
    st.cache_data.clear()
    st.cache_resource.clear()
    gc.collect()
    try:
        at = signed_in_app(AppTest, timeout)
        # Signing in rendered the default page: empty the caches again so this page starts cold.
        st.cache_data.clear()
        st.cache_resource.clear()
        row["file_warm_s"] = round(warm_store_file(), 3)
        timer.reset()
        timer.active = True
        profiler = None
        if profile:  # its overhead inflates cold_s: use a profiled run for where, not how long
            profiler = profile_script_thread()
        began = time.perf_counter()
        at.switch_page(spec.path).run()
        row["cold_s"] = time.perf_counter() - began
        if profiler is not None:
            threading.setprofile(None)
            profiler.disable()
            row["profile_top"] = profile_top(profiler)
        timer.active = False
        row["data_s"], row["slowest_calls"] = timer.calls.total(), timer.calls.slowest()
        row["sql_exec_s"], row["slowest_sql"] = timer.total(), timer.slowest()
        row["error"] = _error_text(at)
        row["st_errors"] = [e.value[:200] for e in at.error]
        row["deck_json_kb"], row["deck_layers_kb"] = deck_sizes(at)
        if row["error"] is None:
            warm = []
            for _ in range(warm_runs):
                began = time.perf_counter()
                at.run()
                warm.append(time.perf_counter() - began)
                if at.exception:
                    row["error"] = "warm run: " + _error_text(at)
                    break
            row["warm_runs_s"] = [round(w, 4) for w in warm]
            row["warm_s"] = statistics.median(warm) if warm else None
    except Exception as exc:  # a timeout or a crash of the harness: record it, go on to the next page
        timer.active = False
        row["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
        traceback.print_exc()
    row["peak_rss_mb"] = round(rss_mb(), 1)
    rows = [row]
    if spec.url_path == "live_map" and row["error"] is None:
        rows.append(measure_micro_grid_layer(at, warm_runs, timer))
    return rows


def measure_micro_grid_layer(at, warm_runs: int, timer: SqlTimer) -> dict:
    """The live map showing the whole county's micro-grids: the biggest layer any page sends.

    Measured in the live map's session (its other queries cached); the first run builds the
    micro-grid shapes, so its time is the layer's cold cost.
    """
    row = {"page": "live_map@micro_grid", "cold_s": None, "warm_s": None, "error": None}
    try:
        timer.reset()
        timer.active = True
        began = time.perf_counter()
        at.selectbox(key="live_map_show_level_county").set_value("micro_grid").run()
        row["cold_s"] = time.perf_counter() - began
        timer.active = False
        row["data_s"], row["slowest_calls"] = timer.calls.total(), timer.calls.slowest()
        row["sql_exec_s"], row["slowest_sql"] = timer.total(), timer.slowest()
        row["error"] = _error_text(at)
        row["deck_json_kb"], row["deck_layers_kb"] = deck_sizes(at)
        warm = []
        for _ in range(warm_runs):
            began = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - began)
        row["warm_runs_s"] = [round(w, 4) for w in warm]
        row["warm_s"] = statistics.median(warm)
    except Exception as exc:  # e.g. the page renamed its widget: say so, keep the other numbers
        timer.active = False
        row["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
    row["peak_rss_mb"] = round(rss_mb(), 1)
    return row


def run_naive(url: str, page: str, as_of: str, timeout: float) -> dict:
    from benchmarks import naive

    if page not in naive.PAGES:
        return {"naive_s": None, "naive_note": "no naive counterpart (no figures from the event tables, or a variant)"}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.naive", "--db", url, "--page", page, "--as-of", as_of],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        return {"naive_s": None, "naive_error": proc.stderr.strip().splitlines()[-1][:300] if proc.stderr else "failed"}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return {
        k: out[k] for k in ("naive_s", "naive_read_s", "naive_compute_s", "rows_read", "naive_peak_rss_mb", "figures")
    }


# --- report ----------------------------------------------------------------------------------


def _fmt(value, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def table(rows: list[dict]) -> str:
    head = f"{'page':<22}{'cold s':>9}{'warm s':>9}{'naive s':>9}{'ratio':>8}{'RSS MB':>9}  error"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['page']:<22}{_fmt(r['cold_s']):>9}{_fmt(r['warm_s']):>9}{_fmt(r['naive_s'], 2):>9}"
            f"{_fmt(r['ratio'], 1):>8}{_fmt(r['peak_rss_mb'], 0):>9}  {r['error'] or ''}"
        )
    return "\n".join(lines)


# Issue 10's targets for 1 million events in SQLite (the 10M PostgreSQL one is cold <= 2 s).
TARGETS = {"cold_s": 1.0, "warm_s": 0.2, "ratio": 20.0, "peak_rss_mb": 700.0}
LAYER_TARGET_BYTES = 1_500_000  # the whole county's micro-grid layer as sent to the browser


def verdicts(row: dict) -> list[str]:
    """'met' / 'NOT met' against the 1M-SQLite targets, per criterion (— when not measured)."""
    out = []
    for key, limit in TARGETS.items():
        value = row.get(key)
        if value is None:
            out.append("—")
        elif key == "ratio":
            out.append("met" if value >= limit else "NOT met")
        elif key == "peak_rss_mb":
            out.append("met" if value < limit else "NOT met")
        else:
            out.append("met" if value <= limit else "NOT met")
    return out


def markdown(rows: list[dict]) -> str:
    """The table for benchmarks/README.md, with met / NOT met against the 1M-SQLite targets."""
    lines = [
        (
            "| page | cold s | warm s | naive s | ratio | peak RSS MB | data_access s (cold) | map JSON KiB | "
            "cold ≤ 1 s | warm ≤ 0.2 s | ≥ 20× naive | RSS < 700 MB | error |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|---|",
    ]
    for r in rows:
        v = verdicts(r)
        lines.append(
            f"| {r['page']} | {_fmt(r['cold_s'])} | {_fmt(r['warm_s'])} | {_fmt(r['naive_s'], 2)} | "
            f"{_fmt(r['ratio'], 1)} | {_fmt(r['peak_rss_mb'], 0)} | {_fmt(r.get('data_s'))} | "
            f"{_fmt(r.get('deck_json_kb'), 1)} | {' | '.join(v)} | {r['error'] or ''} |"
        )
    layer = next((r for r in rows if r["page"] == "live_map@micro_grid"), None)
    if layer and layer.get("deck_layers_kb", {}).get("units") is not None:
        size = layer["deck_layers_kb"]["units"] * 1024
        lines.append("")
        lines.append(
            f"Whole-county micro-grid layer (`units` of live_map@micro_grid): {size / 1e6:.3f} MB "
            f"({size / 1024:.0f} KiB) — target ≤ 1.5 MB: {'met' if size <= LAYER_TARGET_BYTES else 'NOT met'}"
        )
    return "\n".join(lines)


def machine() -> dict:
    import streamlit

    mem_kb = (
        next(
            (
                int(line.split()[1])
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")
            ),
            0,
        )
        if Path("/proc/meminfo").exists()
        else 0
    )
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024**2, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "streamlit": streamlit.__version__,
        "load_avg": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pages", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="SQLAlchemy URL of the store to fill or reuse")
    parser.add_argument("--events", type=int, help="events the store should hold")
    parser.add_argument("--out", default=None, help="write the JSON list here")
    parser.add_argument("--pages", default=None, help="comma-separated url_paths (default: every page)")
    parser.add_argument("--warm-runs", type=int, default=3)
    parser.add_argument("--end", default=DEFAULT_END, help="end of the generated period, when filling")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds one page run may take")
    parser.add_argument("--markdown", default=None, help="also write the table as Markdown (for the README)")
    parser.add_argument(
        "--from-json", default=None, help="do not measure: print (and --markdown) the table of an earlier --out file"
    )
    parser.add_argument("--no-naive", action="store_true", help="skip the naive pandas runs")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile each cold run and list the functions with most own time (slows cold runs)",
    )
    args = parser.parse_args(argv)
    if not args.from_json and (not args.db or args.events is None):
        parser.error("--db and --events are required (unless --from-json)")

    if args.from_json:
        rows = json.loads(Path(args.from_json).read_text(encoding="utf-8"))
        print(table(rows))
        if args.markdown:
            Path(args.markdown).write_text(markdown(rows) + "\n", encoding="utf-8")
        return 0
    if args.events < 1 or args.warm_runs < 1:
        parser.error("--events and --warm-runs must be at least 1")
    specs = list(PAGES)
    if args.pages:
        wanted = [p.strip() for p in args.pages.split(",") if p.strip()]
        unknown = sorted(set(wanted) - {s.url_path for s in PAGES})
        if unknown:
            parser.error(f"unknown page(s) {', '.join(unknown)}; choose from {', '.join(s.url_path for s in PAGES)}")
        specs = [s for s in PAGES if s.url_path in wanted]

    print(ensure_store(args.db, args.events, args.end), flush=True)
    now = store_end(args.db)
    os.environ["GRID_DB_URL"] = args.db
    os.environ["GRID_NOW"] = now
    print(f"GRID_NOW={now}; {len(specs)} page(s); machine {machine()}", flush=True)

    from streamlit import config
    from streamlit.logger import set_log_level

    # AppTest has no server: its "missing ScriptRunContext" warnings would drown the table.
    config.set_option("logger.level", "error")
    set_log_level("error")
    steady_state_navigation()
    print(f"preloaded modules in {preload_modules():.2f} s", flush=True)
    timer = SqlTimer()
    import ui.data

    timer.calls.update(ui.data._REGISTRY)
    ui.data._REGISTRY = timer.calls  # the module looks the name up on every call
    rows = []
    for spec in specs:
        for row in measure_page(spec, args.warm_runs, args.timeout, timer, args.profile):
            print(
                f"  {row['page']}: cold {_fmt(row['cold_s'])} s, warm {_fmt(row['warm_s'])} s, "
                f"data_access {_fmt(row.get('data_s'))} s, RSS {row['peak_rss_mb']} MB {row['error'] or ''}",
                flush=True,
            )
            rows.append(row)
    if not args.no_naive:
        for row in rows:  # after every render: the naive processes must not compete with them
            row.update(run_naive(args.db, row["page"], now, args.timeout * 4))
            print(f"  naive {row['page']}: {_fmt(row.get('naive_s'), 2)} s", flush=True)
    out = []
    for row in rows:
        naive_s, cold_s = row.get("naive_s"), row.get("cold_s")
        row["ratio"] = naive_s / cold_s if naive_s and cold_s else None
        row["events"] = args.events
        out.append({**{k: row.get(k) for k in FIELDS}, **{k: v for k, v in row.items() if k not in FIELDS}})
    print()
    print(table(out))
    print(f"\npeak RSS of the benchmark process (dashboard side): {rss_mb():.0f} MB")
    if args.out:
        Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        print(f"wrote {args.out}")
    if args.markdown:
        Path(args.markdown).write_text(markdown(out) + "\n", encoding="utf-8")
        print(f"wrote {args.markdown}")
    return 1 if any(r["error"] for r in out) else 0


if __name__ == "__main__":
    sys.exit(main())
