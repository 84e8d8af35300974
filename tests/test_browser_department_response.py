"""Real browser: the department response page on the shared seed-7 sample county, in Chromium.

Opens the page with ?department=<the department holding the most overdue work>, waits for the
table and the charts, checks the numbers against data_access, and saves screenshots to
tests/artifacts/ (department_response.png, department_response-box.png).
"""

from __future__ import annotations

import datetime as dt

from data_access import departments as dep
from data_access.filters import default_filters
from data_access.store import create_store_engine
from data_access.units import latest_report_date
from tests.browser import ARTIFACTS, chromium_page, require_browser, running_dashboard, sign_in
from tests.test_department_planted import END, shared_county


def test_department_response_in_chromium():
    require_browser()
    url = shared_county(7, build=True)
    as_of = dt.datetime.fromisoformat(END)
    engine = create_store_engine(url)
    f = default_filters(latest_report_date(engine), as_of=as_of)
    table = dep.department_table(engine, f)
    engine.dispose()
    focus = table.sort_values(["overdue_now", "open_now"], ascending=False).iloc[0]
    env = {"GRID_DB_URL": url, "GRID_NOW": END}
    with running_dashboard(env) as base, chromium_page(height=5200) as page:
        page.goto(f"{base}/department_response?department={int(focus['department_id'])}", wait_until="domcontentloaded")
        sign_in(page, "leader")
        page.wait_for_selector('h1:has-text("部门响应")', timeout=90_000)
        page.wait_for_function(
            "document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').length >= 4", timeout=90_000
        )
        page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
        page.wait_for_timeout(3000)  # let plotly and the data grids draw
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert "全县(全部部门)" in text and "得分 = 100 ×" in text
        assert f"等待最久的在办事件:{focus['name']}" in text
        assert "Traceback" not in text and not page.locator('[data-testid="stException"]').count()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "department_response.png"), full_page=True)
        page.locator('[data-testid="stPlotlyChart"]').nth(1).screenshot(
            path=str(ARTIFACTS / "department_response-box.png")
        )
        assert page.outside_requests == [], f"requests left the machine: {page.outside_requests}"
