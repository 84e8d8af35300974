"""The demo feed (sample_data/demo_feed.py): when it starts, what it writes, and that the store
stays consistent (derived tables current) while it does."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from data_access import rollups, schema
from data_access.filters import LOCAL_TZ, local_midnight_utc
from data_access.store import DEFAULT_DB_URL, create_store_engine
from sample_data import demo_feed


def aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def aged_sample(tmp_path_factory) -> str:
    """A tiny sample county made two and a half days ago: the file aged as a demo's would."""
    from sample_data.generate import generate

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'aged.db'}"
    end = (dt.datetime.now(dt.UTC) - dt.timedelta(days=2, hours=12)).replace(minute=0, second=0, microsecond=0)
    generate(url, profile="tiny", seed=5, end=end, progress=False)
    return url


def test_the_feed_starts_only_for_the_sample_and_obeys_the_switch(aged_sample, fixture_url):
    sample = create_store_engine(aged_sample)
    assert demo_feed.decision(aged_sample, sample, {})[0] is False  # another store than the embedded one
    assert demo_feed.decision(aged_sample, sample, {"GRID_DEMO_FEED": "on"})[0] is True
    assert demo_feed.decision(DEFAULT_DB_URL, sample, {})[0] is True  # "auto": the embedded sample
    assert demo_feed.decision(DEFAULT_DB_URL, sample, {"GRID_DEMO_FEED": "off"})[0] is False
    assert demo_feed.decision(DEFAULT_DB_URL, sample, {"GRID_NOW": "2026-03-31T18:00:00+08:00"})[0] is False
    assert demo_feed.decision(DEFAULT_DB_URL, sample, {"GRID_DEMO_FEED": "sometimes"})[0] is False
    # A store the generator did not make is never fed, whatever the switch says.
    other = create_store_engine(fixture_url)
    ok, why = demo_feed.decision(DEFAULT_DB_URL, other, {"GRID_DEMO_FEED": "on"})
    assert ok is False and "sample" in why


def test_the_rhythm_follows_the_day_and_never_stops():
    day = dt.date(2026, 12, 2)
    rates = [demo_feed.demo_rate_per_minute(local_midnight_utc(day) + dt.timedelta(hours=h)) for h in range(24)]
    assert min(rates) == demo_feed.DEMO_FLOOR_PER_MINUTE  # the small hours: one every 30 s or so
    assert max(rates) == pytest.approx(demo_feed.DEMO_PEAK_PER_MINUTE)
    assert rates.index(max(rates)) in range(8, 17)  # the working day's peak


def test_check_in_plan_is_a_day_of_rounds(aged_sample):
    engine = create_store_engine(aged_sample)
    day = dt.date(2026, 12, 2)  # a Wednesday
    crew = demo_feed.read_crew(engine, day)
    plan = demo_feed.checkin_plan(crew, day, seed=3)
    assert plan == demo_feed.checkin_plan(crew, day, seed=3)  # a pure function of the day
    workers = {w for _, w, _, _ in plan}
    full_time = set(crew.worker_id[crew.full_time].tolist())
    assert len(workers & full_time) >= 0.8 * len(full_time)
    local_hours = [at.astimezone(LOCAL_TZ).hour for at, *_ in plan]
    assert min(local_hours) >= 7 and max(local_hours) <= 20
    firsts = {}
    for at, w, *_ in plan:
        firsts.setdefault(w, at)
    assert sum(at.astimezone(LOCAL_TZ).hour in (7, 8) for w, at in firsts.items() if w in full_time) >= 0.8 * len(
        workers & full_time
    )


def test_catch_up_fills_the_gap_and_the_feed_moves_the_store(aged_sample):
    engine = create_store_engine(aged_sample)
    e, pc = schema.events, schema.patrol_checkins
    now = dt.datetime.now(dt.UTC)
    today = now.astimezone(LOCAL_TZ).date()
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(e)).scalar()
        newest_before = conn.execute(select(func.max(e.c.reported_at))).scalar()
    feed = demo_feed.DemoFeed(aged_sample, seed=4)
    feed.feeder = demo_feed.Feeder(create_store_engine(aged_sample, writable=True), 4)
    feed.grid_cells = feed._grid_cells()
    writer = create_store_engine(aged_sample, writable=True)
    feed.catch_up(writer)
    with engine.connect() as conn:
        after = conn.execute(select(func.count()).select_from(e)).scalar()
        gap = conn.execute(
            select(func.min(e.c.reported_at), func.max(e.c.reported_at)).where(e.c.reported_at > newest_before)
        ).one()
        days = dict(
            conn.execute(
                select(pc.c.checkin_date, func.count()).where(pc.c.at > newest_before).group_by(pc.c.checkin_date)
            ).all()
        )
        derived = rollups.status(conn)
    assert after > before
    # Since yesterday's local midnight, never in the future.
    assert aware(gap[0]) >= local_midnight_utc(today - dt.timedelta(days=1)) - dt.timedelta(seconds=1)
    assert aware(gap[1]) <= now
    assert days.get(today - dt.timedelta(days=1), 0) > 0  # yesterday has its rounds
    assert derived.events_behind == 0 and derived.steps_behind == 0  # caught up in the same transaction

    # Then the feed itself: a few seconds of new events and steps, the derived tables kept current.
    feed.start()
    try:
        deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=45)
        while feed.created <= after - before and dt.datetime.now(dt.UTC) < deadline:
            feed._halt.wait(1)
    finally:
        feed.stop()
        feed.join(20)
    with engine.connect() as conn:
        final = conn.execute(select(func.count()).select_from(e)).scalar()
        derived = rollups.status(conn)
    assert final > after and not feed.is_alive()
    assert derived.events_behind == 0 and derived.steps_behind == 0
