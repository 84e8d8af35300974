"""AppTest of dashboard.py and the overview page on the fixture county (known numbers)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests import fixture_county as fc
from tests.conftest import login, point_app_at
from ui.pages import PAGES, available_pages

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard.py")


def run_app(role: str = "leader") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    return login(at, role)


def set_march(at: AppTest) -> AppTest:
    at.sidebar.date_input(key="filter_dates").set_value((fc.DATE_FROM, fc.DATE_TO)).run()
    return at


def metric_values(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def test_overview_shows_the_fixture_numbers(app_env):
    at = set_march(run_app())
    assert not at.exception
    got = metric_values(at)
    assert got["上报事件"] == ("8", "+5")
    assert got["在办事件"] == ("4", "+2")
    assert got["超期事件"] == ("3", "+1")
    assert got["报备事件"] == ("1", "+1")
    assert got["今日签到网格员"] == ("2 / 6", "0")  # no change: no sign, no arrow, no colour
    unchanged = next(m for m in at.metric if m.label == "今日签到网格员").proto
    from streamlit.proto.Metric_pb2 import Metric

    assert unchanged.color == Metric.MetricColor.GRAY and unchanged.direction == Metric.MetricDirection.NONE
    moved = next(m for m in at.metric if m.label == "上报事件").proto
    assert moved.direction == Metric.MetricDirection.UP
    assert got["按期办结率"] == ("50.0%", "+16.7 pt")
    assert got["返工率"] == ("25.0%", "+25.0 pt")
    assert got["群众满意度"][0] == "4.00"
    by_town = at.dataframe[0].value
    assert by_town.set_index("镇街")["超期"].to_dict() == {"东城街道": 2, "白鹤镇": 1}
    # The daily trend counts events: whole-number ticks (the fixture's few events gave 0.5 steps).
    import json

    trend = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["yaxis"]
    assert trend["tickformat"] == ",d" and float(trend["dtick"]).is_integer() and trend["dtick"] >= 1


def test_default_range_ends_at_the_newest_event(app_env):
    at = run_app()
    assert not at.exception
    assert at.sidebar.date_input(key="filter_dates").value == (fc.DATE_FROM, fc.DATE_TO)


def test_town_filter_narrows_every_number(app_env):
    at = set_march(run_app())
    at.sidebar.selectbox(key="filter_town").set_value(fc.TOWN_WEST).run()
    assert not at.exception
    got = metric_values(at)
    assert got["上报事件"][0] == "4" and got["超期事件"][0] == "1" and got["按期办结率"][0] == "50.0%"
    assert list(at.dataframe[0].value["镇街"]) == ["白鹤镇"]
    # the village list now offers the villages of that town only
    assert at.sidebar.selectbox(key="filter_village").options == ["全部", "白鹤村"]


def test_village_filter_draws_and_lists_the_village(app_env):
    """With a village filter every number is the village's: the map draws that village (not its
    town's shape) and the table names it, with the numbers the cards show."""
    at = set_march(run_app())
    at.sidebar.selectbox(key="filter_town").set_value(fc.TOWN_EAST).run()
    town_row = at.dataframe[0].value.iloc[0].to_dict()
    at.sidebar.selectbox(key="filter_village").set_value(4).run()  # 河西社区
    assert not at.exception
    table = at.dataframe[0].value
    assert table["村社"].tolist() == ["河西社区"]  # the fixture names the level as T county does
    cards = metric_values(at)
    row = table.iloc[0]
    assert (str(row["上报"]), str(row["在办"]), str(row["超期"])) == (
        cards["上报事件"][0],
        cards["在办事件"][0],
        cards["超期事件"][0],
    )
    assert (row["上报"], row["超期"]) != (town_row["上报"], town_row["超期"])  # not the town's numbers
    assert any("河西社区" in h.value for h in at.subheader)
    assert any("只显示该" in c.value for c in at.caption)
    deck = at.get("deck_gl_json_chart")[0].proto.json
    assert "河西社区" in deck and "东城街道" not in deck


def test_english_switch_changes_labels_not_numbers(app_env):
    at = set_march(run_app())
    at.sidebar.toggle(key="lang_en").set_value(True).run()
    assert not at.exception
    got = metric_values(at)
    assert got["Events reported"][0] == "8" and got["On-time closure rate"][0] == "50.0%"
    assert at.title[0].value == "Overview"


def test_metric_definitions_are_shown_on_hover(app_env):
    at = set_march(run_app())
    helps = {m.label: m.proto.help for m in at.metric}
    assert "报备事件不计入" in helps["按期办结率"] and "3 / 6" in helps["按期办结率"]


def test_unreachable_store_gives_a_message_not_a_traceback(monkeypatch):

    point_app_at(monkeypatch, "postgresql+psycopg://grid:pw-Xq7z@127.0.0.1:1/grid")
    at = AppTest.from_file(APP, default_timeout=60).run()  # no login: the store check comes first
    assert not at.exception
    assert "无法连接数据库" in at.error[0].value and "pw-Xq7z" not in at.error[0].value
    assert not at.metric


def test_empty_store_says_how_to_fill_it(monkeypatch, tmp_path):
    from data_access import schema
    from data_access.store import create_store_engine

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    schema.metadata.create_all(create_store_engine(url, writable=True))
    point_app_at(monkeypatch, url)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert not at.text_input  # no login form before the store is usable
    assert "python -m sample_data.generate" in at.warning[0].value


def test_every_page_file_is_registered():
    on_disk = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    assert on_disk == {spec.path for spec in PAGES}  # nothing missing, nothing unlisted
    assert sum(spec.default for spec in PAGES) == 1


@pytest.mark.parametrize("spec", available_pages(), ids=lambda s: s.url_path)
def test_every_page_renders_without_exception(app_env, spec):
    at = set_march(run_app("admin"))
    at.switch_page(spec.path).run()
    assert not at.exception


@pytest.mark.pages_autodiscovery
@pytest.mark.parametrize("spec", available_pages(), ids=lambda s: s.url_path)
def test_a_page_run_on_its_own_goes_through_the_shell(app_env, spec):
    # With auto-discovery on (a fresh server), Streamlit runs a deep-linked page file alone; the
    # page must register the real navigation and rerun through dashboard.py, shell and login gate
    # and all. (AppTest resets the flag before every run, so it cannot sign in here; the signed-in
    # deep link on a fresh server is tests/test_browser_deep_link.py.)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(spec.path).run()
    assert not at.exception
    assert at.sidebar.toggle(key="lang_en") is not None
    assert at.text_input(key="login_username") is not None
    assert not at.metric and not at.dataframe


def test_changing_the_date_range_changes_the_numbers(app_env):
    import datetime as dt

    at = run_app()
    at.sidebar.date_input(key="filter_dates").set_value((dt.date(2026, 3, 20), fc.DATE_TO)).run()
    assert not at.exception
    got = metric_values(at)
    assert got["上报事件"][0] == "4"  # E4, E5, E6, E7 were reported from 03-20 on
    assert got["超期事件"][0] == "3"  # the backlog at the period end does not depend on its start
