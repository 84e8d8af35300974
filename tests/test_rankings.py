"""Monthly rankings: scores checked against an independent pandas computation from the raw tables
of the generator's tiny county, one worker by hand from the rule values, both rulesets, the
consequences, SQLite = PostgreSQL, and the page through dashboard.py (AppTest)."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine, text
from streamlit.testing.v1 import AppTest

from data_access import integrity, integrity_review, rankings
from data_access.filters import Filters
from data_access.rules import default_rule_rows
from tests.conftest import login, point_app_at, tiny_pg_database, tiny_sqlite_copy

ROOT = Path(__file__).resolve().parent.parent
END_ISO = "2026-11-22T10:00:00+08:00"
AS_OF = dt.datetime.fromisoformat(END_ISO).astimezone(dt.UTC)
MONTH = dt.date(2026, 10, 1)
SEED = 7


@pytest.fixture(scope="module")
def tiny_sqlite(tmp_path_factory) -> str:
    return tiny_sqlite_copy(tmp_path_factory.mktemp("rankings") / "tiny.db", SEED)


@pytest.fixture(scope="module")
def tiny_pg() -> str:
    return tiny_pg_database("rankings", SEED)


def filters() -> Filters:
    return Filters(date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 22), as_of=AS_OF)


def file_rules(ruleset: str) -> dict[str, float]:
    rows = default_rule_rows()
    out = {r["key"]: r["value"] for r in rows if r["ruleset"] == "common"}
    out.update({r["key"]: r["value"] for r in rows if r["ruleset"] == ruleset})
    return out


def store_quota(url: str, ruleset: str) -> dict[str, float]:
    """The quota keys as the store holds them: a sample store's as-practised quota is set from its
    own county's volume at generation time (docs/INTEGRITY.md, "A coherent quota")."""
    engine = create_engine(url)
    rows = pd.read_sql(
        text("SELECT key, value FROM assessment_rules WHERE ruleset = :ruleset"), engine, params={"ruleset": ruleset}
    )
    engine.dispose()
    rules = dict(rows.values)
    return {k: rules[k] for k in ("quota_events_per_worker", "street_quota_bonus") if k in rules}


def raw(url: str):
    engine = create_engine(url)
    with engine.connect() as conn:
        ev = pd.read_sql("SELECT * FROM events", conn)
        steps = pd.read_sql("SELECT event_id, action, at FROM event_steps", conn)
        people = pd.read_sql("SELECT * FROM workers", conn)
        grids = pd.read_sql("SELECT id, residents FROM grids", conn)
        units = pd.read_sql("SELECT id, kind FROM admin_units", conn)
    engine.dispose()
    for col in ("reported_at", "closed_at", "completed_at"):
        ev[col] = pd.to_datetime(ev[col], utc=True, format="ISO8601")
    steps["at"] = pd.to_datetime(steps["at"], utc=True, format="ISO8601")
    ev["report_date"] = pd.to_datetime(ev["report_date"]).dt.date
    return ev, steps, people, grids, units


def independent_counts(url: str, month: dt.date) -> pd.DataFrame:
    """Per full-time worker, the month's counts, straight from the raw tables with pandas."""
    ev, steps, people, grids, units = raw(url)
    as_of = pd.Timestamp(AS_OF)
    last = rankings.month_end(month)
    mine = ev[
        ev["reported_by"].notna()
        & (ev["report_date"] >= month)
        & (ev["report_date"] <= last)
        & (ev["reported_at"] <= as_of)
    ].copy()
    verify = steps[(steps["action"] == "verify") & (steps["at"] <= as_of)].groupby("event_id")["at"].max()
    mine["verified_at"] = mine["id"].map(verify)
    limit = pd.Timedelta(hours=file_rules("as_practised")["verify_within_hours"])
    closed = mine["closed_at"].notna() & (mine["closed_at"] <= as_of)
    completed = mine["completed_at"].notna() & (mine["completed_at"] <= as_of)
    graded = closed & mine["quality_grade"].notna()
    rated = closed & mine["satisfaction"].notna()
    mine = mine.assign(
        filing=mine["filing_only"].astype(bool).astype(int),
        closed=(closed & ~mine["filing_only"].astype(bool)).astype(int),
        graded=graded.astype(int),
        qualified=(graded & mine["quality_grade"].isin(["qualified", "excellent"])).astype(int),
        excellent=(graded & (mine["quality_grade"] == "excellent")).astype(int),
        verify_due=(completed & (mine["verified_at"].notna() | (as_of - mine["completed_at"] > limit))).astype(int),
        verified_on_time=(
            completed & mine["verified_at"].notna() & (mine["verified_at"] - mine["completed_at"] <= limit)
        ).astype(int),
        team=mine["handled_level"].isin(["village", "town", "county", "department"]).astype(int),
        transfers=mine["handled_level"].isin(["county", "department"]).astype(int),
        sat_sum=np.where(rated, mine["satisfaction"].fillna(0), 0),
        sat_n=rated.astype(int),
        reported=1,
    )
    cols = [
        "reported",
        "filing",
        "closed",
        "graded",
        "qualified",
        "excellent",
        "verify_due",
        "verified_on_time",
        "team",
        "transfers",
        "sat_sum",
        "sat_n",
    ]
    counts = mine.groupby("reported_by")[cols].sum()
    ft = people[(people["role"] == "full_time_worker")].copy()
    hired = pd.to_datetime(ft["hired_on"]).dt.date
    left = pd.to_datetime(ft["left_on"]).dt.date
    ft = ft[(hired <= last) & (left.isna() | (left > month))]
    ft = ft.merge(grids.rename(columns={"id": "grid_id", "residents": "population"}), on="grid_id", how="left")
    ft["town_kind"] = ft["town_id"].map(dict(zip(units["id"], units["kind"])))
    out = ft.set_index("id")[["town_kind", "population"]].join(counts).fillna(0)
    return out


def by_hand(row: pd.Series, rules: dict[str, float], residents_neutral: float, mean_residents: float) -> dict:
    """One worker's score, written out the way the page's formula states it."""
    quota = rules["quota_events_per_worker"] + (rules["street_quota_bonus"] if row["town_kind"] == "street" else 0)
    if rules["per_capita_normalisation"]:
        quota = quota * row["population"] / mean_residents
    quantity = 100 * min(1.0, row["reported"] / quota)
    if rules["filing_only_in_closure_rate"]:
        closure = (row["closed"] + row["filing"]) / row["reported"] if row["reported"] else None
    else:
        den = row["reported"] - row["filing"]
        closure = row["closed"] / den if den else None
    rates = [
        closure,
        row["qualified"] / row["graded"] if row["graded"] else None,
        row["excellent"] / row["graded"] if row["graded"] else None,
        row["verified_on_time"] / row["verify_due"] if row["verify_due"] else None,
    ]
    rates = [r for r in rates if r is not None]
    quality = 100 * sum(rates) / len(rates) if rates else 0.0
    team = row["team"] / row["reported"] if row["reported"] else 0.0
    transfer = row["transfers"] / row["reported"] if row["reported"] else 0.0
    process = 50 * min(1.0, team / rules["team_handling_min_share"]) + 50 * min(
        1.0, transfer / rules["process_transfer_target_share"]
    )
    residents = 100 * (row["sat_sum"] / row["sat_n"] - 1) / 4 if row["sat_n"] else residents_neutral
    total = (
        rules["weight_quantity"] * quantity
        + rules["weight_quality"] * quality
        + rules["weight_process"] * process
        + rules["weight_residents"] * residents
    )
    return {"quantity": quantity, "quality": quality, "process": process, "residents": residents, "total": total}


def test_months_offered_are_those_with_events(tiny_sqlite):
    months = rankings.available_months(create_engine(tiny_sqlite), filters())
    assert list(months["month"]) == [
        dt.date(2026, 11, 1),
        dt.date(2026, 10, 1),
        dt.date(2026, 9, 1),
        dt.date(2026, 8, 1),
    ]
    assert (months["events"] > 0).all()


@pytest.mark.parametrize("ruleset", rankings.RULESETS)
def test_worker_scores_match_an_independent_computation(tiny_sqlite, ruleset):
    engine = create_engine(tiny_sqlite)
    got = rankings.monthly_scores(engine, filters(), MONTH, ruleset, "worker").set_index("subject_id")
    mine = independent_counts(tiny_sqlite, MONTH)
    assert sorted(got.index) == sorted(mine.index)
    for col in (
        "reported",
        "filing",
        "closed",
        "graded",
        "qualified",
        "excellent",
        "verify_due",
        "verified_on_time",
        "team",
        "transfers",
        "sat_n",
    ):
        assert got[col].to_dict() == mine[col].astype(int).to_dict(), col
    rules = {**file_rules(ruleset), **store_quota(tiny_sqlite, ruleset)}
    staffed = mine.reset_index().merge(independent_staff(tiny_sqlite), on="id")
    mean_residents = staffed.drop_duplicates("grid_id")["population"].mean()
    rated = mine[mine["sat_n"] > 0]
    neutral = float((100 * (rated["sat_sum"] / rated["sat_n"] - 1) / 4).mean())
    for wid, row in mine.iterrows():  # a few dozen workers: a readable per-worker check
        want = by_hand(row, rules, neutral, mean_residents)
        for part, value in want.items():
            assert math.isclose(got.loc[wid, part], value, abs_tol=1e-9), (wid, part)
    # Ranks: 1 is the best total, ties share the better rank.
    expected_rank = got["total"].rank(ascending=False, method="min").astype(int)
    assert (got["rank"] == expected_rank).all()


def independent_staff(url: str) -> pd.DataFrame:
    _, _, people, _, _ = raw(url)
    return people[people["role"] == "full_time_worker"][["id", "grid_id"]]


def test_one_worker_by_hand(tiny_sqlite):
    """The padder of the tiny county under the rules as practised, with the numbers written out."""
    engine = create_engine(tiny_sqlite)
    scores = rankings.monthly_scores(engine, filters(), MONTH, "as_practised", "worker").set_index("subject_id")
    mine = independent_counts(tiny_sqlite, MONTH)
    wid = int(mine["reported"].idxmax())
    row = mine.loc[wid]
    r = file_rules("as_practised")
    quota = 30 + (10 if row["town_kind"] == "street" else 0)  # quota_events_per_worker (+ street bonus)
    assert r["quota_events_per_worker"] == 30 and r["street_quota_bonus"] == 10
    quantity = 100 * min(1, row["reported"] / quota)
    closure = (row["closed"] + row["filing"]) / row["reported"]  # filing-only counted as closed
    quality = 100 * np.mean(
        [
            closure,
            row["qualified"] / row["graded"],
            row["excellent"] / row["graded"],
            row["verified_on_time"] / row["verify_due"],
        ]
    )
    process = 50 * min(1, row["team"] / row["reported"] / 0.20) + 50 * min(1, row["transfers"] / row["reported"] / 0.05)
    total = 0.40 * quantity + 0.35 * quality + 0.25 * process + 0.0 * 0
    print(
        f"\nworker {wid}: reports {row['reported']:.0f}/{quota} → quantity {quantity:.2f}, quality {quality:.2f}, "
        f"process {process:.2f}, total {total:.2f} (page: {scores.loc[wid, 'total']:.2f}, "
        f"grade {scores.loc[wid, 'grade']})"
    )
    assert math.isclose(scores.loc[wid, "total"], total, abs_tol=1e-9)
    expected_grade = "A" if total >= 90 else "B" if total >= 80 else "C" if total >= 70 else "D" if total >= 60 else "E"
    assert scores.loc[wid, "grade"] == expected_grade


def test_switching_rulesets_changes_the_ranks(tiny_sqlite):
    engine = create_engine(tiny_sqlite)
    for level in rankings.LEVELS:
        a = rankings.monthly_scores(engine, filters(), MONTH, "as_practised", level).set_index("subject_id")["rank"]
        b = rankings.monthly_scores(engine, filters(), MONTH, "reformed", level).set_index("subject_id")["rank"]
        cmp = rankings.compare_rulesets(engine, filters(), MONTH, level).set_index("subject_id")
        assert (cmp["move"] == (a - b).reindex(cmp.index)).all()
        if level != "town":  # two towns may keep their order; workers and communities must not
            assert (a != b.reindex(a.index)).any(), level
        print(
            f"\n{level}: {int((cmp['move'] != 0).sum())} of {len(cmp)} change rank, "
            f"biggest move {int(cmp['move'].abs().max())}"
        )


def test_rank_change_and_trend(tiny_sqlite):
    engine = create_engine(tiny_sqlite)
    now = rankings.monthly_scores(engine, filters(), MONTH, "as_practised", "worker").set_index("subject_id")
    before = rankings.monthly_scores(engine, filters(), dt.date(2026, 9, 1), "as_practised", "worker").set_index(
        "subject_id"
    )
    both = now.index.intersection(before.index)
    assert (now.loc[both, "prev_rank"].astype(int) == before.loc[both, "rank"]).all()
    assert (now.loc[both, "rank_change"].astype(int) == before.loc[both, "rank"] - now.loc[both, "rank"]).all()
    for wid in both:
        trend = now.loc[wid, "trend"]
        assert len(trend) == rankings.TREND_MONTHS
        assert math.isclose(trend[-1], round(now.loc[wid, "total"], 1)) and math.isclose(
            trend[-2], round(before.loc[wid, "total"], 1)
        )


def test_unit_levels_add_up_the_reports(tiny_sqlite):
    engine = create_engine(tiny_sqlite)
    ev, *_ = raw(tiny_sqlite)
    last = rankings.month_end(MONTH)
    grid_reports = ev[ev["reported_by"].notna() & (ev["report_date"] >= MONTH) & (ev["report_date"] <= last)]
    for level, col in (("town", "town_id"), ("village", "village_id")):
        got = rankings.monthly_scores(engine, filters(), MONTH, "as_practised", level).set_index("subject_id")
        want = grid_reports.groupby(col).size()
        assert got["reported"][got["reported"] > 0].to_dict() == want.to_dict()


@pytest.mark.parametrize("ruleset", rankings.RULESETS)
def test_consequences_follow_the_rules(tiny_sqlite, ruleset):
    engine = create_engine(tiny_sqlite)
    r = file_rules(ruleset)
    now = rankings.monthly_scores(engine, filters(), MONTH, ruleset, "worker")
    before = rankings.monthly_scores(engine, filters(), dt.date(2026, 9, 1), ruleset, "worker").set_index("subject_id")
    cons = rankings.consequences(engine, filters(), MONTH, ruleset).set_index("subject_id")
    n = len(now)
    lose = set(
        now.loc[(now["rank"] > n - r["pay_cut_bottom_n"]) | (now["total"] <= r["pay_cut_score_at_most"]), "subject_id"]
    )
    double = set(now.loc[now["rank"] <= r["double_pay_top_n"], "subject_id"]) - lose
    low_before = set(before.index[before["total"] <= r["pay_cut_score_at_most"]])
    dismiss = set(now.loc[now["total"] <= r["pay_cut_score_at_most"], "subject_id"]) & low_before
    assert set(cons.index[cons["loses_pay"]]) == lose
    assert set(cons.index[cons["double_pay"]]) == double
    assert set(cons.index[cons["dismissal_risk"]]) == dismiss
    assert len(lose) >= r["pay_cut_bottom_n"] and len(double) <= r["double_pay_top_n"]


@pytest.mark.parametrize("level", ["worker", "village"])
def test_month_view_equals_the_three_tables_computed_apart(tiny_sqlite, level):
    engine = create_engine(tiny_sqlite)
    view = rankings.month_view(engine, filters(), MONTH, "reformed", level)
    pd.testing.assert_frame_equal(view["scores"], rankings.monthly_scores(engine, filters(), MONTH, "reformed", level))
    pd.testing.assert_frame_equal(view["compare"], rankings.compare_rulesets(engine, filters(), MONTH, level))
    pd.testing.assert_frame_equal(view["consequences"], rankings.consequences(engine, filters(), MONTH, "reformed"))
    assert len(view["scores"]) and len(view["consequences"])


def test_bad_inputs_are_refused_with_a_message(tiny_sqlite):
    engine = create_engine(tiny_sqlite)
    with pytest.raises(rankings.RankingError, match="ruleset"):
        rankings.monthly_scores(engine, filters(), MONTH, "secret", "worker")
    with pytest.raises(rankings.RankingError, match="level"):
        rankings.monthly_scores(engine, filters(), MONTH, "reformed", "province")
    with pytest.raises(rankings.RankingError, match="month"):
        rankings.monthly_scores(engine, filters(), "2026-10", "reformed", "worker")


def test_ranking_errors_carry_a_code_and_read_in_the_readers_language(tiny_sqlite):
    """The English message stays for logs and the command line; the UI shows the code's label."""
    from ui.labels import error_text, use_lang

    engine = create_engine(tiny_sqlite)
    caught = {}
    for name, call in (
        ("ruleset", lambda: rankings.monthly_scores(engine, filters(), MONTH, "secret", "worker")),
        ("level", lambda: rankings.monthly_scores(engine, filters(), MONTH, "reformed", "province")),
        ("month", lambda: rankings.monthly_scores(engine, filters(), "2026-10", "reformed", "worker")),
    ):
        with pytest.raises(rankings.RankingError) as exc:
            call()
        caught[name] = exc.value
    assert caught["ruleset"].code == "unknown_ruleset" and caught["ruleset"].params["ruleset"] == "secret"
    assert caught["ruleset"].params["choices"] == rankings.RULESETS
    assert caught["level"].code == "unknown_ranking_level" and caught["level"].params["choices"] == rankings.LEVELS
    assert caught["month"].code == "month_not_a_date" and caught["month"].params["value"] == "2026-10"
    with use_lang("zh"):
        assert error_text(caught["ruleset"]) == (
            "没有考核规则“secret”,可选:现行规则(H 区做法)、改革规则、H 区成文规则(仅一街道 40 件)。"
        )
        assert error_text(caught["level"]).startswith("没有排名层级“province”,可选:镇街、")
        assert error_text(caught["level"]).endswith("、专职网格员。")
        assert error_text(caught["month"]) == "考核月份应为日期,而不是“2026-10”。"
    with use_lang("en"):
        assert error_text(caught["ruleset"]) == (
            "There is no ruleset “secret”; choose one of: As practised (H district), Reformed, "
            "H district as written (40 in one street only)."
        )
        assert error_text(caught["month"]) == "The month must be a date, not “2026-10”."
    for exc in caught.values():  # nothing of the English message in the Chinese text
        with use_lang("zh"):
            assert not any(word in error_text(exc) for word in ("Unknown", "choose", "must be"))


REAL_MONTH_VIEW = integrity_review.month_view  # what the page calls (it scores through rankings)


def month_view_at_an_unknown_level(engine, f, month, ruleset, level, stamp=0):
    """month_view as if the page had asked for a level that does not exist (the real raise site)."""
    return REAL_MONTH_VIEW(engine, f, month, ruleset, "province", stamp)


@pytest.mark.parametrize(
    "language, expected",
    [
        ("zh", "无法生成排名:没有排名层级“province”,可选:镇街、"),
        ("en", "The ranking cannot be produced: There is no ranking level “province”; choose one of: Towns / streets"),
    ],
)
def test_page_shows_a_ranking_error_as_its_label(app_env, monkeypatch, language, expected):
    monkeypatch.setattr(integrity_review, "month_view", month_view_at_an_unknown_level)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    login(at, "leader")
    if language == "en":
        at.run()
        at.sidebar.toggle(key="lang_en").set_value(True).run()
    at.switch_page("pages/monthly_rankings.py").run()
    assert not at.exception
    errors = [e.value.replace("\\", "") for e in at.error]  # the markdown source, escaped by ui.escape.md
    assert any(e.startswith(expected) for e in errors), errors
    assert not any("Unknown level" in e for e in errors)


def test_town_filter_narrows_rows_but_keeps_county_ranks(tiny_sqlite):
    engine = create_engine(tiny_sqlite)
    full = rankings.monthly_scores(engine, filters(), MONTH, "reformed", "worker")
    town = int(full["town_id"].iloc[-1])
    narrow = rankings.monthly_scores(
        engine,
        Filters(date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 22), as_of=AS_OF, town_id=town),
        MONTH,
        "reformed",
        "worker",
    )
    assert set(narrow["town_id"]) == {town}
    assert (
        narrow.set_index("subject_id")["rank"].to_dict()
        == full[full["town_id"] == town].set_index("subject_id")["rank"].to_dict()
    )


def test_postgresql_gives_the_same_rankings(tiny_sqlite, tiny_pg):
    lite, pg = create_engine(tiny_sqlite), create_engine(tiny_pg)
    for level in rankings.LEVELS:
        a = rankings.monthly_scores(lite, filters(), MONTH, "reformed", level)
        b = rankings.monthly_scores(pg, filters(), MONTH, "reformed", level)
        cols = ["subject_id", "reported", "verify_due", "verified_on_time", "total", "rank", "grade", "prev_rank"]
        pd.testing.assert_frame_equal(a[cols].reset_index(drop=True), b[cols].reset_index(drop=True), check_dtype=False)
    pd.testing.assert_frame_equal(
        rankings.consequences(lite, filters(), MONTH, "as_practised"),
        rankings.consequences(pg, filters(), MONTH, "as_practised"),
        check_dtype=False,
    )
    lite.dispose()
    pg.dispose()


# --- the page ---------------------------------------------------------------------------------


def run_page(monkeypatch, url: str, now_iso: str) -> AppTest:

    point_app_at(monkeypatch, url, now_iso)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    login(at, "leader")
    at.switch_page("pages/monthly_rankings.py").run()
    return at


def test_page_shows_the_ranking_and_switches_rulesets(monkeypatch, tiny_sqlite):
    at = run_page(monkeypatch, tiny_sqlite, END_ISO)
    assert not at.exception, at.exception
    assert not at.error
    at.selectbox(key="rankings_month").set_value(MONTH).run()
    assert not at.exception
    engine = create_engine(tiny_sqlite)
    want = rankings.monthly_scores(engine, filters(), MONTH, "as_practised", "worker")
    table = at.dataframe[1].value  # [0] is the rules table in the formula expander
    assert list(table["网格员"]) == list(want["name"])
    assert np.allclose(table["总分"].to_numpy(float), want["total"].round(1).to_numpy(float))
    metrics = {m.label: m.value for m in at.metric}
    cons = rankings.consequences(engine, filters(), MONTH, "as_practised")
    assert metrics["扣发绩效"] == str(int(cons["loses_pay"].sum()))
    assert metrics["解聘风险"] == str(int(cons["dismissal_risk"].sum()))
    # The flag counts are the detectors' own, read independently of the page.
    flagged = integrity.worker_signals(engine, filters(), MONTH)
    villages = integrity.village_signals(engine, filters(), MONTH)
    assert int(flagged["padding"].sum()) >= 1 and int(villages["selective"].sum()) >= 1
    assert metrics["凑件"] == f"标记 {int(flagged['padding'].sum())}"
    assert metrics["选择性上报(村社)"] == f"标记 {int(villages['selective'].sum())}"
    # The formula states the rule values of the chosen ruleset.
    quota = store_quota(tiny_sqlite, "as_practised")["quota_events_per_worker"]
    assert any("0.4×数量" in m.value and f"{quota:g} 件" in m.value for m in at.markdown)

    at.selectbox(key="rankings_ruleset").set_value("reformed").run()
    assert not at.exception
    # The reformed ruleset reviews: strongly flagged workers' events are held out of quantity.
    reformed = integrity_review.month_view(engine, filters(), MONTH, "reformed", "worker")["scores"]
    table2 = at.dataframe[1].value
    assert list(table2["网格员"]) == list(reformed["name"])
    assert np.allclose(table2["总分"].to_numpy(float), reformed["total"].round(1).to_numpy(float))
    assert list(table2["网格员"]) != list(table["网格员"])
    assert any("0.3×群众评价" in m.value for m in at.markdown)

    at.selectbox(key="rankings_level").set_value("town").run()
    assert not at.exception
    towns = rankings.monthly_scores(engine, filters(), MONTH, "reformed", "town")
    assert list(at.dataframe[1].value["名称"]) == list(towns["name"])


def test_page_evidence_pages_through_the_rows(monkeypatch, tiny_sqlite):
    at = run_page(monkeypatch, tiny_sqlite, END_ISO)
    # November is still running on 22 November: the newest finished month is preselected.
    assert at.selectbox(key="rankings_month").value == MONTH
    at.selectbox(key="rankings_evidence_signal").set_value("empty_patrol").run()
    assert not at.exception
    subject = at.selectbox(key="rankings_evidence_subject").value
    from data_access import integrity

    total = integrity.evidence_count(create_engine(tiny_sqlite), filters(), MONTH, "empty_patrol", subject)
    evidence = at.dataframe[-1].value
    assert len(evidence) == min(total, integrity.EVIDENCE_PAGE) and total > 0
    if total > integrity.EVIDENCE_PAGE:
        at.number_input(key="rankings_evidence_page").set_value(2).run()
        assert not at.exception
        assert len(at.dataframe[-1].value) == min(total - integrity.EVIDENCE_PAGE, integrity.EVIDENCE_PAGE)


def test_page_in_english_and_on_the_hand_built_fixture(app_env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    login(at, "leader")
    at.switch_page("pages/monthly_rankings.py").run()
    assert not at.exception, at.exception
    at.sidebar.toggle(key="lang_en").set_value(True).run()
    assert not at.exception
    assert any(m.label == "Ranked" for m in at.metric)
    assert at.title[0].value == "Monthly rankings and integrity signals"


def test_report_escapes_names_and_has_no_external_assets():
    from ui import rankings_report as report

    evil = "<script>alert('x')</script>"
    df = pd.DataFrame({"名称": [evil, "张伟"], "总分": [88.5, 61.0], "等级": ["B", "D"]})
    doc = report.build_report(
        title=f"月度考核报告 {evil}",
        meta_lines=[evil],
        sections=[
            ("公式 & <b>", report.markdown_lite(f"**总分** = 0.4×数量\n- {evil}")),
            ("表", report.table(df)),
            (
                "图",
                report.grouped_bars_svg(evil, ["A", "B"], {evil: [1, 2], "改革": [2, 0]})
                + report.diverging_bars_svg("变化", [evil, "张伟"], [5, -3]),
            ),
        ],
    )
    assert "<script" not in doc and "&lt;script&gt;" in doc
    assert "<b>总分</b>" in doc and "&lt;b&gt;" in doc  # our bold kept, the heading's tag escaped
    assert not re.search(r"""(src|href)\s*=""", doc)
    assert doc.count("<svg") == 2 and "张伟" in doc


def test_months_before_the_data_are_missing_not_zero(tiny_sqlite):
    engine = create_engine(tiny_sqlite)
    first = rankings.monthly_scores(engine, filters(), dt.date(2026, 8, 1), "as_practised", "worker")
    assert len(first) > 0 and first["prev_rank"].isna().all() and first["rank_change"].isna().all()
    assert all(trend[:5] == [None] * 5 and trend[5] is not None for trend in first["trend"])
    # Nobody is at risk of dismissal for a "low" month that is only missing data.
    assert not rankings.consequences(engine, filters(), dt.date(2026, 8, 1), "as_practised")["dismissal_risk"].any()
