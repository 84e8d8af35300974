"""The event_paths rollup gives the event flow page the same numbers as reading the steps directly.

The reference is tests/flows_direct.py (the queries before the rollup). Compared on the sample
county (seed 7, SQLite) for the default period, for past periods (events reported then were
still moving after period_end: the rollup alone would be wrong for them) and for a period that
ends in the middle of a day, with and without the town / category filters.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from data_access import flows
from data_access.filters import Filters
from data_access.rollups.event_paths import event_paths
from data_access.store import create_store_engine
from tests import flows_direct as direct
from tests.conftest import SAMPLE_COUNTY_END, sample_county_url

END = dt.datetime.fromisoformat(SAMPLE_COUNTY_END).astimezone(dt.UTC)
LOCAL = dt.timezone(dt.timedelta(hours=8))

PERIODS = {
    "default": Filters(dt.date(2026, 10, 24), dt.date(2026, 11, 22), END),
    "past": Filters(dt.date(2026, 9, 1), dt.date(2026, 9, 30), END),
    "mid_day": Filters(
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 15),
        dt.datetime(2026, 10, 15, 14, 30, tzinfo=LOCAL).astimezone(dt.UTC),
    ),
    "past_town_category": None,  # filled in below: needs a town id and a category from the store
    "past_category": None,  # county-wide with a category: path_days corrected for the moving events
}


@pytest.fixture(scope="module")
def engine():
    e = create_store_engine(sample_county_url(7))
    yield e
    e.dispose()


def periods(engine) -> dict[str, Filters]:
    with engine.connect() as conn:
        town, category = conn.execute(
            select(event_paths.c.town_id, event_paths.c.category_code)
            .group_by(event_paths.c.town_id, event_paths.c.category_code)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
    out = dict(PERIODS)
    out["past_town_category"] = Filters(
        dt.date(2026, 8, 1), dt.date(2026, 8, 31), END, town_id=int(town), category_code=category
    )
    out["past_category"] = Filters(dt.date(2026, 9, 16), dt.date(2026, 10, 10), END, category_code=category)
    return out


def same(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> None:
    a = a.sort_values(keys).reset_index(drop=True)
    b = b.sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=False, rtol=1e-9)


@pytest.mark.parametrize("name", list(PERIODS))
def test_flows_equal_the_direct_computation(engine, name):
    f = periods(engine)[name]
    moving = flows._moving_after(engine, f)
    assert moving == (name != "default"), "the past periods must exercise the recomputed events"
    links = flows.flow_links(engine, f)
    assert len(links), "an empty period proves nothing"
    same(links, direct.flow_links(engine, f), ["source", "target", "outcome"])
    same(
        flows.path_counts(engine, f),
        direct.path_counts(engine, f),
        ["source", "v_grid", "v_village", "v_town", "v_county", "dispatch", "outcome"],
    )
    same(flows.flow_comparison(engine, f), direct.flow_comparison(engine, f), ["source", "target"])
    same(flows.round_trips(engine, f), direct.round_trips(engine, f), ["round_trips"])
    same(
        flows.returns_by_route(engine, f),
        direct.returns_by_route(engine, f),
        ["action", "from_level", "to_level", "category_code"],
    )
    for by in ("all", "route", "category"):
        same(flows.stage_timing(engine, f, by, 24.0), direct.stage_timing(engine, f, by, 24.0), ["stage", "group"])
    for _, row in links.drop_duplicates(["source", "target"]).head(6).iterrows():
        s, t = row["source"], row["target"]
        assert flows.link_event_count(engine, f, s, t) == direct.link_event_count(engine, f, s, t)
        pd.testing.assert_frame_equal(
            flows.link_events(engine, f, s, t, 20, 5), direct.link_events(engine, f, s, t, 20, 5), check_dtype=False
        )


@pytest.mark.parametrize("name", list(PERIODS))
def test_escalation_profile_equals_the_direct_computation(engine, name):
    f = periods(engine)[name]
    got, want = flows.escalation_profile(engine, f), direct.escalation_profile(engine, f)
    assert int(want["decided"].sum()) > 0
    same(got, want, ["level", "unit_id"])


def test_the_past_period_has_events_the_rollup_alone_would_get_wrong(engine):
    """Guard for the test above: September's events include some still moving on 1 October."""
    f = PERIODS["past"]
    p = event_paths.c
    with engine.connect() as conn:
        n = conn.execute(
            select(func.count()).where(p.report_date.between(f.date_from, f.date_to), p.last_at > f.period_end)
        ).scalar_one()
    assert n > 0


def test_postgresql_equals_the_direct_computation(fixture_url):
    """The same on the hand-built fixture in SQLite and PostgreSQL (percentile_cont there)."""
    from tests import fixture_county as fc

    e = create_store_engine(fixture_url)
    try:
        f = Filters(fc.DATE_FROM, fc.DATE_TO, fc.AS_OF.astimezone(dt.UTC))
        for g in (f, f.previous_period()):
            same(flows.flow_links(e, g), direct.flow_links(e, g), ["source", "target", "outcome"])
            same(flows.round_trips(e, g), direct.round_trips(e, g), ["round_trips"])
            same(
                flows.returns_by_route(e, g),
                direct.returns_by_route(e, g),
                ["action", "from_level", "to_level", "category_code"],
            )
            for by in ("all", "route", "category"):
                same(flows.stage_timing(e, g, by, 24.0), direct.stage_timing(e, g, by, 24.0), ["stage", "group"])
            same(flows.escalation_profile(e, g), direct.escalation_profile(e, g), ["level", "unit_id"])
    finally:
        e.dispose()
