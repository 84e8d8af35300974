"""The `assignments` rollup answers the department response page exactly as the steps do.

The reference is the page's former computation straight from `event_steps` (kept below): every
data_access.departments function must return the same frame with it and with the rollup, on the
sample county (SQLite) and the tiny county in PostgreSQL, for the default period and for past
periods — where steps after the period end exist and must not count (a rollup built from all
steps is exact as it stands only for assignments whose last step came by then).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import and_, case, false, func, or_, select

from data_access import departments as dep
from data_access.filters import Filters, local_midnight_utc
from data_access.queries import unit_conditions
from data_access.rollups.assignments import assignments
from data_access.schema import event_steps, events
from data_access.sqlfuncs import seconds_between
from data_access.store import create_store_engine
from tests.conftest import SAMPLE_COUNTY_END, sample_county_url

END = dt.datetime.fromisoformat(SAMPLE_COUNTY_END)


# --- the former computation, from event_steps ---------------------------------------------------


def direct_assignments(f: Filters, **_ignored):
    d = event_steps.alias("d")
    first = (
        select(d.c.event_id, d.c.to_unit_id.label("department_id"), func.min(d.c.at).label("dispatched_at"))
        .select_from(d.join(events, events.c.id == d.c.event_id))
        .where(
            d.c.action == "dispatch",
            d.c.to_level == "department",
            d.c.at <= f.period_end,
            unit_conditions(f),
            events.c.filing_only == false(),
        )
        .group_by(d.c.event_id, d.c.to_unit_id)
        .subquery("first_dispatch")
    )
    s = event_steps.alias("s")
    its_step = or_(
        and_(s.c.from_level == "department", s.c.from_unit_id == first.c.department_id),
        and_(s.c.action == "reject", s.c.to_level == "department", s.c.to_unit_id == first.c.department_id),
    )
    per = (
        select(
            first.c.event_id,
            first.c.department_id,
            first.c.dispatched_at,
            func.min(case((s.c.action == "accept", s.c.at))).label("accepted_at"),
            func.max(case((s.c.action == "complete", s.c.at))).label("completed_at"),
            func.min(case((s.c.action == "return", s.c.at))).label("returned_at"),
            func.coalesce(func.sum(case((s.c.action == "reject", 1), else_=0)), 0).label("rejections"),
        )
        .select_from(
            first.outerjoin(
                s,
                and_(
                    s.c.event_id == first.c.event_id,
                    its_step,
                    s.c.at >= first.c.dispatched_at,
                    s.c.at <= f.period_end,
                ),
            )
        )
        .group_by(first.c.event_id, first.c.department_id, first.c.dispatched_at)
        .subquery("per_assignment")
    )
    not_returned = per.c.returned_at.is_(None)
    return select(
        per.c.event_id,
        per.c.department_id,
        per.c.dispatched_at,
        per.c.accepted_at,
        case((not_returned, per.c.completed_at)).label("completed_at"),
        per.c.returned_at,
        per.c.rejections,
        seconds_between(per.c.dispatched_at, per.c.accepted_at).label("accept_s"),
        case((not_returned, seconds_between(per.c.dispatched_at, per.c.completed_at))).label("complete_s"),
        events.c.deadline,
        events.c.closed_at,
        events.c.satisfaction,
        events.c.category_code,
        events.c.town_id,
        events.c.village_id,
    ).select_from(per.join(events, events.c.id == per.c.event_id))


def direct_backlog(f: Filters):
    a = direct_assignments(f).subquery("a0")
    open_now = and_(
        a.c.returned_at.is_(None),
        a.c.completed_at.is_(None),
        or_(a.c.closed_at.is_(None), a.c.closed_at > f.period_end),
    )
    return select(*a.c).where(open_now).subquery("a")


# --- comparison -----------------------------------------------------------------------------------


def answers(engine, f: Filters, focus: int) -> dict[str, pd.DataFrame]:
    out = {
        "table": dep.department_table(engine, f),
        "county": dep.county_reference(engine, f),
        "backlog": dep.backlog_by_department(engine, f),
    }
    for by in dep.DIMENSIONS:
        out[f"by_{by}"] = dep.response_by(engine, f, by)
        out[f"by_{by}_focus"] = dep.response_by(engine, f, by, focus)
    for measure in ("accept", "complete"):
        out[f"box_{measure}"] = dep.box_stats(engine, f, measure)
    out["oldest"] = dep.oldest_open(engine, f, focus, 50)
    # The page's one-statement calls must agree with the single ones (and so with the steps).
    page = dep.department_page(engine, f)
    for name in ("table", "county"):
        out[f"page_{name}"] = page[name]
    for by in ("month", "category", "town"):
        out[f"page_{by}"] = page[by]
    for by, frame in dep.response_sets(engine, f, ("month", "category", "town"), focus).items():
        out[f"sets_{by}_focus"] = frame
    return out


def assert_same_answers(engine, f: Filters, monkeypatch) -> None:
    busiest = dep.response_by(engine, f, "department").sort_values("received")["bucket"].iloc[-1]
    got = answers(engine, f, int(busiest))
    with monkeypatch.context() as m:
        m.setattr(dep, "_assignments", direct_assignments)
        m.setattr(dep, "_backlog", direct_backlog)
        want = answers(engine, f, int(busiest))
    assert got["table"]["received"].sum() > 0
    for name, same in (
        ("page_table", "table"),
        ("page_county", "county"),
        ("page_month", "by_month"),
        ("page_category", "by_category"),
        ("page_town", "by_town"),
        *[(f"sets_{by}_focus", f"by_{by}_focus") for by in ("month", "category", "town")],
    ):
        pd.testing.assert_frame_equal(got[name], got[same], obj=name)
    for name in want:
        a = got[name].sort_values(list(got[name].columns[:1])).reset_index(drop=True)
        b = want[name].sort_values(list(want[name].columns[:1])).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-9, obj=name)


def straddling(engine, f: Filters) -> int:
    """Assignments whose completions straddle the period end (first by it, last after it)."""
    a = assignments.c
    q = select(func.count()).where(
        a.dispatched_at <= f.period_end, a.completed_first_at <= f.period_end, a.completed_at > f.period_end
    )
    with engine.connect() as conn:
        return int(conn.execute(q).scalar_one())


def after_end(engine, f: Filters) -> int:
    """Assignments dispatched by the period end with steps after it (the rollup must look back)."""
    a = assignments.c
    later = or_(
        a.accepted_at > f.period_end,
        a.completed_at > f.period_end,
        a.returned_at > f.period_end,
        a.rejected_at > f.period_end,
        a.closed_at > f.period_end,
    )
    q = select(func.count()).where(a.dispatched_at <= f.period_end, later)
    with engine.connect() as conn:
        return int(conn.execute(q).scalar_one())


@pytest.fixture(scope="module")
def county():
    eng = create_store_engine(sample_county_url(7))
    yield eng
    eng.dispose()


def period(days: int, end: dt.datetime, **kw) -> Filters:
    return Filters(date_from=end.date() - dt.timedelta(days=days - 1), date_to=end.date(), as_of=end, **kw)


def test_default_period_equals_the_steps(county, monkeypatch):
    assert_same_answers(county, period(30, END), monkeypatch)


def test_past_periods_equal_the_steps(county, monkeypatch):
    # Ends at midnight and in mid-afternoon: later steps (accepts, completions, redos, closings) exist.
    for end in (local_midnight_utc(dt.date(2026, 9, 1)), END - dt.timedelta(days=45, hours=5, minutes=17)):
        f = period(30, end)
        assert after_end(county, f) > 20
        assert_same_answers(county, f, monkeypatch)


def test_a_redo_after_the_period_end_is_looked_up(county, monkeypatch):
    """Where a department completed, was rejected and completed again after the period end, the
    completion by the period end is the first: found in event_steps for those few rows."""
    ends = [END - dt.timedelta(days=d, hours=h) for d in range(3, 120, 7) for h in (0, 9)]
    hits = [e for e in ends if straddling(county, period(30, e)) > 0]
    assert hits, "the sample county has no completion redone across a period end"
    for e in hits[:2]:
        assert_same_answers(county, period(30, e), monkeypatch)


def test_filters_equal_the_steps(county, monkeypatch):
    with county.connect() as conn:
        town, cat = conn.execute(
            select(assignments.c.town_id, assignments.c.category_code)
            .where(assignments.c.town_id.is_not(None))
            .limit(1)
        ).one()
    assert_same_answers(county, period(60, END - dt.timedelta(days=20), town_id=int(town)), monkeypatch)
    assert_same_answers(county, period(90, END, category_code=cat), monkeypatch)


@pytest.fixture(scope="module")
def tiny_pg():
    from tests.conftest import tiny_pg_database

    url = tiny_pg_database("assignments_tiny", 11)
    eng = create_store_engine(url)
    yield eng
    eng.dispose()


def test_postgresql_equals_the_steps(tiny_pg, monkeypatch):
    assert_same_answers(tiny_pg, period(92, END), monkeypatch)
    past = END - dt.timedelta(days=20, hours=7)
    assert after_end(tiny_pg, period(60, past)) > 0
    assert_same_answers(tiny_pg, period(60, past), monkeypatch)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 10, 11, 101])
def test_grid_quantile_is_pandas_quantile(county, n):
    """SQLite's `grid_quantile` aggregate gives pandas' linear-interpolation quantiles, NULLs left out."""
    from sqlalchemy import Float, literal, union_all

    from data_access.sqlfuncs import quantile_columns, register_sqlite_quantile

    values = [((i * 7919) % 1009) / 7.0 for i in range(n)]
    rows = union_all(
        *[select(literal(v, Float).label("v")) for v in values], select(literal(None, Float).label("v"))
    ).subquery("t")
    qs = {"q1": 0.25, "median": 0.5, "q3": 0.75, "p90": 0.9, "lo": 0.0, "hi": 1.0}
    with county.connect() as conn:
        register_sqlite_quantile(conn)
        got = conn.execute(select(*quantile_columns("sqlite", {rows.c.v: qs}))).one()
        empty = conn.execute(
            select(*quantile_columns("sqlite", {rows.c.v: {"m": 0.5}})).where(rows.c.v.is_(None))
        ).scalar_one()
    want = pd.Series(values).quantile(list(qs.values())).tolist()
    assert list(got) == pytest.approx(want, rel=1e-12)
    assert empty is None


def test_sqlite_quantile_aggregate_equals_the_steps(county, monkeypatch):
    """The opt-in `grid_quantile` path (departments.SQLITE_QUANTILE_AGGREGATE) gives the same answers."""
    monkeypatch.setattr(dep, "SQLITE_QUANTILE_AGGREGATE", True)
    assert_same_answers(county, period(30, END), monkeypatch)
    assert_same_answers(county, period(30, local_midnight_utc(dt.date(2026, 9, 1))), monkeypatch)
