"""One language at a time: every page, for every role that may open it, rendered in 中文 and in
English through dashboard.py (AppTest, the hand-built fixture county); what a person reads —
titles, text, captions, alerts, metric tiles, widget labels and options, table headers and cells,
chart titles, axis titles and series names — may hold no word of the other language and no raw
"None" / "nan".

Excepted, because they are data or codes rather than words of the UI: the names the store holds
(units, grids, workers, departments without an English name, event items), user names, event
codes, and the short list of codes below (file formats, units such as km/h, grades A–E).
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from streamlit.testing.v1 import AppTest

from data_access import schema
from tests.conftest import login
from ui.pages import PAGES, WALL_PAGE, allowed

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard.py")
ROLES = ("duty", "leader", "planner", "town", "admin")  # the wall role's one page has its own tests
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]+")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]{2,}")
# Codes and names that are the same in both languages.
CODES = {
    "GridSight",
    "English",
    "CSV",
    "XLSX",
    "PDF",
    "HTML",
    "P90",
    "P50",
    "URL",
    "OIDC",
    "SQL",
    "WKT",
    "GeoJSON",
    "Shapefile",
    "TOML",
    "UTF",
    "BOM",
    "GBK",
    "WGS",
    "GCJ",
    "EPSG",
    "CRS",
    "km",
    "kmh",
    "ID",
    "IDs",
    "SSO",
    "GRID_DB_URL",
    "streamlit",
    "python",
    "sqlite",
    "postgresql",
    "psycopg",
    "GeoPackage",
    "Excel",
    "min",
    "max",  # file formats by their product names; maths in formulas
}
RAW_MISSING = re.compile(r"(?<![\w.])(None|nan|NaN|NaT|<NA>)(?![\w])")


def _names(url: str) -> set[str]:
    """Every name the store holds: data, shown as stored in either language."""
    engine = create_engine(url)
    out: set[str] = set()
    with engine.connect() as conn:
        for table, cols in (
            (schema.admin_units, ("name",)),
            (schema.grids, ("name",)),
            (schema.micro_grids, ("name",)),
            (schema.departments, ("name",)),
            (schema.workers, ("name",)),
            (schema.event_item_types, ("name",)),
            (schema.users, ("username",)),
        ):
            for col in cols:
                if col in table.c:
                    out |= {str(v) for (v,) in conn.execute(select(table.c[col])) if v}
    engine.dispose()
    return out


def _visible(at: AppTest) -> list[str]:
    """What a person reads on the page (not ids, styles or chart internals)."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        out += [getattr(e, "value", "") or "" for e in getattr(at, kind)]
    for m in at.metric:
        out += [m.label, str(m.value)]
    for kind in ("selectbox", "radio", "multiselect"):
        for w in getattr(at, kind):
            out.append(w.label)
            out += [str(o) for o in w.options]
            if getattr(w.proto, "placeholder", ""):
                out.append(w.proto.placeholder)
    for kind in ("button", "toggle", "checkbox", "text_input", "number_input", "date_input", "expander", "tabs"):
        for w in getattr(at, kind, []):
            out.append(str(getattr(w, "label", "") or ""))
    for df in at.dataframe:
        value = df.value
        out += [str(c) for c in value.columns]
        for col in value.columns:
            cells = value[col].head(200).tolist()
            out += [v for v in cells if isinstance(v, str)]
            # A missing cell is drawn as the table's placeholder ("—"), else as the text "None".
            out += [df.proto.placeholder or "None" for v in cells if v is None and value[col].dtype == object]
    for node in at.get("plotly_chart"):
        spec = json.loads(node.proto.spec or "{}")
        layout = spec.get("layout", {})
        for axis in [k for k in layout if k.startswith(("xaxis", "yaxis"))] + ["title"]:
            title = layout.get(axis, {}).get("title") if axis != "title" else layout.get("title")
            if isinstance(title, dict):
                out.append(str(title.get("text", "")))
            elif isinstance(title, str):
                out.append(title)
        for trace in spec.get("data", []):
            if trace.get("name"):
                out.append(str(trace["name"]))
    return [s for s in out if s]


def _leaks(texts: list[str], language: str, names: set[str]) -> list[str]:
    found = []
    for text in texts:
        if RAW_MISSING.search(text):
            found.append(f"raw missing value in {text[:120]!r}")
        rest = text
        for name in sorted((n for n in names if n in rest), key=len, reverse=True):
            rest = rest.replace(name, " ")
        rest = re.sub(r"`[^`]*`", " ", rest)  # commands and paths quoted as code
        rest = re.sub(r"\bE\d+\b|https?://\S+|[\w./-]+\.(?:py|toml|db|csv|json|geojson)\b", " ", rest)
        if language == "en":
            bad = CJK.findall(rest)
        else:
            bad = [w for w in WORD.findall(rest) if w not in CODES]
        if bad:
            found.append(f"{bad[:5]} in {text[:120]!r}")
    return found


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_speaks_one_language(app_env, role, language):
    names = _names(app_env)
    problems = []
    at = None
    for spec in PAGES:
        if spec.path == WALL_PAGE or not allowed(spec, role):
            continue
        if at is None or language == "en":
            # English: a fresh session per page. AppTest formats a select's value outside the
            # script run, where the catalogue cannot see the session's language, so a second
            # run after an English page with a chosen option would fail inside AppTest.
            at = AppTest.from_file(APP, default_timeout=120)
            login(at, role)
            if language == "en":
                at.sidebar.toggle(key="lang_en").set_value(True).run()
        at.switch_page(spec.path).run()
        assert not at.exception, (spec.path, [e.message for e in at.exception])
        problems += [f"{spec.url_path}: {p}" for p in _leaks(_visible(at), language, names)]
    assert not problems, f"{len(problems)} leaks ({role}, {language}):\n" + "\n".join(sorted(set(problems)))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_refused_link_is_explained_in_the_readers_language(app_env, language):
    """A town user's live-map link to the other town (id 3): the data layer refuses it in English
    for logs; the page says why in the reader's language, the same words as for a unit that does
    not exist (issue #18, finding 14)."""
    from ui.labels import LABELS

    names = _names(app_env)
    at = AppTest.from_file(APP, default_timeout=120)
    login(at, "town")
    if language == "en":
        at.sidebar.toggle(key="lang_en").set_value(True).run()
    at.query_params["level"] = "town"
    at.query_params["unit"] = "3"
    at.switch_page("pages/live_map.py").run()
    assert not at.exception
    messages = [e.value for kind in ("warning", "info", "error") for e in getattr(at, kind)]
    reason = LABELS["live_map_unit_unavailable"][0 if language == "zh" else 1]
    refusal = [m for m in messages if reason in m]
    assert refusal, messages
    assert not _leaks(refusal, language, names), refusal


def test_error_text_translates_keyed_filter_errors():
    import datetime as dt

    from data_access.filters import FilterError, Filters
    from ui.labels import error_text, use_lang

    with pytest.raises(FilterError) as caught:
        Filters(date_from=dt.date(2026, 3, 2), date_to=dt.date(2026, 3, 1), as_of=dt.datetime.now(dt.UTC))
    with use_lang("zh"):
        assert error_text(caught.value) == "开始日期 2026-03-02 晚于结束日期 2026-03-01。"
    with use_lang("en"):
        assert error_text(caught.value) == "The start date 2026-03-02 is after the end date 2026-03-01."
    with use_lang("zh"):
        assert (
            error_text(FilterError("x", "unit_outside_scope", level="town", id=12))
            == "编号为 12 的镇街不在您的账户权限范围内。"
        )
        assert error_text(ValueError("plain")) == "plain"  # unkeyed: its own message


def test_audit_details_read_as_words():
    from ui.audit_view import action_name, detail_text, page_name
    from ui.labels import use_lang

    raw = '{"category": null, "from": "2026-03-02", "to": "2026-03-31", "town": 2, "village": null}'
    with use_lang("zh"):
        assert detail_text(raw) == "统计期 2026-03-02 – 2026-03-31 · 镇街编号 2"
        assert detail_text("expired") == "会话过期" and detail_text('{"role": "planner"}') == "角色 规划"
        assert action_name("page_view") == "查看页面" and page_name("monthly_rankings") == "月度排名"
        assert detail_text("something_new") == "something_new" and page_name(None) == ""
        signed_in = '{"client": "10.0.0.7", "reason": "cookie"}'
        assert detail_text(signed_in) == "客户端地址 10.0.0.7 · 原因 同一浏览器重新打开"
        assert action_name("session_resumed") == "恢复登录(同一浏览器)"
    with use_lang("en"):
        assert (
            detail_text('{"reason": "everywhere", "sessions": 3}') == "reason signed out everywhere · sessions ended 3"
        )
        assert detail_text(raw) == "period 2026-03-02 – 2026-03-31 · town id 2"
        assert page_name("monthly_rankings") == "Monthly rankings"


def test_data_access_errors_that_reach_a_page_carry_a_code(app_env):
    """The category check and the live map's level check raise keyed errors, so a page shows them
    in the reader's language rather than their English message."""
    import datetime as dt

    from data_access import live, units
    from data_access.filters import FilterError, Filters
    from data_access.store import create_store_engine
    from ui.labels import error_text, use_lang

    engine = create_store_engine(app_env)
    f = Filters(dt.date(2026, 3, 2), dt.date(2026, 3, 31), dt.datetime(2026, 3, 31, 10, tzinfo=dt.UTC))
    with pytest.raises(FilterError) as bad_category:
        units.validate_filters(engine, dataclasses.replace(f, category_code="nope"))
    with pytest.raises(FilterError) as bad_level:
        live.unit_numbers(engine, f, f.as_of, "province")
    engine.dispose()
    assert (bad_category.value.key, bad_level.value.key) == ("unknown_category", "unknown_level")
    with use_lang("zh"):
        assert error_text(bad_category.value) == "没有事件大类“nope”。"
        assert error_text(bad_level.value) == "没有层级“province”。"
    with use_lang("en"):
        assert error_text(bad_level.value) == "There is no level “province”."
