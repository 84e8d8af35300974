"""Workforce page: data access on the fixture (SQLite and PostgreSQL), on the generator's tiny
profile against an independent pandas computation, the sample county's published shape, the page
through AppTest, and the exports.

Fixture numbers, worked out by hand from tests/fixture_county.WORKERS, end date 2026-03-31:
- active: workers 1–6 (7, 孙丽, left 2026-01-15) → 6; full-time 1, 2, 3 → 3; part-time 4, 5 → 2;
  departmental 6 → 1.
- ages on 2026-03-31: 张伟 55, 王芳 41, 李强 57, 刘洋 61, 陈静 53, 赵磊 35 → 4 of 6 aged 50+.
- 东城街道 (2): workers 1, 2, 5, 6 (FT 2, PT 1, dept 1; 50+: 张伟, 陈静); 白鹤镇 (3): 3, 4 (FT 1, PT 1;
  50+: both). Grids: east G1, G2 (800+700 residents, 300+250 households); west G3, G4 (330+270,
  120+100). G4 lost its only full-time worker (孙丽) → one grid without a full-time worker.
- education: junior college 张伟 王芳 陈静, high school or below 李强 刘洋, postgraduate 赵磊.
- tenure: 张伟 6y, 李强 7y, 刘洋 8y (5–10); 王芳 4y, 陈静 4y, 赵磊 3y (3–5).
- window of 12 months (2025-04..2026-03): one leaver (孙丽, 白鹤镇, January), no hires; headcount
  7 at the start, 6 at the end; 白鹤镇 3 → 2: 1 / 2.5 = 40 % a year.
- workload, full-time, March only: 张伟 E1 E2 E7 = 3, 李强 E4 E6 = 2, 王芳 E3 = 1; median 2, nobody
  at ≥ 2.5 × 2 or ≤ 0.4 × 2. Over 12 months 孙丽 (9 whole months in post, no event) is far below.
- retirement at 60 by birth year: 刘洋 (1965) already past it in 2026, 李强 (1968) leaves end of
  2028, 张伟 (1970) end of 2030, 陈静 (1972) end of 2032.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_access import schema
from data_access import workforce as wf
from data_access.filters import FilterError, Filters
from data_access.store import create_store_engine
from tests import fixture_county as fc
from tests.conftest import (
    SAMPLE_COUNTY_END,
    fresh_pg_database,
    login,
    pg_url,
    point_app_at,
    sample_county_url,
)
from tests.fixture_county import march
from ui.export import csv_bytes, xlsx_bytes

ROOT = Path(__file__).resolve().parent.parent
EAST, WEST = fc.TOWN_EAST, fc.TOWN_WEST


# --- fixture: hand-worked numbers, SQLite and PostgreSQL ---------------------------------------


def test_staffing_fixture(engine):
    towns = wf.staffing_by_town(engine, march()).set_index("town_id")
    assert towns.loc[
        EAST,
        [
            "grids",
            "micro_grids",
            "residents",
            "households",
            "workers",
            "full_time",
            "part_time",
            "departmental",
            "aged_50_plus",
            "grids_without_full_time",
        ],
    ].tolist() == [2, 4, 1500, 550, 4, 2, 1, 1, 2, 0]
    assert towns.loc[
        WEST,
        [
            "grids",
            "micro_grids",
            "residents",
            "households",
            "workers",
            "full_time",
            "part_time",
            "departmental",
            "aged_50_plus",
            "grids_without_full_time",
        ],
    ].tolist() == [2, 4, 600, 220, 2, 1, 1, 0, 2, 1]
    assert towns.loc[WEST, "per_1000_residents"] == pytest.approx(2 / 600 * 1000)
    assert towns.loc[EAST, "per_100_households"] == pytest.approx(4 / 550 * 100)
    assert towns.loc[WEST, "full_time_gap"] == 1 and towns.loc[EAST, "full_time_gap"] == 0
    total = wf.staffing_total(engine, march()).iloc[0]
    assert (total["workers"], total["full_time"], total["aged_50_plus"]) == (6, 3, 4)
    assert total["aged_50_plus_share"] == pytest.approx(4 / 6)
    assert total["per_1000_residents"] == pytest.approx(6 / 2100 * 1000)
    assert total["workers_per_micro_grid"] == pytest.approx(6 / 8)
    for col in wf.STAFFING_COUNTS:
        assert towns[col].sum() == total[col], col


def test_target_ratio_sets_the_gap(engine):
    half = wf.staffing_by_town(engine, march(), 0.5).set_index("town_id")
    assert half["target_full_time"].tolist() == [1, 1] and half["full_time_gap"].tolist() == [-1, 0]
    two = wf.staffing_total(engine, march(), 2).iloc[0]
    assert two["target_full_time"] == 8 and two["full_time_gap"] == 5
    for bad in (-1, 21, "many"):
        with pytest.raises(FilterError):
            wf.staffing_total(engine, march(), bad)


def test_grids_without_full_time_fixture(engine):
    rows = wf.grids_without_full_time(engine, march())
    assert rows.to_dict("records") == [
        {
            "town": "白鹤镇",
            "village": "白鹤村",
            "grid": "白鹤村第2网格",
            "households": 100,
            "residents": 270,
            "other_workers": 1,
        }
    ]
    assert wf.grids_without_full_time(engine, march(), limit=5, offset=1).empty
    # On 2026-01-14 孙丽 was still in post: no gap then.
    early = replace(march(), date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 1, 14))
    assert wf.grids_without_full_time(engine, early).empty
    assert wf.staffing_total(engine, early).iloc[0]["workers"] == 7


def test_profiles_fixture(engine):
    pyramid = wf.age_pyramid(engine, march())
    assert len(pyramid) == 2 * len(wf.AGE_BANDS)
    got = {(r.band, r.gender): r.workers for r in pyramid.itertuples() if r.workers}
    assert got == {("35–39", "M"): 1, ("40–44", "F"): 1, ("50–54", "F"): 1, ("55–59", "M"): 2, ("60–64", "M"): 1}
    west = wf.age_pyramid(engine, march(), WEST)
    assert west["workers"].sum() == 2
    edu = wf.education_profile(engine, march()).set_index("education")
    assert edu["workers"].to_dict() == {"postgraduate": 1, "junior_college": 3, "high_school_or_below": 2}
    assert edu.loc["junior_college", "share"] == pytest.approx(0.5)
    assert edu.loc["junior_college", "reference_share"] == 0.67
    by_town = wf.profile_by_town(engine, march()).set_index("town_id")
    assert by_town.loc[WEST, "aged_50_plus_share"] == 1.0 and by_town.loc[EAST, "aged_50_plus_share"] == 0.5
    assert by_town.loc[WEST, "high_school_or_below_share"] == 1.0
    tenure = wf.tenure_distribution(engine, march())
    got = {(r.band, r.employment_type): r.workers for r in tenure.itertuples() if r.workers}
    assert got == {
        ("5–10", "full_time"): 2,
        ("5–10", "part_time"): 1,
        ("3–5", "full_time"): 1,
        ("3–5", "part_time"): 1,
        ("3–5", "departmental"): 1,
    }


def test_turnover_fixture(engine):
    flow = wf.hires_and_leavers_by_month(engine, march(), 12)
    assert flow["month"].tolist()[0] == dt.date(2025, 4, 1) and flow["month"].tolist()[-1] == dt.date(2026, 3, 1)
    assert flow["hires"].sum() == 0 and flow["leavers"].tolist() == [0] * 9 + [1, 0, 0]
    assert flow["headcount_end"].tolist() == [7] * 9 + [6, 6, 6]
    towns = wf.turnover_by_town(engine, march(), 12)
    assert towns["town_id"].tolist() == [WEST, EAST]  # fastest-losing first
    west = towns.iloc[0]
    assert (west["headcount_start"], west["headcount_end"], west["leavers"]) == (3, 2, 1)
    assert west["turnover_annualised"] == pytest.approx(1 / 2.5)
    # Three months (2026-01..03): the same leaver, annualised ×4.
    assert wf.turnover_by_town(engine, march(), 3).iloc[0]["turnover_annualised"] == pytest.approx(4 / 2.5)


def test_analysis_window():
    assert wf.analysis_months(march(), 1) == [(dt.date(2026, 3, 1), dt.date(2026, 3, 31))]
    mid = replace(march(), date_to=dt.date(2026, 3, 30))
    assert wf.analysis_months(mid, 2) == [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
    ]
    for bad in (0, 37, 2.5, True):
        with pytest.raises(FilterError):
            wf.analysis_months(march(), bad)


def test_workload_fixture(engine):
    one = wf.workload_by_worker(engine, march(), 1)
    assert dict(zip(one["name"], one["events"])) == {"张伟": 3, "李强": 2, "王芳": 1}
    assert one.attrs["median_per_month"] == 2.0
    assert set(one["flag"]) == {""}  # 1 > 0.4 × 2 and 3 < 2.5 × 2
    assert "worker_id" in one  # internal key; the page drops it
    spread = wf.workload_distribution(engine, march(), 1)
    assert dict(zip(spread["events"], spread["worker_months"])) == {1: 1, 2: 1, 3: 1}
    towns = wf.workload_by_town(engine, march(), 1, quota=2).set_index("town_id")
    assert towns.loc[EAST, ["workers", "worker_months", "events", "months_at_quota"]].tolist() == [2, 2, 4, 1]
    assert towns.loc[EAST, "events_per_worker_month"] == 2.0
    # Twelve months: 孙丽 was in post for 9 whole months (April–December) and reported nothing.
    year = wf.workload_by_worker(engine, march(), 12).set_index("name")
    assert year["months"].to_dict() == {"张伟": 12, "李强": 12, "王芳": 12, "孙丽": 9}
    assert year["events"].to_dict() == {"张伟": 4, "李强": 3, "王芳": 2, "孙丽": 0}
    assert year.loc["孙丽", "flag"] == "far_below" and year.loc["张伟", "flag"] == ""
    part = wf.workload_by_worker(engine, march(), 1, "part_time").set_index("name")
    assert part["events"].to_dict() == {"刘洋": 2, "陈静": 0}
    with pytest.raises(FilterError):
        wf.workload_by_worker(engine, march(), 1, "volunteer")


def test_retirement_projection_fixture(engine):
    proj = wf.retirement_projection(engine, march(), 60, 7)
    east = proj[proj["town_id"] == EAST].set_index("year")["total"].to_dict()
    west = proj[proj["town_id"] == WEST].set_index("year")["total"].to_dict()
    assert east == {2026: 4, 2027: 4, 2028: 4, 2029: 4, 2030: 3, 2031: 3, 2032: 2, 2033: 2}
    assert west == {2026: 1, 2027: 1, 2028: 0, 2029: 0, 2030: 0, 2031: 0, 2032: 0, 2033: 0}
    summary = wf.retirement_summary(engine, march(), 60, 5, 1.0).set_index("town_id")
    assert summary.attrs["year"] == 2031
    assert summary.loc[
        EAST, ["workers_now", "workers_then", "retired", "full_time_now", "full_time_then", "full_time_gap_then"]
    ].tolist() == [4, 3, 1, 2, 1, 1]
    assert summary.loc[WEST, "retired_share"] == 1.0
    for age, years in ((39, 5), (60, 0), (60, 41), (60.5, 5)):
        with pytest.raises(FilterError):
            wf.retirement_projection(engine, march(), age, years)


def test_filters_town_village_apply_category_does_not(engine):
    base = wf.staffing_total(engine, march()).iloc[0]
    cat = wf.staffing_total(engine, march(category_code="public_safety")).iloc[0]
    assert base.equals(cat)
    west = wf.staffing_total(engine, march(town_id=WEST)).iloc[0]
    assert (west["workers"], west["grids"]) == (2, 2)
    village = wf.staffing_total(engine, march(town_id=EAST, village_id=5)).iloc[0]  # 河东社区: 王芳 only
    assert (village["workers"], village["full_time"], village["grids"], village["micro_grids"]) == (1, 1, 1, 2)
    assert list(wf.staffing_by_town(engine, march(town_id=WEST))["town"]) == ["白鹤镇"]


# --- tiny profile against pandas, SQLite and PostgreSQL ----------------------------------------

TINY_END = dt.datetime(2026, 3, 31, 18, 0, tzinfo=fc.TZ)


def _build_tiny(url: str) -> str:
    from sample_data.generate import generate

    generate(url, profile="tiny", seed=11, end=TINY_END, progress=False)
    return url


@pytest.fixture(scope="module")
def tiny_sqlite(tmp_path_factory):
    return _build_tiny(f"sqlite:///{tmp_path_factory.mktemp('wf_tiny') / 'tiny.db'}")


@pytest.fixture(scope="module")
def tiny_pg():
    pg_url()
    return _build_tiny(fresh_pg_database("workforce_tiny"))


@pytest.fixture(params=["sqlite", "postgresql"])
def tiny(request):
    url = request.getfixturevalue("tiny_sqlite" if request.param == "sqlite" else "tiny_pg")
    eng = create_store_engine(url)
    yield eng
    eng.dispose()


def _raw(engine, table) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(select(table))
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def _age(birth: pd.Series, day: dt.date) -> pd.Series:
    before = (birth.map(lambda b: (b.month, b.day)) > (day.month, day.day)).astype(int)
    return day.year - birth.map(lambda b: b.year) - before


def tiny_filters(date_to=dt.date(2026, 3, 31)) -> Filters:
    return Filters(date_from=date_to - dt.timedelta(days=29), date_to=date_to, as_of=TINY_END)


def test_tiny_matches_pandas(tiny):
    f = tiny_filters()
    day = f.date_to
    w = _raw(tiny, schema.workers)
    g = _raw(tiny, schema.grids)
    active = w[(w["hired_on"] <= day) & (w["left_on"].isna() | (w["left_on"].map(lambda d: d is not None and d > day)))]
    assert len(w) > len(active) > 0  # the generator writes leavers too
    age = _age(active["birth_date"], day)
    towns = wf.staffing_by_town(tiny, f).set_index("town_id")
    expect = (
        active.assign(old=age >= 50)
        .groupby("town_id")
        .agg(
            workers=("id", "size"),
            full_time=("employment_type", lambda s: (s == "full_time").sum()),
            departmental=("employment_type", lambda s: (s == "departmental").sum()),
            aged_50_plus=("old", "sum"),
        )
    )
    for col in expect.columns:
        assert towns[col].to_dict() == expect[col].to_dict(), col
    ft_grids = set(active.loc[active["employment_type"] == "full_time", "grid_id"].dropna())
    missing = g[~g["id"].isin(ft_grids)].groupby("town_id").size()
    assert towns["grids_without_full_time"].to_dict() == missing.reindex(towns.index, fill_value=0).to_dict()
    res = g.groupby("town_id")["residents"].sum()
    assert towns["per_1000_residents"].to_dict() == pytest.approx((expect["workers"] / res * 1000).to_dict())
    total = wf.staffing_total(tiny, f).iloc[0]
    for col in wf.STAFFING_COUNTS:
        assert towns[col].sum() == total[col], col

    # age pyramid and education
    pyramid = wf.age_pyramid(tiny, f)
    band = pd.cut(
        age, bins=[-1, 19, 24, 29, 34, 39, 44, 49, 54, 59, 64, 69, 74, 200], labels=[b for b, _ in wf.AGE_BANDS]
    )
    expect_pyr = active.assign(band=band.astype(str)).groupby(["band", "gender"]).size()
    got_pyr = pyramid[pyramid["workers"] > 0].set_index(["band", "gender"])["workers"]
    assert got_pyr.sort_index().to_dict() == expect_pyr.sort_index().to_dict()
    edu = wf.education_profile(tiny, f).set_index("education")["workers"]
    assert edu.to_dict() == active.groupby("education").size().reindex(edu.index, fill_value=0).to_dict()


def test_tiny_workload_and_turnover_match_pandas(tiny):
    f = tiny_filters()
    months = 3
    window = wf.analysis_months(f, months)
    w = _raw(tiny, schema.workers)
    with tiny.connect() as conn:  # only the tiny profile's ~1,500 events: fine for a test
        ev = pd.DataFrame(
            conn.execute(select(schema.events.c.reported_by, schema.events.c.report_date)).all(),
            columns=["reported_by", "report_date"],
        )
    ft = w[w["employment_type"] == "full_time"]
    slots = []
    for i, (first, last) in enumerate(window):
        still_there = ft["left_on"].map(lambda d, last=last: d is None or pd.isna(d) or d > last)
        stay = ft[(ft["hired_on"] <= first) & still_there]
        n = ev[(ev["report_date"] >= first) & (ev["report_date"] <= last)].groupby("reported_by").size()
        slots += [(wid, i, int(n.get(wid, 0))) for wid in stay["id"]]
    slots = pd.DataFrame(slots, columns=["worker_id", "idx", "events"])
    spread = wf.workload_distribution(tiny, f, months)
    assert dict(zip(spread["events"], spread["worker_months"])) == slots.groupby("events").size().to_dict()
    per = wf.workload_by_worker(tiny, f, months).set_index("worker_id")
    expect = slots.groupby("worker_id")["events"].agg(["size", "sum"])
    assert per["months"].to_dict() == expect["size"].to_dict() and per["events"].to_dict() == expect["sum"].to_dict()
    avg = expect["sum"] / expect["size"]
    median = avg.median()
    assert per.attrs["median_per_month"] == pytest.approx(median)
    assert set(per.index[per["flag"] == "far_above"]) == set(avg.index[avg >= wf.FAR_ABOVE_FACTOR * median])
    assert set(per.index[per["flag"] == "far_below"]) == set(avg.index[avg <= wf.FAR_BELOW_FACTOR * median])

    start, end = window[0][0], window[-1][1]
    left = w["left_on"].map(lambda d: d if d is not None and not pd.isna(d) else None)
    leavers = w[left.map(lambda d: d is not None and start <= d <= end)].groupby("town_id").size()
    towns = wf.turnover_by_town(tiny, f, months).set_index("town_id")
    assert towns["leavers"].to_dict() == leavers.reindex(towns.index, fill_value=0).to_dict()
    assert towns["leavers"].sum() > 0

    proj = wf.retirement_projection(tiny, f, 55, 10)
    active = w[(w["hired_on"] <= f.date_to) & left.map(lambda d: d is None or d > f.date_to)]
    born = active["birth_date"].map(lambda b: b.year)
    for year in (2026, 2030, 2036):
        expect_year = active[born + 55 > year].groupby("town_id").size()
        got = proj[proj["year"] == year].set_index("town_id")["total"]
        assert got.to_dict() == expect_year.reindex(got.index, fill_value=0).to_dict(), year


# --- the sample county: T county's published shape ---------------------------------------------

COUNTY_END = SAMPLE_COUNTY_END


@pytest.fixture(scope="module")
def county_url():
    return sample_county_url(7)


def county_filters() -> Filters:
    as_of = dt.datetime.fromisoformat(COUNTY_END)
    return Filters(date_from=dt.date(2026, 10, 24), date_to=dt.date(2026, 11, 22), as_of=as_of)


def test_sample_county_shape(county_url):
    eng = create_store_engine(county_url)
    f = county_filters()
    total = wf.staffing_total(eng, f).iloc[0]
    assert total["workers"] == 3361 and total["full_time"] == 836
    assert round(total["aged_50_plus_share"], 2) == 0.71
    towns = wf.staffing_by_town(eng, f)
    assert len(towns) == 17
    for col in wf.STAFFING_COUNTS:
        assert towns[col].sum() == total[col], col
    edu = wf.education_profile(eng, f).set_index("education")
    for level, share in wf.REFERENCE["education_share"].items():
        assert round(edu.loc[level, "share"], 2) == share
    profile = wf.profile_by_town(eng, f)
    assert profile["workers"].sum() == 3361 and profile["aged_50_plus"].sum() == total["aged_50_plus"]
    for level in wf.EDUCATION_LEVELS:
        assert profile[level].sum() == edu.loc[level, "workers"]
    pyramid = wf.age_pyramid(eng, f)
    assert pyramid["workers"].sum() == 3361
    flow = wf.hires_and_leavers_by_month(eng, f, 12)
    assert flow["leavers"].sum() == wf.turnover_by_town(eng, f, 12)["leavers"].sum() > 0
    assert flow["headcount_end"].iloc[-1] == wf.turnover_by_town(eng, f, 12)["headcount_end"].sum()
    load = wf.workload_by_town(eng, f, 12)
    spread = wf.workload_distribution(eng, f, 12)
    assert load["worker_months"].sum() == spread["worker_months"].sum()
    assert load["events"].sum() == (spread["events"] * spread["worker_months"]).sum()
    eng.dispose()


def test_sample_county_page(county_url, monkeypatch):

    point_app_at(monkeypatch, county_url, COUNTY_END)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    login(at, "leader")
    at.switch_page("pages/workforce.py").run()
    assert not at.exception
    got = {m.label: m.value for m in at.metric}
    assert got["在岗网格员"] == "3,361" and got["专职网格员"] == "836" and got["50岁及以上占比"] == "71.0%"
    staffing = table(at, "专职缺口").value.set_index("镇街")
    body = staffing.drop(index="合计")
    for col in ("网格数", "在岗网格员", "专职", "兼职", "部门下沉", "无专职网格"):
        assert body[col].sum() == staffing.loc["合计", col], col
    assert staffing.loc["合计", "在岗网格员"] == 3361


def table(at: AppTest, *columns: str):
    """The first table on the page showing all these columns (st.dataframe without selection has no key)."""
    for frame in at.dataframe:
        if set(columns) <= set(frame.value.columns):
            return frame
    raise AssertionError(f"no table with columns {columns}")


# --- the page through AppTest on the fixture ---------------------------------------------------


def run_page(dates=(fc.DATE_FROM, fc.DATE_TO)) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    login(at, "leader")
    at.switch_page("pages/workforce.py").run()
    at.sidebar.date_input(key="filter_dates").set_value(dates).run()
    return at


def test_page_shows_the_fixture_numbers(app_env):
    at = run_page()
    assert not at.exception
    got = {m.label: m.value for m in at.metric}
    assert got["在岗网格员"] == "6" and got["专职网格员"] == "3" and got["50岁及以上占比"] == "66.7%"
    assert got["每千居民网格员数"] == "2.86" and got["每百户网格员数"] == "0.78"
    assert got["无专职网格数"] == "1"
    helps = {m.label: m.proto.help for m in at.metric}
    assert "离职日晚于该日" in helps["在岗网格员"] and "3,361" in helps["在岗网格员"]
    staffing = table(at, "专职缺口").value.set_index("镇街")
    assert staffing.loc["白鹤镇", ["在岗网格员", "专职", "无专职网格", "专职缺口"]].tolist() == [2, 1, 1, 1]
    assert staffing.loc["合计", "在岗网格员"] == 6
    assert table(at, "其他在岗人员").value["网格"].tolist() == ["白鹤村第2网格"]
    turnover = table(at, "年化流失率").value
    assert turnover["镇街"].tolist() == ["白鹤镇", "东城街道"] and turnover["年化流失率"].iloc[0] == pytest.approx(0.4)
    projection = table(at, "现有人数").value.set_index("镇街")
    assert projection.loc["东城街道", ["现有人数", "届时在岗"]].tolist() == [4, 2]  # 2036: 张伟, 陈静 retired
    # The category filter does not apply here, and the page says so.
    assert any("事件大类筛选不适用" in c.value for c in at.caption)
    # The hires-and-leavers months: March is still running at the fixture's clock (31 March 18:00).
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    months = next(
        tr["x"]
        for c in charts
        for tr in c["data"]
        if tr.get("type") == "bar" and isinstance(tr.get("x"), list) and str(tr["x"][-1]).startswith("2026-03")
    )
    assert months[-1] == "2026-03(截至 31 日)" and months[-2] == "2026-02"


def test_page_widgets_change_the_numbers(app_env):
    at = run_page()
    at.number_input(key="workforce_target").set_value(2.0).run()
    assert not at.exception
    staffing = table(at, "专职缺口").value.set_index("镇街")
    assert staffing.loc["合计", "专职缺口"] == 5
    at.slider(key="workforce_months").set_value(1).run()
    assert not at.exception
    load = table(at, "人·月", "达定额人·月占比").value.set_index("镇街")
    assert load.loc["东城街道", ["人·月", "上报事件"]].tolist() == [2, 4]
    assert {m.label: m.value for m in at.metric}["人均月上报事件"] == "2.00"
    at.selectbox(key="workforce_workload_type").set_value("part_time").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["人均月上报事件"] == "1.00"  # 刘洋 2, 陈静 0
    at.slider(key="workforce_months").set_value(12).run()
    at.selectbox(key="workforce_workload_type").set_value("full_time").run()
    far = table(at, "判定").value
    assert far["网格员"].tolist() == ["孙丽"] and far["判定"].tolist() == ["远低于"]
    at.number_input(key="workforce_retire_age").set_value(55).run()
    at.slider(key="workforce_years").set_value(1).run()
    assert not at.exception
    projection = table(at, "现有人数").value.set_index("镇街")
    # 55 by 2027: 张伟 (1970), 刘洋, 李强, 陈静 (1972) are past it; 王芳 and 赵磊 stay.
    assert projection["届时在岗"].to_dict() == {"东城街道": 2, "白鹤镇": 0}
    at.selectbox(key="workforce_profile_town").set_value(WEST).run()
    assert not at.exception
    assert any("100.0%" in c.value and "71.0%" in c.value for c in at.caption)


def test_page_follows_the_end_date(app_env):
    # On 2026-01-14 孙丽 was still in post: 7 workers, 4 full-time, every grid covered.
    at = run_page((dt.date(2026, 1, 1), dt.date(2026, 1, 14)))
    assert not at.exception
    got = {m.label: m.value for m in at.metric}
    assert (got["在岗网格员"], got["专职网格员"], got["无专职网格数"]) == ("7", "4", "0")
    assert any("2025-01-01" in c.value and "2025-12-31" in c.value for c in at.caption)  # whole months only


def test_page_category_filter_is_ignored_and_said(app_env):
    at = run_page()
    at.sidebar.selectbox(key="filter_category").set_value("public_safety").run()
    assert not at.exception
    assert "事件大类筛选不适用" in at.info[0].value
    assert {m.label: m.value for m in at.metric}["在岗网格员"] == "6"
    at.sidebar.selectbox(key="filter_town").set_value(WEST).run()
    assert {m.label: m.value for m in at.metric}["在岗网格员"] == "2"


def test_page_in_english(app_env):
    at = run_page()
    at.sidebar.toggle(key="lang_en").set_value(True).run()
    assert not at.exception
    assert at.title[0].value == "Workforce"
    got = {m.label: m.value for m in at.metric}
    assert got["Active workers"] == "6" and got["Aged 50 or over"] == "66.7%"


def test_every_table_has_exports_and_no_ids_or_phones(app_env):
    at = run_page()
    keys = {b.key for b in at.get("download_button")}
    tables = [d for d in at.dataframe]
    assert len(tables) >= 7
    for base in (
        "workforce_staffing_export",
        "workforce_no_ft_export",
        "workforce_pyramid_export",
        "workforce_education_export",
        "workforce_profile_export",
        "workforce_flow_export",
        "workforce_turnover_export",
        "workforce_tenure_export",
        "workforce_spread_export",
        "workforce_town_workload_export",
        "workforce_far_export",
        "workforce_projection_export",
        "workforce_projection_years_export",
    ):
        assert {f"{base}_csv", f"{base}_xlsx"} <= keys, base
    phones = {w[-1] for w in fc.WORKERS}
    for shown in tables:
        df = shown.value
        assert not any("id" == str(c).lower() or str(c).endswith("_id") for c in df.columns)
        text = [str(v) for v in df.to_numpy().ravel()]
        assert not phones & set(text) and not any(v.startswith("W00") for v in text)
    # Aggregate tables carry no person's name.
    names = {w[1] for w in fc.WORKERS}
    for column in ("专职缺口", "50岁及以上占比", "年化流失率", "现有人数", "人·月"):
        assert not names & {str(v) for v in table(at, column).value.to_numpy().ravel()}, column


def test_export_bytes_round_trip(fixture_sqlite_url):
    eng = create_store_engine(fixture_sqlite_url)
    df = wf.staffing_by_town(eng, march()).drop(columns=["town_id"])
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"staffing": df})))
    rows = list(book["staffing"].values)
    assert rows[0][:3] == ("town", "grids", "residents") and rows[2][0] == "白鹤镇" and rows[2][1] == 2
    back = pd.read_csv(io.BytesIO(csv_bytes(df)), encoding="utf-8-sig")
    assert back["workers"].tolist() == [4, 2] and back["per_1000_residents"].iloc[1] == pytest.approx(2 / 600 * 1000)
    eng.dispose()


def test_bad_widget_state_gives_a_message(app_env, monkeypatch):
    # A data-access refusal (e.g. a horizon out of range from a stale session) is a message, not a traceback.
    at = run_page()
    real = wf.retirement_projection

    def refuse(engine, f, retire_age=60, years=10):
        return real(engine, f, retire_age, 99)

    monkeypatch.setattr(wf, "retirement_projection", refuse)
    import streamlit as st

    st.cache_data.clear()
    at.run()
    assert not at.exception
    assert any("1 to 40" in e.value for e in at.error)
