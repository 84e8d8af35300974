"""A deep link on a freshly started server gets the real navigation and the page it names."""

from __future__ import annotations

from tests import fixture_county as fc
from tests.browser import ARTIFACTS, chromium_page, require_browser, running_dashboard, sign_in


def test_deep_link_on_fresh_server(fixture_sqlite_url):
    require_browser()
    env = {"GRID_DB_URL": fixture_sqlite_url, "GRID_NOW": fc.AS_OF_ISO}
    with running_dashboard(env) as base, chromium_page() as page:
        # The very first request of this server names a page, not the root.
        page.goto(f"{base}/workforce", wait_until="domcontentloaded")
        sign_in(page, "leader")
        nav = page.locator('[data-testid="stSidebarNav"]')
        nav.wait_for(timeout=60_000)
        page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
        text = nav.inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "deep-link-fresh-server.png"))
        assert "总览" in text and "队伍画像" in text, text
        # the auto-discovered list would show file names such as "department response"
        assert "department response" not in text and "monthly rankings" not in text
        assert page.url.rstrip("/").endswith("/workforce")
        assert page.outside_requests == []
