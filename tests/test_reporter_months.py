"""The `reporter_months` rollup answers rankings, integrity and workload exactly as the live
queries over events and steps did: on the sample county now, for a past month, and as of a past
moment (when rows with later activity must be counted live)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import update

from data_access import integrity, rankings
from data_access import workforce as wf
from data_access.filters import Filters
from data_access.rollups import reporter_months as rmr
from data_access.schema import assessment_rules
from data_access.store import create_store_engine
from tests.conftest import SAMPLE_COUNTY_END, sample_county_url

END = dt.datetime.fromisoformat(SAMPLE_COUNTY_END).astimezone(dt.UTC)
# Now; mid-month with work still open; an hour after a busy morning (completions not yet due).
MOMENTS = [
    END,
    dt.datetime(2026, 10, 15, 3, 0, tzinfo=dt.UTC),
    dt.datetime(2026, 11, 3, 2, 30, tzinfo=dt.UTC),
]


@pytest.fixture(scope="module")
def engine():
    eng = create_store_engine(sample_county_url(7))
    yield eng
    eng.dispose()


def live(monkeypatch, fn, *args):
    """`fn` computed from events and steps, as before the rollup."""
    with monkeypatch.context() as m:
        m.setattr(rmr, "params", lambda engine: None)
        return fn(*args)


def same(a: pd.DataFrame, b: pd.DataFrame, keys: list[str] | None = None) -> None:
    if keys:
        a = a.sort_values(keys).reset_index(drop=True)
        b = b.sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def filters(as_of: dt.datetime) -> Filters:
    day = rankings.month_start(as_of.date())
    return Filters(date_from=day, date_to=as_of.date(), as_of=as_of)


def test_the_rollup_is_built(engine):
    assert rmr.params(engine) is not None


@pytest.mark.parametrize("as_of", MOMENTS, ids=["now", "mid_october", "november_morning"])
def test_report_parts_and_scores_equal_the_live_count(engine, monkeypatch, as_of):
    f = filters(as_of)
    for month in (
        rankings.month_start(as_of.date()),
        rankings.shift_month(rankings.month_start(as_of.date()), -1),
        dt.date(2026, 6, 1),
    ):
        months = tuple(rankings.month_list(month, rankings.TREND_MONTHS))
        got = rankings.report_parts(engine, f, months, 24.0)
        want = live(monkeypatch, rankings.report_parts, engine, f, months, 24.0)
        same(got, want, ["reported_by", "village_id", "town_id", "m"])
        assert got["reported"].sum() > 0
    month = rankings.shift_month(rankings.month_start(as_of.date()), -1)
    for level in rankings.LEVELS:
        same(
            rankings.monthly_scores(engine, f, month, "reformed", level),
            live(monkeypatch, rankings.monthly_scores, engine, f, month, "reformed", level),
        )
    same(
        rankings.consequences(engine, f, month, "as_practised"),
        live(monkeypatch, rankings.consequences, engine, f, month, "as_practised"),
    )
    same(rankings.available_months(engine, f), live(monkeypatch, rankings.available_months, engine, f))


def test_a_row_with_later_activity_is_counted_live(engine, monkeypatch):
    """As of a past moment, rows whose events moved on later are recounted from events (a few
    (reporter, month)s), the others come from the rollup; together they equal the live count."""
    as_of = END - dt.timedelta(hours=3)
    months = tuple(rankings.month_list(dt.date(2026, 11, 1), 2))
    calls = []
    real = rankings._live_parts
    monkeypatch.setattr(
        rankings, "_live_parts", lambda *a, **k: calls.append(a[4] if len(a) > 4 else None) or real(*a, **k)
    )
    got = rankings.report_parts(engine, filters(as_of), months, 24.0)
    assert calls and calls[0], "some (reporter, month)s had to be counted live"
    assert len(calls[0]) < len(got)
    want = live(monkeypatch, real, engine, filters(as_of), list(months), 24.0)
    same(got, want, ["reported_by", "village_id", "town_id", "m"])


@pytest.mark.parametrize("as_of", MOMENTS[:2], ids=["now", "mid_october"])
def test_integrity_features_equal_the_live_count(engine, monkeypatch, as_of):
    f = filters(as_of)
    for month in (rankings.month_start(as_of.date()), dt.date(2026, 10, 1)):  # check-ins begin in September
        for fn, key in (
            (integrity.padding_features, "worker_id"),
            (integrity.near_duplicate_features, "worker_id"),
            (integrity.empty_patrol_features, "worker_id"),
            (integrity.selective_features, "village_id"),
        ):
            got = fn(engine, f, month)
            same(got, live(monkeypatch, fn, engine, f, month), [key])
            assert len(got)
        same(integrity.worker_signals(engine, f, month), live(monkeypatch, integrity.worker_signals, engine, f, month))
        same(
            integrity.village_signals(engine, f, month), live(monkeypatch, integrity.village_signals, engine, f, month)
        )


@pytest.mark.parametrize("date_to", [dt.date(2026, 10, 31), dt.date(2026, 6, 15)])
def test_workload_equals_the_live_count(engine, monkeypatch, date_to):
    f = Filters(date_from=date_to - dt.timedelta(days=29), date_to=date_to, as_of=END)
    for etype in ("full_time", "part_time"):
        for fn in (wf.workload_distribution, wf.workload_by_town, wf.workload_by_worker):
            same(fn(engine, f, 6, etype), live(monkeypatch, fn, engine, f, 6, etype))


def test_other_rules_than_the_rollups_compute_live(tmp_path):
    """Rules edited after the rollup was built: the rollup says it cannot answer; the next refresh
    rebuilds it with the new values."""
    import shutil

    from data_access import rollups

    db = tmp_path / "county.db"
    shutil.copy(sample_county_url(7).removeprefix("sqlite:///"), db)
    eng = create_store_engine(f"sqlite:///{db}", writable=True)
    assert rmr.params(eng) is not None
    with eng.begin() as conn:
        conn.execute(
            update(assessment_rules)
            .where(assessment_rules.c.ruleset == "integrity", assessment_rules.c.key == "padding_quick_close_minutes")
            .values(value=45)
        )
    assert rmr.params(eng) is None
    with eng.begin() as conn:
        rollups.rebuild(conn)
    assert rmr.params(eng)["padding_quick_close_minutes"] == 45
    eng.dispose()
