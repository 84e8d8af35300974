"""How numbers are written on screen."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

from data_access.filters import LOCAL_TZ, local_date, local_midnight_utc

from .labels import t

MISSING = "—"  # what a table shows for a value that does not exist (its column help says why)


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def count(value) -> str:
    return "—" if is_missing(value) else f"{int(value):,}"


def percent(value, digits: int = 1) -> str:
    return "—" if is_missing(value) else f"{value * 100:.{digits}f}%"


def score(value) -> str:
    return "—" if is_missing(value) else f"{value:.2f}"


def by_unit(value, unit: str) -> str:
    return {"%": percent, "score": score}.get(unit, count)(value)


def _rounded_delta(value, previous, unit: str) -> float | None:
    """The change as it is written (rounded to the shown digits): 0.004 points shows as 0.0."""
    if is_missing(value) or is_missing(previous):
        return None
    diff = float(value) - float(previous)
    if unit == "%":
        return round(diff * 100, 1)
    if unit == "score":
        return round(diff, 2)
    return float(round(diff))


def delta(value, previous, unit: str) -> str | None:
    """The change against the previous period, in the metric's own unit (points for shares).
    A change that shows as zero is written without a sign ("0", "0.0 pt", "0.00"), never "+0"
    or "−0.00": draw it neutral (`is_zero_delta`)."""
    diff = _rounded_delta(value, previous, unit)
    if diff is None:
        return None
    if diff == 0:
        return {"%": "0.0 pt", "score": "0.00"}.get(unit, "0")
    if unit == "%":
        return f"{diff:+.1f} pt"
    if unit == "score":
        return f"{diff:+.2f}"
    return f"{int(diff):+,}"


def is_zero_delta(value, previous, unit: str) -> bool:
    """True when the change shows as zero: no arrow and no colour for it."""
    return _rounded_delta(value, previous, unit) == 0


def local_time(moment: dt.datetime) -> str:
    """`moment` as local time of the store's zone (the current filters' `tz`; Asia/Shanghai
    before the sidebar has drawn them)."""
    return moment.astimezone(store_zone()).strftime("%Y-%m-%d %H:%M")


def store_zone() -> ZoneInfo:
    """The store's time zone as the sidebar filters carry it (`Filters.tz`)."""
    import streamlit as st

    try:
        tz = getattr(st.session_state.get("filters"), "tz", None)
    except Exception:  # outside a page run (a report's own thread, a command line): the default
        tz = None
    return LOCAL_TZ if not tz or tz == LOCAL_TZ.key else ZoneInfo(tz)


def _next_month(start: dt.date) -> dt.date:
    return (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def month_label(month, period_end: dt.datetime) -> str:
    """A month of a month series as written on screen: "2026-11", or "2026-12(截至 4 日)" /
    "2026-12 (to day 4)" when the filter's end (`Filters.period_end`: now, or the end of its
    last day) falls inside it, so a running month never reads like a whole one. `month` is a
    date (any day of the month) or "YYYY-MM"."""
    if isinstance(month, str):
        year, number = map(int, month.split("-")[:2])
        start = dt.date(year, number, 1)
    else:
        start = (month.date() if isinstance(month, dt.datetime) else month).replace(day=1)
    text = start.strftime("%Y-%m")
    if period_end >= local_midnight_utc(_next_month(start)):
        return text
    last_day = local_date(period_end - dt.timedelta(microseconds=1))  # the end is exclusive
    return t("fmt_month_partial", month=text, day=last_day.day)
