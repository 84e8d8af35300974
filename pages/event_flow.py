"""事件流转 Event flow: how events move between levels, where they stall, where they never arrive.

The node model (what one unit of a flow is) is in data_access/flows.py and on the page.
"""

from __future__ import annotations

import streamlit as st

from data_access import flows
from ui import format as fmt
from ui.data import query
from ui.labels import t
from ui.sections.event_flow import compare, escalation, returns, sankey, timing
from ui.shell import page_filters

f = page_filters()
prev = f.previous_period()
st.title(t("ef_title"))
st.caption(
    t(
        "ef_caption",
        start=f.date_from,
        end=f.date_to,
        as_of=fmt.local_time(f.as_of),
        pstart=prev.date_from,
        pend=prev.date_to,
    )
)
with st.expander(t("ef_model_title")):
    st.markdown(t("ef_model_body"))

links = query(flows.flow_links, f)
if links.empty:
    st.info(t("ef_no_events"))
    st.stop()

tab_flow, tab_compare, tab_timing, tab_returns, tab_esc = st.tabs(
    [t("ef_tab_flow"), t("ef_tab_compare"), t("ef_tab_timing"), t("ef_tab_returns"), t("ef_tab_escalation")]
)

with tab_flow:
    sankey.render(f, links)
with tab_compare:
    compare.render(f, prev, links)
with tab_timing:
    rules = query(flows.escalation_rules)
    timing.render(f, rules)
with tab_returns:
    returns.render(f)
with tab_esc:
    escalation.render(f, rules)
