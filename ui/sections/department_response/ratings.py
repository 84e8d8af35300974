"""The fourth tab: the towns' ratings (街呼区应) against the data, each point named by its department,
and the departments whose rating disagrees with the data."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui import format as fmt
from ui.escape import plotly_chart
from ui.labels import metric_name, t

from .common import DM, mismatch_column


def scatter_figure(compared: pd.DataFrame, flagged: pd.Series) -> go.Figure:
    figure = go.Figure()
    for mask, colour, name in (
        (~flagged, "#4C78A8", t("dept_flag_normal")),
        (flagged, "#E45756", t("dept_reverse_flagged")),
    ):
        part = compared[mask]
        figure.add_trace(
            go.Scatter(
                x=part["score"],
                y=part["rating_avg"],
                mode="markers+text",  # every point names its department
                text=part["label"],
                textposition="top center",
                name=name,
                marker=dict(color=colour, size=11),
                customdata=part["label"],
                hovertemplate="%{customdata}<br>%{x:.1f} / %{y:.1f}<extra></extra>",
            )
        )
    figure.update_layout(
        height=380,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", y=1.12),
        xaxis_title=metric_name(DM["dept_score"]),
        yaxis_title=metric_name(DM["dept_rating"]),
    )
    return figure


def render(table: pd.DataFrame, rules: dict) -> None:
    st.subheader(t("dept_reverse_title"))
    st.caption(t("dept_reverse_caption", min_n=rules["min_received_for_rank"], gap=rules["mismatch_robust_z"]))
    compared = table[table["z_gap"].notna()].copy()
    if compared.empty:
        st.info(t("dept_reverse_unrated"))
        return
    flagged = compared["mismatch"].fillna("") != ""
    plotly_chart(scatter_figure(compared, flagged), key="dept_reverse_chart")
    if not flagged.any():
        st.success(t("dept_reverse_none"))
        return
    st.markdown(f"**{t('dept_reverse_flagged')}**")
    picked = compared[flagged]
    st.dataframe(
        pd.DataFrame(
            {
                t("dept_col_department"): picked["label"],
                t("dept_col_rating"): picked["rating_avg"].round(2),
                t("dept_col_rating_rank"): picked["rating_rank"].astype(int),
                t("dept_col_score"): picked["score"].round(2),
                t("dept_col_score_rank"): picked["score_rank"].astype(int),
                t("dept_col_z_gap"): picked["z_gap"].round(2),
                t("dept_col_mismatch"): mismatch_column(picked),
            }
        ),
        hide_index=True,
        key="dept_reverse_table",
        placeholder=fmt.MISSING,
    )
