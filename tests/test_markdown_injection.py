"""Finding 5 of issue #18: values from the URL and names from the store went unescaped into
Streamlit's Markdown (warnings, headings, the sidebar, button labels) and into Plotly's HTML-like
chart text. Payloads as in the issue; the real rendering is checked in Chromium at the end."""

from __future__ import annotations

import json
from pathlib import Path

import plotly.graph_objects as go
import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from data_access.store import create_store_engine
from tests import fixture_county as fc
from tests.conftest import login, point_app_at
from ui.escape import WORD_JOINER, escape_figure, md

ROOT = Path(__file__).resolve().parent.parent

IMAGE = "![x](http://evil.test/lv.png)"
LINK = "[请重新登录](http://evil.test/p)"
ALARM = ":red[**系统告警:请立即拨打110**]"
DEPT_LINK = "[点此登录](http://evil.test/d)"
TOWN_NAME = "[东城](http://evil.test/t) :red[告警]"
DEPT_NAME = '<a href="http://evil.test/x">公安局</a>'
USERNAME = "town_**x**"


def _unescaped(payload: str, shown: str) -> bool:
    """True when `payload` reached `shown` as Markdown (not through `md`)."""
    return payload in shown


@pytest.mark.parametrize(
    "payload",
    [IMAGE, LINK, ALARM, DEPT_LINK, TOWN_NAME, "a\n# 标题\n> 引用", "$x^2$ `c` <b>", "www.evil.test a@evil.test"],
)
def test_md_leaves_no_markdown_syntax(payload):
    escaped = md(payload)
    assert "\n" not in escaped
    for i, ch in enumerate(escaped):  # every ASCII punctuation character is escaped
        if ch in "![]():*`$#<>|_~" and (i == 0 or escaped[i - 1] != "\\"):
            raise AssertionError(f"{ch!r} unescaped in {escaped!r}")
    # what the reader sees is the value itself once CommonMark drops the backslashes
    assert escaped.replace("\\", "").replace(WORD_JOINER, "") == payload.replace("\n", " ").replace("\\", "")
    plain = escaped.replace("\\", "")
    for bare in ("http://", "https://", "www."):  # no autolink literal either
        assert bare not in plain
    assert plain.count("@") == plain.count(WORD_JOINER + "@")


def test_escape_figure_escapes_names_everywhere_plotly_renders_them():
    names = [DEPT_NAME, "A&B"]
    fig = go.Figure(
        [
            go.Bar(x=[1, 2], y=names, text=names, customdata=[[n] for n in names], name=DEPT_NAME),
            go.Sankey(node=dict(label=names), link=dict(source=[0], target=[1], value=[1])),
        ]
    )
    fig.update_layout(yaxis=dict(categoryorder="array", categoryarray=names))
    dumped = json.dumps(escape_figure(fig).to_plotly_json(), default=str)
    assert "<a" not in dumped and "&lt;a href" in dumped and "A&amp;B" in dumped
    assert list(fig.layout.yaxis.categoryarray) == list(fig.data[0].y)  # the order still matches


def test_every_chart_goes_through_the_escaping_helper():
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("pages", "ui")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.name != "escape.py" and "st.plotly_chart(" in path.read_text(encoding="utf-8")
    ]
    assert offenders == [], f"use ui.escape.plotly_chart instead of st.plotly_chart in {offenders}"


# --- AppTest: reflected (URL) -----------------------------------------------------------------


def _live_map(params: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    login(at, "leader")
    at.switch_page("pages/live_map.py")
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


@pytest.mark.parametrize(
    "params, payload",
    [({"level": IMAGE}, IMAGE), ({"level": ALARM}, ALARM), ({"level": "grid", "unit": LINK}, LINK)],
)
def test_live_map_url_values_are_shown_as_text(app_env, params, payload):
    at = _live_map(params)
    assert not at.exception
    shown = [w.value for w in at.warning]
    assert shown, "the bad value gave no message"
    assert any(md(payload) in w for w in shown), shown
    assert not any(_unescaped(payload, w) for w in shown)


def test_department_url_value_is_shown_as_text(monkeypatch, hostile_store):
    point_app_at(monkeypatch, hostile_store, fc.AS_OF_ISO)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.query_params["department"] = DEPT_LINK
    login(at, "leader")
    at.switch_page("pages/department_response.py").run()
    at.sidebar.date_input(key="filter_dates").set_value((fc.DATE_FROM, fc.DATE_TO)).run()
    assert not at.exception
    shown = [w.value for w in at.warning]
    assert any(md(DEPT_LINK) in w for w in shown) and not any(DEPT_LINK in w for w in shown), shown


# --- AppTest: stored names --------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory) -> str:
    """The department page's hand-built county with a town, a department and a user named with
    markup."""
    from data_access import users
    from tests.test_department_response import build_hand

    url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'store.db'}"
    build_hand(url)
    eng = create_store_engine(url, writable=True)
    with eng.begin() as conn:
        conn.execute(text("UPDATE admin_units SET name = :n WHERE id = :i"), {"n": TOWN_NAME, "i": fc.TOWN_EAST})
        conn.execute(text("UPDATE departments SET name = :n, name_en = :n WHERE id = 2"), {"n": DEPT_NAME})
        conn.execute(
            text("DELETE FROM assessment_rules WHERE ruleset = 'department' AND key = 'min_received_for_rank'")
        )
        conn.execute(  # every department of the small county in the charts
            text(
                "INSERT INTO assessment_rules (ruleset, key, value, unit, description, description_en)"
                " VALUES ('department', 'min_received_for_rank', 1, '', '', '')"
            )
        )
    from tests.conftest import ensure_demo_users

    ensure_demo_users(url)
    users.add_user(eng, "hostile", "strong-pass-for-h9", "town", fc.TOWN_EAST)
    with eng.begin() as conn:  # add_user refuses such names now: a store from before, or written by hand
        conn.execute(text("UPDATE users SET username = :n WHERE username = 'hostile'"), {"n": USERNAME})
    eng.dispose()
    return url


def _markdown_texts(at: AppTest) -> list[str]:
    out = [m.value for m in at.sidebar.caption] + [m.value for m in at.markdown]
    out += [m.value for m in at.caption] + [m.value for m in at.subheader] + [w.value for w in at.warning]
    return out + [b.label for b in at.button]


def test_stored_town_and_user_names_in_the_sidebar(monkeypatch, hostile_store):
    point_app_at(monkeypatch, hostile_store, fc.AS_OF_ISO)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    at.text_input(key="login_username").input(USERNAME)
    at.text_input(key="login_password").input("strong-pass-for-h9")
    next(b for b in at.button if b.proto.form_id == "login_form").click().run()
    assert not at.exception
    captions = [c.value for c in at.sidebar.caption]
    assert any(md(TOWN_NAME) in c and md(USERNAME) in c for c in captions), captions
    assert not any(TOWN_NAME in c or USERNAME in c for c in captions)
    at.switch_page("pages/live_map.py").run()  # the breadcrumb buttons carry the town's name
    assert not at.exception
    crumbs = [b.label for b in at.button if b.key and b.key.startswith("live_map_crumb_")]
    assert md(TOWN_NAME) in crumbs, crumbs


def test_stored_department_name_in_headings_and_charts(monkeypatch, hostile_store):
    point_app_at(monkeypatch, hostile_store, fc.AS_OF_ISO)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.query_params["department"] = "2"
    login(at, "leader")
    at.switch_page("pages/department_response.py").run()
    at.sidebar.date_input(key="filter_dates").set_value((fc.DATE_FROM, fc.DATE_TO)).run()
    assert not at.exception
    texts = _markdown_texts(at)
    assert any(md(DEPT_NAME) in s for s in texts), "the department's name is in no heading"
    assert not any(DEPT_NAME in s for s in texts)
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert charts
    dumped = json.dumps([c["data"] for c in charts] + [c["layout"] for c in charts])
    assert "&lt;a href" in dumped and "<a href" not in dumped


# --- Chromium: what the browser really draws ---------------------------------------------------


def test_payloads_render_as_plain_text_in_chromium(hostile_store):
    """The reflected image and alarm and the stored town/user names in a real browser: no image
    fetched, no link, no coloured or bold text; the text reads as it was given."""
    from urllib.parse import quote

    from tests.browser import ARTIFACTS, chromium_page, require_browser, running_dashboard, sign_in

    require_browser()
    env = {"GRID_DB_URL": hostile_store, "GRID_NOW": fc.AS_OF_ISO}
    with running_dashboard(env) as base, chromium_page() as page:
        fetched = []
        page.on("request", lambda r: fetched.append(r.url) if r.url.split("/")[2:3] == ["evil.test"] else None)
        page.goto(base, wait_until="domcontentloaded")
        sign_in(page, USERNAME, password="strong-pass-for-h9")  # the cookie keeps it for the loads below
        for payload in (IMAGE, ALARM):
            page.goto(f"{base}/live_map?level={quote(payload)}", wait_until="domcontentloaded")
            warning = page.locator('[data-testid="stAlertContentWarning"]').first
            warning.wait_for(timeout=90_000)
            assert payload in warning.inner_text().replace(WORD_JOINER, "")
            assert warning.locator("img, a, strong, span[class*='color'], [style*='color']").count() == 0
            sidebar = page.locator('[data-testid="stSidebar"] [data-testid="stCaptionContainer"]').first
            shown = sidebar.inner_text().replace(WORD_JOINER, "")
            assert TOWN_NAME in shown and USERNAME in shown
            assert sidebar.locator("a, strong, [style*='color']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "markdown-injection.png"))
        assert fetched == [] and page.outside_requests == []
