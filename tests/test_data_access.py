"""Data-access tests on the fixture county, once on SQLite and once on PostgreSQL.

Expected numbers come from the ledger in tests/fixture_county.py, worked out by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from data_access import live, overview, units
from data_access.filters import FilterError, Filters
from data_access.schema import events
from data_access.store import store_status
from tests import fixture_county as fc
from tests.fixture_county import march


def kpis(engine, f) -> dict:
    df = overview.kpi_summary(engine, f)
    return {row.metric: (row.value, row.previous, row.numerator, row.denominator) for row in df.itertuples()}


def test_county_kpis_match_ledger(engine):
    got = kpis(engine, march())
    for key, expected in fc.EXPECTED["county"].items():
        if key == "workers_active":
            assert got["workers_checked_in_today"][3] == expected
            continue
        assert got[key][0] == pytest.approx(expected), key
    for key, expected in fc.EXPECTED["county_previous"].items():
        assert got[key][1] == pytest.approx(expected), f"previous {key}"
    assert got["on_time_closure_rate"][2:] == (3, 6)  # numerator, denominator shown to the user
    assert got["rework_rate"][2:] == (1, 4)


@pytest.mark.parametrize("town_id", [fc.TOWN_EAST, fc.TOWN_WEST])
def test_town_filter_kpis(engine, town_id):
    got = kpis(engine, march(town_id=town_id))
    for key, expected in fc.EXPECTED[town_id].items():
        assert got[key][0] == pytest.approx(expected), key


def test_category_and_village_filters(engine):
    safety = kpis(engine, march(category_code="public_safety"))
    assert safety["events_reported"][0] == 3  # E3, E5, E7
    assert safety["overdue_events"][0] == 1  # E7
    v2 = kpis(engine, march(town_id=fc.TOWN_EAST, village_id=5))
    assert v2["events_reported"][0] == 1  # E3
    assert v2["open_events"][0] == 1  # E9, backlog from February
    assert v2["workers_checked_in_today"][0] == 1 and v2["workers_checked_in_today"][3] == 1  # 王芳


def test_daily_trend_covers_every_day(engine):
    trend = overview.daily_trend(engine, march())
    assert len(trend) == 30 and trend["day"].iloc[0] == fc.DATE_FROM and trend["day"].iloc[-1] == fc.DATE_TO
    assert trend["reported"].sum() == 8
    assert trend["closed"].sum() == fc.EXPECTED["closed_in_march"]
    assert trend.set_index("day").loc[dt.date(2026, 3, 3), "closed"] == 1  # E11, reported in February


def test_overdue_by_town(engine):
    df = overview.overdue_by_town(engine, march()).set_index("town_id")
    assert df.loc[fc.TOWN_EAST, "overdue_events"] == 2 and df.loc[fc.TOWN_WEST, "overdue_events"] == 1
    assert df["boundary_wkt"].str.startswith("POLYGON").all()
    only_west = overview.overdue_by_town(engine, march(town_id=fc.TOWN_WEST))
    assert list(only_west["town_id"]) == [fc.TOWN_WEST]


def test_backlog_is_measured_at_period_end(engine):
    # On 2026-03-01 18:00, E9 and E11 were open and overdue; E11 was closed on 03-03.
    f = Filters(dt.date(2026, 2, 1), dt.date(2026, 3, 1), fc.AS_OF)
    got = kpis(engine, f)
    assert got["open_events"][0] == 2 and got["overdue_events"][0] == 2


def test_times_come_back_zone_aware(engine):
    with engine.connect() as conn:
        reported = conn.execute(select(events.c.reported_at).where(events.c.id == 1)).scalar_one()
    assert reported.tzinfo is not None
    assert reported == dt.datetime(2026, 3, 5, 9, 0, tzinfo=fc.TZ)


def test_reference_lists(engine):
    assert list(units.towns(engine)["name"]) == ["东城街道", "白鹤镇"]
    assert list(units.villages(engine, fc.TOWN_EAST)["id"]) == [4, 5]
    assert list(units.categories(engine)["code"]) == ["city_management", "public_safety"]
    assert units.latest_report_date(engine) == dt.date(2026, 3, 31)
    micro = live.unit_shapes(engine, "micro_grid", scope_level="grid", scope_id=1)
    assert list(micro["code"]) == ["T01V01G01M1", "T01V01G01M2"]


@pytest.mark.parametrize(
    "bad",
    [
        dict(town_id=999),
        dict(town_id=fc.TOWN_WEST, village_id=4),  # village 4 belongs to the other town
        dict(category_code="x' OR '1'='1"),
        dict(category_code="unknown"),
    ],
)
def test_filters_naming_nothing_are_refused(engine, bad):
    with pytest.raises(FilterError):
        units.validate_filters(engine, march(**bad))


def test_injection_attempt_is_just_a_value(engine):
    # Bound parameters: a quote in a value cannot change the query.
    got = kpis(engine, march(category_code="x' OR '1'='1"))
    assert got["events_reported"][0] == 0


def test_read_only_engine_refuses_writes(engine):
    with pytest.raises(SQLAlchemyError):
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM events"))
    assert store_status(engine) == (True, "ok")


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(date_from=dt.date(2026, 3, 31), date_to=dt.date(2026, 3, 1)),
        dict(date_from=dt.date(2020, 1, 1), date_to=dt.date(2026, 3, 1)),
        dict(town_id=-3),
        dict(town_id="2"),
        dict(village_id=4),
        dict(category_code="é" * 40),
    ],
)
def test_filter_validation(kwargs):
    base = dict(date_from=fc.DATE_FROM, date_to=fc.DATE_TO, as_of=fc.AS_OF)
    with pytest.raises(FilterError):
        Filters(**{**base, **kwargs})


def test_previous_period_is_same_length_just_before():
    f = march()
    p = f.previous_period()
    assert (p.date_from, p.date_to) == (dt.date(2026, 1, 31), dt.date(2026, 3, 1))
    assert p.days == f.days == 30
    assert p.as_of == fc.AS_OF - dt.timedelta(days=30)
    partial = replace(f, as_of=dt.datetime(2026, 3, 15, 12, tzinfo=fc.TZ))
    assert partial.period_end == partial.as_of
