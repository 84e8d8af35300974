"""总览 Overview: the landing page. KPI cards, the daily trend, and towns by overdue events."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from data_access import live, metrics, overview
from geo.layers import choropleth_layer, class_breaks, deck, explode_polygons, fit_view, name_layer
from ui import format as fmt
from ui.charts import count_axis, is_partial, mark_partial
from ui.data import query
from ui.escape import md, plotly_chart
from ui.labels import metric_definition, metric_name, t
from ui.shell import page_filters

# Metrics where a rise is bad news, so the delta arrow is drawn red. Filing-only events are neither:
# more of them can mean hard cases recorded instead of filtered out (DOMAIN.md, reforms).
RISING_IS_BAD = {"open_events", "overdue_events", "rework_rate"}
NEUTRAL = {"filing_only_events"}
VOLUME_ROW = ["events_reported", "open_events", "overdue_events", "filing_only_events", "workers_checked_in_today"]
QUALITY_ROW = ["on_time_closure_rate", "rework_rate", "satisfaction_avg"]

f = page_filters()
prev = f.previous_period()
st.title(t("overview_title"))
st.caption(
    t(
        "period_caption",
        start=f.date_from,
        end=f.date_to,
        as_of=fmt.local_time(f.as_of),
        pstart=prev.date_from,
        pend=prev.date_to,
    )
)

kpis = query(overview.kpi_summary, f).set_index("metric")


def kpi_card(column, key: str) -> None:
    metric = metrics.METRICS[key]
    row = kpis.loc[key]
    value = fmt.by_unit(row["value"], metric.unit)
    help_text = metric_definition(metric)
    if key == "workers_checked_in_today":
        value = t("checkin_value", n=fmt.count(row["value"]), total=fmt.count(row["denominator"]))
        help_text += " (" + t("vs_yesterday") + ")"
    elif not fmt.is_missing(row["denominator"]):
        help_text += " " + t("rate_parts", num=fmt.count(row["numerator"]), den=fmt.count(row["denominator"]))
    unchanged = fmt.is_zero_delta(row["value"], row["previous"], metric.unit)  # neutral, no arrow
    column.metric(
        metric_name(metric),
        value,
        delta=fmt.delta(row["value"], row["previous"], metric.unit),
        delta_color="off" if key in NEUTRAL or unchanged else "inverse" if key in RISING_IS_BAD else "normal",
        delta_arrow="off" if unchanged else "auto",
        help=help_text,
        border=True,
    )


st.subheader(t("kpi_volume"))
for column, key in zip(st.columns(len(VOLUME_ROW)), VOLUME_ROW):
    kpi_card(column, key)
st.subheader(t("kpi_quality"))
for column, key in zip(st.columns(len(VOLUME_ROW)), QUALITY_ROW):
    kpi_card(column, key)
if f.category_code:
    st.caption(t("category_no_workers"))

st.subheader(t("trend_title"))
trend = query(overview.daily_trend, f)
figure = go.Figure(
    [
        go.Scatter(x=trend["day"], y=trend["reported"], name=t("trend_reported"), mode="lines+markers"),
        go.Scatter(x=trend["day"], y=trend["closed"], name=t("trend_closed"), mode="lines+markers"),
    ]
)
figure.update_layout(
    height=320,
    margin=dict(l=10, r=10, t=10, b=10),
    xaxis_title=t("day"),
    yaxis_title=t("events_axis"),
    legend=dict(orientation="h", y=1.1),
    hovermode="x unified",
)
count_axis(figure, max(trend["reported"].max(), trend["closed"].max()) if len(trend) else 0)
if len(trend):  # the running day holds only part of its events: drawn dashed, not as a drop
    mark_partial(figure, is_partial(trend["day"].iloc[-1], "day", f.period_end), "day")
plotly_chart(figure, key="overview_trend")

by_town = query(overview.overdue_by_town, f)
# With a village filter every number is the village's: draw the village and name it, not its town.
village = query(live.unit_shapes, "village", "town", f.town_id, f.town_id, f.village_id) if f.village_id else None
if village is not None and len(village) and len(by_town):
    numbers = by_town.iloc[0][["events_reported", "open_events", "overdue_events"]].to_dict()
    by_town = village.rename(columns={"unit_id": "town_id"}).assign(**numbers)
    unit_col, table_title = t("col_village_name"), t("village_table_title")
    st.subheader(t("map_title_village", village=md(village["name"].iloc[0])))
    st.caption(t("map_caption_village", village=md(village["name"].iloc[0])))
else:
    unit_col, table_title = t("col_town"), t("town_table_title")
    st.subheader(t("map_title"))
st.caption(t("map_caption"))
map_col, table_col = st.columns([3, 2])
with map_col:
    shapes = explode_polygons(by_town)
    classes = class_breaks(by_town["overdue_events"])
    # Streamlit HTML-escapes every value it fills into a tooltip template: the name goes in as text
    # (escaping it here too showed "&lt;" to the user).
    tips = shapes.drop(columns=["name"]).assign(tip_name=shapes["name"].astype(str))
    st.pydeck_chart(
        deck(
            [choropleth_layer(tips, "overdue_events", classes, "towns"), name_layer(shapes, "name", "town_names")],
            fit_view(shapes, width_px=620, height_px=440),  # the map's own size: a single town is not clipped
            tooltip={
                "html": f"<b>{{tip_name}}</b><br/>{t('col_overdue')}: {{overdue_events}}<br/>"
                f"{t('col_open')}: {{open_events}}<br/>{t('col_reported')}: {{events_reported}}"
            },
        ),
        height=460,
        key="overview_map",
    )
    legend = " ".join(
        f"<span style='display:inline-block;width:12px;height:12px;background:rgb{c.rgb};"
        f"border:1px solid #555;margin:0 4px 0 10px'></span>{c.label()}"
        for c in classes
    )
    st.html(f"<div style='font-size:0.85rem'>{t('legend')} ({t('col_overdue')}): {legend}</div>")
with table_col:
    st.markdown(f"**{table_title}**")
    table = (
        by_town[["name", "events_reported", "open_events", "overdue_events"]]
        .rename(
            columns={
                "name": unit_col,
                "events_reported": t("col_reported"),
                "open_events": t("col_open"),
                "overdue_events": t("col_overdue"),
            }
        )
        .sort_values(t("col_overdue"), ascending=False)
    )
    st.dataframe(table, hide_index=True, key="overview_town_table", height=460)
