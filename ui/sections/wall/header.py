"""The wall's top: title, the flash (and chime) for a new urgent event, the clock, the KPI row."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from data_access import overview
from data_access.filters import now_utc
from data_access.metrics import METRICS
from ui import format as fmt
from ui import wall
from ui.data import query
from ui.labels import metric_definition, metric_name, t
from ui.sections.wall.panels import FLASH_SECONDS, clock


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


def header(news: pd.DataFrame, flash: dict | None, interval: int, chime: bool, en: bool) -> None:
    """Title, the flash of the newest urgent event, the newest report's time, the clock."""
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


def kpi_value(kpis: pd.DataFrame, key: str) -> float:
    return kpis.loc[key, "value"]


def kpi_row(k_day: pd.DataFrame, k_month: pd.DataFrame, last_day, month) -> None:
    """Today's numbers, then this month's (so far), each tile with its definition."""

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
