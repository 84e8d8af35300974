"""The wall's county map: per-town counts over the town shapes, serialised once per live slot."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import live
from geo.layers import JsonDeck, class_breaks, deck, fit_view
from geo.live import TOOLTIP, count_label_layer, count_labels, shapes, unit_layer
from ui import wall
from ui.data import live_query, query
from ui.labels import t


@st.cache_data(ttl=3600, max_entries=16, show_spinner=False)
def town_shapes(url: str, town_id: int | None, village_id: int | None) -> pd.DataFrame:
    raw = query(live.unit_shapes, "town", "county", None, town_id, village_id)
    return shapes(raw, keep=("unit_id", "name", "centroid_lon", "centroid_lat"))


@st.cache_data(ttl=wall.refresh_seconds(), max_entries=16, show_spinner=False)
def wall_map(url: str, f, month, now, en: bool):
    """(deck, colour classes, per-town numbers) for one live slot, shared by every screen."""
    period = query(live.unit_period, month, "town", "county", None)
    numbers = live_query(live.unit_numbers, month, now, "town", "county", None, period=period)
    units = town_shapes(url, f.town_id, f.village_id).merge(numbers.drop(columns=["name"]), on="unit_id")
    if units.empty:
        return None
    classes = class_breaks(units["open_events"])
    open_word, overdue_word = t("wall_open_short"), t("wall_overdue_short")
    units = units.assign(
        line1=t("live_map_col_open") + " " + units["open_events"].astype(str),
        line2=t("live_map_col_overdue") + " " + units["overdue_events"].astype(str),
        line3=t("live_map_col_checked")
        + " "
        + units["workers_checked_in"].astype(str)
        + " / "
        + units["workers_active"].astype(str),
        label=count_labels(units["name"], units["open_events"], units["overdue_events"], open_word, overdue_word),
    )
    layers = [
        unit_layer(units, "open_events", classes, "wall_units"),
        count_label_layer(units, "label", "wall_unit_counts", size=16, dark=True),
    ]
    # Fitted for the smallest wall (1366×768: a map about 610 × 476 px); bigger screens add margin.
    spec = JsonDeck.of(deck(layers, fit_view(units, width_px=600, height_px=430, padding=0.0), tooltip=TOOLTIP))
    return spec, classes, numbers.drop(columns=["responsible"])
