"""The wall's panels (ticker, overdue alerts, department backlog, check-ins) and their sizes."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data_access.filters import LOCAL_TZ, now_utc
from data_access.metrics import METRICS
from ui import format as fmt
from ui import wall
from ui.labels import metric_name, t

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
