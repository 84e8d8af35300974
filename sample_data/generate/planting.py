"""Planting: which workers, villages and departments carry a failure mode, and how."""

import datetime as dt
from dataclasses import dataclass

import numpy as np

from sample_data.generate import families as fam
from sample_data.generate.profiles import CHECKIN_DAYS, Profile, _rngs
from sample_data.generate.world import World
from sample_data.geometry import sample_points
from sample_data.shapes import Shape


@dataclass
class Plan:
    workers: dict[int, dict]  # planted worker id -> family spec (sample_data/generate/families.py)
    filtering_villages: set[int]  # village indexes
    slow_depts: set[int]
    returning_depts: set[int]
    mismatch: dict[int, str]  # department id -> 'praised' | 'panned'
    village_escalation: np.ndarray
    town_speed: np.ndarray
    dept_speed: dict[int, float]
    # The as-practised quota for this county (set by the events factory from the county's own
    # volume, written into the store's rules): events a month per full-time worker, street add-on.
    quota: float = 0.0
    street_bonus: float = 0.0

    def specs(self, mech: str) -> dict[int, dict]:
        return {w: s for w, s in self.workers.items() if s["mech"] == mech}


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


def _plan(
    world: World, profile: Profile, seed: int, period_start: dt.date, end_day: int, held_out: bool = False
) -> Plan:
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
    # The draws of the single-recipe plan, kept so this seed's departments stay the ones planted
    # before the families (they come from the same stream, after these).
    n_pad, n_dup, n_empty = (max(1, round(s * n_ft)) for s in (0.03, 0.02, 0.03))
    rng.choice(candidates, size=n_pad + n_dup + n_empty, replace=False)
    rng.uniform(size=n_pad + n_dup)
    allowed = world.shape.padding_categories
    trivial_items = [
        (c, i)
        for c, items in world.shape.items.items()
        for i, it in enumerate(items)
        if it[2] and (allowed is None or c in allowed)
    ]
    workers = _plan_workers(world, profile, seed, candidates, trivial_items, end_day, held_out)

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

    for wid, s in workers.items():
        world.planted.append((s.get("pattern", s["signal"]), "worker", wid, s["detail"], s["kind"], s["family"]))
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
    return Plan(workers, filtering, slow, returning, mismatch, village_esc, town_speed, dept_speed)


def _plan_workers(
    world: World, profile: Profile, seed: int, candidates: list[int], trivial: list, end_day: int, held_out: bool
) -> dict[int, dict]:
    """Planted full-time workers and their family specs: each signal's families in turn (its legacy
    recipe first), the held-out families when asked, quota-pressure padders, then the controls."""
    rng, rnd = _rngs(seed, 7)
    til, rows = world.tiling, world.workers["rows"]
    n_ft = profile.full_time
    pool = [int(w) for w in rng.permutation(candidates)]
    grid_res = np.bincount(til.micro_grid, weights=world.micro_residents, minlength=len(til.grids))
    median_res = float(np.median([grid_res[rows[w - 1]["grid"]] for w in pool])) if pool else 0.0
    workers: dict[int, dict] = {}

    def assign(spec: dict, below: float | None = None) -> int | None:
        """Give `spec` to the next worker of the pool (whose grid has at most `below` x the median residents)."""
        for k, w in enumerate(pool):
            if below is None or grid_res[rows[w - 1]["grid"]] <= below * median_res:
                workers[pool.pop(k)] = spec
                return w
        return None

    builders = {
        "padding": (fam.PADDING_FAMILIES, lambda f: fam.padding(f, rng, rnd, trivial)),
        "near_duplicates": (fam.DUPLICATE_FAMILIES, lambda f: fam.near_duplicates(f, rng, rnd, trivial)),
        "empty_patrol": (fam.EMPTY_FAMILIES, lambda f: fam.empty_patrol(f, rng, rnd, trivial)),
    }
    for signal, (families, build) in builders.items():
        order = [families[0], *rnd.sample(families[1:], len(families) - 1)]
        for k in range(max(1, round(fam.SIGNAL_SHARES[signal] * n_ft))):
            w = assign(build(order[k % len(order)]))
            if w is not None and workers[w].get("mode") == "stationary":
                _stationary_days(workers[w], world, rng, rows[w - 1]["grid"], end_day)
    if held_out:
        from sample_data.generate import held_out as held_out_mod

        for spec in held_out_mod.specs(seed, world, profile, trivial):
            assign(spec)
    for _ in range(round(fam.QUOTA_PRESSURE_SHARE * n_ft)):
        assign(fam.quota_pressure(rng, rnd, trivial))
    recurring = _recurring_item(world, trivial, rnd)
    for _ in range(max(1, round(fam.CONTROL_SHARE * n_ft))):
        for kind in fam.CONTROL_KINDS:
            assign(fam.control(kind, rng, rnd, trivial, recurring), below=1.0 if kind == "busy" else None)
    return workers


def _stationary_days(spec: dict, world: World, rng: np.random.Generator, g: int, end_day: int) -> None:
    """The working days (local day numbers) of the check-in window a stationary walker fakes, and
    the one spot every fix of those days stays near."""
    days = range(end_day - CHECKIN_DAYS, end_day + 1)
    spec["days"] = sorted(d for d in days if (d + 3) % 7 < 5 and rng.random() < spec["share"])
    spec["anchor"] = tuple(float(x) for x in sample_points(rng, world.tiling.grids, np.array([g]))[0])


def _recurring_item(world: World, trivial: list, rnd) -> tuple[str, int]:
    """The recurring controls' item: street vending (a market stall) where the catalogue has it."""
    stalls = [(c, i) for c, i in trivial if world.shape.items[c][i][0].startswith("占道经营")]
    return stalls[0] if stalls else rnd.choice(trivial)
