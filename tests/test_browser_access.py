"""(d) No way around the gate in a real browser: on a freshly started server, every page URL
opened logged out shows the login form and no data; a role opening another role's page by URL is
refused."""

from __future__ import annotations

from tests import fixture_county as fc
from tests.browser import ARTIFACTS, chromium_page, require_browser, running_dashboard, sign_in
from ui.pages import PAGES

DATA_SELECTORS = [
    '[data-testid="stMetric"]',
    '[data-testid="stDataFrame"]',
    '[data-testid="stDeckGlJsonChart"]',
    '[data-testid="stPlotlyChart"]',
    "canvas",
]


def test_every_page_url_logged_out_shows_only_the_login_form(fixture_sqlite_url):
    require_browser()
    env = {"GRID_DB_URL": fixture_sqlite_url, "GRID_NOW": fc.AS_OF_ISO}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_dashboard(env) as base, chromium_page() as page:
        # The first request of this server names a page (Streamlit's page-alone path), then the rest.
        for spec in sorted(PAGES, key=lambda s: s.url_path != "live_map"):
            page.goto(f"{base}/{spec.url_path}?level=town&unit=3&department=1", wait_until="domcontentloaded")
            page.wait_for_selector(".st-key-login_username input", timeout=90_000)
            page.wait_for_timeout(1500)  # whatever else the run would draw has had time to arrive
            if spec.url_path == "live_map":
                page.screenshot(path=str(ARTIFACTS / "access-logged-out.png"))
            for selector in DATA_SELECTORS:
                assert page.locator(selector).count() == 0, (spec.url_path, selector)
            text = page.locator("body").inner_text()
            assert "东城街道" not in text and "白鹤" not in text, spec.url_path  # no unit names either
            assert "队伍画像" not in text, spec.url_path  # nor the list of pages
        assert page.outside_requests == []


def test_a_planner_opening_the_live_map_url_is_refused(fixture_sqlite_url):
    require_browser()
    env = {"GRID_DB_URL": fixture_sqlite_url, "GRID_NOW": fc.AS_OF_ISO}
    with running_dashboard(env) as base, chromium_page() as page:
        page.goto(f"{base}/live_map", wait_until="domcontentloaded")
        sign_in(page, "planner")
        page.get_by_text("您的角色无权查看此页面").wait_for(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "access-planner-refused.png"))
        assert page.locator('[data-testid="stDeckGlJsonChart"]').count() == 0
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "总览" in nav and "队伍画像" in nav and "实时地图" not in nav, nav


def test_admin_page_and_a_town_users_sidebar_in_chromium(fixture_sqlite_url):
    require_browser()
    env = {"GRID_DB_URL": fixture_sqlite_url, "GRID_NOW": fc.AS_OF_ISO}
    with running_dashboard(env) as base, chromium_page() as page:
        page.goto(f"{base}/admin", wait_until="domcontentloaded")
        sign_in(page, "admin")
        page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "access-admin.png"), full_page=True)
        assert "登录成功" in page.locator("body").inner_text()  # the admin's own sign-in is in the log
        page.goto(base, wait_until="domcontentloaded")
        sign_in(page, "town")
        page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=60_000)
        page.wait_for_timeout(2000)
        page.screenshot(path=str(ARTIFACTS / "access-town-overview.png"), full_page=True)
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
        assert "东城街道" in sidebar and "白鹤" not in sidebar
        assert "数据导入" not in sidebar and "用户与审计" not in sidebar
        assert page.outside_requests == []
