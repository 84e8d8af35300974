"""Every page on the second county shape: H district (no micro-grids, 管区, one grid one worker).

The store is the cached hdistrict sample (tests/conftest.py `sample_hdistrict_url`: exact
structure, the published monthly volume, 4 months). A page must render without exception, show
no micro-grid control or column, and name the levels as the store does (管区, not 村社).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import SAMPLE_COUNTY_END, login, point_app_at, sample_hdistrict_url
from tests.test_access import downloads, export_text, shown_text  # noqa: F401 - fixture
from ui.pages import available_pages

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard.py")
# What only makes sense where there are micro-grids, and T county's name of the middle level.
MICRO = ("微网格", "icro-grid")
T_COUNTY_ONLY = ("村社", "村/社区", "illages and communities", "illage / community", "ommunit", "illage filter")


@pytest.fixture
def hd_env(monkeypatch):
    url = sample_hdistrict_url()
    point_app_at(monkeypatch, url, SAMPLE_COUNTY_END)
    return url


def run_app(role: str = "admin", en: bool = False, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at = login(at, role)
    if en:
        at.sidebar.toggle(key="lang_en").set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def assert_shape_of_h_district(text: str, where: str) -> None:
    found = sorted(
        {text[max(0, i - 30) : i + 20].replace("\n", " | ") for w in MICRO + T_COUNTY_ONLY for i in _at(text, w)}
    )
    assert not found, f"{where} shows: " + " ;; ".join(found[:40])


def _at(text: str, word: str):
    i = text.find(word)
    while i >= 0:
        yield i
        i = text.find(word, i + 1)


@pytest.mark.parametrize("en", [False, True], ids=["zh", "en"])
@pytest.mark.parametrize("spec", available_pages(), ids=lambda s: s.url_path)
def test_every_page_renders_on_h_district(hd_env, downloads, spec, en):  # noqa: F811
    at = run_app(en=en)
    at.switch_page(spec.path).run()
    assert not at.exception, [e.message for e in at.exception]
    text = shown_text(at)
    assert_shape_of_h_district(text, spec.url_path)
    for i, data in enumerate(downloads):
        assert_shape_of_h_district(data, f"{spec.url_path} export {i}")


def test_sidebar_names_the_management_area(hd_env):
    for en, name in ((False, "管区"), (True, "Management area")):
        at = run_app(en=en)
        at.sidebar.selectbox(key="filter_town").select_index(1).run()
        assert not at.exception
        assert at.sidebar.selectbox(key="filter_village").label == name


@pytest.mark.parametrize(
    "level, unit, finer",
    [
        ("county", None, ["镇街", "管区", "网格"]),
        ("town", 2, ["管区", "网格"]),
        ("village", 24, ["网格"]),  # the first 管区 (after the district and its 22 towns)
        ("grid", 1, ["网格"]),  # the bottom: no micro-grids below
    ],
)
def test_live_map_drills_through_the_store_levels(hd_env, level, unit, finer):
    query = {"level": level, **({"unit": str(unit)} if unit else {})}
    at = run_app("duty", query=query)
    at.switch_page("pages/live_map.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.warning and not at.error
    assert at.selectbox(key=f"live_map_show_level_{level}").options == finer
    crumbs = [b.label for b in at.button if b.key and b.key.startswith("live_map_crumb_")]
    assert len(crumbs) == ["county", "town", "village", "grid"].index(level) + 1


def test_a_micro_grid_url_on_h_district_is_a_message(hd_env):
    at = run_app("duty", query={"level": "micro_grid", "unit": "1"})
    at.switch_page("pages/live_map.py").run()
    assert not at.exception
    shown = [w.value for w in [*at.warning, *at.error, *at.info]]
    assert any("micro" in v and "grid" in v for v in shown), shown


def test_rankings_open_with_the_h_district_rules(hd_env):
    at = run_app("leader")
    at.switch_page("pages/monthly_rankings.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="rankings_ruleset").value == "hdistrict"
    text = shown_text(at)
    assert "每人每月 30 件,仅" in text and "另加 10 件" in text  # 40 in the one street only
    assert [o for o in at.selectbox(key="rankings_level").options] == ["镇街", "管区", "专职网格员"]
