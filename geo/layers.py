"""Shapes and map layers: WKT boundaries from the store into pydeck layers with classed colours.

Maps draw on a plain background (`map_provider=None`): a command centre's wall screen often has
no internet, so no base-map tile is ever requested unless an intranet tile URL is configured.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pydeck as pdk
import shapely
from shapely.geometry import MultiPolygon, Polygon

# Sequential yellow → red classes (ColorBrewer YlOrRd, 5 classes) for "more is worse" metrics.
YL_OR_RD = [(255, 255, 178), (254, 204, 92), (253, 141, 60), (240, 59, 32), (189, 0, 38)]
NO_DATA_RGB = (200, 200, 200)


def polygon_rings(wkt: str) -> list[list[list[list[float]]]]:
    """Each part of a (multi)polygon as pydeck rings: [outer, hole, ...], coordinates [lon, lat]."""
    geom = shapely.from_wkt(wkt)
    parts = geom.geoms if isinstance(geom, MultiPolygon) else [geom]
    out = []
    for part in parts:
        if not isinstance(part, Polygon) or part.is_empty:
            continue
        rings = [part.exterior, *part.interiors]
        out.append([[[round(x, 6), round(y, 6)] for x, y in ring.coords] for ring in rings])
    return out


def explode_polygons(df: pd.DataFrame, wkt_col: str = "boundary_wkt") -> pd.DataFrame:
    """One row per polygon part, with a `polygon` column pydeck's PolygonLayer reads."""
    parts = df[wkt_col].map(polygon_rings)
    out = df.drop(columns=[wkt_col]).assign(polygon=parts).explode("polygon")
    return out[out["polygon"].notna()].reset_index(drop=True)


@dataclass(frozen=True)
class ColourClass:
    lower: float
    upper: float
    rgb: tuple[int, int, int]

    def label(self, fmt=lambda v: f"{v:,.0f}") -> str:
        return fmt(self.lower) if self.lower == self.upper else f"{fmt(self.lower)} – {fmt(self.upper)}"


def class_breaks(values: pd.Series, palette=YL_OR_RD) -> list[ColourClass]:
    """Quantile classes over the distinct values (at most len(palette)); integers stay integers."""
    clean = pd.Series(values, dtype="float64").dropna()
    if clean.empty:
        return []
    distinct = np.unique(clean.to_numpy())
    k = min(len(palette), len(distinct))
    if k == 1:
        return [ColourClass(distinct[0], distinct[0], palette[-1] if distinct[0] > 0 else palette[0])]
    edges = np.quantile(distinct, np.linspace(0, 1, k + 1))
    classes = []
    colours = [palette[round(i * (len(palette) - 1) / (k - 1))] for i in range(k)]
    lower = distinct[0]
    for i in range(k):
        upper = edges[i + 1] if i < k - 1 else distinct[-1]
        inside = distinct[(distinct >= lower) & (distinct <= upper)]
        if inside.size == 0:
            continue
        classes.append(ColourClass(float(inside.min()), float(inside.max()), colours[i]))
        bigger = distinct[distinct > inside.max()]
        if bigger.size == 0:
            break
        lower = bigger.min()
    return classes


def colour_for(value, classes: list[ColourClass], alpha: int = 200) -> list[int]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return [*NO_DATA_RGB, alpha]
    for c in classes:
        if c.lower <= value <= c.upper:
            return [*c.rgb, alpha]
    return [*NO_DATA_RGB, alpha]


def view_for(df: pd.DataFrame) -> pdk.ViewState:
    """A view that frames every polygon in `df` (needs a `polygon` column)."""
    xs, ys = [], []
    for parts in df["polygon"]:
        outer = np.asarray(parts[0])
        xs.extend([outer[:, 0].min(), outer[:, 0].max()])
        ys.extend([outer[:, 1].min(), outer[:, 1].max()])
    if not xs:
        return pdk.ViewState(longitude=120.2, latitude=29.2, zoom=7)
    span = max(max(xs) - min(xs), (max(ys) - min(ys)) * 1.2, 1e-4)
    zoom = max(1.0, min(18.0, math.log2(360 / span) - 0.6))
    return pdk.ViewState(longitude=(min(xs) + max(xs)) / 2, latitude=(min(ys) + max(ys)) / 2, zoom=zoom)


def choropleth_layer(df: pd.DataFrame, value_col: str, classes: list[ColourClass], layer_id: str,
                     pickable: bool = True) -> pdk.Layer:
    data = df.assign(fill=[colour_for(v, classes) for v in df[value_col]])
    return pdk.Layer(
        "PolygonLayer", data=data, id=layer_id, get_polygon="polygon", get_fill_color="fill",
        get_line_color=[60, 60, 60, 220], line_width_min_pixels=1, stroked=True, filled=True,
        pickable=pickable, auto_highlight=True,
    )


def label_layer(df: pd.DataFrame, text_col: str, layer_id: str) -> pdk.Layer:
    """Unit names at their centroids. Uses the system's CJK font: no font is downloaded."""
    return pdk.Layer(
        "TextLayer", data=df[["centroid_lon", "centroid_lat", text_col]].drop_duplicates(), id=layer_id,
        get_position=["centroid_lon", "centroid_lat"], get_text=text_col, get_size=13,
        get_color=[30, 30, 30, 255], character_set="auto", font_family='"Noto Sans CJK SC", sans-serif',
    )


def deck(layers: list[pdk.Layer], view: pdk.ViewState, tooltip: dict | None = None) -> pdk.Deck:
    # map_provider=None with pydeck's default map_style sentinel is what tells Streamlit's frontend
    # to draw no base map; passing map_style=None instead makes it fall back to Carto's tiles.
    return pdk.Deck(layers=layers, initial_view_state=view, map_provider=None, tooltip=tooltip or False)
