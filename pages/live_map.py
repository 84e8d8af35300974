"""实时地图 Live map: boundaries at every level coloured by a metric, open events, workers on duty,
a ticker and overdue alerts, refreshing by itself.

Drill state lives in the URL (`?level=grid&unit=12`), so a link opens the same view. The sidebar's
town / village filter is the outer limit: the drill starts at the filtered unit and never leaves
it (a link to a unit outside the filter shows a message and the filtered unit instead).
"""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import streamlit as st

from data_access import live
from data_access.filters import LOCAL_TZ, FilterError, now_utc
from data_access.schema import EVENT_STATUSES, URGENCIES
from data_access.store import resolve_db_url
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
from ui import format as fmt
from ui.auth import current_user
from ui.data import live_query, query, store_levels
from ui.escape import md
from ui.labels import metric_definition, metric_name, t
from ui.shell import page_filters, store_guarded

COLOUR_METRICS = [
    "live_open_events",
    "live_overdue_events",
    "events_per_1000_residents",
    "on_time_closure_rate",
    "live_workers_checked_in",
]
# Drill levels whose view shows per-unit counts instead of points (see live_map_view).
OVERVIEW_LEVELS = ("county", "town")
MAP_HEIGHT = 470
METRIC_COLUMN = {
    "live_open_events": "open_events",
    "live_overdue_events": "overdue_events",
    "events_per_1000_residents": "events_per_1000_residents",
    "on_time_closure_rate": "on_time_closure_rate",
    "live_workers_checked_in": "workers_checked_in",
}


def refresh_seconds() -> int:
    """The refresh interval: GRID_LIVE_REFRESH_SECONDS (2–300), 5 s by default."""
    try:
        return min(300, max(2, int(os.environ.get("GRID_LIVE_REFRESH_SECONDS", "5"))))
    except ValueError:
        return 5


def live_now(interval: int) -> dt.datetime:
    # Rounded down to the interval: every session refreshing in the same slot shares cached answers.
    now = now_utc()
    return now - dt.timedelta(seconds=now.timestamp() % interval)


def local_clock(moment) -> str:
    return pd.Timestamp(moment).tz_convert(LOCAL_TZ).strftime("%H:%M:%S")


def local_times(series: pd.Series, pattern: str = "%m-%d %H:%M") -> pd.Series:
    return pd.to_datetime(series, utc=True).dt.tz_convert(LOCAL_TZ).dt.strftime(pattern).fillna(t("live_map_never"))


def value_text(values: pd.Series, key: str) -> pd.Series:
    if key == "on_time_closure_rate":
        return (values * 100).map("{:.1f}%".format).where(values.notna(), "—")
    if key == "events_per_1000_residents":
        return values.map("{:.1f}".format).where(values.notna(), "—")
    return values.astype("Int64").astype(str)


def urgency_names() -> dict[str, str]:
    return {u: t(f"live_map_urgency_{u}") for u in URGENCIES}


def status_names() -> dict[str, str]:
    return {s: t(f"live_map_status_{s}") for s in EVENT_STATUSES}


def legend_label(key: str):
    if key == "on_time_closure_rate":
        return lambda v: f"{v * 100:.1f}%"
    if key == "events_per_1000_residents":
        return lambda v: f"{v:.1f}"
    return lambda v: f"{v:,.0f}"


# --- drill state -------------------------------------------------------------------------------


def set_drill(level: str, unit: int | None) -> None:
    st.query_params["level"] = level
    if unit is None:
        st.query_params.pop("unit", None)
    else:
        st.query_params["unit"] = str(unit)


def resolve_drill(f) -> tuple[str, int | None, pd.DataFrame, list[str]]:
    """(level, unit, path, messages): the validated drill state, inside the sidebar filter."""
    root = ("village", f.village_id) if f.village_id else (("town", f.town_id) if f.town_id else ("county", None))
    root_path = query(live.unit_path, *root, f.scope)
    root_name = root_path["name"].iloc[-1]
    raw_level = st.query_params.get("level")
    raw_unit = st.query_params.get("unit")
    messages = []
    if raw_level is None and raw_unit is None:
        return root[0], root[1], root_path, messages
    if raw_level not in store_levels().keys:  # only the levels this store has
        messages.append(t("live_map_bad_level", value=md(str(raw_level)[:40]), root=md(root_name)))
        return root[0], root[1], root_path, messages
    unit = None
    if raw_unit is not None:
        try:
            unit = int(raw_unit)
            if unit <= 0 or unit > 2**31 - 1:
                raise ValueError
        except ValueError:
            messages.append(t("live_map_bad_unit", value=md(str(raw_unit)[:40]), reason="", root=md(root_name)))
            return root[0], root[1], root_path, messages
    try:
        path = query(live.unit_path, raw_level, unit, f.scope)
    except FilterError:
        # One reason for a unit that does not exist and one outside the account's town: the
        # message must not tell which ids exist elsewhere (issue #18, finding 14).
        reason = t("live_map_unit_unavailable")
        messages.append(t("live_map_bad_unit", value=md(str(raw_unit)[:40]), reason=reason, root=md(root_name)))
        return root[0], root[1], root_path, messages
    inside = ((path["level"] == root[0]) & ((root[1] is None) | (path["id"] == (root[1] or 0)))).any()
    if not inside:
        messages.append(t("live_map_outside_filter", name=md(path["name"].iloc[-1]), root=md(root_name)))
        return root[0], root[1], root_path, messages
    return raw_level, (unit if raw_level != "county" else None), path, messages


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


# --- page --------------------------------------------------------------------------------------

f = page_filters()
interval = refresh_seconds()
st.title(t("live_map_title"))
st.caption(t("live_map_caption", sec=interval, start=f.date_from, end=f.date_to))

level, unit, path, problems = resolve_drill(f)
for message in problems:
    st.warning(message)
if problems:  # the fallback becomes the URL, so a reload shows what is on screen
    set_drill(level, unit)

root_index = 0 if not f.town_id else int(path.index[path["level"] == ("village" if f.village_id else "town")][0])
crumbs = st.container(horizontal=True, key="live_map_path")
crumbs.markdown(f"**{t('live_map_path')}:**")
for i, row in enumerate(path.itertuples(index=False)):
    is_here = i == len(path) - 1
    crumbs.button(
        md(row.name),
        key=f"live_map_crumb_{row.level}",
        disabled=is_here or i < root_index,
        type="primary" if is_here else "secondary",
        on_click=set_drill,
        args=(row.level, None if row.level == "county" else int(row.id)),
    )

# Drill through the store's own levels (H district stops at the grid: no micro-grids).
store_keys = store_levels().keys
finer = store_keys[store_keys.index(level) + 1 :] or (level,)
c1, c2, c3, c4, c5, c6 = st.columns([3, 2, 2, 2, 2, 2])
metric_key = c1.selectbox(
    t("live_map_metric"),
    COLOUR_METRICS,
    key="live_map_metric",
    format_func=lambda k: metric_name(live.LIVE_METRICS[k]),
    placeholder=t("select_placeholder"),
)
show_level = c2.selectbox(
    t("live_map_show_level"),
    list(finer),
    key=f"live_map_show_level_{level}",
    format_func=lambda lv: t(f"live_map_level_{lv}"),
    placeholder=t("select_placeholder"),
)
view_mode = c3.radio(
    t("live_map_view"),
    ["units", "density"],
    key="live_map_view",
    horizontal=True,
    format_func=lambda v: t(f"live_map_view_{v}"),
)
show_events = c4.toggle(t("live_map_show_events"), value=True, key="live_map_show_events")
show_workers = c4.toggle(t("live_map_show_workers"), value=True, key="live_map_show_workers")
recent_minutes = int(
    c5.number_input(
        t("live_map_recent_minutes"), min_value=1, max_value=1440, value=15, step=5, key="live_map_recent_minutes"
    )
)
metric = live.LIVE_METRICS[metric_key]
c6.caption(metric_definition(metric, with_source=False))  # one line: the map keeps its place


@st.fragment(run_every=interval)
@store_guarded  # a fragment's refresh runs alone, outside dashboard.py's guard
def live_panel() -> None:
    # Each timed refresh re-checks the session (revoked, 12-hour and idle limits): the fragment
    # runs without the rest of the script, so the entrypoint's check does not cover it.
    if current_user(touch=False) is None:
        st.rerun()  # the whole app, which now shows the sign-in form
    now = live_now(interval)
    en = bool(st.session_state.get("lang_en"))
    count = st.session_state.get("live_map_refresh_count", 0) + 1
    st.session_state["live_map_refresh_count"] = count
    st.caption(t("live_map_refreshed", n=count, time=fmt.local_time(now) + ":" + f"{now.astimezone(LOCAL_TZ):%S}"))

    here = unit_numbers(f, now, level, unit, level)
    if here.empty:
        st.info(t("live_map_no_units"))
        return
    row = here.iloc[0]
    m = live.LIVE_METRICS
    cols = st.columns(5)
    cols[0].metric(
        metric_name(m["live_open_events"]),
        fmt.count(row["open_events"]),
        help=metric_definition(m["live_open_events"]),
        border=True,
    )
    cols[1].metric(
        metric_name(m["live_overdue_events"]),
        fmt.count(row["overdue_events"]),
        help=metric_definition(m["live_overdue_events"]),
        border=True,
    )
    cols[2].metric(
        metric_name(m["events_per_1000_residents"]),
        value_text(here["events_per_1000_residents"], "events_per_1000_residents").iloc[0],
        help=metric_definition(m["events_per_1000_residents"])
        + " "
        + t("rate_parts", num=fmt.count(row["events_reported"]), den=fmt.count(row["residents"])),
        border=True,
    )
    cols[3].metric(
        metric_name(m["on_time_closure_rate"]),
        fmt.percent(row["on_time_closure_rate"]),
        help=metric_definition(m["on_time_closure_rate"])
        + " "
        + t("rate_parts", num=fmt.count(row["on_time_closed"]), den=fmt.count(row["due_or_closed"])),
        border=True,
    )
    cols[4].metric(
        metric_name(m["live_workers_checked_in"]),
        t("checkin_value", n=fmt.count(row["workers_checked_in"]), total=fmt.count(row["workers_active"])),
        help=metric_definition(m["live_workers_checked_in"]),
        border=True,
    )

    numbers = unit_numbers(f, now, level, unit, show_level)
    built = live_map_view(
        resolve_db_url(),
        f,
        now,
        level,
        unit,
        show_level,
        metric_key,
        view_mode,
        show_events,
        show_workers,
        recent_minutes,
        en,
    )
    if built is None:
        st.info(t("live_map_no_units"))
        return
    deck_obj, classes, n_points = built

    map_col, side_col = st.columns([3, 2])
    with map_col:
        state = st.pydeck_chart(
            deck_obj,
            height=MAP_HEIGHT,
            on_select="rerun",
            selection_mode="single-object",
            key=f"live_map_deck_{level}_{unit}_{show_level}",
        )
        picked = state.selection.objects.get("units") if state is not None else None
        if picked:
            target = int(picked[0]["unit_id"])
            if (show_level, target) != (level, unit):
                set_drill(show_level, target)
                st.rerun(scope="app")
        if n_points >= live.MAX_EVENT_POINTS:
            st.caption(t("live_map_capped", shown=n_points, total=int(row["open_events"])))

    with side_col.container(key="live_map_side"):
        # The legend sits beside the map, above the ticker: visible without scrolling.
        if view_mode == "density":
            st.caption(t("live_map_density_caption"))
        else:
            fmt_v = legend_label(metric_key)
            swatches = " ".join(
                f"<span style='white-space:nowrap'><span style='display:inline-block;width:12px;height:12px;"
                f"background:rgb{c.rgb};border:1px solid #555;margin:0 4px 0 8px'></span>{c.label(fmt_v)}</span>"
                for c in classes
            )
            st.html(
                f"<div class='live-map-legend' style='font-size:0.85rem'>{t('live_map_legend')} "
                f"({metric_name(metric)}): {swatches}</div>"
            )
        if level in OVERVIEW_LEVELS:
            st.html(f"<div style='font-size:0.85rem'>{t('live_map_points_from_village')}</div>")
        else:
            st.html(f"<div style='font-size:0.85rem'>{t('live_map_legend_events', m=recent_minutes)}</div>")
        st.markdown(f"**{t('live_map_ticker')}**")
        news = live_query(live.newest_events, f, now, level, unit)
        item = news["item_name_en" if en else "item_name"].fillna("")
        flagged = news["urgency"] != "ordinary"  # only emergency / urgent get a tag, to keep rows short
        st.dataframe(
            pd.DataFrame(
                {
                    t("live_map_col_time"): local_times(news["reported_at"], "%H:%M:%S"),
                    t("live_map_col_item"): ("[" + news["urgency"].map(urgency_names()) + "] ").where(flagged, "")
                    + item,
                    t("live_map_col_status"): news["status"].map(status_names()),
                    t("live_map_col_place" if store_levels().has_micro_grids else "live_map_col_grid"): news[
                        "micro_grid_name"
                    ]
                    .fillna(news["grid_name"])
                    .fillna(""),
                }
            ),
            hide_index=True,
            key="live_map_ticker",
            height=210,
        )
        st.markdown(f"**{t('live_map_alerts')}**", help=metric_definition(m["live_overdue_events"]))
        alerts = live_query(live.overdue_alerts, f, now, level, unit)
        if alerts.empty:
            st.success(t("live_map_no_alerts"))
        else:
            st.caption(t("live_map_alerts_total", total=int(alerts["total"].iloc[0]), shown=len(alerts)))
            handler = alerts["department_en" if en else "department"].fillna(
                alerts["handled_level"]
                .map({lv: t(f"live_map_level_name_{lv}") for lv in ("grid", "village", "town", "county", "department")})
                .fillna("")
            )
            st.dataframe(
                pd.DataFrame(
                    {
                        t("live_map_col_code"): alerts["code"],
                        t("live_map_col_item"): alerts["item_name_en" if en else "item_name"],
                        t("live_map_col_overdue_hours"): alerts["overdue_hours"].round(1),
                        t("live_map_col_handler"): handler,
                        t("live_map_col_place"): alerts["grid_name"].fillna(""),
                    }
                ),
                hide_index=True,
                key="live_map_alerts",
                height=210,
            )

    st.markdown(f"**{t('live_map_units_table')}**")
    table = numbers.assign(
        per1000=value_text(numbers["events_per_1000_residents"], "events_per_1000_residents"),
        rate=value_text(numbers["on_time_closure_rate"], "on_time_closure_rate"),
        checked=numbers["workers_checked_in"].astype(str) + " / " + numbers["workers_active"].astype(str),
    )
    st.dataframe(
        table[
            [
                "name",
                "open_events",
                "overdue_events",
                "events_reported",
                "per1000",
                "rate",
                "checked",
                "residents",
                "responsible",
            ]
        ].rename(
            columns={
                "name": t("live_map_col_unit"),
                "open_events": t("live_map_col_open"),
                "overdue_events": t("live_map_col_overdue"),
                "events_reported": t("live_map_col_reported"),
                "per1000": t("live_map_col_per1000"),
                "rate": t("live_map_col_on_time"),
                "checked": t("live_map_col_checked"),
                "residents": t("live_map_col_residents"),
                "responsible": t("live_map_col_responsible"),
            }
        ),
        hide_index=True,
        key="live_map_units_table",
    )

    st.markdown(f"**{t('live_map_no_checkin')}**", help=metric_definition(m["grids_without_checkin"]))
    silent = live_query(live.grids_without_checkin, f, now, level, unit)
    if silent.empty:
        st.success(t("live_map_all_checked_in"))
    else:
        st.caption(t("live_map_no_checkin_total", total=int(silent["total"].iloc[0]), shown=len(silent)))
        st.dataframe(
            pd.DataFrame(
                {
                    t("live_map_col_grid"): silent["name"],
                    t("live_map_col_village"): silent["village"],
                    t("live_map_col_last_checkin"): local_times(silent["last_checkin_at"]),
                    t("live_map_col_responsible"): silent["responsible"],
                }
            ),
            hide_index=True,
            key="live_map_no_checkin_table",
        )


live_panel()
