"""Real browser: the live map draws its polygons with nothing fetched from outside, drills in by
URL, and keeps refreshing with the right open count while the feeder writes."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
import time

from PIL import Image
from sqlalchemy import text

from data_access.store import create_store_engine
from tests import fixture_county as fc
from tests.browser import ARTIFACTS, ROOT, chromium_page, require_browser, running_dashboard, sign_in

DECK = '[data-testid="stDeckGlJsonChart"]'


def distinct_colours(png: bytes) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB").resize((200, 150))
    return len(set(image.get_flattened_data()))


def metric_value(page, label: str) -> str:
    card = page.locator('[data-testid="stMetric"]', has_text=label).first
    return card.locator('[data-testid="stMetricValue"]').inner_text().strip()


def open_page(page, base: str) -> None:
    # Through the entrypoint first, so st.navigation (not the old pages/ discovery) is in charge.
    page.goto(base, wait_until="domcontentloaded")
    sign_in(page, "leader")
    page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
    page.goto(f"{base}/live_map", wait_until="domcontentloaded")
    sign_in(page, "leader")


def wait_for_map(page) -> bytes:
    chart = page.locator(DECK)
    chart.locator("canvas").first.wait_for(timeout=60_000)
    page.wait_for_timeout(3000)  # let deck.gl finish its first frames
    return chart.screenshot()


def test_live_map_in_chromium(fixture_sqlite_url):
    require_browser()
    env = {"GRID_DB_URL": fixture_sqlite_url, "GRID_NOW": fc.AS_OF_ISO}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_dashboard(env) as base, chromium_page() as page:
        open_page(page, base)
        page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
        county_png = wait_for_map(page)
        assert metric_value(page, "在办事件(实时)") == "4"
        page.screenshot(path=str(ARTIFACTS / "live-map-county.png"), full_page=True)
        (ARTIFACTS / "live-map-county-map.png").write_bytes(county_png)
        # two towns in colour classes, outlines, labels and event dots: far more than a blank canvas
        assert distinct_colours(county_png) > 20

        page.goto(f"{base}/live_map?level=micro_grid&unit=1", wait_until="domcontentloaded")
        sign_in(page, "leader")
        page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
        drilled_png = wait_for_map(page)
        assert metric_value(page, "在办事件(实时)") == "1"
        assert page.get_by_role("button", name="河西社区第1网格微网格1").count() == 1
        page.screenshot(path=str(ARTIFACTS / "live-map-micro-grid.png"), full_page=True)
        (ARTIFACTS / "live-map-micro-grid-map.png").write_bytes(drilled_png)
        assert distinct_colours(drilled_png) > 10
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.outside_requests == [], f"requests left the machine: {page.outside_requests}"


def test_live_map_refreshes_while_the_feeder_writes(tmp_path):
    """5 events/s for 60 s: at least 10 refreshes, no error, and the open count equals the store's."""
    require_browser()
    from sample_data.generate import generate

    path = tmp_path / "live.db"
    url = f"sqlite:///{path}"
    generate(url, profile="tiny", seed=7, end=dt.datetime.now(dt.UTC), progress=False)
    env = {"GRID_DB_URL": url, "GRID_NOW": "", "GRID_LIVE_REFRESH_SECONDS": "5"}
    with running_dashboard(env) as base, chromium_page() as page:
        open_page(page, base)
        page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
        feeder = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sample_data.simulate",
                "--db",
                url,
                "--rate",
                "5",
                "--duration",
                "60",
                "--seed",
                "21",
                "--quiet",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        stamps, opens = set(), set()
        try:
            while feeder.poll() is None:
                stamp = page.get_by_text(re.compile(r"第 \d+ 次刷新")).first.inner_text()
                stamps.add(stamp)
                opens.add(metric_value(page, "在办事件(实时)"))
                assert page.locator('[data-testid="stException"]').count() == 0
                page.wait_for_timeout(1000)
            out, err = feeder.communicate(timeout=10)
        finally:
            if feeder.poll() is None:
                feeder.kill()
        assert feeder.returncode == 0, err
        page.screenshot(path=str(ARTIFACTS / "live-map-feeding.png"), full_page=True)
        page.locator(".st-key-live_map_side").first.screenshot(path=str(ARTIFACTS / "live-map-ticker.png"))
        # The feeder has stopped: within a refresh or two (and the 5 s cache) the page shows the store.
        eng = create_store_engine(url)
        with eng.connect() as conn:
            direct = conn.execute(
                text("SELECT COUNT(*) FROM events WHERE filing_only = 0 AND closed_at IS NULL")
            ).scalar()
        eng.dispose()
        deadline = time.monotonic() + 20
        shown = metric_value(page, "在办事件(实时)")
        while int(shown.replace(",", "")) != direct and time.monotonic() < deadline:
            page.wait_for_timeout(1000)
            shown = metric_value(page, "在办事件(实时)")
        print(f"refreshes seen: {len(stamps)}, open counts seen: {sorted(opens)}; shown {shown}, store {direct}; {out}")
        assert len(stamps) >= 10
        assert len(opens) > 1  # the map visibly changed while the feeder ran
        assert int(shown.replace(",", "")) == direct
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.outside_requests == [], f"requests left the machine: {page.outside_requests}"
