""" "SQL behind this number": the recorder (data_access/trace.py), the admin-only expander at the
foot of every page (ui/sqltrace.py), and the metric sources (data_access.metrics.SOURCES)."""

from __future__ import annotations

import importlib
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_access import metrics, overview, rollups, trace
from data_access.filters import Filters
from data_access.store import create_store_engine
from tests import fixture_county as fc
from tests.conftest import login
from ui.pages import available_pages

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def _march(at: AppTest) -> AppTest:
    at.sidebar.date_input(key="filter_dates").set_value((fc.DATE_FROM, fc.DATE_TO)).run()
    return at


def _listed(at: AppTest) -> list[str]:
    """The code blocks of the SQL expander, in order."""
    [box] = [e for e in at.expander if "SQL" in e.label]
    return [c.value for c in box.code]


# --- the recorder --------------------------------------------------------------------------


def test_recording_keeps_the_statements_their_parameters_and_the_issuing_function(fixture_url):
    eng = trace.install(create_store_engine(fixture_url))
    try:
        f = Filters(date_from=fc.DATE_FROM, date_to=fc.DATE_TO, as_of=fc.AS_OF)
        with trace.recording() as found:
            kpis = overview.kpi_summary(eng, f)
        assert len(kpis) == len(overview.OVERVIEW_KPIS)
        issuers = {s.issued_by for s in found.statements}
        # The default path of "open events": the backlog_days rollup, issued by the function
        # that writes that SELECT (not by the helper that executes it).
        assert "data_access.overview._backlog_from_days" in issuers
        backlog = [s for s in found.statements if s.issued_by == "data_access.overview._backlog_from_days"]
        assert any("backlog_days" in s.sql for s in backlog)
        assert all(not i.startswith("data_access.queries") for i in issuers)
        # Bound parameters are kept beside the statement, never pasted into it.
        assert any(str(fc.DATE_FROM.year) in s.parameters for s in found.statements)
        # Outside the block nothing is recorded.
        kept = len(found.statements)
        overview.kpi_summary(eng, f)
        assert len(found.statements) == kept
        with trace.recording() as again:
            pass
        assert again.statements == []
    finally:
        eng.dispose()


def test_recording_is_bounded_and_private_to_its_thread(fixture_sqlite_url):
    eng = trace.install(create_store_engine(fixture_sqlite_url))
    other: list = []

    def elsewhere():
        with eng.connect() as conn:
            for _ in range(3):
                conn.exec_driver_sql("SELECT 1")
        other.append(True)

    try:
        with trace.recording() as found, eng.connect() as conn:
            thread = threading.Thread(target=elsewhere)
            thread.start()
            thread.join()
            for _ in range(trace.MAX_STATEMENTS + 5):
                conn.exec_driver_sql("SELECT 2")
        assert other == [True]
        assert len(found.statements) == trace.MAX_STATEMENTS and found.dropped == 5
        assert {s.sql for s in found.statements} == {"SELECT 2"}  # not the other thread's SELECT 1
    finally:
        eng.dispose()


# --- every metric names where it is computed ---------------------------------------------------


def test_every_metric_names_a_real_function_and_real_rollups():
    rollup_names = {module.__name__.rsplit(".", 1)[1] for module in rollups.MODULES}
    for key, metric in metrics.METRICS.items():
        assert metric.computed_by, f"{key}: add it to data_access.metrics.SOURCES"
        module, name = metric.computed_by.rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), name)), metric.computed_by
        assert set(metric.rollups) <= rollup_names, (key, metric.rollups)
    assert set(metrics.SOURCES) <= set(metrics.METRICS), "SOURCES names a metric that is not defined"


def test_open_events_direct_and_rollup_paths_share_one_definition(fixture_url):
    """The village path (direct count) and the county path (backlog_days) agree on the fixture,
    both built from metrics.in_backlog_at / backlog_counted."""
    eng = create_store_engine(fixture_url)
    try:
        f = Filters(date_from=fc.DATE_FROM, date_to=fc.DATE_TO, as_of=fc.AS_OF)
        via_rollup = overview.backlog_numbers(eng, f).iloc[0]
        from sqlalchemy import select

        from data_access.schema import events

        with eng.connect() as conn:
            direct = conn.execute(
                select(metrics.open_events_expr(f), metrics.overdue_events_expr(f)).select_from(events)
            ).one()
        assert (int(via_rollup["open_events"]), int(via_rollup["overdue_events"])) == tuple(direct)
    finally:
        eng.dispose()


# --- the expander on the page ------------------------------------------------------------------


def test_the_sql_expander_is_for_admins_only(app_env):
    for role in ("leader", "town", "duty"):
        at = _march(login(AppTest.from_file(APP, default_timeout=60), role))
        assert not at.exception
        assert not [t for t in at.toggle if t.key == "sql_trace_on"], role
        assert not [e for e in at.expander if "SQL" in e.label], role


def test_the_expander_lists_the_statements_of_the_page_numbers(app_env):
    at = _march(login(AppTest.from_file(APP, default_timeout=60), "admin"))
    switch = at.toggle(key="sql_trace_on")
    assert switch.value is False  # off by default: nothing recorded, no expander
    assert not [e for e in at.expander if "SQL" in e.label]

    switch.set_value(True).run()
    assert not at.exception
    blocks = _listed(at)
    calls = [m.value for m in at.markdown if "data_access." in m.value]
    assert any("data_access.overview.kpi_summary" in c for c in calls)
    assert any("data_access.overview.daily_trend" in c for c in calls)
    # The number "open events" of the page: the statements that read backlog_days, with the
    # function that issued them and their parameters.
    backlog = [b for b in blocks if "data_access.overview._backlog_from_days" in b]
    assert backlog and any("backlog_days" in b for b in backlog)
    assert all("-- " in b.splitlines()[-1] for b in blocks)  # each ends with its parameters

    # The same statements the function runs when called directly on the store.
    eng = trace.install(create_store_engine(app_env))
    try:
        f = Filters(date_from=fc.DATE_FROM, date_to=fc.DATE_TO, as_of=fc.AS_OF)
        with trace.recording() as found:
            overview.kpi_summary(eng, f)
    finally:
        eng.dispose()
    shown = "\n".join(blocks)
    for statement in found.statements:
        assert statement.sql in shown

    # A rerun serves the numbers from the cache: the list stays, marked as cached.
    at.run()
    assert not at.exception
    assert _listed(at) == blocks
    assert any("缓存" in m.value for m in at.markdown if "data_access.overview.kpi_summary" in m.value)

    switch = at.toggle(key="sql_trace_on")
    switch.set_value(False).run()
    assert not [e for e in at.expander if "SQL" in e.label]


# Pages that end early on the fixture county (st.stop: no department assignments in it; no file
# uploaded yet) draw no foot, so no switch: Streamlit draws nothing after st.stop().
_STOPS_ON_THE_FIXTURE = {"department_response", "data_import"}


@pytest.mark.parametrize(
    "spec",
    [s for s in available_pages() if "admin" in s.roles and s.url_path not in _STOPS_ON_THE_FIXTURE],
    ids=lambda s: s.url_path,
)
def test_every_page_lists_its_sql(app_env, spec):
    at = _march(login(AppTest.from_file(APP, default_timeout=60), "admin"))
    at.toggle(key="sql_trace_on").set_value(True).run()
    at.switch_page(spec.path).run()
    assert not at.exception
    assert _listed(at), f"{spec.path}: no statement listed"
