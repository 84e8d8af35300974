"""The data-import admin page (AppTest and Chromium), and every page on a store built only by import."""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import shapely
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_access import schema
from data_access.ingest import import_events
from data_access.store import create_store_engine
from tests.browser import ARTIFACTS, chromium_page, require_browser, running_dashboard, sign_in
from tests.conftest import login, point_app_at
from tests.data.ingest_support import CN_PLATFORM, DATA, OPEN311, empty_store, fingerprint, import_base_boundaries
from ui.pages import PAGES

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3400-\u9fff]")
APP = str(ROOT / "dashboard.py")
TZ = ZoneInfo("Asia/Shanghai")
NOW_ISO = "2026-11-22T12:00:00+08:00"
# A list: AppTest's DateInput.set_value ignores a (from, to) tuple in streamlit 1.67.
OCTOBER = [dt.date(2026, 10, 1), dt.date(2026, 10, 31)]


@pytest.fixture(scope="module")
def imported_url(tmp_path_factory) -> str:
    """A store made only of the imported test files: 2 towns, 4 villages, 8 grids, no micro-grids,
    320 Open311 requests and 48 platform events."""
    url = empty_store(f"sqlite:///{tmp_path_factory.mktemp('imported') / 'imported.db'}")
    import_base_boundaries(url)
    now = dt.datetime.fromisoformat(NOW_ISO)
    for path, mapping in ((DATA / "open311_requests.csv", OPEN311), (DATA / "cn_platform_gbk.csv", CN_PLATFORM)):
        report = import_events(path, url, mapping, now=now)
        assert report.committed, report.errors_frame()
    return url


@pytest.fixture
def env(monkeypatch, imported_url):

    point_app_at(monkeypatch, imported_url, NOW_ISO)
    return imported_url


@pytest.fixture
def writable_env(monkeypatch, tmp_path):
    """A store with the boundaries only, for the page to import into."""

    url = empty_store(f"sqlite:///{tmp_path / 'target.db'}")
    import_base_boundaries(url)
    point_app_at(monkeypatch, url, NOW_ISO)
    return url


def open_page() -> AppTest:
    at = login(AppTest.from_file(APP, default_timeout=90), "admin")
    at.switch_page("pages/data_import.py").run()
    assert not at.exception
    return at


def upload(at: AppTest, key: str, path: Path) -> AppTest:
    at.file_uploader(key=key).set_value((path.name, path.read_bytes(), "application/octet-stream")).run()
    assert not at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return {m.label: m.value for m in at.metric}[label]


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The shown table that has `column` (AppTest finds st.dataframe by position, not by key)."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def existing_pages():
    return [spec for spec in PAGES if (ROOT / spec.path).exists()]


@pytest.mark.parametrize("spec", existing_pages(), ids=lambda s: s.url_path)
def test_every_page_renders_on_an_imported_store_without_micro_grids(env, spec):
    at = login(AppTest.from_file(APP, default_timeout=90), "admin")
    at.run()  # the date widget's id changes after the first run; a value set before is lost
    at.sidebar.date_input(key="filter_dates").set_value(OCTOBER).run()
    assert at.sidebar.date_input(key="filter_dates").value == tuple(OCTOBER)
    at.switch_page(spec.path).run()
    assert not at.exception, [e.message for e in at.exception]


def test_overview_counts_the_imported_events(env):
    at = login(AppTest.from_file(APP, default_timeout=90), "admin")
    at.run()  # the date widget's id changes after the first run; a value set before is lost
    at.sidebar.date_input(key="filter_dates").set_value(OCTOBER).run()
    assert at.sidebar.date_input(key="filter_dates").value == tuple(OCTOBER)
    assert not at.exception
    days = pd.concat(
        [
            pd.to_datetime(pd.read_csv(DATA / "open311_requests.csv")["requested_datetime"]).dt.tz_convert(TZ).dt.date,
            pd.to_datetime(
                pd.read_csv(DATA / "cn_platform_gbk.csv", encoding="gbk")["上报时间"], format="%Y/%m/%d %H:%M:%S"
            ).dt.date,
        ]
    )
    in_october = int(((days >= OCTOBER[0]) & (days <= OCTOBER[1])).sum())
    assert metric(at, "上报事件") == f"{in_october:,}"
    towns = at.dataframe[0].value.set_index("镇街")
    assert set(towns.index) == {"城南街道", "青山镇"} and towns["上报"].sum() == in_october


def test_page_says_it_is_an_admin_function(writable_env):
    at = open_page()
    caption = at.caption[0].value
    assert "管理员功能" in caption and "审计日志" in caption and "后续版本" not in caption
    assert writable_env not in caption and "sqlite" not in caption  # no database URL on the page
    at.sidebar.toggle(key="lang_en").set_value(True).run()
    assert "Admin function" in at.caption[0].value and "later release" not in at.caption[0].value


def test_broken_event_file_shows_the_report_and_cannot_be_committed(writable_env):
    before = fingerprint(writable_env)
    at = open_page()
    at.radio(key="data_import_kind").set_value("events").run()
    upload(at, "data_import_file_events", DATA / "cn_platform_broken_gbk.csv")
    at.selectbox(key="data_import_mapping").set_value("cn_platform.toml").run()
    at.button(key="data_import_preview_button").click().run()
    assert not at.exception
    assert metric(at, "读取行数") == "8" and metric(at, "拒绝行数") == "6"
    errors = table_with(at, "行号")
    assert errors["行号"].tolist() == [3, 4, 5, 6, 7, 8]
    assert "外星人入侵" in " ".join(errors["原因"])
    assert "默认不会写入任何数据" in at.warning[0].value
    assert at.button(key="data_import_commit_button").disabled
    assert fingerprint(writable_env) == before
    # allowing a partial import enables the commit of the two good rows, after a new preview
    at.checkbox(key="data_import_partial").check().run()
    assert at.button(key="data_import_commit_button").disabled
    at.button(key="data_import_preview_button").click().run()
    assert metric(at, "新增") == "2" and not at.button(key="data_import_commit_button").disabled
    at.button(key="data_import_commit_button").click().run()
    assert not at.exception and "已提交:新增 2 条" in at.success[0].value
    assert fingerprint(writable_env)[0]["events"] == 2


def test_clean_event_file_previews_then_commits(writable_env):
    at = open_page()
    at.radio(key="data_import_kind").set_value("events").run()
    upload(at, "data_import_file_events", DATA / "cn_platform_gbk.csv")
    at.selectbox(key="data_import_mapping").set_value("cn_platform.toml").run()
    at.button(key="data_import_preview_button").click().run()
    assert "gb18030" in " ".join(c.value for c in at.caption)
    assert metric(at, "新增") == "48" and "校验通过" in at.success[0].value
    preview = table_with(at, "code")
    assert len(preview) == 20 and preview["code"].iloc[0] == "SJ202600001"
    assert fingerprint(writable_env)[0]["events"] == 0  # a preview writes nothing
    at.button(key="data_import_commit_button").click().run()
    assert not at.exception and fingerprint(writable_env)[0]["events"] == 48
    # after the commit: the "ready to commit" notice is gone and the button cannot commit twice
    assert "已提交:新增 48 条" in at.success[0].value
    assert not any("校验通过" in m.value for m in at.success)
    assert at.button(key="data_import_commit_button").disabled
    engine = create_store_engine(writable_env)
    with engine.connect() as conn:
        entries = conn.execute(
            select(schema.audit_log.c.username, schema.audit_log.c.detail).where(schema.audit_log.c.action == "import")
        ).all()
    engine.dispose()
    assert len(entries) == 1 and entries[0].username == "admin"
    detail = json.loads(entries[0].detail)
    assert detail["file"] == "cn_platform_gbk.csv" and detail["inserted"] == 48 and detail["kind"] == "events"
    # the same file again: updates, no duplicates
    at.button(key="data_import_preview_button").click().run()
    assert metric(at, "新增") == "0" and metric(at, "更新") == "48"


def test_boundary_upload_lists_fields_and_reports_repairs(writable_env):
    at = open_page()
    upload(at, "data_import_file_boundaries", DATA / "villages_bowtie.geojson")
    assert at.selectbox(key="data_import_id_field").options == ["CODE", "NAME", "TOWN"]
    at.selectbox(key="data_import_level").set_value("village").run()
    at.selectbox(key="data_import_id_field").set_value("CODE").run()
    at.selectbox(key="data_import_name_field").set_value("NAME").run()
    at.selectbox(key="data_import_parent_field").set_value("TOWN").run()
    at.button(key="data_import_preview_button").click().run()
    assert not at.exception
    assert metric(at, "几何修复") == "1" and metric(at, "更新") == "4"
    assert "make_valid" in table_with(at, "原因")["原因"].iloc[0]


def test_bad_crs_text_is_a_message_not_a_traceback(writable_env):
    at = open_page()
    upload(at, "data_import_file_boundaries", DATA / "towns.geojson")
    at.text_input(key="data_import_crs").set_value("EPSG:nonsense").run()
    at.button(key="data_import_preview_button").click().run()
    assert not at.exception and "无法识别" in at.error[0].value and "gcj02" in at.error[0].value


def test_data_import_page_in_chromium(writable_env, tmp_path):
    require_browser()
    with running_dashboard({"GRID_DB_URL": writable_env, "GRID_NOW": NOW_ISO}) as base, chromium_page() as page:
        page.goto(base, wait_until="domcontentloaded")
        sign_in(page, "admin")
        page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)  # the overview is up
        page.get_by_role("link", name="数据导入").click()
        page.get_by_text("导入内容").wait_for(timeout=60_000)
        page.get_by_text("事件", exact=True).first.click()
        page.get_by_text("CSV, TXT, XLSX").wait_for(timeout=30_000)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
            str(DATA / "cn_platform_broken_gbk.csv")
        )
        page.get_by_text("字段映射").wait_for(timeout=30_000)
        page.get_by_role("button", name="校验并预览").click()
        page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
        page.wait_for_timeout(2000)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "data_import.png"), full_page=True)
        metrics = "\n".join(page.locator('[data-testid="stMetric"]').all_inner_texts())
        assert "拒绝行数" in metrics and "6" in metrics
        assert page.outside_requests == [], page.outside_requests


def test_a_file_level_problem_is_shown_as_such(writable_env):
    before = fingerprint(writable_env)
    at = open_page()
    upload(at, "data_import_file_boundaries", DATA / "villages.zip")
    assert at.selectbox(key="data_import_level").value == "town"  # the usual first file
    at.selectbox(key="data_import_level").set_value("county").run()
    at.button(key="data_import_preview_button").click().run()
    assert not at.exception and "整个文件无法导入" in at.error[0].value
    assert "恰好含一个县要素" in " ".join(table_with(at, "原因")["原因"])
    assert at.button(key="data_import_commit_button").disabled
    assert fingerprint(writable_env) == before


def test_a_broken_upload_shows_no_server_path(writable_env, tmp_path):
    """GDAL names the temp copy of an upload (/vsizip//tmp/tmp…/upload.zip/a.shp): the page must not."""
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("a.shp", b"garbage")
        z.writestr("a.dbf", b"x")
    at = open_page()
    upload(at, "data_import_file_boundaries", broken)
    shown = " ".join(e.value for e in at.error)
    assert not at.exception and "无法导入" in shown
    assert "not recognized" in shown  # the reason itself is kept
    assert tempfile.gettempdir() + "/" not in shown and "upload.zip" not in shown and writable_env not in shown


def test_page_imports_outside_china_when_allowed(writable_env, tmp_path):
    """The CLI's --allow-outside-china on the page: an LA-style town is refused, then accepted when ticked."""
    town = tmp_path / "la_town.geojson"
    town.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "LA1", "name": "Los Angeles"},
                        "geometry": shapely.geometry.mapping(shapely.box(-118.3, 34.0, -118.2, 34.1)),
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    at = open_page()
    upload(at, "data_import_file_boundaries", town)
    at.button(key="data_import_preview_button").click().run()
    assert "中国境外" in " ".join(table_with(at, "原因")["原因"])
    at.checkbox(key="data_import_outside").check().run()
    at.button(key="data_import_preview_button").click().run()
    assert not at.exception and metric(at, "拒绝行数") == "0"


ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]{2,}")


def test_validation_messages_speak_the_readers_language(writable_env, tmp_path):
    """Row-level problems and whole-file refusals in Chinese on the Chinese page (no English
    sentence), from one message catalogue with a label per code."""

    def broken_preview() -> AppTest:
        at = open_page()
        at.radio(key="data_import_kind").set_value("events").run()
        upload(at, "data_import_file_events", DATA / "cn_platform_broken_gbk.csv")
        at.selectbox(key="data_import_mapping").set_value("cn_platform.toml").run()
        at.button(key="data_import_preview_button").click().run()
        assert not at.exception
        return at

    at = broken_preview()
    errors = table_with(at, "原因")
    reasons = " ".join(errors["原因"])
    for zh in (
        "编号「BAD001」重复(首次出现在第 2 行)",
        "未知的事件类别「外星人入侵」",
        "无法识别的时间",
        "编号为空",
        "早于 上报",
    ):
        assert zh in reasons, reasons
    shown = (reasons + " ".join(map(str, errors["字段"]))).replace("BAD001", "")  # an event code: data
    words = set(ENGLISH_WORD.findall(shown))
    assert not words, words  # no English sentence (times and numbers are no words)
    # a whole-file refusal: a header and no rows
    header_only = tmp_path / "header_only.csv"
    header_only.write_text((DATA / "cn_platform_bom.csv").read_text(encoding="utf-8-sig").splitlines()[0] + "\n")
    upload(at, "data_import_file_events", header_only)
    at.button(key="data_import_preview_button").click().run()
    refused = " ".join(e.value for e in at.error)
    assert not at.exception and "没有数据行" in refused and "no data rows" not in refused, refused
    # the English texts are the catalogue's own (the CLI's); test_ingest_events checks them


def test_every_import_message_has_a_label_with_the_same_placeholders():
    import string

    from data_access.ingest.messages import MESSAGES
    from ui.labels import LABELS

    def names(text):
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    for code, english in MESSAGES.items():
        zh, en = LABELS[f"err_import_{code}"]
        assert en == english and names(zh) == names(english), code
        assert CJK.search(zh), code
