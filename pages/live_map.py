"""实时地图 Live map: boundaries at every level coloured by a metric, open events, workers on duty,
a ticker and overdue alerts, refreshing by itself.

Drill state lives in the URL (`?level=grid&unit=12`), so a link opens the same view. The sidebar's
town / village filter is the outer limit: the drill starts at the filtered unit and never leaves
it (a link to a unit outside the filter shows a message and the filtered unit instead).
"""

from __future__ import annotations

import streamlit as st

from data_access import live
from data_access.filters import LOCAL_TZ
from data_access.store import resolve_db_url
from ui import format as fmt
from ui.auth import current_user
from ui.data import store_levels
from ui.labels import metric_definition, metric_name, t
from ui.sections.live_map import panel
from ui.sections.live_map.common import COLOUR_METRICS, live_now, refresh_seconds
from ui.sections.live_map.drill import breadcrumbs, resolve_drill, set_drill
from ui.sections.live_map.view import live_map_view, unit_numbers
from ui.shell import page_filters, store_guarded

f = page_filters()
interval = refresh_seconds()
st.title(t("live_map_title"))
st.caption(t("live_map_caption", sec=interval, start=f.date_from, end=f.date_to))

level, unit, path, problems = resolve_drill(f)
for message in problems:
    st.warning(message)
if problems:  # the fallback becomes the URL, so a reload shows what is on screen
    set_drill(level, unit)

breadcrumbs(f, path)

# Drill through the store's own levels (H district stops at the grid: no micro-grids).
store_keys = store_levels().keys
finer = store_keys[store_keys.index(level) + 1 :] or (level,)
c1, c2, c3, c4, c5, c6 = st.columns([3, 2, 2, 2, 2, 2])
metric_key = c1.selectbox(
    t("live_map_metric"),
    COLOUR_METRICS,
    key="live_map_metric",
    format_func=lambda k: metric_name(live.LIVE_METRICS[k]),
    placeholder=t("select_placeholder"),
)
show_level = c2.selectbox(
    t("live_map_show_level"),
    list(finer),
    key=f"live_map_show_level_{level}",
    format_func=lambda lv: t(f"live_map_level_{lv}"),
    placeholder=t("select_placeholder"),
)
view_mode = c3.radio(
    t("live_map_view"),
    ["units", "density"],
    key="live_map_view",
    horizontal=True,
    format_func=lambda v: t(f"live_map_view_{v}"),
)
show_events = c4.toggle(t("live_map_show_events"), value=True, key="live_map_show_events")
show_workers = c4.toggle(t("live_map_show_workers"), value=True, key="live_map_show_workers")
recent_minutes = int(
    c5.number_input(
        t("live_map_recent_minutes"), min_value=1, max_value=1440, value=15, step=5, key="live_map_recent_minutes"
    )
)
metric = live.LIVE_METRICS[metric_key]
c6.caption(metric_definition(metric, with_source=False))  # one line: the map keeps its place


@st.fragment(run_every=interval)
@store_guarded  # a fragment's refresh runs alone, outside dashboard.py's guard
def live_panel() -> None:
    # Each timed refresh re-checks the session (revoked, 12-hour and idle limits): the fragment
    # runs without the rest of the script, so the entrypoint's check does not cover it.
    if current_user(touch=False) is None:
        st.rerun()  # the whole app, which now shows the sign-in form
    now = live_now(interval)
    en = bool(st.session_state.get("lang_en"))
    count = st.session_state.get("live_map_refresh_count", 0) + 1
    st.session_state["live_map_refresh_count"] = count
    st.caption(t("live_map_refreshed", n=count, time=fmt.local_time(now) + ":" + f"{now.astimezone(LOCAL_TZ):%S}"))

    here = unit_numbers(f, now, level, unit, level)
    if here.empty:
        st.info(t("live_map_no_units"))
        return
    panel.kpi_row(here)

    numbers = unit_numbers(f, now, level, unit, show_level)
    built = live_map_view(
        resolve_db_url(),
        f,
        now,
        level,
        unit,
        show_level,
        metric_key,
        view_mode,
        show_events,
        show_workers,
        recent_minutes,
        en,
    )
    if built is None:
        st.info(t("live_map_no_units"))
        return
    panel.map_and_side(f, now, level, unit, show_level, metric_key, view_mode, recent_minutes, built, here.iloc[0], en)
    panel.units_table(numbers, show_level)
    panel.no_checkin(f, now, level, unit)


live_panel()
