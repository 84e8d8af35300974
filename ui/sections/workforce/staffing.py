"""Workforce tab 1: staffing per town against the full-time target, grids without a full-time worker."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import workforce as wf
from ui import format as fmt
from ui.data import query, store_levels
from ui.escape import plotly_chart
from ui.export import download_buttons
from ui.labels import t
from ui.sections.workforce.common import (
    CHART_MARGIN,
    PAGE_SIZE,
    TYPE_COLOURS,
    labelled,
)

STAFF_COLUMNS = {
    "town": "workforce_col_town",
    "grids": "workforce_col_grids",
    "micro_grids": "workforce_col_micro_grids",
    "residents": "workforce_col_residents",
    "households": "workforce_col_households",
    "workers": "workforce_col_workers",
    "full_time": "workforce_col_full_time",
    "part_time": "workforce_col_part_time",
    "departmental": "workforce_col_departmental",
    "workers_per_grid": "workforce_col_workers_per_grid",
    "workers_per_micro_grid": "workforce_col_workers_per_micro_grid",
    "full_time_per_grid": "workforce_col_full_time_per_grid",
    "per_1000_residents": "workforce_col_per_1000",
    "per_100_households": "workforce_col_per_100",
    "grids_without_full_time": "workforce_col_no_ft",
    "target_full_time": "workforce_col_target",
    "full_time_gap": "workforce_col_gap",
}


def render(f, total, by_town, target: float) -> None:
    columns = dict(STAFF_COLUMNS)
    if not store_levels().has_micro_grids:  # no micro-grid columns where the store has none
        for col in ("micro_grids", "workers_per_micro_grid"):
            columns.pop(col)
    st.subheader(t("workforce_staffing_title"))
    with_total = pd.concat(
        [by_town, pd.DataFrame([{**total.to_dict(), "town": t("workforce_total_row")}])], ignore_index=True
    )
    staff_table = labelled(with_total, columns).round(2)
    st.dataframe(staff_table, hide_index=True, key="workforce_staffing_table")
    st.caption(t("workforce_gap_note") + " " + t("workforce_target_help"))
    download_buttons(staff_table, "workforce_staffing", "workforce_staffing_export")

    st.markdown(f"**{t('workforce_gap_chart_title')}**")
    fig = go.Figure(
        go.Bar(
            x=by_town["town"],
            y=by_town["full_time_per_grid"],
            name=t("workforce_col_full_time_per_grid"),
            marker_color=TYPE_COLOURS["full_time"],
            text=by_town["full_time_gap"].map(lambda g: f"{g:+d}"),
            hovertemplate="%{x}: %{y:.2f}, " + t("workforce_col_gap") + " %{text}<extra></extra>",
        )
    )
    fig.add_hline(
        y=float(target),
        line_dash="dash",
        line_color="#d62728",
        annotation_position="top left",
        annotation_text=f"{t('workforce_target')}: {target:g}",
    )
    top = max(float(target), float(by_town["full_time_per_grid"].max() or 0))
    fig.update_layout(
        height=340,
        margin=CHART_MARGIN,
        yaxis_title=t("workforce_col_full_time_per_grid"),
        yaxis_range=[0, top * 1.15 + 0.05],
    )
    plotly_chart(fig, key="workforce_gap_chart")

    n_missing = int(total["grids_without_full_time"])
    st.markdown(f"**{t('workforce_no_ft_title', n=fmt.count(n_missing))}**")
    if n_missing == 0:
        st.success(t("workforce_no_ft_none"))
    else:
        pages = math.ceil(n_missing / PAGE_SIZE)
        page_no = st.number_input(
            t("workforce_page", pages=pages), min_value=1, max_value=pages, value=1, step=1, key="workforce_no_ft_page"
        )
        rows = query(wf.grids_without_full_time, f, PAGE_SIZE, (int(page_no) - 1) * PAGE_SIZE)
        names = {
            "town": "workforce_col_town",
            "village": "workforce_col_village",
            "grid": "workforce_col_grid",
            "households": "workforce_col_households",
            "residents": "workforce_col_residents",
            "other_workers": "workforce_col_other_workers",
        }
        st.dataframe(labelled(rows, names), hide_index=True, key="workforce_no_ft_table")
        download_buttons(
            labelled(query(wf.grids_without_full_time, f, n_missing, 0), names),
            "workforce_grids_without_full_time",
            "workforce_no_ft_export",
        )
