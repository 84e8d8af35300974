"""Shared test fixtures: real stores built in temp dirs, on SQLite always and PostgreSQL when given.

`GRID_TEST_PG_URL` names an empty PostgreSQL database the tests may drop and create tables in.
Tests that need it (or Chromium) skip with a reason on a developer's machine, but fail in CI
(`CI=true`), where `.ci/run` installs and starts both.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests import fixture_county  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip when `condition` is false — except in CI, where a missing service is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI must provide it: see .ci/run)")
    pytest.skip(reason)


def pg_url() -> str:
    url = os.environ.get("GRID_TEST_PG_URL", "").strip()
    require(bool(url), "GRID_TEST_PG_URL not set: no PostgreSQL to test against")
    return url


# The test files that take longest, longest first: measured with `pytest --junitxml -n 0` on the
# 2-core machine under load (December 2026; a file's time is the sum of its tests' setup, call and
# teardown; "est." = not measured, placed by what it builds). pytest-xdist (`--dist loadfile`)
# hands whole files to whichever worker is free, in collection order, so a long file collected
# last keeps one worker busy while the other idles: the long ones go first and the many short
# files fill in behind them. Files not listed (each under 30 s) keep their order after.
SLOW_FILES_FIRST = (
    "test_integrity_heldout.py",  # est. 300 s: three unseen-seed counties with the held-out family
    "test_browser_wall.py",  # 257 s
    "test_access.py",  # 251 s
    "test_hdistrict.py",  # est. 250 s: two 24,000-event H districts
    "test_department_response.py",  # est. 200 s
    "test_browser_live_map.py",  # 172 s
    "test_app_hdistrict.py",  # 132 s
    "test_generate.py",  # est. 120 s
    "test_data_import_page.py",  # est. 120 s
    "test_assignments.py",  # 111 s
    "test_browser_language.py",  # 107 s
    "test_concurrency.py",  # 105 s
    "test_browser_hdistrict.py",  # 103 s
    "test_rollups.py",  # 101 s
    "test_reporter_months.py",  # 88 s
    "test_rankings.py",  # est. 80 s
    "test_lifecycle.py",  # 78 s
    "test_browser_access.py",  # 74 s
    "test_browser_monthly_rankings.py",  # 55 s
    "test_integrity.py",  # est. 50 s
    "test_integrity_review.py",  # est. 60 s
    "test_planting.py",  # est. 60 s
    "test_monthly_pdf.py",  # est. 50 s
    "test_sessions.py",  # 49 s
    "test_language.py",  # 45 s
    "test_browser_builtin_text.py",  # 45 s
    "test_backlog_days.py",  # 41 s
    "test_readme_byod.py",  # est. 40 s
    "test_app_overview.py",  # 40 s
    "test_event_paths.py",  # 39 s
    "test_browser_workforce.py",  # 35 s
    "test_users.py",  # 33 s
    "test_security.py",  # 32 s
    "test_browser_overview.py",  # 30 s
)


def pytest_configure(config):
    # xdist would otherwise re-sort the files by their number of tests (`--loadscope-reorder`, on by
    # default), which puts files of many quick tests first and the slow browser files, one or two
    # tests each, last: the order below is by time instead.
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def slow_files_first(items: list) -> None:
    """Sort collected `items` in place: SLOW_FILES_FIRST's files first, in its order; within a file
    and for the files it does not list, the collection order stays."""
    rank = {name: i for i, name in enumerate(SLOW_FILES_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def pytest_collection_modifyitems(config, items):
    slow_files_first(items)


@pytest.fixture(autouse=True)
def _steady_state_navigation(request, monkeypatch):
    """Make AppTest navigate as a running server does.

    With a `pages/` folder, Streamlit runs a page file on its own (its old auto-discovery) until
    some session has called `st.navigation`; a server does that once, on its first run. AppTest
    resets the flag before *every* run, so each rerun after the first would run the page alone,
    without dashboard.py, and widget ids would change between runs. The page-alone path keeps its
    own tests (AppTest.from_file on a page, and the fresh-server browser test).
    """
    from streamlit.runtime.pages_manager import PagesManager

    if request.node.get_closest_marker("pages_autodiscovery"):
        return  # this test wants Streamlit's fresh-server behaviour
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


# Inputs of the sample county: a change to any of them builds a new cached county.
_GENERATOR_INPUTS = (
    "sample_data/generate/*.py",  # every module of the generator package (a glob, so new ones count)
    "sample_data/catalogue.py",
    "sample_data/geometry.py",
    "sample_data/bulk.py",
    "sample_data/assessment_rules.toml",
    "sample_data/shapes.py",
    "sample_data/hdistrict.py",
    "data_access/schema.py",
    "data_access/levels.py",
)
SAMPLE_COUNTY_END = "2026-11-22T10:00:00+08:00"


def sample_county_url(seed: int = 7) -> str:
    """A read-only copy of the full sample county for `seed`, built once and cached on disk.

    The cache (`GRID_TEST_CACHE`, default <tmp>/gridsight-test-cache) is keyed by a hash of the
    generator's source, so an edited generator never hands tests a county it no longer makes.
    Concurrent test processes build it once, under a file lock.
    """
    return _cached_sample(f"county-seed{seed}", ["--profile", "county", "--seed", str(seed)])


# H district for page tests: every structural count exact, the published monthly volume
# (~12,700 events a month), but 4 months instead of 26 so it builds in about a minute.
HDISTRICT_MONTHS = 4


def sample_hdistrict_url(seed: int = 7) -> str:
    """A read-only H district store (profile hdistrict), built once and cached like the county."""
    return _cached_sample(
        f"hdistrict-seed{seed}",
        ["--profile", "hdistrict", "--seed", str(seed), "--months", str(HDISTRICT_MONTHS)],
    )


def _cached_sample(name: str, args: list[str]) -> str:
    import fcntl
    import hashlib
    import subprocess
    import tempfile

    digest = hashlib.sha256()
    for pattern in _GENERATOR_INPUTS:
        paths = sorted(ROOT.glob(pattern))
        if not paths:
            raise FileNotFoundError(f"generator input {pattern} matches no file")
        for path in paths:
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    for path in sorted((ROOT / "data_access" / "rollups").glob("*.py")):  # the derived tables it builds
        digest.update(path.read_bytes())
    cache = Path(os.environ.get("GRID_TEST_CACHE", Path(tempfile.gettempdir()) / "gridsight-test-cache"))
    cache.mkdir(parents=True, exist_ok=True)
    db = cache / f"{name}-{digest.hexdigest()[:12]}.db"
    with open(cache / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not db.exists():
            building = db.with_suffix(".building.db")
            building.unlink(missing_ok=True)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "sample_data.generate",
                    "--db",
                    f"sqlite:///{building}",
                    *args,
                    "--end",
                    SAMPLE_COUNTY_END,
                    "--quiet",
                ],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            building.rename(db)
    return f"sqlite:///{db}"


@pytest.fixture(scope="session")
def fixture_sqlite_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('fixture') / 'fixture.db'}"
    fixture_county.build_fixture(url)
    return url


def fresh_pg_database(suffix: str, template: str | None = None) -> str:
    """URL of a new, empty database `<GRID_TEST_PG_URL's db>_<suffix>` on the same server (a copy
    of the database `template` when given: CREATE DATABASE ... TEMPLATE, no connection may be open to it).

    Each test module gets its own database so that one module's drop_all cannot pull the tables
    from under another's; each xdist worker its own copy. The role in GRID_TEST_PG_URL needs CREATEDB.
    """
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(pg_url())
    if base.drivername == "postgresql":
        base = base.set(drivername="postgresql+psycopg")
    # Under pytest-xdist each worker (gw0, gw1, ...) gets its own databases: one worker's DROP
    # DATABASE ... WITH (FORCE) must not end another's connections.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    name = f"{base.database}_{suffix}" + (f"_{worker}" if worker else "")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


# The generator's tiny county, seed -> what `generate(url, profile="tiny", seed=seed,
# end=SAMPLE_COUNTY_END)` writes. Many modules need exactly that store, SQLite and PostgreSQL; it is
# built once (SQLite: in the file cache; PostgreSQL: a template database per worker) and copied.
_TINY_TEMPLATES: dict[int, str] = {}


def tiny_sqlite_copy(path: Path, seed: int = 7) -> str:
    """A writable copy at `path` of the tiny county for `seed` ending SAMPLE_COUNTY_END; its URL."""
    import sqlite3

    cached = _cached_sample(f"tiny-seed{seed}", ["--profile", "tiny", "--seed", str(seed)])
    source = sqlite3.connect(f"file:{cached.removeprefix('sqlite:///')}?mode=ro", uri=True)
    target = sqlite3.connect(path)
    try:
        source.backup(target)  # consistent whatever the source's WAL holds
    finally:
        target.close()
        source.close()
    return f"sqlite:///{path}"


def tiny_pg_database(suffix: str, seed: int = 7) -> str:
    """A new database (as fresh_pg_database(suffix)) holding the tiny county for `seed` ending
    SAMPLE_COUNTY_END, copied from a template database this worker builds on first use."""
    from sqlalchemy.engine import make_url

    if seed not in _TINY_TEMPLATES:
        from sample_data.generate import generate

        url = fresh_pg_database(f"tpl_tiny{seed}")
        generate(url, profile="tiny", seed=seed, end=SAMPLE_COUNTY_END, progress=False)  # disposes its engine
        _TINY_TEMPLATES[seed] = make_url(url).database
    return fresh_pg_database(suffix, template=_TINY_TEMPLATES[seed])


def tiny_moved_by_feeder(url: str, seed: int, feeder_seed: int, new: int, rounds: int, per_round: int):
    """The generator's tiny county at `url`, then the feeder's new events and steps (each write
    caught up on its own): a writable Engine on it. Old events closing after their report day
    are what incremental rollup refreshes must get right."""
    import datetime as dt

    from data_access.store import create_store_engine
    from sample_data.generate import generate
    from sample_data.simulate import Feeder

    end = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    if url.startswith("sqlite:///"):  # the same store, copied from the file cache
        tiny_sqlite_copy(Path(url.removeprefix("sqlite:///")), seed)
    else:
        generate(url, profile="tiny", seed=seed, end=end, progress=False)
    writer = create_store_engine(url, writable=True)
    feeder = Feeder(writer, seed=feeder_seed, min_age_seconds=0)
    for _ in range(new):
        feeder.new_event()
    for _ in range(rounds):
        feeder.advance_some(per_round)
    assert feeder.advanced > 20, "the feeder moved too few events to test anything"
    return writer


@pytest.fixture(scope="session")
def fixture_pg_url() -> str:
    url = fresh_pg_database("fixture")
    fixture_county.build_fixture(url)
    return url


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory):
    """(url, base): the dashboard (serve.py) on a writable copy of the fixture county of its own, for
    the raw-websocket tests (tests/st_wire.py); one per module, as each module had its own before.
    Each test adds the accounts it signs in with, under a name no other test uses."""
    from benchmarks import concurrency

    folder = tmp_path_factory.mktemp("wire_sqlite")
    url = f"sqlite:///{folder / 'store.db'}"
    fixture_county.build_fixture(url)
    proc, base = concurrency.start_server(url, folder / "server.log")
    try:
        yield url, base
    finally:
        concurrency.stop(proc)


@pytest.fixture(params=["sqlite", "postgresql"])
def fixture_url(request) -> str:
    """The fixture county on each database; data-access tests run once per backend."""
    name = "fixture_sqlite_url" if request.param == "sqlite" else "fixture_pg_url"
    return request.getfixturevalue(name)


_SEEDED: set[str] = set()


def ensure_demo_users(url: str) -> None:
    """Add the demo users (data_access.users.seed_demo_users) to the store at `url`; idempotent."""
    if url in _SEEDED:
        return
    from data_access.store import create_store_engine, ensure_access_tables
    from data_access.users import seed_demo_users

    engine = create_store_engine(url, writable=True)
    try:
        ensure_access_tables(engine)
        seed_demo_users(engine)
    finally:
        engine.dispose()
    _SEEDED.add(url)


def login(at, role: str = "leader", password: str | None = None):
    """Sign an AppTest in as the demo user `role` through the real login form; returns `at`.

    Runs the app first if it has not run yet. Leaves the default page shown. The store the app
    reads (GRID_DB_URL) gets the demo users first if it lacks them (generated and imported stores).
    """
    from data_access.users import DEMO_PASSWORD

    ensure_demo_users(os.environ["GRID_DB_URL"])

    if not any(w.key == "login_username" for w in at.text_input):
        at.run()
    at.text_input(key="login_username").input(role)
    at.text_input(key="login_password").input(DEMO_PASSWORD if password is None else password)
    submit = [b for b in at.button if b.proto.form_id == "login_form"]
    assert submit, "no login form on the page"
    submit[0].click().run()
    return at


@pytest.fixture
def engine(fixture_url):
    """A read-only engine on the fixture county (each backend in turn); modules may override."""
    from data_access.store import create_store_engine

    eng = create_store_engine(fixture_url)
    yield eng
    eng.dispose()


def point_app_at(monkeypatch, url: str, now_iso: str | None = None) -> None:
    """Point AppTest runs at the store `url`, with the clock pinned to `now_iso`, caches empty."""
    import streamlit as st

    monkeypatch.setenv("GRID_DB_URL", url)
    if now_iso is not None:
        monkeypatch.setenv("GRID_NOW", now_iso)
    import ui.data

    st.cache_data.clear()
    st.cache_resource.clear()
    ui.data.dispose_engines()


@pytest.fixture
def app_env(monkeypatch, fixture_sqlite_url):
    """Environment for AppTest runs against the fixture, with the clock pinned and caches empty."""
    point_app_at(monkeypatch, fixture_sqlite_url, fixture_county.AS_OF_ISO)
    return fixture_sqlite_url
