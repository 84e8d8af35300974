"""README "Bring your own data": its command block, run verbatim on a fresh store with the real LA
files, then every page rendered for the admin it creates. Skipped with a reason where
../shared/real_data is absent; CI must provide it."""

from __future__ import annotations

import datetime as dt
import os
import subprocess

import pandas as pd
import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from data_access import schema
from data_access.store import create_store_engine, store_timezone
from tests.conftest import ROOT, point_app_at, require
from ui.pages import PAGES

REAL = ROOT.parent / "shared" / "real_data"
if not REAL.exists():
    REAL = ROOT.parent.parent / "shared" / "real_data"  # a worktree under /work/wt/<name>
APP = str(ROOT / "dashboard.py")
PASSWORD = "la-311-board-2020"  # the password policy refuses one containing "chief"
JANUARY = [dt.date(2020, 1, 1), dt.date(2020, 1, 31)]


def readme_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- byod:start -->")[1].split("<!-- byod:end -->")[0]
    return block.strip().removeprefix("```bash").removesuffix("```").strip()


@pytest.fixture(scope="module")
def la_run(tmp_path_factory) -> tuple[str, int]:
    """(store URL, rows in the events' rejects CSV) after the README block ran."""
    require((REAL / "la311_2020_sample.csv").exists(), f"the real LA files are not in {REAL}")
    tmp = tmp_path_factory.mktemp("byod")
    url = f"sqlite:///{tmp / 'la.db'}"
    env = dict(os.environ, GRID_DB_URL=url, DATA=str(REAL), TMPDIR=str(tmp))
    env.pop("GRID_NOW", None)
    # the block exactly as printed; bash stops at the first command that fails
    run = subprocess.run(
        ["bash", "-e", "-c", readme_block()],
        cwd=ROOT,
        env=env,
        input=PASSWORD + "\n",  # users add reads the password from stdin when it is not a terminal
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "99 features merged into 12 by their service_re property" in run.stdout
    assert "name longer than 64 characters" in run.stdout
    return url, len(pd.read_csv(tmp / "la311.rejected.csv", dtype=str))


@pytest.fixture(scope="module")
def la_store(la_run) -> str:
    return la_run[0]


def test_the_readme_block_builds_the_store(la_run):
    la_store, rejected = la_run
    engine = create_store_engine(la_store)
    with engine.connect() as conn:
        towns = conn.execute(select(func.count()).where(schema.admin_units.c.level == "town")).scalar_one()
        grids = conn.execute(select(func.count()).select_from(schema.grids)).scalar_one()
        events = conn.execute(select(func.count()).select_from(schema.events)).scalar_one()
        admins = conn.execute(select(func.count()).where(schema.users.c.role == "admin")).scalar_one()
    engine.dispose()
    assert (towns, grids, admins) == (12, 98, 1)
    # every row of the export is either an event or in the rejects file (29 of them for reasons
    # SOURCES.md lists, the rest in the council that was refused or outside every council)
    assert events + rejected == 10_000 and 29 < rejected < 300


def test_la_days_are_la_days(la_store):
    """`--timezone America/Los_Angeles` on the first import: the store's zone, and every event's
    report_date is its LA day (the 16-hour shift of counting LA requests in Shanghai days is gone)."""
    engine = create_store_engine(la_store)
    e = schema.events.c
    with engine.connect() as conn:
        rows = conn.execute(select(e.reported_at, e.report_date)).all()
    engine.dispose()
    assert store_timezone(engine) == "America/Los_Angeles"
    la = [pd.Timestamp(at).tz_convert("America/Los_Angeles").date() for at, _ in rows]
    assert [pd.Timestamp(d).date() for _, d in rows] == la
    shanghai = [pd.Timestamp(at).tz_convert("Asia/Shanghai").date() for at, _ in rows]
    assert sum(a != b for a, b in zip(la, shanghai)) > len(rows) / 3  # most requests are filed by day in LA


def sign_in(at: AppTest) -> AppTest:
    at.run()
    at.text_input(key="login_username").input("chief")
    at.text_input(key="login_password").input(PASSWORD)
    [b for b in at.button if b.proto.form_id == "login_form"][0].click().run()
    return at


@pytest.mark.parametrize("spec", [s for s in PAGES if (ROOT / s.path).exists()], ids=lambda s: s.url_path)
def test_every_page_renders_on_the_la_store(la_store, monkeypatch, spec):
    point_app_at(monkeypatch, la_store, "2020-02-01T12:00:00+08:00")
    at = sign_in(AppTest.from_file(APP, default_timeout=120))
    assert not at.exception, [e.message for e in at.exception]
    assert not any(w.key == "login_username" for w in at.text_input), "the admin could not sign in"
    at.sidebar.date_input(key="filter_dates").set_value(JANUARY).run()
    at.switch_page(spec.path).run()
    assert not at.exception, [e.message for e in at.exception]
