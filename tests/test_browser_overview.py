"""Real browser: the overview page in headless Chromium shows its KPI cards and a drawn map."""

from __future__ import annotations

import io

from PIL import Image

from tests import fixture_county as fc
from tests.browser import ARTIFACTS, chromium_page, require_browser, running_dashboard, sign_in


def distinct_colours(png: bytes) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB").resize((200, 150))
    return len(set(image.get_flattened_data()))


def test_overview_in_chromium(fixture_sqlite_url):
    require_browser()
    env = {"GRID_DB_URL": fixture_sqlite_url, "GRID_NOW": fc.AS_OF_ISO}
    with running_dashboard(env) as base, chromium_page() as page:
        page.goto(base, wait_until="domcontentloaded")
        sign_in(page, "leader")
        page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
        page.wait_for_function("document.querySelectorAll('[data-testid=\"stMetric\"]').length >= 8", timeout=60_000)
        chart = page.locator('[data-testid="stDeckGlJsonChart"]')
        chart.locator("canvas").first.wait_for(timeout=60_000)
        page.wait_for_timeout(2500)  # let deck.gl finish its first frames
        metrics = page.locator('[data-testid="stMetric"]').all_inner_texts()
        joined = "\n".join(metrics)
        assert "上报事件" in joined and "8" in joined
        assert any("按期办结率" in m and "50.0%" in m for m in metrics)
        map_png = chart.screenshot()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
        (ARTIFACTS / "overview-map.png").write_bytes(map_png)
        # Two towns in two colour classes plus outlines and labels: far more than a blank canvas.
        assert distinct_colours(map_png) > 20
        assert page.outside_requests == [], f"requests left the machine: {page.outside_requests}"
