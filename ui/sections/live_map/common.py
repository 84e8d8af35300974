"""What the live map's parts share: the colour metrics, the refresh interval, value and time text."""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd

from data_access.filters import LOCAL_TZ, now_utc
from data_access.schema import EVENT_STATUSES, URGENCIES
from ui.labels import t

COLOUR_METRICS = [
    "live_open_events",
    "live_overdue_events",
    "events_per_1000_residents",
    "on_time_closure_rate",
    "live_workers_checked_in",
]
# Drill levels whose view shows per-unit counts instead of points (see live_map_view).
OVERVIEW_LEVELS = ("county", "town")
MAP_HEIGHT = 470
METRIC_COLUMN = {
    "live_open_events": "open_events",
    "live_overdue_events": "overdue_events",
    "events_per_1000_residents": "events_per_1000_residents",
    "on_time_closure_rate": "on_time_closure_rate",
    "live_workers_checked_in": "workers_checked_in",
}


def refresh_seconds() -> int:
    """The refresh interval: GRID_LIVE_REFRESH_SECONDS (2–300), 5 s by default."""
    try:
        return min(300, max(2, int(os.environ.get("GRID_LIVE_REFRESH_SECONDS", "5"))))
    except ValueError:
        return 5


def live_now(interval: int) -> dt.datetime:
    # Rounded down to the interval: every session refreshing in the same slot shares cached answers.
    now = now_utc()
    return now - dt.timedelta(seconds=now.timestamp() % interval)


def local_times(series: pd.Series, pattern: str = "%m-%d %H:%M") -> pd.Series:
    return pd.to_datetime(series, utc=True).dt.tz_convert(LOCAL_TZ).dt.strftime(pattern).fillna(t("live_map_never"))


def value_text(values: pd.Series, key: str) -> pd.Series:
    if key == "on_time_closure_rate":
        return (values * 100).map("{:.1f}%".format).where(values.notna(), "—")
    if key == "events_per_1000_residents":
        return values.map("{:.1f}".format).where(values.notna(), "—")
    return values.astype("Int64").astype(str)


def urgency_names() -> dict[str, str]:
    return {u: t(f"live_map_urgency_{u}") for u in URGENCIES}


def status_names() -> dict[str, str]:
    return {s: t(f"live_map_status_{s}") for s in EVENT_STATUSES}


def legend_label(key: str):
    if key == "on_time_closure_rate":
        return lambda v: f"{v * 100:.1f}%"
    if key == "events_per_1000_residents":
        return lambda v: f"{v:.1f}"
    return lambda v: f"{v:,.0f}"
