"""Patrol tracks as geometry: metres on a local plane, resampling by path length, and a distance
between two tracks that tolerates GPS noise (dynamic time warping, DTW).

Pure numpy on a few hundred points at a time: the integrity detectors load only the check-ins of
candidate worker-days (see integrity.empty_patrol_features) and compare them here.

- `to_metres(lon, lat, lon0, lat0)`: equirectangular projection around (lon0, lat0), the same
  approximation the SQL uses (dx = Δlon·cos(lat0)·111,320 m, dy = Δlat·110,574 m).
- `resample(xy, k)`: k points evenly spaced along the track's path (a track of one point, or one
  that never moves, gives k copies of its first point). Two walks of one route with fixes taken at
  different moments resample to nearly the same points; a replay with a few metres of noise does too.
- `dtw_mean(a, b)`: the DTW cost (sum of point distances along the best monotone alignment) divided
  by the tracks' mean length: the typical distance, in metres, between matched points. GPS jitter of
  σ metres adds about σ·√π/2·√2 ≈ 1.25·σ to it; two different walks in one grid give hundreds of metres.
- `gyration_radius(xy)`: √(mean squared distance from the centroid), in metres.
"""

from __future__ import annotations

import math

import numpy as np

M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON_EQUATOR = 111_320.0


def to_metres(lon, lat, lon0: float, lat0: float) -> np.ndarray:
    """An (n, 2) array of metres east and north of (lon0, lat0)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    x = (lon - lon0) * math.cos(math.radians(lat0)) * M_PER_DEG_LON_EQUATOR
    y = (lat - lat0) * M_PER_DEG_LAT
    return np.column_stack([x, y])


def resample(xy: np.ndarray, k: int) -> np.ndarray:
    """`k` points evenly spaced by path length along the polyline `xy` ((n, 2), n ≥ 1)."""
    xy = np.asarray(xy, dtype=float)
    if len(xy) == 0:
        raise ValueError("A track needs at least one point")
    k = max(int(k), 2)
    steps = np.hypot(*np.diff(xy, axis=0).T) if len(xy) > 1 else np.zeros(0)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    if along[-1] <= 0:
        return np.repeat(xy[:1], k, axis=0)
    at = np.linspace(0.0, along[-1], k)
    return np.column_stack([np.interp(at, along, xy[:, 0]), np.interp(at, along, xy[:, 1])])


def dtw_mean(a: np.ndarray, b: np.ndarray) -> float:
    """DTW cost of tracks `a` and `b` (sum of matched-point distances along the best monotone
    alignment) divided by (len(a) + len(b)) / 2: for two tracks of k points aligned point by point,
    the mean distance between matched points, in metres."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    n, m = len(a), len(b)
    if n == 0 or m == 0:
        raise ValueError("Both tracks need at least one point")
    d = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1]).tolist()
    inf = math.inf
    prev = [0.0] + [inf] * m
    for i in range(n):
        row = [inf] * (m + 1)
        di = d[i]
        for j in range(1, m + 1):
            row[j] = di[j - 1] + min(prev[j - 1], prev[j], row[j - 1])
        prev = row
    return float(prev[m] / ((n + m) / 2.0))


def gyration_radius(xy: np.ndarray) -> float:
    xy = np.asarray(xy, dtype=float)
    if len(xy) == 0:
        raise ValueError("A track needs at least one point")
    centre = xy.mean(axis=0)
    return float(np.sqrt(((xy - centre) ** 2).sum(axis=1).mean()))


def dtw_mean_batch(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`dtw_mean` of many pairs at once: a and b are (P, k, 2) arrays of tracks resampled to k points."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 3:
        raise ValueError("Both batches need the same (pairs, points, 2) shape")
    pairs, k = a.shape[0], a.shape[1]
    d = np.hypot(a[:, :, None, 0] - b[:, None, :, 0], a[:, :, None, 1] - b[:, None, :, 1])  # (P, k, k)
    prev = np.full((pairs, k + 1), np.inf)
    prev[:, 0] = 0.0
    for i in range(k):
        row = np.full((pairs, k + 1), np.inf)
        for j in range(1, k + 1):
            row[:, j] = d[:, i, j - 1] + np.minimum(np.minimum(prev[:, j - 1], prev[:, j]), row[:, j - 1])
        prev = row
    return prev[:, k] / float(k)
