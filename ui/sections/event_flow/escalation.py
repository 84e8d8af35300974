"""Event flow tab 5: which villages and towns pass on more than their peers (the escalation rule)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import flows, metrics
from ui import format as fmt
from ui.data import query
from ui.escape import plotly_chart
from ui.export import download_buttons
from ui.labels import metric_definition, metric_name, t
from ui.sections.event_flow.common import tr


def render(f, rules) -> None:
    share_metric, hot_metric = metrics.METRICS["flow_escalated_share"], metrics.METRICS["flow_hotline_per_report"]
    days = max(int(rules["escalation_window_days"]), f.days)
    st.markdown(
        t(
            "ef_esc_rule",
            days=days,
            min_peers=int(rules["escalation_min_peers"]),
            ratio=rules["escalation_max_share_of_peers"],
            min_exp=rules["escalation_min_expected"],
            hot=rules["escalation_hotline_ratio_min"],
        )
    )
    st.caption(
        f"{metric_name(share_metric)}: {metric_definition(share_metric)} "
        f"{metric_name(hot_metric)}: {metric_definition(hot_metric)}"
    )
    profile = query(flows.escalation_profile, f)
    window_start = f.date_to - pd.Timedelta(days=days - 1)
    st.caption(t("ef_esc_scope_note", start=window_start, end=f.date_to))
    shown = profile
    if f.town_id is not None:
        shown = shown[shown["town_id"] == f.town_id]
    if f.village_id is not None:
        shown = shown[(shown["level"] == "town") | (shown["unit_id"] == f.village_id)]
    st.metric(t("ef_esc_flagged"), fmt.count(int(shown["flagged"].sum())), border=True)

    def unit_table(rows: pd.DataFrame) -> pd.DataFrame:
        rows = rows.sort_values(["flagged", "share_vs_peers"], ascending=[False, True])
        return pd.DataFrame(
            {
                t("col_ef_flag"): [t("ef_esc_flag_yes") if x else "" for x in rows["flagged"]],
                t("col_ef_unit"): rows["name"],
                t("col_ef_town"): rows["town_name"],
                t("col_ef_kind_unit"): [tr("ef_kind_", k) for k in rows["kind"]],
                t("col_ef_decided"): rows["decided"],
                t("col_ef_escalated"): rows["escalated"],
                t("col_ef_share"): [fmt.percent(x) for x in rows["escalated_share"]],
                t("col_ef_peer_share"): [fmt.percent(x) for x in rows["peer_share"]],
                t("col_ef_hotline"): rows["hotline"],
                t("col_ef_hot_ratio"): rows["hotline_ratio"].round(2),
                t("col_ef_peer_hot"): rows["peer_hotline_ratio"].round(2),
                t("col_ef_peers"): [f"{n} ({t('ef_scope_' + s)})" for n, s in zip(rows["peers"], rows["peer_scope"])],
            }
        )

    villages = shown[shown["level"] == "village"]
    st.markdown(f"**{t('ef_esc_villages')}**")
    village_table = unit_table(villages)
    st.dataframe(village_table, hide_index=True, key="ef_esc_villages")
    download_buttons(village_table, "escalation-profile-villages", "ef_esc_dl")
    plotted = villages.dropna(subset=["share_vs_peers", "hotline_vs_peers"])
    if len(plotted):
        figure = go.Figure()
        for flag, colour in ((False, "#0072B2"), (True, "#D55E00")):
            part = plotted[plotted["flagged"] == flag]
            figure.add_trace(
                go.Scatter(
                    x=part["hotline_vs_peers"],
                    y=part["share_vs_peers"],
                    mode="markers",
                    text=part["name"],
                    marker=dict(color=colour, size=[max(6, min(22, math.sqrt(n))) for n in part["decided"]]),
                    name=t("ef_esc_flag_yes" if flag else "ef_esc_flag_no"),
                    hovertemplate="%{text}<br>x=%{x:.2f}<br>y=%{y:.2f}<extra></extra>",
                )
            )
        figure.add_hline(y=rules["escalation_max_share_of_peers"], line_dash="dash", line_color="#D55E00")
        figure.add_vline(x=rules["escalation_hotline_ratio_min"], line_dash="dash", line_color="#D55E00")
        figure.update_layout(
            height=380,
            margin=dict(l=10, r=10, t=30, b=10),
            xaxis_title=t("ef_esc_x"),
            yaxis_title=t("ef_esc_y"),
            legend=dict(orientation="h", y=1.08),
        )
        st.markdown(f"**{t('ef_esc_scatter')}**")
        plotly_chart(figure, key="ef_esc_scatter")
    st.markdown(f"**{t('ef_esc_towns')}**")
    st.dataframe(unit_table(shown[shown["level"] == "town"]), hide_index=True, key="ef_esc_towns")
