"""The live map's view: shapes, tooltips and layers of one drill view, serialised once per time slot."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import live
from geo.layers import JsonDeck, class_breaks, deck, fit_view, name_layer
from geo.live import (
    TOOLTIP,
    count_label_layer,
    count_labels,
    density_layer,
    event_layers,
    outline_layer,
    selected_outline,
    shapes,
    tile_layer_from_env,
    unit_layer,
    worker_layer,
)
from ui.data import live_query, query
from ui.labels import t
from ui.sections.live_map.common import (
    MAP_HEIGHT,
    METRIC_COLUMN,
    OVERVIEW_LEVELS,
    local_times,
    refresh_seconds,
    status_names,
    urgency_names,
    value_text,
)


@st.cache_data(ttl=3600, max_entries=256, show_spinner=False)
def view_shapes(
    url: str, level: str, scope_level: str, scope_id: int | None, town_id: int | None, village_id: int | None
) -> pd.DataFrame:
    """Simplified shapes of one view, built once per (level, scope, filter) and store."""
    raw = query(live.unit_shapes, level, scope_level, scope_id, town_id, village_id)
    return shapes(raw, keep=("unit_id", "name", "centroid_lon", "centroid_lat"))


def tooltip_frames(units: pd.DataFrame) -> pd.DataFrame:
    """Tooltip lines for the unit polygons, built column-wise."""
    per1000 = value_text(units["events_per_1000_residents"], "events_per_1000_residents")
    rate = value_text(units["on_time_closure_rate"], "on_time_closure_rate")
    return units.assign(
        line1=(
            units["open_events"].astype(str).radd(t("live_map_col_open") + " ")
            + " · "
            + t("live_map_col_overdue")
            + " "
            + units["overdue_events"].astype(str)
        ),
        line2=t("live_map_col_per1000") + " " + per1000 + " · " + t("live_map_col_on_time") + " " + rate,
        line3=(
            t("live_map_col_checked")
            + " "
            + units["workers_checked_in"].astype(str)
            + " / "
            + units["workers_active"].astype(str)
        ),
        line4=units["responsible"],
    )


def unit_numbers(f, now, level: str, unit: int | None, show: str) -> pd.DataFrame:
    # The period part follows the date filter, not the clock: cached for a minute, not seconds.
    period = query(live.unit_period, f, show, level, unit)
    return live_query(live.unit_numbers, f, now, show, level, unit, period=period)


@st.cache_data(ttl=refresh_seconds(), max_entries=64, show_spinner=False)
def live_map_view(
    url: str,
    f,
    now,
    level: str,
    unit: int | None,
    show_level: str,
    metric_key: str,
    view_mode: str,
    show_events: bool,
    show_workers: bool,
    recent_minutes: int,
    en: bool,
):
    """(deck, colour classes, event points drawn) of one view in one live time slot, or None.

    Built once per view and slot and shared by every session (20 screens on the same view cost one
    build, not 20): the deck comes back already serialised (`JsonDeck`), so a cache hit unpickles a
    string instead of rebuilding layers, tooltips and ~1 MB of JSON. The key holds everything the
    map shows (filters incl. role, which masks names; the language; the time slot), and the time
    slot changes every interval, so new events show within one refresh."""
    numbers = unit_numbers(f, now, level, unit, show_level)
    shp = view_shapes(url, show_level, level, unit, f.town_id, f.village_id)
    units = shp.merge(numbers.drop(columns=["name"]), on="unit_id", how="inner")
    if units.empty:
        return None
    units = tooltip_frames(units)  # the layers escape the text
    col = METRIC_COLUMN[metric_key]
    classes = class_breaks(units[col])
    if metric_key == "on_time_closure_rate":  # here a higher value is better: reverse the ramp
        classes = [type(c)(c.lower, c.upper, classes[len(classes) - 1 - i].rgb) for i, c in enumerate(classes)]
    layers = []
    tiles = tile_layer_from_env()
    if tiles is not None:
        layers.append(tiles)
    if view_mode == "density":
        layers += [density_layer(live_query(live.event_density, f, level, unit)), outline_layer(units, "units")]
    else:
        layers.append(unit_layer(units, col, classes, "units"))
    if show_level == level:
        layers.append(selected_outline(units, unit))
    points_shown = level not in OVERVIEW_LEVELS
    if not points_shown:
        # County and town views: one label per unit (name, open · overdue) instead of hundreds of
        # points that would hide the names; individual points from the village level down.
        labels = count_labels(
            units["name"],
            units["open_events"],
            units["overdue_events"],
            t("live_map_col_open"),
            t("live_map_col_overdue"),
        )
        layers.append(count_label_layer(units.assign(label=labels), "label", size=14))
    elif show_level in ("town", "village") or len(units) <= 12:
        layers.append(name_layer(units, "name", "unit_names"))
    # Workers first, so open events (what to act on) are drawn on top.
    if show_workers and points_shown:
        crew = live_query(live.worker_positions, f, now, level, unit)
        if not crew.empty:
            layers.append(
                worker_layer(
                    crew.assign(
                        name=crew["name"] + " " + crew["phone"],
                        line1=crew["grid_name"].fillna(""),
                        line2=t("live_map_tip_checkin", time="") + local_times(crew["at"], "%H:%M"),
                        line3="",
                        line4="",
                    )
                )
            )
    n_points = 0
    if show_events and points_shown:
        points = live_query(live.open_event_points, f, now, level, unit, recent_minutes)
        n_points = len(points)
        if not points.empty:
            layers += event_layers(
                points.assign(
                    name=points["item_name_en" if en else "item_name"],
                    line1=points["code"] + " · " + points["urgency"].map(urgency_names()),
                    line2=points["status"].map(status_names()),
                    line3=points["overdue"].map({True: t("live_map_tip_overdue"), False: ""}),
                    line4=t("live_map_tip_reported", time="") + local_times(points["reported_at"]),
                )
            )
    # Fitted to the map column at 1366×768 with the sidebar open (about 560 × MAP_HEIGHT px): smaller
    # screens would clip the county on both sides, larger ones just show more margin.
    spec = JsonDeck.of(deck(layers, fit_view(units, width_px=560, height_px=MAP_HEIGHT), tooltip=TOOLTIP))
    return spec, classes, n_points
