"""The one `Filters` value every page shares, and the time arithmetic it implies.

Dates are local calendar days in the store's time zone (`Filters.tz`, the store setting
`store_meta.timezone`, default Asia/Shanghai), inclusive at both ends. `as_of` is the moment the
dashboard treats as "now" (UTC); backlog metrics are measured at `period_end`, the earlier of
`as_of` and the end of the last day in the range.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"
LOCAL_TZ = ZoneInfo(DEFAULT_TIMEZONE)  # the default store zone; see Filters.tz for the store's own
MAX_RANGE_DAYS = 3 * 366


class FilterError(ValueError):
    """A filter a person chose (or typed into a URL) cannot be used; the message says why.

    The message is English (logs, command lines). `key` and `params` let the UI say the same in
    the reader's language: ui.labels.error_text looks up the label `err_<key>`."""

    def __init__(self, message: str, key: str | None = None, **params) -> None:
        super().__init__(message)
        self.key = key
        self.params = params


def now_utc() -> dt.datetime:
    """The dashboard's clock. `GRID_NOW` (ISO time with zone) pins it, for tests and replays."""
    pinned = os.environ.get("GRID_NOW", "").strip()
    if pinned:
        value = dt.datetime.fromisoformat(pinned)
        if value.tzinfo is None:
            raise FilterError("GRID_NOW must carry a time zone, e.g. 2026-03-31T18:00:00+08:00")
        return value.astimezone(dt.UTC)
    return dt.datetime.now(dt.UTC)


def local_midnight_utc(day: dt.date, tz: str | None = None) -> dt.datetime:
    """The start of local day `day` in zone `tz` (default: Asia/Shanghai), in UTC."""
    return dt.datetime.combine(day, dt.time(0), _zone(tz)).astimezone(dt.UTC)


def local_date(moment: dt.datetime, tz: str | None = None) -> dt.date:
    """The local day of `moment` in zone `tz` (default: Asia/Shanghai)."""
    return moment.astimezone(_zone(tz)).date()


def _zone(tz: str | None) -> ZoneInfo:
    return LOCAL_TZ if tz is None or tz == DEFAULT_TIMEZONE else ZoneInfo(tz)


ROLES_SEEING_NAMES = ("duty", "leader", "town", "admin")
ROLES_SEEING_PHONES = ("admin",)


@dataclass(frozen=True)
class Scope:
    """What the signed-in user may see. Carried inside Filters so every query receives it."""

    role: str
    town_id: int | None = None  # set for role `town`: nothing outside this town

    @property
    def names_visible(self) -> bool:
        return self.role in ROLES_SEEING_NAMES

    @property
    def phones_visible(self) -> bool:
        return self.role in ROLES_SEEING_PHONES


@dataclass(frozen=True)
class Filters:
    date_from: dt.date
    date_to: dt.date
    as_of: dt.datetime
    town_id: int | None = None
    village_id: int | None = None
    category_code: str | None = None
    scope: Scope | None = None  # None: no restriction (command-line tools, tests of the data layer)
    tz: str = DEFAULT_TIMEZONE  # the store's zone (store_meta.timezone): its local days and "today"

    def __post_init__(self) -> None:
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise FilterError(f"{name} must be a date, not {value!r}")
        if self.date_from > self.date_to:
            raise FilterError(
                f"The start date {self.date_from} is after the end date {self.date_to}.",
                "start_after_end",
                start=self.date_from,
                end=self.date_to,
            )
        if (self.date_to - self.date_from).days >= MAX_RANGE_DAYS:
            raise FilterError(
                f"The date range is longer than {MAX_RANGE_DAYS} days; choose a shorter one.",
                "range_too_long",
                days=MAX_RANGE_DAYS,
            )
        if self.as_of.tzinfo is None:
            raise FilterError("as_of must carry a time zone")
        for name in ("town_id", "village_id"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value <= 0):
                raise FilterError(f"{name} must be a positive whole number, not {value!r}", "bad_id", value=value)
        if self.scope is not None and self.scope.town_id is not None:
            if self.town_id not in (None, self.scope.town_id):
                raise FilterError("That town is outside your account's scope.", "town_outside_scope")
            # A town user's filter is always their own town: every query narrows through it.
            object.__setattr__(self, "town_id", self.scope.town_id)
        if self.village_id is not None and self.town_id is None:
            raise FilterError("A village filter needs its town.", "village_needs_town")
        if self.category_code is not None and (
            not isinstance(self.category_code, str) or not self.category_code.isascii() or len(self.category_code) > 32
        ):
            raise FilterError(f"Unknown category {self.category_code!r}", "unknown_category", code=self.category_code)

    # --- derived moments ----------------------------------------------------------------
    @property
    def period_start(self) -> dt.datetime:
        return local_midnight_utc(self.date_from, self.tz)

    @property
    def period_end(self) -> dt.datetime:
        """End of the last day, or now if that is earlier: backlog is measured here."""
        return min(local_midnight_utc(self.date_to + dt.timedelta(days=1), self.tz), self.as_of)

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    @property
    def today(self) -> dt.date:
        return local_date(self.as_of, self.tz)

    def previous_period(self) -> Filters:
        """The period of the same length just before this one, with `as_of` at its end."""
        span = dt.timedelta(days=self.days)
        prev_to = self.date_from - dt.timedelta(days=1)
        prev_from = self.date_from - span
        prev_as_of = min(self.as_of - span, local_midnight_utc(prev_to + dt.timedelta(days=1), self.tz))
        return replace(self, date_from=prev_from, date_to=prev_to, as_of=prev_as_of)

    def describe(self) -> str:
        parts = [f"{self.date_from}..{self.date_to}"]
        if self.town_id:
            parts.append(f"town={self.town_id}")
        if self.village_id:
            parts.append(f"village={self.village_id}")
        if self.category_code:
            parts.append(f"category={self.category_code}")
        return " ".join(parts)


def default_filters(
    latest_report_date: dt.date | None,
    days: int = 30,
    as_of: dt.datetime | None = None,
    tz: str = DEFAULT_TIMEZONE,
) -> Filters:
    """The last `days` days ending today (in the store's zone `tz`), or at the newest event when
    the store stops earlier."""
    as_of = as_of or now_utc()
    end = local_date(as_of, tz)
    if latest_report_date is not None and latest_report_date < end:
        end = latest_report_date
    return Filters(date_from=end - dt.timedelta(days=days - 1), date_to=end, as_of=as_of, tz=tz)
