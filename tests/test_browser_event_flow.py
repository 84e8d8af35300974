"""Real browser: the event flow page draws its Sankey (tiny sample county) in headless Chromium."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from tests.browser import ARTIFACTS, chromium_page, require_browser, running_dashboard, sign_in

END = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def distinct_colours(png: bytes) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB").resize((200, 150))
    return len(set(image.get_flattened_data()))


@pytest.fixture(scope="module")
def tiny_url(tmp_path_factory) -> str:
    from tests.conftest import tiny_sqlite_copy

    url = tiny_sqlite_copy(tmp_path_factory.mktemp("tiny_browser") / "tiny.db", 7)
    return url


def test_event_flow_sankey_in_chromium(tiny_url):
    require_browser()
    env = {"GRID_DB_URL": tiny_url, "GRID_NOW": END.isoformat()}
    with running_dashboard(env) as base, chromium_page(height=1400) as page:
        page.goto(f"{base}/event_flow", wait_until="domcontentloaded")
        sign_in(page, "leader")
        chart = page.locator('[data-testid="stPlotlyChart"]').first
        chart.locator("g.sankey").first.wait_for(timeout=90_000)
        page.wait_for_timeout(2000)  # let plotly finish laying out the nodes
        labels = chart.locator("g.sankey text.node-label").all_text_contents()
        joined = " ".join(labels)
        for name in ("巡查发现", "网格", "村社", "镇街", "县社会治理中心", "派单部门", "结案", "仍在办"):
            assert name in joined, f"{name} missing from the Sankey labels: {labels}"
        # one link per (from, to, outcome): the tiny county has dozens
        assert chart.locator("g.sankey path.sankey-link").count() >= 20
        png = chart.screenshot()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "event-flow-sankey.png").write_bytes(png)
        page.screenshot(path=str(ARTIFACTS / "event-flow.png"), full_page=True)
        assert distinct_colours(png) > 30  # outcome colours, node bars and text, not a blank box
        # the other tabs draw too: stage timing with the 24-hour line, and the escalation scatter
        shots = (
            ("两期对比", "event-flow-compare.png"),
            ("环节时效", "event-flow-timing.png"),
            ("上报层级画像", "event-flow-escalation.png"),
        )
        for tab, name in shots:
            page.get_by_role("tab", name=tab).click()
            panel = page.locator('[role="tabpanel"]:visible')
            panel.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=30_000)
            page.wait_for_timeout(1000)
            shot = panel.locator('[data-testid="stHorizontalBlock"], [data-testid="stPlotlyChart"]').first.screenshot()
            (ARTIFACTS / name).write_bytes(shot)
            assert distinct_colours(shot) > 10, name
        assert page.outside_requests == [], f"requests left the machine: {page.outside_requests}"
