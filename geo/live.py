"""Shapes and layers of the live map: simplified boundaries per level, events, workers, density.

Boundaries are simplified as a *coverage* (`shapely.coverage_simplify`, GEOS ≥ 3.12): neighbouring
units keep one shared border, so no gaps or overlaps open up between them, unlike simplifying
each polygon on its own. The tolerance follows the size of the area on screen, so the county's
3,700 micro-grids stay light while one grid's micro-grids keep their detail.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd
import pydeck as pdk
import shapely

from .layers import ColourClass, colour_for, polygon_rings

# Fraction of the shown area's larger side that may be dropped as detail: ~1/1500 is under a
# pixel on a 1,000-pixel-wide map.
TOLERANCE_SHARE = 1 / 1500

# Event points: overdue first (the thing to act on), then urgency.
OVERDUE_RGB = (140, 0, 160)
URGENCY_RGB = {"emergency": (215, 25, 28), "urgent": (253, 141, 60), "ordinary": (44, 123, 182)}
WORKER_RGB = (0, 150, 110)


def coverage_tolerance(geoms: np.ndarray) -> float:
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    return max(maxx - minx, maxy - miny) * TOLERANCE_SHARE


def simplify_coverage(df: pd.DataFrame, wkt_col: str = "boundary_wkt", tolerance: float | None = None) -> pd.DataFrame:
    """`df` with its boundaries simplified together as one coverage; falls back to the originals
    when GEOS cannot (input not a valid coverage, or shapely without coverage_simplify)."""
    if df.empty:
        return df
    geoms = shapely.from_wkt(df[wkt_col].to_numpy())
    tol = coverage_tolerance(geoms) if tolerance is None else tolerance
    simplified = geoms
    if hasattr(shapely, "coverage_simplify") and tol > 0:
        try:
            candidate = shapely.coverage_simplify(geoms, tol)
            if shapely.is_valid(candidate).all() and not shapely.is_empty(candidate).any():
                simplified = candidate
        except shapely.errors.GEOSException:
            pass
    return df.assign(**{wkt_col: shapely.to_wkt(simplified, rounding_precision=6)})


def coordinate_decimals(tolerance: float) -> int:
    """Decimals that keep rounding well under the simplification tolerance: 4 (about 10 m) for
    the whole county, up to 6 when drilled in."""
    if tolerance <= 0:
        return 6
    return int(min(6, max(4, math.ceil(-math.log10(tolerance / 4)))))


def shapes(df: pd.DataFrame, keep: tuple[str, ...] = ("id", "name", "centroid_lon", "centroid_lat")) -> pd.DataFrame:
    """Simplified boundaries as pydeck polygons: one row per polygon part, a `polygon` column
    and only the `keep` columns: all that is sent. Coordinates are rounded to what the tolerance
    allows (neighbours share vertices, so they round alike and the tiling stays seamless), and
    each ring's closing point is left out (deck.gl closes rings itself)."""
    if df.empty:
        return df[list(keep)].assign(polygon=pd.Series(dtype="object"))
    tol = coverage_tolerance(shapely.from_wkt(df["boundary_wkt"].to_numpy()))
    simple = simplify_coverage(df, tolerance=tol)
    decimals = coordinate_decimals(tol)
    parts = simple["boundary_wkt"].map(polygon_rings)
    out = simple[list(keep)].assign(polygon=parts).explode("polygon")
    out = out[out["polygon"].notna()].reset_index(drop=True)
    out["polygon"] = out["polygon"].map(lambda rings: [_ring(r, decimals) for r in rings])
    return out


def _ring(ring, decimals: int) -> list:
    pts = np.round(np.asarray(ring), decimals)
    if len(pts) > 3 and (pts[0] == pts[-1]).all():
        pts = pts[:-1]
    # Rounding can make neighbouring vertices equal: send each once.
    keep = np.ones(len(pts), bool)
    keep[1:] = (np.diff(pts, axis=0) != 0).any(axis=1)
    return pts[keep].tolist()


TIP_LINES = ("line1", "line2", "line3", "line4")
# Streamlit HTML-escapes every value it puts into a tooltip template, so the markup lives in the
# template and the values are plain text: a bold name, then the lines (newlines kept by CSS).
# Every pickable layer carries both fields. maxWidth keeps long lines wrapping inside the map.
TOOLTIP = {
    "html": "<b>{tip_name}</b><div style='white-space:pre-line'>{tip_lines}</div>",
    "style": {"fontSize": "14px", "maxWidth": "320px", "whiteSpace": "normal", "lineHeight": "1.45"},
}


def tooltip_fields(df: pd.DataFrame) -> pd.DataFrame:
    """`tip_name` (the `name`) and `tip_lines` (the non-empty `line1`..`line4`, one per line) as
    plain text. Two properties instead of five keeps the JSON small; Streamlit escapes them."""

    def text(col):
        return df[col].fillna("").astype(str) if col in df.columns else pd.Series("", index=df.index)

    lines = pd.DataFrame({col: text(col) for col in TIP_LINES}, index=df.index)
    joined = lines.apply(lambda row: "\n".join(v for v in row if v), axis=1) if len(df) else text("line1")
    return pd.DataFrame({"tip_name": text("name"), "tip_lines": joined}, index=df.index)


def unit_layer(
    df: pd.DataFrame, value_col: str, classes: list[ColourClass], layer_id: str, selected_id: int | None = None
) -> pdk.Layer:
    """Units coloured by class."""
    # Only what is drawn or shown in the tooltip goes to the browser.
    cols = [c for c in ("unit_id", "polygon") if c in df.columns]
    data = df[cols].join(tooltip_fields(df)).assign(fill=[colour_for(v, classes) for v in df[value_col]])
    # Sizes are given as min/max pixels: pydeck turns every string prop (e.g. units="pixels") into
    # an accessor expression, which deck.gl then ignores.
    return pdk.Layer(
        "PolygonLayer",
        data=data,
        id=layer_id,
        get_polygon="polygon",
        get_fill_color="fill",
        get_line_color=[50, 50, 50, 230],
        get_line_width=0,
        line_width_min_pixels=1,
        stroked=True,
        filled=True,
        pickable=True,
        auto_highlight=True,
        highlight_color=[0, 120, 255, 90],
    )


def selected_outline(df: pd.DataFrame, unit_id: int | None, layer_id: str = "selected") -> pdk.Layer:
    """A thick outline around the drilled-in unit when it is among those shown."""
    return pdk.Layer(
        "PolygonLayer",
        data=df.loc[df["unit_id"] == unit_id, ["polygon"]],
        id=layer_id,
        get_polygon="polygon",
        filled=False,
        stroked=True,
        get_line_color=[0, 90, 255, 255],
        get_line_width=0,
        line_width_min_pixels=4,
        pickable=False,
    )


def _colour_rows(df: pd.DataFrame) -> list[list[int]]:
    if df.empty:
        return []
    cond = [
        df["overdue"].to_numpy(bool)[:, None],
        df["urgency"].eq("emergency").to_numpy()[:, None],
        df["urgency"].eq("urgent").to_numpy()[:, None],
    ]
    rgb = np.select(
        cond,
        [np.array(OVERDUE_RGB), np.array(URGENCY_RGB["emergency"]), np.array(URGENCY_RGB["urgent"])],
        np.array(URGENCY_RGB["ordinary"]),
    )
    alpha = np.full((len(df), 1), 235)
    return np.hstack([rgb, alpha]).astype(int).tolist()


def event_layers(df: pd.DataFrame, layer_id: str = "open_events") -> list[pdk.Layer]:
    """Open events as dots (colour: overdue, else urgency); events of the last minutes get a ring."""
    data = df[["lon", "lat", "recent"]].join(tooltip_fields(df)).assign(fill=_colour_rows(df))
    dots = pdk.Layer(
        "ScatterplotLayer",
        data=data,
        id=layer_id,
        get_position=["lon", "lat"],
        get_fill_color="fill",
        get_radius=1,
        radius_min_pixels=6,
        radius_max_pixels=6,
        stroked=True,
        get_line_color=[255, 255, 255, 255],
        line_width_min_pixels=1,
        pickable=True,
    )
    recent = data[data["recent"]]
    ring = pdk.Layer(
        "ScatterplotLayer",
        data=recent,
        id=f"{layer_id}_recent",
        get_position=["lon", "lat"],
        get_radius=1,
        radius_min_pixels=10,
        radius_max_pixels=10,
        filled=False,
        stroked=True,
        get_line_color=[0, 90, 255, 200],
        line_width_min_pixels=2,
        pickable=False,
    )
    return [ring, dots]


def worker_layer(df: pd.DataFrame, layer_id: str = "workers") -> pdk.Layer:
    data = df[["lon", "lat"]].join(tooltip_fields(df))
    return pdk.Layer(
        "ScatterplotLayer",
        data=data,
        id=layer_id,
        get_position=["lon", "lat"],
        get_fill_color=[*WORKER_RGB, 220],
        get_radius=1,
        radius_min_pixels=4,
        radius_max_pixels=4,
        stroked=True,
        get_line_color=[255, 255, 255, 255],
        line_width_min_pixels=1,
        pickable=True,
    )


def density_layer(bins: pd.DataFrame, layer_id: str = "density") -> pdk.Layer:
    """Event density from bins already counted in SQL (one weighted point per cell)."""
    return pdk.Layer(
        "HeatmapLayer",
        data=bins[["lon", "lat", "n"]],
        id=layer_id,
        get_position=["lon", "lat"],
        get_weight="n",
        radius_pixels=45,
        intensity=1.2,
        threshold=0.03,
    )


def outline_layer(df: pd.DataFrame, layer_id: str) -> pdk.Layer:
    """Unfilled borders (under a density view), still clickable for drilling."""
    cols = [c for c in ("unit_id", "polygon") if c in df.columns]
    return pdk.Layer(
        "PolygonLayer",
        data=df[cols].join(tooltip_fields(df)),
        id=layer_id,
        get_polygon="polygon",
        filled=True,
        get_fill_color=[255, 255, 255, 1],
        get_line_color=[60, 60, 60, 200],
        line_width_min_pixels=1,
        stroked=True,
        pickable=True,
        auto_highlight=True,
        highlight_color=[0, 120, 255, 60],
    )


def tile_layer_from_env(environ: dict | None = None) -> pdk.Layer | None:
    """An intranet tile layer when GRID_TILE_URL is set ({z}/{x}/{y} template); None otherwise.

    pydeck's JSON cannot express a raster BitmapLayer sub-layer, so this layer takes vector tiles:
    Mapbox Vector Tiles (URL ending .pbf / .mvt → MVTLayer) or GeoJSON tiles (TileLayer). Raster
    intranet tiles are a base map instead: GRID_BASEMAP_STYLE (geo.layers.basemap_style).
    """
    url = (os.environ.get("GRID_TILE_URL", "") if environ is None else environ.get("GRID_TILE_URL", "")).strip()
    if not url:
        return None
    kind = "MVTLayer" if url.split("?")[0].endswith((".pbf", ".mvt")) else "TileLayer"
    return pdk.Layer(
        kind,
        data=url,
        id="intranet_tiles",
        min_zoom=0,
        max_zoom=19,
        pickable=False,
        get_fill_color=[230, 230, 225, 255],
        get_line_color=[180, 180, 180, 255],
        line_width_min_pixels=1,
    )


def count_label_layer(
    df: pd.DataFrame, text_col: str, layer_id: str = "unit_counts", size: int = 15, dark: bool = False
) -> pdk.Layer:
    """Per-unit labels (name and counts, one text with a line break) at the centroids, on a
    plate so they stay readable over any fill: the county and town views show these instead of
    hundreds of points. In the system's CJK font (nothing is downloaded); pydeck passes a quoted
    string through literally, hence "'auto'" and the quoted font names."""
    data = df[["centroid_lon", "centroid_lat", text_col]].drop_duplicates(subset=["centroid_lon", "centroid_lat"])
    ink, plate = ([240, 244, 248, 255], [12, 20, 34, 215]) if dark else ([20, 20, 20, 255], [255, 255, 255, 215])
    return pdk.Layer(
        "TextLayer",
        data=data,
        id=layer_id,
        get_position=["centroid_lon", "centroid_lat"],
        get_text=text_col,
        get_size=size,
        get_color=ink,
        character_set="'auto'",
        font_family="'Noto Sans CJK SC, Noto Sans CJK, sans-serif'",
        font_weight=600,
        line_height=1.15,
        background=True,
        get_background_color=plate,
        background_padding=[6, 3],
        pickable=False,
    )


def count_labels(names: pd.Series, open_events: pd.Series, overdue: pd.Series, open_word: str, overdue_word: str):
    """ "枫林镇\\n在办 12 · 超期 3" per unit: the text `count_label_layer` draws."""
    return (
        names.astype(str)
        + "\n"
        + open_word
        + " "
        + open_events.astype(int).astype(str)
        + " · "
        + overdue_word
        + " "
        + overdue.astype(int).astype(str)
    )
