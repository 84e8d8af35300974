"""The backlog (open and overdue events at a moment) from the `backlog_days` rollup equals the
direct count over every event, at moments on and off local midnight, county-wide and per town,
after the feeder moved events — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from data_access import overview
from data_access.filters import Filters, local_date
from data_access.schema import events
from tests.conftest import fresh_pg_database, tiny_moved_by_feeder
from tests.test_daily_counts import direct_backlog, same

END = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def moved(request, tmp_path_factory):
    """The tiny county after the feeder added events and moved old ones (through catch-ups)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('backlog') / 'tiny.db'}"
    else:
        url = fresh_pg_database("backlog_days")
    # Seed 3: its tiny county keeps overdue open events at the moments below (the tiny counties of
    # seeds 5, 7 and 11 close nearly all of theirs since the generator plants gaming families).
    writer = tiny_moved_by_feeder(url, seed=3, feeder_seed=4, new=8, rounds=4, per_round=40)
    yield writer
    writer.dispose()


def moments(engine) -> list[dt.datetime]:
    """Now, the previous period's end, a local midnight, and a moment on a busy day."""
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(events.c.reported_at))).scalar_one()
    newest = newest if newest.tzinfo else newest.replace(tzinfo=dt.UTC)
    midnight = dt.datetime.combine(local_date(END) - dt.timedelta(days=20), dt.time(0), END.tzinfo).astimezone(dt.UTC)
    return [
        newest + dt.timedelta(minutes=1),
        END - dt.timedelta(days=30),
        midnight,
        END - dt.timedelta(days=9, hours=5, minutes=17),
    ]


def busiest_town(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(events.c.town_id).group_by(events.c.town_id).order_by(func.count().desc()).limit(1)
        ).scalar_one()


@pytest.mark.parametrize("i", range(4))
@pytest.mark.parametrize("town", [None, "busiest"])
@pytest.mark.parametrize("group", [None, "town_id"])
def test_backlog_from_days_equals_direct(moved, i, town, group):
    t = moments(moved)[i]
    day = local_date(t)
    town = busiest_town(moved) if town == "busiest" else town
    f = Filters(day - dt.timedelta(days=29), day, t, town_id=town)
    got = overview.backlog_numbers(moved, f, events.c[group] if group else None, group or "")
    want = direct_backlog(moved, f, group)
    assert want["open_events"].sum() > 0, "a moment with no backlog tests nothing"
    same(got, want, group)


def test_the_moments_include_overdue_events(moved):
    overdue = [
        direct_backlog(moved, Filters(local_date(t), local_date(t), t), None)["overdue_events"].sum()
        for t in moments(moved)
    ]
    assert sum(x > 0 for x in overdue) >= 2, overdue


def test_category_filter(moved):
    t = moments(moved)[3]
    with moved.connect() as conn:
        category = conn.execute(
            select(events.c.category_code).group_by(events.c.category_code).order_by(func.count().desc()).limit(1)
        ).scalar_one()
    f = Filters(local_date(t) - dt.timedelta(days=6), local_date(t), t, category_code=category)
    same(overview.backlog_numbers(moved, f), direct_backlog(moved, f, None), None)


def direct_trend(engine, f: Filters) -> dict:
    """Reported and closed per day as the overview counted them before the rollup: over events."""
    e = events.c
    conds = [e.report_date.between(f.date_from, f.date_to)]
    closed_conds = [e.close_date.between(f.date_from, f.date_to), e.closed_at <= f.period_end, e.filing_only.is_(False)]
    for cond in ([e.town_id == f.town_id] if f.town_id else []) + (
        [e.category_code == f.category_code] if f.category_code else []
    ):
        conds.append(cond)
        closed_conds.append(cond)
    with engine.connect() as conn:
        reported = dict(conn.execute(select(e.report_date, func.count()).where(*conds).group_by(e.report_date)).all())
        closed = dict(
            conn.execute(select(e.close_date, func.count()).where(*closed_conds).group_by(e.close_date)).all()
        )
    return {"reported": reported, "closed": closed}


@pytest.mark.parametrize("i", range(4))
@pytest.mark.parametrize("town", [None, "busiest"])
def test_daily_trend_from_days_equals_direct(moved, i, town):
    t = moments(moved)[i]
    day = local_date(t)
    town = busiest_town(moved) if town == "busiest" else town
    # the range runs past the moment's day, so days after period_end are in it too
    f = Filters(day - dt.timedelta(days=29), day + dt.timedelta(days=3), t, town_id=town)
    got = overview.daily_trend(moved, f)
    want = direct_trend(moved, f)
    assert got["reported"].sum() > 0 and got["closed"].sum() > 0
    for col in ("reported", "closed"):
        assert {d: n for d, n in zip(got["day"], got[col]) if n} == {d: n for d, n in want[col].items() if n}, col
