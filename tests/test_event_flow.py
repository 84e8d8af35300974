"""Event flow page: data access on SQLite and PostgreSQL, reconciliation, and the page itself.

Known numbers come from tests/fixture_county.py's ledger (all grid-level events); the tiny
sample county is checked against an independent pandas computation from the raw tables; the full
sample county (seed 7, shared read-only copy) is checked for reconciliation.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_access import flows
from data_access.filters import Filters
from data_access.schema import event_steps, events
from data_access.store import create_store_engine
from tests import fixture_county as fc
from tests.conftest import (
    login,
    pg_url,
    point_app_at,
    sample_county_url,
    tiny_pg_database,
    tiny_sqlite_copy,
)

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard.py")
TINY_END = dt.datetime(2026, 11, 22, 10, 0, tzinfo=fc.TZ)
TINY_FROM, TINY_TO = dt.date(2026, 9, 1), dt.date(2026, 11, 22)


def march() -> Filters:
    return Filters(fc.DATE_FROM, fc.DATE_TO, fc.AS_OF.astimezone(dt.UTC))


def tiny_filters(**kw) -> Filters:
    return Filters(TINY_FROM, TINY_TO, TINY_END.astimezone(dt.UTC), **kw)


def link_totals(links: pd.DataFrame) -> dict[tuple[str, str, str], int]:
    return {
        (s, t, o): int(n) for s, t, o, n in links[["source", "target", "outcome", "events"]].itertuples(index=False)
    }


def assert_reconciles(links: pd.DataFrame, n_events: int) -> None:
    balance = flows.node_balance(links).set_index("node")
    origins = balance[balance.index.str.startswith("origin:")]
    outcomes = balance[balance.index.str.startswith("outcome:")]
    middle = balance[~balance.index.str.startswith(("origin:", "outcome:"))]
    assert int(origins["outflow"].sum()) == n_events, "every event counted once at its origin"
    assert int(outcomes["inflow"].sum()) == n_events, "every event ends at exactly one outcome"
    assert (origins["inflow"] == 0).all() and (outcomes["outflow"] == 0).all()
    # for each level: in = passed on to a higher level / dispatch + ended there
    assert (middle["inflow"] == middle["passed_on"] + middle["ended_here"]).all(), middle


# --- the fixture, on SQLite and PostgreSQL ------------------------------------------------------


def test_fixture_flows_have_the_ledger_numbers(fixture_url):
    engine = create_store_engine(fixture_url)
    links = flows.flow_links(engine, march())
    # E1 E2 E8 closed; E3 closed after one rejection; E4 E5 E7 open; E6 filing-only: all at grid level.
    assert link_totals(links) == {
        ("origin:patrol", "level:grid", "closed"): 3,
        ("origin:patrol", "level:grid", "closed_rejected"): 1,
        ("origin:patrol", "level:grid", "open"): 3,
        ("origin:patrol", "level:grid", "filed"): 1,
        ("level:grid", "outcome:closed", "closed"): 3,
        ("level:grid", "outcome:closed_rejected", "closed_rejected"): 1,
        ("level:grid", "outcome:open", "open"): 3,
        ("level:grid", "outcome:filed", "filed"): 1,
    }
    assert_reconciles(links, 8)
    # the previous period (01-31..03-01, as of 03-01 18:00): E10 closed; E9 and E11 still open then
    before = flows.flow_links(engine, march().previous_period())
    assert before.groupby("target")["events"].sum().to_dict() == {
        "level:grid": 3,
        "outcome:closed": 1,
        "outcome:open": 2,
    }
    comparison = flows.flow_comparison(engine, march()).set_index(["source", "target"])
    assert comparison.loc[("origin:patrol", "level:grid"), ["events", "previous", "change"]].tolist() == [8, 3, 5]
    assert comparison.loc[("level:grid", "outcome:open"), "change"] == 1
    assert pd.isna(comparison.loc[("level:grid", "outcome:filed"), "change_share"])  # nothing to divide by


def test_fixture_town_and_category_filters(fixture_url):
    engine = create_store_engine(fixture_url)
    west = flows.flow_links(engine, Filters(fc.DATE_FROM, fc.DATE_TO, fc.AS_OF, town_id=fc.TOWN_WEST))
    # E4 E5 open, E6 filed, E8 closed
    assert west[west["target"].str.startswith("outcome:")].set_index("target")["events"].to_dict() == {
        "outcome:closed": 1,
        "outcome:open": 2,
        "outcome:filed": 1,
    }
    safety = flows.flow_links(engine, Filters(fc.DATE_FROM, fc.DATE_TO, fc.AS_OF, category_code="public_safety"))
    assert int(safety[safety["source"] == "origin:patrol"]["events"].sum()) == 3  # E3 E5 E7


def test_fixture_link_events_and_timeline(fixture_url):
    engine = create_store_engine(fixture_url)
    f = march()
    assert flows.link_event_count(engine, f, "level:grid", "outcome:open") == 3
    page1 = flows.link_events(engine, f, "level:grid", "outcome:open", 2, 0)
    page2 = flows.link_events(engine, f, "level:grid", "outcome:open", 2, 2)
    assert list(page1["code"]) == ["E7", "E5"] and list(page2["code"]) == ["E4"]  # newest first
    assert flows.link_events(engine, f, "level:grid", "outcome:closed_rejected", 20, 0)["code"].tolist() == ["E3"]
    # a link that is not in the model, and one from a URL-ish bad value, give nothing, not an error
    assert flows.link_events(engine, f, "outcome:closed", "level:grid", 20, 0).empty
    assert flows.link_event_count(engine, f, "level:nowhere", "outcome:closed") == 0
    steps = flows.event_timeline(engine, f, 3)
    assert steps["action"].tolist() == [
        "report",
        "accept",
        "handle",
        "complete",
        "verify",
        "reject",
        "handle",
        "complete",
        "verify",
        "close",
    ]
    assert steps.loc[0, "from_unit"] == "河东社区第1网格微网格1"
    assert steps.loc[0, "to_unit"] == "河东社区第1网格"
    assert steps.loc[0, "actor"] == "王芳"
    assert steps["minutes_since_previous"].tolist()[1:3] == [10.0, 20.0]
    # outside the filter: nothing
    assert flows.event_timeline(engine, Filters(fc.DATE_FROM, fc.DATE_TO, fc.AS_OF, town_id=fc.TOWN_WEST), 3).empty


def test_fixture_stage_timing(fixture_url):
    engine = create_store_engine(fixture_url)
    timing = flows.stage_timing(engine, march(), "all").set_index("stage")
    # accept 10 min after report for the 7 non-filing events
    assert timing.loc["report_accept", "n"] == 7
    assert timing.loc["report_accept", "median_hours"] == pytest.approx(10 / 60)
    # last completion 30 min before close, verification 25 min after it, close 5 min later (E1 E2 E3 E8)
    assert timing.loc["complete_verify", "n"] == 4
    assert timing.loc["complete_verify", "p90_hours"] == pytest.approx(25 / 60)
    assert timing.loc["complete_verify", "breach_share"] == 0
    assert timing.loc["verify_close", "median_hours"] == pytest.approx(5 / 60)
    # E2 closed 03-12 10:00, a day after its deadline: 1 of 4 closes breaks it
    assert timing.loc["verify_close", "breach_share"] == pytest.approx(0.25)
    assert "accept_dispatch" not in timing.index  # nothing was dispatched
    # E1: accept 03-05 09:10 -> complete 03-06 09:30
    by_cat = flows.stage_timing(engine, march(), "category").set_index(["stage", "group"])
    assert by_cat.loc[("accept_complete", "city_management"), "n"] == 3  # E1 E2 E8
    by_route = flows.stage_timing(engine, march(), "route")
    assert set(by_route["group"]) == {"grid"}


def test_fixture_returns_and_round_trips(fixture_url):
    engine = create_store_engine(fixture_url)
    returns = flows.returns_by_route(engine, march())
    assert returns[["action", "from_level", "to_level", "category_code", "steps", "events"]].values.tolist() == [
        ["reject", "grid", "grid", "public_safety", 1, 1]
    ]
    assert flows.round_trips(engine, march()).values.tolist() == [[0, 7], [1, 1]]


def test_fixture_escalation_profile_flags_nothing(fixture_url):
    engine = create_store_engine(fixture_url)
    profile = flows.escalation_profile(engine, march()).set_index("unit_id")
    # 365-day window to 03-31: every grid report since; E6 (filing-only) left out
    assert profile.loc[[4, 5, 6], "decided"].tolist() == [4, 2, 4]
    assert profile.loc[[2, 3], "decided"].tolist() == [6, 4]
    assert (profile["escalated"] == 0).all() and not profile["flagged"].any()


# --- the tiny sample county against an independent pandas computation ---------------------------


@pytest.fixture(scope="module")
def tiny_sqlite(tmp_path_factory) -> str:
    return tiny_sqlite_copy(tmp_path_factory.mktemp("tiny") / "tiny.db", 7)


@pytest.fixture(scope="module")
def tiny_pg() -> str:
    pg_url()
    return tiny_pg_database("event_flow", 7)


@pytest.fixture(params=["sqlite", "postgresql"])
def tiny_url(request) -> str:
    return request.getfixturevalue("tiny_sqlite" if request.param == "sqlite" else "tiny_pg")


def pandas_paths(url: str, f: Filters) -> pd.DataFrame:
    """Per event, the path by the module docstring's rules, computed from raw rows in pandas."""
    engine = create_store_engine(url)
    with engine.connect() as conn:
        ev = pd.DataFrame(
            conn.execute(
                select(
                    events.c.id,
                    events.c.source,
                    events.c.report_date,
                    events.c.town_id,
                    events.c.village_id,
                    events.c.category_code,
                    events.c.reported_at,
                )
            )
        )
        st = pd.DataFrame(
            conn.execute(select(event_steps.c.event_id, event_steps.c.action, event_steps.c.to_level, event_steps.c.at))
        )
    ev["report_date"] = pd.to_datetime(ev["report_date"]).dt.date
    ev = ev[
        (ev["report_date"] >= f.date_from)
        & (ev["report_date"] <= f.date_to)
        & (pd.to_datetime(ev["reported_at"], utc=True) <= f.period_end)
    ]
    if f.town_id:
        ev = ev[ev["town_id"] == f.town_id]
    if f.category_code:
        ev = ev[ev["category_code"] == f.category_code]
    st = st[(pd.to_datetime(st["at"], utc=True) <= f.period_end) & st["event_id"].isin(ev["id"])]
    rows = []
    for eid, g in st.groupby("event_id"):
        acts = list(g["action"])
        up = set(g.loc[g["action"].isin(["report", "escalate"]), "to_level"])
        disp = set(g.loc[g["action"] == "dispatch", "to_level"])
        levels = [lv for lv in flows.PATH_LEVELS if lv in up]
        dispatch = "department" if "department" in disp else ("assigned_grid" if "grid" in disp else None)
        if "file" in acts:
            outcome = "filed"
        elif "close" in acts:
            outcome = "closed_rejected" if "reject" in acts else "closed_returned" if "return" in acts else "closed"
        else:
            outcome = "open"
        nodes = [f"origin:{ev.loc[ev['id'] == eid, 'source'].iloc[0]}"] + [f"level:{lv}" for lv in levels]
        nodes += [f"dispatch:{dispatch}"] if dispatch else []
        nodes.append(f"outcome:{outcome}")
        rows.append(
            {"event_id": eid, "nodes": nodes, "outcome": outcome, "trips": acts.count("return") + acts.count("reject")}
        )
    return pd.DataFrame(rows)


def test_tiny_flows_match_pandas_and_reconcile(tiny_url):
    f = tiny_filters()
    engine = create_store_engine(tiny_url)
    links = flows.flow_links(engine, f)
    paths = pandas_paths(tiny_url, f)
    expected: dict[tuple[str, str, str], int] = {}
    for nodes, outcome in zip(paths["nodes"], paths["outcome"]):
        for a, b in zip(nodes, nodes[1:]):
            expected[(a, b, outcome)] = expected.get((a, b, outcome), 0) + 1
    assert link_totals(links) == expected
    assert_reconciles(links, len(paths))
    # the tiny county has escalations, dispatches, returns and rejections: the model is exercised
    kinds = set(links["target"])
    assert {
        "level:village",
        "level:town",
        "level:county",
        "dispatch:department",
        "dispatch:assigned_grid",
        "outcome:closed_returned",
        "outcome:closed_rejected",
    } <= kinds
    trips = flows.round_trips(engine, f).set_index("round_trips")["events"].to_dict()
    assert trips == paths["trips"].value_counts().to_dict()
    # each link's drill-down finds exactly the events the chart counts on it
    per_link = links.groupby(["source", "target"])["events"].sum()
    for (a, b), n in per_link.items():
        assert flows.link_event_count(engine, f, a, b) == n, (a, b)
        assert len(flows.link_events(engine, f, a, b, limit=n + 5)) == n, (a, b)  # the list, from event rows


def test_tiny_filtered_and_timing_match_pandas(tiny_url):
    engine = create_store_engine(tiny_url)
    f = tiny_filters(town_id=3)
    links = flows.flow_links(engine, f)
    paths = pandas_paths(tiny_url, f)
    assert_reconciles(links, len(paths))
    assert int(links[links["source"].str.startswith("origin:")]["events"].sum()) == len(paths)
    # report -> accept per event, as pandas would compute it, against the SQL percentiles
    with engine.connect() as conn:
        st = pd.DataFrame(
            conn.execute(
                select(event_steps.c.event_id, event_steps.c.action, event_steps.c.at).where(
                    event_steps.c.event_id.in_([int(x) for x in paths["event_id"]])
                )
            )
        )
    st = st[pd.to_datetime(st["at"], utc=True) <= f.period_end]
    first = st.assign(at=pd.to_datetime(st["at"], utc=True)).groupby(["event_id", "action"])["at"].min().unstack()
    hours = ((first["accept"] - first["report"]).dt.total_seconds() / 3600).dropna()
    timing = flows.stage_timing(engine, f, "all").set_index("stage")
    assert timing.loc["report_accept", "n"] == len(hours)
    # SQLite's julianday() keeps milliseconds, the store microseconds: allow 3.6 ms (1e-6 h).
    assert timing.loc["report_accept", "median_hours"] == pytest.approx(hours.quantile(0.5), rel=1e-6, abs=1e-6)
    assert timing.loc["report_accept", "p90_hours"] == pytest.approx(hours.quantile(0.9), rel=1e-6, abs=1e-6)


def test_tiny_escalation_rule_flags_the_planted_village(tiny_sqlite):
    engine = create_store_engine(tiny_sqlite)
    with engine.connect() as conn:
        from data_access.schema import planted_patterns as pp

        truth = {r[0] for r in conn.execute(select(pp.c.subject_id).where(pp.c.pattern == "filtering"))}
    profile = flows.escalation_profile(engine, tiny_filters())
    flagged = set(profile.loc[(profile["level"] == "village") & profile["flagged"], "unit_id"])
    assert flagged == truth


# --- the full sample county: reconciliation on 72,000 events -------------------------------------


def county_db() -> str:
    return sample_county_url(7)


def test_county_flows_reconcile():
    engine = create_store_engine(county_db())
    for f in (
        Filters(dt.date(2025, 11, 23), dt.date(2026, 11, 22), TINY_END.astimezone(dt.UTC)),
        tiny_filters(),
    ):
        links = flows.flow_links(engine, f)
        n = flows.path_counts(engine, f)["events"].sum()
        assert_reconciles(links, int(n))
        with engine.connect() as conn:
            from sqlalchemy import func

            in_scope = conn.execute(
                select(func.count())
                .select_from(events)
                .where(events.c.report_date.between(f.date_from, f.date_to), events.c.reported_at <= f.period_end)
            ).scalar()
        assert n == in_scope, "every event in scope has a path"
        print(f"county {f.date_from}..{f.date_to}: {n} events, {len(links)} links reconcile")


# --- the page -----------------------------------------------------------------------------------


def table(at: AppTest, column: str) -> pd.DataFrame:
    """The first dataframe on the page with this column (AppTest does not expose dataframe keys)."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise KeyError(column)


def open_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    login(at, "leader")
    at.switch_page("pages/event_flow.py").run()
    return at


def test_page_on_the_fixture_shows_the_ledger(app_env):
    at = open_page()
    at.sidebar.date_input(key="filter_dates").set_value((fc.DATE_FROM, fc.DATE_TO)).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["流转事件"] == "8"
    assert metrics["被标记的单位"] == "0"
    balance = table(at, "节点").set_index("节点")
    assert balance.loc["网格", ["流入", "继续流出", "止于此处"]].tolist() == [8, 0, 8]
    assert balance.loc["仍在办", "流入"] == 3 and balance.loc["驳回重办后结案", "流入"] == 1
    assert any("全部节点对账一致" in s.value for s in at.success)
    # choose the flow grid -> still open: 3 events, newest first, and E7's steps
    link = at.selectbox(key="ef_link")
    assert "网格 → 仍在办(3)" in link.options and "巡查发现 → 网格(8)" in link.options
    link.set_value("level:grid>outcome:open").run()
    assert not at.exception
    events_table = table(at, "事件编号")
    assert events_table["事件编号"].tolist() == ["E7", "E5", "E4"]
    assert events_table["上报时间"].tolist()[0] == "2026-03-31 09:00"
    steps = table(at, "动作")
    assert steps["动作"].tolist() == ["上报", "受理", "处置"]
    assert steps["时间"].tolist() == ["2026-03-31 09:00", "2026-03-31 09:10", "2026-03-31 09:30"]
    # 距上一步: the first step has none, drawn "—" (the placeholder) with the reason in the help.
    assert pd.isna(steps["距上一步(分钟)"].iloc[0]) and steps["距上一步(分钟)"].tolist()[1:] == [10.0, 20.0]
    timeline = next(d for d in at.dataframe if "动作" in d.value.columns)
    assert timeline.proto.placeholder == "—"
    helps = {k: v.get("help", "") for k, v in json.loads(timeline.proto.columns).items()}
    assert "第一步,没有上一步" in helps["距上一步(分钟)"]
    # the comparison: this 8, previous 3
    compare = table(at, "起点")
    row = compare[(compare["起点"] == "巡查发现") & (compare["终点"] == "网格")].iloc[0]
    assert (row["本期"], row["上期"], row["变化"]) == (8, 3, 5)
    timing = table(at, "环节").set_index("环节")
    assert timing.loc["核查→结案", "超时率"] == "25.0%"
    assert table(at, "次数")["次数"].tolist() == [1]


def test_page_in_english_and_other_groupings(app_env):
    at = open_page()
    at.sidebar.date_input(key="filter_dates").set_value((fc.DATE_FROM, fc.DATE_TO)).run()
    at.radio(key="ef_timing_by").set_value("category").run()
    assert not at.exception
    groups = set(table(at, "环节")["分组"])
    assert groups == {"城市管理", "公共安全与法治"}
    at.radio(key="ef_timing_by").set_value("route").run()
    assert set(table(at, "环节")["分组"]) == {"网格"}
    at.sidebar.toggle(key="lang_en").set_value(True).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Events in the flow"] == "8"


def test_page_with_no_events_says_so(app_env):
    at = open_page()
    at.sidebar.date_input(key="filter_dates").set_value((dt.date(2025, 1, 1), dt.date(2025, 1, 31))).run()
    assert not at.exception
    assert any("没有事件" in i.value for i in at.info)


def test_page_on_tiny_matches_pandas(monkeypatch, tiny_sqlite):
    point_app_at(monkeypatch, tiny_sqlite, TINY_END.isoformat())
    at = open_page()
    at.sidebar.date_input(key="filter_dates").set_value((TINY_FROM, TINY_TO)).run()
    assert not at.exception
    paths = pandas_paths(tiny_sqlite, tiny_filters())
    assert {m.label: m.value for m in at.metric}["流转事件"] == f"{len(paths):,}"
    balance = table(at, "节点").set_index("节点")
    ended = paths["outcome"].value_counts()
    assert balance.loc["结案", "流入"] == ended["closed"]
    assert balance.loc["退回后结案", "流入"] == ended.get("closed_returned", 0)
    at.selectbox(key="ef_link").set_value("level:town>dispatch:department").run()
    at.selectbox(key="ef_page_size").set_value(20).run()
    assert not at.exception
    n = flows.link_event_count(create_store_engine(tiny_sqlite), tiny_filters(), "level:town", "dispatch:department")
    assert len(table(at, "事件编号")) == min(20, n)
    pages = -(-n // 20)
    if pages > 1:
        at.number_input(key="ef_page").set_value(pages).run()
        assert not at.exception
        assert len(table(at, "事件编号")) == n - 20 * (pages - 1)
    villages = table(at, "标记")
    assert villages.iloc[0]["标记"] == "疑似回避上报"
