"""Department response: data access on SQLite and PostgreSQL, the page (AppTest) and its export.

Two stores:
- `hand`: the fixture county plus six hand-made department events (the fixture itself has no
  dispatches). Their ledger, local times, March 2026 filter, clock at 03-31 18:00:
    H101 T1 city ordinary  rep 03-03 09:00 due 03-08 09:00  →D1 03-03 10:00, accept 11:00,
         complete 03-04 08:00 (22 h, on time), closed, satisfaction 5
    H102 T2 city ordinary  rep 03-10 09:00 due 03-15 09:00  →D2 10:00, returned 12:00; →D1 13:00,
         accept 15:00 (2 h), complete 03-16 13:00 (144 h, late), closed, satisfaction 2
    H103 T1 safety urgent  rep 03-12 08:00 due 03-13 08:00  →D2 09:00, accept 09:30, complete 15:00,
         rejected 16:00, redo complete 21:00 (12 h, on time), closed, satisfaction 4
    H104 T2 safety ordin.  rep 03-20 09:00 due 03-25 09:00  →D1 10:00, accept 03-21 10:00 (24 h), open
    H105 T1 city urgent    rep 03-31 08:00 due 04-01 08:00  →D2 09:00, not accepted, open, not yet due
    H106 T1 city ordinary  rep 02-20 09:00 due 02-25 09:00  →D1 02-20 10:00, open since February
  D1: received 3, returned 0, complete median 83 h, accept median 2 h, on time 1/3, rework 0/2,
      open 2 (H104, H106), overdue 2, satisfaction 3.5.
  D2: received 3, returned 1 (1/3), complete median 12 h, on time 1/1, rework 1/1, open 1, overdue 0.
  County: received 6, complete median 22 h, on time 2/4, return 1/6.
- `tiny`: the generator's tiny profile (seed 7), checked against an independent pandas
  computation from the raw tables.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_access import departments as dep
from data_access import rollups, schema
from data_access.filters import Filters
from data_access.store import create_store_engine
from tests import fixture_county as fc
from tests.conftest import fresh_pg_database, login, point_app_at, tiny_pg_database, tiny_sqlite_copy
from ui.choices import chosen

ROOT = Path(__file__).resolve().parent.parent
TZ = fc.TZ
TINY_END = "2026-11-22T10:00:00+08:00"
TINY_AS_OF = dt.datetime.fromisoformat(TINY_END)


def _t(month, day, hour, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


# id, town, village, grid, mg, category, item, urgency, reported, closed, satisfaction, department, steps
# steps: (action, from_level, from_unit, to_level, to_unit, local time)
def _dept(d):
    return ("department", d, "department", d)


HAND = [
    (
        101,
        2,
        4,
        1,
        1,
        "city_management",
        "road_damage",
        "ordinary",
        _t(3, 3, 9),
        _t(3, 4, 12),
        5,
        1,
        [
            ("dispatch", "county", 1, "department", 1, _t(3, 3, 10)),
            ("accept", *_dept(1), _t(3, 3, 11)),
            ("handle", *_dept(1), _t(3, 3, 12)),
            ("complete", *_dept(1), _t(3, 4, 8)),
            ("verify", "grid", 1, "grid", 1, _t(3, 4, 10)),
            ("close", "county", 1, "county", 1, _t(3, 4, 12)),
        ],
    ),
    (
        102,
        3,
        6,
        3,
        5,
        "city_management",
        "road_damage",
        "ordinary",
        _t(3, 10, 9),
        _t(3, 16, 15),
        2,
        1,
        [
            ("dispatch", "county", 1, "department", 2, _t(3, 10, 10)),
            ("return", "department", 2, "county", 1, _t(3, 10, 12)),
            ("dispatch", "county", 1, "department", 1, _t(3, 10, 13)),
            ("accept", *_dept(1), _t(3, 10, 15)),
            ("handle", *_dept(1), _t(3, 11, 9)),
            ("complete", *_dept(1), _t(3, 16, 13)),
            ("verify", "grid", 3, "grid", 3, _t(3, 16, 14)),
            ("close", "county", 1, "county", 1, _t(3, 16, 15)),
        ],
    ),
    (
        103,
        2,
        5,
        2,
        3,
        "public_safety",
        "fire_exit_blocked",
        "urgent",
        _t(3, 12, 8),
        _t(3, 12, 23),
        4,
        2,
        [
            ("dispatch", "county", 1, "department", 2, _t(3, 12, 9)),
            ("accept", *_dept(2), _t(3, 12, 9, 30)),
            ("handle", *_dept(2), _t(3, 12, 10)),
            ("complete", *_dept(2), _t(3, 12, 15)),
            ("verify", "grid", 2, "grid", 2, _t(3, 12, 16)),
            ("reject", "grid", 2, "department", 2, _t(3, 12, 16, 5)),
            ("handle", *_dept(2), _t(3, 12, 17)),
            ("complete", *_dept(2), _t(3, 12, 21)),
            ("verify", "grid", 2, "grid", 2, _t(3, 12, 22)),
            ("close", "county", 1, "county", 1, _t(3, 12, 23)),
        ],
    ),
    (
        104,
        3,
        6,
        4,
        7,
        "public_safety",
        "fire_exit_blocked",
        "ordinary",
        _t(3, 20, 9),
        None,
        None,
        1,
        [
            ("dispatch", "county", 1, "department", 1, _t(3, 20, 10)),
            ("accept", *_dept(1), _t(3, 21, 10)),
            ("handle", *_dept(1), _t(3, 21, 11)),
        ],
    ),
    (
        105,
        2,
        4,
        1,
        2,
        "city_management",
        "road_damage",
        "urgent",
        _t(3, 31, 8),
        None,
        None,
        2,
        [("dispatch", "county", 1, "department", 2, _t(3, 31, 9))],
    ),
    (
        106,
        2,
        4,
        1,
        1,
        "city_management",
        "road_damage",
        "ordinary",
        _t(2, 20, 9),
        None,
        None,
        1,
        [("dispatch", "county", 1, "department", 1, _t(2, 20, 10))],
    ),
]
HAND_EXPECTED = {
    1: dict(
        received=3,
        returned=0,
        complete_h_median=83.0,
        accept_h_median=2.0,
        on_time=1,
        due_or_done=3,
        rejected=0,
        completed=2,
        open_now=2,
        overdue_now=2,
        satisfaction_avg=3.5,
    ),
    2: dict(
        received=3,
        returned=1,
        complete_h_median=12.0,
        accept_h_median=0.5,
        on_time=1,
        due_or_done=1,
        rejected=1,
        completed=1,
        open_now=1,
        overdue_now=0,
        satisfaction_avg=4.0,
    ),
}


def build_hand(url: str) -> None:
    fc.build_fixture(url)
    event_rows, step_rows = [], []
    for eid, town, village, grid, mg, cat, item, urgency, reported, closed, sat, dept, steps in HAND:
        deadline = reported + dt.timedelta(hours=fc.DEADLINE_HOURS[urgency])
        completes = [s[5] for s in steps if s[0] == "complete"]
        event_rows.append(
            dict(
                id=eid,
                code=f"H{eid}",
                category_code=cat,
                item_type_code=item,
                source="resident_call",
                urgency=urgency,
                description="",
                micro_grid_id=mg,
                grid_id=grid,
                village_id=village,
                town_id=town,
                lon=121.05,
                lat=29.05,
                reported_at=reported,
                report_date=reported.date(),
                reported_by=None,
                deadline=deadline,
                status="closed" if closed else "handling",
                handled_level="department",
                department_id=dept,
                filing_only=False,
                quality_grade="qualified" if closed else None,
                satisfaction=sat,
                completed_at=completes[-1] if completes else None,
                closed_at=closed,
                close_date=closed.date() if closed else None,
                escalations=0,
                returns=sum(s[0] == "return" for s in steps),
                rejections=sum(s[0] == "reject" for s in steps),
            )
        )
        all_steps = [("report", "micro_grid", mg, "grid", grid, reported)] + steps
        for seq, (action, fl, fu, tl, tu, at) in enumerate(all_steps, start=1):
            step_rows.append(
                dict(
                    event_id=eid,
                    seq=seq,
                    action=action,
                    from_level=fl,
                    from_unit_id=fu,
                    to_level=tl,
                    to_unit_id=tu,
                    at=at,
                    actor_worker_id=None,
                    actor=None,
                )
            )
    engine = create_store_engine(url, writable=True)
    with engine.begin() as conn:
        conn.execute(schema.events.insert(), event_rows)
        conn.execute(schema.event_steps.insert(), step_rows)
        rollups.catch_up(conn)
    engine.dispose()


@pytest.fixture(scope="module")
def hand_sqlite(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('dept_hand') / 'hand.db'}"
    build_hand(url)
    return url


@pytest.fixture(scope="module")
def hand_pg() -> str:
    url = fresh_pg_database("dept_hand")
    build_hand(url)
    return url


@pytest.fixture(scope="module")
def tiny_sqlite(tmp_path_factory) -> str:
    return tiny_sqlite_copy(tmp_path_factory.mktemp("dept_tiny") / "tiny.db", 7)


@pytest.fixture(scope="module")
def tiny_pg() -> str:
    return tiny_pg_database("dept_tiny", 7)


@pytest.fixture(params=["sqlite", "postgresql"])
def hand_engine(request):
    eng = create_store_engine(request.getfixturevalue("hand_sqlite" if request.param == "sqlite" else "hand_pg"))
    yield eng
    eng.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def tiny_engine(request):
    eng = create_store_engine(request.getfixturevalue("tiny_sqlite" if request.param == "sqlite" else "tiny_pg"))
    yield eng
    eng.dispose()


def march(**kw) -> Filters:
    return Filters(date_from=fc.DATE_FROM, date_to=fc.DATE_TO, as_of=fc.AS_OF, **kw)


def tiny_filters(days: int = 92, **kw) -> Filters:
    end = TINY_AS_OF.date()
    return Filters(date_from=end - dt.timedelta(days=days - 1), date_to=end, as_of=TINY_AS_OF, **kw)


# --- the independent computation: raw tables into pandas, nothing from data_access.departments ---


def pandas_truth(engine, f: Filters) -> pd.DataFrame:
    """Per department, from all steps and events in pandas: the measures the page shows."""
    with engine.connect() as conn:
        steps = pd.DataFrame(conn.execute(select(schema.event_steps)).mappings().all())
        ev = pd.DataFrame(
            conn.execute(
                select(
                    schema.events.c.id,
                    schema.events.c.deadline,
                    schema.events.c.closed_at,
                    schema.events.c.satisfaction,
                    schema.events.c.filing_only,
                    schema.events.c.town_id,
                    schema.events.c.village_id,
                    schema.events.c.category_code,
                )
            )
            .mappings()
            .all()
        )
    start, end = pd.Timestamp(f.period_start), pd.Timestamp(f.period_end)
    steps["at"] = pd.to_datetime(steps["at"], utc=True)
    for col in ("deadline", "closed_at"):
        ev[col] = pd.to_datetime(ev[col], utc=True)
    scope = ~ev["filing_only"].astype(bool)
    if f.town_id is not None:
        scope &= ev["town_id"] == f.town_id
    if f.village_id is not None:
        scope &= ev["village_id"] == f.village_id
    if f.category_code is not None:
        scope &= ev["category_code"] == f.category_code
    ev = ev[scope].set_index("id")
    steps = steps[steps["at"] <= end]
    disp = steps[
        (steps["action"] == "dispatch") & (steps["to_level"] == "department") & steps["event_id"].isin(ev.index)
    ]
    asg = (
        disp.groupby(["event_id", "to_unit_id"])["at"]
        .min()
        .reset_index()
        .rename(columns={"to_unit_id": "dept", "at": "t0"})
    )
    m = asg.merge(steps, on="event_id")
    own = ((m["from_level"] == "department") & (m["from_unit_id"] == m["dept"])) | (
        (m["action"] == "reject") & (m["to_level"] == "department") & (m["to_unit_id"] == m["dept"])
    )
    m = m[own & (m["at"] >= m["t0"])]
    key = ["event_id", "dept"]
    for name, action, how in (("acc", "accept", "min"), ("done", "complete", "max"), ("ret", "return", "min")):
        part = m[m["action"] == action].groupby(key)["at"].agg(how).rename(name)
        asg = asg.merge(part, left_on=key, right_index=True, how="left")
    rej = m[m["action"] == "reject"].groupby(key).size().rename("rej")
    asg = asg.merge(rej, left_on=key, right_index=True, how="left").fillna({"rej": 0})
    asg = asg.join(ev[["deadline", "closed_at", "satisfaction"]], on="event_id")
    kept = asg["ret"].isna()
    asg.loc[~kept, "done"] = pd.NaT
    asg["open"] = kept & asg["done"].isna() & (asg["closed_at"].isna() | (asg["closed_at"] > end))
    asg["overdue"] = asg["open"] & (asg["deadline"] < end)
    backlog = asg.groupby("dept")[["open", "overdue"]].sum()
    p = asg[asg["t0"] >= start].copy()
    kept = p["ret"].isna()
    p["complete_h"] = (p["done"] - p["t0"]).dt.total_seconds() / 3600
    p["accept_h"] = (p["acc"] - p["t0"]).dt.total_seconds() / 3600
    p["is_done"] = p["done"].notna()
    p["due_or_done"] = kept & (p["is_done"] | (p["deadline"] <= end))
    p["on_time"] = p["is_done"] & (p["done"] <= p["deadline"])
    p["rejected"] = p["is_done"] & (p["rej"] > 0)
    rated = kept & p["closed_at"].notna() & (p["closed_at"] <= end) & p["satisfaction"].notna()
    p["sat"] = p["satisfaction"].where(rated)
    g = p.groupby("dept")
    out = pd.DataFrame(
        {
            "received": g.size(),
            "returned": g["ret"].count(),
            "completed": g["is_done"].sum(),
            "on_time": g["on_time"].sum(),
            "due_or_done": g["due_or_done"].sum(),
            "rejected": g["rejected"].sum(),
            "complete_h_median": g["complete_h"].median(),
            "complete_h_p90": g["complete_h"].quantile(0.9),
            "accept_h_median": g["accept_h"].median(),
            "accept_h_p90": g["accept_h"].quantile(0.9),
            "satisfaction_avg": g["sat"].mean(),
        }
    )
    out["on_time_rate"] = out["on_time"] / out["due_or_done"].where(out["due_or_done"] > 0)
    out["return_rate"] = out["returned"] / out["received"]
    out["rework_rate"] = out["rejected"] / out["completed"].where(out["completed"] > 0)
    out = out.join(backlog, how="outer").fillna({"open": 0, "overdue": 0, "received": 0})
    return out.rename(columns={"open": "open_now", "overdue": "overdue_now"})


COMPARED = [
    "received",
    "returned",
    "completed",
    "on_time",
    "due_or_done",
    "rejected",
    "complete_h_median",
    "complete_h_p90",
    "accept_h_median",
    "accept_h_p90",
    "on_time_rate",
    "return_rate",
    "rework_rate",
    "satisfaction_avg",
    "open_now",
    "overdue_now",
]


def assert_matches_truth(engine, f: Filters) -> int:
    truth = pandas_truth(engine, f)
    got = dep.department_table(engine, f).set_index("department_id")
    assert set(got.index) == set(truth.index[(truth["received"] > 0) | (truth["open_now"] > 0)])
    for col in COMPARED:
        a = got[col].astype(float).sort_index()
        b = truth.loc[got.index, col].astype(float).sort_index()
        pd.testing.assert_series_equal(a, b, check_names=False, rtol=1e-6, atol=1e-6, obj=col)
    return len(got)


# --- hand-made ledger ------------------------------------------------------------------------------


def test_hand_ledger_numbers(hand_engine):
    got = dep.department_table(hand_engine, march()).set_index("department_id")
    for d, expected in HAND_EXPECTED.items():
        for key, value in expected.items():
            assert got.loc[d, key] == pytest.approx(value), (d, key)
    assert got.loc[1, "on_time_rate"] == pytest.approx(1 / 3) and got.loc[1, "return_rate"] == 0
    assert got.loc[2, "return_rate"] == pytest.approx(1 / 3) and got.loc[2, "on_time_rate"] == 1.0
    assert got.loc[2, "rework_rate"] == 1.0 and got.loc[1, "closure_rate"] == pytest.approx(2 / 3)
    county = dep.county_reference(hand_engine, march()).iloc[0]
    assert county["received"] == 6 and county["complete_h_median"] == pytest.approx(22.0)
    assert county["on_time_rate"] == pytest.approx(0.5) and county["return_rate"] == pytest.approx(1 / 6)


def test_hand_ledger_matches_pandas(hand_engine):
    assert assert_matches_truth(hand_engine, march()) == 2
    assert assert_matches_truth(hand_engine, march(town_id=fc.TOWN_WEST)) == 2  # D1 (H102, H104), D2 (H102)


def test_hand_filters(hand_engine):
    safety = dep.department_table(hand_engine, march(category_code="public_safety")).set_index("department_id")
    assert safety.loc[1, "received"] == 1 and safety.loc[2, "received"] == 1  # H104, H103
    # Before March began only H106 had been dispatched, and it was still open and overdue.
    feb = Filters(date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 2, 28), as_of=fc.AS_OF)
    got = dep.department_table(hand_engine, feb).set_index("department_id")
    assert list(got.index) == [1] and got.loc[1, "received"] == 1 and got.loc[1, "overdue_now"] == 1


def test_hand_breakdowns_and_box(hand_engine):
    month = dep.response_by(hand_engine, march(), "month", 1)
    assert month["bucket"].tolist() == ["2026-03"] and month["received"].tolist() == [3]
    by_town = dep.response_by(hand_engine, march(), "town").set_index("bucket")
    assert by_town.loc[fc.TOWN_WEST, "received"] == 3 and by_town.loc[fc.TOWN_EAST, "received"] == 3
    box = dep.box_stats(hand_engine, march(), "complete").set_index("department_id")
    assert box.loc[1, "median"] == pytest.approx(83.0) and box.loc[1, "q1"] == pytest.approx(52.5)
    assert box.loc[1, "lowerfence"] == pytest.approx(22.0) and box.loc[1, "upperfence"] == pytest.approx(144.0)
    assert box.loc[2, "n"] == 1 and box.loc[2, "median"] == pytest.approx(12.0)


def test_hand_oldest_open_paged(hand_engine):
    first = dep.oldest_open(hand_engine, march(), 1, limit=1)
    assert first["code"].tolist() == ["H106"] and bool(first["overdue"].iloc[0])
    assert first["town"].iloc[0] == "东城街道" and first["grid"].iloc[0] == "河西社区第1网格"
    waited = (fc.AS_OF - dt.datetime(2026, 2, 20, 10, tzinfo=TZ)).total_seconds() / 3600
    assert first["waited_hours"].iloc[0] == pytest.approx(waited)
    second = dep.oldest_open(hand_engine, march(), 1, limit=1, offset=1)
    assert second["code"].tolist() == ["H104"]
    assert dep.oldest_open(hand_engine, march(), 1, limit=5, offset=2).empty


def test_bad_dimension_is_refused(hand_engine):
    with pytest.raises(ValueError):
        dep.response_by(hand_engine, march(), "grid; drop table events")


# --- tiny profile against pandas ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "kw",
    [dict(days=92), dict(days=30), dict(days=92, town_id=2), dict(days=92, category_code="city_mgmt")],
    ids=["92d", "30d", "town", "category"],
)
def test_tiny_matches_pandas(tiny_engine, kw):
    n = assert_matches_truth(tiny_engine, tiny_filters(**kw))
    assert n >= 3


def test_tiny_monthly_trend_adds_up(tiny_engine):
    f = tiny_filters(92)
    months = dep.response_by(tiny_engine, f, "month")
    county = dep.county_reference(tiny_engine, f).iloc[0]
    assert months["bucket"].tolist() == dep.local_months(f)
    assert months["received"].sum() == county["received"] and months["returned"].sum() == county["returned"]
    cats = dep.response_by(tiny_engine, f, "category")
    assert cats["received"].sum() == county["received"]


# --- score and rule --------------------------------------------------------------------------------


def test_score_formula_uses_the_rule_values():
    table = pd.DataFrame(
        {
            "received": [20, 10, 5],
            "closure_rate": [1.0, 0.5, 1.0],
            "on_time_rate": [0.5, 1.0, 1.0],
            "rework_rate": [0.1, 0.0, 0.0],
            "rating_avg": [90.0, 80.0, 70.0],
        }
    )
    rules = {
        "score_weight_closure": 0.3,
        "score_weight_on_time": 0.4,
        "score_weight_rework": 0.2,
        "score_weight_volume": 0.1,
        "min_received_for_rank": 10,
        "mismatch_robust_z": 3.5,
    }
    out = dep.score_and_mismatch(table, rules)
    assert out["score"].iloc[0] == pytest.approx(100 * (0.3 + 0.4 * 0.5 + 0.2 * 0.9 + 0.1))
    assert out["score"].iloc[1] == pytest.approx(100 * (0.3 * 0.5 + 0.4 + 0.2 + 0.1 * 0.5))
    assert pd.isna(out["score"].iloc[2])  # below the minimum volume


def test_department_rules_come_from_the_store(hand_engine):
    rules = dep.department_rules(hand_engine).set_index("key")
    assert set(rules.index) == set(dep.RULE_KEYS) and (rules["source"] == "store").all()
    assert rules["value"][[k for k in dep.RULE_KEYS if k.startswith("score_weight")]].sum() == pytest.approx(1.0)


# --- the page ------------------------------------------------------------------------------------


@pytest.fixture
def hand_app(monkeypatch, hand_sqlite):

    point_app_at(monkeypatch, hand_sqlite, fc.AS_OF_ISO)
    return hand_sqlite


def open_page(**query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    for k, v in query.items():
        at.query_params[k] = v
    login(at, "leader")
    at.switch_page("pages/department_response.py").run()
    at.sidebar.date_input(key="filter_dates").set_value((fc.DATE_FROM, fc.DATE_TO)).run()
    return at


# A read-only st.dataframe carries no key in its proto: each table is told by a column only it has.
TABLE_MARKS = {"dept_table": ("综合得分", "Score"), "dept_slow_table": ("当前超期", "Overdue now")}


def screen_element(at: AppTest, key: str = "dept_table"):
    """The element of the table `key`: the full table holds the score, the slow table leads with
    the overdue count (the full table has it too, but later)."""
    marks = TABLE_MARKS[key]
    for d in at.dataframe:
        columns = list(d.value.columns)
        if key == "dept_table" and any(m in columns for m in marks):
            return d
        if key == "dept_slow_table" and len(columns) > 1 and columns[1] in marks:
            return d
    raise AssertionError(f"no table {key} on the page")


def screen_table(at: AppTest, key: str = "dept_table") -> pd.DataFrame:
    return screen_element(at, key).value


def test_page_shows_the_ledger(hand_app):
    at = open_page()
    assert not at.exception
    shown = screen_table(at).set_index("部门")
    assert shown.loc["全县(全部部门)", "收到"] == 6
    assert shown.loc["综合行政执法局", "收到"] == 3 and shown.loc["综合行政执法局", "当前超期"] == 2
    assert shown.loc["综合行政执法局", "按期处置率"] == pytest.approx(0.3333)
    assert shown.loc["综合行政执法局", "办结中位(小时)"] == pytest.approx(83.0)
    assert shown.loc["公安局", "退回率"] == pytest.approx(0.3333)
    helps = " ".join(str(e.proto) for e in at.caption) + " ".join(e.value for e in at.caption)
    assert "得分 = 100 × (0.3 × 结案率 + 0.4 × 按期处置率 + 0.2 × (1 − 返工率) + 0.1 × 处置量占比)" in helps
    assert at.selectbox(key="dept_chart_measure") is not None and at.radio(key="dept_box_measure") is not None


def test_focus_department_lists_its_oldest_items(hand_app):
    at = open_page()
    at.selectbox(key="dept_focus").set_value(1).run()
    assert not at.exception
    listing = next(d.value for d in at.dataframe if "事件编号" in d.value.columns)
    assert listing["事件编号"].tolist() == ["H106", "H104"]
    assert listing["超期"].tolist() == ["是", "是"]
    by_cat = next(d.value for d in at.dataframe if "事件大类" in d.value.columns and "收到" in d.value.columns)
    assert by_cat.set_index("事件大类")["收到"].to_dict() == {"城市管理": 2, "公共安全与法治": 1}


def test_url_parameter_picks_the_department_or_says_why_not(hand_app):
    at = open_page(department="2")
    assert not at.exception and at.selectbox(key="dept_focus").value == 2
    at = open_page(department="99x")
    assert not at.exception
    assert any("department=99x" in w.value for w in at.warning)
    assert chosen(at.selectbox(key="dept_focus").value) is None


def test_english_switch(hand_app):
    at = open_page()
    at.sidebar.toggle(key="lang_en").set_value(True).run()
    assert not at.exception
    shown = screen_table(at).set_index("Department")
    assert shown.loc["Comprehensive Law Enforcement Bureau", "Received"] == 3
    assert at.title[0].value == "Department response"


def test_xlsx_export_holds_the_screen_numbers(hand_app, monkeypatch):
    from streamlit.delta_generator import DeltaGenerator

    from ui.export import csv_bytes

    captured = {}
    real = DeltaGenerator.download_button

    def capture(self, label, data, *args, **kwargs):
        if label == "XLSX" and kwargs.get("key") == "dept_export_xlsx":
            captured["xlsx"] = data() if callable(data) else data  # made on click: make it here
        return real(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", capture)
    at = open_page()
    assert not at.exception
    shown = screen_table(at)
    book = openpyxl.load_workbook(io.BytesIO(captured["xlsx"]), read_only=True)
    assert book.sheetnames[0] == "说明"  # the About sheet first, then the table
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    assert list(rows[0]) == list(shown.columns)
    exported = pd.DataFrame(rows[1:], columns=rows[0])
    assert len(exported) == len(shown)
    for col in shown.columns:
        a = pd.to_numeric(shown[col], errors="coerce")
        if a.notna().any():
            pd.testing.assert_series_equal(
                pd.to_numeric(exported[col], errors="coerce").astype(float), a.astype(float), check_names=False, obj=col
            )
        else:
            # A value that does not exist is "—" in the files as on screen (the placeholder).
            assert exported[col].tolist() == shown[col].astype(object).where(shown[col].notna(), "—").tolist()
    csv = csv_bytes(shown).decode("utf-8-sig")
    assert csv.splitlines()[0].split(",")[:3] == ["部门", "综合得分", "收到"]


def test_page_on_the_tiny_county(monkeypatch, tiny_sqlite):

    point_app_at(monkeypatch, tiny_sqlite, TINY_END)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    login(at, "leader")
    f = tiny_filters(92)
    at.switch_page("pages/department_response.py").run()
    at.sidebar.date_input(key="filter_dates").set_value((f.date_from, f.date_to)).run()
    assert not at.exception and at.sidebar.date_input(key="filter_dates").value == (f.date_from, f.date_to)
    truth = pandas_truth(create_store_engine(tiny_sqlite), f)
    shown = screen_table(at)
    assert shown["收到"].iloc[0] == truth["received"].sum()  # the county row pools them all
    busiest = truth["received"].idxmax()
    at.selectbox(key="dept_focus").set_value(int(busiest)).run()
    assert not at.exception
    for option in (
        "complete_h_median",
        "complete_h_p90",
        "accept_h_median",
        "on_time_rate",
        "return_rate",
        "rework_rate",
    ):
        at.selectbox(key="dept_chart_measure").set_value(option).run()
        assert not at.exception
    at.radio(key="dept_box_measure").set_value("accept").run()
    assert not at.exception


def test_page_without_department_work_says_so(app_env):
    # The plain fixture county has no dispatches to departments at all.
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    login(at, "leader")
    at.switch_page("pages/department_response.py").run()
    assert not at.exception
    assert any("没有派给部门的事件" in i.value for i in at.info)


def test_oldest_items_are_paged_on_the_sample_county(monkeypatch):

    from data_access.filters import default_filters
    from data_access.units import latest_report_date
    from tests.test_department_planted import END, shared_county

    url = shared_county(7, build=True)
    engine = create_store_engine(url)
    f = default_filters(latest_report_date(engine), as_of=dt.datetime.fromisoformat(END))
    table = dep.department_table(engine, f).set_index("department_id")
    busiest = int(table["open_now"].idxmax())
    n_open = int(table.loc[busiest, "open_now"])
    per = 5  # the healthy sample county holds single-digit open items per department
    assert n_open > per, "the sample county should hold a department with more than one page of open items"
    second_page = dep.oldest_open(engine, f, busiest, per, per)
    engine.dispose()
    point_app_at(monkeypatch, url, END)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    login(at, "leader")
    at.switch_page("pages/department_response.py").run()
    at.selectbox(key="dept_focus").set_value(busiest).run()
    at.selectbox(key="dept_oldest_page_size").set_value(per).run()
    assert not at.exception
    pager = next(w for w in at.get("pagination") if w.key == "dept_oldest_page")
    assert pager.num_pages == -(-n_open // per)
    pager.set_value(2).run()
    assert not at.exception
    listing = next(d.value for d in at.dataframe if "事件编号" in d.value.columns)
    assert listing["事件编号"].tolist() == second_page["code"].tolist()


def test_a_town_users_reference_row_names_the_town(hand_app, monkeypatch):
    """The first row pools every department over the town a town user sees: it says the town,
    not 全县 (it held the town's numbers under the county's name, also in the CSV)."""
    import json

    from streamlit.delta_generator import DeltaGenerator

    from data_access import units
    from data_access.filters import Scope

    captured = {}
    real = DeltaGenerator.download_button

    def capture(self, label, data, *args, **kwargs):
        if kwargs.get("key") in ("dept_export_csv", "dept_export_xlsx"):
            captured[label.lower()] = data() if callable(data) else data
        return real(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", capture)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    login(at, "town")
    at.switch_page("pages/department_response.py").run()
    at.sidebar.date_input(key="filter_dates").set_value((fc.DATE_FROM, fc.DATE_TO)).run()
    assert not at.exception
    from sqlalchemy import create_engine

    from data_access.users import get_user

    engine = create_engine(hand_app)
    town_id = get_user(engine, "town").town_id
    town = units.towns(engine, Scope("town", town_id))["name"].iloc[0]
    first = screen_table(at).iloc[0, 0]
    assert first == f"{town}(全部部门)" and "全县" not in first
    # ... and so do the CSV and XLSX the page offers (made here as a click would make them).
    for name in ("csv", "xlsx"):
        made = captured[name]
        if name == "csv":
            first_cell = made.decode("utf-8-sig").splitlines()[1].split(",")[0]
        else:
            rows = list(
                openpyxl.load_workbook(io.BytesIO(made), read_only=True).worksheets[1].iter_rows(values_only=True)
            )
            first_cell = rows[1][0]
        assert first_cell == f"{town}(全部部门)", name
    assert any(town in c.value for c in at.caption)  # the caption names the same row
    # Every point of the ratings scatter is labelled with its department.
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    scatter = next((c for c in charts if any(tr.get("type") == "scatter" and tr.get("text") for tr in c["data"])), None)
    if scatter is not None:
        assert all("text" in tr["mode"] for tr in scatter["data"] if tr.get("type") == "scatter")


# --- tabs, who is slow now, "—" with its reason, the running month ---------------------------------
DASH_REASON_COLUMNS = ("综合得分", "镇街评价", "评价与数据")


def table_texts(at: AppTest) -> list[str]:
    """Every present cell of every table on the page, as text (a missing one, None or NaN, is drawn
    by the table's placeholder "—"; the text "None" or "nan" would be drawn as such)."""
    return [str(v) for d in at.dataframe for v in d.value.astype(object).to_numpy().ravel() if not pd.isna(v)]


def test_the_first_tab_answers_who_is_slow_now(hand_app):
    at = open_page()
    assert not at.exception
    assert at.get_by_key("dept_tabs") is not None  # the tab container, by key
    assert [tab.label for tab in at.tabs] == ["当前谁慢", "全部指标", "趋势与构成", "街呼区应"]
    first = at.tabs[0]
    slow = next(d.value for d in first.dataframe)  # the first table of the first tab
    assert list(slow.columns[:3]) == ["部门", "当前超期", "当前在办"]
    truth = dep.department_table(create_store_engine(hand_app), march()).set_index("name")
    assert slow["部门"].iloc[0] == truth["overdue_now"].idxmax() == "综合行政执法局"
    assert slow["当前超期"].tolist() == sorted(slow["当前超期"], reverse=True)
    for _, row in slow.iterrows():
        assert row["当前超期"] == truth.loc[row["部门"], "overdue_now"]
        assert row["当前在办"] == truth.loc[row["部门"], "open_now"]
    said = " ".join(m.value for m in first.markdown)
    assert "超期最多的是 **综合行政执法局**(2 件)" in said and "其中超期 **2** 件" in said
    assert first.selectbox(key="dept_chart_measure") is not None  # the comparison sits in the first tab
    assert at.tabs[1].dataframe[0].value.columns[1] == "综合得分"  # every measure in the second


def test_missing_values_show_a_dash_and_say_why(hand_app):
    import json

    at = open_page()
    assert not at.exception
    rules_df = dep.department_rules(create_store_engine(hand_app))
    rules = dict(zip(rules_df["key"], rules_df["value"]))
    element = screen_element(at)
    shown = element.value
    assert all(d.proto.placeholder == "—" for d in at.dataframe)  # no table draws "None"
    helps = {name: spec.get("help", "") for name, spec in json.loads(element.proto.columns).items()}
    min_n = int(rules["min_received_for_rank"])
    assert f"收到不足 {min_n} 件的部门不评分" in helps["综合得分"] and "全县(全部部门)" in helps["综合得分"]
    assert "没有镇街给该部门评价" in helps["镇街评价"]
    assert "一致" in helps["评价与数据"] and "高于数据" in helps["评价与数据"] and "“—”:未作比较" in helps["评价与数据"]
    # The hand county has no ratings and too few events to score: every such cell is missing (drawn
    # "—"), never the text "None" or "nan", and the reference row is not scored.
    for col in DASH_REASON_COLUMNS:
        assert shown[col].isna().all(), col
    texts = table_texts(at)
    assert "None" not in texts and "nan" not in texts and "" not in texts


def test_rating_vs_data_reads_consistent_above_or_below(monkeypatch, tiny_sqlite):
    point_app_at(monkeypatch, tiny_sqlite, TINY_END)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    login(at, "leader")
    f = tiny_filters(92)
    at.switch_page("pages/department_response.py").run()
    at.sidebar.date_input(key="filter_dates").set_value((f.date_from, f.date_to)).run()
    assert not at.exception
    truth = dep.department_table(create_store_engine(tiny_sqlite), f).set_index("name")
    shown = screen_table(at).set_index("部门").iloc[1:]  # after the reference row
    words = {"": "一致", "rated_above_data": "高于数据", "rated_below_data": "低于数据"}
    compared = truth["z_gap"].notna()
    assert compared.any(), "the tiny county should rate some departments"
    for name, row in shown.iterrows():
        if compared[name]:
            assert row["评价与数据"] == words[truth.loc[name, "mismatch"]], name
            assert row["综合得分"] == pytest.approx(round(truth.loc[name, "score"], 2))
        else:
            assert pd.isna(row["评价与数据"]), name  # drawn "—"; the column help says why
    assert set(shown["评价与数据"].dropna()) <= set(words.values())
    # The ratings scatter names every point: one text per compared department, its own name.
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    scatter = next(c for c in charts if any(tr.get("mode") == "markers+text" for tr in c["data"]))
    labelled = [name for tr in scatter["data"] for name in tr.get("text", [])]
    assert sorted(labelled) == sorted(truth.index[compared])
    assert "None" not in table_texts(at) and "nan" not in table_texts(at)
    at.sidebar.toggle(key="lang_en").set_value(True).run()
    english = screen_table(at)["Rating vs data"].dropna()
    assert set(english) <= {"consistent", "above data", "below data"} and len(english) == compared.sum()


def test_the_running_month_is_marked_partial(hand_app):
    import json

    at = open_page()
    assert not at.exception
    charts = {c.proto.spec: json.loads(c.proto.spec) for c in at.get("plotly_chart")}
    trend = next(c for c in charts.values() if any(tr.get("type") == "bar" and tr.get("text") for tr in c["data"]))
    bars = next(tr for tr in trend["data"] if tr.get("type") == "bar")
    # The fixture's clock stands at 2026-03-31 18:00: March is not over yet.
    assert bars["x"][-1] == "2026-03(截至 31 日)"
    assert trend["layout"]["yaxis"]["tickformat"] == ",d" and trend["layout"]["yaxis"]["dtick"] >= 1
    at.sidebar.toggle(key="lang_en").set_value(True).run()
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    trend = next(c for c in charts if any(tr.get("type") == "bar" and tr.get("text") for tr in c["data"]))
    assert next(tr for tr in trend["data"] if tr.get("type") == "bar")["x"][-1] == "2026-03 (to day 31)"


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("role", ["leader", "town"])
def test_every_tab_speaks_one_language(hand_app, role, language):
    """The language test's plain county has no department work (the page only says so): here every
    tab is drawn, with its tables, charts and "—" reasons, and read for the other language."""
    from tests.test_language import _leaks, _names, _visible

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    login(at, role)
    at.switch_page("pages/department_response.py").run()
    at.sidebar.date_input(key="filter_dates").set_value((fc.DATE_FROM, fc.DATE_TO)).run()
    if language == "en":  # the last run (AppTest reads a select's value outside the run, in Chinese)
        at.sidebar.toggle(key="lang_en").set_value(True).run()
    assert not at.exception
    assert len(at.tabs) == 4
    texts = _visible(at) + [tab.label for tab in at.tabs]
    for d in at.dataframe:  # the column help, where the reasons for a "—" are written
        texts += [spec.get("help", "") for spec in json.loads(d.proto.columns or "{}").values()]
    problems = _leaks(texts, language, _names(hand_app))
    assert not problems, "\n".join(problems)
