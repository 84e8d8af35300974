"""How numbers are written on screen."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

from data_access.filters import LOCAL_TZ


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

    f = st.session_state.get("filters")
    tz = getattr(f, "tz", None)
    return LOCAL_TZ if not tz or tz == LOCAL_TZ.key else ZoneInfo(tz)
