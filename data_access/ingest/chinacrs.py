"""GCJ-02 and BD-09 (China's obfuscated map coordinates) to WGS-84, through `prcoords`.

GCJ-02 ("Mars coordinates", used by AMap/高德, Tencent, DataV.GeoAtlas) is WGS-84 plus a deliberate
non-linear offset of roughly 100–700 m; BD-09 (Baidu/百度) adds a second offset on top of GCJ-02.
Neither is an EPSG CRS, so pyproj cannot undo them. The importers take them by name
(`--crs gcj02|bd09`, or `crs = "gcj02"` in a mapping's [meta]) and convert every vertex with
prcoords' iterative inverses (`gcj_wgs_bored`, `bd_wgs_bored`, accurate to well under a metre).

What can be detected: a file never says it is GCJ-02, and shifted shapes still lie in China, so no
check on the numbers can tell. `looks_like_china_export` only recognises the tell-tale signs of a
platform export: DataV/AMap GeoJSON properties (`adcode`, `acroutes`, `childrenNum`) and column or
field names mentioning gcj / bd09 / amap / baidu / 高德 / 百度 / 火星. It is a warning, never a refusal.
"""

from __future__ import annotations

import re

import numpy as np
import prcoords
import shapely

CHINA_CRS = {"gcj02": "GCJ-02", "bd09": "BD-09"}
_INVERSE = {"gcj02": prcoords.gcj_wgs_bored, "bd09": prcoords.bd_wgs_bored}
_DATAV_PROPERTIES = {"adcode", "acroutes", "childrenNum"}
_EXPORT_NAME = re.compile(r"gcj|bd-?09|amap|baidu|高德|百度|火星", re.IGNORECASE)


def china_crs(name: str | None) -> str | None:
    """'gcj02' / 'bd09' for the spellings people use (GCJ-02, gcj_02, BD09, bd-09 …), else None."""
    if not name:
        return None
    key = re.sub(r"[^a-z0-9]", "", str(name).lower())
    return key if key in CHINA_CRS else None


def to_wgs84_xy(kind: str, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Arrays of GCJ-02 / BD-09 longitudes and latitudes converted to WGS-84."""
    inverse = _INVERSE[kind]
    out = [inverse(prcoords.Coords(float(y), float(x))) for x, y in zip(lon, lat)]
    return np.array([c.lon for c in out], dtype=float), np.array([c.lat for c in out], dtype=float)


def to_wgs84_geometries(kind: str, geoms) -> np.ndarray:
    """Shapely geometries (x = longitude) with every vertex converted to WGS-84."""

    def convert(coords: np.ndarray) -> np.ndarray:
        x, y = to_wgs84_xy(kind, coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(np.asarray(geoms, dtype=object), convert)


def looks_like_china_export(names) -> str | None:
    """The names (columns / properties) that suggest an AMap, DataV or Baidu export, or None."""
    names = [str(n) for n in names]
    hits = [n for n in names if n in _DATAV_PROPERTIES or _EXPORT_NAME.search(n)]
    return ", ".join(hits) if hits else None


def export_warning(names) -> str | None:
    hits = looks_like_china_export(names)
    if not hits:
        return None
    from .messages import Message

    return Message("looks_china_export", hits=hits)
