"""Workforce tab 3: hires and leavers by month, annualised turnover by town, tenure."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import metrics
from data_access import workforce as wf
from ui import format as fmt
from ui.charts import is_partial, mark_partial
from ui.data import query
from ui.escape import plotly_chart
from ui.export import download_buttons
from ui.labels import metric_definition, t
from ui.sections.workforce.common import (
    CHART_MARGIN,
    TYPE_COLOURS,
    coded,
    labelled,
    show_table,
)


def render(f, months: int) -> None:
    flow = query(wf.hires_and_leavers_by_month, f, int(months))
    st.subheader(t("workforce_flow_title"))
    month_text = flow["month"].map(lambda d: fmt.month_label(d, f.period_end))  # the running month says so
    fig = go.Figure(
        [
            go.Bar(x=month_text, y=flow["hires"], name=t("workforce_hires"), marker_color="#54a24b"),
            go.Bar(
                x=month_text,
                y=-flow["leavers"],
                name=t("workforce_leavers"),
                marker_color="#e45756",
                customdata=flow["leavers"],
                hovertemplate="%{x}: %{customdata}<extra></extra>",
            ),
            go.Scatter(
                x=month_text,
                y=flow["headcount_end"],
                name=t("workforce_headcount"),
                yaxis="y2",
                mode="lines+markers",
                line=dict(color="#333"),
            ),
        ]
    )
    fig.update_layout(
        barmode="relative",
        height=340,
        margin=CHART_MARGIN,
        legend=dict(orientation="h", y=1.12),
        xaxis=dict(title=t("workforce_month"), type="category"),
        yaxis=dict(title=f"{t('workforce_hires')} / −{t('workforce_leavers')}"),
        yaxis2=dict(title=t("workforce_headcount"), overlaying="y", side="right", showgrid=False),
    )
    if len(flow):  # a window ending in the running month draws that month as partial
        mark_partial(fig, is_partial(pd.Timestamp(flow["month"].iloc[-1]).date(), "month", f.period_end), "month")
    plotly_chart(fig, key="workforce_flow_chart")
    flow_table = labelled(
        flow.assign(month=month_text),
        {
            "month": "workforce_month",
            "hires": "workforce_col_hires",
            "leavers": "workforce_col_leavers",
            "headcount_end": "workforce_headcount",
        },
    )
    download_buttons(flow_table, "workforce_hires_leavers", "workforce_flow_export")

    turnover_metric = metrics.METRICS["workforce_turnover_annualised"]
    st.subheader(t("workforce_turnover_title"), help=metric_definition(turnover_metric))
    turnover = query(wf.turnover_by_town, f, int(months))
    turnover_table = labelled(
        turnover,
        {
            "town": "workforce_col_town",
            "headcount_start": "workforce_col_head_start",
            "headcount_end": "workforce_col_head_end",
            "average_headcount": "workforce_col_head_avg",
            "hires": "workforce_col_hires",
            "leavers": "workforce_col_leavers",
            "turnover_annualised": "workforce_col_turnover",
        },
    )
    show_table(turnover_table, "workforce_turnover_table", (t("workforce_col_turnover"),))
    download_buttons(turnover_table, "workforce_turnover_by_town", "workforce_turnover_export")

    st.subheader(t("workforce_tenure_title"))
    tenure = query(wf.tenure_distribution, f)
    fig = go.Figure(
        [
            go.Bar(
                x=part["band"] + " " + t("workforce_years_axis"),
                y=part["workers"],
                name=t(f"workforce_type_{etype}"),
                marker_color=TYPE_COLOURS[etype],
            )
            for etype, part in (
                (e, tenure[tenure["employment_type"] == e].sort_values("band_order")) for e in wf.EMPLOYMENT_TYPES
            )
        ]
    )
    fig.update_layout(
        barmode="stack",
        height=320,
        margin=CHART_MARGIN,
        legend=dict(orientation="h", y=1.12),
        xaxis_title=t("workforce_col_tenure"),
        yaxis_title=t("workforce_people"),
    )
    plotly_chart(fig, key="workforce_tenure_chart")
    download_buttons(
        labelled(
            tenure.assign(employment_type=coded(tenure["employment_type"], "workforce_type_")),
            {
                "band": "workforce_col_tenure",
                "employment_type": "workforce_col_type",
                "workers": "workforce_col_workers",
            },
        ),
        "workforce_tenure",
        "workforce_tenure_export",
    )
