"""Patrol check-ins: GPS fixes along walked routes, with the planted empty patrols."""

import datetime as dt

import numpy as np
import shapely

from sample_data.generate.planting import Plan
from sample_data.generate.profiles import CHECKIN_DAYS, LOCAL_OFFSET_US, US_DAY, US_HOUR, _local_day, _rngs
from sample_data.generate.world import World
from sample_data.geometry import sample_points


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
