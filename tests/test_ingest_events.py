"""Event import: encodings, mappings, placement, steps, refusals, re-import, and a kill mid-transaction."""

from __future__ import annotations

import datetime as dt
import os
import select as io_select
import signal
import subprocess
import sys
import time
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import shapely
from sqlalchemy import select

from data_access import departments, schema
from data_access.filters import Filters
from data_access.ingest import ImportRefused, import_boundaries, import_events
from data_access.ingest._db import PAUSE_ENV, PAUSE_MARK
from data_access.ingest.encodings import detect_encoding
from data_access.queries import frame
from data_access.sqlfuncs import percentiles, seconds_between
from data_access.store import create_store_engine
from tests.conftest import ROOT, fresh_pg_database
from tests.data import build_test_data as built
from tests.data.ingest_support import CN_PLATFORM, DATA, OPEN311, empty_store, fingerprint, import_base_boundaries

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=TZ)  # the files end on 2026-11-21


@pytest.fixture(scope="module")
def pg_db():
    return fresh_pg_database("ingest_events")


def _store(kind: str, tmp_path, request, name: str = "store") -> str:
    url = f"sqlite:///{tmp_path / f'{name}.db'}" if kind == "sqlite" else request.getfixturevalue("pg_db")
    empty_store(url)
    import_base_boundaries(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> str:
    """Towns, villages and grids of the test district — no micro-grids."""
    return _store(request.param, tmp_path, request)


def table(url, t, *where, order=None) -> pd.DataFrame:
    engine = create_store_engine(url)
    q = select(t).where(*where).order_by(order if order is not None else t.c.id)
    df = frame(engine, q)
    engine.dispose()
    return df


def test_encodings_are_detected():
    assert detect_encoding((DATA / "cn_platform_gbk.csv").read_bytes()) == "gb18030"
    assert detect_encoding((DATA / "cn_platform_bom.csv").read_bytes()) == "utf-8-sig"
    assert detect_encoding((DATA / "open311_requests.csv").read_bytes()) == "utf-8"


def test_gbk_bom_and_xlsx_give_the_same_store(tmp_path, request):
    prints = []
    for i, name in enumerate(("cn_platform_gbk.csv", "cn_platform_bom.csv", "cn_platform.xlsx")):
        url = _store("sqlite", tmp_path, request, name=f"s{i}")
        report = import_events(DATA / name, url, CN_PLATFORM, now=NOW)
        assert report.committed and report.ok and report.inserted == 48
        prints.append(fingerprint(url))
    assert prints[0] == prints[1] == prints[2]
    assert table(url, schema.events)["description"].str.contains("附近").all()  # Chinese read right


def test_events_are_placed_by_point_in_polygon(store):
    report = import_events(DATA / "cn_platform_gbk.csv", store, CN_PLATFORM, now=NOW)
    assert report.committed and report.counts["placed_by"] == "grid"
    ev = table(store, schema.events)
    grids = table(store, schema.grids).set_index("code")
    boxes = {g["grid_code"]: g["geometry"] for g in built.units()[2]}
    for e in ev.itertuples():
        inside = [code for code, b in boxes.items() if b.intersects(shapely.Point(e.lon, e.lat))]
        g = grids.loc[inside[0]]
        assert (e.grid_id, e.village_id, e.town_id) == (g["id"], g["village_id"], g["town_id"])
    assert ev["micro_grid_id"].isna().all()  # the hierarchy has no micro-grids


def test_micro_grid_is_assigned_where_the_store_has_them(store, tmp_path):
    """Micro-grids cover town T01 only: its events get one, T02's fall back to their grid."""
    import geopandas as gpd

    halves = []
    for g in built.units()[2][:4]:
        a, b, c, d = g["geometry"].bounds
        halves += [
            {"mg": f"{g['grid_code']}M1", "nm": "W", "geometry": shapely.box(a, b, (a + c) / 2, d)},
            {"mg": f"{g['grid_code']}M2", "nm": "E", "geometry": shapely.box((a + c) / 2, b, c, d)},
        ]
    path = tmp_path / "micro.geojson"
    gpd.GeoDataFrame(halves, crs="EPSG:4326").to_file(path, driver="GeoJSON")
    assert import_boundaries(path, store, "micro_grid", "mg", "nm").committed
    report = import_events(DATA / "cn_platform_gbk.csv", store, CN_PLATFORM, now=NOW)
    assert report.committed and report.counts["placed_by"] == "micro_grid"
    ev = table(store, schema.events)
    micro = table(store, schema.micro_grids).set_index("id")
    grids = table(store, schema.grids).set_index("id")
    t01 = ev["lon"] < 120.06
    assert t01.any() and (~t01).any()
    assert ev.loc[t01, "micro_grid_id"].notna().all() and ev.loc[~t01, "micro_grid_id"].isna().all()
    for e in ev[~t01].itertuples():
        assert shapely.from_wkt(grids.loc[e.grid_id, "boundary_wkt"]).intersects(shapely.Point(e.lon, e.lat))
    for e in ev[t01].itertuples():
        m = micro.loc[e.micro_grid_id]
        assert shapely.from_wkt(m["boundary_wkt"]).intersects(shapely.Point(e.lon, e.lat))
        assert (e.grid_id, e.village_id, e.town_id) == (m["grid_id"], m["village_id"], m["town_id"])


def test_steps_deadline_and_local_days_follow_the_file(store):
    import_events(DATA / "cn_platform_gbk.csv", store, CN_PLATFORM, now=NOW)
    src = built.cn_rows()
    ev = table(store, schema.events).set_index("code")
    steps = table(store, schema.event_steps, order=schema.event_steps.c.seq)
    hours = {"紧急": 4, "较急": 24, "一般": 120}  # common.deadline_hours_* of the default rules
    fmt = "%Y/%m/%d %H:%M:%S"
    checked = 0
    for rec in src.to_dict("records"):
        e = ev.loc[rec["事件编号"]]
        rep = dt.datetime.strptime(rec["上报时间"], fmt).replace(tzinfo=TZ)
        assert e["reported_at"] == rep and e["report_date"] == rep.date()
        assert e["deadline"] == rep + dt.timedelta(hours=hours[rec["紧急程度"]])
        own = steps[steps["event_id"] == e["id"]]
        want = [
            ("report", "上报时间"),
            ("accept", "受理时间"),
            ("dispatch", "派遣时间"),
            ("complete", "办结时间"),
            ("close", "结案时间"),
        ]
        want = [(a, dt.datetime.strptime(rec[c], fmt).replace(tzinfo=TZ)) for a, c in want if rec[c]]
        assert list(zip(own["action"], own["at"])) == want
        assert list(own["seq"]) == list(range(1, len(want) + 1))
        status = {"已结案": "closed", "处置中": "handling", "已办结": "completed"}[rec["办理状态"]]
        assert e["status"] == status
        if status == "closed":
            closed = want[-1][1]
            assert e["closed_at"] == closed and e["close_date"] == closed.astimezone(TZ).date()
            assert e["satisfaction"] == int(rec["满意度"]) and e["handled_level"] == "department"
            checked += 1
        else:
            assert pd.isna(e["closed_at"]) and pd.isna(e["close_date"])
        dispatch = own[own["action"] == "dispatch"].iloc[0]
        assert dispatch["to_level"] == "department" and dispatch["to_unit_id"] == e["department_id"]
    assert checked > 20


def test_broken_rows_are_reported_and_change_nothing(store, tmp_path):
    import_events(DATA / "open311_requests.csv", store, OPEN311, now=NOW)
    before = fingerprint(store)
    report = import_events(DATA / "cn_platform_broken_gbk.csv", store, CN_PLATFORM, now=NOW)
    assert not report.committed and report.encoding == "gb18030"
    got = {(p.row, p.field): p.reason for p in report.errors}
    assert got[(3, "事件编号")] == "duplicate id 'BAD001' (first at row 2)"
    assert got[(4, "结案时间")].startswith("close at 2026-09-01T08:00:00+08:00 is before report at")
    assert "lies outside every grid boundary" in got[(5, "lon/lat")]
    assert got[(6, "事件大类")] == "unknown category '外星人入侵'"
    assert got[(7, "上报时间")] == "unparseable time '2026-13-45 25:00'"
    assert got[(8, "事件编号")] == "empty id"
    assert sorted(report.bad_rows) == [3, 4, 5, 6, 7, 8]
    assert report.rejected["row"].tolist() == [3, 4, 5, 6, 7, 8]
    assert report.rejected["reasons"].str.len().gt(0).all() and "事件编号" in report.rejected.columns
    assert fingerprint(store) == before
    # --allow-partial loads rows 2 and 9, and nothing else
    partial = import_events(DATA / "cn_platform_broken_gbk.csv", store, CN_PLATFORM, now=NOW, allow_partial=True)
    assert partial.committed and partial.inserted == 2
    codes = set(table(store, schema.events, schema.events.c.code.like("BAD%"))["code"])
    assert codes == {"BAD001", "BAD008"}


def test_missing_columns_and_bad_mappings_are_refused(store, tmp_path):
    before = fingerprint(store)
    with pytest.raises(ImportRefused, match="column.*事件编号.*not in the file"):
        import_events(DATA / "open311_requests.csv", store, CN_PLATFORM, now=NOW)
    with pytest.raises(ImportRefused, match="urgency 'asap'"):
        import_events(
            DATA / "open311_requests.csv",
            store,
            OPEN311.read_text(encoding="utf-8") + '\n[values.urgency]\nhigh = "asap"\n',
            now=NOW,
        )
    with pytest.raises(ImportRefused, match="must name the column of `report`"):
        import_events(
            DATA / "open311_requests.csv",
            store,
            '[meta]\ntimezone = "Asia/Shanghai"\n[fields]\ncode = "service_request_id"\nlon = "long"\nlat = "lat"\n',
            now=NOW,
        )
    no_grids = empty_store(f"sqlite:///{tmp_path / 'nogrid.db'}")
    with pytest.raises(ImportRefused, match="no grids"):
        import_events(DATA / "open311_requests.csv", no_grids, OPEN311, now=NOW)
    assert fingerprint(store) == before


def test_times_in_the_future_are_refused(store):
    report = import_events(DATA / "open311_requests.csv", store, OPEN311, now=dt.datetime(2026, 10, 1, tzinfo=TZ))
    assert not report.committed and report.errors
    assert all("in the future" in p.reason for p in report.errors)


def test_reimport_updates_instead_of_duplicating(store):
    first = import_events(DATA / "cn_platform_gbk.csv", store, CN_PLATFORM, now=NOW)
    counts, _ = fingerprint(store)
    again = import_events(DATA / "cn_platform_bom.csv", store, CN_PLATFORM, now=NOW)
    assert (first.inserted, again.inserted, again.updated) == (48, 0, 48)
    assert fingerprint(store)[0] == counts  # same events, same number of steps


def test_open311_median_response_per_department_equals_pandas(store):
    """Acceptance: per-department median response time on the store equals pandas on the file.

    The file is SYNTHETIC (tests/data/build_test_data.py): no real public 311 export can be
    fetched on this machine. Response time = updated_datetime − requested_datetime of closed requests.
    """
    report = import_events(DATA / "open311_requests.csv", store, OPEN311, now=NOW)
    assert report.committed and report.inserted == 320
    raw = pd.read_csv(DATA / "open311_requests.csv", dtype=str, keep_default_na=False)
    closed = raw[raw["status"] == "closed"].copy()
    hours = pd.to_datetime(closed["updated_datetime"]) - pd.to_datetime(closed["requested_datetime"])
    closed["hours"] = hours.dt.total_seconds() / 3600
    expected = closed.groupby("agency_responsible")["hours"].median()
    depts = table(store, schema.departments).set_index("code")
    codes = {
        "Housing and Construction Bureau": "D03",
        "Power Supply Company": "D20",
        "Urban Management Bureau": "D02",
        "Public Security Bureau": "D01",
        "Water Supply Company": "D21",
        "Ecology and Environment Bureau": "D09",
    }
    expected.index = [int(depts.loc[codes[a], "id"]) for a in expected.index]
    engine = create_store_engine(store)
    # 1) as the department-response page computes it (dispatch → complete, per department)
    # the period runs to the last update, so every completion falls inside it
    first = pd.to_datetime(raw["requested_datetime"]).dt.tz_convert(TZ).dt.date.min()
    last = pd.to_datetime(raw["updated_datetime"]).dt.tz_convert(TZ).dt.date.max()
    f = Filters(date_from=first, date_to=last, as_of=NOW.astimezone(dt.UTC))
    page = departments.response_by(engine, f, "department").set_index("bucket")
    page.index = page.index.astype(int)
    assert page.loc[expected.index, "complete_h_median"].to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-6)
    assert page.loc[expected.index, "received"].sum() == len(raw)
    # 2) directly on events: closed_at − reported_at, exact percentile in SQL
    e = schema.events
    src = (
        select(e.c.department_id, seconds_between(e.c.reported_at, e.c.closed_at).label("s"))
        .where(e.c.status == "closed")
        .subquery()
    )
    sql = frame(engine, percentiles(src, "s", ["department_id"], {"median": 0.5})).set_index("department_id")
    engine.dispose()
    assert (sql.loc[expected.index, "median"] / 3600).to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-6)


def _kill_midway(url: str, tmp_path) -> None:
    env = dict(os.environ, **{PAUSE_ENV: "120"})
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "data_access.ingest",
            "events",
            str(DATA / "open311_requests.csv"),
            "--db",
            url,
            "--mapping",
            str(OPEN311),
            "--quiet",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline, seen = time.monotonic() + 120, ""
        while PAUSE_MARK not in seen:
            assert proc.poll() is None, f"import ended before pausing: {proc.stderr.read()}"
            assert time.monotonic() < deadline, "import never reached the pause"
            ready, _, _ = io_select.select([proc.stderr], [], [], 1.0)
            if ready:
                seen += proc.stderr.readline()
        proc.send_signal(signal.SIGKILL)  # half the rows are written inside the open transaction
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL


def test_a_kill_inside_the_transaction_leaves_the_store_as_it_was(store, tmp_path):
    import_events(DATA / "cn_platform_gbk.csv", store, CN_PLATFORM, now=NOW)
    before = fingerprint(store)
    _kill_midway(store, tmp_path)
    assert fingerprint(store) == before
    # and the store still takes the same import afterwards
    report = import_events(DATA / "open311_requests.csv", store, OPEN311, now=NOW)
    assert report.committed and report.inserted == 320


def test_an_import_brings_the_derived_tables_along(store):
    """The pages read rollups: an import updates them in its own transaction."""
    from data_access import rollups
    from data_access.store import create_store_engine

    report = import_events(DATA / "open311_requests.csv", store, OPEN311, now=NOW)
    assert report.committed
    engine = create_store_engine(store)
    with engine.connect() as conn:
        assert rollups.status(conn).current
    engine.dispose()
