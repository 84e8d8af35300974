"""Imports of the real public LA files in ../shared/real_data (see its SOURCES.md): towns built by
dissolving a property, the MyLA311 mapping, and the facts SOURCES.md states about the export.
Skipped with a reason where the folder is absent; CI must provide it."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from sqlalchemy import select

from data_access import schema
from data_access.ingest import import_boundaries, import_events
from data_access.queries import frame
from data_access.store import create_store_engine
from tests.conftest import ROOT, fresh_pg_database, require

REAL = ROOT.parent / "shared" / "real_data"
if not REAL.exists():
    REAL = ROOT.parent.parent / "shared" / "real_data"  # a worktree under /work/wt/<name>
CSV = REAL / "la311_2020_sample.csv"
COUNCILS = REAL / "la_neighborhood_councils_2019.geojson"
MAPPING = ROOT / "sample_data" / "mappings" / "la311.toml"
NOW = dt.datetime(2020, 12, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module", autouse=True)
def real_data():
    require(CSV.exists() and COUNCILS.exists(), f"the real LA files are not in {REAL} (see ../shared/real_data)")


def _build(url: str) -> None:
    engine = create_store_engine(url, writable=True)
    schema.metadata.drop_all(engine)
    engine.dispose()
    kw = dict(allow_outside_china=True)
    towns = import_boundaries(COUNCILS, url, "town", "service_re", "service_re", dissolve_by="service_re", **kw)
    assert towns.committed and towns.inserted == 12, towns.errors_frame()
    for level, parent in (("village", "service_re"), ("grid", None)):
        r = import_boundaries(COUNCILS, url, level, "objectid", "name", parent, allow_partial=True, **kw)
        # the one council whose name is 96 characters long does not fit the 64-character name
        # (and, as a grid, it lies in no village: its village was refused for the same reason)
        assert r.committed and r.inserted == 98 and r.refused == 1
        assert "name longer than 64 characters" in [p.reason for p in r.errors]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def la_store(request, tmp_path_factory) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('la') / 'la.db'}"
    else:
        url = fresh_pg_database("la_real")
    _build(url)
    return url


def test_towns_dissolved_from_the_service_region_property(la_store):
    engine = create_store_engine(la_store)
    towns = frame(
        engine,
        select(schema.admin_units.c.code, schema.admin_units.c.boundary_wkt).where(
            schema.admin_units.c.level == "town"
        ),
    )
    engine.dispose()
    src = gpd.read_file(COUNCILS)
    assert sorted(towns["code"]) == sorted(src["service_re"].unique())
    for code, wkt in zip(towns["code"], towns["boundary_wkt"]):
        expected = shapely.union_all(src.loc[src["service_re"] == code, "geometry"].to_numpy())
        got = shapely.from_wkt(wkt)
        assert got.symmetric_difference(expected).area < 1e-6 * expected.area, code


def test_la311_export_imports_with_the_mapping(la_store, tmp_path):
    rejects = tmp_path / "la.rejected.csv"
    report = import_events(
        CSV, la_store, MAPPING, allow_partial=True, allow_outside_china=True, now=NOW, rejects=rejects
    )
    assert report.committed and report.rows_read == 10_000
    reasons = pd.read_csv(rejects, dtype=str, keep_default_na=False)["reasons"]
    # SOURCES.md: 11 rows without coordinates, 18 "Closed" rows without a closeddate
    assert reasons.str.contains("no coordinates").sum() == 11
    assert reasons.str.contains("closed, but the file gives no closing time").sum() == 18
    outside = reasons.str.contains("outside every grid boundary").sum()
    assert report.inserted == 10_000 - 11 - 18 - outside and report.refused == 11 + 18 + outside
    # median closed − created over the imported closed requests equals pandas on the file
    raw = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    engine = create_store_engine(la_store)
    ev = frame(
        engine,
        select(schema.events.c.code, schema.events.c.reported_at, schema.events.c.closed_at).where(
            schema.events.c.status == "closed"
        ),
    )
    engine.dispose()
    closed = raw[raw["srnumber"].isin(ev["code"])].set_index("srnumber")
    fmt = "%m/%d/%y %H:%M"
    hours = pd.to_datetime(closed["closeddate"], format=fmt) - pd.to_datetime(closed["createddate"], format=fmt)
    stored = (
        pd.to_datetime(ev["closed_at"], utc=True) - pd.to_datetime(ev["reported_at"], utc=True)
    ).dt.total_seconds()
    # naive local differences equal UTC differences except across the March DST change (none here)
    assert stored.median() / 3600 == pytest.approx(hours.dt.total_seconds().median() / 3600, abs=1e-9)
    first = ev.set_index("code").loc["1-1523590121", "reported_at"]
    assert pd.Timestamp(first).tz_convert("UTC") == pd.Timestamp("2020-01-01 08:05", tz="UTC")  # 0:05 PST
