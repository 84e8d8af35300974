"""Shapes and map layers: WKT boundaries from the store into pydeck layers with classed colours.

Maps draw on a plain background (`map_provider=None`): a command centre's wall screen often has
no internet, so no base-map tile is ever requested unless an intranet base map is configured
(GRID_BASEMAP_STYLE, a MapLibre style JSON on the command centre's own network).
"""

from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pydeck as pdk
import shapely
from pydeck.bindings.json_tools import default_serialize
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


def fit_view(df: pd.DataFrame, width_px: int = 680, height_px: int = 560, padding: float = 0.12) -> pdk.ViewState:
    """A view that fits every polygon of `df` into a map of about width × height pixels (Web Mercator;
    deck.gl draws the world 512 pixels wide at zoom 0)."""
    rings = [np.asarray(parts[0]) for parts in df["polygon"]]
    if not rings:
        return pdk.ViewState(longitude=120.2, latitude=29.2, zoom=7)
    pts = np.vstack(rings)
    (minx, miny), (maxx, maxy) = pts.min(axis=0), pts.max(axis=0)
    lat = (miny + maxy) / 2
    span_x = max(maxx - minx, 1e-5)
    span_y = max((maxy - miny) / max(np.cos(np.radians(lat)), 0.1), 1e-5)
    zoom = min(np.log2(width_px * 360 / (512 * span_x)), np.log2(height_px * 360 / (512 * span_y))) - padding
    return pdk.ViewState(longitude=float((minx + maxx) / 2), latitude=float(lat), zoom=float(min(18.0, max(1.0, zoom))))


def choropleth_layer(
    df: pd.DataFrame, value_col: str, classes: list[ColourClass], layer_id: str, pickable: bool = True
) -> pdk.Layer:
    data = df.assign(fill=[colour_for(v, classes) for v in df[value_col]])
    return pdk.Layer(
        "PolygonLayer",
        data=data,
        id=layer_id,
        get_polygon="polygon",
        get_fill_color="fill",
        get_line_color=[60, 60, 60, 220],
        line_width_min_pixels=1,
        stroked=True,
        filled=True,
        pickable=pickable,
        auto_highlight=True,
    )


def name_layer(df: pd.DataFrame, text_col: str, layer_id: str) -> pdk.Layer:
    """Unit names at their centroids, in the system's CJK font (nothing is downloaded).

    pydeck turns plain string props into accessor expressions and lists of strings into array
    expressions; a string wrapped in quotes is passed through literally, hence "'auto'"."""
    data = df[["centroid_lon", "centroid_lat", text_col]].drop_duplicates()
    return pdk.Layer(
        "TextLayer",
        data=data,
        id=layer_id,
        get_position=["centroid_lon", "centroid_lat"],
        get_text=text_col,
        get_size=13,
        get_color=[20, 20, 20, 255],
        character_set="'auto'",
        font_family="'Noto Sans CJK SC, Noto Sans CJK, sans-serif'",
        font_settings={"sdf": True},
        outline_width=3,
        outline_color=[255, 255, 255, 230],
    )


class CompactDeck(pdk.Deck):
    """A Deck serialised without pydeck's indentation: Streamlit sends `to_json()` as it is, and
    indenting every coordinate on its own line more than doubles what the browser downloads."""

    def to_json(self):
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"), ensure_ascii=False)


class JsonDeck:
    """A deck already serialised: what `st.pydeck_chart` needs from a Deck (`to_json`, the tooltip),
    without the layers. Built once per view and live slot and shared by every session through
    `st.cache_data` (which pickles return values: a string is cheap, DataFrames in layers are not)."""

    layers: list = []
    mapbox_key = None

    def __init__(self, spec: str, tooltip: dict | None = None):
        self.spec = spec
        self._tooltip = tooltip

    @classmethod
    def of(cls, deck_obj: pdk.Deck) -> JsonDeck:
        tooltip = getattr(deck_obj, "_tooltip", None)
        return cls(deck_obj.to_json(), tooltip if isinstance(tooltip, dict) else None)

    def to_json(self) -> str:
        return self.spec


BASEMAP_ENV = "GRID_BASEMAP_STYLE"


def basemap_style(environ: dict | None = None) -> str | None:
    """The intranet base map: GRID_BASEMAP_STYLE names a MapLibre style JSON (raster or vector
    sources, e.g. a GeoServer/WMTS or 天地图 intranet service) by http(s) URL. Unset, or not an
    http(s) URL (logged): None, no base map and no request off the host."""
    env = os.environ if environ is None else environ
    url = env.get(BASEMAP_ENV, "").strip()
    if not url:
        return None
    if not url.lower().startswith(("http://", "https://")):
        logging.getLogger(__name__).warning("%s must be an http(s) URL of a style JSON; ignored", BASEMAP_ENV)
        return None
    return url


def deck(layers: list[pdk.Layer], view: pdk.ViewState, tooltip: dict | None = None) -> CompactDeck:
    """Every map of the dashboard: the layers over the intranet base map when one is configured."""
    style = basemap_style()
    if style:
        # Streamlit's frontend hands a style URL with a map provider to MapLibre, which fetches the
        # style and its tiles from where the style says (the intranet server), under the layers.
        return CompactDeck(
            layers=layers, initial_view_state=view, map_provider="carto", map_style=style, tooltip=tooltip or False
        )
    # map_provider=None with pydeck's default map_style sentinel is what tells Streamlit's frontend
    # to draw no base map; passing map_style=None instead makes it fall back to Carto's tiles.
    return CompactDeck(layers=layers, initial_view_state=view, map_provider=None, tooltip=tooltip or False)
