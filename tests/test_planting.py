"""The sample county's planted families and controls are in the data as planted_patterns describes them.

Each gaming family (sample_data/generate/families.py, docs/INTEGRITY.md "How the sample plants
gaming") and each honest control is checked from events, steps and check-ins alone; planted_patterns
only names the workers and the drawn parameters (its `detail`). The county is the suite's cached
sample county (seed 7); the held-out families are checked on the tiny profile, built with and
without them. The as-practised quota is checked against the county's own volume.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd
import pytest
import shapely

from data_access.schema import GRID_SOURCES
from sample_data.generate import families as fam
from sample_data.generate import generate
from tests.conftest import sample_county_url
from tests.test_generate import END, load, read

M_LON, M_LAT = 97.2e3, 111.2e3  # metres per degree at the county's latitude


@functools.cache
def county_data(seed: int) -> dict:
    url = sample_county_url(seed)
    data = load(url)
    data["rules"] = read(url, "SELECT ruleset, key, value FROM assessment_rules")
    data["url"] = url
    return data


@pytest.fixture(scope="module")
def county():
    return county_data(7)


def family_workers(data, family: str) -> pd.DataFrame:
    p = data["planted"]
    return p[p.family == family]


def grid_reports(data) -> pd.DataFrame:
    """Worker reports with local time, close delay (minutes) and whether the reporter closed it alone."""
    ev = data["events"]
    e = ev[ev.reported_by.notna() & ev.source.isin(GRID_SOURCES)].copy()
    e["reported_by"] = e.reported_by.astype(int)
    e["local"] = e.reported_at.dt.tz_convert("Asia/Shanghai")
    e["minutes"] = (e.closed_at - e.reported_at).dt.total_seconds() / 60
    st = data["steps"]
    alone = st.groupby("event_id").agg(levels=("to_level", "nunique"), actors=("actor_worker_id", "nunique"))
    e["self_closed"] = e.id.map((alone.levels == 1) & (alone.actors == 1)).fillna(False).astype(bool)
    return e


def metres(lon1, lat1, lon2, lat2):
    return np.hypot((lon1 - lon2) * M_LON, (lat1 - lat2) * M_LAT)


# --- what planted_patterns records -------------------------------------------------------------


def test_families_and_controls_are_recorded(county):
    p = county["planted"]
    assert set(p.kind) == {"gaming", "control"}
    workers = p[p.subject_type == "worker"]
    assert not workers.family.str.startswith("held_out").any(), "held-out families only when asked"
    for signal, families in (
        ("padding", (*fam.PADDING_FAMILIES, "quota_pressure")),
        ("near_duplicates", fam.DUPLICATE_FAMILIES),
        ("empty_patrol", fam.EMPTY_FAMILIES),
    ):
        rows = workers[workers.pattern == signal]
        assert (rows.kind == "gaming").all()
        counts = rows.family.value_counts()
        print(signal, counts.to_dict())
        for f in families:
            assert counts.get(f"{signal}.{f}", 0) >= 5, (signal, f)
    controls = workers[workers.kind == "control"]
    for kind in fam.CONTROL_KINDS:
        rows = controls[controls.family == f"control.{kind}"]
        assert len(rows) >= 16 and (rows.pattern == f"control_{kind}").all(), kind
    assert workers.subject_id.is_unique, "one family per planted worker"
    # The village and department plantings keep their single recipe.
    others = p[p.subject_type != "worker"]
    assert (others.kind == "gaming").all() and (others.family == others.pattern).all()
    assert workers.detail.str.len().min() > 30


# --- gaming families, from the data ------------------------------------------------------------


def delay_range(detail: str) -> tuple[float, float]:
    lo, hi = re.search(r"closed (\d+)-(\d+) min after reporting", detail).groups()
    return float(lo), float(hi)


def test_padding_close_delays_span_the_drawn_range(county):
    e = grid_reports(county)
    p = county["planted"]
    delayed = p[(p.pattern == "padding") & p.detail.str.contains("min after reporting")]
    assert len(delayed) >= 30
    pressure = []
    for _, row in delayed.iterrows():
        lo, hi = delay_range(row.detail)
        mine = e[(e.reported_by == row.subject_id) & e.trivial & e.self_closed]
        inside = mine[mine.minutes.between(lo - 0.1, hi + 0.1)]
        if row.family == "padding.quota_pressure":  # a handful a month at most: a small quota's gap
            assert len(inside) >= 1, (row.subject_id, lo, hi)
            pressure.append(len(inside))
            continue
        assert len(inside) >= 10, (row.family, row.subject_id, lo, hi, len(inside))
        assert inside.minutes.max() - inside.minutes.min() >= 0.5 * (hi - lo), (row.subject_id, lo, hi)
    print(f"quota pressure: padded-looking reports per worker {sorted(pressure)}")
    assert np.mean(pressure) >= 4
    # The ranges reach well past "within minutes": at least one family closes after 35 min or more.
    assert max(delay_range(d)[0] for d in delayed.detail) >= 35


def test_padding_timing_follows_the_family(county):
    e = grid_reports(county)
    trivial = e[e.trivial & e.self_closed]
    month_end_left = trivial.local.dt.days_in_month - trivial.local.dt.day
    hour = trivial.local.dt.hour + trivial.local.dt.minute / 60
    for _, row in family_workers(county, "padding.spread_day").iterrows():
        mine = trivial.reported_by == row.subject_id
        assert hour[mine].round().nunique() >= 6, row.subject_id  # many hours of the day, not one
        assert (hour[mine] < 8.5).mean() < 0.5
    for _, row in family_workers(county, "padding.fixed_hour").iterrows():
        a, b = re.search(r"concentrated at (\d\d:\d\d)-(\d\d:\d\d)", row.detail).groups()
        lo, hi = (int(x[:2]) + int(x[3:]) / 60 for x in (a, b))
        mine = trivial.reported_by == row.subject_id
        share = hour[mine].between(lo - 0.02, hi + 0.5).mean()  # a burst runs on for some minutes
        assert share >= 0.4, (row.subject_id, a, b, share)
    for _, row in family_workers(county, "padding.month_end").iterrows():
        days = int(re.search(r"last (\d+) days", row.detail).group(1))
        mine = trivial.reported_by == row.subject_id
        assert (month_end_left[mine] < days).mean() >= 0.7, row.subject_id


def reentries(e: pd.DataFrame, worker: int, max_h: float, max_m: float, same_category: bool) -> pd.DataFrame:
    """Each report of `worker` paired with the nearest earlier one of the same item (or category)
    at most max_h hours before and max_m metres away."""
    mine = e[(e.reported_by == worker) & e.trivial].sort_values("reported_at")
    key = mine.category_code if same_category else mine.item_type_code
    out = []
    for _, grp in mine.groupby(key):
        rows = grp.to_dict("records")
        for j, b in enumerate(rows):
            for a in rows[:j]:
                hours = (b["reported_at"] - a["reported_at"]).total_seconds() / 3600
                d = metres(a["lon"], a["lat"], b["lon"], b["lat"])
                if 0 < hours <= max_h and d <= max_m:
                    out.append({"hours": hours, "metres": d, "same_text": a["description"] == b["description"]})
    return pd.DataFrame(out, columns=["hours", "metres", "same_text"])


def test_near_duplicates_are_reworded_reentries_within_300_m(county):
    e = grid_reports(county)
    for family, same_category in (("near_duplicates.reworded", False), ("near_duplicates.sibling_item", True)):
        rows = family_workers(county, family)
        for _, row in rows.iterrows():
            max_m = float(re.search(r"0-(\d+) m from", row.detail).group(1))
            max_h = float(re.search(r"1-(\d+) h later", row.detail).group(1))
            assert max_m <= 300 and max_h <= 48
            pairs = reentries(e, int(row.subject_id), max_h + 15, max_m + 1, same_category)
            assert len(pairs) >= 5, (family, row.subject_id)
            assert pairs.metres.max() > 20, "GPS error, not the same point"
            assert not pairs.same_text.all(), "reworded"
    for _, row in family_workers(county, "near_duplicates.same_spot").iterrows():
        pairs = reentries(e, int(row.subject_id), 24, 20, False)
        assert pairs.same_text.sum() >= 3, row.subject_id


def day_tracks(ck: pd.DataFrame, worker: int) -> list[np.ndarray]:
    mine = ck[ck.worker_id == worker].sort_values("at")
    return [g[["lon", "lat"]].to_numpy() for _, g in mine.groupby("checkin_date")]


def test_replayed_routes_are_near_but_never_identical(county):
    ck = county["checkins"]
    for _, row in family_workers(county, "empty_patrol.replay_noise").iterrows():
        tracks = day_tracks(ck, int(row.subject_id))
        keys = [tuple(map(tuple, t)) for t in tracks]
        assert len(set(keys)) == len(keys), "no two days byte-identical"
        close = 0
        for i, a in enumerate(tracks):
            for b in tracks[i + 1 :]:
                if len(a) == len(b) and metres(a[:, 0], a[:, 1], b[:, 0], b[:, 1]).max() <= 60:
                    close += 1
        assert close >= 3, (row.subject_id, close)


def test_stationary_days_stay_within_the_radius_with_one_token_report(county):
    ck, e = county["checkins"], grid_reports(county)
    for _, row in family_workers(county, "empty_patrol.stationary").iterrows():
        radius = float(re.search(r"within (\d+) m of one spot", row.detail).group(1))
        still = 0
        for day, g in ck[ck.worker_id == row.subject_id].groupby("checkin_date"):
            pts = g[["lon", "lat"]].to_numpy()
            spread = metres(pts[:, 0], pts[:, 1], pts[:, 0].mean(), pts[:, 1].mean()).max()
            if len(pts) >= 4 and spread <= radius + 1:
                still += 1
                token = e[(e.reported_by == row.subject_id) & (e.local.dt.date == pd.Timestamp(day).date())]
                d = metres(token.lon, token.lat, pts[:, 0].mean(), pts[:, 1].mean())
                assert (d <= 2 * radius + 2).any(), (row.subject_id, day)
        assert still >= 5, (row.subject_id, still)


def coverage(ck: pd.DataFrame, grids: pd.DataFrame) -> pd.Series:
    """Per worker: area of the convex hull of all their fixes over their grid's area."""
    hull = ck.groupby("worker_id").apply(
        lambda g: shapely.convex_hull(shapely.multipoints(g[["lon", "lat"]].to_numpy())).area, include_groups=False
    )
    grid_of = ck.groupby("worker_id").grid_id.first()
    return hull / grid_of.map(grids.set_index("id").area_deg)


def test_partial_coverage_walks_a_corner_of_the_grid(county):
    url = county["url"]
    grids = read(url, "SELECT id, boundary_wkt FROM grids")
    grids["area_deg"] = shapely.area(shapely.from_wkt(grids.boundary_wkt))
    ck, w = county["checkins"], county["workers"]
    p = county["planted"]
    ft = ck[ck.worker_id.isin(w[w.role == "full_time_worker"].id)]
    share = coverage(ft, grids)
    honest = share.drop(p.subject_id, errors="ignore")
    partial = share.reindex(family_workers(county, "empty_patrol.partial_coverage").subject_id)
    print(f"coverage: honest median {honest.median():.2f}, partial median {partial.median():.2f}")
    assert (partial < 0.5 * honest.median()).mean() >= 0.8


# --- controls ----------------------------------------------------------------------------------


def monthly(e: pd.DataFrame) -> pd.Series:
    """Mean reports a complete month per reporter (the first and last months are partial)."""
    m = e.local.dt.strftime("%Y-%m")
    full = sorted(m.unique())[1:-1]
    counts = e[m.isin(full)].groupby("reported_by").size() / len(full)
    return counts


def test_controls_are_honest_but_unusual(county):
    e, ck, p = grid_reports(county), county["checkins"], county["planted"]
    w = county["workers"]
    per_month = monthly(e)
    ft = w[(w.role == "full_time_worker") & w.left_on.isna()].id
    honest = per_month.reindex(ft).fillna(0).drop(p.subject_id, errors="ignore")
    median = honest.median()
    spot = family_workers(county, "control.on_the_spot").subject_id
    ratio = per_month.reindex(spot) / median
    print(f"honest median {median:.1f}/month; on-the-spot ratio median {ratio.median():.2f}")
    assert ratio.between(0.3, 3.0).mean() >= 0.8, "a normal volume"
    for wid in spot:
        mine = e[e.reported_by == wid]
        quick = mine.trivial & mine.self_closed & mine.minutes.between(5, 50) & mine.local.dt.hour.between(8, 10)
        assert quick.mean() >= 0.25, wid
        extent = [np.ptp(t[:, 0]) * M_LON + np.ptp(t[:, 1]) * M_LAT for t in day_tracks(ck, int(wid))]
        assert np.median(extent) > 100, "real moving tracks"
    busy = per_month.reindex(family_workers(county, "control.busy").subject_id).fillna(0)
    print(f"busy: median {busy.median():.1f}/month = {busy.median() / median:.1f}x")
    assert (busy >= 2 * median).mean() >= 0.8
    for wid in family_workers(county, "control.recurring_spot").subject_id:
        mine = e[e.reported_by == wid]
        best = 0
        for _, r in mine.iterrows():
            near = mine[(metres(mine.lon, mine.lat, r.lon, r.lat) <= 15) & (mine.item_type_code == r.item_type_code)]
            best = max(best, len(near))
            if best >= 25:
                span = (near.reported_at.max() - near.reported_at.min()).days
                assert span >= 30 and (near.local.dt.weekday < 5).all() and (near.local.dt.hour < 11).all()
                break
        assert best >= 25, (wid, best)
    for wid in family_workers(county, "control.noisy_gps").subject_id:
        extent = [np.ptp(t[:, 0]) * M_LON + np.ptp(t[:, 1]) * M_LAT for t in day_tracks(ck, int(wid))]
        assert np.median(extent) > 100, "a real walk under the noise"


# --- the quota ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [7, 11])
def test_as_practised_quota_fits_the_county(seed):
    """The share of honest full-time worker-months meeting the as-practised quota (with the street
    add-on) is in the documented band, 40-70%; quota-pressure padders report toward it. Seed 11
    (also built by tests/test_integrity.py) guards against a rule that fits one seed only."""
    county = county_data(seed)
    r = county["rules"]
    rules = dict(r.loc[r.ruleset == "as_practised", ["key", "value"]].values)
    quota, bonus = rules["quota_events_per_worker"], rules["street_quota_bonus"]
    assert 1 <= quota < 30, "set from the county's own volume"
    assert dict(r.loc[r.ruleset == "hdistrict", ["key", "value"]].values)["quota_events_per_worker"] == 30
    e, w, p = grid_reports(county), county["workers"], county["planted"]
    towns = read(county["url"], "SELECT id, kind FROM admin_units WHERE level = 'town'").set_index("id").kind
    ft = w[(w.role == "full_time_worker") & w.left_on.isna()].set_index("id")
    need = quota + np.where(ft.town_id.map(towns) == "street", bonus, 0)
    need = pd.Series(need, index=ft.index)
    m = e.local.dt.strftime("%Y-%m")
    full = sorted(m.unique())[1:-1]
    counts = e[m.isin(full)].groupby(["reported_by", m[m.isin(full)]]).size()
    grid = pd.MultiIndex.from_product([ft.index, full], names=["reported_by", "month"])
    counts = counts.reindex(grid, fill_value=0)
    meets = counts >= need.reindex(counts.index.get_level_values(0)).to_numpy()
    honest = ~counts.index.get_level_values(0).isin(p.subject_id)
    share = meets[honest].mean()
    print(
        f"seed {seed}: as-practised quota {quota:.0f} (+{bonus:.0f} in streets), honest worker-months at it {share:.0%}"
    )
    assert 0.40 <= share <= 0.70
    pressure = family_workers(county, "padding.quota_pressure").subject_id
    mean = counts.groupby(level=0).mean()
    assert (mean.reindex(pressure) >= 0.6 * need.reindex(pressure)).mean() >= 0.8


# --- held-out families -------------------------------------------------------------------------


def test_held_out_families_only_when_asked(tmp_path):
    plain, held = f"sqlite:///{tmp_path / 'plain.db'}", f"sqlite:///{tmp_path / 'held.db'}"
    generate(plain, profile="tiny", seed=7, end=END, progress=False)
    generate(held, profile="tiny", seed=7, end=END, progress=False, held_out=True)
    a = read(plain, "SELECT pattern, family, kind FROM planted_patterns")
    b = read(held, "SELECT pattern, family, kind FROM planted_patterns")
    assert not a.family.str.startswith("held_out").any()
    rows = b[b.family.str.startswith("held_out.")]
    assert set(rows.family) == {f"held_out.{s}" for s in ("padding", "near_duplicates", "empty_patrol")}
    assert (rows.pattern == rows.family.str.removeprefix("held_out.")).all() and (rows.kind == "gaming").all()
    meta = dict(read(held, "SELECT key, value FROM store_meta").values)
    assert meta["held_out"] == "1" and dict(read(plain, "SELECT key, value FROM store_meta").values)["held_out"] == "0"
