"""Workforce tab 4: events per worker-month against the quota, by town, the far-off workers."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import streamlit as st

from data_access import metrics, rules
from data_access import workforce as wf
from ui import format as fmt
from ui.data import query
from ui.escape import plotly_chart
from ui.export import download_buttons
from ui.labels import metric_definition, metric_name, t
from ui.sections.workforce.common import (
    CHART_MARGIN,
    PAGE_SIZE,
    coded,
    labelled,
    show_table,
)


def render(f, months: int) -> None:
    etype = st.selectbox(
        t("workforce_workload_type"),
        list(wf.EMPLOYMENT_TYPES),
        key="workforce_workload_type",
        format_func=lambda e: t(f"workforce_type_{e}"),
        placeholder=t("select_placeholder"),
    )
    quota = float(query(rules.load_rules, "as_practised").get("quota_events_per_worker", 30.0))
    st.caption(t("workforce_quota_caption", quota=f"{quota:g}"))
    spread = query(wf.workload_distribution, f, int(months), etype)
    town_load = query(wf.workload_by_town, f, int(months), etype, quota)
    per_worker = query(wf.workload_by_worker, f, int(months), etype, quota)
    if spread.empty:
        st.info(t("workforce_no_worker_months"))
    else:
        worker_months = int(town_load["worker_months"].sum())
        c1, c2, c3 = st.columns(3)
        load_metric = metrics.METRICS["workforce_events_per_worker_month"]
        c1.metric(
            metric_name(load_metric),
            fmt.score(town_load["events"].sum() / worker_months),
            help=metric_definition(load_metric),
            border=True,
        )
        median = per_worker.attrs.get("median_per_month")
        c2.metric(t("workforce_kpi_median"), fmt.score(median), help=t("workforce_kpi_median_help"), border=True)
        c3.metric(
            t("workforce_kpi_at_quota"),
            fmt.percent(town_load["months_at_quota"].sum() / worker_months),
            help=t("workforce_kpi_at_quota_help") + f" {fmt.count(town_load['months_at_quota'].sum())} / "
            f"{fmt.count(worker_months)}",
            border=True,
        )

        st.subheader(t("workforce_spread_title"))
        fig = go.Figure(
            go.Bar(
                x=spread["events"],
                y=spread["worker_months"],
                marker_color="#4c78a8",
                hovertemplate="%{x}: %{y}<extra></extra>",
            )
        )
        fig.add_vline(
            x=quota,
            line_dash="dash",
            line_color="#d62728",
            annotation_text=t("workforce_quota_line", quota=f"{quota:g}"),
        )
        fig.update_layout(
            height=320,
            margin=CHART_MARGIN,
            bargap=0.05,
            xaxis_title=t("workforce_events_axis"),
            yaxis_title=t("workforce_worker_months_axis"),
            xaxis=dict(range=[-0.5, max(quota, float(spread["events"].max())) + 1.5]),
        )
        plotly_chart(fig, key="workforce_spread_chart")
        download_buttons(
            labelled(spread, {"events": "workforce_events_axis", "worker_months": "workforce_worker_months_axis"}),
            "workforce_workload_spread",
            "workforce_spread_export",
        )

        st.subheader(t("workforce_town_workload_title"))
        town_table = labelled(
            town_load,
            {
                "town": "workforce_col_town",
                "workers": "workforce_col_compared",
                "worker_months": "workforce_col_worker_months",
                "events": "workforce_col_events",
                "events_per_worker_month": "workforce_col_per_month",
                "quota_share": "workforce_col_quota_share",
            },
        )
        show_table(town_table, "workforce_town_workload_table", (t("workforce_col_quota_share"),))
        download_buttons(town_table, "workforce_workload_by_town", "workforce_town_workload_export")

        far = per_worker[per_worker["flag"] != ""]
        st.subheader(t("workforce_far_title", n=fmt.count(len(far))))
        st.caption(
            t(
                "workforce_far_rule",
                median=fmt.score(median),
                above=f"{wf.FAR_ABOVE_FACTOR:g}",
                below=f"{wf.FAR_BELOW_FACTOR:g}",
            )
        )
        if far.empty:
            st.success(t("workforce_far_none"))
        else:
            far_table = labelled(
                far.assign(flag=coded(far["flag"], "workforce_flag_")),
                {
                    "name": "workforce_col_name",
                    "town": "workforce_col_town",
                    "grid": "workforce_col_grid",
                    "months": "workforce_col_months",
                    "events": "workforce_col_events",
                    "per_month": "workforce_col_per_month",
                    "quota_ratio": "workforce_col_quota_ratio",
                    "flag": "workforce_col_flag",
                },
            ).round(2)
            pages = math.ceil(len(far_table) / PAGE_SIZE)
            far_page = st.number_input(
                t("workforce_page", pages=pages),
                min_value=1,
                max_value=pages,
                value=1,
                step=1,
                key="workforce_far_page",
            )
            start = (int(far_page) - 1) * PAGE_SIZE
            st.dataframe(far_table.iloc[start : start + PAGE_SIZE], hide_index=True, key="workforce_far_table")
            download_buttons(far_table, "workforce_workload_outliers", "workforce_far_export")
