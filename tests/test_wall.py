"""The wall screen (大屏) and the wall role: its one page, what it shows and hides, the flash and
the chime for new urgent events, rotation; the live map's tooltips; the intranet base map."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pydeck as pdk
from sqlalchemy import func, insert, select
from streamlit.testing.v1 import AppTest

from data_access import audit, schema
from data_access.filters import Filters, Scope
from data_access.queries import HIDDEN, frame, person_name, person_phone
from data_access.store import create_store_engine
from geo.layers import BASEMAP_ENV, basemap_style, deck
from geo.live import TOOLTIP, tooltip_fields
from tests import fixture_county as fc
from tests.conftest import login, point_app_at
from ui.pages import PAGES, WALL_PAGE, allowed

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard.py")


def html_bodies(at: AppTest) -> str:
    return "\n".join(node.proto.body for node in at.get("html"))


def wall_app(query: dict | None = None, role: str = "wall") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    login(at, role)
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_wall_role_opens_only_the_wall_and_the_bare_url_takes_it_there(app_env):
    at = wall_app()
    # The default page (overview) is not the wall's: the bare URL lands on the wall screen instead.
    assert "wall-kpis" in html_bodies(at) and not at.error
    for spec in PAGES:
        if spec.default:
            continue
        at.switch_page(spec.path).run()
        assert not at.exception
        refused = any("无权查看" in e.value for e in at.error)
        assert refused == (spec.path != WALL_PAGE), spec.url_path
    denied = audit.audit_entries(
        create_store_engine(app_env), fc.DATE_FROM, dt.date(2100, 1, 1), username="wall", action="denied"
    )
    assert set(denied["page"]) == {p.url_path for p in PAGES if not allowed(p, "wall") and not p.default}


def test_the_wall_shows_the_live_numbers_and_no_person(app_env):
    at = wall_app()
    shown = html_bodies(at)
    engine = create_store_engine(app_env)
    open_now = frame(
        engine,
        select(func.count())
        .select_from(schema.events)
        .where(
            schema.events.c.filing_only.is_(False),
            schema.events.c.reported_at <= fc.AS_OF,
            (schema.events.c.closed_at.is_(None)) | (schema.events.c.closed_at > fc.AS_OF),
        ),
    ).iloc[0, 0]
    # The open-events tile says what the store says at the pinned clock.
    assert (
        f"data-key='open_events'><div class='wall-label'>在办事件(实时)</div><div class='wall-num'>{open_now}<" in shown
    )
    for part in ("data-panel='ticker'", "data-panel='alerts'", "data-panel='departments'", "本月"):
        assert part in shown
    assert at.get("deck_gl_json_chart"), "no map on the wall"
    spec = at.get("deck_gl_json_chart")[0].proto.json
    text = shown + spec
    for worker in fc.WORKERS:
        assert worker[1] not in text, f"a worker's name reached the wall: {worker[1]}"
        assert worker[14] not in text and worker[14][-4:] + "<" not in text
    # The map carries plain-text tooltip fields; the markup is in the template only.
    assert "<b>" not in "".join(str(layer.get("data", "")) for layer in json.loads(spec)["layers"])
    assert json.loads(spec)["layers"][0]["data"][0]["tip_name"]


def test_rotation_shows_one_panel_at_a_time(app_env):
    at = wall_app({"rotate": "10"})
    shown = html_bodies(at)
    panels = [p for p in ("alerts", "departments", "checkins") if f"data-panel='{p}'" in shown]
    assert len(panels) == 1
    bad = wall_app({"rotate": "abc"})  # not a number: no rotation, both panels
    assert "data-panel='alerts'" in html_bodies(bad) and "data-panel='departments'" in html_bodies(bad)


def _add_urgent_event(url: str, reported_at: dt.datetime) -> int:
    engine = create_store_engine(url, writable=True)
    with engine.begin() as conn:
        row = dict(conn.execute(select(schema.events).order_by(schema.events.c.id).limit(1)).mappings().one())
        row.pop("id")
        row.update(
            code=f"WALL-{reported_at:%H%M%S}",
            urgency="emergency",
            reported_at=reported_at,
            report_date=fc.AS_OF.date(),
            closed_at=None,
            close_date=None,
            status="reported",
        )
        new_id = conn.execute(insert(schema.events).values(**row).returning(schema.events.c.id)).scalar_one()
    engine.dispose()
    return new_id


def test_a_new_urgent_event_flashes_and_chimes_once_and_the_chime_can_be_muted(
    monkeypatch, fixture_sqlite_url, tmp_path
):
    import streamlit as st

    url = f"sqlite:///{tmp_path / 'wall.db'}"
    shutil.copy(fixture_sqlite_url.removeprefix("sqlite:///"), tmp_path / "wall.db")
    point_app_at(monkeypatch, url, fc.AS_OF_ISO)
    for query, chime in (({}, True), ({"chime": "0"}, False)):
        at = wall_app(query)
        assert "class='wall-flash'" not in html_bodies(at)  # what was there when the screen came on is not news
        new_id = _add_urgent_event(url, fc.AS_OF.astimezone(dt.UTC) - dt.timedelta(minutes=1 if chime else 2))
        st.cache_data.clear()  # the live cache would hold the answer for up to 5 s
        at.run()
        shown = html_bodies(at)
        assert f"class='wall-flash' data-event='{new_id}'" in shown
        assert ("AudioContext" in shown) == chime
        assert (f"const id = {new_id};" in shown) == chime  # the script plays once per event id


def test_the_wall_role_sees_no_names_or_phones_in_the_data_layer(fixture_url):
    f = Filters(fc.DATE_FROM, fc.DATE_TO, fc.AS_OF, scope=Scope("wall"))
    assert not f.scope.names_visible and not f.scope.phones_visible
    engine = create_store_engine(fixture_url)
    names = select(person_name(f, schema.workers.c.name), person_phone(f, schema.workers.c.phone))
    shown = frame(engine, names.select_from(schema.workers))
    assert len(shown) == len(fc.WORKERS) and set(shown["name"]) == {HIDDEN} and set(shown["phone"]) == {HIDDEN}


def test_tooltip_fields_are_plain_text_for_the_template():
    df = pd.DataFrame({"name": ["<枫林镇>", "b"], "line1": ["在办 2 · 超期 0", ""], "line2": ["x", "y"]})
    tips = tooltip_fields(df)
    assert tips["tip_name"].tolist() == ["<枫林镇>", "b"]  # Streamlit escapes values: no escaping here
    assert tips["tip_lines"].tolist() == ["在办 2 · 超期 0\nx", "y"]
    assert "{tip_name}" in TOOLTIP["html"] and "{tip_lines}" in TOOLTIP["html"] and "pre-line" in TOOLTIP["html"]


def test_the_basemap_setting_is_off_by_default_and_names_a_style_when_set(monkeypatch):
    view = pdk.ViewState(longitude=120, latitude=29, zoom=8)
    monkeypatch.delenv(BASEMAP_ENV, raising=False)
    spec = json.loads(deck([], view).to_json())
    assert spec.get("mapProvider") is None and spec["mapStyle"] == "__MAP_STYLE__"  # the sentinel: no base map
    monkeypatch.setenv(BASEMAP_ENV, "http://10.0.0.5/styles/county.json")
    spec = json.loads(deck([], view).to_json())
    assert spec["mapStyle"] == "http://10.0.0.5/styles/county.json" and spec["mapProvider"] == "carto"
    assert basemap_style({BASEMAP_ENV: "file:///etc/passwd"}) is None
