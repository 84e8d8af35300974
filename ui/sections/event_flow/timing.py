"""Event flow tab 3: median and 90th-percentile hours per stage, by route or category."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import flows, metrics, units
from ui import format as fmt
from ui.data import query
from ui.escape import plotly_chart
from ui.labels import lang, metric_definition, metric_name, t
from ui.sections.event_flow.common import level_label


def render(f, rules) -> None:
    verify_h = float(rules["verify_within_hours"])
    by = st.radio(
        t("ef_timing_by"),
        ["all", "route", "category"],
        horizontal=True,
        key="ef_timing_by",
        format_func=lambda b: t(f"ef_by_{b}"),
    )
    timing = query(flows.stage_timing, f, by, verify_h)
    p90_metric, breach_metric = metrics.METRICS["flow_stage_p90_hours"], metrics.METRICS["flow_stage_breach_share"]
    st.caption(
        f"{metric_name(p90_metric)}: {metric_definition(p90_metric)} "
        f"{metric_name(breach_metric)}: {metric_definition(breach_metric)} {t('ef_timing_note')}"
    )
    if timing.empty:
        st.info(t("ef_no_timing"))
    else:
        overall = query(flows.stage_timing, f, "all", verify_h)
        stage_names = [t(f"ef_stage_{s}") for s in overall["stage"]]
        figure = go.Figure(
            [
                go.Bar(x=stage_names, y=overall["median_hours"], name=t("ef_median"), marker_color="#0072B2"),
                go.Bar(x=stage_names, y=overall["p90_hours"], name=t("ef_p90"), marker_color="#E69F00"),
            ]
        )
        if "complete_verify" in list(overall["stage"]):
            i = list(overall["stage"]).index("complete_verify")
            figure.add_shape(
                type="line",
                xref="x",
                yref="y",
                x0=i - 0.45,
                x1=i + 0.45,
                y0=verify_h,
                y1=verify_h,
                line=dict(color="#D55E00", width=3, dash="dash"),
            )
            figure.add_annotation(
                x=i,
                y=math.log10(verify_h),
                yref="y",
                text=t("ef_verify_rule", h=verify_h),
                showarrow=False,
                yshift=12,
                font=dict(color="#D55E00"),
            )
        ticks = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 24, 48, 96, 168, 336]
        figure.update_layout(
            height=360,
            barmode="group",
            margin=dict(l=10, r=10, t=30, b=10),
            yaxis=dict(type="log", tickvals=ticks, ticktext=[f"{v:g}" for v in ticks]),
            legend=dict(orientation="h", y=1.08),
        )
        st.markdown(f"**{t('ef_timing_chart')}**")
        plotly_chart(figure, key="ef_timing_chart")
        group_names = {c: n for c, n in zip(timing["group"], timing["group"])}
        if by == "route":
            group_names = {g: level_label(g) for g in timing["group"]}
        elif by == "all":
            group_names = {g: t("ef_by_all") for g in timing["group"]}
        else:
            cats = query(units.categories)
            group_names = dict(zip(cats["code"], cats["name_en" if lang() == "en" else "name"]))
        st.dataframe(
            pd.DataFrame(
                {
                    t("col_ef_stage"): [t(f"ef_stage_{s}") for s in timing["stage"]],
                    t("col_ef_group"): [group_names.get(g, g) for g in timing["group"]],
                    t("col_ef_n"): timing["n"],
                    t("col_ef_median_h"): timing["median_hours"].round(2),
                    t("col_ef_p90_h"): timing["p90_hours"].round(2),
                    t("col_ef_breach"): [fmt.percent(x) for x in timing["breach_share"]],
                }
            ),
            hide_index=True,
            key="ef_timing_table",
        )
