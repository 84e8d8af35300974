"""The pieces the integrity detectors are built from: peer groups and their z-scores, description
similarity, and the track geometry (resampling, DTW) that must tell a replay from GPS jitter."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest

from data_access import integrity, tracks


def test_robust_z_is_median_and_mad_within_each_group():
    values = pd.Series([1.0, 2.0, 3.0, 4.0, 100.0, 10.0, 10.0, 10.0, 12.0])
    groups = pd.Series(["a"] * 5 + ["b"] * 4)
    z = integrity.robust_z(values, groups)
    # group a: median 3, MAD 1 -> scale 1.4826
    assert z.iloc[4] == pytest.approx((100 - 3) / 1.4826)
    assert z.iloc[0] == pytest.approx(-2 / 1.4826)
    # group b: median 10, MAD 0 -> mean absolute deviation 0.5 × 1.2533
    assert z.iloc[8] == pytest.approx(2 / (0.5 * 1.2533))
    flat = integrity.robust_z(pd.Series([5.0, 5.0, 5.0]), pd.Series(["c"] * 3))
    assert flat.isna().all()  # no spread at all: not computable


def test_binomial_z_uses_the_groups_pooled_rate():
    k = pd.Series([1, 1, 1, 9, 0])
    n = pd.Series([10, 10, 10, 10, 0])
    z = integrity.binomial_z(k, n, pd.Series(["g"] * 5))
    p = 12 / 40
    assert z.iloc[3] == pytest.approx((9 - p * 10) / math.sqrt(10 * p * (1 - p)))
    assert math.isnan(z.iloc[4])


def test_small_peer_groups_fall_back_to_the_role_then_the_county():
    peers = pd.DataFrame(
        {
            "role": ["full_time_worker"] * 5 + ["grid_head"] * 2 + ["micro_grid_head"],
            "kind": ["village"] * 3 + ["community"] * 2 + ["village", "community", "village"],
        }
    )
    groups = integrity.Peers(peers, 3)
    keys = groups.key()
    assert list(keys[:3]) == ["full_time_worker·village"] * 3
    assert list(keys[3:5]) == ["full_time_worker"] * 2  # 2 community full-timers: the role county-wide
    assert list(keys[5:]) == ["county"] * 3  # 2 grid heads, 1 micro-grid head: everyone
    # The role level holds all five full-timers, also those judged in their own group.
    medians = groups.apply(lambda v, key: v.groupby(key).transform("median"), pd.Series([1.0, 2, 3, 10, 20, 0, 0, 7]))
    assert list(medians) == [2.0, 2.0, 2.0, 3.0, 3.0, 2.5, 2.5, 2.5]


def test_text_similarity_sees_a_reworded_re_entry():
    a = "巡查发现兴西社区公交站附近垃圾满溢问题。"
    assert integrity.text_similarity(a, a) == 1.0
    assert integrity.text_similarity(a, "再次" + a) == 1.0
    assert integrity.text_similarity(a, a.removeprefix("巡查发现")) == 1.0
    swapped = integrity.text_similarity(a, "巡查发现兴西社区公交站一带垃圾满溢问题。")  # one word swapped
    elsewhere = integrity.text_similarity(a, "巡查发现兴西社区菜市场旁垃圾满溢问题。")  # the item at another place
    assert 0.8 < swapped < 1.0 and elsewhere < 0.75
    assert integrity.text_similarity(a, "") == 0.0


def _walk(rng: random.Random, n: int, legs: int = 3) -> np.ndarray:
    pts = np.array([[rng.uniform(0, 600), rng.uniform(0, 600)] for _ in range(legs + 1)])
    t = np.linspace(0, legs, n)
    i = np.minimum(t.astype(int), legs - 1)
    u = (t - i)[:, None]
    return pts[i] + (pts[i + 1] - pts[i]) * u


def test_resample_spaces_points_evenly_along_the_path():
    xy = np.array([[0.0, 0.0], [100.0, 0.0], [100.0, 100.0]])
    out = tracks.resample(xy, 5)
    steps = np.hypot(*np.diff(out, axis=0).T)
    assert np.allclose(steps, 50.0)
    assert np.allclose(tracks.resample(np.array([[3.0, 4.0]] * 4), 3), [[3.0, 4.0]] * 3)
    with pytest.raises(ValueError):
        tracks.resample(np.zeros((0, 2)), 3)


def test_dtw_tells_a_replay_from_jitter_around_real_movement():
    rng = random.Random(5)
    nrng = np.random.default_rng(5)
    replays, honest = [], []
    for _ in range(40):
        route = _walk(rng, 6)
        again = route + nrng.normal(0, 3, route.shape)  # the same route, a few metres of noise
        replays.append(tracks.dtw_mean(tracks.resample(route, 10), tracks.resample(again, 10)))
        other = _walk(rng, 6) + nrng.normal(0, 25, route.shape)  # another day's walk, noisy GPS
        honest.append(tracks.dtw_mean(tracks.resample(route, 10), tracks.resample(other, 10)))
    assert max(replays) < 15 < min(honest)  # empty_patrol_replay_metres
    # A jittery walk still moves: its radius of gyration is far beyond GPS noise.
    moving = _walk(rng, 6) + nrng.normal(0, 25, (6, 2))
    still = np.array([[300.0, 300.0]]) + nrng.normal(0, 6, (6, 2))
    assert tracks.gyration_radius(still) < 25 < tracks.gyration_radius(moving)


def test_the_batch_dtw_equals_the_pairwise_one():
    nrng = np.random.default_rng(2)
    a = nrng.normal(size=(7, 10, 2)) * 100
    b = a + nrng.normal(size=a.shape) * 8
    assert np.allclose(tracks.dtw_mean_batch(a, b), [tracks.dtw_mean(x, y) for x, y in zip(a, b)])
    assert tracks.dtw_mean(a[0], a[0]) == 0.0
