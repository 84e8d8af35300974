"""Profiles of the sample counties, the generator's rhythm and stage constants, and time helpers."""

import calendar
import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from data_access import lifecycle, schema
from data_access.store import StoreError
from sample_data import hdistrict
from sample_data.geometry import TilingSpec
from sample_data.shapes import T_COUNTY, Shape

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
# Asia/Shanghai has been UTC+8 without daylight saving since 1991: local days by fixed offset.
LOCAL_OFFSET_US = 8 * 3600 * 10**6
US_MIN = 60 * 10**6
US_HOUR = 60 * US_MIN
US_DAY = 24 * US_HOUR
NAT = np.iinfo(np.int64).min  # NULL timestamps in int64 columns (numpy's NaT)
BATCH_EVENTS = 25_000
BULK_TABLES = (schema.events, schema.event_steps, schema.patrol_checkins)
CHECKIN_DAYS = 60

STATUS_AFTER = lifecycle.STATUS_AFTER  # the one table of what each step leaves an event in
# Report time of day (local hour) for worker reports and for hotline/camera events.
GRID_HOURS = np.array(
    [0, 0, 0, 0, 0, 0, 0.1, 0.5, 2.2, 3.2, 3.4, 2.6, 1.0, 1.2, 2.6, 3.0, 2.8, 2.0, 0.8, 0.4, 0.3, 0.2, 0.05, 0]
)
CENTRE_HOURS = np.array(
    [
        0.3,
        0.2,
        0.15,
        0.1,
        0.1,
        0.2,
        0.5,
        1.2,
        2.2,
        2.8,
        2.8,
        2.4,
        1.8,
        2.0,
        2.5,
        2.6,
        2.4,
        2.0,
        1.6,
        1.4,
        1.2,
        0.9,
        0.6,
        0.4,
    ]
)
GRID_WEEKDAY = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.45, 0.35])
CENTRE_WEEKDAY = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.75])
# Shares of the base events by source.
SOURCE_SHARES = {
    "patrol": 0.45,
    "household_visit": 0.15,
    "resident_call": 0.15,
    "camera_alert": 0.10,
    "hotline_12345": 0.15,
}
# Median stage durations in minutes for an ordinary event; urgent/emergency ones run faster.
STAGE = {
    "grid_accept": 4,
    "grid_handle": 12,
    "grid_complete": 40,
    "close": 25,
    "escalate": 35,
    "village_accept": 60,
    "village_handle": 90,
    "village_complete": 540,
    "escalate_up": 200,
    "town_accept": 80,
    "register": 20,
    "dispatch": 60,
    "county_accept": 45,
    "dept_accept": 120,
    "dept_handle": 60,
    "dept_complete": 1450,
    "town_complete": 900,
    "return": 180,
    "reject": 15,
}
# Verification takes a median of ~1/10 of the allowed time (common.verify_within_hours), so
# only a percent or two of verifications are late.
VERIFY_MEDIAN_SHARE = 0.104
URGENCY_SPEED = {"ordinary": 1.0, "urgent": 0.15, "emergency": 0.025}
VERIFY_SPEED = {"ordinary": 1.0, "urgent": 0.3, "emergency": 0.1}
# Where a grid-reported event that goes up is handled, by item kind.
ESCALATE_P = {"trivial": 0.16, "normal": 0.6, "hard": 0.9}
UP_LEVELS = {  # shares of village / town / county among escalated events
    "trivial": (0.8, 0.2, 0.0),
    "normal": (0.45, 0.45, 0.10),
    "hard": (0.25, 0.5, 0.25),
}
FALLBACK_DEPARTMENT = {
    "police": "justice",
    "justice": "civil",
    "agriculture": "water",
    "petitions": "justice",
    "gov_office": "civil",
}


@dataclass(frozen=True)
class Profile:
    tiling: TilingSpec
    active_workers: int
    full_time: int
    months: int
    events_per_month: int
    slow_departments: int
    returning_departments: int
    rating_mismatches: int
    # Ranks (by expected volume) of the county departments that may be planted: enough work
    # for the pattern to show, yet not the biggest in the county profile, whose slowness would
    # swamp every county-wide statistic.
    planted_department_ranks: tuple[int, int]
    # Names, catalogue, levels, staffing and ruleset (sample_data/shapes.py).
    shape: Shape = T_COUNTY


PROFILES = {
    "county": Profile(
        TilingSpec(
            n_towns=17,
            n_streets=4,
            n_villages=300,
            n_grids=781,
            n_micro=3739,
            area_km2=1400.0,
            lon0=121.08,
            lat0=29.15,
            half_width_km=26.0,
            half_height_km=17.0,
            core_offset_km=(-3.0, -1.0),
            core_sigma_km=3.0,
            core_peak=10.0,
        ),
        active_workers=3361,
        full_time=836,
        months=12,
        events_per_month=6000,
        slow_departments=3,
        returning_departments=2,
        rating_mismatches=3,
        planted_department_ranks=(3, 13),
    ),
    "tiny": Profile(
        TilingSpec(
            n_towns=2,
            n_streets=1,
            n_villages=5,
            n_grids=12,
            n_micro=40,
            area_km2=60.0,
            lon0=121.02,
            lat0=29.14,
            half_width_km=5.0,
            half_height_km=3.5,
            core_offset_km=(-1.0, 0.0),
            core_sigma_km=1.2,
            core_peak=4.0,
        ),
        active_workers=60,
        full_time=15,
        months=3,
        events_per_month=500,
        slow_departments=1,
        returning_departments=1,
        rating_mismatches=2,
        planted_department_ranks=(0, 3),
    ),
    # H district (sample_data/hdistrict.py): no micro-grids, 管区, one grid one worker.
    "hdistrict": Profile(
        hdistrict.TILING,
        active_workers=hdistrict.ACTIVE_WORKERS,
        full_time=hdistrict.N_GRIDS,
        months=hdistrict.STREET_MONTHS,
        events_per_month=hdistrict.EVENTS_PER_MONTH,
        slow_departments=3,
        returning_departments=2,
        rating_mismatches=3,
        # City management and public security carry > 90% of the work here: plant below them.
        planted_department_ranks=(2, 12),
        shape=hdistrict.H_DISTRICT,
    ),
}


class StoreNotEmptyError(StoreError):
    """The target store already holds data and --replace was not given."""


def _rngs(seed: int, stream: int) -> tuple[np.random.Generator, random.Random]:
    """Independent seeded generators per stage, so one stage's draws never shift another's."""
    return np.random.Generator(np.random.PCG64([seed, stream])), random.Random(seed * 1009 + stream)


def _us(t: dt.datetime) -> int:
    return int(t.timestamp()) * 10**6 + t.microsecond


def _local_day(us):
    return (us + LOCAL_OFFSET_US) // US_DAY


def _months_back(local: dt.datetime, months: int) -> dt.datetime:
    y, m = divmod(local.year * 12 + local.month - 1 - months, 12)
    return local.replace(year=y, month=m + 1, day=min(local.day, calendar.monthrange(y, m + 1)[1]))


def default_end() -> dt.datetime:
    return dt.datetime.now(LOCAL_TZ).replace(minute=0, second=0, microsecond=0)


def parse_end(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value.replace(tzinfo=LOCAL_TZ) if value.tzinfo is None else value
