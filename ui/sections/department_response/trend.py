"""The third tab: the focus department's (or all departments') monthly trend, with the running
month marked partial, and its work by category and by town."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import departments as dep
from ui import format as fmt
from ui.charts import count_axis, is_partial, mark_partial
from ui.data import query
from ui.escape import md, plotly_chart
from ui.labels import local_name, t

from .common import defn, focus_name

BREAKDOWN = [  # (source column, label key, metric key, kind)
    ("received", "dept_col_received", "dept_received", "count"),
    ("accept_h_median", "dept_col_accept_median", "dept_accept_hours", "hours"),
    ("complete_h_median", "dept_col_complete_median", "dept_complete_hours", "hours"),
    ("complete_h_p90", "dept_col_complete_p90", "dept_complete_hours", "hours"),
    ("on_time_rate", "dept_col_on_time", "dept_on_time_rate", "share"),
    ("return_rate", "dept_col_return", "dept_return_rate", "share"),
    ("rework_rate", "dept_col_rework", "dept_rework_rate", "share"),
]


def month_rows(f, sets: dict) -> pd.DataFrame:
    """Every month the period touches (months without work hold 0), with its label on screen."""
    months = pd.DataFrame({"bucket": dep.local_months(f)})
    trend = months.merge(sets["month"], on="bucket", how="left")
    trend["received"] = trend["received"].fillna(0).astype(int)
    trend["month_label"] = [fmt.month_label(b, f.period_end) for b in trend["bucket"]]
    return trend


def trend_figure(f, trend: pd.DataFrame) -> go.Figure:
    x = trend["month_label"]
    # Bars on the base axis so the lines (overlaid axes are drawn on top) stay visible above them.
    figure = go.Figure(
        [
            go.Bar(
                x=x,
                y=trend["received"],
                name=t("dept_col_received"),
                marker_color="#D5D0CC",
                text=trend["received"],
                textposition="inside",
            ),
            go.Scatter(
                x=x,
                y=trend["complete_h_median"],
                name=t("dept_col_complete_median"),
                mode="lines+markers",
                line_color="#4C78A8",
                yaxis="y2",
            ),
            go.Scatter(
                x=x,
                y=trend["on_time_rate"] * 100,
                name=t("dept_col_on_time") + " (%)",
                mode="lines+markers",
                line_color="#54A24B",
                yaxis="y3",
            ),
        ]
    )
    figure.update_layout(
        height=360,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", y=1.15),
        xaxis=dict(title=t("dept_month"), type="category", domain=[0, 0.88]),
        yaxis=dict(title=t("dept_col_received"), showgrid=False),
        yaxis2=dict(
            title=t("dept_hours_axis"),
            overlaying="y",
            side="right",
            rangemode="tozero",
            title_font_color="#4C78A8",
            tickfont_color="#4C78A8",
        ),
        yaxis3=dict(
            title="%",
            overlaying="y",
            side="right",
            anchor="free",
            position=0.97,
            range=[0, 105],
            showgrid=False,
            title_font_color="#54A24B",
            tickfont_color="#54A24B",
        ),
    )
    count_axis(figure, trend["received"].max() if len(trend) else 0)
    if len(trend):  # the running month holds only part of its events
        year, month = map(int, trend["bucket"].iloc[-1].split("-"))
        mark_partial(figure, is_partial(dt.date(year, month, 1), "month", f.period_end), "month")
    return figure


def breakdown(frame: pd.DataFrame, name_col: str, name_label: str) -> pd.DataFrame:
    out = pd.DataFrame({t(name_label): frame[name_col]})
    for src, label, _, kind in BREAKDOWN:
        values = pd.to_numeric(frame[src], errors="coerce")
        out[t(label)] = (
            values.astype(int) if kind == "count" else values.astype(float).round(4 if kind == "share" else 2)
        )
    return out.sort_values(t("dept_col_received"), ascending=False)


def breakdown_config() -> dict:
    config = {}
    for _src, label, metric_key, kind in BREAKDOWN:
        if kind == "count":
            config[t(label)] = st.column_config.NumberColumn(format="%d", help=defn(metric_key))
            continue
        reason = t("dept_missing_share" if kind == "share" else "dept_missing_hours")
        config[t(label)] = st.column_config.NumberColumn(
            format="percent" if kind == "share" else "%.2f", help=f"{defn(metric_key)}\n\n{reason}"
        )
    return config


def render(f, view: dict, focus: int | None, table: pd.DataFrame) -> None:
    name = focus_name(table, focus)
    # One department's month, category and town breakdowns: again one statement (cached).
    sets = view if focus is None else query(dep.response_sets, f, ("month", "category", "town"), focus)
    trend = month_rows(f, sets)
    st.subheader(t("dept_trend_title", name=md(name)))
    plotly_chart(trend_figure(f, trend), key="dept_trend_chart")
    st.caption(t("dept_trend_caption"))

    config = breakdown_config()
    by_cat, by_town = st.columns(2)
    with by_cat:
        st.markdown(f"**{t('dept_by_category_title', name=md(name))}**")
        cats = query(dep.categories, f)
        cat_names = {r["code"]: local_name(r) for _, r in cats.iterrows()}
        data = sets["category"].copy()
        data["name"] = data["bucket"].map(cat_names).fillna(data["bucket"])
        st.dataframe(
            breakdown(data, "name", "dept_col_category"),
            hide_index=True,
            key="dept_by_category",
            column_config=config,
            placeholder=fmt.MISSING,
        )
    with by_town:
        st.markdown(f"**{t('dept_by_town_title', name=md(name))}**")
        town_df = query(dep.towns, f)
        town_names = dict(zip(town_df["id"], town_df["name"]))
        data = sets["town"].copy()
        data["name"] = data["bucket"].map(town_names).fillna(t("dept_unlocated"))  # hotline events may lack a town
        st.dataframe(
            breakdown(data, "name", "dept_col_town"),
            hide_index=True,
            key="dept_by_town",
            column_config=config,
            placeholder=fmt.MISSING,
        )
