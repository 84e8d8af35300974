"""指挥大屏 Wall screen: the command centre's wall display, read from across the room.

No sidebar, toolbar or header; dark; the whole screen without scrolling at 1366×768 up to 4K.
Today's and this month's numbers across the top, the county map with per-town counts in the
centre, the newest reports on the left, overdue alerts and the department backlog on the right
(optionally rotating with the check-ins, `?rotate=SECONDS`), a flash and a chime (`?chime=0` to
mute) when a new urgent event comes in. Bookmark `/wall?rotate=20` on the wall PC. No person's
name or phone number is shown, whoever is signed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
import streamlit as st

from data_access import departments, live, overview
from data_access.filters import local_date, local_midnight_utc
from data_access.store import resolve_db_url
from ui import wall
from ui.auth import current_user
from ui.data import live_query, query
from ui.labels import t
from ui.sections.wall import header
from ui.sections.wall.map import wall_map
from ui.sections.wall.panels import (
    ALERT_ROWS,
    DEPARTMENT_ROWS,
    HALF_HEIGHTS,
    MAIN_HEIGHT,
    TICKER_ROWS,
    alerts_panel,
    checkins_panel,
    departments_panel,
    live_moment,
    ticker_panel,
)
from ui.shell import page_filters, store_guarded

f = page_filters()
interval = wall.refresh_seconds()
rotate = wall.rotate_seconds()
chime = wall.chime_on()
st.html(wall.CSS)


@st.fragment(run_every=interval)
@store_guarded  # a fragment's refresh runs alone, outside dashboard.py's guard
def wall_screen() -> None:
    if current_user() is None:  # the session ended (expired or revoked): nothing else is drawn
        st.info(t("wall_signed_out"))
        return
    en = bool(st.session_state.get("lang_en"))
    now = live_moment(interval)
    today = local_date(now)
    day = replace(f, date_from=today, date_to=today, as_of=now)
    month = replace(f, date_from=today.replace(day=1), date_to=today, as_of=now)
    yesterday = today - dt.timedelta(days=1)
    # The whole of yesterday, for the check-ins before today's first one (a night shift's wall).
    last_day = replace(
        f,
        date_from=yesterday,
        date_to=yesterday,
        as_of=local_midnight_utc(today) - dt.timedelta(microseconds=1),
    )
    k_day = live_query(overview.kpi_summary, day).set_index("metric")
    k_month = live_query(overview.kpi_summary, month).set_index("metric")
    news = live_query(live.newest_events, f, now, "county", None, 20)
    flash = header.announce(news)
    header.header(news, flash, interval, chime, en)
    header.kpi_row(k_day, k_month, last_day, month)

    # --- ticker · map · alerts and departments -------------------------------------------------
    left, centre, right = st.columns([1.4, 1.7, 1.2])
    left.html(ticker_panel(news, en))
    built = wall_map(resolve_db_url(), f, month, now, en)
    with centre:
        if built is None:
            st.info(t("wall_no_units"))
            numbers = pd.DataFrame()
        else:
            spec, classes, numbers = built
            with st.container(key="wall_map"):  # its CSS height follows the viewport (ui.wall.CSS)
                st.pydeck_chart(spec, height=480, key="wall_deck")
            swatches = "".join(f"<i style='background:rgb{c.rgb}'></i>{c.label()}" for c in classes)
            st.html(f"<div class='wall wall-legend wall-label'>{wall.esc(t('wall_map_legend'))}:{swatches}</div>")
    alerts = live_query(live.overdue_alerts, f, now, "county", None, 20)
    backlog = live_query(departments.backlog_by_department, day)
    names = query(departments.department_names, f)
    shown = wall.panel_now(rotate, now.timestamp())
    with right:
        if shown is None:
            st.html(alerts_panel(alerts, en, ALERT_ROWS, HALF_HEIGHTS[0]))
            st.html(departments_panel(backlog, names, en, DEPARTMENT_ROWS, HALF_HEIGHTS[1]))
        elif shown == "alerts":
            st.html(alerts_panel(alerts, en, TICKER_ROWS, MAIN_HEIGHT))
        elif shown == "departments":
            st.html(departments_panel(backlog, names, en, TICKER_ROWS, MAIN_HEIGHT))
        else:
            st.html(checkins_panel(numbers, MAIN_HEIGHT))


wall_screen()
