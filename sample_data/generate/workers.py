"""Workers: exact counts and shares by role, age and education, leavers and their replacements."""

import datetime as dt
import random

import numpy as np

from sample_data import catalogue as cat
from sample_data.generate.profiles import Profile, _rngs
from sample_data.generate.world import World, _person_name


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
    _identify(all_rows, rnd, grid_town, til.grid_village)
    world.workers = {"rows": all_rows, "n_active": n}


def _identify(all_rows: list[dict], rnd: random.Random, grid_town: np.ndarray, grid_village: np.ndarray) -> None:
    """Ids, codes, names, unique phone numbers and home town/village of every worker row."""
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
        r["village"] = int(grid_village[r["grid"]])
