"""The sample county generator: exact figures, tiling, lifecycle, planted patterns, determinism.

The county profile is the suite's cached sample county (tests.conftest.sample_county_url: built
once by `python -m sample_data.generate`, shared read-only by every test file), not a second build.
Tolerances: a level tiles its parent when |area(union of children) - area(parent)| is below 1e-9
of the parent's area, and siblings overlap by less than 1e-12 deg² (about 0.01 m²) per pair.

The reference detectors below state, in code, the rules by which each planted failure mode is
found from events, steps and check-ins alone; planted_patterns is only the answer key.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from sqlalchemy import Boolean, Column, Date, Float, Integer, MetaData, String, Table, create_engine, func, select, text

from data_access import schema
from data_access.lifecycle import STATUS_AFTER
from data_access.rules import default_rule_rows
from data_access.schema import GRID_SOURCES
from sample_data.bulk import BulkWriter
from sample_data.generate import generate
from tests.conftest import SAMPLE_COUNTY_END, fresh_pg_database, sample_county_url

ROOT = Path(__file__).resolve().parent.parent
END = "2025-06-15T10:00:00+08:00"
# The county tests read the cached sample county, which ends here (12 months before it).
COUNTY_END = pd.Timestamp(SAMPLE_COUNTY_END)
COUNTY_END_UTC = COUNTY_END.tz_convert("UTC")
COUNTY_DAY = COUNTY_END.date()


# --- helpers -----------------------------------------------------------------------------------


def read(url: str, sql: str, dates=()) -> pd.DataFrame:
    eng = create_engine(url)
    try:
        with eng.connect() as conn:
            df = pd.read_sql(text(sql), conn)
    finally:
        eng.dispose()
    for col in dates:
        df[col] = pd.to_datetime(df[col], utc=True, format="ISO8601")
    return df


def load(url: str) -> dict[str, pd.DataFrame]:
    ev = read(url, "SELECT * FROM events", ["reported_at", "deadline", "closed_at", "completed_at"])
    items = read(url, "SELECT code, trivial FROM event_item_types")
    ev["trivial"] = ev.item_type_code.map(dict(zip(items.code, items.trivial.astype(bool))))
    ev["filing_only"] = ev.filing_only.astype(bool)
    return {
        "events": ev,
        "steps": read(url, "SELECT * FROM event_steps ORDER BY event_id, seq", ["at"]),
        "checkins": read(url, "SELECT * FROM patrol_checkins", ["at"]),
        "workers": read(url, "SELECT * FROM workers"),
        "planted": read(url, "SELECT * FROM planted_patterns"),
        "ratings": read(url, "SELECT * FROM department_ratings"),
        "departments": read(url, "SELECT * FROM departments"),
    }


def planted(data, pattern: str) -> set[int]:
    p = data["planted"]
    return set(p.loc[p.pattern == pattern, "subject_id"].astype(int))


# The worker signals' stated rules below are those of each signal's legacy recipe, kept as one
# family; the other families and the honest controls are checked in tests/test_planting.py.
LEGACY_FAMILY = {
    "padding": "padding.morning_burst",
    "near_duplicates": "near_duplicates.same_spot",
    "empty_patrol": "empty_patrol.jump_repeat",
}


def detector_score(data, pattern: str) -> tuple[float, float]:
    """(precision, recall) of the stated rule. For a worker signal: recall on its legacy family
    alone, and precision 1.0 by convention (the rule is the legacy recipe turned round, so it may
    also catch other families and controls: that is the integrity signals' problem, not the data's)."""
    found = DETECTORS[pattern](data)
    if pattern in LEGACY_FAMILY:
        p = data["planted"]
        truth = set(p.loc[p.family == LEGACY_FAMILY[pattern], "subject_id"].astype(int))
        return 1.0, precision_recall(found, truth)[1]
    return precision_recall(found, planted(data, pattern))


def precision_recall(found: set, truth: set) -> tuple[float, float]:
    tp = len(found & truth)
    return (tp / len(found) if found else float(not truth)), (tp / len(truth) if truth else 1.0)


# --- reference detectors (stated rules) --------------------------------------------------------


def detect_padding(ev: pd.DataFrame) -> set[int]:
    """Workers with ≥ 20 reports of which ≥ 40% fall in 08:00-08:59 or the month's last 3 days,
    ≥ 70% are trivial items, and whose median report-to-close time is ≤ 45 minutes."""
    e = ev[ev.reported_by.notna()].copy()
    local = e.reported_at.dt.tz_convert("Asia/Shanghai")
    e["burst"] = (local.dt.hour == 8) | (local.dt.days_in_month - local.dt.day < 3)
    e["minutes"] = (e.closed_at - e.reported_at).dt.total_seconds() / 60
    g = e.groupby("reported_by").agg(
        n=("id", "size"), burst=("burst", "mean"), trivial=("trivial", "mean"), minutes=("minutes", "median")
    )
    hit = g[(g.n >= 20) & (g.burst >= 0.4) & (g.trivial >= 0.7) & (g.minutes <= 45)]
    return set(hit.index.astype(int))


def detect_near_duplicates(ev: pd.DataFrame) -> set[int]:
    """Workers for whom ≥ 3 reports, and ≥ 12% of all their reports, repeat one of their own
    reports of the same item within 24 h and 20 m."""
    e = ev[ev.reported_by.notna()].sort_values(["reported_by", "item_type_code", "reported_at"])
    repeat = pd.Series(False, index=e.index)
    for k in (1, 2, 3):
        prev = e.shift(k)
        same = (prev.reported_by == e.reported_by) & (prev.item_type_code == e.item_type_code)
        hours = (e.reported_at - prev.reported_at).dt.total_seconds() / 3600
        metres = np.hypot((e.lon - prev.lon) * 97.2e3, (e.lat - prev.lat) * 111.2e3)
        repeat |= same & (hours <= 24) & (metres < 20)
    g = repeat.groupby(e.reported_by).agg(["sum", "mean"])
    return set(g[(g["sum"] >= 3) & (g["mean"] >= 0.12)].index.astype(int))


def detect_empty_patrol(ck: pd.DataFrame) -> set[int]:
    """Workers with ≥ 20 check-in days of which ≥ 25% either contain a hop faster than 30 km/h
    or repeat exactly the sequence of points of another day."""
    c = ck.sort_values(["worker_id", "at"]).copy()
    prev = c.groupby(["worker_id", "checkin_date"]).shift(1)
    km = np.hypot((c.lon - prev.lon) * 97.2, (c.lat - prev.lat) * 111.2)
    hours = (c["at"] - prev["at"]).dt.total_seconds() / 3600
    c["fast"] = (km / hours.clip(lower=1e-6)) > 30
    c["pt"] = c.lon.map("{:.6f}".format) + "," + c.lat.map("{:.6f}".format)
    days = c.groupby(["worker_id", "checkin_date"]).agg(fast=("fast", "any"), track=("pt", "|".join)).reset_index()
    days["repeat"] = days.duplicated(["worker_id", "track"], keep=False)
    days["suspect"] = days.fast | days.repeat
    g = days.groupby("worker_id").suspect.agg(["size", "mean"])
    return set(g[(g["size"] >= 20) & (g["mean"] >= 0.25)].index.astype(int))


def detect_filtering(ev: pd.DataFrame) -> set[int]:
    """Villages with ≥ 10 non-trivial grid reports (not filing-only) of which < 5% escalated,
    whose 12345 calls per grid report are at or above the median village's."""
    grid = ev[ev.source.isin(GRID_SOURCES)]
    hard = grid[~grid.filing_only & ~grid.trivial]
    g = hard.groupby("village_id").agg(n=("id", "size"), esc=("escalations", lambda s: (s > 0).mean()))
    calls = ev[ev.source == "hotline_12345"].groupby("village_id").size()
    g["calls"] = calls.reindex(g.index).fillna(0) / grid.groupby("village_id").size().reindex(g.index)
    g = g[g.n >= 10]
    return set(g[(g.esc < 0.05) & (g.calls >= g.calls.median())].index.astype(int))


def department_measures(ev: pd.DataFrame, st: pd.DataFrame) -> pd.DataFrame:
    """Per department: median accept delay and handling time as fractions of the event's time
    limit (so urgent and ordinary work compare), dispatches and the share returned."""
    dep = st[st.to_level == "department"]
    disp = dep[dep.action == "dispatch"][["event_id", "to_unit_id", "at"]].rename(columns={"at": "t_disp"})
    acc = dep[dep.action == "accept"][["event_id", "to_unit_id", "at"]].rename(columns={"at": "t_acc"})
    comp = dep[dep.action == "complete"].groupby(["event_id", "to_unit_id"])["at"].min().rename("t_comp")
    m = disp.merge(acc, on=["event_id", "to_unit_id"]).join(comp, on=["event_id", "to_unit_id"])
    m = m.merge(ev[["id", "reported_at", "deadline"]], left_on="event_id", right_on="id")
    limit = (m.deadline - m.reported_at).dt.total_seconds()
    m["accept"] = (m.t_acc - m.t_disp).dt.total_seconds() / limit
    m["handle"] = (m.t_comp - m.t_acc).dt.total_seconds() / limit
    g = m.groupby("to_unit_id")[["accept", "handle"]].median()
    g["dispatched"] = disp.groupby("to_unit_id").size()
    returned = st[(st.action == "return") & (st.from_level == "department")].groupby("from_unit_id").size()
    g["returned"] = returned.reindex(g.index).fillna(0) / g.dispatched
    return g[g.dispatched >= 12]


def detect_slow(ev, st) -> set[int]:
    """Departments (≥ 12 dispatches) whose median accept delay is ≥ 3x, and median handling
    time ≥ 1.2x, the median of the other departments."""
    g = department_measures(ev, st)
    others = lambda col: pd.Series({d: g[col].drop(d).median() for d in g.index})  # noqa: E731
    return set(g[(g.accept >= 3 * others("accept")) & (g.handle >= 1.2 * others("handle"))].index.astype(int))


def detect_returning(ev, st) -> set[int]:
    """Departments (≥ 12 dispatches) that return ≥ 20% of what is dispatched to them, and at least
    4 events (3 of 12 is what a small department's share of honest misroutes can do by chance)."""
    g = department_measures(ev, st)
    return set(g[(g.returned >= 0.2) & (g.returned * g.dispatched >= 4)].index.astype(int))


DETECTORS = {
    "padding": lambda d: detect_padding(d["events"]),
    "near_duplicates": lambda d: detect_near_duplicates(d["events"]),
    "empty_patrol": lambda d: detect_empty_patrol(d["checkins"]),
    "filtering": lambda d: detect_filtering(d["events"]),
    "slow_department": lambda d: detect_slow(d["events"], d["steps"]),
    "returning_department": lambda d: detect_returning(d["events"], d["steps"]),
}


# --- fixtures ----------------------------------------------------------------------------------


def store_summary(url: str) -> dict:
    """What `generate` returns (rows per table, active and full-time workers), read from the store."""
    eng = create_engine(url)
    try:
        with eng.connect() as conn:
            tables = {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in schema.metadata.sorted_tables
            }
            active = schema.workers.c.left_on.is_(None)
            count = select(func.count()).select_from(schema.workers)
            workers = conn.execute(count.where(active)).scalar_one()
            full_time = conn.execute(count.where(active, schema.workers.c.employment_type == "full_time")).scalar_one()
    finally:
        eng.dispose()
    return {"tables": tables, "active_workers": workers, "full_time": full_time}


@pytest.fixture(scope="module")
def county():
    """The cached sample county (seed 7, read-only): test_tiny_profile checks that the summary
    `generate` returns is what it wrote, so here it is read back from the store."""
    url = sample_county_url(7)
    return url, store_summary(url), load(url)


def tiny(tmp_path, seed=7, name="tiny.db") -> tuple[str, dict]:
    url = f"sqlite:///{tmp_path / name}"
    return url, generate(url, profile="tiny", seed=seed, end=END, progress=False)


def dump(url: str) -> dict[str, list]:
    """Every sample-data table's rows. The access tables are left out: the demo accounts' password
    hashes are salted at random on purpose, and they are accounts, not sample data."""
    eng = create_engine(url)
    out = {}
    with eng.connect() as conn:
        for table in schema.REQUIRED_TABLES:
            order = list(table.primary_key.columns) or list(table.c)
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
    eng.dispose()
    return out


# --- county: exact figures ---------------------------------------------------------------------


def test_county_hierarchy_counts(county):
    url, summary, _ = county
    units = read(url, "SELECT level, kind, code, name, parent_id FROM admin_units")
    assert (units.level == "county").sum() == 1
    towns = units[units.level == "town"]
    assert len(towns) == 17 and set(towns.kind) == {"street", "town"}
    assert 3 <= (towns.kind == "street").sum() <= 5
    villages = units[units.level == "village"]
    assert 250 <= len(villages) <= 350
    assert summary["tables"]["grids"] == 781
    assert summary["tables"]["micro_grids"] == 3739
    grids = read(url, "SELECT code, name, households, residents FROM grids")
    micro = read(url, "SELECT code, name, households, residents FROM micro_grids")
    assert grids.code.str.fullmatch(r"T\d\dV\d\dG\d\d").all()
    assert micro.code.str.fullmatch(r"T\d\dV\d\dG\d\dM\d+").all()
    assert grids.name.str.contains(r"(?:村|社区)第\d+网格$").all()
    assert micro.name.str.contains(r"微网格\d+$").all()
    assert micro.households.between(30, 120).all()
    ratio = micro.residents / micro.households
    assert ratio.between(2.39, 3.01).all()


def test_county_workforce(county):
    _, summary, data = county
    w = data["workers"]
    active = w[w.left_on.isna()]
    assert summary["active_workers"] == len(active) == 3361
    assert summary["full_time"] == (active.employment_type == "full_time").sum() == 836
    ft = active[active.employment_type == "full_time"]
    assert set(ft.role) == {"full_time_worker"}
    assert 120 <= (active.role == "professional_worker").sum() <= 200
    assert active[active.role == "professional_worker"].department_id.notna().all()
    assert (active.role == "grid_head").sum() == 781
    share = active.education.value_counts(normalize=True)
    assert abs(share["postgraduate"] - 0.04) <= 0.005
    assert abs(share["junior_college"] - 0.67) <= 0.005
    assert abs(share["high_school_or_below"] - 0.29) <= 0.005
    end = COUNTY_DAY
    birth = pd.to_datetime(active.birth_date)
    age = np.array([end.year - b.year - ((end.month, end.day) < (b.month, b.day)) for b in birth])
    assert abs((age >= 50).mean() - 0.71) <= 0.005
    is_ft = (active.employment_type == "full_time").to_numpy()
    assert age[is_ft].mean() < age[active.employment_type.to_numpy() == "part_time"].mean()
    # Coverage gaps: a few grids (3-5%) have no full-time worker.
    uncovered = 1 - ft.grid_id.nunique() / 781
    assert 0.03 <= uncovered <= 0.05
    # Leavers: left within the period, ~8-12% a year, not counted as active.
    left = pd.to_datetime(w.left_on.dropna())
    assert left.between(pd.Timestamp(COUNTY_DAY - pd.DateOffset(years=1)), pd.Timestamp(COUNTY_DAY)).all()
    assert 0.08 <= len(left) / 3361 <= 0.12
    assert w.phone.str.fullmatch(r"1[35789]\d{9}").all() and w.phone.is_unique


def test_county_catalogue(county):
    url, _, data = county
    assert read(url, "SELECT COUNT(*) AS n FROM event_categories").n[0] == 13
    items = read(url, "SELECT * FROM event_item_types")
    assert len(items) >= 150 and items.name_en.str.len().gt(0).all()
    assert set(items.default_urgency) == set(schema.URGENCIES)
    assert 0.2 < items.trivial.astype(bool).mean() < 0.6
    depts = data["departments"]
    assert 20 <= (depts.level == "county").sum() <= 30
    assert depts[depts.level == "town"].town_id.notna().all()
    ev = data["events"]
    # City management and public safety lead (about 60% of events over seeds and end dates).
    assert list(ev.category_code.value_counts().index[:2]) == ["city_mgmt", "public_safety"]
    assert 0.57 <= ev.category_code.isin(["city_mgmt", "public_safety"]).mean() <= 0.65


# --- county: events and lifecycle --------------------------------------------------------------


def test_county_event_volume_and_rhythm(county):
    _, summary, data = county
    ev = data["events"]
    assert len(ev) == summary["tables"]["events"] == 72_000
    local = ev.reported_at.dt.tz_convert("Asia/Shanghai")
    per_month = local.dt.tz_localize(None).dt.to_period("M").value_counts()
    first_month = (COUNTY_END - pd.DateOffset(years=1)).tz_localize(None).to_period("M")
    full = per_month.drop(index=[first_month, COUNTY_END.tz_localize(None).to_period("M")])
    assert full.between(4_500, 7_500).all()
    weekend = local.dt.day_of_week >= 5
    assert weekend.mean() < 2 / 7  # fewer on weekends
    assert local.dt.hour.between(8, 17).mean() > 0.75  # mostly working hours
    assert set(ev.source) == set(schema.EVENT_SOURCES)
    assert (local.dt.date == pd.to_datetime(ev.report_date).dt.date).all()


def test_county_on_time_closure(county):
    _, _, data = county
    ev = data["events"]
    e = ev[~ev.filing_only]
    due = e[e.closed_at.notna() | (e.deadline < COUNTY_END_UTC)]
    on_time = due.closed_at.notna() & (due.closed_at <= due.deadline)
    rate = on_time.mean()
    print(f"\non-time closure {rate:.4f}")
    assert 0.975 <= rate <= 0.995
    by_town = on_time.groupby(due.town_id).mean()
    assert by_town.max() - by_town.min() > 0.01  # real spread between towns
    assert 0.02 <= ev.filing_only.mean() <= 0.04
    closed = ev[ev.status == "closed"]
    assert 0.955 <= closed.quality_grade.isin(["qualified", "excellent"]).mean() <= 0.975
    assert closed.satisfaction.notna().mean() > 0.2 and closed.satisfaction.dropna().between(1, 5).all()


def test_county_lifecycle_consistency(county):
    _, _, data = county
    ev, st = data["events"], data["steps"]
    assert (st.groupby("event_id").seq.agg(lambda s: list(s) == list(range(1, len(s) + 1)))).all()
    assert (st["at"] <= COUNTY_END_UTC).all()  # steps after `end` are not written
    assert set(st.action) <= set(schema.STEP_ACTIONS)
    last = st.groupby("event_id").action.last().map(STATUS_AFTER)
    assert (ev.set_index("id").status == last.reindex(ev.id).to_numpy()).all()
    first = st[st.seq == 1].set_index("event_id")
    assert len(first) == len(ev) and (first.action == "report").all()
    hours = {
        r["key"].removeprefix("deadline_hours_"): r["value"]
        for r in default_rule_rows()
        if r["ruleset"] == "common" and r["key"].startswith("deadline_hours_")
    }
    limit = (ev.deadline - ev.reported_at).dt.total_seconds() / 3600
    assert (limit == ev.urgency.map(hours)).all()
    for col in ("escalations", "returns", "rejections"):
        action = {"escalations": "escalate", "returns": "return", "rejections": "reject"}[col]
        counted = st[st.action == action].groupby("event_id").size().reindex(ev.id).fillna(0).to_numpy()
        assert (counted == ev[col].to_numpy()).all()
    closed = ev[ev.status == "closed"]
    assert closed.closed_at.notna().all() and ev[ev.status != "closed"].closed_at.isna().all()
    assert (pd.to_datetime(closed.close_date).dt.date == closed.closed_at.dt.tz_convert("Asia/Shanghai").dt.date).all()
    dep = ev[ev.handled_level == "department"]
    assert dep.department_id.notna().all()
    # Grid-reported events start at the micro-grid; 12345/camera ones at the county centre.
    grid_src = ev.set_index("id").source.isin(GRID_SOURCES).reindex(first.index)
    assert (first.from_level[grid_src] == "micro_grid").all()
    assert (first.to_level[grid_src] == "grid").all() and first.actor_worker_id[grid_src].notna().all()
    assert first.from_level[~grid_src].isna().all() and (first.to_level[~grid_src] == "county").all()
    assert set(first.actor[~grid_src]) == {"camera", "12345"}
    # Most grid-reported events are handled on the spot; some go up, are returned or rejected.
    g = ev[ev.source.isin(GRID_SOURCES) & ~ev.filing_only]
    assert 0.6 <= (g.handled_level == "grid").mean() <= 0.75
    assert (ev.returns > 0).mean() > 0.005 and (ev.rejections > 0).mean() > 0.005
    verify = st[st.action == "verify"].groupby("event_id")["at"].min()
    complete = st[st.action == "complete"].groupby("event_id")["at"].min()
    late = ((verify - complete).dropna().dt.total_seconds() / 3600 > 24).mean()
    assert 0 < late < 0.03


# --- county: geometry --------------------------------------------------------------------------


def _geoms(url: str, table: str, where: str = "") -> pd.DataFrame:
    df = read(url, f"SELECT * FROM {table} {where}")
    df["geom"] = shapely.from_wkt(df.boundary_wkt)
    return df


def _check_tiling(children: np.ndarray, parent) -> None:
    union = shapely.union_all(children)
    assert abs(union.area - parent.area) <= 1e-9 * parent.area
    assert shapely.symmetric_difference(union, parent).area <= 1e-9 * parent.area
    tree = shapely.STRtree(children)
    a, b = tree.query(children, predicate="intersects")
    keep = a < b
    overlap = shapely.area(shapely.intersection(children[a[keep]], children[b[keep]]))
    assert (overlap < 1e-12).all()


def test_county_tiling(county):
    url, _, _ = county
    admin = _geoms(url, "admin_units")
    grids = _geoms(url, "grids")
    micro = _geoms(url, "micro_grids")
    for df in (admin, grids, micro):
        assert shapely.is_valid(df.geom).all()
        assert (shapely.get_type_id(df.geom) == 3).all()  # every unit a single Polygon
        assert (shapely.get_num_interior_rings(df.geom) == 0).all()
        coords = shapely.get_coordinates(df.geom)
        assert np.array_equal(coords, np.round(coords, 6))
    county_geom = admin.loc[admin.level == "county", "geom"].iloc[0]
    minx, miny, maxx, maxy = county_geom.bounds
    assert 120.6 < minx and maxx < 121.6 and 28.8 < miny and maxy < 29.5  # Zhejiang, around T county
    area = admin.loc[admin.level == "county", "area_km2"].iloc[0]
    assert 1300 < area < 1500
    assert shapely.get_num_coordinates(county_geom) > 40  # irregular, not a rectangle
    towns = admin[admin.level == "town"]
    villages = admin[admin.level == "village"]
    _check_tiling(towns.geom.to_numpy(), county_geom)
    for tid, town in towns.set_index("id").geom.items():
        _check_tiling(villages[villages.parent_id == tid].geom.to_numpy(), town)
    for vid, village in villages.set_index("id").geom.items():
        _check_tiling(grids[grids.village_id == vid].geom.to_numpy(), village)
    by_grid = micro.groupby("grid_id").geom.apply(lambda s: s.to_numpy())
    for gid, grid in grids.set_index("id").geom.items():
        _check_tiling(by_grid[gid], grid)
    # Denser in the streets: more grids per km² than in the towns.
    kind = grids.town_id.map(towns.set_index("id").kind)
    density = grids.groupby(kind).size() / grids.groupby(kind).area_km2.sum()
    assert density["street"] > 2 * density["town"]
    # Stored centroid, box and area agree with the boundary.
    assert np.allclose(micro[["min_lon", "min_lat", "max_lon", "max_lat"]], shapely.bounds(micro.geom))
    assert abs(micro.area_km2.sum() - area) < 1e-6 * area


def test_county_event_points_in_micro_grids(county):
    url, _, data = county
    micro = _geoms(url, "micro_grids").set_index("id")
    ev = data["events"]
    polys = micro.geom.reindex(ev.micro_grid_id).to_numpy()
    shapely.prepare(polys)
    assert shapely.contains_xy(polys, ev.lon.to_numpy(), ev.lat.to_numpy()).all()
    grid_of = micro.grid_id.reindex(ev.micro_grid_id).to_numpy()
    assert (grid_of == ev.grid_id.to_numpy()).all()


# --- county: check-ins, ratings, planted patterns ----------------------------------------------


def test_county_checkins(county):
    _, _, data = county
    ck, w = data["checkins"], data["workers"]
    local = ck["at"].dt.tz_convert("Asia/Shanghai")
    assert (pd.to_datetime(ck.checkin_date).dt.date == local.dt.date).all()
    assert local.dt.date.min() >= COUNTY_DAY - dt.timedelta(days=60) and (ck["at"] <= COUNTY_END_UTC).all()
    ft = set(w[w.employment_type == "full_time"].id)
    first = ck.sort_values("at").groupby(["worker_id", "checkin_date"]).head(1)
    first_local = first["at"].dt.tz_convert("Asia/Shanghai")
    ft_first = first_local[first.worker_id.isin(ft)]
    assert ((ft_first.dt.hour * 60 + ft_first.dt.minute) <= 8 * 60 + 30).mean() > 0.95
    per_day = ck.groupby(["worker_id", "checkin_date"]).size()
    assert per_day[per_day.index.get_level_values(0).isin(ft)].between(1, 7).all()
    last_day = ck[pd.to_datetime(ck.checkin_date).dt.date == COUNTY_DAY]
    silent = 1 - last_day.grid_id.nunique() / 781
    assert 0.02 <= silent <= 0.05


def test_county_department_ratings(county):
    _, _, data = county
    r, depts = data["ratings"], data["departments"]
    county_depts = set(depts[depts.level == "county"].id)
    assert set(r.department_id) == county_depts
    assert r.score.between(0, 100).all()
    assert r.groupby(["town_id", "department_id"]).size().nunique() == 1  # every town, every month
    mean = r.groupby("department_id").score.mean()
    perf = department_measures(data["events"], data["steps"])
    mismatch = planted(data, "rating_mismatch")
    assert 2 <= len(mismatch) <= 3
    slow_or_returning = planted(data, "slow_department") | planted(data, "returning_department")
    for d in mismatch:  # each disagrees with its data
        if mean[d] >= 85:
            assert d in slow_or_returning
        else:
            assert mean[d] <= 65 and perf.loc[d, "accept"] <= perf.accept.median()
    honest = [d for d in perf.index if d in county_depts and d not in mismatch]
    # Spearman's rank correlation, spelled as Pearson's on ranks (pandas' method="spearman" needs scipy)
    assert mean[honest].rank().corr((-perf.loc[honest, "accept"]).rank()) > 0.4


def test_county_planted_patterns_are_detectable(county):
    _, _, data = county
    for pattern in DETECTORS:
        truth = planted(data, pattern)
        assert truth, pattern
        precision, recall = detector_score(data, pattern)
        print(f"{pattern:22} planted {len(truth):3} precision {precision:.2f} recall {recall:.2f}")
        assert precision >= 0.9 and recall >= 0.9, pattern
    w = data["workers"].set_index("id")
    for pattern in ("padding", "near_duplicates", "empty_patrol"):
        assert (w.loc[sorted(planted(data, pattern)), "employment_type"] == "full_time").all()
    ft = (w.employment_type == "full_time") & w.left_on.isna()
    assert 0.04 <= len(planted(data, "padding")) / ft.sum() <= 0.08  # the families and quota pressure
    units = data["events"].groupby("village_id").grid_id.nunique()
    assert (units.reindex(sorted(planted(data, "filtering"))) >= 2).all()


# --- tiny profile ------------------------------------------------------------------------------


def test_tiny_profile(tmp_path):
    began = time.perf_counter()
    url, summary = tiny(tmp_path)
    seconds = time.perf_counter() - began
    print(f"\ntiny profile built in {seconds:.2f} s")  # speed is the benchmark's business, not asserted here
    t = summary["tables"]
    assert (t["grids"], t["micro_grids"]) == (12, 40)
    assert summary["active_workers"] == 60 and summary["full_time"] == 15
    assert 1_300 <= t["events"] <= 1_700
    units = read(url, "SELECT level FROM admin_units").level.value_counts()
    assert units["town"] == 2 and units["village"] == 5
    meta = dict(read(url, "SELECT key, value FROM store_meta").values)
    assert meta["profile"] == "tiny" and meta["timezone"] == "Asia/Shanghai"
    assert meta["end"] == "2025-06-15T02:00:00+00:00" and meta["months"] == "3" and meta["seed"] == "7"
    assert meta["schema_version"] == str(schema.SCHEMA_VERSION)
    assert {k: summary[k] for k in ("tables", "active_workers", "full_time")} == store_summary(url)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_tiny_planted_patterns_are_detectable(tmp_path, seed):
    url, _ = tiny(tmp_path, seed)
    data = load(url)
    for pattern in DETECTORS:
        assert planted(data, pattern), pattern
        precision, recall = detector_score(data, pattern)
        assert precision >= 0.9 and recall >= 0.9, (pattern, seed)
    assert planted(data, "rating_mismatch")


def test_deterministic(tmp_path):
    url_a, _ = tiny(tmp_path, 7, "a.db")
    url_b, _ = tiny(tmp_path, 7, "b.db")
    url_c, _ = tiny(tmp_path, 8, "c.db")
    a, b, c = dump(url_a), dump(url_b), dump(url_c)
    assert a == b
    assert a["events"] != c["events"] and a["micro_grids"] != c["micro_grids"]


def test_refuses_to_overwrite(tmp_path):
    url, _ = tiny(tmp_path)
    before = dump(url)
    cmd = [
        sys.executable,
        "-m",
        "sample_data.generate",
        "--db",
        url,
        "--profile",
        "tiny",
        "--seed",
        "9",
        "--end",
        END,
        "--quiet",
    ]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "already holds data" in result.stderr and "--replace" in result.stderr
    assert dump(url) == before
    result = subprocess.run(cmd + ["--replace"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "events" in result.stdout and dump(url)["events"] != before["events"]


# --- bulk writer and PostgreSQL ----------------------------------------------------------------


def _pg_url() -> str:
    """A fresh database of its own (not GRID_TEST_PG_URL's, which other workers share)."""
    return fresh_pg_database("generate")


def _roundtrip(url: str) -> None:
    """Bulk-written values are stored exactly as SQLAlchemy would store them and read back equal."""
    md = MetaData()
    cols = lambda: [  # noqa: E731
        Column("id", Integer, primary_key=True),
        Column("at", schema.UtcDateTime),
        Column("day", Date),
        Column("flag", Boolean),
        Column("x", Float),
        Column("s", String(20)),
    ]
    bulk_t, orm_t = Table("gen_test_bulk", md, *cols()), Table("gen_test_orm", md, *cols())
    utc = dt.UTC
    rows = [
        {
            "id": 1,
            "at": dt.datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=utc),
            "day": dt.date(2025, 1, 2),
            "flag": True,
            "x": 0.1,
            "s": "城关\t街道",
        },
        {
            "id": 2,
            "at": dt.datetime(2024, 12, 31, 16, 0, tzinfo=utc),
            "day": dt.date(2024, 2, 29),
            "flag": False,
            "x": 121.123456,
            "s": "a\\b",
        },
        {"id": 3, "at": None, "day": None, "flag": None, "x": None, "s": None},
    ]
    eng = create_engine(url)
    try:
        md.drop_all(eng)
        md.create_all(eng)
        with eng.begin() as conn:
            conn.execute(orm_t.insert(), rows)
            BulkWriter(conn).insert(
                bulk_t,
                {
                    "id": [r["id"] for r in rows],
                    "at": np.array(
                        [np.datetime64(r["at"].replace(tzinfo=None), "us") if r["at"] else "NaT" for r in rows],
                        dtype="datetime64[us]",
                    ),
                    "day": np.array([r["day"] or "NaT" for r in rows], dtype="datetime64[D]"),
                    "flag": [r["flag"] for r in rows],
                    "x": [r["x"] for r in rows],
                    "s": [r["s"] for r in rows],
                },
            )
        with eng.connect() as conn:
            got_bulk = [dict(r._mapping) for r in conn.execute(select(bulk_t).order_by(bulk_t.c.id))]
            got_orm = [dict(r._mapping) for r in conn.execute(select(orm_t).order_by(orm_t.c.id))]
            if eng.dialect.name == "sqlite":  # the very same stored text
                raw = lambda t: conn.execute(  # noqa: E731
                    text(f"SELECT CAST(at AS TEXT), CAST(day AS TEXT), flag FROM {t} ORDER BY id")
                ).all()
                assert raw("gen_test_bulk") == raw("gen_test_orm")
        assert got_bulk == got_orm == rows
        assert got_bulk[0]["at"].tzinfo is not None
    finally:
        md.drop_all(eng)
        eng.dispose()


def test_bulk_roundtrip_sqlite(tmp_path):
    _roundtrip(f"sqlite:///{tmp_path / 'bulk.db'}")


def test_bulk_roundtrip_postgres():
    _roundtrip(_pg_url())


def test_tiny_on_postgres_matches_sqlite(tmp_path):
    url = _pg_url()
    pg = generate(url, profile="tiny", seed=7, end=END, progress=False, replace=True)
    _, lite = tiny(tmp_path)
    assert pg["tables"] == lite["tables"]
    assert (pg["active_workers"], pg["full_time"]) == (lite["active_workers"], lite["full_time"])
    # Same content, read back through the schema (timestamps zone-aware on both).
    a, b = dump(url), dump(f"sqlite:///{tmp_path / 'tiny.db'}")
    for name in ("events", "event_steps", "workers", "micro_grids", "patrol_checkins"):
        assert a[name] == b[name], name
    reported = a["events"][0][list(schema.events.c.keys()).index("reported_at")]
    assert reported.tzinfo is not None
    with create_engine(url).connect() as conn:  # serials moved past the explicit ids
        next_id = conn.execute(text("SELECT nextval(pg_get_serial_sequence('events', 'id'))")).scalar_one()
    assert next_id > len(a["events"])
    # Leave the shared test database empty for whoever uses it next.
    eng = create_engine(url)
    schema.metadata.drop_all(eng)
    eng.dispose()
