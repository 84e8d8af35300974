"""Held-out families: one extra variation per worker signal, planted ONLY when asked.

    generate(url, ..., held_out=True)      python -m sample_data.generate ... --held-out

Kept out of detector development (docs/INTEGRITY.md, "Held-out family"): whoever writes or tunes
the integrity signals does not read this module; a final test scores the signals on a county built
with these families and reports the result as it falls. Recorded in planted_patterns with pattern
= the signal, kind 'gaming', family 'held_out.<signal>'.

- padding: made-up trivial reports in the lunch break, of the items the worker's neighbours
  ordinarily report (the catalogue's honest mix of trivial items, not a few favourites), closed
  by the worker some tens of minutes later;
- near_duplicates: the re-entry is filed from the centroid of a neighbouring micro-grid of the
  same grid (the app's default position when the worker picks the micro-grid from a list instead
  of using GPS), often as another trivial item of the category, hours to days later;
- empty_patrol: on fake days the worker uploads a route another worker of the same grid walked
  on another day, shifted to their own morning, with metres of noise.
"""

from __future__ import annotations

import numpy as np
import shapely

from sample_data.generate.profiles import Profile, _rngs

SHARE = 0.01  # of full-time workers per held-out family (at least one)


def specs(seed: int, world, profile: Profile, trivial: list) -> list[dict]:
    """The held-out specs, drawn from their own stream (the other families' draws do not move)."""
    rng, rnd = _rngs(seed, 8)
    n = max(1, round(SHARE * profile.full_time))
    out: list[dict] = []
    weights = [world.shape.items[c][i][6] for c, i in trivial]
    for _ in range(n):
        picks = sorted(set(int(k) for k in rng.choice(len(trivial), size=8, p=np.array(weights) / sum(weights))))
        lo = float(rng.uniform(15, 45))
        delay = (lo, lo + float(rng.uniform(10, 30)))
        start = float(rng.uniform(11.6, 12.2))
        out.append(
            {
                "signal": "padding",
                "family": "held_out.padding",
                "kind": "gaming",
                "mech": "pad",
                "items": [trivial[k] for k in picks],
                "item_weights": [weights[k] for k in picks],
                "mult": float(rng.uniform(1.5, 3.5)),
                "windows": [(start, start + float(rng.uniform(0.8, 1.5)))],
                "burst_share": 1.0,
                "month_end_days": 0,
                "cluster": (1, 4),
                "delay": delay,
                "detail": "held-out padding: lunch-time trivial reports of the neighbours' ordinary item mix",
            }
        )
    for _ in range(n):
        out.append(
            {
                "signal": "near_duplicates",
                "family": "held_out.near_duplicates",
                "kind": "gaming",
                "mech": "dup",
                "items": rnd.sample(trivial, 4),
                "mult": float(rng.uniform(0.7, 1.0)),
                "metres": (0.0, 0.0),
                "hours": (2.0, float(rng.uniform(30, 72))),
                "reword": True,
                "sibling_p": float(rng.uniform(0.3, 0.8)),
                "relocate": neighbour_centroid,
                "detail": "held-out near-duplicates: re-entries filed from a neighbouring micro-grid's centroid",
            }
        )
    for _ in range(n):
        out.append(
            {
                "signal": "empty_patrol",
                "family": "held_out.empty_patrol",
                "kind": "gaming",
                "mech": "checkin",
                "mode": "borrowed",
                "share": float(rng.uniform(0.5, 0.8)),
                "noise_m": float(rng.uniform(3, 10)),
                "track": borrowed_track,
                "detail": "held-out empty patrol: another worker's walked route uploaded as one's own, with noise",
            }
        )
    return out


def neighbour_centroid(factory, m: int, point: tuple[float, float], rng) -> tuple[int, float, float]:
    """(micro-grid, lon, lat) of the re-entry: the centroid of the nearest other micro-grid of the
    grid (without micro-grids, or with only one: the grid's own centroid)."""
    til = factory.world.tiling
    g = int(factory.micro_grid[m])
    micro = np.flatnonzero(factory.micro_grid == g)
    others = micro[micro != m]
    if not factory.has_micro or not len(others):
        c = shapely.get_coordinates(shapely.point_on_surface(til.grids[g]))[0]
        return m, round(float(c[0]), 6), round(float(c[1]), 6)
    cent = shapely.get_coordinates(shapely.centroid(til.micro[others]))
    k = int(np.argmin(np.hypot(cent[:, 0] - point[0], cent[:, 1] - point[1])))
    c = shapely.get_coordinates(shapely.point_on_surface(til.micro[others[k]]))[0]
    return int(others[k]), round(float(c[0]), 6), round(float(c[1]), 6)


def borrowed_track(patrols, r: dict, day: int, n_pts: int) -> list | None:
    """A route another worker of the grid walked on another day, with metres of noise (None when
    the grid has none recorded: the day is then walked for real)."""
    spec = patrols.plan.workers[r["id"]]
    routes = [p for w, d, p in patrols.recorded.get(r["grid"], []) if w != r["id"] and d != day and len(p) >= 3]
    if not routes:
        return None
    route = routes[int(patrols.rng.integers(len(routes)))]
    return patrols.noisy_copy(route, spec["noise_m"])
