"""Integrity signals: features against an independent pandas computation (tiny county, SQLite and
PostgreSQL), detectors blind to planted_patterns, bounded evidence, and precision / recall of each
signal against the planted truth on the sample county (seed 7 ≥ 0.9; seeds 11, 23, 42 ≥ 0.8)."""

from __future__ import annotations

import datetime as dt
import math
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine

from data_access import integrity
from data_access.filters import Filters
from data_access.rules import default_rule_rows
from tests.conftest import sample_county_url, tiny_pg_database, tiny_sqlite_copy

ROOT = Path(__file__).resolve().parent.parent
END_ISO = "2026-11-22T10:00:00+08:00"
AS_OF = dt.datetime.fromisoformat(END_ISO).astimezone(dt.UTC)
MONTH = dt.date(2026, 11, 1)
SEED = 7
PATTERN_OF = {
    "padding": "padding",
    "near_duplicates": "near_duplicates",
    "empty_patrol": "empty_patrol",
    "selective": "filtering",
}


@pytest.fixture(scope="module")
def tiny_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("integrity") / "tiny.db"
    tiny_sqlite_copy(path, SEED)
    return path


@pytest.fixture(scope="module")
def tiny_sqlite(tiny_path) -> str:
    return f"sqlite:///{tiny_path}"


@pytest.fixture(scope="module")
def tiny_pg() -> str:
    return tiny_pg_database("integrity", SEED)


def filters(town_id: int | None = None) -> Filters:
    return Filters(date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 22), as_of=AS_OF, town_id=town_id)


def irules() -> dict[str, float]:
    return {r["key"]: r["value"] for r in default_rule_rows() if r["ruleset"] == "integrity"}


def read(url: str, sql: str) -> pd.DataFrame:
    engine = create_engine(url)
    with engine.connect() as conn:
        out = pd.read_sql(sql, conn)
    engine.dispose()
    return out


def grid_reports(url: str, months: float) -> pd.DataFrame:
    start, end = integrity.window(MONTH, months)
    ev = read(
        url,
        "SELECT e.*, t.trivial FROM events e JOIN event_item_types t ON t.code = e.item_type_code "
        "WHERE e.reported_by IS NOT NULL",
    )
    for col in ("reported_at", "closed_at"):
        ev[col] = pd.to_datetime(ev[col], utc=True, format="ISO8601")
    ev["report_date"] = pd.to_datetime(ev["report_date"]).dt.date
    ev = ev[(ev["report_date"] >= start) & (ev["report_date"] <= end) & (ev["reported_at"] <= pd.Timestamp(AS_OF))]
    return ev.copy()


def cos_lat(url: str) -> float:
    return math.cos(math.radians(float(read(url, "SELECT AVG(centroid_lat) AS lat FROM grids")["lat"].iloc[0])))


# --- features, computed again with pandas -------------------------------------------------------


def test_padding_features_match_pandas(tiny_sqlite):
    r = irules()
    ev = grid_reports(tiny_sqlite, r["padding_window_months"])
    local = ev["reported_at"].dt.tz_convert("Asia/Shanghai")
    first_hour = (local.dt.day_of_week < 5) & (local.dt.hour == int(r["padding_first_hour"]))
    month_end = (local.dt.days_in_month - local.dt.day) < r["padding_month_end_days"]
    quick = (ev["closed_at"] - ev["reported_at"]).dt.total_seconds() <= r["padding_quick_close_minutes"] * 60
    ev["suspect"] = ev["trivial"].astype(bool) & (first_hour | month_end) & quick.fillna(False)
    want = ev.groupby("reported_by").agg(reports=("id", "size"), suspect=("suspect", "sum"))
    got = integrity.padding_features(create_engine(tiny_sqlite), filters(), MONTH).set_index("worker_id")
    assert got["reports"].to_dict() == want["reports"].to_dict()
    assert got["suspect"].to_dict() == want["suspect"].astype(int).to_dict()
    assert want["suspect"].sum() > 0


def test_near_duplicate_pairs_match_pandas(tiny_sqlite):
    r = irules()
    ev = grid_reports(tiny_sqlite, r["near_duplicates_window_months"]).sort_values(
        ["reported_by", "item_type_code", "reported_at", "id"]
    )
    prev = ev.groupby(["reported_by", "item_type_code"])[["reported_at", "lon", "lat"]].shift()
    gap = (ev["reported_at"] - prev["reported_at"]).dt.total_seconds()
    dx = (ev["lon"] - prev["lon"]) * cos_lat(tiny_sqlite) * 111_320
    dy = (ev["lat"] - prev["lat"]) * 110_574
    pair = (gap <= r["near_duplicates_max_hours"] * 3600) & (np.hypot(dx, dy) <= r["near_duplicates_max_metres"])
    want = ev[pair].groupby("reported_by").size()
    got = integrity.near_duplicate_features(create_engine(tiny_sqlite), filters(), MONTH).set_index("worker_id")[
        "pairs"
    ]
    assert got.to_dict() == want.to_dict() and len(want) > 0


def empty_patrol_by_pandas(url: str) -> pd.DataFrame:
    r = irules()
    start, end = integrity.window(MONTH, r["empty_patrol_window_months"])
    ck = read(url, f"SELECT * FROM patrol_checkins WHERE checkin_date >= '{start}'")  # constant, not user input
    ck["at"] = pd.to_datetime(ck["at"], utc=True, format="ISO8601")
    ck["checkin_date"] = pd.to_datetime(ck["checkin_date"]).dt.date
    ck = ck[(ck["checkin_date"] >= start) & (ck["checkin_date"] <= end) & (ck["at"] <= pd.Timestamp(AS_OF))]
    ck = ck.sort_values(["worker_id", "checkin_date", "at", "id"])
    prev = ck.groupby(["worker_id", "checkin_date"])[["at", "lon", "lat"]].shift()
    secs = (ck["at"] - prev["at"]).dt.total_seconds()
    metres = np.hypot((ck["lon"] - prev["lon"]) * cos_lat(url) * 111_320, (ck["lat"] - prev["lat"]) * 110_574)
    ck["fast"] = prev["at"].notna() & (metres > secs * r["empty_patrol_max_kmh"] / 3.6) & (metres > 1)
    # A track is the ordered tuple of its points: repeated = the same tuple on another day.
    ck["point"] = list(zip(ck["lon"], ck["lat"]))
    days = ck.groupby(["worker_id", "checkin_date"]).agg(fast=("fast", "any"), track=("point", tuple))
    days["points"] = days["track"].map(len)
    days["repeated"] = (days["points"] >= r["empty_patrol_route_min_points"]) & days.groupby(["worker_id", "track"])[
        "fast"
    ].transform("size").gt(1)
    days["suspect"] = days["fast"] | days["repeated"]
    return days.groupby("worker_id").agg(
        patrol_days=("fast", "size"),
        fast_days=("fast", "sum"),
        repeated_days=("repeated", "sum"),
        suspect_days=("suspect", "sum"),
    )


def test_empty_patrol_features_match_pandas(tiny_sqlite):
    want = empty_patrol_by_pandas(tiny_sqlite)
    got = integrity.empty_patrol_features(create_engine(tiny_sqlite), filters(), MONTH).set_index("worker_id")
    for col in want.columns:
        assert got[col].to_dict() == want[col].astype(int).to_dict(), col
    assert want["fast_days"].sum() > 0


def test_repeated_tracks_match_pandas_on_the_county():
    """The tiny county's planted walker may only jump; the county has tracks uploaded day after day."""
    url = f"sqlite:///file:{county_db(SEED)}?mode=ro&uri=true"
    want = empty_patrol_by_pandas(url)
    got = integrity.empty_patrol_features(create_engine(url), filters(), MONTH).set_index("worker_id")
    for col in want.columns:
        assert got[col].to_dict() == want[col].astype(int).to_dict(), col
    assert want["repeated_days"].sum() > 0 and want["fast_days"].sum() > 0


def test_selective_features_match_pandas(tiny_sqlite):
    r = irules()
    start, end = integrity.window(MONTH, r["selective_window_months"])
    ev = read(tiny_sqlite, "SELECT village_id, reported_by, source, escalations, report_date, reported_at FROM events")
    ev["report_date"] = pd.to_datetime(ev["report_date"]).dt.date
    ev["reported_at"] = pd.to_datetime(ev["reported_at"], utc=True, format="ISO8601")
    ev = ev[(ev["report_date"] >= start) & (ev["report_date"] <= end) & (ev["reported_at"] <= pd.Timestamp(AS_OF))]
    grid = ev["reported_by"].notna()
    ev = ev.assign(
        grid=grid,
        escalated=grid & (ev["escalations"] > 0),
        bypass=~grid & ev["source"].isin(["resident_call", "hotline_12345"]),
    )
    want = ev.groupby("village_id")[["grid", "escalated", "bypass"]].sum()
    got = integrity.village_signals(create_engine(tiny_sqlite), filters(), MONTH).set_index("village_id")
    assert got["grid_reports"].to_dict() == want["grid"].astype(int).to_dict()
    assert got["escalated"].to_dict() == want["escalated"].astype(int).to_dict()
    assert got["bypass"].to_dict() == want["bypass"].astype(int).to_dict()
    county_esc = want["escalated"].sum() / want["grid"].sum()
    county_bypass = want["bypass"].sum() / want["grid"].sum()
    flag = (
        (want["grid"] >= r["selective_min_reports"])
        & (want["escalated"] / want["grid"] <= r["selective_escalation_rel_max"] * county_esc)
        & (want["bypass"] / want["grid"] >= r["selective_outside_rel_min"] * county_bypass)
    )
    assert got["selective"].to_dict() == flag.to_dict()


def test_postgresql_gives_the_same_signals(tiny_sqlite, tiny_pg):
    lite, pg = create_engine(tiny_sqlite), create_engine(tiny_pg)
    a = integrity.worker_signals(lite, filters(), MONTH)
    b = integrity.worker_signals(pg, filters(), MONTH)
    pd.testing.assert_frame_equal(a.drop(columns=["name"]), b.drop(columns=["name"]), check_dtype=False)
    pd.testing.assert_frame_equal(
        integrity.village_signals(lite, filters(), MONTH),
        integrity.village_signals(pg, filters(), MONTH),
        check_dtype=False,
    )
    for signal in integrity.SIGNALS:
        table = a if signal != "selective" else integrity.village_signals(lite, filters(), MONTH)
        col = "worker_id" if signal != "selective" else "village_id"
        sid = int(table.loc[table[signal], col].iloc[0])
        ea = integrity.evidence(lite, filters(), MONTH, signal, sid)
        eb = integrity.evidence(pg, filters(), MONTH, signal, sid)
        assert len(ea) == len(eb) > 0
        key = "checkin_id" if signal == "empty_patrol" else "event_id"
        assert list(ea[key]) == list(eb[key])
        assert integrity.evidence_count(lite, filters(), MONTH, signal, sid) == integrity.evidence_count(
            pg, filters(), MONTH, signal, sid
        )
    lite.dispose()
    pg.dispose()


def test_detectors_never_read_planted_patterns(tiny_path, tmp_path):
    blind = tmp_path / "blind.db"
    shutil.copy(tiny_path, blind)
    with sqlite3.connect(blind) as conn:
        conn.execute("DROP TABLE planted_patterns")
    a = integrity.worker_signals(create_engine(f"sqlite:///{tiny_path}"), filters(), MONTH)
    b = integrity.worker_signals(create_engine(f"sqlite:///{blind}"), filters(), MONTH)
    pd.testing.assert_frame_equal(a, b)
    assert "planted_patterns" not in (ROOT / "data_access" / "integrity.py").read_text().replace(
        "never `planted_patterns`", ""
    )


def test_evidence_is_paged_and_is_the_rows_behind_the_flag(tiny_sqlite):
    engine = create_engine(tiny_sqlite)
    w = integrity.worker_signals(engine, filters(), MONTH)
    r = irules()
    padder = w[w["padding"]].iloc[0]
    rows = integrity.evidence(engine, filters(), MONTH, "padding", int(padder["worker_id"]))
    assert len(rows) == min(int(padder["padding_suspect"]), integrity.EVIDENCE_PAGE)
    assert (rows["minutes_to_close"] <= r["padding_quick_close_minutes"]).all()
    walker = w[w["empty_patrol"]].iloc[0]
    sid = int(walker["worker_id"])
    total = integrity.evidence_count(engine, filters(), MONTH, "empty_patrol", sid)
    first = integrity.evidence(engine, filters(), MONTH, "empty_patrol", sid, 0)
    second = integrity.evidence(engine, filters(), MONTH, "empty_patrol", sid, 1)
    assert len(first) == min(total, integrity.EVIDENCE_PAGE)
    assert len(second) == max(0, min(total - integrity.EVIDENCE_PAGE, integrity.EVIDENCE_PAGE))
    assert not set(first["checkin_id"]) & set(second["checkin_id"])
    fast = first[first["reason"] == "fast"]
    assert (fast["kmh"].isna() | (fast["kmh"] > r["empty_patrol_max_kmh"])).all()
    dup = w[w["near_duplicates"]].iloc[0]
    pairs = integrity.evidence(engine, filters(), MONTH, "near_duplicates", int(dup["worker_id"]))
    assert len(pairs) == int(dup["dup_pairs"])
    assert (pairs["metres"] <= r["near_duplicates_max_metres"]).all()
    assert (pairs["hours_after"] <= r["near_duplicates_max_hours"]).all()
    with pytest.raises(ValueError):
        integrity.evidence(engine, filters(), MONTH, "gossip", sid)
    with pytest.raises(ValueError):
        integrity.evidence(engine, filters(), MONTH, "padding", sid, -1)


def test_town_filter_narrows_rows_only(tiny_sqlite):
    engine = create_engine(tiny_sqlite)
    full = integrity.village_signals(engine, filters(), MONTH)
    town = int(full["town_id"].iloc[0])
    narrow = integrity.village_signals(engine, filters(town), MONTH)
    assert set(narrow["town_id"]) == {town}
    # County-wide reference shares: a community's relative values do not change with the filter.
    merged = narrow.merge(full, on="village_id", suffixes=("", "_full"))
    assert np.allclose(merged["escalation_rel"], merged["escalation_rel_full"], equal_nan=True)


# --- precision and recall against the planted truth ---------------------------------------------


def county_db(seed: int) -> Path:
    """The sample county for `seed` (tests.conftest.sample_county_url: built once, cached)."""
    return Path(sample_county_url(seed).removeprefix("sqlite:///"))


def evaluate(seed: int) -> dict[str, tuple[float, float, int, int]]:
    engine = create_engine(f"sqlite:///file:{county_db(seed)}?mode=ro&uri=true")
    truth = pd.read_sql("SELECT pattern, subject_id FROM planted_patterns", engine)  # tests alone read it
    w = integrity.worker_signals(engine, filters(), MONTH)
    v = integrity.village_signals(engine, filters(), MONTH)
    out = {}
    for signal, pattern in PATTERN_OF.items():
        table, col = (v, "village_id") if signal == "selective" else (w, "worker_id")
        planted = set(truth.loc[truth["pattern"] == pattern, "subject_id"])
        flagged = set(table.loc[table[signal], col])
        hit = len(planted & flagged)
        out[signal] = (
            hit / len(flagged) if flagged else 0.0,
            hit / len(planted) if planted else 0.0,
            len(flagged),
            len(planted),
        )
    engine.dispose()
    return out


@pytest.mark.parametrize("seed,floor", [(7, 0.9), (11, 0.8), (23, 0.8), (42, 0.8)])
def test_signals_find_the_planted_patterns(seed, floor):
    result = evaluate(seed)
    print(f"\nseed {seed} (window ending {MONTH:%Y-%m}):")
    for signal, (precision, recall, flagged, planted) in result.items():
        print(f"  {signal:16s} precision {precision:.2f}  recall {recall:.2f}  (flagged {flagged}, planted {planted})")
    for signal, (precision, recall, _, planted) in result.items():
        assert planted > 0, signal
        assert precision >= floor and recall >= floor, (seed, signal, precision, recall)
