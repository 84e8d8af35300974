"""Real browser: chart dates and Streamlit's own texts in the user's language (issue #22).

Only a browser shows them: Plotly formats date ticks and hovers and titles its mode bar in the
browser ("Nov 8 2026", "Zoom"), and Streamlit's uploader writes "Upload" / "200MB per file" /
"Drag and drop a file here" itself. In 中文 the chart's axis text and hover carry no English
month name and its mode bar (with Streamlit's "Fullscreen") is titled in Chinese; the uploader
shows the catalogue's labels (drawn by CSS: the original text is size 0, the label sits in
`::after`). After the switch to English, Plotly and Streamlit speak English again.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests import fixture_county as fc
from tests.browser import ARTIFACTS, chromium_page, require_browser, running_dashboard, sign_in
from ui import builtin_text
from ui.labels import LABELS

ENGLISH_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)")
CJK = re.compile(r"[\u3400-\u9fff]")
CHART = ".st-key-overview_trend"
TEXTS = "sel => [...document.querySelectorAll(sel)].map(e => e.textContent)"
TITLES = "sel => [...document.querySelectorAll(sel)].map(e => e.getAttribute('data-title'))"
# What a person sees of an element: its own text unless shrunk to nothing, then its ::after.
SHOWN = """sel => { const e = document.querySelector(sel); if (!e) return null;
    const after = getComputedStyle(e, '::after').content;
    const own = parseFloat(getComputedStyle(e).fontSize) > 0 ? e.textContent : '';
    return own + (after && after !== 'none' && after !== 'normal' ? JSON.parse(after) : ''); }"""
FULLSCREEN = (
    """sel => { const e = document.querySelector(sel); return e ? getComputedStyle(e, '::after').content : null; }"""
)


def _hover_texts(page) -> list[str]:
    box = page.locator(f"{CHART} .nsewdrag").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
    page.wait_for_selector(f"{CHART} .hoverlayer text", timeout=10_000)
    return page.evaluate(TEXTS, f"{CHART} .hoverlayer text")


def _switch_to_english(page) -> None:
    title = page.inner_text("h1")
    page.locator(".st-key-lang_en label").first.click()
    page.wait_for_function(
        "t => document.querySelector('h1') && document.querySelector('h1').innerText !== t", arg=title, timeout=60_000
    )
    page.wait_for_timeout(2000)


def test_chart_dates_and_mode_bar_speak_the_readers_language(fixture_sqlite_url):
    require_browser()
    env = {"GRID_DB_URL": fixture_sqlite_url, "GRID_NOW": fc.AS_OF_ISO}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_dashboard(env) as base, chromium_page() as page:
        page.goto(base, wait_until="domcontentloaded")
        sign_in(page, "leader")
        page.wait_for_selector(f"{CHART} .xtick text", timeout=90_000)
        page.wait_for_timeout(1500)
        ticks = page.evaluate(TEXTS, f"{CHART} .xtick text")
        assert ticks and all("月" in x and "日" in x for x in ticks), ticks
        assert not any(ENGLISH_MONTH.search(x) for x in ticks), ticks
        hover = _hover_texts(page)
        assert any(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", x) for x in hover), hover
        assert not any(ENGLISH_MONTH.search(x) for x in hover), hover
        titles = page.evaluate(TITLES, f"{CHART} .modebar-btn")
        assert titles and all(CJK.search(x) for x in titles if x != "Fullscreen"), titles
        assert page.evaluate(FULLSCREEN, f'{CHART} .modebar-btn[data-title="Fullscreen"]') == '"全屏"'
        page.locator(CHART).screenshot(path=str(ARTIFACTS / "chart-locale-zh.png"))

        _switch_to_english(page)
        page.wait_for_selector(f"{CHART} .xtick text", timeout=60_000)
        ticks = page.evaluate(TEXTS, f"{CHART} .xtick text")
        assert ticks and all(ENGLISH_MONTH.search(x) for x in ticks) and not any(CJK.search(x) for x in ticks), ticks
        titles = page.evaluate(TITLES, f"{CHART} .modebar-btn")
        assert "Zoom" in titles and not any(CJK.search(x) for x in titles), titles
        assert page.evaluate(FULLSCREEN, f'{CHART} .modebar-btn[data-title="Fullscreen"]') in (
            '"Fullscreen"',
            "attr(data-title)",
        )
        page.locator(CHART).screenshot(path=str(ARTIFACTS / "chart-locale-en.png"))


BUTTON, INSTRUCTIONS, REFUSED = builtin_text.BUTTON, builtin_text.INSTRUCTIONS, builtin_text.REFUSED


def test_the_file_uploader_speaks_the_readers_language(fixture_sqlite_url, tmp_path: Path):
    """The admin's data import page: the shell's style block and ui.builtin_text.file_uploader,
    which names the accepted types."""
    require_browser()
    env = {"GRID_DB_URL": fixture_sqlite_url, "GRID_NOW": fc.AS_OF_ISO}
    wrong = tmp_path / "notes.txt"
    wrong.write_text("not a boundary file", encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_dashboard(env) as base, chromium_page() as page:
        page.goto(f"{base}/data_import", wait_until="domcontentloaded")
        sign_in(page, "admin")
        page.wait_for_selector(INSTRUCTIONS, timeout=90_000)
        page.wait_for_timeout(1000)
        assert page.evaluate(SHOWN, BUTTON) == LABELS["builtin_upload_button"][0]
        assert page.evaluate(SHOWN, INSTRUCTIONS) == "单个文件不超过 200MB • 格式:GEOJSON, JSON, ZIP, GPKG"
        page.locator('[data-testid="stFileUploader"]').first.screenshot(path=str(ARTIFACTS / "uploader-zh.png"))
        # A file of a type the uploader refuses: the chip's tooltip says why, in Chinese.
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(wrong))
        page.wait_for_selector('[data-testid="stFileChipIconError"]', timeout=30_000)
        page.wait_for_timeout(500)
        page.mouse.move(10, 10)  # the tooltip opens when the pointer enters the chip
        page.wait_for_timeout(300)
        page.locator('[data-testid="stFileChipName"]').first.hover()
        page.wait_for_selector(REFUSED, timeout=10_000, state="attached")
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / "uploader-refused-zh.png"))
        assert page.evaluate(SHOWN, REFUSED) == LABELS["builtin_upload_refused"][0]

        # A file dragged over the zone: Streamlit's overlay line.
        drag = page.evaluate_handle(
            "() => { const d = new DataTransfer(); d.items.add(new File(['x'], 'a.geojson')); return d; }"
        )
        page.dispatch_event('[data-testid="stFileUploaderDropzone"]', "dragenter", {"dataTransfer": drag})
        page.wait_for_selector(builtin_text.DRAG_OVERLAY, timeout=10_000)
        assert page.evaluate(SHOWN, builtin_text.DRAG_OVERLAY) == LABELS["builtin_upload_drop"][0]
        # English, switched on the import page itself (the shell's relabelling once failed on
        # the empty uploader there).
        page.goto(f"{base}/data_import", wait_until="domcontentloaded")
        page.wait_for_selector(INSTRUCTIONS, timeout=90_000)
        _switch_to_english(page)
        page.wait_for_selector(INSTRUCTIONS, timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.evaluate(SHOWN, BUTTON) == "Upload"
        assert page.evaluate(SHOWN, INSTRUCTIONS).startswith("200MB per file")
        page.locator('[data-testid="stFileUploader"]').first.screenshot(path=str(ARTIFACTS / "uploader-en.png"))
