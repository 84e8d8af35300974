"""Helpers shared by the import tests: fresh stores, a whole-store fingerprint, the base county."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import func, select

from data_access import schema
from data_access.ingest import import_boundaries
from data_access.store import create_store_engine

DATA = Path(__file__).resolve().parent
MAPPINGS = DATA.parent.parent / "sample_data" / "mappings"
OPEN311 = MAPPINGS / "open311.toml"
CN_PLATFORM = MAPPINGS / "cn_platform.toml"


def empty_store(url: str) -> str:
    engine = create_store_engine(url, writable=True)
    schema.metadata.drop_all(engine)
    schema.metadata.create_all(engine)
    engine.dispose()
    return url


def fingerprint(url: str) -> tuple[dict[str, int], str]:
    """(row count per table, sha256 over every row of every table in key order) — of the data
    tables: users and audit_log change with every login and page view, not with imports."""
    engine = create_store_engine(url, writable=True)
    counts, digest = {}, hashlib.sha256()
    try:
        with engine.connect() as conn:
            for table in schema.metadata.sorted_tables:
                if table in schema.ACCESS_TABLES:
                    continue
                counts[table.name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
                order = [c for c in table.primary_key.columns] or list(table.c)
                for row in conn.execute(select(table).order_by(*order)):
                    digest.update(repr(tuple(row)).encode())
    finally:
        engine.dispose()
    return counts, digest.hexdigest()


def import_base_boundaries(url: str) -> None:
    """Towns (GeoJSON, WGS 84), villages (zipped Shapefile, CGCS2000), grids (GeoPackage, UTM 51N)."""
    steps = [
        (DATA / "towns.geojson", "town", "code", "name", None, {}),
        (DATA / "villages.zip", "village", "CODE", "NAME", "TOWN", {}),
        (
            DATA / "grids.gpkg",
            "grid",
            "grid_code",
            "grid_name",
            "village",
            {"households_field": "households", "residents_field": "residents"},
        ),
    ]
    for path, level, id_f, name_f, parent_f, extra in steps:
        report = import_boundaries(path, url, level, id_f, name_f, parent_f, **extra)
        assert report.committed and report.ok, report.errors_frame()
