"""Event flow tab 4: returns and rejections by route, round trips per event."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import flows, metrics
from ui.data import query
from ui.escape import plotly_chart
from ui.labels import lang, metric_definition, metric_name, t
from ui.sections.event_flow.common import level_label, tr


def render(f) -> None:
    trips_metric = metrics.METRICS["flow_round_trips"]
    st.caption(f"{metric_name(trips_metric)}: {metric_definition(trips_metric)}")
    returns = query(flows.returns_by_route, f)
    trips = query(flows.round_trips, f)
    left, right = st.columns([3, 2])
    with left:
        st.markdown(f"**{t('ef_returns_title')}**")
        if returns.empty:
            st.info(t("ef_no_returns"))
        else:
            en = lang() == "en"
            st.dataframe(
                pd.DataFrame(
                    {
                        t("col_ef_kind"): [tr("ef_action_", a) for a in returns["action"]],
                        t("col_ef_from"): returns["from_level"].map(level_label),
                        t("col_ef_to"): returns["to_level"].map(level_label),
                        t("col_ef_category"): returns["category_en"] if en else returns["category"],
                        t("col_ef_steps"): returns["steps"],
                        t("col_ef_events_n"): returns["events"],
                    }
                ),
                hide_index=True,
                key="ef_returns_table",
            )
    with right:
        st.markdown(f"**{t('ef_trips_title')}**")
        figure = go.Figure(
            go.Bar(
                x=trips["round_trips"].astype(str),
                y=trips["events"],
                marker_color="#D55E00",
                text=trips["events"],
                textposition="outside",
            )
        )
        figure.update_layout(
            height=320,
            margin=dict(l=10, r=10, t=10, b=10),
            xaxis_title=t("ef_trips_axis"),
            yaxis_title=t("ef_events_axis"),
            yaxis_type="log",
        )
        plotly_chart(figure, key="ef_trips_chart")
