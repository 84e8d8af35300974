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
import time
from dataclasses import replace

import pandas as pd
import streamlit as st

from data_access import departments, live, overview
from data_access.filters import LOCAL_TZ, local_date, local_midnight_utc, now_utc
from data_access.metrics import METRICS
from data_access.store import resolve_db_url
from geo.layers import JsonDeck, class_breaks, deck, fit_view
from geo.live import TOOLTIP, count_label_layer, count_labels, shapes, unit_layer
from ui import format as fmt
from ui import wall
from ui.auth import current_user
from ui.data import live_query, query
from ui.labels import metric_definition, metric_name, t
from ui.shell import page_filters, store_guarded

TICKER_ROWS = 14
ALERT_ROWS = 7
DEPARTMENT_ROWS = 6
FLASH_SECONDS = 40
# Heights in viewport units, so 1366×768 and 4K fill the screen alike (the map's is in ui.wall.CSS).
MAIN_HEIGHT = "66vh"
HALF_HEIGHTS = ("34vh", "31vh")


def live_moment(interval: int) -> dt.datetime:
    # Rounded down to the interval, as on the live map: every screen in the slot shares the answers.
    now = now_utc()
    return now - dt.timedelta(seconds=now.timestamp() % interval)


def clock(moment, pattern: str = "%H:%M:%S") -> str:
    return pd.Timestamp(moment).tz_convert(LOCAL_TZ).strftime(pattern)


@st.cache_data(ttl=3600, max_entries=16, show_spinner=False)
def town_shapes(url: str, town_id: int | None, village_id: int | None) -> pd.DataFrame:
    raw = query(live.unit_shapes, "town", "county", None, town_id, village_id)
    return shapes(raw, keep=("unit_id", "name", "centroid_lon", "centroid_lat"))


@st.cache_data(ttl=wall.refresh_seconds(), max_entries=16, show_spinner=False)
def wall_map(url: str, f, month, now, en: bool):
    """(deck, colour classes, per-town numbers) for one live slot, shared by every screen."""
    period = query(live.unit_period, month, "town", "county", None)
    numbers = live_query(live.unit_numbers, month, now, "town", "county", None, period=period)
    units = town_shapes(url, f.town_id, f.village_id).merge(numbers.drop(columns=["name"]), on="unit_id")
    if units.empty:
        return None
    classes = class_breaks(units["open_events"])
    open_word, overdue_word = t("wall_open_short"), t("wall_overdue_short")
    units = units.assign(
        line1=t("live_map_col_open") + " " + units["open_events"].astype(str),
        line2=t("live_map_col_overdue") + " " + units["overdue_events"].astype(str),
        line3=t("live_map_col_checked")
        + " "
        + units["workers_checked_in"].astype(str)
        + " / "
        + units["workers_active"].astype(str),
        label=count_labels(units["name"], units["open_events"], units["overdue_events"], open_word, overdue_word),
    )
    layers = [
        unit_layer(units, "open_events", classes, "wall_units"),
        count_label_layer(units, "label", "wall_unit_counts", size=16, dark=True),
    ]
    # Fitted for the smallest wall (1366×768: a map about 610 × 476 px); bigger screens add margin.
    spec = JsonDeck.of(deck(layers, fit_view(units, width_px=600, height_px=430, padding=0.0), tooltip=TOOLTIP))
    return spec, classes, numbers.drop(columns=["responsible"])


def kpi_value(kpis: pd.DataFrame, key: str) -> float:
    return kpis.loc[key, "value"]


def ticker_panel(news: pd.DataFrame, en: bool) -> str:
    urgency = {u: t(f"live_map_urgency_{u}") for u in wall.URGENT}
    status = {s: t(f"live_map_status_{s}") for s in news["status"].unique()}
    rows = [
        [
            ("time", wall.esc(clock(r.reported_at))),
            (
                "",
                wall.urgency_tag(r.urgency, urgency.get(r.urgency, ""))
                + wall.esc(r.item_name_en if en and r.item_name_en else r.item_name),
            ),
            ("", wall.esc(r.micro_grid_name or r.grid_name or "")),
            ("num", wall.esc(status.get(r.status, r.status))),
        ]
        for r in news.head(TICKER_ROWS).itertuples()
    ]
    return wall.panel(
        t("wall_ticker"), rows, key="ticker", empty="—", widths=("10vh", "34%", "", "14vh"), height=MAIN_HEIGHT
    )


def alerts_panel(alerts: pd.DataFrame, en: bool, rows_max: int, height: str) -> str:
    total = int(alerts["total"].iloc[0]) if len(alerts) else 0
    rows = [
        [
            ("", wall.esc(r.item_name_en if en and r.item_name_en else r.item_name)),
            ("", wall.esc(r.grid_name or "")),
            ("num", wall.esc(t("wall_overdue_hours", h=f"{r.overdue_hours:,.0f}"))),
        ]
        for r in alerts.head(rows_max).itertuples()
    ]
    return wall.panel(
        t("wall_alerts"),
        rows,
        note=t("wall_alerts_total", total=fmt.count(total)) if total else "",
        empty=t("wall_no_alerts"),
        key="alerts",
        widths=("42%", "", "12vh"),
        height=height,
    )


def departments_panel(backlog: pd.DataFrame, names: pd.DataFrame, en: bool, rows_max: int, height: str) -> str:
    table = backlog.merge(names, on="department_id").sort_values(
        ["overdue_now", "open_now", "code"], ascending=[False, False, True]
    )
    rows = [
        [
            ("", wall.esc(r.name_en if en and r.name_en else r.name)),
            ("num", f"{fmt.count(r.open_now)} / <b style='color:#ff6b5e'>{fmt.count(r.overdue_now)}</b>"),
        ]
        for r in table.head(rows_max).itertuples()
    ]
    return wall.panel(
        t("wall_departments"),
        rows,
        note=t("wall_departments_note"),
        empty=t("wall_no_departments"),
        key="departments",
        widths=("", "11vh"),
        height=height,
    )


def checkins_panel(numbers: pd.DataFrame, height: str) -> str:
    rows = [
        [
            ("", wall.esc(r.name)),
            ("num", f"{fmt.count(r.workers_checked_in)} / {fmt.count(r.workers_active)}"),
            ("num", fmt.percent(r.workers_checked_in / r.workers_active if r.workers_active else None, 0)),
        ]
        for r in numbers.sort_values("code").itertuples()
    ]
    return wall.panel(
        t("wall_checkins"),
        rows,
        note=metric_name(METRICS["live_workers_checked_in"]),
        key="checkins",
        widths=("", "13vh", "7vh"),
        height=height,
    )


def announce(news: pd.DataFrame) -> dict | None:
    """The newest urgent event this screen has not announced yet (none on its first look: what was
    there before the screen came on is not news); kept on show for FLASH_SECONDS."""
    urgent = news[news["urgency"].isin(wall.URGENT)]
    ids = set(urgent["event_id"].astype(int))
    seen = st.session_state.get("wall_seen_urgent")
    st.session_state["wall_seen_urgent"] = ids | (seen or set())
    fresh = urgent[~urgent["event_id"].isin(seen)] if seen is not None else urgent.iloc[:0]
    if len(fresh):
        top = fresh.iloc[0]
        st.session_state["wall_flash"] = {
            "event_id": int(top["event_id"]),
            "urgency": top["urgency"],
            "item": top["item_name"],
            "item_en": top["item_name_en"],
            "place": top["micro_grid_name"] or top["grid_name"] or "",
            "at": clock(top["reported_at"], "%H:%M"),
            "until": time.monotonic() + FLASH_SECONDS,
        }
    flash = st.session_state.get("wall_flash")
    return flash if flash and flash["until"] > time.monotonic() else None


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
    flash = announce(news)

    # --- header: title, flash, newest event, clock -------------------------------------------
    newest = t("wall_newest", time=clock(news["reported_at"].max())) if len(news) else t("wall_newest_none")
    flash_html = ""
    if flash:
        what = flash["item_en"] if en and flash["item_en"] else flash["item"]
        flash_html = (
            f"<div class='wall-flash' data-event='{flash['event_id']}'>"
            f"{wall.esc(t('wall_flash', urgency=t('live_map_urgency_' + flash['urgency'])))} · {wall.esc(flash['at'])}"
            f" · {wall.esc(what)} · {wall.esc(flash['place'])}</div>"
        )
    script = wall.chime_script(flash["event_id"]) if flash and chime else ""
    st.html(
        f"<div class='wall wall-head'><div class='wall-title wall-label'>{wall.esc(t('wall_title'))}</div>"
        f"{flash_html}<div class='wall-right'>"
        f"<div class='wall-meta wall-label' data-testid='wall-newest'>{wall.esc(newest)}</div>"
        f"<div class='wall-meta wall-label'>{wall.esc(t('wall_clock', time=clock(now_utc())))}</div>"
        f"<div class='wall-meta wall-label'>{wall.esc(t('wall_refresh', sec=interval))}</div></div></div>{script}",
        unsafe_allow_javascript=bool(script),
    )

    # --- numbers: today, this month ----------------------------------------------------------
    def tile(kpis, key, label_key=None, sub="", bad=False):
        metric = METRICS[label_key or key]
        value = kpi_value(kpis, key)
        shown = fmt.percent(value) if metric.unit == "%" else fmt.count(value)
        return wall.kpi(metric_name(metric), shown, metric_definition(metric), sub=sub, bad=bad, key=key)

    checked = k_day.loc["workers_checked_in_today"]
    sub = ""
    if not checked["value"]:
        k_last = query(overview.kpi_summary, last_day).set_index("metric")
        sub = t("wall_checkins_yesterday", n=fmt.count(kpi_value(k_last, "workers_checked_in_today")))
    checkin_metric = METRICS["workers_checked_in_today"]
    checkin_tile = wall.kpi(
        metric_name(checkin_metric),
        f"{fmt.count(checked['value'])}<small> / {fmt.count(checked['denominator'])}</small>",
        metric_definition(checkin_metric),
        sub=sub,
        key="workers_checked_in_today",
    )
    rate = k_month.loc["on_time_closure_rate"]
    st.html(
        "<div class='wall wall-kpis'>"
        + wall.group(t("wall_today"))
        + tile(k_day, "events_reported")
        + tile(k_day, "open_events", "live_open_events")
        + tile(k_day, "overdue_events", "live_overdue_events", bad=bool(kpi_value(k_day, "overdue_events")))
        + checkin_tile
        + wall.group(t("wall_month_partial", start=f"{month.date_from:%m-%d}"))
        + tile(k_month, "events_reported")
        + tile(
            k_month,
            "on_time_closure_rate",
            sub=t("rate_parts", num=fmt.count(rate["numerator"]), den=fmt.count(rate["denominator"])),
        )
        + "</div>"
    )

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
