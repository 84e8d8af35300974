"""The wall screen's own pieces: its settings, its dark full-screen style, HTML panels and the chime.

The wall is read from 3–5 m on a 1920×1080 (or 3840×2160) display: no sidebar, toolbar or header,
sizes in viewport units so the same layout fills 1366×768 to 4K without scrolling (labels 2.1 vh
≈ 23 px and key numbers 5.6 vh ≈ 60 px at 1080p). Panels are plain HTML (escaped store text) so
their sizes and rows are ours, not a data grid's.
"""

from __future__ import annotations

import html
import os

import streamlit as st

REFRESH_ENV = "GRID_LIVE_REFRESH_SECONDS"
ROTATE_ENV = "GRID_WALL_ROTATE_SECONDS"
CHIME_ENV = "GRID_WALL_CHIME"
# Panels the right-hand column rotates through when rotation is on.
PANELS = ("alerts", "departments", "checkins")
URGENT = ("emergency", "urgent")

CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
header, footer { display: none !important; }
[data-testid="stElementToolbar"] { display: none !important; }
html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {
  background: #07111f !important; color: #e8eef6 !important; }
[data-testid="stMainBlockContainer"], .block-container {
  padding: 1.2vh 1.2vw 0 1.2vw !important; max-width: none !important; min-height: 0 !important; }
[data-testid="stMain"] [data-testid="stVerticalBlock"] { gap: 1.0vh !important; }
[data-testid="stMain"] [data-testid="stHorizontalBlock"] { gap: 1.0vw !important; }
[data-testid="stElementContainer"]:has(> .stHtml:empty) { display: none; }
.st-key-wall_map, .st-key-wall_map [data-testid="stElementContainer"],
.st-key-wall_map [data-testid="stDeckGlJsonChart"],
.st-key-wall_map [data-testid="stDeckGlJsonChart"] > div { height: 62vh !important; }
.wall { font-family: "Noto Sans CJK SC", "Noto Sans CJK", sans-serif; color: #e8eef6; line-height: 1.2; }
.wall-head { display: flex; align-items: baseline; gap: 2vw; height: 5.2vh; white-space: nowrap; }
.wall-title { font-size: 3.4vh; font-weight: 700; letter-spacing: 0.05em; }
.wall-label, .wall-meta { font-size: 2.1vh; color: #b9c7d8; }
.wall-meta b { color: #ffffff; font-weight: 700; }
.wall-head .wall-right { margin-left: auto; display: flex; gap: 2vw; }
.wall-kpis { display: grid; grid-template-columns: 0.55fr repeat(4, 1fr) 0.55fr repeat(2, 1fr); gap: 0.8vw;
  height: 13.5vh; }
.wall-group { display: flex; align-items: center; justify-content: center; font-size: 2.6vh; font-weight: 700;
  background: #10233d; border-radius: 0.6vh; color: #8fc1ff; text-align: center; padding: 0 0.4vw; }
.wall-kpi { background: #0e1c30; border: 1px solid #1f3658; border-radius: 0.6vh; padding: 0.8vh 0.8vw;
  display: flex; flex-direction: column; justify-content: space-between; min-width: 0; }
.wall-kpi .wall-label { white-space: nowrap; overflow: hidden; }
.wall-num { font-size: 5.6vh; font-weight: 700; color: #ffffff; white-space: nowrap;
  font-variant-numeric: tabular-nums; }
.wall-num small { font-size: 2.6vh; color: #b9c7d8; font-weight: 400; }
.wall-num.bad { color: #ff6b5e; }
.wall-sub { font-size: 1.7vh; color: #8fa3bb; white-space: nowrap; overflow: hidden; }
.wall-panel { background: #0e1c30; border: 1px solid #1f3658; border-radius: 0.6vh; padding: 1vh 0.8vw;
  overflow: hidden; }
.wall-panel h3 { font-size: 2.6vh; margin: 0 0 0.8vh 0; padding: 0; color: #8fc1ff; font-weight: 700;
  white-space: nowrap; display: flex; justify-content: space-between; gap: 1vw; }
.wall-panel h3 span { font-size: 2.1vh; color: #b9c7d8; font-weight: 400; }
.wall-panel table { width: 100%; border-collapse: collapse; table-layout: fixed; }
.wall-panel td { font-size: 2.1vh; padding: 0.45vh 0.3vw; border-bottom: 1px solid #1a2d49; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
.wall-panel td.num { text-align: right; font-variant-numeric: tabular-nums; }
.wall-panel td.time { color: #b9c7d8; font-variant-numeric: tabular-nums; }
.wall-tag { display: inline-block; padding: 0 0.3em; border-radius: 0.3em; margin-right: 0.3em; font-size: 1.9vh; }
.wall-tag.emergency { background: #d7191c; color: #fff; } .wall-tag.urgent { background: #fd8d3c; color: #111; }
.wall-empty { font-size: 2.1vh; color: #7fd39a; }
.wall-legend { font-size: 2.1vh; color: #b9c7d8; white-space: nowrap; overflow: hidden; }
.wall-legend i { display: inline-block; width: 1.6vh; height: 1.6vh; margin: 0 0.3vw 0 0.8vw;
  border: 1px solid #567; vertical-align: middle; }
.wall-flash { font-size: 2.8vh; font-weight: 700; color: #fff; background: #b3261e; border-radius: 0.6vh;
  padding: 0.3vh 1vw; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 60vw;
  animation: wall-flash 0.8s ease-in-out 8 alternate; }
@keyframes wall-flash { from { background: #b3261e; box-shadow: 0 0 0 0 #ff3b30; }
  to { background: #ff3b30; box-shadow: 0 0 3vh 1vh #ff3b30; } }
</style>
"""

# A two-note chime made in the browser with WebAudio: no sound file, no request. Played once per
# new urgent event (the id guards against the header being redrawn every refresh). Browsers only
# play sound after a click on the page (the sign-in counts) or with Chromium's
# --autoplay-policy=no-user-gesture-required, which a kiosk wall PC sets.
CHIME_JS = """
<script>
(function () {
  const id = %s;
  if (window.__gsChimed === id) return;
  window.__gsChimed = id;
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return;
  const ctx = window.__gsAudio || (window.__gsAudio = new Ctx());
  const tone = (freq, start, length) => {
    const osc = ctx.createOscillator(), gain = ctx.createGain();
    osc.type = "sine"; osc.frequency.value = freq;
    const t0 = ctx.currentTime + start;
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.5, t0 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + length);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0); osc.stop(t0 + length + 0.05);
  };
  ctx.resume().then(() => {
    tone(880, 0, 0.4); tone(1318.5, 0.45, 0.6);
    document.body.dataset.wallChime = String(id) + ":" + ctx.state;
  });
})();
</script>
"""


def _bounded_int(raw, low: int, high: int, default: int) -> int:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return default
    return default if value != 0 and not low <= value <= high else value


def refresh_seconds() -> int:
    """The live refresh interval, as the live map's: GRID_LIVE_REFRESH_SECONDS (2–300), 5 s by default."""
    value = _bounded_int(os.environ.get(REFRESH_ENV, "5"), 2, 300, 5)
    return value if value else 5


def rotate_seconds() -> int:
    """Seconds each rotating panel stays (0: no rotation, all panels at once). The URL's `rotate`
    (a wall PC's bookmark) wins over GRID_WALL_ROTATE_SECONDS; 5–3600, anything else means off."""
    raw = st.query_params.get("rotate", os.environ.get(ROTATE_ENV, "0"))
    return _bounded_int(raw, 5, 3600, 0)


def chime_on() -> bool:
    """The chime for new urgent events: the URL's `chime=1|0`, else GRID_WALL_CHIME (default on)."""
    raw = str(st.query_params.get("chime", os.environ.get(CHIME_ENV, "1"))).strip().lower()
    return raw not in ("0", "off", "false", "no")


def panel_now(rotate: int, moment_ts: float) -> str | None:
    """The rotating panel for this moment (every screen shows the same one), None without rotation."""
    if rotate <= 0:
        return None
    return PANELS[int(moment_ts // rotate) % len(PANELS)]


def esc(value) -> str:
    return html.escape("" if value is None else str(value))


def kpi(label: str, value: str, definition: str, sub: str = "", bad: bool = False, key: str = "") -> str:
    """One number tile; the metric's definition is its hover text (title), as `help=` elsewhere."""
    return (
        f"<div class='wall-kpi' title='{esc(definition)}' data-key='{esc(key)}'>"
        f"<div class='wall-label'>{esc(label)}</div>"
        f"<div class='wall-num{' bad' if bad else ''}'>{value}</div>"
        f"<div class='wall-sub'>{esc(sub) or '&nbsp;'}</div></div>"
    )


def group(label: str) -> str:
    return f"<div class='wall-group wall-label'>{esc(label)}</div>"


def panel(
    title: str,
    rows: list[list[tuple[str, str]]],
    note: str = "",
    empty: str = "",
    key: str = "",
    widths: tuple[str, ...] = (),
    height: str = "",
) -> str:
    """A titled table of fixed `height`: rows of (css class, already-escaped HTML) cells, column
    `widths` as CSS widths (the rest share what is left)."""
    cols = "<colgroup>" + "".join(f"<col style='width:{w}'>" for w in widths) + "</colgroup>" if widths else ""
    body = (
        f"<table>{cols}"
        + "".join("<tr>" + "".join(f"<td class='{c}'>{v}</td>" for c, v in row) + "</tr>" for row in rows)
        + "</table>"
        if rows
        else f"<div class='wall-empty'>{esc(empty)}</div>"
    )
    return (
        f"<div class='wall wall-panel' data-panel='{esc(key)}' style='height:{height or 'auto'}'>"
        f"<h3><b class='wall-label'>{esc(title)}</b>"
        f"<span class='wall-label'>{esc(note)}</span></h3>{body}</div>"
    )


def urgency_tag(urgency: str, name: str) -> str:
    return f"<span class='wall-tag {esc(urgency)}'>{esc(name)}</span>" if urgency in URGENT else ""


def chime_script(event_id: int) -> str:
    return CHIME_JS % int(event_id)
