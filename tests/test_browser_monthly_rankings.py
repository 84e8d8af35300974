"""Real browser: the monthly rankings page in headless Chromium on the tiny sample county — the
ranking is drawn, the places per ruleset and the review controls are there for a leader, the
XLSX export opens with openpyxl, and the printable report is a
self-contained HTML page (screenshots of both in tests/artifacts/)."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from PIL import Image

from tests.browser import ARTIFACTS, chromium_page, require_browser, running_dashboard, sign_in

END_ISO = "2026-11-22T10:00:00+08:00"


@pytest.fixture(scope="module")
def tiny_url(tmp_path_factory) -> str:
    from tests.conftest import tiny_sqlite_copy

    url = tiny_sqlite_copy(tmp_path_factory.mktemp("rankings_browser") / "tiny.db", 7)
    return url


def distinct_colours(png: bytes) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB").resize((200, 150))
    return len(set(image.get_flattened_data()))


def test_monthly_rankings_in_chromium(tiny_url, tmp_path):
    require_browser()
    env = {"GRID_DB_URL": tiny_url, "GRID_NOW": END_ISO}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_dashboard(env) as base, chromium_page(height=1300) as page:
        # Open the app first so st.navigation owns the sidebar, then the page by its URL.
        page.goto(base, wait_until="domcontentloaded")
        sign_in(page, "leader")
        page.wait_for_selector('[data-testid="stMetric"]', timeout=90_000)
        page.goto(f"{base}/monthly_rankings", wait_until="domcontentloaded")
        sign_in(page, "leader")
        frames = page.locator("[data-testid='stDataFrame']")  # 0 rules, 1 ranking, 2 comparison, ...
        page.wait_for_function("document.querySelectorAll('[data-testid=\"stDataFrame\"]').length >= 5", timeout=90_000)
        page.wait_for_selector(".st-key-rankings_compare_chart .main-svg", timeout=60_000)
        page.wait_for_timeout(2000)
        assert "月度排名与履职真实性" in page.inner_text("h1")
        assert "月度排名" in page.locator('[data-testid="stSidebarNav"]').inner_text()
        metrics = "\n".join(page.locator('[data-testid="stMetric"]').all_inner_texts())
        assert "扣发绩效" in metrics and "凑件" in metrics and "标记 1" in metrics
        frames.nth(1).scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        table_png = frames.nth(1).screenshot()
        (ARTIFACTS / "monthly_rankings-table.png").write_bytes(table_png)
        assert distinct_colours(table_png) > 20  # a drawn grid with sparklines, not a blank box
        page.screenshot(path=str(ARTIFACTS / "monthly_rankings.png"))
        compare = page.locator(".st-key-rankings_compare_chart")
        compare.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        page.screenshot(path=str(ARTIFACTS / "monthly_rankings-compare.png"))
        # The places flagged workers take under every ruleset, and the review a leader can do.
        page.get_by_text("各考核规则下:奖惩名额有多少落到被标记的网格员").scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        assert page.get_by_text("履职真实性复核", exact=True).count() == 1
        assert page.locator(".st-key-rankings_review_clear button").count() == 1
        assert page.locator(".st-key-rankings_review_uphold button").count() == 1
        page.screenshot(path=str(ARTIFACTS / "monthly_rankings-consequences.png"))
        flags = page.locator(".st-key-rankings_flag_table")
        flags.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        page.screenshot(path=str(ARTIFACTS / "monthly_rankings-integrity.png"))
        # A worker's row links to the evidence: select the third flagged worker (the empty patrol).
        box = flags.locator("[data-testid='stDataFrame']").bounding_box()
        page.mouse.click(box["x"] + 12, box["y"] + 35 * 3 + 17)
        page.wait_for_function(
            "document.querySelector('.st-key-rankings_evidence_signal input').value === '巡查空跑'", timeout=30_000
        )
        page.wait_for_timeout(1500)
        evidence_frame = page.locator("[data-testid='stDataFrame']").last
        evidence_frame.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        page.screenshot(path=str(ARTIFACTS / "monthly_rankings-evidence.png"))

        with page.expect_download(timeout=60_000) as xlsx_info:
            page.locator(".st-key-rankings_export_xlsx button").click()
        xlsx_path = tmp_path / "ranking.xlsx"
        xlsx_info.value.save_as(xlsx_path)
        book = openpyxl.load_workbook(xlsx_path)
        assert book.sheetnames[0] == "说明"  # the About sheet first, then the ranking
        sheet = book[book.sheetnames[1]]
        assert sheet.freeze_panes == "A2"
        header = [c.value for c in sheet[1]]
        assert header[:3] == ["名次", "名次变化", "网格员"] and "总分" in header and "等级" in header
        assert sheet.max_row > 10  # the tiny county's full-time workers

        page.wait_for_timeout(3000)  # the download reruns the page; let it settle
        with page.expect_download(timeout=60_000) as report_info:
            page.get_by_role("button", name="下载可打印的月度报告(HTML)").first.click()
        report_path = tmp_path / "report.html"
        report_info.value.save_as(report_path)
        text = report_path.read_text(encoding="utf-8")
        # Self-contained: no scripts, no links or sources outside the file.
        assert "<script" not in text.lower()
        assert not re.search(r"""(src|href)\s*=\s*['"]?(https?:)?//""", text)
        assert "<svg" in text and "月度考核报告" in text and "凑件" in text
        outside = list(page.outside_requests)

    with chromium_page(width=1100, height=1400) as report_page:
        report_page.goto(report_path.as_uri())
        report_page.wait_for_selector("svg")
        report_page.screenshot(path=str(ARTIFACTS / "monthly_rankings-report.png"), full_page=True)
        # Only the file itself is loaded: no font, image or script from anywhere else.
        assert [u for u in report_page.outside_requests if u != report_path.as_uri()] == []
    assert outside == [], f"requests left the machine: {outside}"
