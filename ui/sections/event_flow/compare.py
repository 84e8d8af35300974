"""Event flow tab 2: this period and the previous one side by side, link by link."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import flows
from ui import format as fmt
from ui.data import query
from ui.escape import plotly_chart
from ui.labels import t
from ui.sections.event_flow.common import node_label, outcome_legend, sankey_figure


def render(f, prev, links: pd.DataFrame) -> None:
    prev_links = query(flows.flow_links, prev)
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('ef_this_period', start=f.date_from, end=f.date_to)}**")
        plotly_chart(sankey_figure(links, 460), key="ef_sankey_now")
    with right:
        st.markdown(f"**{t('ef_prev_period', start=prev.date_from, end=prev.date_to)}**")
        if prev_links.empty:
            st.info(t("ef_no_events"))
        else:
            plotly_chart(sankey_figure(prev_links, 460), key="ef_sankey_prev")
    outcome_legend()
    st.markdown(f"**{t('ef_compare_table')}**")
    comparison = flows.compare_links(links, prev_links)  # both periods are already at hand
    st.dataframe(
        pd.DataFrame(
            {
                t("col_ef_from_node"): comparison["source"].map(node_label),
                t("col_ef_to_node"): comparison["target"].map(node_label),
                t("col_ef_events"): comparison["events"],
                t("col_ef_previous"): comparison["previous"],
                t("col_ef_change"): comparison["change"],
                t("col_ef_change_share"): [fmt.percent(x) for x in comparison["change_share"]],
            }
        ),
        hide_index=True,
        key="ef_compare_table",
    )
