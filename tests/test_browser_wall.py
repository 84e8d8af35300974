"""Real browser: the wall screen fills 1920×1080, 3840×2160 (device scale 2) and 1366×768 without
scrolling or clipped labels, its tooltips are text, the intranet base map is drawn from a local
tile server (and nothing is fetched without it), and with the README's first command alone the
newest event keeps advancing."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import io
import re
import shutil
import threading

import pytest
from PIL import Image

from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT, require_browser, running_dashboard, sign_in

DECK = '[data-testid="stDeckGlJsonChart"]'
# The page's scrolling element is Streamlit's main block, not the document: measure both.
FIT = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  // A label is cut when its text is wider than its box; a panel when its rows run past its bottom.
  // Names may end in "…"; a status, count or duration cell (td.num) never.
  const clipped = [...document.querySelectorAll('.wall-label, .wall-panel td.num')]
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent).concat([...document.querySelectorAll('.wall-panel')].filter(p => {
      const t = p.querySelector('table');
      return t && t.getBoundingClientRect().bottom > p.getBoundingClientRect().bottom;
    }).map(p => 'panel ' + p.dataset.panel));
  const fonts = sel => [...document.querySelectorAll(sel)].map(e => parseFloat(getComputedStyle(e).fontSize));
  const size = sel => Math.min(...fonts(sel));
  return {doc: document.documentElement.scrollHeight, main: main.scrollHeight, view: window.innerHeight,
          width: document.documentElement.scrollWidth, viewWidth: window.innerWidth, clipped,
          label: size('.wall-kpi .wall-label, .wall-panel td, .wall-panel h3'), number: size('.wall-num')};
}"""


@contextlib.contextmanager
def browser_page(width: int, height: int, scale: float = 1):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": width, "height": height}, device_scale_factor=scale, locale="zh-CN"
        )
        page = context.new_page()
        page.outside_requests = []
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith(("data:", "blob:", "http://127.0.0.1", "http://localhost"))
                else page.outside_requests.append(r.url)
            ),
        )
        try:
            yield page
        finally:
            context.close()
            browser.close()


def open_wall(page, base: str, query: str = "") -> None:
    page.goto(f"{base}/wall{query}", wait_until="domcontentloaded")
    sign_in(page, "wall")
    page.wait_for_selector(".wall-kpis", timeout=90_000)
    page.locator(DECK).locator("canvas").first.wait_for(timeout=60_000)
    page.wait_for_timeout(3000)  # deck.gl's first frames


def hover_tooltip(page) -> str:
    """Hover the map where a town is and return the tooltip's text and markup."""
    page.locator(DECK).scroll_into_view_if_needed()  # a mouse outside the viewport hovers nothing
    box = page.locator(DECK).bounding_box()
    for fx, fy in ((0.5, 0.5), (0.4, 0.5), (0.6, 0.5), (0.5, 0.4), (0.45, 0.6)):
        page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        page.wait_for_timeout(600)
        tip = page.locator(".deck-tooltip")
        if tip.count() and tip.first.is_visible() and tip.first.inner_text().strip():
            return tip.first.inner_text() + "\n" + tip.first.inner_html()
    return ""


def live_store(tmp_path) -> str:
    from sample_data.generate import generate

    url = f"sqlite:///{tmp_path / 'wall.db'}"
    generate(url, profile="tiny", seed=7, end=dt.datetime.now(dt.UTC), progress=False)
    return url


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """(store URL, base URL): one dashboard without a base map on a live tiny store, shared by the
    module's tests (each opens its own browser, so sessions do not carry over)."""
    require_browser()
    url = live_store(tmp_path_factory.mktemp("wall"))
    with running_dashboard({"GRID_DB_URL": url, "GRID_NOW": "", "GRID_BASEMAP_STYLE": ""}) as base:
        yield url, base


def test_the_wall_fits_every_screen_without_scrolling_or_clipping(live_server):
    _, base = live_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, (w, h, scale) in {
        "1920x1080": (1920, 1080, 1),
        "3840x2160": (1920, 1080, 2),
        "1366x768": (1366, 768, 1),
    }.items():
        with browser_page(w, h, scale) as page:
            open_wall(page, base)
            fit = page.evaluate(FIT)
            page.screenshot(path=str(ARTIFACTS / f"wall-{name}.png"))
            print(name, fit)
            assert fit["doc"] <= fit["view"] and fit["main"] <= fit["view"], fit
            assert fit["width"] <= fit["viewWidth"], fit
            assert not fit["clipped"], fit["clipped"]
            if h == 1080:  # read from 3–5 m: labels ≥ 20 px, key numbers ≥ 48 px at 1080p
                assert fit["label"] >= 20 and fit["number"] >= 48, fit
            for hidden in ('[data-testid="stSidebar"]', '[data-testid="stHeader"]', '[data-testid="stToolbar"]'):
                assert not page.locator(hidden).first.is_visible() if page.locator(hidden).count() else True
            tip = hover_tooltip(page)
            page.screenshot(path=str(ARTIFACTS / f"wall-{name}-hover.png"))
            assert tip, "no tooltip over the map"
            text = tip.split("\n<")[0]
            assert "<b>" not in text and "<br" not in text and "&lt;" not in tip, tip
            assert "在办" in tip
            assert page.locator('[data-testid="stException"]').count() == 0
            assert page.outside_requests == [], page.outside_requests


def test_live_map_tooltips_are_text_and_the_page_fits_1366x768(live_server):
    _, base = live_server
    with browser_page(1366, 768) as page:
        page.goto(f"{base}/live_map", wait_until="domcontentloaded")
        sign_in(page, "duty")
        page.locator(DECK).locator("canvas").first.wait_for(timeout=90_000)
        page.wait_for_timeout(3000)
        tip = hover_tooltip(page)
        page.screenshot(path=str(ARTIFACTS / "live-map-1366-hover.png"))
        assert tip and "<b>" not in tip.split("\n<")[0] and "<br" not in tip.split("\n<")[0], tip
        # No control's or number's label is cut short ("网格员签到…" was).
        cut = page.evaluate(
            """() => [...document.querySelectorAll(
                '[data-testid="stWidgetLabel"] [data-testid="stMarkdownContainer"], '
                + '[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"]')]
                .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"""
        )
        assert cut == [], cut
        # The legend sits beside the map, inside the first screen.
        legend = page.locator(".live-map-legend").first.bounding_box()
        deck_box = page.locator(DECK).bounding_box()
        assert legend["x"] > deck_box["x"] + deck_box["width"] - 5 and legend["y"] < 768, (legend, deck_box)


# --- the intranet base map -------------------------------------------------------------------------


class TileServer(http.server.ThreadingHTTPServer):
    """Serves /style.json (a raster MapLibre style) and /tiles/{z}/{x}/{y}.png; logs each path."""

    def __init__(self):
        self.seen: list[str] = []
        buf = io.BytesIO()
        tile = Image.new("RGB", (256, 256), (30, 90, 60))
        for i in range(0, 256, 32):
            tile.paste((200, 220, 120), (i, 0, i + 4, 256))
        tile.save(buf, "PNG")
        self.tile = buf.getvalue()
        super().__init__(("127.0.0.1", 0), self.Handler)

    @property
    def style_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/style.json"

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            server = self.server
            server.seen.append(self.path)
            if self.path.startswith("/style.json"):
                port = server.server_address[1]
                body = (
                    '{"version": 8, "sources": {"intranet": {"type": "raster", "tileSize": 256, "tiles": '
                    f'["http://127.0.0.1:{port}/tiles/{{z}}/{{x}}/{{y}}.png"]}}}}, '
                    '"layers": [{"id": "intranet", "type": "raster", "source": "intranet"}]}'
                ).encode()
                kind = "application/json"
            elif re.match(r"^/tiles/\d+/\d+/\d+\.png$", self.path):
                body, kind = server.tile, "image/png"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass


def tile_colour_share(png: bytes) -> float:
    """Share of pixels in the tile's green (the layers' colours are yellow to red)."""
    image = Image.open(io.BytesIO(png)).convert("RGB").resize((160, 120))
    pixels = list(image.get_flattened_data())
    return sum(1 for r, g, b in pixels if abs(r - 30) < 25 and abs(g - 90) < 25 and abs(b - 60) < 25) / len(pixels)


def test_the_basemap_setting_draws_intranet_tiles_and_without_it_nothing_is_fetched(live_server):
    url, base = live_server
    server = TileServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with browser_page(1920, 1080) as page:
            open_wall(page, base)
            page.goto(f"{base}/live_map", wait_until="domcontentloaded")
            sign_in(page, "duty")
            page.locator(DECK).locator("canvas").first.wait_for(timeout=90_000)
            page.wait_for_timeout(3000)
            without = page.locator(DECK).screenshot()
        assert server.seen == [], f"tiles fetched without the setting: {server.seen[:5]}"
        assert tile_colour_share(without) < 0.01

        env = {"GRID_DB_URL": url, "GRID_NOW": "", "GRID_BASEMAP_STYLE": server.style_url}
        with running_dashboard(env) as base, browser_page(1920, 1080) as page:
            open_wall(page, base)
            page.wait_for_timeout(3000)
            wall_png = page.locator(DECK).screenshot()
            page.screenshot(path=str(ARTIFACTS / "wall-basemap.png"))
            wall_tiles = [p for p in server.seen if p.startswith("/tiles/")]
            page.goto(f"{base}/live_map", wait_until="domcontentloaded")
            sign_in(page, "duty")
            page.locator(DECK).locator("canvas").first.wait_for(timeout=90_000)
            page.wait_for_timeout(5000)
            map_png = page.locator(DECK).screenshot()
            page.screenshot(path=str(ARTIFACTS / "live-map-basemap.png"))
            assert page.outside_requests == [], page.outside_requests
        print(f"requests: {len(server.seen)}; wall tiles {len(wall_tiles)}; first {server.seen[:4]}")
        assert "/style.json" in server.seen
        assert len(wall_tiles) >= 1 and sum(p.startswith("/tiles/") for p in server.seen) > len(wall_tiles)
        # The tiles are drawn under the layers: their green shows around the county.
        assert tile_colour_share(wall_png) > 0.05 and tile_colour_share(map_png) > 0.05
    finally:
        server.shutdown()


# --- alive out of the box ----------------------------------------------------------------------------


def test_with_the_readme_command_alone_the_newest_event_advances(monkeypatch):
    """`streamlit run serve.py` with no setting at all: the embedded sample store, fed by the
    demo feed. A missing sample_data/grid.db is first made from the cached sample county (what the
    first start would build, only older: the feed's catch-up fills the gap)."""
    require_browser()
    from tests.conftest import sample_county_url

    target = ROOT / "sample_data" / "grid.db"
    if not target.exists():
        shutil.copy(sample_county_url().removeprefix("sqlite:///"), target)
    env = {"GRID_DB_URL": "", "GRID_NOW": "", "GRID_DEMO_FEED": "", "GRID_BASEMAP_STYLE": ""}
    for key in env:
        monkeypatch.delenv(key, raising=False)
    with running_dashboard(env, timeout=180) as base, browser_page(1920, 1080) as page:
        open_wall(page, base)
        newest = page.locator("[data-testid='wall-newest']")
        first = newest.inner_text()
        page.screenshot(path=str(ARTIFACTS / "wall-alive-start.png"))
        seen = {first}
        for _ in range(60):
            page.wait_for_timeout(1000)
            seen.add(newest.inner_text())
            if len(seen) > 1:
                break
        page.screenshot(path=str(ARTIFACTS / "wall-alive-later.png"))
        today = page.locator(".wall-kpi[data-key='events_reported'] .wall-num").first.inner_text()
        print(f"newest event times seen: {sorted(seen)}; today's reports {today}")
        assert len(seen) > 1, f"the newest event stayed at {first} for 60 s"
        assert int(today.replace(",", "")) > 0  # today is not an empty day
        assert page.locator('[data-testid="stException"]').count() == 0
