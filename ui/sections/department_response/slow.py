"""The first tab: who is slow now. Departments by the overdue work they hold at the period end,
the departments compared on one measure (worst on top), and the focus department's oldest items."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import departments as dep
from ui import format as fmt
from ui.data import query
from ui.escape import md, plotly_chart
from ui.labels import lang, t

from .common import column_help, defn, focus_name, min_received, missing_reasons, number_config, shown_columns

PAGE_SIZE = 15
PAGE_SIZES = [5, 15, 50]
SLOW_COLUMNS = [  # who holds overdue work now, and how long its work takes
    ("label", "dept_col_department", None, "text"),
    ("overdue_now", "dept_col_overdue_now", "dept_overdue_now", "count"),
    ("open_now", "dept_col_open_now", None, "count"),
    ("accept_h_median", "dept_col_accept_median", "dept_accept_hours", "hours"),
    ("complete_h_median", "dept_col_complete_median", "dept_complete_hours", "hours"),
    ("complete_h_p90", "dept_col_complete_p90", "dept_complete_hours", "hours"),
    ("on_time_rate", "dept_col_on_time", "dept_on_time_rate", "share"),
    ("received", "dept_col_received", "dept_received", "count"),
]
CHART_MEASURES = {  # key in the table -> (label key, metric key, is a share, a high value is bad)
    "complete_h_median": ("dept_col_complete_median", "dept_complete_hours", False, True),
    "complete_h_p90": ("dept_col_complete_p90", "dept_complete_hours", False, True),
    "accept_h_median": ("dept_col_accept_median", "dept_accept_hours", False, True),
    "on_time_rate": ("dept_col_on_time", "dept_on_time_rate", True, False),
    "return_rate": ("dept_col_return", "dept_return_rate", True, True),
    "rework_rate": ("dept_col_rework", "dept_rework_rate", True, True),
}


def slow_order(table: pd.DataFrame) -> pd.DataFrame:
    """Most overdue work first, then most open work, then the slowest median completion."""
    return table.sort_values(
        ["overdue_now", "open_now", "complete_h_median"], ascending=False, kind="stable", na_position="last"
    )


def render(f, table: pd.DataFrame, county: pd.Series, rules: dict, focus: int | None, reference_row: str) -> None:
    ordered = slow_order(table)
    worst = ordered.iloc[0]
    st.subheader(t("dept_slow_title"))
    if int(worst["overdue_now"]) > 0:
        st.markdown(
            t(
                "dept_slow_summary",
                open=fmt.count(table["open_now"].sum()),
                overdue=fmt.count(table["overdue_now"].sum()),
                worst=md(worst["label"]),
                n=fmt.count(worst["overdue_now"]),
            )
        )
    else:
        st.markdown(t("dept_slow_none_overdue", open=fmt.count(table["open_now"].sum())))
    reasons = missing_reasons(rules, reference_row)
    config = {
        t(label): number_config(kind, column_help(src, kind, key, reasons), pinned=src == "label")
        for src, label, key, kind in SLOW_COLUMNS
    }
    st.caption(t("dept_slow_caption"))
    st.dataframe(
        shown_columns(ordered, SLOW_COLUMNS),
        hide_index=True,
        column_config=config,
        key="dept_slow_table",
        placeholder=fmt.MISSING,
    )
    compare_chart(table, county, rules, reference_row)
    oldest_items(f, table, focus)


def compare_chart(table: pd.DataFrame, county: pd.Series, rules: dict, reference_row: str) -> None:
    st.subheader(t("dept_chart_title"))
    measure = st.selectbox(
        t("dept_chart_measure"),
        list(CHART_MEASURES),
        key="dept_chart_measure",
        format_func=lambda k: t(CHART_MEASURES[k][0]),
        placeholder=t("select_placeholder"),
    )
    label_key, metric_key, is_share, high_is_bad = CHART_MEASURES[measure]
    min_n = min_received(rules)
    # Plotly draws the first bar at the bottom: order so that the worst department is on top.
    bars = table[(table["received"] >= min_n) & table[measure].notna()].sort_values(measure, ascending=high_is_bad)
    scale = 100 if is_share else 1
    figure = go.Figure(
        go.Bar(
            x=bars[measure] * scale,
            y=bars["label"],
            orientation="h",
            marker_color="#4C78A8",
            hovertemplate="%{y}: %{x:.1f}<extra></extra>",
        )
    )
    if not fmt.is_missing(county[measure]):
        figure.add_vline(
            x=float(county[measure]) * scale,
            line_dash="dash",
            line_color="#E45756",
            annotation_text=reference_row,
            annotation_position="top",
        )
    figure.update_layout(
        height=max(260, 24 * len(bars) + 80),
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis_title=t(label_key) + (" (%)" if is_share else ""),
        yaxis=dict(automargin=True),
    )
    plotly_chart(figure, key="dept_compare_chart")
    st.caption(t("dept_chart_min", n=min_n) + " " + defn(metric_key))


def oldest_items(f, table: pd.DataFrame, focus: int | None) -> None:
    st.subheader(t("dept_oldest_title", name=md(focus_name(table, focus))))
    if focus is None:
        st.info(t("dept_oldest_pick"))
        return
    held = table.set_index("department_id").loc[focus]
    n_open, n_overdue = int(held["open_now"]), int(held["overdue_now"])
    if n_open == 0:
        st.info(t("dept_oldest_none"))
        return
    per_page = st.selectbox(
        t("dept_oldest_per_page"),
        PAGE_SIZES,
        index=PAGE_SIZES.index(PAGE_SIZE),
        key="dept_oldest_page_size",
        on_change=lambda: st.session_state.pop("dept_oldest_page", None),
        placeholder=t("select_placeholder"),
    )
    pages = max(1, math.ceil(n_open / per_page))
    page = st.pagination(pages, key="dept_oldest_page") if pages > 1 else 1
    st.caption(t("dept_oldest_caption", n=n_open, overdue=n_overdue, per=per_page))
    items = query(dep.oldest_open, f, focus, per_page, (page - 1) * per_page)
    english = lang() == "en"
    listing = pd.DataFrame(
        {
            t("dept_col_code"): items["code"],
            t("dept_col_category"): items["category_en" if english else "category"],
            t("dept_col_urgency"): items["urgency"].map(lambda u: t(f"dept_urgency_{u}")),
            t("dept_col_source"): items["source"].map(lambda s: t(f"dept_source_{s}")),
            t("dept_col_town"): items["town"].fillna(t("dept_unlocated")),
            t("dept_col_village"): items["village"].astype(object).where(items["village"].notna(), None),
            t("dept_col_grid"): items["grid"].astype(object).where(items["grid"].notna(), None),
            t("dept_col_dispatched"): items["dispatched_at"].map(fmt.local_time),
            t("dept_col_accepted"): items["accepted_at"].map(lambda v: None if pd.isna(v) else fmt.local_time(v)),
            t("dept_col_deadline"): items["deadline"].map(fmt.local_time),
            t("dept_col_waited"): (items["waited_hours"] / 24).round(1),
            t("dept_col_overdue"): items["overdue"].map(lambda o: t("dept_yes") if o else t("dept_no")),
        }
    )
    unlocated = t("dept_missing_place")
    config = {
        t("dept_col_village"): st.column_config.TextColumn(help=unlocated),
        t("dept_col_grid"): st.column_config.TextColumn(help=unlocated),
        t("dept_col_accepted"): st.column_config.TextColumn(help=t("dept_missing_accepted")),
    }
    st.dataframe(listing, hide_index=True, key="dept_oldest_table", column_config=config, placeholder=fmt.MISSING)
