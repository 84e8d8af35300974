"""Import boundaries (GeoJSON, zipped Shapefile, GeoPackage) into admin_units / grids / micro_grids.

Coordinates
- Everything is stored in EPSG:4326. Files are reprojected with pyproj from the CRS they declare
  (CGCS2000 EPSG:4490, UTM zones such as EPSG:32651, CGCS2000 Gauss-Krüger EPSG:4549 … all work);
  `crs=` declares the CRS of a file that has none (or overrides a wrong one, with a warning).
- A file without any CRS is taken as EPSG:4326 only when its numbers are plausible longitudes and
  latitudes; otherwise it is refused (projected metres read as degrees would land anywhere).
- After reprojection every shape must lie inside China's extent (73°E–136°E, 3°N–54°N), unless
  `allow_outside_china`: a wrong CRS usually throws shapes far outside it, and such rows are refused.
- GCJ-02 ("Mars coordinates" from AMap / Tencent / DataV, and BD-09 from Baidu) is NOT an EPSG
  CRS: it is WGS-84 with a deliberate, non-linear offset of roughly 100–700 m. `crs="gcj02"` or
  `crs="bd09"` converts every vertex to WGS-84 with prcoords (see chinacrs). No check on the numbers
  can detect such a file (the shapes still lie in China); a file whose property names look like an
  AMap/DataV/Baidu export (adcode, acroutes, childrenNum, gcj…, bd09…) gets a warning.

Repairs: invalid polygons are repaired with `shapely.make_valid` (keeping the polygonal parts);
every repair is reported with the reason shapely gives and the area before and after.

Parents: a village's town, a grid's village, a micro-grid's grid are found by `parent_field`
(the parent's code) or, when none is given, by the unit that contains the shape's representative
point (`point_on_surface`). Towns hang under the county unit. A store without a county gets one
made of the union of its towns (code `COUNTY`, name 全县, reported as a warning), because pages
start their drill path at the county; importing `--level county` later replaces it in place.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from sqlalchemy import select

from .. import levels, schema
from ..store import reset_id_sequences
from ._db import ensure_store_basics, next_id, one_transaction, pause_hook, settle_timezone
from .chinacrs import CHINA_CRS, china_crs, export_warning, to_wgs84_geometries
from .messages import Message
from .validation import ImportRefused, ImportReport, rejected_rows

LEVELS = ("county", "town", "village", "grid", "micro_grid")
PARENT_LEVEL = {"village": "town", "grid": "village", "micro_grid": "grid"}
CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)  # lon/lat extent of China's territory, with its islands
EQUAL_AREA = "EPSG:6933"  # WGS 84 / NSIDC EASE-Grid 2.0 Global: equal-area, for km²
Progress = Callable[[float, str], None]


def _table_for(level: str):
    return {
        "county": schema.admin_units,
        "town": schema.admin_units,
        "village": schema.admin_units,
        "grid": schema.grids,
        "micro_grid": schema.micro_grids,
    }[level]


def read_boundaries(source, name: str | None = None) -> gpd.GeoDataFrame:
    """Read a GeoJSON, zipped Shapefile (.zip) or GeoPackage from a path or uploaded bytes."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        data, name = None, name or path.name
    else:
        data = source.getvalue() if hasattr(source, "getvalue") else bytes(source)
        name = name or getattr(source, "name", "upload")
    suffix = Path(name).suffix.lower()
    if suffix not in (".geojson", ".json", ".zip", ".gpkg", ".shp"):
        raise ImportRefused("boundary_format", name=name, suffix=suffix or "(none)")
    with tempfile.TemporaryDirectory() as tmp:
        if data is not None:
            path = Path(tmp) / f"upload{suffix}"
            path.write_bytes(data)
        if suffix == ".zip":
            try:
                with zipfile.ZipFile(path) as zf:
                    shps = [n for n in zf.namelist() if n.lower().endswith(".shp")]
            except zipfile.BadZipFile as exc:
                raise ImportRefused("bad_zip", name=name) from exc
            if len(shps) != 1:
                raise ImportRefused("zip_shp_count", name=name, n=len(shps))
            target = f"zip://{path}!{shps[0]}"
        else:
            target = str(path)
        try:
            gdf = gpd.read_file(target, engine="pyogrio")
        except Exception as exc:  # pyogrio raises DataSourceError, FieldError, …
            raise ImportRefused("unreadable_boundaries", name=name, detail=str(exc)) from exc
    if gdf.empty:
        raise ImportRefused("no_features", name=name)
    return gdf


def boundary_fields(gdf: gpd.GeoDataFrame) -> list[str]:
    return [c for c in gdf.columns if c != gdf.geometry.name]


def _looks_geographic(gdf: gpd.GeoDataFrame) -> bool:
    minx, miny, maxx, maxy = gdf.total_bounds
    return -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90


def _reproject(gdf, crs, report: ImportReport) -> gpd.GeoDataFrame:
    china = china_crs(crs)
    if china:
        return _from_china_crs(gdf, china, report)
    if crs:
        try:
            wanted = CRS.from_user_input(crs)
        except Exception as exc:
            raise ImportRefused("unknown_crs", crs=crs, detail=str(exc)) from exc
        if gdf.crs is not None and CRS(gdf.crs) != wanted:
            report.warnings.append(Message("crs_overridden", declared=gdf.crs.to_string(), wanted=wanted.to_string()))
        gdf = gdf.set_crs(wanted, allow_override=True)
    elif gdf.crs is None:
        if not _looks_geographic(gdf):
            raise ImportRefused("no_crs_projected")
        report.warnings.append(Message("crs_assumed"))
        gdf = gdf.set_crs("EPSG:4326")
    if not crs:
        warning = export_warning(boundary_fields(gdf))
        if warning:
            report.warnings.append(warning)
    source_crs = gdf.crs.to_string()
    report.counts["source_crs"] = source_crs
    try:
        out = gdf.to_crs("EPSG:4326")
    except Exception as exc:
        raise ImportRefused("reproject_failed", crs=source_crs, detail=str(exc)) from exc
    return out


def _from_china_crs(gdf, kind: str, report: ImportReport) -> gpd.GeoDataFrame:
    """GCJ-02 / BD-09 longitudes and latitudes to WGS-84 (see chinacrs)."""
    if gdf.crs is not None and not CRS(gdf.crs).is_geographic:
        raise ImportRefused("china_crs_projected", kind=kind, crs=gdf.crs.to_string())
    if not _looks_geographic(gdf):
        raise ImportRefused("china_crs_not_lonlat", kind=kind)
    report.counts["source_crs"] = CHINA_CRS[kind]
    report.warnings.append(Message("converted_crs", crs=CHINA_CRS[kind]))
    geoms = to_wgs84_geometries(kind, gdf.geometry.to_numpy())
    return gpd.GeoDataFrame(gdf.drop(columns=gdf.geometry.name), geometry=list(geoms), crs="EPSG:4326")


def _polygonal(geom):
    """The polygonal part of a geometry (make_valid may return a collection), or None."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        return shapely.union_all(parts) if parts else None
    return None


def _kind(level: str, name: str) -> str:
    if level in ("county", "town"):
        return "street" if name.endswith("街道") else level
    return "community" if name.endswith("社区") else "village"


def _parents(conn, level: str) -> gpd.GeoDataFrame:
    """Id, code, names of the parent level's units with their shapes (and town/village for grids)."""
    parent = PARENT_LEVEL[level]
    if parent in ("town", "village"):
        t = schema.admin_units
        q = select(t.c.id, t.c.code, t.c.parent_id.label("town_id"), t.c.boundary_wkt).where(t.c.level == parent)
    else:
        t = schema.grids
        q = select(t.c.id, t.c.code, t.c.town_id, t.c.village_id, t.c.boundary_wkt)
    df = pd.DataFrame(conn.execute(q).mappings().all())
    if df.empty:
        return gpd.GeoDataFrame(df, geometry=[], crs="EPSG:4326")
    return gpd.GeoDataFrame(df, geometry=shapely.from_wkt(df["boundary_wkt"].to_numpy()), crs="EPSG:4326")


def _text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Shapefile DBF numbers come back as floats
    return str(value).strip()


def _int_field(gdf, field_name, row, report) -> int | None:
    text = _text(gdf.at[row, field_name])
    if text == "":
        return None
    try:
        value = int(float(text))
    except ValueError:
        report.error(row, field_name, Message("not_whole", text=text))
        return None
    if value < 0:
        report.error(row, field_name, Message("negative", value=value))
    return value


def import_boundaries(
    source,
    url: str,
    level: str,
    id_field: str,
    name_field: str,
    parent_field: str | None = None,
    crs: str | None = None,
    *,
    households_field: str | None = None,
    residents_field: str | None = None,
    commit: bool = True,
    allow_partial: bool = False,
    allow_outside_china: bool = False,
    name: str | None = None,
    progress: Progress | None = None,
    dissolve_by: str | None = None,
    timezone: str | None = None,
) -> ImportReport:
    """Validate and (when `commit` and valid, or `allow_partial`) write one level's units.

    `dissolve_by` names a property: the features sharing its value are merged into one unit
    (e.g. towns from the villages' town property); `id_field` and `name_field` are then read
    from the first feature of each group, households and residents are summed.

    With errors and without `allow_partial`, or with `commit=False` (a preview), everything runs
    inside a transaction that is rolled back: the store is unchanged. Re-importing updates units
    by code. Returns the report (errors per feature, repairs, preview of the rows as stored).
    """
    if level not in LEVELS:
        raise ImportRefused("bad_level", levels=", ".join(LEVELS), level=level)
    report = ImportReport(kind=f"boundaries/{level}", source=name or getattr(source, "name", str(source)))
    step = progress or (lambda _f, _m: None)
    step(0.0, Message("progress_reading"))
    gdf = read_boundaries(source, name)
    report.rows_read = len(gdf)
    wanted = [
        ("id", id_field),
        ("name", name_field),
        ("parent", parent_field),
        ("households", households_field),
        ("residents", residents_field),
        ("dissolve", dissolve_by),
    ]
    missing = [f for _, f in wanted if f and f not in gdf.columns]
    if missing:
        raise ImportRefused(
            "boundary_missing_columns", missing=", ".join(missing), columns=", ".join(boundary_fields(gdf))
        )
    if dissolve_by:
        gdf = _dissolve(gdf, dissolve_by, [f for f in (households_field, residents_field) if f], report)
        report.rows_read = len(gdf)
    if parent_field and level in ("county", "town"):
        raise ImportRefused("town_parent_field", level=level)
    gdf = _reproject(gdf, crs, report)
    gdf.index = pd.RangeIndex(1, len(gdf) + 1)  # feature numbers as people count them

    step(0.1, Message("progress_shapes"))
    geoms: dict[int, object] = {}
    seen: dict[str, int] = {}
    minx, miny, maxx, maxy = CHINA_BOUNDS
    for row in gdf.index:
        code, uname = _text(gdf.at[row, id_field]), _text(gdf.at[row, name_field])
        if not code:
            report.error(row, id_field, Message("empty_id"))
        elif len(code) > 32:
            report.error(row, id_field, Message("long_unit_id", code=code))
        elif code in seen:
            report.error(row, id_field, Message("duplicate_feature_id", code=code, first=seen[code]))
        else:
            seen[code] = row
        if not uname:
            report.error(row, name_field, Message("empty_name"))
        elif len(uname) > 64:
            report.error(row, name_field, Message("long_name"))
        geom = gdf.geometry.at[row]
        if geom is None or geom.is_empty:
            report.error(row, "geometry", Message("no_geometry"))
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            report.error(row, "geometry", Message("not_polygon", kind=geom.geom_type))
            continue
        if not geom.is_valid:
            why = shapely.is_valid_reason(geom)
            fixed = _polygonal(shapely.make_valid(geom))
            if fixed is None:
                report.error(row, "geometry", Message("invalid_geometry", why=why))
                continue
            report.repairs.append(_repair(row, code, why, geom, fixed))
            geom = fixed
        b = geom.bounds
        if not allow_outside_china and not (minx <= b[0] and b[2] <= maxx and miny <= b[1] and b[3] <= maxy):
            report.error(
                row,
                "geometry",
                Message("shape_outside_china", crs=report.counts["source_crs"], x0=b[0], y0=b[1], x1=b[2], y1=b[3]),
            )
            continue
        geoms[row] = geom
    households = {r: _int_field(gdf, households_field, r, report) for r in gdf.index} if households_field else {}
    residents = {r: _int_field(gdf, residents_field, r, report) for r in gdf.index} if residents_field else {}
    report.counts["features"] = len(gdf)

    with one_transaction(url, report) as (conn, outcome):
        settle_timezone(conn, timezone)  # a new store's zone (`--timezone`), kept with the boundaries
        step(0.3, Message("progress_parents"))
        parents = _link_parents(conn, gdf, level, parent_field, geoms, report)
        bad = report.bad_rows
        good = [r for r in gdf.index if r not in bad]
        step(0.5, Message("progress_writing"))
        rows = _unit_rows(gdf, level, id_field, name_field, geoms, parents, households, residents, good)
        report.preview = pd.DataFrame(rows[:20]).drop(columns=["boundary_wkt", "_row"], errors="ignore")
        may_write = not report.file_errors and (not report.errors or allow_partial)
        if may_write and rows:
            _write_units(conn, level, rows, report, step)
            may_write = not report.errors or allow_partial  # a code clash found while writing
        report.rejected = rejected_rows(pd.DataFrame(gdf.drop(columns=gdf.geometry.name)), report)
        outcome.keep = commit and may_write
    step(1.0, Message("progress_done"))
    return report


def _dissolve(gdf: gpd.GeoDataFrame, by: str, summed: list[str], report: ImportReport) -> gpd.GeoDataFrame:
    """One feature per value of `by`: shapes unioned, other properties from the group's first
    feature, `summed` properties added up. Features without a value are refused as a whole."""
    blank = gdf[by].isna() | (gdf[by].astype(str).str.strip() == "")
    if blank.any():
        first = int(np.flatnonzero(blank.to_numpy())[0]) + 1
        raise ImportRefused("dissolve_blank", by=by, n=int(blank.sum()), first=first)
    aggfunc = {c: "first" for c in gdf.columns if c not in (by, gdf.geometry.name)}
    for c in summed:
        gdf[c] = pd.to_numeric(gdf[c], errors="coerce")
        aggfunc[c] = "sum"
    try:
        out = gdf.dissolve(by=by, as_index=False, aggfunc=aggfunc, sort=True)
    except Exception as exc:  # GEOS errors on broken input shapes
        raise ImportRefused("dissolve_failed", by=by, detail=str(exc)) from exc
    report.counts["dissolved_from"] = len(gdf)
    report.warnings.append(Message("dissolved", n=len(gdf), m=len(out), by=by))
    return out


def _repair(row, code, why, before, after):
    from .validation import Problem

    return Problem(
        row,
        "geometry",
        Message("repaired", code=code or "?", why=why, before=before.area, after=after.area),
    )


def _link_parents(conn, gdf, level, parent_field, geoms, report) -> dict[int, dict]:
    """{feature: {parent ids}} — town_id / village_id / grid_id as the level needs."""
    if level == "county":
        return {r: {"parent_id": None} for r in gdf.index}
    if level == "town":
        counties = conn.execute(select(schema.admin_units.c.id).where(schema.admin_units.c.level == "county")).all()
        county = counties[0][0] if len(counties) == 1 else None
        return {r: {"parent_id": county} for r in gdf.index}
    parents = _parents(conn, level)
    plevel = PARENT_LEVEL[level]
    if parents.empty:
        report.error(None, "parent", Message("no_parent_level", plevel=plevel))
        return {}
    found: dict[int, pd.Series] = {}
    if parent_field:
        by_code = parents.set_index("code")
        for r in gdf.index:
            pcode = _text(gdf.at[r, parent_field])
            if not pcode:
                report.error(r, parent_field, Message("empty_parent", plevel=plevel))
            elif pcode not in by_code.index:
                report.error(r, parent_field, Message("unknown_parent", plevel=plevel, code=pcode))
            else:
                found[r] = by_code.loc[pcode].to_dict() | {"code": pcode}
    else:
        rows = list(geoms)
        if rows:
            pts = gpd.GeoDataFrame(
                {"row": rows}, geometry=[geoms[r].representative_point() for r in rows], crs="EPSG:4326"
            )
            hit = gpd.sjoin(pts, parents, how="left", predicate="within").sort_values(["row", "code"])
            hit = hit.drop_duplicates("row")
            for r, pid in zip(hit["row"], hit["id"]):
                if pd.isna(pid):
                    report.error(int(r), "geometry", Message("outside_parent", plevel=plevel))
                else:
                    found[int(r)] = parents.loc[parents["id"] == pid].iloc[0].to_dict()
    out = {}
    for r, p in found.items():
        if level == "village":
            out[r] = {"parent_id": int(p["id"])}
        elif level == "grid":
            out[r] = {"village_id": int(p["id"]), "town_id": int(p["town_id"])}
        else:
            out[r] = {"grid_id": int(p["id"]), "village_id": int(p["village_id"]), "town_id": int(p["town_id"])}
    return out


def _unit_rows(gdf, level, id_field, name_field, geoms, parents, households, residents, good) -> list[dict]:
    rows = [r for r in good if r in geoms and r in parents]
    if not rows:
        return []
    shapes = gpd.GeoSeries([geoms[r] for r in rows], crs="EPSG:4326")
    areas = shapes.to_crs(EQUAL_AREA).area.to_numpy() / 1e6
    cent = shapely.get_coordinates(shapely.centroid(shapes.to_numpy()))
    bounds = shapely.bounds(shapes.to_numpy())
    wkts = shapely.to_wkt(shapes.to_numpy(), rounding_precision=7, trim=True)
    out = []
    for i, r in enumerate(rows):
        name = _text(gdf.at[r, name_field])
        row = {
            "_row": r,
            "code": _text(gdf.at[r, id_field]),
            "name": name,
            "boundary_wkt": wkts[i],
            "centroid_lon": round(float(cent[i, 0]), 7),
            "centroid_lat": round(float(cent[i, 1]), 7),
            "min_lon": float(bounds[i, 0]),
            "min_lat": float(bounds[i, 1]),
            "max_lon": float(bounds[i, 2]),
            "max_lat": float(bounds[i, 3]),
            "area_km2": round(float(areas[i]), 6),
            **parents[r],
        }
        if level in ("county", "town", "village"):
            row.update(level=level, kind=_kind(level, name))
        else:
            row.update(households=households.get(r), residents=residents.get(r))
        out.append(row)
    return out


def _write_units(conn, level, rows, report, step) -> None:
    table = _table_for(level)
    codes = [r["code"] for r in rows]
    existing = {}
    for chunk in range(0, len(codes), 500):
        q = select(table.c.id, table.c.code, *([table.c.level] if table is schema.admin_units else [])).where(
            table.c.code.in_(codes[chunk : chunk + 500])
        )
        for rec in conn.execute(q).mappings():
            existing[rec["code"]] = rec
    new_id = next_id(conn, table)
    inserts, updates = [], []
    if level == "county":
        counties = conn.execute(select(table.c.id, table.c.code).where(table.c.level == "county")).all()
        if len(rows) > 1 or len(counties) > 1:
            report.error(None, "id", Message("one_county"))
            return
        if counties and rows[0]["code"] not in existing:
            existing[rows[0]["code"]] = {"id": counties[0][0], "code": counties[0][1], "level": "county"}
    for r in rows:
        row = {k: v for k, v in r.items() if k != "_row"}
        old = existing.get(row["code"])
        if old is not None and table is schema.admin_units and old["level"] != level:
            # Whole-file error: the code is taken by another level, so the rows cannot be written.
            report.error(r["_row"], "id", Message("code_taken", code=row["code"], level=old["level"]))
            continue
        if old is None:
            if level in ("grid", "micro_grid"):
                row["households"] = row["households"] or 0
                row["residents"] = row["residents"] or 0
            inserts.append(row | {"id": new_id})
            new_id += 1
        else:
            if level in ("grid", "micro_grid"):
                for k in ("households", "residents"):
                    if row[k] is None:
                        row.pop(k)  # keep what the store has
            updates.append((old["id"], row))
    half = len(inserts) // 2
    if inserts:
        conn.execute(table.insert(), inserts[:half] or inserts)
    step(0.7, Message("progress_writing"))
    pause_hook()
    if half:
        conn.execute(table.insert(), inserts[half:])
    for uid, row in updates:
        conn.execute(table.update().where(table.c.id == uid).values(**row))
    if level == "town":
        _ensure_county(conn, report)
    ensure_store_basics(conn)
    levels.add_level(conn, level)  # the store now has units of this level
    reset_id_sequences(conn, [table])
    report.inserted, report.updated = len(inserts), len(updates)


def _ensure_county(conn, report) -> None:
    """Make a county of the towns' union when the store has none, and hang the towns under it."""
    t = schema.admin_units
    if conn.execute(select(t.c.id).where(t.c.level == "county")).first() is not None:
        return
    towns = conn.execute(select(t.c.boundary_wkt).where(t.c.level == "town")).scalars().all()
    union = _polygonal(shapely.make_valid(shapely.union_all(shapely.from_wkt(towns))))
    if union is None:
        return
    shape = gpd.GeoSeries([union], crs="EPSG:4326")
    b, c = union.bounds, union.centroid
    cid = next_id(conn, t)
    conn.execute(
        t.insert(),
        [
            {
                "id": cid,
                "level": "county",
                "kind": "county",
                "parent_id": None,
                "code": "COUNTY",
                "name": "全县",
                "boundary_wkt": shapely.to_wkt(union, rounding_precision=7, trim=True),
                "centroid_lon": round(c.x, 7),
                "centroid_lat": round(c.y, 7),
                "min_lon": b[0],
                "min_lat": b[1],
                "max_lon": b[2],
                "max_lat": b[3],
                "area_km2": round(float(shape.to_crs(EQUAL_AREA).area.iloc[0]) / 1e6, 6),
            }
        ],
    )
    conn.execute(t.update().where(t.c.level == "town", t.c.parent_id.is_(None)).values(parent_id=cid))
    report.warnings.append(Message("county_made"))
