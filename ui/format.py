"""How numbers are written on screen."""

from __future__ import annotations

import datetime as dt
import math

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


def delta(value, previous, unit: str) -> str | None:
    """The change against the previous period, in the metric's own unit (points for shares)."""
    if is_missing(value) or is_missing(previous):
        return None
    diff = float(value) - float(previous)
    if unit == "%":
        return f"{diff * 100:+.1f} pt"
    if unit == "score":
        return f"{diff:+.2f}"
    return f"{int(round(diff)):+,}"


def local_time(moment: dt.datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
