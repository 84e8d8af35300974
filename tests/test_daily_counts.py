"""The daily_counts rollup and the backlog searches return what the direct computation over every
event returned before them: on the sample county (past periods, a period ending now, mid-day
moments, filters, every level), and on a tiny store after the feeder has moved old events on."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import or_, select

from data_access import live, overview
from data_access import metrics as m
from data_access.filters import Filters, local_date
from data_access.queries import frame, unit_conditions
from data_access.schema import events, grids, patrol_checkins
from data_access.store import create_store_engine
from tests.conftest import SAMPLE_COUNTY_END, sample_county_url, tiny_moved_by_feeder

END = dt.datetime.fromisoformat(SAMPLE_COUNTY_END)
SUMS = list(overview.PERIOD_SUMS)


def direct_period(engine, f: Filters, group: str | None, extra=()) -> pd.DataFrame:
    """The period sums as the overview computed them before the rollup: over every event."""
    on_num, on_den = m.on_time_parts(f)
    rw_num, rw_den = m.rework_parts(f)
    sat_sum, sat_n = m.satisfaction_parts(f)
    gcols = [events.c[group]] if group else []
    q = select(
        *gcols,
        m.events_reported_expr(f).label("events_reported"),
        m.filing_only_expr(f).label("filing_only_events"),
        on_num.label("on_time_closed"),
        on_den.label("due_or_closed"),
        rw_num.label("rejected"),
        rw_den.label("verified"),
        sat_sum.label("satisfaction_sum"),
        sat_n.label("satisfaction_n"),
    ).where(unit_conditions(f), events.c.report_date.between(f.date_from, f.date_to), *extra)
    df = frame(engine, q.group_by(*gcols) if group else q)
    for col in SUMS:
        df[col] = pd.to_numeric(df[col]).fillna(0).astype("int64")
    return df


def direct_backlog(engine, f: Filters, group: str | None) -> pd.DataFrame:
    gcols = [events.c[group]] if group else []
    q = select(
        *gcols, m.open_events_expr(f).label("open_events"), m.overdue_events_expr(f).label("overdue_events")
    ).where(
        unit_conditions(f),
        events.c.reported_at <= f.period_end,
        or_(events.c.closed_at.is_(None), events.c.closed_at > f.period_end),
    )
    df = frame(engine, q.group_by(*gcols) if group else q)
    for col in ("open_events", "overdue_events"):
        df[col] = pd.to_numeric(df[col]).fillna(0).astype("int64")
    return df


def same(a: pd.DataFrame, b: pd.DataFrame, key: str | None) -> None:
    if key:
        a = a[a[SUMS if "events_reported" in a else ["open_events", "overdue_events"]].sum(axis=1) > 0]
        b = b[b[list(a.columns[1:])].sum(axis=1) > 0]
        a, b = (x.sort_values(key).reset_index(drop=True) for x in (a, b))
        a[key] = a[key].astype("int64")
        b[key] = b[key].astype("int64")
    pd.testing.assert_frame_equal(
        a.reset_index(drop=True), b[list(a.columns)].reset_index(drop=True), check_dtype=False
    )


@pytest.fixture(scope="module")
def county():
    eng = create_store_engine(sample_county_url(7))
    yield eng
    eng.dispose()


def periods():
    today = END.date()
    return [
        # the default view: 30 days ending today, as_of now (mid-day)
        Filters(today - dt.timedelta(days=29), today, END),
        # its previous period: ends at a local midnight
        Filters(today - dt.timedelta(days=29), today, END).previous_period(),
        # a past month, seen now
        Filters(dt.date(2026, 8, 1), dt.date(2026, 8, 31), END),
        # a past week seen from a moment inside it (as_of before the range's end)
        Filters(dt.date(2026, 9, 1), dt.date(2026, 9, 7), dt.datetime(2026, 9, 5, 3, 17, tzinfo=dt.UTC)),
        # one day, with a town and a category
        Filters(dt.date(2026, 10, 10), dt.date(2026, 10, 10), END, town_id=2, category_code="city_mgmt"),
    ]


@pytest.mark.parametrize("i", range(5))
@pytest.mark.parametrize("group", [None, "town_id", "village_id", "micro_grid_id"])
def test_period_sums_equal_the_direct_computation(county, i, group):
    f = periods()[i]
    got = overview.rollup_period_numbers(county, f, group, lambda table, f=f: [unit_conditions(f, table)])
    same(got, direct_period(county, f, group), group)


@pytest.mark.parametrize("i", range(5))
@pytest.mark.parametrize("group", [None, "town_id", "grid_id"])
def test_backlog_equals_the_direct_computation(county, i, group):
    f = periods()[i]
    got = overview.backlog_numbers(county, f, events.c[group] if group else None, group or "")
    same(got, direct_backlog(county, f, group), group)


def test_live_numbers_in_a_scope(county):
    f = periods()[0]
    town = int(frame(county, select(events.c.town_id).limit(1)).iloc[0, 0])
    got = live.unit_numbers(county, f, END, "village", "town", town).set_index("unit_id")
    want = direct_period(county, f, "village_id", (events.c.town_id == town,)).set_index("village_id")
    for col in ("events_reported", "on_time_closed", "due_or_closed"):
        assert got[col].sum() == want[col].sum()
        assert (got.loc[want.index, col] == want[col]).all()


def test_feeder_moves_old_days(tmp_path):
    """Events that close (or get rejected) after their report day change that day's sums: the
    incremental refresh of the feeder keeps the rollup answer equal to the direct one."""
    writer = tiny_moved_by_feeder(
        f"sqlite:///{tmp_path / 'tiny.db'}", seed=3, feeder_seed=2, new=10, rounds=5, per_round=30
    )
    end = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    now = dt.datetime.now(dt.UTC)
    for f in (
        Filters(end.date() - dt.timedelta(days=29), now.date(), now),
        Filters(end.date() - dt.timedelta(days=60), end.date() - dt.timedelta(days=31), now),
    ):
        for group in (None, "village_id"):
            got = overview.rollup_period_numbers(writer, f, group, lambda table, f=f: [unit_conditions(f, table)])
            same(got, direct_period(writer, f, group), group)
        for group in (None, "town_id"):  # town_daily_counts, kept up to date the same way
            same(overview.period_numbers(writer, f, group), direct_period(writer, f, group), group)
    writer.dispose()


@pytest.fixture(scope="module")
def raw(county):
    with county.connect() as conn:
        ev = pd.read_sql(
            select(
                events.c.id,
                events.c.town_id,
                events.c.reported_at,
                events.c.closed_at,
                events.c.deadline,
                events.c.filing_only,
            ),
            conn,
        )
        pc = pd.read_sql(select(patrol_checkins.c.grid_id, patrol_checkins.c.at, patrol_checkins.c.checkin_date), conn)
        gr = pd.read_sql(select(grids.c.id, grids.c.code, grids.c.town_id), conn)
    for col in ("reported_at", "closed_at", "deadline"):
        ev[col] = pd.to_datetime(ev[col], utc=True)
    pc["at"] = pd.to_datetime(pc["at"], utc=True)
    return ev, pc, gr


@pytest.mark.parametrize("back_days", [0, 40])
@pytest.mark.parametrize("town", [None, 2])
def test_live_lists_equal_a_pandas_computation(county, raw, back_days, town):
    ev, pc, gr = raw
    now = END - dt.timedelta(days=back_days, hours=3)
    ts = pd.Timestamp(now)
    f = Filters(local_date(now) - dt.timedelta(days=29), local_date(now), now)
    scope = ("town", town) if town else ("county", None)
    if town:
        ev, gr = ev[ev["town_id"] == town], gr[gr["town_id"] == town]
    seen = ev[ev["reported_at"] <= ts]
    newest = seen.sort_values(["reported_at", "id"], ascending=False).head(12)
    assert live.newest_events(county, f, now, *scope)["event_id"].tolist() == newest["id"].tolist()
    open_ = seen[~seen["filing_only"] & (seen["closed_at"].isna() | (seen["closed_at"] > ts))]
    pts = live.open_event_points(county, f, now, *scope, limit=500)
    assert (
        pts["event_id"].tolist() == open_.sort_values(["reported_at", "id"], ascending=False)["id"].head(500).tolist()
    )
    late = open_[open_["deadline"] < ts].sort_values(["deadline", "id"])
    alerts = live.overdue_alerts(county, f, now, *scope)
    assert alerts["event_id"].tolist() == late["id"].head(20).tolist()
    assert alerts.empty or alerts["total"].iloc[0] == len(late)
    today = local_date(now)
    upto = pc[pc["at"] <= ts]
    checked = set(upto.loc[upto["checkin_date"] == today, "grid_id"].dropna())
    last = upto.groupby("grid_id")["at"].max()
    silent = gr[~gr["id"].isin(checked)].assign(last=lambda d: d["id"].map(last))
    silent = silent.assign(never=silent["last"].isna()).sort_values(
        ["never", "last", "code"], ascending=[False, True, True]
    )
    got = live.grids_without_checkin(county, f, now, *scope)
    assert got["grid_id"].tolist() == silent["id"].head(100).tolist()
    assert got.empty or got["total"].iloc[0] == len(silent)
    assert pd.to_datetime(got["last_checkin_at"], utc=True).tolist() == silent["last"].head(100).tolist()


def test_unit_numbers_with_a_given_period_are_the_same(county):
    f = periods()[0]
    for level in ("county", "town", "micro_grid"):
        whole = live.unit_numbers(county, f, END, level)
        split = live.unit_numbers(county, f, END, level, period=live.unit_period(county, f, level))
        pd.testing.assert_frame_equal(whole, split)


@pytest.mark.parametrize("i", range(5))
@pytest.mark.parametrize("group", [None, "town_id"])
def test_overview_reads_the_town_rollup_equal_to_direct(county, i, group):
    """period_numbers (county and towns: town_daily_counts) equals the direct computation."""
    f = periods()[i]
    same(overview.period_numbers(county, f, group), direct_period(county, f, group), group)
