"""GCJ-02 / BD-09 coordinates converted to WGS-84 on import (boundaries and events), SQLite and PostgreSQL.

Reference points: the test vectors of eviltransform (github.com/googollee/eviltransform, the fixtures its
Go/Haskell/Rust/Ruby ports share): WGS-84 → GCJ-02 for Shanghai, Shenzhen and Beijing
(the Ruby port's two BD-09 → WGS-84 vectors are left out: they come from an approximate inverse and
do not round-trip, 10–41 m off). They come from an implementation independent of
prcoords, the library the importer uses.
"""

from __future__ import annotations

import json
import subprocess
import sys

import prcoords
import pytest
import shapely
from pyproj import Geod
from sqlalchemy import select

from data_access import schema
from data_access.ingest import ImportRefused, import_boundaries, import_events
from data_access.ingest.chinacrs import china_crs, looks_like_china_export, to_wgs84_xy
from data_access.ingest.mapping import load_mapping
from data_access.store import create_store_engine
from tests.conftest import ROOT, fresh_pg_database
from tests.data.ingest_support import OPEN311, empty_store, fingerprint

GEOD = Geod(ellps="WGS84")
# (WGS-84 lon, lat), (GCJ-02 lon, lat)
GCJ_REFERENCE = {
    "shanghai": ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
    "shenzhen": ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
    "beijing": ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
}


def metres(a, b) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


@pytest.fixture(scope="module")
def pg_db():
    return fresh_pg_database("ingest_china_crs")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_db")
    return empty_store(url)


def geojson(path, features):
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}
                    for props, geom in features
                ],
            }
        ),
        encoding="utf-8",
    )
    return path


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "data_access.ingest", *args, "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_spellings_and_export_signs():
    assert [china_crs(n) for n in ("gcj02", "GCJ-02", "gcj_02", "BD-09", "bd09", "EPSG:4326", None)] == [
        "gcj02",
        "gcj02",
        "gcj02",
        "bd09",
        "bd09",
        None,
        None,
    ]
    assert looks_like_china_export(["adcode", "name", "childrenNum"]) == "adcode, childrenNum"
    assert looks_like_china_export(["经度(高德)", "lat"]) == "经度(高德)"
    assert looks_like_china_export(["code", "name"]) is None


def test_bd09_points_land_on_their_wgs84_reference():
    """BD-09 is GCJ-02 plus Baidu's closed-form forward shift (prcoords.gcj_bd); the reference GCJ-02 points
    shifted to BD-09 must come back within 10 m of their WGS-84 reference through the importer's inverse."""
    for wgs, gcj in GCJ_REFERENCE.values():
        bd = prcoords.gcj_bd(prcoords.Coords(gcj[1], gcj[0]))
        (x,), (y,) = to_wgs84_xy("bd09", [bd.lon], [bd.lat])
        assert metres((x, y), wgs) < 10
        assert metres((bd.lon, bd.lat), wgs) > 300


def test_gcj02_polygon_lands_on_its_wgs84_reference(store, tmp_path):
    """The CLI with --crs gcj02: every vertex within 10 m of its reference; without it, hundreds of metres off."""
    names = ["shanghai", "shenzhen", "beijing"]
    gcj = shapely.Polygon([GCJ_REFERENCE[n][1] for n in names])
    path = geojson(tmp_path / "town_gcj.geojson", [({"code": "T1", "name": "参考镇", "adcode": 1}, gcj)])
    common = ["boundaries", str(path), "--db", store, "--level", "town", "--id-field", "code", "--name-field", "name"]
    plain = cli(*common, "--dry-run")
    assert plain.returncode == 0 and "--crs gcj02" in plain.stdout  # the DataV-style adcode property warns
    done = cli(*common, "--crs", "gcj02")
    assert done.returncode == 0, done.stderr
    assert "converted from GCJ-02" in done.stdout
    engine = create_store_engine(store)
    with engine.connect() as conn:
        wkt = conn.execute(
            select(schema.admin_units.c.boundary_wkt).where(schema.admin_units.c.code == "T1")
        ).scalar_one()
    engine.dispose()
    stored = list(shapely.from_wkt(wkt).exterior.coords)[:-1]
    for n in names:
        want = GCJ_REFERENCE[n][0]
        nearest = min(metres(p, want) for p in stored)
        assert nearest < 10, (n, nearest)
        assert metres(GCJ_REFERENCE[n][1], want) > 300  # the offset the conversion removed


def test_unknown_crs_names_gcj02_and_bd09(store, tmp_path):
    path = geojson(tmp_path / "t.geojson", [({"code": "T1", "name": "x"}, shapely.box(120, 30, 120.1, 30.1))])
    before = fingerprint(store)
    with pytest.raises(ImportRefused, match="--crs gcj02 or --crs bd09"):
        import_boundaries(path, store, "town", "code", "name", crs="Mars")
    assert fingerprint(store) == before


def test_events_in_gcj02_are_placed_where_they_are(store, tmp_path):
    """A grid drawn in WGS-84 around the Beijing reference; the event's GCJ-02 point lies ~550 m outside it."""
    wgs, gcj = GCJ_REFERENCE["beijing"]
    box = shapely.box(wgs[0] - 0.003, wgs[1] - 0.003, wgs[0] + 0.003, wgs[1] + 0.003)
    for level, code in (("town", "T1"), ("village", "T1V1"), ("grid", "G1")):
        path = geojson(tmp_path / f"{level}.geojson", [({"code": code, "name": code}, box)])
        assert import_boundaries(path, store, level, "code", "name").committed
    csv = tmp_path / "gcj_events.csv"
    header = "service_request_id,status,service_code,description,agency_responsible,address,"
    header += "requested_datetime,updated_datetime,expected_datetime,lat,long"
    csv.write_text(
        f"{header}\nB-1,open,pothole,hole,Urban Management Bureau,x,2026-09-24T09:49:00+08:00,,,{gcj[1]},{gcj[0]}\n",
        encoding="utf-8",
    )
    refused = import_events(csv, store, OPEN311, commit=False)
    assert refused.errors and "outside every grid" in refused.errors[0].reason
    report = import_events(csv, store, OPEN311, crs="gcj02")
    assert report.committed and not report.errors
    assert "converted from GCJ-02 to WGS-84" in " ".join(report.warnings)
    engine = create_store_engine(store)
    with engine.connect() as conn:
        lon, lat = conn.execute(select(schema.events.c.lon, schema.events.c.lat)).one()
    engine.dispose()
    assert metres((lon, lat), wgs) < 10


def test_mapping_names_its_crs():
    text = OPEN311.read_text(encoding="utf-8")
    assert load_mapping(text).crs == "wgs84"
    assert load_mapping(text.replace("[meta]\n", '[meta]\ncrs = "BD-09"\n', 1)).crs == "bd09"
    with pytest.raises(ImportRefused, match="wgs84, gcj02"):
        load_mapping(text.replace("[meta]\n", '[meta]\ncrs = "EPSG:32651"\n', 1))


def test_mapping_must_name_its_time_zone():
    text = OPEN311.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.startswith("timezone")]
    with pytest.raises(ImportRefused, match=r"\[meta\] must name the time zone"):
        load_mapping("\n".join(lines))
