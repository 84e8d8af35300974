"""The refreshing panel's parts: the KPI row, the map with its legend, ticker and alerts, the tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import live
from ui import format as fmt
from ui.data import live_query, store_levels
from ui.labels import metric_definition, metric_name, t
from ui.sections.live_map.common import (
    MAP_HEIGHT,
    OVERVIEW_LEVELS,
    legend_label,
    local_times,
    status_names,
    urgency_names,
    value_text,
)
from ui.sections.live_map.drill import set_drill


def kpi_row(here: pd.DataFrame) -> None:
    """The five live numbers of the unit on screen, each with its definition."""
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


def map_and_side(
    f,
    now,
    level: str,
    unit: int | None,
    show_level: str,
    metric_key: str,
    view_mode: str,
    recent_minutes: int,
    built,
    row,
    en: bool,
) -> None:
    """The map (a click on a unit drills into it) and beside it the legend, the ticker and the alerts."""
    m = live.LIVE_METRICS
    metric = m[metric_key]
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
        place_column = t("live_map_col_place" if store_levels().has_micro_grids else "live_map_col_grid")
        st.dataframe(
            pd.DataFrame(
                {
                    t("live_map_col_time"): local_times(news["reported_at"], "%H:%M:%S"),
                    t("live_map_col_item"): ("[" + news["urgency"].map(urgency_names()) + "] ").where(flagged, "")
                    + item,
                    t("live_map_col_status"): news["status"].map(status_names()),
                    place_column: news["micro_grid_name"].fillna(news["grid_name"]),
                }
            ),
            hide_index=True,
            key="live_map_ticker",
            height=210,
            column_config={place_column: st.column_config.TextColumn(help=t("live_map_place_help"))},
            placeholder=fmt.MISSING,
        )
        st.markdown(f"**{t('live_map_alerts')}**", help=metric_definition(m["live_overdue_events"]))
        alerts = live_query(live.overdue_alerts, f, now, level, unit)
        if alerts.empty:
            st.success(t("live_map_no_alerts"))
        else:
            st.caption(t("live_map_alerts_total", total=int(alerts["total"].iloc[0]), shown=len(alerts)))
            handler = alerts["department_en" if en else "department"].fillna(
                alerts["handled_level"].map(
                    {lv: t(f"live_map_level_name_{lv}") for lv in ("grid", "village", "town", "county", "department")}
                )
            )
            st.dataframe(
                pd.DataFrame(
                    {
                        t("live_map_col_code"): alerts["code"],
                        t("live_map_col_item"): alerts["item_name_en" if en else "item_name"],
                        t("live_map_col_overdue_hours"): alerts["overdue_hours"].round(1),
                        t("live_map_col_handler"): handler,
                        t("live_map_col_grid"): alerts["grid_name"],
                    }
                ),
                hide_index=True,
                key="live_map_alerts",
                height=210,
                column_config={t("live_map_col_grid"): st.column_config.TextColumn(help=t("live_map_place_help"))},
                placeholder=fmt.MISSING,
            )


RESPONSIBLE_LEVELS = ("grid", "micro_grid")  # the levels a named worker answers for


def responsible_cells(values: pd.Series) -> pd.Series:
    """The responsible workers, or None (drawn "—" by the table's placeholder) where there are none."""
    return values.astype(object).where(values.fillna("").astype(str).str.strip() != "", None)


def responsible_help(level: str) -> str:
    """Why a responsible-worker cell shows "—" at `level`."""
    if level in RESPONSIBLE_LEVELS:
        return t("live_map_responsible_help_grid")
    return t("live_map_responsible_help_area")


def units_table(numbers: pd.DataFrame, level: str) -> None:
    """The numbers of every unit on the map (units of `level`)."""
    st.markdown(f"**{t('live_map_units_table')}**")
    table = numbers.assign(
        per1000=value_text(numbers["events_per_1000_residents"], "events_per_1000_residents"),
        rate=value_text(numbers["on_time_closure_rate"], "on_time_closure_rate"),
        checked=numbers["workers_checked_in"].astype(str) + " / " + numbers["workers_active"].astype(str),
        # Above the grid nobody answers alone for a town or village: "—" and the help says so.
        responsible=responsible_cells(numbers["responsible"])
        if level in RESPONSIBLE_LEVELS
        else pd.Series(None, index=numbers.index, dtype=object),
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
        column_config={t("live_map_col_responsible"): st.column_config.TextColumn(help=responsible_help(level))},
        placeholder=fmt.MISSING,
    )


def no_checkin(f, now, level: str, unit: int | None) -> None:
    """Grids without a check-in today."""
    m = live.LIVE_METRICS
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
                    t("live_map_col_responsible"): responsible_cells(silent["responsible"]),
                }
            ),
            hide_index=True,
            key="live_map_no_checkin_table",
            column_config={t("live_map_col_responsible"): st.column_config.TextColumn(help=responsible_help("grid"))},
            placeholder=fmt.MISSING,
        )
