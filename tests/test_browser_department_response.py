"""Real browser: the department response page on the shared seed-7 sample county, in Chromium.

Opens the page with ?department=<the department holding the most overdue work>, waits for the
table and the charts, checks the numbers against data_access, and saves screenshots to
tests/artifacts/ (department_response.png: the first screen; -slow-tab, -measures-tab, -box).
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
        page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
        page.wait_for_timeout(3000)  # let plotly and the data grids draw
        # The first tab answers "who is slow now": the department holding the most overdue work,
        # its count, and the slow table, without switching tabs or scrolling past other parts.
        assert "当前谁慢" in page.get_by_role("tab", selected=True).inner_text()
        panel = page.get_by_role("tabpanel").filter(visible=True).first
        text = panel.inner_text()
        worst = table.sort_values(["overdue_now", "open_now"], ascending=False, kind="stable").iloc[0]
        assert f"超期最多的是 {worst['name']}({int(worst['overdue_now'])} 件)" in text
        assert f"等待最久的在办事件:{focus['name']}" in text
        assert "None" not in text and "Traceback" not in text
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "department_response.png"), full_page=False)
        page.screenshot(path=str(ARTIFACTS / "department_response-slow-tab.png"), full_page=True)
        # Every measure in the second tab: the reference row, the score formula, no "None".
        page.get_by_role("tab", name="全部指标").click()
        page.wait_for_function(
            "document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').length >= 4", timeout=90_000
        )
        page.wait_for_timeout(2000)
        text = page.get_by_role("tabpanel").filter(visible=True).first.inner_text()
        assert "全县(全部部门)" in text and "得分 = 100 ×" in text
        page.screenshot(path=str(ARTIFACTS / "department_response-measures-tab.png"), full_page=True)
        page.locator('[data-testid="stPlotlyChart"]:visible').last.screenshot(
            path=str(ARTIFACTS / "department_response-box.png")
        )
        assert not page.locator('[data-testid="stException"]').count()
        assert page.outside_requests == [], f"requests left the machine: {page.outside_requests}"
