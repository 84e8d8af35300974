"""Real browser: the workforce page on the sample county draws its age pyramid and education chart."""

from __future__ import annotations

import io

from PIL import Image

from tests.browser import ARTIFACTS, chromium_page, require_browser, running_dashboard, sign_in
from tests.test_workforce import COUNTY_END, county_url  # noqa: F401 - the shared county fixture


def colour_counts(png: bytes) -> dict[tuple[int, int, int], int]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    counts: dict[tuple[int, int, int], int] = {}
    for pixel in image.get_flattened_data():
        counts[pixel] = counts.get(pixel, 0) + 1
    return counts


def near(counts: dict, rgb: tuple[int, int, int], tol: int = 12) -> int:
    return sum(n for c, n in counts.items() if all(abs(a - b) <= tol for a, b in zip(c, rgb)))


def test_workforce_charts_in_chromium(county_url):  # noqa: F811 - pytest fixture
    require_browser()
    env = {"GRID_DB_URL": county_url, "GRID_NOW": COUNTY_END}
    with running_dashboard(env) as base, chromium_page(width=1600, height=2600) as page:
        page.goto(f"{base}/workforce", wait_until="domcontentloaded")
        sign_in(page, "leader")
        page.wait_for_selector('[data-testid="stMetric"]', timeout=90_000)
        metrics = page.locator('[data-testid="stMetric"]').all_inner_texts()
        joined = "\n".join(metrics)
        assert "3,361" in joined and "836" in joined and "71.0%" in joined
        page.get_by_role("tab", name="年龄与学历").click()
        charts = page.locator('[data-testid="stPlotlyChart"]')
        pyramid, education = charts.nth(1), charts.nth(2)  # 0 is the staffing chart (other tab, hidden)
        for chart in (pyramid, education):
            chart.locator(".main-svg").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pyramid_png, education_png = pyramid.screenshot(), education.screenshot()
        (ARTIFACTS / "workforce-pyramid.png").write_bytes(pyramid_png)
        (ARTIFACTS / "workforce-education.png").write_bytes(education_png)
        page.screenshot(path=str(ARTIFACTS / "workforce-profiles.png"), full_page=True)
        # Both genders' bars are drawn (men #4c78a8 left, women #e45756 right), and the reference
        # diamonds (#f58518) sit on the education chart.
        pyr = colour_counts(pyramid_png)
        assert near(pyr, (0x4C, 0x78, 0xA8)) > 2000 and near(pyr, (0xE4, 0x57, 0x56)) > 2000
        edu = colour_counts(education_png)
        assert near(edu, (0x4C, 0x78, 0xA8)) > 5000 and near(edu, (0xF5, 0x85, 0x18)) > 100
        texts = pyramid.inner_text() + education.inner_text()
        assert "男" in texts and "女" in texts and "大专" in texts
        # The other tabs, for a look at their charts and tables.
        for number, tab in enumerate(("人员配备", "任职与流失", "工作量", "退休预测")):
            page.get_by_role("tab", name=tab).click()
            page.wait_for_timeout(1500)
            page.screenshot(path=str(ARTIFACTS / f"workforce-tab{number}.png"), full_page=True)
        assert not page.locator('[data-testid="stException"]').count()
        assert page.outside_requests == [], f"requests left the machine: {page.outside_requests}"
