"""Boundary import: three formats and CRSs, repairs, parents, refusals that leave the store unchanged."""

from __future__ import annotations

import subprocess
import sys

import geopandas as gpd
import pytest
import shapely
from pyproj import Geod
from sqlalchemy import select

from data_access import schema
from data_access.ingest import ImportRefused, import_boundaries
from data_access.store import create_store_engine
from tests.conftest import ROOT, fresh_pg_database
from tests.data import build_test_data as built
from tests.data.ingest_support import DATA, empty_store, fingerprint, import_base_boundaries

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def pg_db():
    return fresh_pg_database("ingest_boundaries")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_db")
    return empty_store(url)


def rows(url, table, *where):
    engine = create_store_engine(url)
    with engine.connect() as conn:
        out = [dict(r) for r in conn.execute(select(table).where(*where).order_by(table.c.code)).mappings()]
    engine.dispose()
    return out


def test_three_formats_and_crs_land_where_they_should(store):
    import_base_boundaries(store)
    towns = rows(store, schema.admin_units, schema.admin_units.c.level == "town")
    villages = rows(store, schema.admin_units, schema.admin_units.c.level == "village")
    grids = rows(store, schema.grids)
    county = rows(store, schema.admin_units, schema.admin_units.c.level == "county")
    assert [t["code"] for t in towns] == ["T01", "T02"] and len(villages) == 4 and len(grids) == 8
    assert len(county) == 1 and all(t["parent_id"] == county[0]["id"] for t in towns)
    assert [t["kind"] for t in towns] == ["street", "town"]
    assert [v["kind"] for v in villages] == ["community", "community", "village", "village"]
    town_id = {t["code"]: t["id"] for t in towns}
    village_id = {v["code"]: v["id"] for v in villages}
    assert {v["code"]: v["parent_id"] for v in villages} == {v["CODE"]: town_id[v["TOWN"]] for v in built.units()[1]}
    _, _, expected_grids = built.units()
    for g, want in zip(grids, expected_grids):
        assert g["code"] == want["grid_code"] and g["name"] == want["grid_name"]
        assert g["village_id"] == village_id[want["village"]] and g["town_id"] == town_id[want["village"][:3]]
        assert (g["households"], g["residents"]) == (want["households"], want["residents"])
        # UTM 51N → WGS 84 round trip: the corners come back within a centimetre (1e-7 deg)
        box = want["geometry"]
        assert (g["min_lon"], g["min_lat"], g["max_lon"], g["max_lat"]) == pytest.approx(box.bounds, abs=1e-7)
        assert (g["centroid_lon"], g["centroid_lat"]) == pytest.approx((box.centroid.x, box.centroid.y), abs=1e-6)
        geodesic_km2 = abs(GEOD.geometry_area_perimeter(box)[0]) / 1e6
        assert g["area_km2"] == pytest.approx(geodesic_km2, rel=2e-3)
        assert shapely.from_wkt(g["boundary_wkt"]).equals_exact(box, tolerance=1e-6)


def test_parent_by_location_equals_parent_by_field(store):
    import_boundaries(DATA / "towns.geojson", store, "town", "code", "name")
    report = import_boundaries(DATA / "villages.zip", store, "village", "CODE", "NAME")  # no parent field
    assert report.committed and report.ok
    got = {v["code"]: v["parent_id"] for v in rows(store, schema.admin_units, schema.admin_units.c.level == "village")}
    towns = {t["code"]: t["id"] for t in rows(store, schema.admin_units, schema.admin_units.c.level == "town")}
    assert got == {"T01V01": towns["T01"], "T01V02": towns["T01"], "T02V01": towns["T02"], "T02V02": towns["T02"]}


def test_micro_grids_carry_every_level_above(store, tmp_path):
    import_base_boundaries(store)
    halves = []
    for g in built.units()[2]:
        a, b, c, d = g["geometry"].bounds
        for k, (lo, hi) in enumerate(((b, (b + d) / 2), ((b + d) / 2, d)), start=1):
            halves.append(
                {
                    "mg": f"{g['grid_code']}M{k}",
                    "nm": f"{g['grid_name']}微网格{k}",
                    "geometry": shapely.box(a, lo, c, hi),
                }
            )
    path = tmp_path / "micro.geojson"
    gpd.GeoDataFrame(halves, crs="EPSG:4326").to_file(path, driver="GeoJSON")
    report = import_boundaries(path, store, "micro_grid", "mg", "nm")  # parents by location
    assert report.committed and report.inserted == 16
    grids = {g["code"]: g for g in rows(store, schema.grids)}
    for m in rows(store, schema.micro_grids):
        g = grids[m["code"][:-2]]
        assert (m["grid_id"], m["village_id"], m["town_id"]) == (g["id"], g["village_id"], g["town_id"])
        assert m["households"] == 0  # no field given: zero, not made up


def test_bad_geometry_is_repaired_and_reported(store):
    import_boundaries(DATA / "towns.geojson", store, "town", "code", "name")
    report = import_boundaries(DATA / "villages_bowtie.geojson", store, "village", "CODE", "NAME", "TOWN")
    assert report.committed and report.ok
    assert len(report.repairs) == 1 and report.repairs[0].row == 1
    assert "T01V01" in report.repairs[0].reason and "Self-intersection" in report.repairs[0].reason
    stored = rows(store, schema.admin_units, schema.admin_units.c.code == "T01V01")[0]
    shape = shapely.from_wkt(stored["boundary_wkt"])
    assert shape.is_valid and shape.geom_type == "MultiPolygon" and len(shape.geoms) == 2


def test_unrepairable_geometry_is_refused_and_changes_nothing(store, tmp_path):
    import_base_boundaries(store)
    before = fingerprint(store)
    feats = [
        {"code": "X1", "name": "点", "geometry": shapely.Point(120.01, 30.01)},
        {"code": "X2", "name": "线状面", "geometry": shapely.Polygon([(120.0, 30.0), (120.05, 30.0), (120.0, 30.0)])},
        {"code": "X3", "name": "正常", "geometry": shapely.box(120.0, 30.0, 120.01, 30.01)},
    ]
    path = tmp_path / "bad.geojson"
    gpd.GeoDataFrame(feats, crs="EPSG:4326").to_file(path, driver="GeoJSON")
    report = import_boundaries(path, store, "micro_grid", "code", "name")
    assert not report.committed and sorted(report.bad_rows) == [1, 2]
    reasons = {p.row: p.reason for p in report.errors}
    assert reasons[1] == "a Point, not a polygon"
    assert "nothing polygonal is left after repair" in reasons[2]
    assert fingerprint(store) == before


def test_wrong_crs_is_refused_and_changes_nothing(store):
    import_base_boundaries(store)
    before = fingerprint(store)
    report = import_boundaries(DATA / "towns_utm_in_geojson.geojson", store, "town", "code", "name")
    assert not report.committed and len(report.bad_rows) == 2
    assert all("outside China" in p.reason and "wrong CRS" in p.reason for p in report.errors)
    assert fingerprint(store) == before


def test_no_crs_needs_one_and_then_reprojects(store):
    before = fingerprint(store)
    with pytest.raises(ImportRefused, match="declares no CRS"):
        import_boundaries(DATA / "towns_no_prj.zip", store, "town", "code", "name")
    assert fingerprint(store) == before
    report = import_boundaries(DATA / "towns_no_prj.zip", store, "town", "code", "name", crs="EPSG:32651")
    assert report.committed
    t1 = rows(store, schema.admin_units, schema.admin_units.c.code == "T01")[0]
    assert (t1["min_lon"], t1["min_lat"], t1["max_lon"], t1["max_lat"]) == pytest.approx(
        (120.0, 30.0, 120.06, 30.06), abs=1e-7
    )


def test_duplicate_ids_and_missing_columns_change_nothing(store):
    import_base_boundaries(store)
    before = fingerprint(store)
    report = import_boundaries(DATA / "towns_dup.geojson", store, "town", "code", "name")
    assert not report.committed
    assert [(p.row, p.reason) for p in report.errors] == [(3, "duplicate id 'T01' (first at feature 1)")]
    assert report.rejected["row"].tolist() == [3]
    with pytest.raises(ImportRefused, match="TOWN_CODE not in the file; it has: CODE, NAME, TOWN"):
        import_boundaries(DATA / "villages.zip", store, "village", "CODE", "NAME", "TOWN_CODE")
    assert fingerprint(store) == before


def test_village_before_its_towns_is_refused(store):
    before = fingerprint(store)
    report = import_boundaries(DATA / "villages.zip", store, "village", "CODE", "NAME", "TOWN")
    assert not report.committed and "import the town level first" in report.errors[0].reason
    assert fingerprint(store) == before


def test_reimport_updates_instead_of_duplicating(store):
    import_base_boundaries(store)
    counts, _ = fingerprint(store)
    report = import_boundaries(DATA / "grids.gpkg", store, "grid", "grid_code", "grid_name", "village")
    assert report.committed and (report.inserted, report.updated) == (0, 8)
    assert fingerprint(store)[0] == counts
    # households were not given this time: the stored ones are kept
    assert rows(store, schema.grids)[0]["households"] == built.units()[2][0]["households"]


def test_command_line_refuses_a_broken_file(tmp_path):
    url = empty_store(f"sqlite:///{tmp_path / 'cli.db'}")
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "data_access.ingest",
            "boundaries",
            str(DATA / "towns.geojson"),
            "--db",
            url,
            "--level",
            "town",
            "--id-field",
            "code",
            "--name-field",
            "name",
            "--quiet",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0 and "2 inserted" in ok.stdout
    before = fingerprint(url)
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "data_access.ingest",
            "boundaries",
            str(DATA / "towns_dup.geojson"),
            "--db",
            url,
            "--level",
            "town",
            "--id-field",
            "code",
            "--name-field",
            "name",
            "--rejects",
            str(tmp_path / "rej.csv"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1 and "row 3: code: duplicate id 'T01'" in bad.stdout
    assert "nothing was written" in bad.stdout and (tmp_path / "rej.csv").exists()
    assert fingerprint(url) == before
