"""Patrol check-ins: GPS fixes along walked routes, with the planted empty patrols and noisy GPS.

Honest routes walk between near neighbours of a pool of points per grid at walking pace, and every
fix scatters by a few metres (GPS error). Planted workers (plan.workers, families.py) write:
- jump_repeat (legacy): fixes kilometres away reached faster than 30 km/h, or one track uploaded
  byte-identical day after day;
- replay: the worker's first walked route replayed on later days with metres of noise;
- stationary: on the planned days every fix stays within a small radius of one spot;
- partial: real walks among only the few pool points nearest one spot;
- noisy (control): real walks, fixes scattered by tens of metres;
- a spec with a `track` callable (the held-out family) builds its own fake days.
"""

import datetime as dt
import math

import numpy as np
import shapely

from sample_data.generate.planting import Plan
from sample_data.generate.profiles import CHECKIN_DAYS, LOCAL_OFFSET_US, US_DAY, US_HOUR, _local_day, _rngs
from sample_data.generate.world import World
from sample_data.geometry import sample_points

POOL_N = 48
JITTER_DEG = 6e-5  # honest GPS scatter, about 6 m
M_PER_DEG = 111_200.0


class Patrols:
    """Builds the check-in columns worker by worker (one seeded generator, stream 5)."""

    def __init__(self, world: World, plan: Plan, seed: int, end_us: int):
        self.rng, _ = _rngs(seed, 5)
        self.world, self.plan, self.end_us = world, plan, end_us
        til, proj = world.tiling, world.tiling.projection
        self.proj = proj
        n_grids = len(til.grids)
        shapely.prepare(til.grids)
        pool = sample_points(self.rng, til.grids, np.repeat(np.arange(n_grids), POOL_N)).reshape(n_grids, POOL_N, 2)
        pool_km = proj.to_km(pool.reshape(-1, 2)).reshape(n_grids, POOL_N, 2)
        self.pool = pool
        self.dist = np.hypot(*(pool_km[:, :, None, :] - pool_km[:, None, :, :]).transpose(3, 0, 1, 2))
        self.nearest = np.argsort(self.dist, axis=2)[:, :, 1:7]
        self.grid_town = til.village_town[til.grid_village]
        self.end_day = int(_local_day(end_us))
        end_local_hour = ((end_us + LOCAL_OFFSET_US) % US_DAY) / US_HOUR
        self.last_day = self.end_day if end_local_hour >= 9 else self.end_day - 1
        # A few grids where nobody has checked in on the last day (and empty ones stay empty).
        self.silent = set(self.rng.choice(n_grids, size=max(1, round(0.03 * n_grids)), replace=False).tolist())
        self.cols = {k: [] for k in ("worker_id", "grid_id", "town_id", "at", "lon", "lat", "sigma")}
        self.templates: dict[int, list[tuple[float, float, float]]] = {}
        self.corner: dict[int, np.ndarray] = {}
        # Honest workers' walked routes per grid, (worker, day, points): what a held-out fake may borrow.
        self.recorded: dict[int, list[tuple[int, int, list]]] = {}

    # routes
    def walk(self, g: int, n_pts: int, among: np.ndarray | None = None) -> list[tuple[float, float, float]]:
        """Points (lon, lat, km from previous) along a route inside grid g (only `among` pool points)."""
        rng, pool, dist = self.rng, self.pool, self.dist
        i = int(rng.integers(POOL_N)) if among is None else int(rng.choice(among))
        out = [(pool[g, i, 0], pool[g, i, 1], 0.0)]
        for _ in range(n_pts - 1):
            if among is None:
                j = int(self.nearest[g, i, rng.integers(6)])
            else:
                j = int(rng.choice(among[among != i]))
            out.append((pool[g, j, 0], pool[g, j, 1], float(dist[g, i, j])))
            i = j
        return out

    def far_point(self, lon: float, lat: float) -> tuple[float, float, float]:
        """A GPS fix kilometres away from (lon, lat)."""
        rng, proj = self.rng, self.proj
        d_km = rng.uniform(3, 10)
        ang = rng.uniform(0, 2 * np.pi)
        base = proj.to_km(np.array([[lon, lat]]))[0]
        far = proj.to_lonlat(np.array([[base[0] + d_km * np.cos(ang), base[1] + d_km * np.sin(ang)]]))[0]
        return round(float(far[0]), 6), round(float(far[1]), 6), d_km

    def noisy_copy(self, pts: list, metres: float) -> list[tuple[float, float, float]]:
        """`pts` with every fix moved by Gaussian noise of `metres` (never exactly the same point)."""
        out = []
        for lon, lat, d_km in pts:
            dx, dy = self.rng.normal(0, metres, 2)
            nlon = round(lon + dx / (M_PER_DEG * math.cos(math.radians(lat))), 6)
            nlat = round(lat + dy / M_PER_DEG, 6)
            if (nlon, nlat) == (round(lon, 6), round(lat, 6)):
                nlon = round(nlon + 1e-6, 6)
            out.append((nlon, nlat, d_km))
        return out

    def around(self, lon: float, lat: float, radius_m: float, n_pts: int) -> list[tuple[float, float, float]]:
        """n_pts fixes uniformly within radius_m of (lon, lat): GPS noise of a worker standing still."""
        out = []
        for _ in range(n_pts):
            r, a = radius_m * math.sqrt(self.rng.random()), self.rng.uniform(0, 2 * math.pi)
            out.append(
                (
                    round(lon + r * math.cos(a) / (M_PER_DEG * math.cos(math.radians(lat))), 6),
                    round(lat + r * math.sin(a) / M_PER_DEG, 6),
                    0.0,
                )
            )
        return out

    # days
    def run(self) -> dict:
        rows = [r for r in self.world.workers["rows"] if r["role"] != "professional_worker"]
        self.ft_grids = {r["grid"] for r in rows if r["role"] == "full_time_worker" and r["left"] is None}
        borrowing = [r for r in rows if "track" in self.plan.workers.get(r["id"], {})]
        for r in [r for r in rows if "track" not in self.plan.workers.get(r["id"], {})] + borrowing:
            self.worker(r)
        return self.columns()

    def worker(self, r: dict) -> None:
        hired = (r["hired"] - dt.date(1970, 1, 1)).days
        left = (r["left"] - dt.date(1970, 1, 1)).days if r["left"] else 10**9
        spec = self.plan.workers.get(r["id"], {})
        fixed_days = set(spec.get("days", ()))
        for day in range(self.end_day - CHECKIN_DAYS, self.end_day + 1):
            if hired <= day < left and (day in fixed_days or self.goes(r, day)):
                self.day(r, spec, day, day in fixed_days)

    def goes(self, r: dict, day: int) -> bool:
        ft, g = r["role"] == "full_time_worker", r["grid"]
        weekday = (day + 3) % 7
        if day == self.last_day:
            return g not in self.silent and (ft or g not in self.ft_grids)
        if ft:
            return self.rng.random() < (0.93 if weekday < 5 else 0.25)
        return self.rng.random() < (0.35 if weekday < 5 else 0.1)

    def day(self, r: dict, spec: dict, day: int, fixed: bool) -> None:
        rng, g = self.rng, r["grid"]
        t = day * US_DAY - LOCAL_OFFSET_US
        if r["role"] == "full_time_worker":
            t += int(np.clip(rng.normal(8.08, 0.2), 7.1, 9.5) * US_HOUR)
            n_pts = int(rng.integers(4, 8))
        else:
            t += int(rng.uniform(8.0, 9.0 if day == self.last_day else 16.0) * US_HOUR)
            n_pts = int(rng.integers(2, 5))
        pts, sigma, jumps = self.route(r, spec, day, n_pts, fixed)
        if not spec:
            self.recorded.setdefault(g, []).append((r["id"], day, pts))
        self.write(r, t, pts, sigma, jumps)

    def route(self, r: dict, spec: dict, day: int, n_pts: int, fixed: bool) -> tuple[list, float, set]:
        """(points, GPS scatter in degrees, indexes of far jumps) of one day's check-ins."""
        rng, g, mode = self.rng, r["grid"], spec.get("mode")
        if mode == "stationary" and fixed:
            return self.around(*spec["anchor"], spec["radius_m"], n_pts), 0.0, set()
        if mode == "partial":
            if r["id"] not in self.corner:
                i0 = int(rng.integers(POOL_N))
                self.corner[r["id"]] = np.argsort(self.dist[g, i0])[: spec["points"]]
            return self.walk(g, n_pts, self.corner[r["id"]]), JITTER_DEG, set()
        pts = self.walk(g, n_pts)
        sigma = spec["sigma_m"] / M_PER_DEG if spec.get("mech") == "noisy" else JITTER_DEG
        fake = mode in ("jump", "repeat", "both", "replay") and rng.random() < spec["share"]
        if "track" in spec and rng.random() < spec["share"]:
            return spec["track"](self, r, day, n_pts) or pts, 0.0, set()
        if mode == "replay":
            if r["id"] not in self.templates:  # the first patrol is real; later fake days replay it
                self.templates[r["id"]] = pts
                return pts, sigma, set()
            if fake:
                return self.noisy_copy(self.templates[r["id"]], spec["noise_m"]), 0.0, set()
            return pts, sigma, set()
        if fake and (mode == "repeat" or (mode == "both" and rng.random() < 0.5)):
            if r["id"] not in self.templates:
                self.templates[r["id"]] = [(p[0], p[1], 0.3) for p in self.walk(g, 5)]
            return self.templates[r["id"]], 0.0, set()
        if fake:
            return (
                pts,
                sigma,
                set(rng.choice(np.arange(1, len(pts)), size=min(2, len(pts) - 1), replace=False).tolist()),
            )
        if rng.random() < 0.012:  # an honest GPS glitch now and then
            return pts, sigma, {int(rng.integers(1, len(pts)))}
        return pts, sigma, set()

    def write(self, r: dict, t: int, pts: list, sigma: float, jumps: set) -> None:
        rng, cols, g = self.rng, self.cols, r["grid"]
        speed = rng.uniform(3.0, 5.0)
        prev = pts[0]
        for k, (lon, lat, d_km) in enumerate(pts):
            if k in jumps:
                lon, lat, d_km = self.far_point(prev[0], prev[1])
                t += int(d_km / rng.uniform(45, 120) * US_HOUR)
            elif k:
                t += int((d_km / speed + rng.uniform(4, 20) / 60) * US_HOUR)
            if t > self.end_us:
                break
            cols["worker_id"].append(r["id"])
            cols["grid_id"].append(g + 1)
            cols["town_id"].append(self.world.town_id(int(self.grid_town[g])))
            cols["at"].append(t)
            cols["lon"].append(float(lon))
            cols["lat"].append(float(lat))
            cols["sigma"].append(0.0 if k in jumps else sigma)
            prev = (lon, lat)

    def columns(self) -> dict:
        """The columns, each fix scattered by its GPS error (kept only inside the grid), in time order."""
        rng, cols = self.rng, self.cols
        lon, lat = np.array(cols.pop("lon")), np.array(cols.pop("lat"))
        sigma = np.array(cols.pop("sigma"))
        grid_idx = np.array(cols["grid_id"]) - 1
        jlon = np.round(lon + rng.standard_normal(len(lon)) * sigma, 6)
        jlat = np.round(lat + rng.standard_normal(len(lat)) * sigma, 6)
        moved = (sigma > 0) & shapely.contains_xy(self.world.tiling.grids[grid_idx], jlon, jlat)
        cols["lon"], cols["lat"] = np.where(moved, jlon, lon).tolist(), np.where(moved, jlat, lat).tolist()
        at = np.array(cols["at"], dtype=np.int64)
        order = np.argsort(at, kind="stable")
        out = {k: [v[i] for i in order.tolist()] for k, v in cols.items()}
        out["id"] = list(range(1, len(at) + 1))
        out["at"] = at[order].view("datetime64[us]")
        out["checkin_date"] = _local_day(at[order]).astype("datetime64[D]")
        return out


def _checkins(world: World, plan: Plan, seed: int, end_us: int) -> dict:
    """Check-ins for the last CHECKIN_DAYS days and today up to `end` (columns)."""
    return Patrols(world, plan, seed, end_us).run()
