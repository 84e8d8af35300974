"""Access control through the whole dashboard: the login gate, roles, town scope, hidden names and
phones, injection attempts. Every page is rendered through dashboard.py after a real login, and
everything it shows — text, tables, chart and map specs, and the bytes of every download — is
searched for what the signed-in user must not see.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import func, select, update
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from data_access import audit, schema
from data_access.store import create_store_engine
from data_access.users import DEMO_PASSWORD
from tests import fixture_county as fc
from tests.conftest import login, point_app_at
from ui.pages import PAGES, allowed

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard.py")

# --- what the other town (白鹤镇, id 3) consists of in the fixture --------------------------------
OTHER_TOWN_TEXT = ["白鹤"]  # the town, its village 白鹤村 and both grids 白鹤村第1/2网格 contain it
OTHER_TOWN_WORKERS = [w[1] for w in fc.WORKERS if w[7] == fc.TOWN_WEST]
OTHER_TOWN_EVENTS = re.compile(r"\bE(?:4|5|6|8|10)\b")  # event codes of town 3 (see the ledger)
ALL_WORKER_NAMES = [w[1] for w in fc.WORKERS]
PHONES = [w[14] for w in fc.WORKERS]  # whole numbers (random ids in chart specs may look like one)
MASKED_PHONE = re.compile(r"\d{3}\*{4}\d{4}")  # and masked ones: 138****1234


# --- collecting everything a run shows -------------------------------------------------------------


def _strings(value, out: list[str]) -> None:
    """Every string inside a proto message / JSON value (JSON strings are parsed and walked too)."""
    if isinstance(value, str):
        out.append(value)
        if value[:1] in "{[":
            try:
                _strings(json.loads(value), out)
            except ValueError:
                pass
    elif isinstance(value, dict):
        for k, v in value.items():
            _strings(k, out)
            _strings(v, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _strings(v, out)
    elif hasattr(value, "ListFields"):
        for _, v in value.ListFields():
            if hasattr(v, "__iter__") and not isinstance(v, (str, bytes)) and not hasattr(v, "ListFields"):
                for item in v:
                    _strings(item, out)
            else:
                _strings(v, out)


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def shown_text(at: AppTest) -> str:
    out: list[str] = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is not None:
            _strings(proto, out)
        if getattr(node, "type", "") == "arrow_data_frame":
            out.append(node.value.to_csv(index=False))
    return "\n".join(out)


def export_text(data) -> str:
    """The text of one download's bytes: CSV, HTML, a PDF's text or an XLSX workbook's cells."""
    if callable(data):
        data = data()
    if isinstance(data, str):
        return data
    if isinstance(data, pd.DataFrame):
        return data.to_csv(index=False)
    if data[:5] == b"%PDF-":  # the monthly report: its text as a reader sees it
        import subprocess

        return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    if data[:2] == b"PK":
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(
            str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None
        )
    return data.decode("utf-8-sig", errors="replace")


@pytest.fixture
def downloads(monkeypatch) -> list[str]:
    """Text of every download button drawn (the exact bytes a user would get)."""
    import streamlit as st

    seen: list[str] = []
    original = DeltaGenerator.download_button

    def capture(self, label, data, *args, **kwargs):
        seen.append(export_text(data))
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", capture)
    monkeypatch.setattr(st, "download_button", lambda *a, **k: capture(st._main, *a, **k))
    return seen


def signed_in(role: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    login(at, role)
    at.sidebar.date_input(key="filter_dates").set_value((fc.DATE_FROM, fc.DATE_TO)).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def open_page(at: AppTest, spec) -> str:
    at.switch_page(spec.path).run()
    assert not at.exception, [e.message for e in at.exception]
    return shown_text(at)


def pages_for(role: str):
    return [s for s in PAGES if allowed(s, role)]


# --- (b) a town user sees only their own town ----------------------------------------------------


def assert_nothing_of_the_other_town(text: str, where: str) -> None:
    for name in OTHER_TOWN_TEXT + OTHER_TOWN_WORKERS:
        assert name not in text, f"{where}: shows {name!r} from the other town"
    found = OTHER_TOWN_EVENTS.search(text)
    assert found is None, f"{where}: shows event {found.group(0)} of the other town"


@pytest.mark.parametrize("spec", pages_for("town"), ids=lambda s: s.url_path)
def test_a_town_user_sees_only_their_town_on_every_page_and_export(app_env, downloads, spec):
    at = signed_in("town")
    assert at.sidebar.selectbox(key="filter_town").options == ["东城街道"]
    text = open_page(at, spec)
    assert "东城街道" in text  # the page did render the user's own town
    assert_nothing_of_the_other_town(text, spec.url_path)
    for i, data in enumerate(downloads):
        assert_nothing_of_the_other_town(data, f"{spec.url_path} export #{i}")


def test_a_town_user_cannot_pick_or_forge_the_other_town(app_env):
    from data_access.filters import FilterError, Filters, Scope

    with pytest.raises(FilterError):
        Filters(fc.DATE_FROM, fc.DATE_TO, fc.AS_OF, town_id=fc.TOWN_WEST, scope=Scope("town", fc.TOWN_EAST))
    forced = Filters(fc.DATE_FROM, fc.DATE_TO, fc.AS_OF, scope=Scope("town", fc.TOWN_EAST))
    assert forced.town_id == fc.TOWN_EAST  # "all towns" is not a choice for a town user


@pytest.mark.parametrize(
    "query",
    [
        {"level": "town", "unit": "3"},
        {"level": "village", "unit": "6"},
        {"level": "grid", "unit": "3"},
        {"level": "micro_grid", "unit": "7"},
        {"level": "county"},
    ],
    ids=lambda q: "-".join(q.values()),
)
def test_out_of_scope_ids_in_live_map_urls_show_a_message_and_nothing_else(app_env, query):
    at = signed_in("town", query)
    text = open_page(at, next(s for s in PAGES if s.url_path == "live_map"))
    assert_nothing_of_the_other_town(text, f"live_map?{query}")
    assert at.warning or at.info or at.error  # a clear message says why the view fell back


# --- (c) a planner sees no names and no phone numbers --------------------------------------------


@pytest.mark.parametrize("spec", pages_for("planner"), ids=lambda s: s.url_path)
def test_a_planner_sees_no_names_and_no_phones(app_env, downloads, spec):
    at = signed_in("planner")
    text = open_page(at, spec)
    for where, content in [(spec.url_path, text)] + [
        (f"{spec.url_path} export #{i}", d) for i, d in enumerate(downloads)
    ]:
        for name in ALL_WORKER_NAMES:
            assert name not in content, f"{where}: shows the worker name {name!r}"
        for phone in PHONES:
            assert phone not in content, f"{where}: shows {phone}"
        assert not MASKED_PHONE.search(content), f"{where}: shows a masked phone"


def test_nobody_but_admin_gets_whole_phone_numbers(app_env, downloads):
    # At a village the live map shows the workers' check-ins (county and town views show counts).
    at = signed_in("leader", {"level": "village", "unit": "4"})
    text = open_page(at, next(s for s in PAGES if s.url_path == "live_map"))
    everything = text + "\n".join(downloads)
    assert not any(phone in everything for phone in PHONES)
    assert MASKED_PHONE.search(everything)  # the responsible workers' phones are there, masked


# --- roles and the gate ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["duty", "leader", "planner", "town", "admin"])
def test_each_role_sees_exactly_its_pages_and_is_refused_the_others(app_env, role):
    at = signed_in(role)
    listed = {p.url_path for p in PAGES if allowed(p, role)}
    for spec in PAGES:
        at.switch_page(spec.path).run()
        assert not at.exception
        refused = any("无权查看" in e.value for e in at.error)
        assert refused == (spec.url_path not in listed), spec.url_path
        if refused:
            assert not at.metric and not at.dataframe
    engine = create_store_engine(app_env)
    denied = audit.audit_entries(engine, fc.DATE_FROM, dt.date(2100, 1, 1), username=role, action="denied")
    assert set(denied["page"]) == {p.url_path for p in PAGES} - listed


def test_nothing_renders_before_login(app_env):
    for spec in PAGES:
        at = AppTest.from_file(APP, default_timeout=60).run()
        at.switch_page(spec.path).run()
        assert not at.exception
        assert at.text_input(key="login_username") is not None
        assert not at.metric and not at.dataframe and not at.get("deck_gl_json_chart")
        assert not at.get("plotly_chart")


def test_page_views_are_audited_once_per_page_and_filter(app_env):
    at = signed_in("leader")
    at.run().run()  # reruns without a change: no new entries
    at.sidebar.selectbox(key="filter_town").set_value(fc.TOWN_WEST).run()
    views = audit.audit_entries(
        create_store_engine(app_env),
        fc.DATE_FROM,
        dt.date(2100, 1, 1),
        username="leader",
        action="page_view",
        limit=1000,
    )
    details = [json.loads(d) for d in views["detail"]]
    march = [d for d in details if d["from"] == fc.DATE_FROM.isoformat()]
    assert [d["town"] for d in march][:2] == [fc.TOWN_WEST, None]  # newest first: one per change


def test_sign_out_ends_the_session(app_env):
    at = signed_in("duty")
    at.sidebar.button(key="auth_logout").click().run()
    assert at.text_input(key="login_username") is not None and not at.metric


def test_lock_out_after_five_failures_through_the_form(app_env):
    from data_access.users import LOCKOUT_AFTER_FAILURES, add_user

    right = "lock-test-password-7"
    add_user(create_store_engine(app_env, writable=True), "locktest", right, "duty")  # own victim
    at = AppTest.from_file(APP, default_timeout=60).run()
    for _ in range(LOCKOUT_AFTER_FAILURES - 1):
        login(at, "locktest", password="wrong-password-123")
        assert "不正确" in at.error[0].value
    login(at, "locktest", password="wrong-password-123")  # the fifth failure locks the account
    login(at, "locktest", password=right)  # now even the right password is refused
    assert "锁定" in at.error[0].value and not at.metric
    failures = audit.audit_entries(create_store_engine(app_env), fc.DATE_FROM, dt.date(2100, 1, 1), username="locktest")
    assert (failures["action"] == "login_failed").sum() == LOCKOUT_AFTER_FAILURES - 1
    assert (failures["action"] == "login_locked").sum() >= 1


def test_session_expiry_through_the_ui(app_env, monkeypatch):
    import ui.auth as auth

    at = signed_in("duty")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=auth.IDLE_MINUTES + 1)
    monkeypatch.setattr(auth, "_now", lambda: later)
    at.run()
    assert at.text_input(key="login_username") is not None and not at.metric
    assert any("过期" in i.value for i in at.info)


def test_client_limiter_counts_parallel_attempts_exactly():
    """Finding 1 (no per-client limit): 50 attempts at once from one address, exactly the allowance
    passes; another address is not affected; a success gives its attempt back."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from ui.auth import ClientLimiter

    limiter = ClientLimiter(20, dt.timedelta(minutes=15))
    now = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
    barrier = threading.Barrier(50)

    def attempt(i):
        barrier.wait()
        return limiter.reserve("198.51.100.7", now + dt.timedelta(microseconds=i))

    with ThreadPoolExecutor(max_workers=50) as pool:
        assert sum(pool.map(attempt, range(50))) == 20
    assert limiter.reserve("198.51.100.8", now)
    later = now + dt.timedelta(minutes=15, seconds=1)
    assert limiter.reserve("198.51.100.7", later)
    limiter.succeeded("198.51.100.7", later)
    assert sum(limiter.reserve("198.51.100.7", later) for _ in range(25)) == 20
    small = ClientLimiter(1, dt.timedelta(minutes=1), max_clients=100)
    for i in range(1000):
        small.reserve(f"10.0.{i // 256}.{i % 256}", now)
    assert len(small._attempts) == 100


def test_per_client_limit_through_the_form(app_env, monkeypatch):
    """Wrong passwords spread over names that never lock (unknown ones) still stop at the client
    limit: then even a right password from that address is refused, unchecked and unrecorded."""
    import ui.auth as auth

    monkeypatch.setattr(auth, "_LIMITER", auth.ClientLimiter(3, dt.timedelta(minutes=15)))
    monkeypatch.setattr(auth, "_client_address", lambda: "203.0.113.9")

    def sign_ins() -> int:
        entries = audit.audit_entries(create_store_engine(app_env), fc.DATE_FROM, dt.date(2100, 1, 1), username="duty")
        return int((entries["action"] == "login_ok").sum())

    before = sign_ins()
    at = AppTest.from_file(APP, default_timeout=60).run()
    for i in range(3):
        login(at, f"nobody{i}", password="wrong-password-123")
        assert "不正确" in at.error[0].value
    login(at, "duty")
    assert "此地址" in at.error[0].value and not at.metric
    assert sign_ins() == before
    monkeypatch.setattr(auth, "_client_address", lambda: "203.0.113.10")  # another address signs in
    login(at, "duty")
    assert not at.exception and at.metric


# --- (a) injection attempts ------------------------------------------------------------------------

SQL_ATTEMPTS = ["x' OR '1'='1", "1 OR 1=1", "1; DROP TABLE events; --", "' UNION SELECT password_hash FROM users --"]


@pytest.mark.parametrize("username", ["admin' --", "' OR '1'='1", 'admin"; --', "admin' OR 1=1 --"])
def test_sql_injection_through_the_login_form_fails(app_env, username):
    at = AppTest.from_file(APP, default_timeout=60).run()
    login(at, username)
    assert not at.exception and not at.metric
    assert "不正确" in at.error[0].value


@pytest.mark.parametrize("attempt", SQL_ATTEMPTS)
@pytest.mark.parametrize("param", ["level", "unit"])
def test_sql_injection_through_live_map_params(app_env, param, attempt):
    at = signed_in("leader", {"level": "town", "unit": "2", param: attempt})
    open_page(at, next(s for s in PAGES if s.url_path == "live_map"))
    assert at.warning or at.info or at.error
    assert_tables_intact(app_env)


@pytest.mark.parametrize("attempt", SQL_ATTEMPTS + ["999999", "-1"])
def test_sql_injection_through_department_param(app_env, attempt):
    at = signed_in("leader", {"department": attempt})
    open_page(at, next(s for s in PAGES if s.url_path == "department_response"))
    assert at.warning or at.info or at.error
    assert_tables_intact(app_env)


@pytest.mark.parametrize(
    "field,value",
    [
        ("town_id", "1 OR 1=1"),
        ("village_id", "4; DROP TABLE events"),
        ("town_id", -1),
        ("category_code", "x' OR '1'='1" * 4),
        ("category_code", "城管' OR 1=1"),
    ],
)
def test_bad_filter_values_are_refused(field, value):
    from data_access.filters import FilterError, Filters

    kwargs = {"town_id": 2} if field == "village_id" else {}
    with pytest.raises(FilterError):
        Filters(fc.DATE_FROM, fc.DATE_TO, fc.AS_OF, **{**kwargs, field: value})


def test_a_quoted_category_is_an_unknown_category_not_sql(fixture_url):
    from data_access import overview, units
    from data_access.filters import FilterError, Filters

    f = Filters(fc.DATE_FROM, fc.DATE_TO, fc.AS_OF, category_code="x' OR '1'='1")
    engine = create_store_engine(fixture_url)
    with pytest.raises(FilterError):
        units.validate_filters(engine, f)
    kpis = overview.kpi_summary(engine, f).set_index("metric")
    assert kpis.loc["events_reported", "value"] == 0  # a bound parameter matches no category


def assert_tables_intact(url: str) -> None:
    engine = create_store_engine(url)
    with engine.connect() as conn:
        assert conn.execute(select(schema.events.c.id)).all().__len__() == len(fc.EVENTS)
        assert conn.execute(select(schema.users.c.username)).all().__len__() >= 5


# HTML / script injection: store-sourced text reaches tooltips, tables and HTML only escaped.
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory) -> str:
    """The fixture county with script and HTML in its names and descriptions, built once for the
    module: the tests below only read it (signing in adds session and audit rows, no store text)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'hostile.db'}"
    fc.build_fixture(url)
    engine = create_store_engine(url, writable=True)
    with engine.begin() as conn:
        conn.execute(update(schema.events).values(description=f"漏水{SCRIPT}{IMG}"))
        conn.execute(update(schema.admin_units).where(schema.admin_units.c.id == 4).values(name=f"河西{IMG}"))
        conn.execute(update(schema.admin_units).where(schema.admin_units.c.id == 2).values(name=f"东城{IMG}"))
        conn.execute(update(schema.grids).where(schema.grids.c.id == 1).values(name=f"网格{SCRIPT}"))
    engine.dispose()
    return url


@pytest.fixture
def hostile_store(hostile_url, monkeypatch):
    point_app_at(monkeypatch, hostile_url, fc.AS_OF_ISO)
    return hostile_url


def _raw_html_parts(at: AppTest) -> list[str]:
    """What the browser would parse as HTML: unsafe markdown, st.html, deck tooltips' templates
    filled with the data, and any HTML export."""
    parts = [m.value for m in at.markdown if m.proto.allow_html]
    parts += [h.proto.body for h in at.get("html")]
    for deck in at.get("deck_gl_json_chart"):
        spec = json.loads(deck.proto.json)
        template = (json.loads(deck.proto.tooltip) if deck.proto.tooltip else {}).get("html", "")
        for layer in spec.get("layers", []):
            if not layer.get("pickable"):  # text layers draw on a canvas
                continue
            rows = layer.get("data") if isinstance(layer.get("data"), list) else []
            # Streamlit's frontend fills an HTML tooltip with each {field} HTML-escaped: what the
            # browser parses is the template with the escaped values, as filled here.
            for row in rows:
                if isinstance(row, dict) and template:
                    parts.append(
                        re.sub(
                            r"{(.*?)}",
                            lambda m, row=row: html.escape(str(row[m.group(1)])) if m.group(1) in row else m.group(0),
                            template,
                        )
                    )
    return parts


@pytest.mark.parametrize("spec", pages_for("admin"), ids=lambda s: s.url_path)
def test_script_in_store_text_is_only_ever_shown_escaped(hostile_store, downloads, spec):
    at = signed_in("admin")
    at.switch_page(spec.path).run()
    assert not at.exception, [e.message for e in at.exception]
    for part in _raw_html_parts(at) + [d for d in downloads if "<html" in d.lower()]:
        assert "<script>alert" not in part and "<img src=x" not in part, (spec.url_path, part[:200])


def test_the_hostile_names_do_reach_the_tooltips_escaped(hostile_store):
    # The check above means something only if the hostile text is there, in its escaped form.
    at = signed_in("admin")
    parts = "\n".join(_raw_html_parts(at))
    assert "东城&lt;img src=x onerror=alert(1)&gt;" in parts


def test_the_collectors_do_see_the_other_town_when_allowed(app_env, downloads):
    # Control for the town-scope tests: a leader's pages and exports do show town 3.
    at = signed_in("leader")
    assert "白鹤镇" in shown_text(at)
    open_page(at, next(s for s in PAGES if s.url_path == "workforce"))
    assert downloads and any("白鹤" in d for d in downloads)
    assert any(name in d for d in downloads for name in OTHER_TOWN_WORKERS)


def test_audit_log_page_reads_the_log(app_env):
    at = signed_in("admin")
    at.switch_page("pages/admin.py").run()
    assert not at.exception
    users_table = at.dataframe[0].value
    assert {"duty", "leader", "planner", "town", "admin"} <= set(users_table.iloc[:, 0])
    assert DEMO_PASSWORD not in shown_text(at) and "argon2" not in shown_text(at)
    log = at.dataframe[1].value
    assert (log.iloc[:, 2] == "登录成功").any()  # the action in words (audit_action_login_ok)


# --- (b) again on a generated county: the tiny profile ---------------------------------------------

TINY_END = "2026-11-22T10:00:00+08:00"


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory) -> dict:
    """The tiny sample county, its demo users, and what lies outside the `town` user's town."""
    from tests.conftest import ensure_demo_users, tiny_sqlite_copy

    url = tiny_sqlite_copy(tmp_path_factory.mktemp("access_tiny") / "tiny.db", 7)
    ensure_demo_users(url)
    engine = create_store_engine(url)
    with engine.connect() as conn:
        own = conn.execute(select(schema.users.c.town_id).where(schema.users.c.username == "town")).scalar_one()
        au = schema.admin_units
        units = conn.execute(
            select(au.c.name, au.c.level, func.coalesce(au.c.parent_id, 0), au.c.id).where(
                au.c.level.in_(("town", "village"))
            )
        ).all()
        own_villages = {i for _, level, parent, i in units if level == "village" and parent == own}
        own_names = {n for n, level, _, i in units if i == own or i in own_villages}
        other_units = {
            n
            for n, level, parent, i in units
            if (level == "town" and i != own) or (level == "village" and parent != own)
        } - own_names
        w = schema.workers
        own_people = set(conn.execute(select(w.c.name).where(w.c.town_id == own)).scalars())
        other_people = set(conn.execute(select(w.c.name).where(w.c.town_id != own)).scalars()) - own_people
        other_codes = set(conn.execute(select(schema.events.c.code).where(schema.events.c.town_id != own)).scalars())
        g = schema.grids
        other_grids = set(conn.execute(select(g.c.name).where(g.c.town_id != own)).scalars()) - set(
            conn.execute(select(g.c.name).where(g.c.town_id == own)).scalars()
        )
    engine.dispose()
    return {"url": url, "units": other_units, "people": other_people, "codes": other_codes, "grids": other_grids}


@pytest.mark.parametrize("spec", pages_for("town"), ids=lambda s: s.url_path)
def test_a_town_user_sees_only_their_town_on_the_tiny_county(tiny_store, downloads, monkeypatch, spec):

    point_app_at(monkeypatch, tiny_store["url"], TINY_END)
    at = AppTest.from_file(APP, default_timeout=180)
    login(at, "town")
    assert not at.exception
    text = open_page(at, spec)
    for where, content in [(spec.url_path, text)] + [
        (f"{spec.url_path} export #{i}", d) for i, d in enumerate(downloads)
    ]:
        for name in tiny_store["units"] | tiny_store["grids"] | tiny_store["people"]:
            assert name not in content, f"{where}: shows {name!r} from another town"
        codes = set(re.findall(r"[A-Za-z0-9-]+", content)) & tiny_store["codes"]
        assert not codes, f"{where}: shows events of another town: {sorted(codes)[:5]}"


# --- the same rules in data_access itself, on SQLite and PostgreSQL --------------------------------


def _scoped(role: str, town: int | None = None):
    from data_access.filters import Filters, Scope

    return Filters(fc.DATE_FROM, fc.DATE_TO, fc.AS_OF, scope=Scope(role, town))


@pytest.mark.parametrize("level,unit", [("town", 3), ("village", 6), ("grid", 3), ("micro_grid", 7)])
def test_unit_path_refuses_other_towns_without_naming_them(fixture_url, level, unit):
    from data_access import live
    from data_access.filters import FilterError

    engine = create_store_engine(fixture_url)
    f = _scoped("town", fc.TOWN_EAST)
    with pytest.raises(FilterError) as refused:
        live.unit_path(engine, level, unit, f.scope)
    assert "白鹤" not in str(refused.value)
    assert live.unit_path(engine, "grid", 1, f.scope)["name"].tolist()[-1] == "河西社区第1网格"


def test_reference_lists_and_evidence_stay_in_the_town(fixture_url):
    from data_access import flows, integrity, units

    engine = create_store_engine(fixture_url)
    f = _scoped("town", fc.TOWN_EAST)
    assert units.towns(engine, f.scope)["name"].tolist() == ["东城街道"]
    assert units.villages(engine, fc.TOWN_WEST, f.scope).empty
    assert flows.event_timeline(engine, f, 4).empty  # E4 is town 3's
    assert not flows.event_timeline(engine, f, 1).empty
    for signal, subject in [("padding", 3), ("near_duplicates", 3), ("empty_patrol", 3), ("selective", 6)]:
        assert integrity.evidence(engine, f, dt.date(2026, 3, 1), signal, subject).empty, signal


def test_planner_gets_no_names_and_no_phones_from_the_data_layer(fixture_url):
    from data_access import flows, live, rankings, workforce

    engine = create_store_engine(fixture_url)
    f = _scoped("planner")
    assert set(workforce.workload_by_worker(engine, f)["name"]) <= {"—"}
    assert set(rankings.ranked_workers(engine, f)["name"]) == {"—"}
    assert set(flows.event_timeline(engine, f, 3)["actor"]) == {"—"}
    now = fc.AS_OF.astimezone(dt.UTC)
    positions = live.worker_positions(engine, f, now, "county", None)
    assert set(positions["name"]) == {"—"} and set(positions["phone"]) == {"—"}
    admin = live.worker_positions(engine, _scoped("admin"), now, "county", None)
    leader = live.worker_positions(engine, _scoped("leader"), now, "county", None)
    assert set(admin["phone"]) <= set(PHONES) and all("****" in p for p in leader["phone"])


def test_unknown_and_other_towns_unit_ids_get_the_same_chinese_answer(app_env):
    """Finding 14: a town user saw "There is no town with id 999999" (English) for an unknown id
    and "outside your account's scope" for the other town's: an existence oracle."""
    answers = []
    for unit in ("999999", str(fc.TOWN_WEST)):
        at = AppTest.from_file(APP, default_timeout=60)
        login(at, "town")
        at.switch_page("pages/live_map.py")
        at.query_params["level"], at.query_params["unit"] = "town", unit
        at.run()
        assert not at.exception
        answers.append(next(w.value for w in at.warning if unit in w.value).replace(unit, "N"))
    assert answers[0] == answers[1] and "There is no" not in answers[0] and "scope" not in answers[0]
