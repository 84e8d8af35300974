"""Planting: which workers, villages and departments carry a failure mode, and how."""

import datetime as dt
from dataclasses import dataclass

import numpy as np

from sample_data.generate.profiles import Profile, _rngs
from sample_data.generate.world import World
from sample_data.shapes import Shape


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
