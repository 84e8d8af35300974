"""Real browser: every page on the H district store (no micro-grids, 管区), screenshotted.

Screenshots go to tests/artifacts/hdistrict-<page>.png (look at them: a section that only makes
sense for micro-grids, or 村社 where the store says 管区, is a defect the DOM check may miss).
"""

from __future__ import annotations

from tests.browser import ARTIFACTS, chromium_page, require_browser, running_dashboard, sign_in
from tests.conftest import SAMPLE_COUNTY_END, sample_hdistrict_url
from tests.test_app_hdistrict import MICRO, T_COUNTY_ONLY
from ui.pages import available_pages


def settle(page) -> None:
    """Wait until the script run has finished (Streamlit greys out and makes inert a page in a run)."""
    page.wait_for_timeout(500)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=180_000, polling=500)


def test_every_page_on_h_district_in_chromium():
    require_browser()
    env = {"GRID_DB_URL": sample_hdistrict_url(), "GRID_NOW": SAMPLE_COUNTY_END}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_dashboard(env) as base, chromium_page() as page:
        # Through the entrypoint first, so st.navigation (not the old pages/ discovery) is in charge.
        page.goto(base, wait_until="domcontentloaded")
        page.wait_for_selector(".st-key-login_username input", timeout=120_000)
        settle(page)
        sign_in(page, "admin")
        page.wait_for_selector("h1", timeout=120_000)
        for spec in available_pages():
            page.goto(f"{base}/{'' if spec.default else spec.url_path}", wait_until="domcontentloaded")
            # Still signed in: the session cookie outlives the page load (issue #18, finding 12).
            page.wait_for_selector(".st-key-auth_logout button", state="attached", timeout=120_000)
            settle(page)
            page.wait_for_timeout(2500)  # deck.gl and plotly draw their first frames
            page.screenshot(path=str(ARTIFACTS / f"hdistrict-{spec.url_path}.png"), full_page=True)
            assert page.locator('[data-testid="stException"]').count() == 0, spec.url_path
            text = page.locator("body").inner_text()
            for word in MICRO + T_COUNTY_ONLY:
                assert word not in text, (spec.url_path, word)
        assert page.outside_requests == []
