"""Generate the sample county (T county, Zhejiang, as in DOMAIN.md) into a GridSight store.

    python -m sample_data.generate --db URL [--profile county|tiny|hdistrict] [--seed 7] [--months 12]
                                   [--events N] [--end ISO-DATETIME] [--replace] [--quiet]

The output is a pure function of (profile, seed, months, events, end). `end` defaults to the
current hour in Asia/Shanghai so the live dashboard has a "today"; steps after `end` are not
written, so recent events are still open. Events and their steps are generated and written in
batches, so `--events` scales to millions in bounded memory.

Failure modes from DOMAIN.md are planted in a known minority and recorded in planted_patterns;
each leaves a signal in events, steps or check-ins alone (tests/test_generate.py states rules):
- padding (worker): ~2.5-4x extra trivial reports, in bursts 08:00-08:59 on working days and
  in the last 3 days of the month, closed within minutes;
- near_duplicates (worker): trivial items re-entered within metres and 1-20 h of the first;
- empty_patrol (worker): on most patrol days GPS hops faster than 30 km/h and/or the very same
  track re-uploaded;
- filtering (village, >= 2 grids): hard items not entered, escalation near zero, fewer grid
  reports, more 12345 calls from its grids;
- slow_department: ~8x slower to accept and ~3x slower to handle (relative to the deadline);
- returning_department: returns ~40% of dispatches as not its responsibility;
- rating_mismatch (department): towns' monthly ratings contradict its handling data.
Honest workers vary (diligence, honest GPS glitches on ~1% of days); nothing else is planted.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import math
import random
import sys
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from sqlalchemy import event, func, inspect, literal, select
from tqdm import tqdm

from data_access import levels as levels_mod
from data_access import lifecycle, rollups, schema
from data_access.rules import default_rule_rows, seed_default_rules
from data_access.schema import GRID_SOURCES
from data_access.store import StoreError, create_store_engine, describe_url, reset_id_sequences, resolve_db_url
from data_access.users import seed_demo_users
from sample_data import catalogue as cat
from sample_data import hdistrict
from sample_data.bulk import BulkWriter
from sample_data.geometry import Tiling, TilingSpec, build_tiling, sample_points
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


# --- the world: places, organisation, people ------------------------------------------------


@dataclass
class World:
    tiling: Tiling
    town_names: list[str]
    town_is_street: np.ndarray
    village_names: list[str]
    grid_names: list[str]
    micro_households: np.ndarray
    micro_residents: np.ndarray
    shape: Shape = T_COUNTY
    departments: list[dict] = field(default_factory=list)
    dept_by_key: dict[str, int] = field(default_factory=dict)  # county department id
    town_unit: dict[tuple[int, str], int] = field(default_factory=dict)  # (town, key) -> id
    workers: dict[str, list] = field(default_factory=dict)
    planted: list[tuple[str, str, int, str]] = field(default_factory=list)

    # ids: admin_units = county 1, towns 2.., villages after; other tables index + 1
    def town_id(self, t: int) -> int:
        return 2 + t

    def village_id(self, v: int) -> int:
        return 2 + len(self.town_names) + v


def _build_world(profile: Profile, seed: int) -> World:
    rng, rnd = _rngs(seed, 1)
    tiling = build_tiling(rng, profile.tiling)
    spec = profile.tiling
    shape = profile.shape
    is_street = np.arange(spec.n_towns) < spec.n_streets
    town_names = rnd.sample(list(shape.street_names), spec.n_streets) + rnd.sample(
        list(shape.town_names), spec.n_towns - spec.n_streets
    )
    used: set[str] = set()
    village_names = [shape.village_name(rnd, bool(is_street[t]), used) for t in tiling.village_town.tolist()]
    grid_names, counters = [], {}
    for v in tiling.grid_village.tolist():
        counters[v] = counters.get(v, 0) + 1
        grid_names.append(f"{village_names[v]}第{counters[v]}网格")
    # Households: denser (apartment) micro-grids are bigger; 30..120 per micro-grid.
    dens = tiling.micro_density
    urbanity = np.clip((dens - 1.0) / max(spec.core_peak * 0.5, 1e-9), 0, 1)
    households = np.clip(np.round(rng.normal(45 + 55 * urbanity, 12)), 30, 120).astype(int)
    residents = np.round(households * rng.uniform(2.4, 3.0, len(households))).astype(int)
    world = World(tiling, town_names, is_street, village_names, grid_names, households, residents, shape=shape)
    _build_departments(world)
    return world


def _build_departments(world: World) -> None:
    for key, name, name_en, line in world.shape.county_departments:
        world.departments.append(
            {
                "id": len(world.departments) + 1,
                "code": f"D{len(world.departments) + 1:02d}",
                "name": name,
                "name_en": name_en,
                "level": "county",
                "town_id": None,
                "line_of_business": line,
                "key": key,
            }
        )
        world.dept_by_key[key] = len(world.departments)
    for t, town in enumerate(world.town_names):
        for k, (key, suffix, suffix_en, line) in enumerate(cat.TOWN_UNITS):
            did = len(world.departments) + 1
            world.departments.append(
                {
                    "id": did,
                    "code": f"T{t + 1:02d}D{k + 1}",
                    "name": town + suffix,
                    "name_en": f"{suffix_en}, town {t + 1:02d}",
                    "level": "town",
                    "town_id": world.town_id(t),
                    "line_of_business": line,
                    "key": key,
                }
            )
            world.town_unit[(t, key)] = did


def _person_name(rnd: random.Random, male: bool) -> str:
    pool = cat.GIVEN_MALE if male else cat.GIVEN_FEMALE
    given = rnd.choice(pool) + (rnd.choice(pool) if rnd.random() < 0.8 else "")
    return rnd.choice(cat.SURNAMES) + given


def _shift_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _birth_for_age(rnd: random.Random, on: dt.date, age: int) -> dt.date:
    """A birth date giving exactly `age` completed years on `on`."""
    latest, earliest = _shift_years(on, -age), _shift_years(on, -age - 1) + dt.timedelta(days=1)
    return earliest + dt.timedelta(days=rnd.randrange((latest - earliest).days + 1))


def _exact_pick(rng, n_pick: int, weights: np.ndarray, among: np.ndarray) -> np.ndarray:
    w = weights[among] / weights[among].sum()
    return rng.choice(among, size=n_pick, replace=False, p=w)


def _build_workers(world: World, profile: Profile, seed: int, start: dt.date, end: dt.date) -> None:
    """Active workers (exact counts and shares) plus leavers within the period."""
    rng, rnd = _rngs(seed, 2)
    til = world.tiling
    n_grids, n_micro = len(til.grids), len(til.micro)
    grid_town = til.village_town[til.grid_village]
    grid_res = np.bincount(til.micro_grid, weights=world.micro_residents, minlength=n_grids)
    rows: list[dict] = []

    def add(role, etype, grid, micro=None, dept=None, covers=None):
        rows.append(
            {"role": role, "employment_type": etype, "grid": grid, "micro": micro, "dept": dept, "covers": covers}
        )

    # Full-time: one per grid except a few coverage gaps; the rest go to the biggest grids.
    # "One grid, one worker" (H district): exactly one in every grid, no gaps, no second.
    one_each = world.shape.one_worker_per_grid
    if one_each and profile.full_time != n_grids:
        raise ValueError("one worker per grid needs as many full-time workers as grids")
    gaps = 0 if one_each else round(0.04 * n_grids)
    uncovered = set(rng.choice(n_grids, size=gaps, replace=False).tolist())
    covered = [g for g in range(n_grids) if g not in uncovered]
    extra = profile.full_time - len(covered)
    second = [int(g) for g in np.argsort(-grid_res, kind="stable") if int(g) not in uncovered][:extra]
    for g in covered + second:
        add("full_time_worker", "full_time", g)
    for g in range(n_grids):
        add("grid_head", "part_time", g)
    for key, per in world.shape.professional_departments:
        for first in range(0, n_grids, per):
            covers = range(first, min(first + per, n_grids))
            add(
                "professional_worker",
                "departmental",
                int(rng.choice(covers)),
                dept=world.dept_by_key[key],
                covers=covers,
            )
    n_other = profile.active_workers - len(rows)
    if one_each and n_other:
        raise ValueError("one worker per grid: active workers must be full-time, grid heads and professionals")
    n_micro_heads = min(round(0.65 * n_other), n_micro) if world.shape.micro_grids else 0
    for m in np.sort(rng.choice(n_micro, size=n_micro_heads, replace=False)).tolist():
        add("micro_grid_head", "part_time", int(til.micro_grid[m]), micro=m)
    for g in rng.choice(n_grids, size=n_other - n_micro_heads, p=grid_res / grid_res.sum()).tolist():
        add("part_time_worker", "part_time", int(g))
    if len(rows) != profile.active_workers:
        raise RuntimeError("worker counts do not add up")

    # Age and education with exact shares; full-time workers are younger, village cadres older.
    n = len(rows)
    role = np.array([r["role"] for r in rows])
    ft = role == "full_time_worker"
    w_old = np.select([ft, role == "professional_worker", role == "grid_head"], [0.35, 0.8, 3.0], 1.8)
    old = np.zeros(n, bool)
    old[_exact_pick(rng, round(0.71 * n), w_old, np.arange(n))] = True
    ages = np.where(
        old,
        np.where(ft, rng.integers(50, 58, n), 50 + np.minimum(rng.gamma(2.0, 4.0, n), 19).astype(int)),
        np.where(ft, rng.integers(24, 50, n), rng.integers(32, 50, n)),
    )
    education = np.full(n, "junior_college", dtype=object)
    w_pg = np.where(ft & ~old, 3.0, np.where(role == "professional_worker", 3.0, 0.25))
    pg = _exact_pick(rng, round(0.04 * n), w_pg, np.arange(n))
    education[pg] = "postgraduate"
    rest = np.setdiff1d(np.arange(n), pg)
    w_hs = np.where(ft, 0.3, np.where(ages >= 55, 3.0, 1.0)).astype(float)
    education[_exact_pick(rng, round(0.29 * n), w_hs, rest)] = "high_school_or_below"

    male_p = {"grid_head": 0.8, "full_time_worker": 0.45, "professional_worker": 0.75}
    for i, r in enumerate(rows):
        r["male"] = rnd.random() < male_p.get(r["role"], 0.6)
        r["birth"] = _birth_for_age(rnd, end, int(ages[i]))
        r["education"] = education[i]
        years = rng.beta(1.3, 2.5) * 8 if ft[i] else rng.uniform(0.5, 10)
        r["hired"] = max(end - dt.timedelta(days=int(years * 365.25) + 45), _shift_years(r["birth"], 19))
        r["left"] = None

    # Leavers (~10%/year, more in a couple of towns), each replaced by an active worker who was
    # hired shortly after: the replacement's grid and role are the leaver's old ones.
    tw = rng.uniform(0.6, 1.4, len(world.town_names))
    tw[rng.choice(len(tw), size=min(2, len(tw)), replace=False)] *= 2.2
    n_leavers = max(2, round(0.10 * profile.months / 12 * n))
    town_of = np.array([grid_town[r["grid"]] for r in rows])
    w_leave = tw[town_of] * np.where(ft, 2.0, np.where(role == "professional_worker", 0.5, 1.0))
    span = (end - start).days
    replaced = _exact_pick(rng, n_leavers, w_leave, np.arange(n))
    leavers = []
    for i in replaced.tolist():
        r = rows[i]
        left = start + dt.timedelta(days=int(rng.integers(0, max(1, span - 50))))
        r["hired"] = left + dt.timedelta(days=int(rng.integers(5, 40)))
        male = rnd.random() < 0.5
        age = int(rng.integers(26, 62))
        leavers.append(
            {
                **r,
                "male": male,
                "birth": _birth_for_age(rnd, left, age),
                "education": rnd.choices(
                    ["postgraduate", "junior_college", "high_school_or_below"], [0.04, 0.67, 0.29]
                )[0],
                "hired": left - dt.timedelta(days=int(rng.uniform(0.3, 6) * 365)),
                "left": left,
            }
        )
    all_rows = rows + leavers
    phones: set[str] = set()
    for i, r in enumerate(all_rows):
        r["id"] = i + 1
        r["code"] = f"W{i + 1:05d}"
        r["name"] = _person_name(rnd, r["male"])
        while True:
            phone = rnd.choice(cat.MOBILE_PREFIXES) + f"{rnd.randrange(10**8):08d}"
            if phone not in phones:
                phones.add(phone)
                break
        r["phone"] = phone
        r["town"] = int(grid_town[r["grid"]])
        r["village"] = int(til.grid_village[r["grid"]])
    world.workers = {"rows": all_rows, "n_active": n}


# --- planting --------------------------------------------------------------------------------


@dataclass
class Plan:
    padders: dict[int, dict]  # worker id -> settings
    duplicators: dict[int, dict]
    empty_patrol: dict[int, str]  # worker id -> mode
    filtering_villages: set[int]  # village indexes
    slow_depts: set[int]
    returning_depts: set[int]
    mismatch: dict[int, str]  # department id -> 'praised' | 'panned'
    village_escalation: np.ndarray
    town_speed: np.ndarray
    dept_speed: dict[int, float]


def _expected_dispatch(shape: Shape) -> dict[str, float]:
    """Rough share of department work per county department key (to plant where it shows)."""
    vol: dict[str, float] = {}
    for code, _, _, share, _, _ in shape.categories:
        items = shape.items[code]
        total_w = sum(i[6] for i in items)
        for _, _, trivial, _, hard, key, w in items:
            p = 0.05 if trivial else (0.5 if hard else 0.2)
            vol[key] = vol.get(key, 0.0) + share * w / total_w * p
    return vol


def _plan(world: World, profile: Profile, seed: int, period_start: dt.date) -> Plan:
    rng, rnd = _rngs(seed, 3)
    til = world.tiling
    rows = world.workers["rows"][: world.workers["n_active"]]
    n_ft = profile.full_time
    ft_per_grid = np.bincount([r["grid"] for r in rows if r["role"] == "full_time_worker"], minlength=len(til.grids))
    grids_per_village = np.bincount(til.grid_village, minlength=len(til.villages))
    n_filter = max(1, round(0.05 * len(til.villages)))
    # Filtering villages: at least two grids and a good size, so the silence is not just smallness.
    village_res = np.bincount(
        til.grid_village[til.micro_grid], weights=world.micro_residents, minlength=len(til.villages)
    )
    multi = grids_per_village >= 2
    eligible_v = np.flatnonzero(multi & (village_res >= np.quantile(village_res[multi], 0.6)))
    filtering = set(rng.choice(eligible_v, size=n_filter, replace=False).tolist())
    # Planted workers: full-time, sole full-time worker of their grid, with a whole period of work.
    candidates = [
        r["id"]
        for r in rows
        if r["role"] == "full_time_worker"
        and ft_per_grid[r["grid"]] == 1
        and r["village"] not in filtering
        and r["hired"] < period_start - dt.timedelta(days=30)
    ]
    n_pad, n_dup, n_empty = (max(1, round(s * n_ft)) for s in (0.03, 0.02, 0.03))
    chosen = rng.choice(candidates, size=n_pad + n_dup + n_empty, replace=False).tolist()
    allowed = world.shape.padding_categories
    trivial_items = [
        (c, i)
        for c, items in world.shape.items.items()
        for i, it in enumerate(items)
        if it[2] and (allowed is None or c in allowed)
    ]
    padders, dups = {}, {}
    for wid in chosen[:n_pad]:
        favs = rnd.sample(trivial_items, 5)
        padders[wid] = {"items": favs, "mult": rng.uniform(2.5, 4.0)}
    for wid in chosen[n_pad : n_pad + n_dup]:
        dups[wid] = {"items": rnd.sample(trivial_items, 4), "mult": rng.uniform(0.7, 1.0)}
    empty = {wid: rnd.choice(["jump", "repeat", "both"]) for wid in chosen[n_pad + n_dup :]}

    vol = _expected_dispatch(world.shape)
    ranked = [k for k, _ in sorted(vol.items(), key=lambda kv: -kv[1])]
    pool = ranked[slice(*profile.planted_department_ranks)]
    rng.shuffle(pool)
    n_slow, n_ret = profile.slow_departments, profile.returning_departments
    slow_keys, ret_keys = pool[:n_slow], pool[n_slow : n_slow + n_ret]
    slow = {world.dept_by_key[k] for k in slow_keys}
    returning = {world.dept_by_key[k] for k in ret_keys}
    dept_speed = {d["id"]: float(rng.uniform(0.75, 1.35)) for d in world.departments}
    for d in slow:
        dept_speed[d] = 1.0  # their slowness is applied separately, stage by stage
    normal_county = [world.dept_by_key[k] for k in ranked[1:12] if world.dept_by_key[k] not in slow | returning]
    fastest = min(normal_county, key=lambda d: dept_speed[d])
    mismatch = {world.dept_by_key[slow_keys[0]]: "praised", fastest: "panned"}
    if profile.rating_mismatches >= 3:
        mismatch[world.dept_by_key[ret_keys[0]]] = "praised"
    town_speed = rng.uniform(0.5, 1.6, len(world.town_names))
    town_speed[rng.choice(len(town_speed), size=max(1, len(town_speed) // 8), replace=False)] = 3.5
    town_speed[rng.integers(len(town_speed))] = 0.35
    village_esc = rng.uniform(0.8, 1.25, len(til.villages))

    for wid, s in padders.items():
        world.planted.append(
            (
                "padding",
                "worker",
                wid,
                f"凑件: about {s['mult']:.1f}x the usual volume of extra trivial reports, in bursts "
                "08:00-09:00 on working days and in the last 3 days of the month, closed within minutes",
            )
        )
    for wid in dups:
        world.planted.append(
            (
                "near_duplicates",
                "worker",
                wid,
                "事件空转: trivial items re-entered at (nearly) the same point 1-20 h after the first",
            )
        )
    for wid, mode in empty.items():
        what = {
            "jump": "GPS jumps faster than 30 km/h",
            "repeat": "the same track uploaded day after day",
            "both": "GPS jumps and the same track repeated",
        }[mode]
        world.planted.append(("empty_patrol", "worker", wid, f"人员空跑: {what} on most patrol days"))
    for v in sorted(filtering):
        world.planted.append(
            (
                "filtering",
                "village",
                world.village_id(v),
                "信息过滤: hard events not entered, escalation avoided, fewer grid reports; "
                "residents' 12345 calls from its grids run higher",
            )
        )
    for d in sorted(slow):
        world.planted.append(("slow_department", "department", d, "accepts ~8x and handles ~3x slower than peers"))
    for d in sorted(returning):
        world.planted.append(
            ("returning_department", "department", d, "returns ~40% of dispatched events as not its responsibility")
        )
    for d, kind in sorted(mismatch.items()):
        world.planted.append(
            (
                "rating_mismatch",
                "department",
                d,
                "rated highly by towns despite poor handling data"
                if kind == "praised"
                else "rated poorly by towns despite fast, on-time handling",
            )
        )
    return Plan(padders, dups, empty, filtering, slow, returning, mismatch, village_esc, town_speed, dept_speed)


# --- events ----------------------------------------------------------------------------------

EVENT_COLUMNS = (
    "id",
    "code",
    "category_code",
    "item_type_code",
    "source",
    "urgency",
    "description",
    "micro_grid_id",
    "grid_id",
    "village_id",
    "town_id",
    "lon",
    "lat",
    "reported_at",
    "reported_by",
    "deadline",
    "status",
    "handled_level",
    "department_id",
    "filing_only",
    "quality_grade",
    "satisfaction",
    "completed_at",
    "closed_at",
    "escalations",
    "returns",
    "rejections",
)
STEP_COLUMNS = (
    "id",
    "event_id",
    "seq",
    "action",
    "from_level",
    "from_unit_id",
    "to_level",
    "to_unit_id",
    "at",
    "actor_worker_id",
    "actor",
)


class EventFactory:
    """Generates events with their steps, batch by batch, in bounded memory."""

    def __init__(
        self,
        world: World,
        plan: Plan,
        seed: int,
        start_us: int,
        end_us: int,
        n_total: int,
        deadlines: dict[str, float],
        verify_hours: float,
    ):
        self.world, self.plan = world, plan
        self.rng, self.rnd = _rngs(seed, 4)
        self.start_us, self.end_us = start_us, end_us
        self.deadline_us = {u: int(h * US_HOUR) for u, h in deadlines.items()}
        self.stage = {**STAGE, "verify": verify_hours * 60 * VERIFY_MEDIAN_SHARE}
        til = world.tiling
        self.n_micro = len(til.micro)
        # Without micro-grids the cells stay the generator's own grain (points, weights) and
        # are never written: events and steps then start at the grid.
        self.has_micro = world.shape.micro_grids
        self.micro_grid = til.micro_grid
        self.grid_village = til.grid_village
        self.village_town = til.village_town
        self.micro_town = til.village_town[til.grid_village[til.micro_grid]]
        self.micro_village = til.grid_village[til.micro_grid]
        self.micro_urban = world.town_is_street[self.micro_town]
        shapely.prepare(til.micro)
        self._items()
        self._reporters()
        self._volumes(n_total)
        vol = _expected_dispatch(world.shape)
        self.misroute_ids = [world.dept_by_key[k] for k in sorted(vol)]
        self.misroute_weights = np.cumsum([vol[k] for k in sorted(vol)]).tolist()
        self._z: list[float] = []
        self._z_pos = 0
        self.next_event_id = 1
        self.next_step_id = 1
        self.dept_stats: dict[tuple[int, int], list] = {}  # (dept id, local month key) -> stats

    # reference tables
    def _items(self) -> None:
        self.items = []
        self.item_index = {}  # (category, position in the catalogue) -> index
        cat_weights = {}
        shape = self.world.shape
        for code, _, _, share, urb, rur in shape.categories:
            cat_weights[code] = (share, urb, rur)
            for n, it in enumerate(shape.items[code]):
                name, name_en, trivial, urg, hard, key, w = it
                self.item_index[(code, n)] = len(self.items)
                self.items.append(
                    {
                        "code": f"{code}.{n + 1:0{shape.item_code_digits}d}",
                        "category": code,
                        "name": name,
                        "name_en": name_en,
                        "trivial": trivial,
                        "hard": hard,
                        "urgency": cat.URGENCY_CODES[urg],
                        "key": key,
                        "w": w,
                    }
                )
        by_name = {it["name"]: k for k, it in enumerate(self.items)}
        n = len(self.items)
        self.item_kind = ["trivial" if it["trivial"] else ("hard" if it["hard"] else "normal") for it in self.items]

        def probs(shares: dict[str, float], drop_hard: bool = False) -> np.ndarray:
            p = np.zeros(n)
            for k, it in enumerate(self.items):
                cat_total = sum(x["w"] for x in self.items if x["category"] == it["category"])
                if not (drop_hard and it["hard"]):
                    p[k] = shares.get(it["category"], 0.0) * it["w"] / cat_total
            return np.cumsum(p / p.sum())

        self.item_cdf = {}
        for urban in (0, 1):
            shares = {c: s * (u if urban else r) for c, (s, u, r) in cat_weights.items()}
            self.item_cdf[("grid", urban, 0)] = probs(shares)
            # Filtering villages leave most hard events unreported.
            self.item_cdf[("grid", urban, 1)] = probs(shares, drop_hard=True)
            self.item_cdf[("hotline", urban, 0)] = probs(shape.hotline_category_shares)
        cam = np.zeros(n)
        for name, w in shape.camera_items.items():
            cam[by_name[name]] = w
        self.item_cdf["camera"] = np.cumsum(cam / cam.sum())

    def _reporters(self) -> None:
        """Per grid: full-time and part-time workers with their active intervals (µs)."""
        world = self.world
        n_grids = len(world.tiling.grids)
        self.grid_ft: list[list[tuple[int, int, int]]] = [[] for _ in range(n_grids)]
        self.grid_pt: list[list[tuple[int, int, int]]] = [[] for _ in range(n_grids)]
        self.grid_head: list[int] = [0] * n_grids
        self.prof: dict[tuple[int, int], int] = {}  # (grid, dept id) -> professional worker
        rows = world.workers["rows"]
        for r in rows:
            hired = _us(dt.datetime.combine(r["hired"], dt.time(), LOCAL_TZ))
            left = _us(dt.datetime.combine(r["left"], dt.time(), LOCAL_TZ)) if r["left"] else 2**62
            entry = (r["id"], hired, left)
            g = r["grid"]
            if r["role"] == "full_time_worker":
                self.grid_ft[g].append(entry)
            elif r["role"] == "professional_worker":
                if r["left"] is None:
                    for gg in r["covers"]:
                        self.prof[(gg, r["dept"])] = r["id"]
            else:
                self.grid_pt[g].append(entry)
                if r["role"] == "grid_head" and r["left"] is None:
                    self.grid_head[g] = r["id"]
        # Honest variation in diligence: some workers report twice as much as others.
        dil = self.rng.lognormal(0, 0.35, len(rows) + 1)
        til = world.tiling
        ft_dil = np.array([np.mean([dil[w] for w, _, _ in ft]) if ft else 0.5 for ft in self.grid_ft])
        res = world.micro_residents.astype(float)
        filt = np.isin(self.micro_village, sorted(self.plan.filtering_villages))
        self.w_grid = res * ft_dil[til.micro_grid] * np.where(filt, 0.7, 1.0)
        self.w_hotline = res * np.where(filt, 1.7, 1.0)
        self.w_camera = res * np.where(self.micro_urban, 3.0, 0.6)

    def _volumes(self, n_total: int) -> None:
        """Split the total into base events, padding and near-duplicate pairs.

        A planted worker's extra events scale with what their own grid would report anyway (but
        at least the average worker's: the quota is the same in a quiet grid), so the made-up
        share is similar in a busy urban grid and a quiet rural one."""
        grid_share = np.bincount(self.micro_grid, weights=self.w_grid) / self.w_grid.sum()
        worker_reports = sum(SOURCE_SHARES[s] for s in GRID_SOURCES) * 0.75 * n_total  # the full-time share
        average = 1 / sum(len(ft) for ft in self.grid_ft)

        def extra(worker: int, mult: float) -> int:
            own = max(grid_share[self._worker_grid(worker)], average)
            return max(3, round(mult * worker_reports * own))

        self.pad_counts = {w: extra(w, s["mult"]) for w, s in self.plan.padders.items()}
        self.dup_counts = {w: extra(w, s["mult"]) for w, s in self.plan.duplicators.items()}
        n_base = n_total - sum(self.pad_counts.values()) - 2 * sum(self.dup_counts.values())
        if n_base < n_total * 0.5:
            raise ValueError(f"too few events ({n_total}) for this profile")
        self.n_base = n_base
        self._slots()
        self._plant_times()

    def _slots(self) -> None:
        """Base event counts per hour slot, by source, following daily/weekly/seasonal rhythm."""
        rng = self.rng
        first = self.start_us // US_HOUR
        last = -(-self.end_us // US_HOUR)
        slot_us = np.arange(first, last, dtype=np.int64) * US_HOUR
        local_h = ((slot_us + LOCAL_OFFSET_US) // US_HOUR) % 24
        day = _local_day(slot_us)
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
        doy = day % 365.25
        season = 1 + 0.12 * np.sin(2 * np.pi * (doy - 100) / 365.25)
        day_noise = rng.lognormal(0, 0.08, int(day.max() - day.min() + 1))[day - day.min()]
        # The slot's overlap with [start, end): partial first/last hours get fewer events.
        frac = (np.minimum(slot_us + US_HOUR, self.end_us) - np.maximum(slot_us, self.start_us)) / US_HOUR
        base = season * day_noise * np.clip(frac, 0, 1)
        w_grid = base * GRID_HOURS[local_h] * GRID_WEEKDAY[weekday]
        w_centre = base * CENTRE_HOURS[local_h] * CENTRE_WEEKDAY[weekday]
        sources = list(SOURCE_SHARES)
        totals = rng.multinomial(self.n_base, [SOURCE_SHARES[s] for s in sources])
        self.slot_us = slot_us
        self.slot_counts = np.zeros((len(slot_us), len(sources)), dtype=np.int64)
        for k, s in enumerate(sources):
            w = w_grid if s in GRID_SOURCES else w_centre
            self.slot_counts[:, k] = rng.multinomial(totals[k], w / w.sum())
        self.sources = sources

    def _work_time(self, day_us: int, hour_lo: float, hour_hi: float) -> int:
        return day_us + int(self.rng.uniform(hour_lo, hour_hi) * US_HOUR) - LOCAL_OFFSET_US

    def _plant_times(self) -> None:
        """Times of padding bursts and near-duplicate pairs, fixed up front (exact totals)."""
        rng = self.rng
        d0, d1 = _local_day(self.start_us), _local_day(self.end_us)
        days = np.arange(d0, d1 + 1)
        weekday = (days + 3) % 7
        workdays = days[weekday < 5]
        dates = [dt.date(1970, 1, 1) + dt.timedelta(days=int(d)) for d in days]
        month_end = days[[(calendar.monthrange(x.year, x.month)[1] - x.day) < 3 for x in dates]]
        planted: list[tuple[int, int, str]] = []  # (time us, worker, kind)
        for w, n in self.pad_counts.items():
            made = 0
            while made < n:
                k = min(int(rng.integers(3, 7)), n - made)
                if rng.random() < 0.55:  # first hour of a working day
                    t = self._work_time(int(rng.choice(workdays)) * US_DAY, 8.0, 8.4)
                else:  # month-end rush
                    t = self._work_time(int(rng.choice(month_end)) * US_DAY, 8.0, 17.0)
                for _ in range(k):
                    if self.start_us <= t < self.end_us:
                        planted.append((t, w, "pad"))
                        made += 1
                    t += int(rng.uniform(2, 8) * US_MIN)
        last_ok = self.end_us - US_DAY
        for w, n in self.dup_counts.items():
            made = 0
            while made < n:
                t = self._work_time(int(rng.choice(workdays)) * US_DAY, 8.5, 17.0)
                if self.start_us <= t < last_ok:
                    planted.append((t, w, "dup"))
                    made += 1
        planted.sort()
        self.planted_t = np.array([p[0] for p in planted], dtype=np.int64)
        self.planted_w = [p[1] for p in planted]
        self.planted_kind = [p[2] for p in planted]

    # batches
    def batches(self):
        """Yield (events columns, steps columns) per batch of about BATCH_EVENTS events."""
        counts = self.slot_counts.sum(axis=1)
        cum = np.cumsum(counts)
        lo = 0
        while lo < len(counts):
            hi = int(np.searchsorted(cum, (cum[lo - 1] if lo else 0) + BATCH_EVENTS, side="right"))
            hi = max(hi, lo + 1)
            yield self._batch(lo, min(hi, len(counts)))
            lo = hi

    def _batch(self, lo: int, hi: int):
        rng = self.rng
        counts = self.slot_counts[lo:hi]
        t_from, t_to = int(self.slot_us[lo]), int(self.slot_us[hi - 1]) + US_HOUR
        src_idx = np.repeat(np.tile(np.arange(len(self.sources)), hi - lo), counts.ravel())
        slot_of = np.repeat(np.repeat(np.arange(lo, hi), len(self.sources)), counts.ravel())
        t = self.slot_us[slot_of] + rng.integers(0, US_HOUR, len(slot_of))
        t = np.clip(t, self.start_us, self.end_us - 1)
        # Micro-grid by source: worker reports by population and diligence, calls by population.
        micro = np.empty(len(t), dtype=np.int64)
        for k, s in enumerate(self.sources):
            mask = src_idx == k
            w = self.w_grid if s in GRID_SOURCES else (self.w_camera if s == "camera_alert" else self.w_hotline)
            micro[mask] = rng.choice(self.n_micro, size=int(mask.sum()), p=w / w.sum())
        item = np.empty(len(t), dtype=np.int64)
        filt = np.isin(self.micro_village[micro], sorted(self.plan.filtering_villages)).astype(int)
        urban = self.micro_urban[micro].astype(int)
        u = rng.random(len(t))
        for k, s in enumerate(self.sources):
            for ub in (0, 1):
                for fl in (0, 1):
                    mask = (src_idx == k) & (urban == ub) & (filt == fl)
                    if not mask.any():
                        continue
                    if s == "camera_alert":
                        cdf = self.item_cdf["camera"]
                    elif s == "hotline_12345":
                        cdf = self.item_cdf[("hotline", ub, 0)]
                    else:
                        cdf = self.item_cdf[("grid", ub, fl)]
                    item[mask] = np.minimum(np.searchsorted(cdf, u[mask], side="right"), len(cdf) - 1)
        kinds = [("base", None)] * len(t)  # (kind, (planted worker, index of the planted time))
        # Planted events whose (first) time falls in this batch.
        a, b = np.searchsorted(self.planted_t, [t_from, t_to])
        extra_t, extra_micro, extra_item, extra_src, extra_kind = [], [], [], [], []
        for j in range(a, b):
            w, kind = self.planted_w[j], self.planted_kind[j]
            g = self._worker_grid(w)
            mg_choices = np.flatnonzero(self.micro_grid == g)
            m = int(mg_choices[rng.integers(len(mg_choices))])
            settings = self.plan.padders[w] if kind == "pad" else self.plan.duplicators[w]
            c, i = settings["items"][int(rng.integers(len(settings["items"])))]
            it = self.item_index[(c, i)]
            src = self.sources.index("patrol" if rng.random() < 0.8 else "household_visit")
            t0 = int(self.planted_t[j])
            extra_t.append(t0)
            extra_micro.append(m)
            extra_item.append(it)
            extra_src.append(src)
            extra_kind.append((kind, (w, j)))
            if kind == "dup":  # the re-entry: same item, same spot, hours later (next morning if late)
                t1 = t0 + int(rng.uniform(1.0, 5.0) * US_HOUR)
                if ((t1 + LOCAL_OFFSET_US) // US_HOUR) % 24 >= 18:
                    t1 += 14 * US_HOUR
                extra_t.append(t1)
                extra_micro.append(m)
                extra_item.append(it)
                extra_src.append(src)
                extra_kind.append(("dup_again", (w, j)))
        if extra_t:
            t = np.concatenate([t, extra_t])
            micro = np.concatenate([micro, extra_micro])
            item = np.concatenate([item, extra_item])
            src_idx = np.concatenate([src_idx, extra_src])
            kinds = kinds + extra_kind
        order = np.argsort(t, kind="stable")
        t, micro, item, src_idx = t[order], micro[order], item[order], src_idx[order]
        kinds = [kinds[i] for i in order.tolist()]
        points = sample_points(rng, self.world.tiling.micro, micro)
        return self._lifecycles(t, micro, item, src_idx, kinds, points, self._urgency(item))

    def normal(self) -> float:
        """A standard normal draw, served from a pre-drawn block (much cheaper than one by one)."""
        if self._z_pos == len(self._z):
            self._z, self._z_pos = self.rng.standard_normal(1 << 16).tolist(), 0
        self._z_pos += 1
        return self._z[self._z_pos - 1]

    def misroute_target(self, proper: int) -> int:
        """A wrong county department, in proportion to department volume (so no small one is
        flooded with misroutes and starts to look like a returning department)."""
        ids, weights = self.misroute_ids, self.misroute_weights
        while True:
            d = ids[int(np.searchsorted(weights, self.rnd.random() * weights[-1], side="right"))]
            if d != proper:
                return d

    def _worker_grid(self, wid: int) -> int:
        return self.world.workers["rows"][wid - 1]["grid"]

    def _urgency(self, item: np.ndarray) -> list[str]:
        base = [self.items[i]["urgency"] for i in item.tolist()]
        u = self.rng.random(len(base)).tolist()
        out = []
        for b, x in zip(base, u):
            if x < 0.07:
                b = {"ordinary": "urgent", "urgent": "emergency"}.get(b, b)
            elif x > 0.96:
                b = {"urgent": "ordinary", "emergency": "urgent"}.get(b, b)
            out.append(b)
        return out

    def _pick_reporter(self, g: int, t: int) -> int | None:
        rnd = self.rnd
        fts = [w for w, h, l in self.grid_ft[g] if h <= t < l]
        if fts and rnd.random() < 0.75:
            return fts[0] if len(fts) == 1 else rnd.choice(fts)
        pts = [w for w, h, l in self.grid_pt[g] if h <= t < l]
        if pts:
            return rnd.choice(pts)
        return fts[0] if fts else None

    def _lifecycles(self, t, micro, item, src_idx, kinds, points, urgency):
        world, plan, rnd = self.world, self.plan, self.rnd
        end_us = self.end_us
        ev_rows: list[tuple] = []
        st_rows: list[tuple] = []
        lon_l, lat_l = points[:, 0].tolist(), points[:, 1].tolist()
        dup_origin: dict[tuple[int, int], tuple[float, float]] = {}  # (worker, pair) -> first point
        for k, (t0, m, it, s) in enumerate(zip(t.tolist(), micro.tolist(), item.tolist(), src_idx.tolist())):
            kind, tag = kinds[k]
            planted_w = tag[0] if tag else None
            source = self.sources[s]
            g = int(self.micro_grid[m])
            v = int(self.grid_village[g])
            tw = int(self.village_town[v])
            info = self.items[it]
            urg = urgency[k]
            lon, lat = lon_l[k], lat_l[k]
            if kind == "dup":
                dup_origin[tag] = (lon, lat)
            elif kind == "dup_again":  # re-entered within metres of the first entry
                lon, lat = self._near(m, dup_origin.pop(tag))
            if kind in ("pad", "dup", "dup_again"):
                reporter, urg = planted_w, "ordinary"
            elif source in GRID_SOURCES:
                reporter = self._pick_reporter(g, t0)
            else:
                reporter = None
            if source in GRID_SOURCES and reporter is None:
                source = "hotline_12345"  # nobody active in the grid: the call goes to 12345
            ev = _Event(self, t0, m, g, v, tw, it, urg, reporter)
            if kind == "pad":
                ev.padded()
            elif source in GRID_SOURCES:
                ev.grid_reported(filtering=v in plan.filtering_villages)
            else:
                ev.centre(source)
            eid = self.next_event_id
            self.next_event_id += 1
            steps = [st for st in ev.steps if st[5] <= end_us]
            handled_level, department_id = ev.handled_level, ev.department_id
            if len(steps) < len(ev.steps):  # still under way at the end: only what has happened by then
                handled_level, department_id = _handled_so_far(steps)
            status = STATUS_AFTER[steps[-1][0]]
            sid = self.next_step_id
            st_rows.extend((sid + i, eid, i + 1, *st) for i, st in enumerate(steps))
            self.next_step_id += len(steps)
            self._record_dept_stats(steps, self.deadline_us[urg])
            closed = status == "closed"
            completed_at = (
                max((st[5] for st in steps if st[0] == "complete"), default=NAT)
                if status in ("completed", "verified", "closed")
                else NAT
            )
            closed_at = steps[-1][5] if closed else NAT
            deadline = t0 + self.deadline_us[urg]
            overdue = (closed_at if closed else end_us) > deadline
            quality = satisfaction = None
            if closed:
                p_bad = 0.027 + 0.3 * (ev.rejections > 0) + 0.12 * overdue
                x = rnd.random()
                quality = "unqualified" if x < p_bad else ("excellent" if x < p_bad + 0.36 else "qualified")
                if kind == "base" and rnd.random() < (
                    0.6 if source in ("resident_call", "hotline_12345", "household_visit") else 0.15
                ):
                    shift = (1 if overdue else 0) + (1 if ev.rejections else 0)
                    satisfaction = max(1, rnd.choices([5, 4, 3, 2, 1], [55, 30, 10, 3, 2])[0] - shift)
            place = world.village_names[v] + rnd.choice(
                cat.LANDMARKS_URBAN if world.town_is_street[tw] else cat.LANDMARKS_RURAL
            )
            if source == "hotline_12345":
                place = world.town_names[tw] + place
            actions = [st[0] for st in steps]
            ev_rows.append(
                (
                    eid,
                    f"SJ{eid:09d}",
                    info["category"],
                    info["code"],
                    source,
                    urg,
                    f"{cat.SOURCE_PHRASES[source]}{place}{info['name']}问题。",
                    m + 1 if self.has_micro else None,
                    g + 1,
                    world.village_id(v),
                    world.town_id(tw),
                    lon,
                    lat,
                    t0,
                    reporter if source in GRID_SOURCES else None,
                    deadline,
                    status,
                    handled_level if status != "filed" else None,
                    department_id,
                    ev.filing_only,
                    quality,
                    satisfaction,
                    completed_at,
                    closed_at,
                    actions.count("escalate"),
                    actions.count("return"),
                    actions.count("reject"),
                )
            )
        ev_cols = dict(zip(EVENT_COLUMNS, map(list, zip(*ev_rows))))
        st_cols = dict(zip(STEP_COLUMNS, map(list, zip(*st_rows))))
        for key in ("reported_at", "deadline", "completed_at", "closed_at"):
            ev_cols[key] = np.array(ev_cols[key], dtype=np.int64).view("datetime64[us]")
        ev_cols["report_date"] = _local_day(ev_cols["reported_at"].view(np.int64)).astype("datetime64[D]")
        closed_i = ev_cols["closed_at"].view(np.int64)
        ev_cols["close_date"] = np.where(closed_i == NAT, NAT, _local_day(closed_i)).astype("datetime64[D]")
        st_cols["at"] = np.array(st_cols["at"], dtype=np.int64).view("datetime64[us]")
        return ev_cols, st_cols

    def _near(self, m: int, point: tuple[float, float]) -> tuple[float, float]:
        """A point within a few metres of `point`, still inside micro-grid m."""
        poly = self.world.tiling.micro[m]
        for _ in range(5):
            lon = round(point[0] + self.rng.normal(0, 4e-5), 6)
            lat = round(point[1] + self.rng.normal(0, 4e-5), 6)
            if shapely.contains_xy(poly, lon, lat):
                return lon, lat
        return point

    def _record_dept_stats(self, steps, limit_us: int) -> None:
        """Per (department, month of dispatch): dispatched, returned, and the summed accept delays
        as fractions of the time limit (so urgent and ordinary work compare) over how many."""
        disp_at: dict[int, int] = {}
        for action, fl, fu, tl, tu, at, _, _ in steps:
            if action == "dispatch" and tl == "department":
                disp_at[tu] = at
                self._stat(tu, at)[0] += 1
            elif action == "return" and fl == "department":
                self._stat(fu, disp_at.get(fu, at))[1] += 1
            elif action == "accept" and tl == "department" and tu in disp_at:
                s = self._stat(tu, disp_at[tu])
                s[2] += (at - disp_at[tu]) / limit_us
                s[3] += 1

    def _stat(self, dept: int, at: int) -> list:
        local = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=at + LOCAL_OFFSET_US)
        key = (dept, local.year * 100 + local.month)
        if key not in self.dept_stats:
            self.dept_stats[key] = [0, 0, 0.0, 0]
        return self.dept_stats[key]


def _handled_so_far(steps) -> tuple[str | None, int | None]:
    """(handled_level, department_id) of an event whose path is cut at the end: the last unit that
    took it on (accepted or handled it), and the department only once one has accepted it."""
    level = dept = None
    for action, _fl, _fu, to_level, to_id, *_ in steps:
        if action in ("accept", "handle"):
            level = to_level
            if to_level == "department":
                dept = to_id
    return level, dept


class _Event:
    """One event's path through the levels, as a list of steps with times (µs)."""

    def __init__(
        self, f: EventFactory, t0: int, m: int, g: int, v: int, tw: int, it: int, urg: str, reporter: int | None
    ):
        self.f, self.t, self.m, self.g, self.v, self.tw = f, t0, m, g, v, tw
        self.info = f.items[it]
        self.kind = f.item_kind[it]
        self.urg = urg
        self.reporter = reporter
        self.steps: list[tuple] = []
        self.handled_level = None
        self.department_id = None
        self.filing_only = False
        self.rejections = 0
        self.speed = URGENCY_SPEED[urg]
        self.town_speed = float(f.plan.town_speed[tw])
        self.grid_id = g + 1
        self.village_id = f.world.village_id(v)
        self.town_id = f.world.town_id(tw)

    def wait(self, stage: str, factor: float = 1.0, sigma: float = 0.8) -> None:
        """Let a lognormal stage duration pass."""
        median = self.f.stage[stage] * factor * (VERIFY_SPEED[self.urg] if stage == "verify" else self.speed)
        self.t += int(max(median, 0.2) * math.exp(sigma * self.f.normal()) * US_MIN)

    def add(self, action, from_level, from_id, to_level, to_id, worker=None, actor=None):
        self.steps.append((action, from_level, from_id, to_level, to_id, self.t, worker, actor))

    def at(self, action, level, unit, worker=None, actor=None):
        """An action a unit takes in place (accept, handle, ...): from and to are that unit."""
        self.add(action, level, unit, level, unit, worker, actor)

    def report(self, w, g) -> None:
        """The worker's report into the grid: from the micro-grid, or the grid itself without them."""
        if self.f.has_micro:
            self.add("report", "micro_grid", self.m + 1, "grid", g, w)
        else:
            self.add("report", "grid", g, "grid", g, w)

    # paths
    def padded(self) -> None:
        """Made-up trivial events: closed within minutes, never verified on site."""
        w, g, rnd = self.reporter, self.grid_id, self.f.rnd
        self.report(w, g)
        for action, lo, hi in (
            ("accept", 0.5, 2),
            ("handle", 1, 3),
            ("complete", 2, 8),
            ("verify", 1, 5),
            ("close", 0.2, 3),
        ):
            self.t += int(rnd.uniform(lo, hi) * US_MIN)
            self.at(action, "grid", g, w)
        self.handled_level = "grid"

    def grid_reported(self, filtering: bool) -> None:
        f, rnd, w, g = self.f, self.f.rnd, self.reporter, self.grid_id
        self.report(w, g)
        p_file = 0.0 if filtering else (0.2 if self.kind == "hard" else 0.02)
        if rnd.random() < p_file:
            self.wait("register")
            self.at("file", "grid", g, w)
            self.filing_only = True
            return
        p_up = ESCALATE_P[self.kind] * f.plan.village_escalation[self.v]
        if self.urg == "emergency":
            p_up = max(p_up, 0.6)
        if filtering:
            p_up = 0.005
        if rnd.random() >= p_up:
            self.wait("grid_accept")
            self.at("accept", "grid", g, w)
            self.handle_cycle("grid", g, w, "grid_handle", "grid_complete")
            self.verify_close("grid", g, w)
            self.handled_level = "grid"
            return
        shares = UP_LEVELS[self.kind]
        x = rnd.random() * sum(shares)
        target = "village" if x < shares[0] else ("town" if x < shares[0] + shares[1] else "county")
        head = f.grid_head[self.g] or None
        if target == "village":
            self.wait("escalate")
            self.add("escalate", "grid", g, "village", self.village_id, w)
            self.village_handles(head)
            return
        self.wait("escalate")
        if self.urg == "emergency" and rnd.random() < 0.7:
            self.add("escalate", "grid", g, "town", self.town_id, w)  # straight to the town centre
            via_village = False
        else:
            self.add("escalate", "grid", g, "village", self.village_id, w)
            self.wait("village_accept", self.town_speed)
            self.wait("escalate_up", self.town_speed)
            self.add("escalate", "village", self.village_id, "town", self.town_id, head)
            via_village = True
        self.wait("town_accept", self.town_speed)
        if via_village and rnd.random() < 0.08:  # the town finds it is the village's job
            self.add("return", "town", self.town_id, "village", self.village_id, actor="镇街社会治理中心")
            self.village_handles(head)
            return
        self.at("accept", "town", self.town_id, actor="镇街社会治理中心")
        if target == "county":
            self.wait("escalate_up", self.town_speed)
            self.add("escalate", "town", self.town_id, "county", 1, actor="镇街社会治理中心")
            self.wait("county_accept")
            if rnd.random() < 0.1:  # the county sends it back: the town's responsibility
                self.add("return", "county", 1, "town", self.town_id, actor="县社会治理中心")
                self.wait("town_accept", self.town_speed)
                self.at("accept", "town", self.town_id, actor="镇街社会治理中心")
                self.town_dispatch()
                return
            self.at("accept", "county", 1, actor="县社会治理中心")
            self.wait("register")
            self.at("register", "county", 1, actor="县社会治理中心")
            self.department_cycle("county", 1, "县社会治理中心")
            return
        self_handle = 0.5 if self.info["category"] in ("disputes", "petitions") else 0.12
        if rnd.random() < self_handle:  # the town centre's own cadres handle it
            self.wait("register")
            self.at("register", "town", self.town_id, actor="镇街社会治理中心")
            self.handle_cycle(
                "town", self.town_id, None, "dept_handle", "town_complete", self.town_speed, actor="镇街社会治理中心"
            )
            self.verify_close("town", self.town_id, None, actor="镇街社会治理中心")
            self.handled_level = "town"
            return
        self.town_dispatch()

    def town_dispatch(self) -> None:
        self.wait("register", self.town_speed)
        self.at("register", "town", self.town_id, actor="镇街社会治理中心")
        self.department_cycle("town", self.town_id, "镇街社会治理中心")

    def village_handles(self, head: int | None) -> None:
        self.wait("village_accept", self.town_speed)
        self.at("accept", "village", self.village_id, head)
        self.handle_cycle("village", self.village_id, head, "village_handle", "village_complete", self.town_speed)
        self.verify_close("village", self.village_id, head)
        self.handled_level = "village"

    def centre(self, source: str) -> None:
        f, rnd = self.f, self.f.rnd
        actor = "camera" if source == "camera_alert" else "12345"
        self.add("report", None, None, "county", 1, actor=actor)
        self.wait("county_accept", 0.3)
        self.at("accept", "county", 1, actor="县社会治理中心")
        self.wait("register")
        self.at("register", "county", 1, actor="县社会治理中心")
        to_grid = 0.85 if source == "camera_alert" else (0.7 if self.kind == "trivial" else 0.25)
        if rnd.random() < to_grid:
            worker = f._pick_reporter(self.g, self.t)
            self.wait("dispatch")
            self.add("dispatch", "county", 1, "town", self.town_id, actor="县社会治理中心")
            self.wait("dispatch", self.town_speed)
            self.add("dispatch", "town", self.town_id, "grid", self.grid_id, actor="镇街社会治理中心")
            self.reporter = worker
            self.wait("grid_accept", 5)
            self.at("accept", "grid", self.grid_id, worker, None if worker else "网格员")
            self.handle_cycle("grid", self.grid_id, worker, "grid_handle", "grid_complete")
            self.verify_close("county", 1, worker, actor="县社会治理中心")
            self.handled_level = "grid"
            return
        self.reporter = f._pick_reporter(self.g, self.t)
        self.department_cycle("county", 1, "县社会治理中心")

    def handle_cycle(self, level, unit, worker, handle_stage, complete_stage, factor=1.0, actor=None):
        self.wait(handle_stage, factor)
        self.at("handle", level, unit, worker, actor)
        self.wait(complete_stage, factor, sigma=0.8)
        self.at("complete", level, unit, worker, actor)

    def verify_close(self, close_level, close_unit, closer, actor=None) -> None:
        """Verification on site by the grid worker (rejected and redone now and then), then close."""
        f, rnd = self.f, self.f.rnd
        handler = self.steps[-1]
        p_reject = 0.012 if handler[1] == "grid" else 0.045
        while True:
            self.wait("verify", sigma=1.0)
            self.at("verify", "grid", self.grid_id, self.reporter, None if self.reporter else "网格员")
            if self.rejections >= 2 or rnd.random() >= p_reject:
                break
            self.rejections += 1
            self.wait("reject")
            self.add("reject", "grid", self.grid_id, handler[1], handler[2], self.reporter)
            factor = f.plan.dept_speed.get(handler[2], 1.0) if handler[1] == "department" else 1.0
            stages = {
                "grid": ("grid_handle", "grid_complete"),
                "village": ("village_handle", "village_complete"),
                "town": ("dept_handle", "town_complete"),
                "department": ("dept_handle", "dept_complete"),
            }
            h, c = stages[handler[1]]
            self.handle_cycle(handler[1], handler[2], handler[6], h, c, 0.5 * factor, handler[7])
        self.wait("close", sigma=1.0)
        self.at("close", close_level, close_unit, closer, actor)

    def _department_for(self, centre_level: str, exclude: set[int]) -> int:
        f, rnd = self.f, self.f.rnd
        key = self.info["key"]
        options = []
        if centre_level == "town" and (self.tw, key) in f.world.town_unit and rnd.random() < 0.75:
            options.append(f.world.town_unit[(self.tw, key)])
        options.append(f.world.dept_by_key[key])
        for d in options:
            if d not in exclude:
                return d
        line = f.world.departments[f.world.dept_by_key[key] - 1]["line_of_business"]
        peers = [
            d["id"]
            for d in f.world.departments
            if d["level"] == "county" and d["line_of_business"] == line and d["id"] not in exclude
        ]
        if not peers:
            peers = [f.world.dept_by_key[FALLBACK_DEPARTMENT.get(key, "gov_office")]]
        return peers[0] if len(peers) == 1 else rnd.choice(peers)

    def department_cycle(self, centre_level: str, centre_id: int, centre_actor: str) -> None:
        f, rnd, plan = self.f, self.f.rnd, self.f.plan
        tried: set[int] = set()
        dept = self._department_for(centre_level, tried)
        misrouted = rnd.random() < 0.02  # an honest mistake the department sends back
        if misrouted:
            dept = f.misroute_target(dept)
        while True:
            self.wait("dispatch", self.town_speed if centre_level == "town" else 1.0)
            self.add("dispatch", centre_level, centre_id, "department", dept, actor=centre_actor)
            tried.add(dept)
            p_ret = 0.4 if dept in plan.returning_depts else (0.9 if misrouted else 0.0)
            if len(tried) < 3 and rnd.random() < p_ret:
                self.wait("return", plan.dept_speed[dept])
                self.add("return", "department", dept, centre_level, centre_id, actor=self.dept_name(dept))
                dept = self._department_for(centre_level, tried)
                misrouted = False
                continue
            break
        slow = dept in plan.slow_depts
        speed = plan.dept_speed[dept]
        worker = f.prof.get((self.g, dept))
        actor = self.dept_name(dept)
        self.wait("dept_accept", speed * (8.0 if slow else 1.0))
        self.at("accept", "department", dept, worker, actor)
        self.handle_cycle(
            "department", dept, worker, "dept_handle", "dept_complete", speed * (3.0 if slow else 1.0), actor
        )
        self.department_id = dept
        self.handled_level = "department"
        self.verify_close(centre_level, centre_id, None, actor=centre_actor)

    def dept_name(self, dept: int) -> str:
        return self.f.world.departments[dept - 1]["name"]


# --- patrol check-ins --------------------------------------------------------------------------


def _checkins(world: World, plan: Plan, seed: int, end_us: int):
    """Check-ins for the last CHECKIN_DAYS days and today up to `end` (columns)."""
    rng, _ = _rngs(seed, 5)
    til, proj = world.tiling, world.tiling.projection
    n_grids = len(til.grids)
    # A pool of points per grid; routes walk between near neighbours at walking pace.
    pool_n = 48
    shapely.prepare(til.grids)
    pool = sample_points(rng, til.grids, np.repeat(np.arange(n_grids), pool_n)).reshape(n_grids, pool_n, 2)
    pool_km = proj.to_km(pool.reshape(-1, 2)).reshape(n_grids, pool_n, 2)
    dist = np.hypot(*(pool_km[:, :, None, :] - pool_km[:, None, :, :]).transpose(3, 0, 1, 2))
    nearest = np.argsort(dist, axis=2)[:, :, 1:7]
    grid_town = til.village_town[til.grid_village]
    end_day = int(_local_day(end_us))
    end_local_hour = ((end_us + LOCAL_OFFSET_US) % US_DAY) / US_HOUR
    last_day = end_day if end_local_hour >= 9 else end_day - 1
    # A few grids where nobody has checked in on the last day (and empty ones stay empty).
    silent = set(rng.choice(n_grids, size=max(1, round(0.03 * n_grids)), replace=False).tolist())
    rows = [r for r in world.workers["rows"] if r["role"] != "professional_worker"]
    ft_grids = {r["grid"] for r in rows if r["role"] == "full_time_worker" and r["left"] is None}
    cols = {k: [] for k in ("worker_id", "grid_id", "town_id", "at", "lon", "lat", "jitter")}
    templates: dict[int, list[tuple[float, float]]] = {}

    def walk(g: int, n_pts: int) -> list[tuple[float, float, float]]:
        """Points (lon, lat, km from previous) along a route inside grid g."""
        i = int(rng.integers(pool_n))
        out = [(pool[g, i, 0], pool[g, i, 1], 0.0)]
        for _ in range(n_pts - 1):
            j = int(nearest[g, i, rng.integers(6)])
            out.append((pool[g, j, 0], pool[g, j, 1], float(dist[g, i, j])))
            i = j
        return out

    def far_point(lon: float, lat: float) -> tuple[float, float, float]:
        """A GPS fix kilometres away from (lon, lat)."""
        d_km = rng.uniform(3, 10)
        ang = rng.uniform(0, 2 * np.pi)
        base = proj.to_km(np.array([[lon, lat]]))[0]
        far = proj.to_lonlat(np.array([[base[0] + d_km * np.cos(ang), base[1] + d_km * np.sin(ang)]]))[0]
        return round(float(far[0]), 6), round(float(far[1]), 6), d_km

    for r in rows:
        hired = (r["hired"] - dt.date(1970, 1, 1)).days
        left = (r["left"] - dt.date(1970, 1, 1)).days if r["left"] else 10**9
        ft = r["role"] == "full_time_worker"
        g = r["grid"]
        mode = plan.empty_patrol.get(r["id"])
        fake_share = rng.uniform(0.55, 0.85) if mode else 0.0
        for day in range(end_day - CHECKIN_DAYS, end_day + 1):
            if not hired <= day < left:
                continue
            weekday = (day + 3) % 7
            forced = day == last_day
            if forced:
                go = g not in silent and (ft or g not in ft_grids)
            elif ft:
                go = rng.random() < (0.93 if weekday < 5 else 0.25)
            else:
                go = rng.random() < (0.35 if weekday < 5 else 0.1)
            if not go:
                continue
            if ft:
                t = day * US_DAY - LOCAL_OFFSET_US + int(np.clip(rng.normal(8.08, 0.2), 7.1, 9.5) * US_HOUR)
                n_pts = int(rng.integers(4, 8))
            else:
                t = day * US_DAY - LOCAL_OFFSET_US + int(rng.uniform(8.0, 9.0 if forced else 16.0) * US_HOUR)
                n_pts = int(rng.integers(2, 5))
            pts = walk(g, n_pts)
            speed = rng.uniform(3.0, 5.0)
            jumps: set[int] = set()
            jitter = True  # real GPS fixes scatter by metres: no two walks are identical
            fake = mode is not None and rng.random() < fake_share
            if fake and (mode == "repeat" or (mode == "both" and rng.random() < 0.5)):
                if r["id"] not in templates:
                    templates[r["id"]] = [(p[0], p[1]) for p in walk(g, 5)]
                pts = [(lon, lat, 0.3) for lon, lat in templates[r["id"]]]
                jitter = False
            elif fake:
                jumps = set(rng.choice(np.arange(1, len(pts)), size=min(2, len(pts) - 1), replace=False).tolist())
            elif rng.random() < 0.012:  # an honest GPS glitch now and then
                jumps = {int(rng.integers(1, len(pts)))}
            prev = pts[0]
            for k, (lon, lat, d_km) in enumerate(pts):
                if k in jumps:
                    lon, lat, d_km = far_point(prev[0], prev[1])
                    t += int(d_km / rng.uniform(45, 120) * US_HOUR)
                elif k:
                    t += int((d_km / speed + rng.uniform(4, 20) / 60) * US_HOUR)
                if t > end_us:
                    break
                cols["worker_id"].append(r["id"])
                cols["grid_id"].append(g + 1)
                cols["town_id"].append(world.town_id(int(grid_town[g])))
                cols["at"].append(t)
                cols["lon"].append(float(lon))
                cols["lat"].append(float(lat))
                cols["jitter"].append(jitter and k not in jumps)
                prev = (lon, lat)
    lon, lat = np.array(cols.pop("lon")), np.array(cols.pop("lat"))
    moved = np.array(cols.pop("jitter"))
    grid_idx = np.array(cols["grid_id"]) - 1
    jlon = np.round(lon + rng.normal(0, 6e-5, len(lon)), 6)
    jlat = np.round(lat + rng.normal(0, 6e-5, len(lat)), 6)
    moved &= shapely.contains_xy(til.grids[grid_idx], jlon, jlat)
    cols["lon"], cols["lat"] = np.where(moved, jlon, lon).tolist(), np.where(moved, jlat, lat).tolist()
    at = np.array(cols["at"], dtype=np.int64)
    order = np.argsort(at, kind="stable")
    out = {k: [v[i] for i in order.tolist()] for k, v in cols.items()}
    out["id"] = list(range(1, len(at) + 1))
    out["at"] = at[order].view("datetime64[us]")
    out["checkin_date"] = _local_day(at[order]).astype("datetime64[D]")
    return out


# --- department ratings (街呼区应) -------------------------------------------------------------


def _ratings(world: World, plan: Plan, seed: int, stats: dict, start_us: int, end_us: int):
    """Each town rates each county department monthly; scores track the department's data."""
    rng, _ = _rngs(seed, 6)
    county = [d for d in world.departments if d["level"] == "county"]
    start_local = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=start_us + LOCAL_OFFSET_US)
    end_local = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=end_us + LOCAL_OFFSET_US)
    months = []
    y, m = start_local.year, start_local.month
    while (y, m) < (end_local.year, end_local.month):  # only months that are over
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    totals: dict[int, list] = {}
    for (d, _), s in stats.items():
        acc = totals.setdefault(d, [0, 0, 0.0, 0])
        for i in range(4):
            acc[i] += s[i]
    med_accept = np.median([s[2] / s[3] for s in totals.values() if s[3]]) if totals else 1.0

    def performance(s) -> float:
        if not s or not s[0]:
            return 0.75
        ret = s[1] / s[0]
        accept = (s[2] / s[3]) if s[3] else med_accept
        speed = np.clip(0.6 - math.log(max(accept, 1e-9) / med_accept) / math.log(8), 0, 1)
        return float(np.clip(0.7 * speed + 0.3 * (1 - 2.5 * ret), 0, 1))

    town_bias = rng.normal(0, 3, len(world.town_names))
    cols = {k: [] for k in ("id", "town_id", "department_id", "month", "score", "comment")}
    for y, m in months:
        for d in county:
            perf = 0.5 * performance(stats.get((d["id"], y * 100 + m))) + 0.5 * performance(totals.get(d["id"]))
            base = 50 + 45 * perf
            kind = plan.mismatch.get(d["id"])
            if kind == "praised":
                base = 93
            elif kind == "panned":
                base = 55
            for t in range(len(world.town_names)):
                score = float(np.clip(round(base + town_bias[t] + rng.normal(0, 3.5), 1), 0, 100))
                comment = (
                    "配合积极,响应迅速"
                    if score >= 90
                    else "配合较好"
                    if score >= 78
                    else "响应偏慢,需加强"
                    if score >= 62
                    else "推诿扯皮,多次催办未果"
                )
                cols["id"].append(len(cols["id"]) + 1)
                cols["town_id"].append(world.town_id(t))
                cols["department_id"].append(d["id"])
                cols["month"].append(np.datetime64(dt.date(y, m, 1), "D"))
                cols["score"].append(score)
                cols["comment"].append(comment)
    cols["month"] = np.array(cols["month"], dtype="datetime64[D]")
    return cols


# --- writing ---------------------------------------------------------------------------------


def _poly_columns(geoms, proj) -> dict:
    bounds = shapely.bounds(geoms)
    cent = shapely.get_coordinates(shapely.centroid(geoms))
    return {
        "boundary_wkt": shapely.to_wkt(geoms, rounding_precision=6, trim=True).tolist(),
        "centroid_lon": np.round(cent[:, 0], 6),
        "centroid_lat": np.round(cent[:, 1], 6),
        "min_lon": bounds[:, 0],
        "min_lat": bounds[:, 1],
        "max_lon": bounds[:, 2],
        "max_lat": bounds[:, 3],
        "area_km2": np.round(proj.area_km2(geoms), 6),
    }


def _write_static(writer: BulkWriter, world: World, factory: EventFactory) -> None:
    til = world.tiling
    proj = til.projection
    n_t, n_v = len(til.towns), len(til.villages)
    admin_geoms = np.concatenate([[til.county], til.towns, til.villages])
    vil_counter: dict[int, int] = {}
    codes, names, kinds, levels, parents = ["C01"], [world.shape.county_name], ["county"], ["county"], [None]
    for t in range(n_t):
        codes.append(f"T{t + 1:02d}")
        names.append(world.town_names[t])
        kinds.append("street" if world.town_is_street[t] else "town")
        levels.append("town")
        parents.append(1)
    for v in range(n_v):
        t = int(til.village_town[v])
        vil_counter[t] = vil_counter.get(t, 0) + 1
        codes.append(f"T{t + 1:02d}V{vil_counter[t]:02d}")
        names.append(world.village_names[v])
        kinds.append(world.shape.village_kind(bool(world.town_is_street[t])))
        levels.append("village")
        parents.append(world.town_id(t))
    writer.insert(
        schema.admin_units,
        {
            "id": list(range(1, len(codes) + 1)),
            "level": levels,
            "kind": kinds,
            "parent_id": parents,
            "code": codes,
            "name": names,
            **_poly_columns(admin_geoms, proj),
        },
    )
    vcode = codes[1 + n_t :]
    grid_codes, counters = [], {}
    for v in til.grid_village.tolist():
        counters[v] = counters.get(v, 0) + 1
        grid_codes.append(f"{vcode[v]}G{counters[v]:02d}")
    hh = np.bincount(til.micro_grid, weights=world.micro_households).astype(int)
    res = np.bincount(til.micro_grid, weights=world.micro_residents).astype(int)
    gv = til.grid_village
    writer.insert(
        schema.grids,
        {
            "id": list(range(1, len(gv) + 1)),
            "code": grid_codes,
            "name": world.grid_names,
            "village_id": [world.village_id(v) for v in gv.tolist()],
            "town_id": [world.town_id(int(til.village_town[v])) for v in gv.tolist()],
            "households": hh,
            "residents": res,
            **_poly_columns(til.grids, proj),
        },
    )
    if world.shape.micro_grids:
        _write_micro_grids(writer, world, factory, grid_codes)
    _write_people_and_catalogue(writer, world, factory)


def _write_micro_grids(writer: BulkWriter, world: World, factory: EventFactory, grid_codes: list[str]) -> None:
    til = world.tiling
    proj = til.projection
    m_codes, m_names, counters = [], [], {}
    for g in til.micro_grid.tolist():
        counters[g] = counters.get(g, 0) + 1
        m_codes.append(f"{grid_codes[g]}M{counters[g]}")
        m_names.append(f"{world.grid_names[g]}微网格{counters[g]}")
    writer.insert(
        schema.micro_grids,
        {
            "id": list(range(1, len(til.micro) + 1)),
            "code": m_codes,
            "name": m_names,
            "grid_id": (til.micro_grid + 1),
            "village_id": [world.village_id(v) for v in factory.micro_village.tolist()],
            "town_id": [world.town_id(t) for t in factory.micro_town.tolist()],
            "households": world.micro_households,
            "residents": world.micro_residents,
            **_poly_columns(til.micro, proj),
        },
    )


def _write_people_and_catalogue(writer: BulkWriter, world: World, factory: EventFactory) -> None:
    dep_cols = ("id", "code", "name", "name_en", "level", "town_id", "line_of_business")
    writer.insert(schema.departments, {c: [d[c] for d in world.departments] for c in dep_cols})
    rows = world.workers["rows"]
    writer.insert(
        schema.workers,
        {
            "id": [r["id"] for r in rows],
            "code": [r["code"] for r in rows],
            "name": [r["name"] for r in rows],
            "gender": ["M" if r["male"] else "F" for r in rows],
            "birth_date": np.array([r["birth"] for r in rows], dtype="datetime64[D]"),
            "education": [r["education"] for r in rows],
            "employment_type": [r["employment_type"] for r in rows],
            "role": [r["role"] for r in rows],
            "town_id": [world.town_id(r["town"]) for r in rows],
            "village_id": [world.village_id(r["village"]) for r in rows],
            "grid_id": [r["grid"] + 1 for r in rows],
            "micro_grid_id": [None if r["micro"] is None else r["micro"] + 1 for r in rows],
            "department_id": [r["dept"] for r in rows],
            "hired_on": np.array([r["hired"] for r in rows], dtype="datetime64[D]"),
            "left_on": np.array([r["left"] if r["left"] else "NaT" for r in rows], dtype="datetime64[D]"),
            "phone": [r["phone"] for r in rows],
        },
    )
    writer.insert(
        schema.event_categories,
        {
            "code": [c[0] for c in world.shape.categories],
            "name": [c[1] for c in world.shape.categories],
            "name_en": [c[2] for c in world.shape.categories],
            "sort_order": list(range(1, len(world.shape.categories) + 1)),
        },
    )
    items = factory.items
    writer.insert(
        schema.event_item_types,
        {
            "code": [i["code"] for i in items],
            "category_code": [i["category"] for i in items],
            "name": [i["name"] for i in items],
            "name_en": [i["name_en"] for i in items],
            "trivial": [i["trivial"] for i in items],
            "default_urgency": [i["urgency"] for i in items],
        },
    )


def _own_rules(conn, world: World) -> None:
    """Rule values that name this county's units: H district's one street that asks for 40."""
    if world.shape is hdistrict.H_DISTRICT:
        street = world.town_id(hdistrict.QUOTA_STREET)  # towns 0..n_streets-1 are the streets
        r = schema.assessment_rules.c
        conn.execute(
            schema.assessment_rules.update()
            .where(r.ruleset == "hdistrict", r.key == "street_quota_bonus_town_id")
            .values(value=float(street))
        )


def _refuse_if_not_empty(engine) -> None:
    with engine.connect() as conn:
        if schema.grids.name not in inspect(conn).get_table_names():
            return
        if conn.execute(select(literal(1)).select_from(schema.grids).limit(1)).first():
            raise StoreNotEmptyError(
                f"{describe_url(str(engine.url))} already holds data (it has grids); nothing was changed. "
                "Use --replace to drop and rebuild it."
            )


def generate(
    url: str,
    profile: str = "county",
    seed: int = 7,
    months: int | None = None,
    events: int | None = None,
    end: dt.datetime | str | None = None,
    progress: bool = True,
    replace: bool = False,
) -> dict:
    """Build the sample county into the store at `url`; returns counts per table and timings."""
    began = time.perf_counter()
    prof = PROFILES[profile]
    months = prof.months if months is None else int(months)
    if months < 1:
        raise ValueError("months must be at least 1")
    n_events = prof.events_per_month * months if events is None else int(events)
    end = default_end() if end is None else (parse_end(end) if isinstance(end, str) else end)
    if end.tzinfo is None:
        end = end.replace(tzinfo=LOCAL_TZ)
    end_local = end.astimezone(LOCAL_TZ)
    start_local = _months_back(end_local, months)
    end_us, start_us = _us(end), _us(start_local)

    engine = create_store_engine(url, writable=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _fast_build(dbapi_conn, _record):  # noqa: ANN001 - DBAPI hook
            # A bigger (but bounded: 256 MB) page cache for loading and the final index builds.
            dbapi_conn.execute("PRAGMA cache_size=-262144")

    try:
        if replace:
            schema.metadata.drop_all(engine)
        else:
            _refuse_if_not_empty(engine)
        schema.metadata.create_all(engine)

        rules = {r["key"]: r["value"] for r in default_rule_rows() if r["ruleset"] == "common"}
        deadlines = {u: rules[f"deadline_hours_{u}"] for u in schema.URGENCIES}
        world = _build_world(prof, seed)
        _build_workers(world, prof, seed, start_local.date(), end_local.date())
        plan = _plan(world, prof, seed, start_local.date())
        factory = EventFactory(world, plan, seed, start_us, end_us, n_events, deadlines, rules["verify_within_hours"])
        counts: dict[str, int] = {}
        # Indexes of the big tables are built once after loading: far faster than maintaining
        # them row by row (a build that fails half-way needs --replace anyway).
        deferred = [ix for table in BULK_TABLES for ix in sorted(table.indexes, key=lambda ix: ix.name)]
        with engine.begin() as conn:
            for index in deferred:
                index.drop(conn)
            _write_static(BulkWriter(conn), world, factory)
            levels_mod.write(conn, prof.shape.levels)
            seed_default_rules(conn)
            _own_rules(conn, world)
        bar = tqdm(total=n_events, unit="ev", desc="events", disable=not progress)
        for ev_cols, st_cols in factory.batches():
            with engine.begin() as conn:
                writer = BulkWriter(conn)
                writer.insert(schema.events, ev_cols)
                writer.insert(schema.event_steps, st_cols)
            bar.update(len(ev_cols["id"]))
        bar.close()
        seed_demo_users(engine)  # the README's demo accounts (sample stores only)
        with engine.begin() as conn:
            writer = BulkWriter(conn)
            writer.insert(schema.patrol_checkins, _checkins(world, plan, seed, end_us))
            writer.insert(schema.department_ratings, _ratings(world, plan, seed, factory.dept_stats, start_us, end_us))
            writer.insert(
                schema.planted_patterns,
                {
                    "id": list(range(1, len(world.planted) + 1)),
                    "pattern": [p[0] for p in world.planted],
                    "subject_type": [p[1] for p in world.planted],
                    "subject_id": [p[2] for p in world.planted],
                    "detail": [p[3] for p in world.planted],
                },
            )
            meta = {
                "schema_version": str(schema.SCHEMA_VERSION),
                "profile": profile,
                "seed": str(seed),
                "months": str(months),
                "events": str(n_events),
                "end": end.astimezone(dt.UTC).isoformat(),
                "timezone": "Asia/Shanghai",
                "ruleset": prof.shape.ruleset,
            }
            writer.insert(schema.store_meta, {"key": list(meta), "value": list(meta.values())})
            for index in deferred:
                index.create(conn)
            reset_id_sequences(conn, list(schema.metadata.sorted_tables))
            rollups.rebuild(conn)  # the derived tables pages read (data_access/rollups)
            for table in schema.metadata.sorted_tables:
                counts[table.name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
    finally:
        engine.dispose()  # checkpoints SQLite's WAL into the main file
    active = [r for r in world.workers["rows"] if r["left"] is None]
    return {
        "tables": counts,
        "active_workers": len(active),
        "full_time": sum(r["employment_type"] == "full_time" for r in active),
        "seconds": round(time.perf_counter() - began, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_data.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db", default=None, help="SQLAlchemy URL of the store (default: GRID_DB_URL or the built-in SQLite file)"
    )
    parser.add_argument("--profile", choices=sorted(PROFILES), default="county")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--months", type=int, default=None, help="length of the period (default: the profile's)")
    parser.add_argument(
        "--events", type=int, default=None, help="total number of events (default: about 6,000 a month)"
    )
    parser.add_argument(
        "--end", default=None, help="end of the period, ISO date-time (default: this hour, Asia/Shanghai)"
    )
    parser.add_argument("--replace", action="store_true", help="drop and rebuild a store that already holds data")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    url = args.db or resolve_db_url()
    try:
        summary = generate(
            url,
            profile=args.profile,
            seed=args.seed,
            months=args.months,
            events=args.events,
            end=args.end,
            progress=not args.quiet,
            replace=args.replace,
        )
    except StoreNotEmptyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Built the '{args.profile}' sample county in {describe_url(url)} in {summary['seconds']} s")
    for name, n in summary["tables"].items():
        print(f"  {name:<20} {n:>10,}")
    print(f"  active workers {summary['active_workers']:,}, of whom full-time {summary['full_time']:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
