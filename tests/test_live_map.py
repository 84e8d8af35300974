"""The live map: data access on the fixture (SQLite and PostgreSQL), against an independent pandas
computation on the generator's tiny county, shapes and deck size, and the page through AppTest."""

from __future__ import annotations

import datetime as dt
import json
import pickle
from pathlib import Path

import pandas as pd
import pytest
import shapely
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from data_access import live
from data_access.filters import FilterError, Filters, local_date
from data_access.store import create_store_engine
from geo.layers import JsonDeck, class_breaks, deck, fit_view
from geo.live import shapes, simplify_coverage, tile_layer_from_env, unit_layer
from tests import fixture_county as fc
from tests.conftest import login, sample_county_url
from tests.fixture_county import march

ROOT = Path(__file__).resolve().parent.parent
TINY_END = dt.datetime(2026, 11, 22, 10, 0, tzinfo=fc.TZ)


# --- fixture: numbers worked out from the ledger in fixture_county.py ---------------------------


def test_county_numbers_match_the_ledger(engine):
    row = live.unit_numbers(engine, march(), fc.AS_OF, "county").iloc[0]
    assert (row.open_events, row.overdue_events, row.events_reported) == (4, 3, 8)
    assert (row.on_time_closed, row.due_or_closed) == (3, 6)
    assert (row.workers_checked_in, row.workers_active) == (2, 6)
    assert row.residents == 2100 and row.events_per_1000_residents == pytest.approx(8 * 1000 / 2100)


def test_town_numbers_and_filter_narrowing(engine):
    towns = live.unit_numbers(engine, march(), fc.AS_OF, "town").set_index("unit_id")
    assert towns.loc[fc.TOWN_EAST, ["open_events", "overdue_events"]].tolist() == [2, 2]
    assert towns.loc[fc.TOWN_WEST, ["open_events", "overdue_events"]].tolist() == [2, 1]
    # the sidebar town filter leaves only that town, whatever scope is asked for
    only_west = live.unit_numbers(engine, march(town_id=fc.TOWN_WEST), fc.AS_OF, "town")
    assert only_west["unit_id"].tolist() == [fc.TOWN_WEST]


def test_micro_grid_numbers_and_masked_responsible(engine):
    mg = live.unit_numbers(engine, march(), fc.AS_OF, "micro_grid", "grid", 1).set_index("unit_id")
    # micro-grid 1: E7 open and overdue; E1 and E7 reported in March (E1 on time, E7 due and open)
    assert mg.loc[
        1, ["open_events", "overdue_events", "events_reported", "on_time_closed", "due_or_closed"]
    ].tolist() == [1, 1, 2, 1, 2]
    assert mg.loc[1, "events_per_1000_residents"] == pytest.approx(5.0)
    assert mg.loc[2, ["open_events", "events_reported"]].tolist() == [0, 1]
    grid = live.unit_numbers(engine, march(), fc.AS_OF, "grid", "grid", 1).iloc[0]
    assert grid.responsible == "张伟 138****1234"  # the full-time worker; phone masked in SQL
    assert "13812341234" not in grid.responsible


def test_live_clock_not_the_date_range(engine):
    # A February range: backlog is still measured now (E4, E5, E7, E9 open), reports follow the range.
    feb = Filters(date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 2, 28), as_of=fc.AS_OF)
    row = live.unit_numbers(engine, feb, fc.AS_OF, "county").iloc[0]
    assert row.open_events == 4 and row.events_reported == 3


def test_path_validation(engine):
    path = live.unit_path(engine, "micro_grid", 1)
    assert path["level"].tolist() == list(live.LEVELS)
    assert path["name"].tolist() == ["示例县", "东城街道", "河西社区", "河西社区第1网格", "河西社区第1网格微网格1"]
    for level, unit in (("town", 4), ("micro_grid", 999), ("planet", 1), ("grid", None)):
        with pytest.raises(FilterError):
            live.unit_path(engine, level, unit)


def test_points_lists_and_alerts(engine):
    f = march()
    pts = live.open_event_points(engine, f, fc.AS_OF, "county", None, recent_minutes=600)
    assert set(pts["code"]) == {"E4", "E5", "E7", "E9"}
    assert set(pts.loc[pts["overdue"], "code"]) == {"E4", "E7", "E9"}
    assert set(pts.loc[pts["recent"], "code"]) == {"E7"}  # reported 09:00, 9 h before 18:00
    capped = live.open_event_points(engine, f, fc.AS_OF, "county", None, limit=2)
    assert capped["code"].tolist() == ["E7", "E5"]
    alerts = live.overdue_alerts(engine, f, fc.AS_OF, "county", None)
    assert alerts["code"].tolist() == ["E9", "E4", "E7"] and alerts["total"].iloc[0] == 3
    assert alerts["overdue_hours"].tolist() == pytest.approx([825.0, 153.0, 5.0])
    ticker = live.newest_events(engine, f, fc.AS_OF, "town", fc.TOWN_WEST, limit=2)
    assert ticker["code"].tolist() == ["E5", "E6"]
    crew = live.worker_positions(engine, f, fc.AS_OF, "county", None)
    assert sorted(crew["name"]) == ["张伟", "王芳"]  # 李强 checked in at 19:00, after now
    assert crew["phone"].str.fullmatch(r"\d{3}\*{4}\d{4}").all()
    silent = live.grids_without_checkin(engine, f, fc.AS_OF, "county", None)
    assert silent["grid_id"].tolist() == [3, 4] and silent["total"].iloc[0] == 2
    density = live.event_density(engine, f, "county", None)
    assert density["n"].sum() == 8


# --- the generator's tiny county: independent pandas computation -------------------------------


@pytest.fixture(scope="module")
def tiny_url(tmp_path_factory) -> str:
    from tests.conftest import tiny_sqlite_copy

    url = tiny_sqlite_copy(tmp_path_factory.mktemp("tiny") / "tiny.db", 7)
    return url


def test_grid_numbers_equal_pandas_on_tiny(tiny_url):
    eng = create_store_engine(tiny_url)
    now = TINY_END.astimezone(dt.UTC)
    f = Filters(date_from=dt.date(2026, 10, 24), date_to=local_date(now), as_of=now)
    got = live.unit_numbers(eng, f, now, "grid").set_index("unit_id")
    with eng.connect() as conn:
        ev = pd.read_sql(text("SELECT * FROM events"), conn)
        grids = pd.read_sql(text("SELECT id, residents FROM grids"), conn).set_index("id")
    for col in ("reported_at", "closed_at", "deadline"):
        ev[col] = pd.to_datetime(ev[col], utc=True)
    ev["report_date"] = pd.to_datetime(ev["report_date"]).dt.date
    ts = pd.Timestamp(now)
    backlog = ev[
        ~ev["filing_only"].astype(bool) & (ev["reported_at"] <= ts) & (ev["closed_at"].isna() | (ev["closed_at"] > ts))
    ]
    open_n = backlog.groupby("grid_id").size()
    overdue_n = backlog[backlog["deadline"] < ts].groupby("grid_id").size()
    period = ev[(ev["report_date"] >= f.date_from) & (ev["report_date"] <= f.date_to)]
    reported = period.groupby("grid_id").size()
    for gid in grids.index:
        assert got.loc[gid, "open_events"] == open_n.get(gid, 0)
        assert got.loc[gid, "overdue_events"] == overdue_n.get(gid, 0)
        assert got.loc[gid, "events_reported"] == reported.get(gid, 0)
        assert got.loc[gid, "events_per_1000_residents"] == pytest.approx(
            reported.get(gid, 0) * 1000 / grids.loc[gid, "residents"]
        )
    assert got["open_events"].sum() == len(backlog)
    eng.dispose()


# --- shapes ---------------------------------------------------------------------------------------


def test_coverage_simplification_keeps_topology_and_micro_grids_stay_under_1_3mb(tiny_url):
    eng = create_store_engine(sample_county_url(7))  # the whole county's micro-grids
    raw = live.unit_shapes(eng, "micro_grid")
    simple = simplify_coverage(raw)
    geoms = shapely.from_wkt(simple["boundary_wkt"].to_numpy())
    assert shapely.coverage_is_valid(geoms) and shapely.is_valid(geoms).all()
    assert (
        shapely.get_num_coordinates(geoms).sum()
        <= shapely.get_num_coordinates(shapely.from_wkt(raw["boundary_wkt"].to_numpy())).sum()
    )
    shp = shapes(raw, keep=("unit_id", "name", "centroid_lon", "centroid_lat"))
    # what is sent (rounded, rings left open) still tiles the county: no overlaps, no gaps
    sent_polys = shapely.polygons([shapely.linearrings(p[0]) for p in shp["polygon"]])
    assert shapely.is_valid(sent_polys).all() and shapely.coverage_is_valid(sent_polys)
    assert shapely.union_all(sent_polys).area == pytest.approx(shapely.area(sent_polys).sum(), rel=1e-9)
    numbers = live.unit_numbers(
        eng,
        Filters(date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 22), as_of=TINY_END),
        TINY_END,
        "micro_grid",
    )
    units = shp.merge(numbers.drop(columns=["name"]), on="unit_id").assign(
        name="某某社区第1网格微网格1",
        line1="在办 3 · 超期 1",
        line2="每千人 12.3 · 按期办结率 97.5%",
        line3="今日签到 1 / 2",
        line4="张三 138****1234",
    )
    county = deck([unit_layer(units, "open_events", class_breaks(units["open_events"]), "units")], fit_view(units))
    size = len(county.to_json().encode("utf-8"))
    print(f"micro-grid layer: {len(raw)} micro-grids, {size / 1e6:.2f} MB")
    assert size <= 1_300_000  # issue 10: ≤ 1.5 MB, with room for longer names and numbers
    # no base map: no style and no provider is sent, so the frontend requests no tiles
    sent = json.loads(county.to_json())
    assert "mapStyle" not in sent or sent["mapStyle"] == "__MAP_STYLE__"
    assert sent.get("mapProvider") is None
    # shared across sessions through st.cache_data (pickled): the same JSON and tooltip come back
    tip = {"html": "{tip}", "style": {"fontSize": "12px"}}
    with_tip = deck(
        [unit_layer(units, "open_events", class_breaks(units["open_events"]), "units")], fit_view(units), tooltip=tip
    )
    shared = pickle.loads(pickle.dumps(JsonDeck.of(with_tip)))
    assert shared.to_json() == with_tip.to_json() and shared._tooltip == tip and shared.layers == []
    eng.dispose()


def test_tile_layer_only_when_configured():
    assert tile_layer_from_env({}) is None
    layer = tile_layer_from_env({"GRID_TILE_URL": "http://tiles.intra/{z}/{x}/{y}.pbf"})
    assert layer.type == "MVTLayer" and layer.data == "http://tiles.intra/{z}/{x}/{y}.pbf"


# --- the page -----------------------------------------------------------------------------------


def open_page(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    login(at, "leader")
    at.sidebar.date_input(key="filter_dates").set_value((fc.DATE_FROM, fc.DATE_TO)).run()
    at.switch_page("pages/live_map.py")
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    return at


def shown(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_page_county_view(app_env):
    at = open_page()
    assert not at.exception
    got = shown(at)
    assert got["在办事件(实时)"] == "4" and got["超期事件(实时)"] == "3"
    assert got["按期办结率"] == "50.0%" and got["今日签到(实时)"] == "2 / 6"
    assert at.selectbox(key="live_map_metric").value == "live_open_events"
    assert len(at.get("deck_gl_json_chart")) == 1
    table = next(d.value for d in at.dataframe if "单元" in d.value.columns)  # the units table
    assert table.set_index("单元")["在办"].to_dict() == {"东城街道": 2, "白鹤镇": 2}


def units_element(at: AppTest):
    return next(d for d in at.dataframe if "单元" in d.value.columns)


def test_responsible_worker_is_a_dash_with_the_reason_above_the_grid(app_env):
    """Towns and villages have no single responsible worker: the column is "—" (never empty) and its
    help says why; at the grid level it names the workers."""
    import json

    at = open_page()  # the county view lists towns
    assert not at.exception
    element = units_element(at)
    assert element.value["责任网格员"].isna().all() and element.proto.placeholder == "—"
    helps = {k: v.get("help", "") for k, v in json.loads(element.proto.columns).items()}
    assert "没有单一的责任网格员" in helps["责任网格员"]
    at = open_page({"level": "village", "unit": "4"})  # 河西社区: a village view lists its grids
    assert not at.exception and not at.warning
    element = units_element(at)
    workers = element.value["责任网格员"]
    assert workers.notna().any() and "" not in workers.dropna().tolist()
    assert all("****" in w for w in workers.dropna())  # names with masked phones
    helps = {k: v.get("help", "") for k, v in json.loads(element.proto.columns).items()}
    assert "没有在岗的责任网格员" in helps["责任网格员"]
    for d in at.dataframe:  # every table draws a missing value as "—", never "None"
        assert d.proto.placeholder == "—"
        assert not any(
            str(v) in ("None", "nan", "")
            for v in d.value.astype(object).to_numpy().ravel()
            if v is not None and not pd.isna(v)
        )


def test_drill_to_one_micro_grid_through_the_url(app_env):
    at = open_page({"level": "micro_grid", "unit": "1"})
    assert not at.exception and not at.warning
    # a direct count on the fixture store, not the page's own query
    eng = create_store_engine(app_env)
    now = fc.AS_OF.astimezone(dt.UTC)
    with eng.connect() as conn:
        ev = pd.read_sql(text("SELECT * FROM events WHERE micro_grid_id = 1"), conn)
    eng.dispose()
    for col in ("reported_at", "closed_at", "deadline"):
        ev[col] = pd.to_datetime(ev[col], utc=True)
    ts = pd.Timestamp(now)
    open_ev = ev[~ev["filing_only"].astype(bool) & (ev["closed_at"].isna() | (ev["closed_at"] > ts))]
    got = shown(at)
    assert got["在办事件(实时)"] == str(len(open_ev)) == "1"
    assert got["超期事件(实时)"] == str(int((open_ev["deadline"] < ts).sum())) == "1"
    assert got["每千人事件数"] == "5.0" and got["按期办结率"] == "50.0%" and got["今日签到(实时)"] == "1 / 1"
    crumbs = [b.label for b in at.button if b.key and b.key.startswith("live_map_crumb_")]
    assert crumbs == ["示例县", "东城街道", "河西社区", "河西社区第1网格", "河西社区第1网格微网格1"]
    # the breadcrumb goes back up, and the URL follows
    at.button(key="live_map_crumb_town").click().run()
    assert not at.exception
    assert at.query_params["level"] == "town" and at.query_params["unit"] == str(fc.TOWN_EAST)
    assert shown(at)["在办事件(实时)"] == "2"


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"level": "galaxy"}, "层级"),
        ({"level": "grid", "unit": "abc"}, "单元编号"),
        ({"level": "grid", "unit": "999"}, "999"),
        ({"level": "micro_grid", "unit": "-3"}, "单元编号"),
    ],
)
def test_bad_url_falls_back_to_the_county_with_a_message(app_env, params, fragment):
    at = open_page(params)
    assert not at.exception
    assert any(fragment in w.value for w in at.warning)
    assert shown(at)["在办事件(实时)"] == "4"  # the county view
    assert at.query_params["level"] == "county"


def test_drill_stays_inside_the_sidebar_filter(app_env):
    at = open_page({"level": "micro_grid", "unit": "1"})  # micro-grid 1 is in 东城街道
    at.sidebar.selectbox(key="filter_town").set_value(fc.TOWN_WEST).run()
    assert not at.exception
    assert any("不在左侧筛选的范围内" in w.value for w in at.warning)
    assert at.query_params["level"] == "town" and at.query_params["unit"] == str(fc.TOWN_WEST)
    assert shown(at)["在办事件(实时)"] == "2"


def test_metric_and_view_switches(app_env):
    at = open_page({"level": "town", "unit": str(fc.TOWN_EAST)})
    for key in ("events_per_1000_residents", "on_time_closure_rate", "live_workers_checked_in"):
        at.selectbox(key="live_map_metric").set_value(key).run()
        assert not at.exception
    at.radio(key="live_map_view").set_value("density").run()
    assert not at.exception
    at.toggle(key="lang_en").set_value(True).run()
    assert not at.exception and "Open events (live)" in shown(at)
