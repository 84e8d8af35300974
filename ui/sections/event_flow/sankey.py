"""Event flow tab 1: the Sankey of the period, its balance check, a link's events and one event's steps."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from data_access import flows, metrics
from ui import format as fmt
from ui.data import query
from ui.escape import md, plotly_chart
from ui.export import download_buttons
from ui.labels import lang, metric_definition, metric_name, t
from ui.sections.event_flow.common import level_label, node_label, outcome_legend, sankey_figure, tr


def render(f, links: pd.DataFrame) -> None:
    balance = flows.node_balance(links)
    n_events = int(balance.loc[balance["node"].str.startswith("origin:"), "outflow"].sum())
    flow_metric = metrics.METRICS["flow_events"]
    st.metric(metric_name(flow_metric), fmt.count(n_events), help=metric_definition(flow_metric), border=True)
    st.markdown(f"**{t('ef_sankey_title')}**")
    plotly_chart(sankey_figure(links), key="ef_sankey")
    outcome_legend()
    with st.expander(t("ef_balance_title")):
        levels = balance[~balance["node"].str.startswith(("origin:", "outcome:"))]
        bad = levels[levels["inflow"] != levels["outflow"]]
        n_out = int(balance.loc[balance["node"].str.startswith("outcome:"), "inflow"].sum())
        if bad.empty and n_out == n_events:
            st.success(t("ef_balance_ok", n=fmt.count(n_events), m=fmt.count(n_out)))
        else:
            st.error(t("ef_balance_bad", nodes=md(", ".join(node_label(n) for n in bad["node"]))))
        shown = balance.assign(node=balance["node"].map(node_label)).rename(
            columns={
                "node": t("col_ef_node"),
                "inflow": t("col_ef_inflow"),
                "passed_on": t("col_ef_passed"),
                "ended_here": t("col_ef_ended"),
                "outflow": t("col_ef_outflow"),
            }
        )
        st.dataframe(shown, hide_index=True, key="ef_balance_table")

    st.subheader(t("ef_drill_title"))
    st.caption(t("ef_drill_help"))
    pairs = links.groupby(["source", "target"], as_index=False)["events"].sum()
    pairs["_o"] = [(flows.node_order(s), flows.node_order(x)) for s, x in zip(pairs["source"], pairs["target"])]
    pairs = pairs.sort_values("_o")
    options = [f"{s}>{x}" for s, x in zip(pairs["source"], pairs["target"])]
    counts = dict(zip(options, pairs["events"]))
    c1, c2 = st.columns([3, 1])
    chosen = c1.selectbox(
        t("ef_link"),
        options,
        key="ef_link",
        format_func=lambda o: (
            f"{node_label(o.split('>')[0])} → {node_label(o.split('>')[1])}({fmt.count(counts.get(o, 0))})"
        ),
        placeholder=t("select_placeholder"),
    )
    size = c2.selectbox(t("ef_page_size"), flows.PAGE_SIZES, key="ef_page_size", placeholder=t("select_placeholder"))
    if chosen is not None:
        source, target = chosen.split(">")
        n_link = query(flows.link_event_count, f, source, target)
        pages = max(1, math.ceil(n_link / int(size)))
        page = st.number_input(t("ef_page"), min_value=1, max_value=pages, value=1, step=1, key="ef_page")
        page = min(max(int(page), 1), pages)
        st.caption(t("ef_page_of", page=page, pages=pages, n=fmt.count(n_link)))
        rows = query(flows.link_events, f, source, target, int(size), (page - 1) * int(size))
        en = lang() == "en"
        table = pd.DataFrame(
            {
                t("col_ef_code"): rows["code"],
                t("col_ef_category"): rows["category_en"] if en else rows["category"],
                t("col_ef_source"): [node_label(f"origin:{s}") for s in rows["source"]],
                t("col_ef_urgency"): [tr("ef_urgency_", u) for u in rows["urgency"]],
                t("col_ef_village"): rows["village"],
                t("col_ef_reported"): [fmt.local_time(x) for x in rows["reported_at"]],
                t("col_ef_status"): [tr("ef_status_", x) for x in rows["status"]],
                t("col_ef_outcome"): [node_label(f"outcome:{o}") for o in rows["outcome"]],
                t("col_ef_returns"): rows["returns"],
                t("col_ef_rejections"): rows["rejections"],
            }
        )
        st.dataframe(table, hide_index=True, key="ef_link_events")
        download_buttons(table, f"event-flow-{source.split(':')[1]}-{target.split(':')[1]}-p{page}", "ef_link_dl")
        codes = dict(zip(rows["id"].astype(int), rows["code"]))
        if codes:
            event_id = st.selectbox(
                t("ef_event"),
                list(codes),
                key="ef_event",
                format_func=lambda i: codes[i],
                placeholder=t("select_placeholder"),
            )
            if event_id is not None:
                steps = query(flows.event_timeline, f, int(event_id))
                st.markdown(f"**{t('ef_timeline_title', code=md(codes[event_id]))}**")
                st.dataframe(
                    pd.DataFrame(
                        {
                            t("col_ef_seq"): steps["seq"],
                            t("col_ef_action"): [tr("ef_action_", a) for a in steps["action"]],
                            t("col_ef_from"): [
                                f"{level_label(lv)} {u or ''}".strip()
                                for lv, u in zip(steps["from_level"], steps["from_unit"])
                            ],
                            t("col_ef_to"): [
                                f"{level_label(lv)} {u or ''}".strip()
                                for lv, u in zip(steps["to_level"], steps["to_unit"])
                            ],
                            t("col_ef_actor"): steps["actor"],
                            t("col_ef_at"): [fmt.local_time(x) for x in steps["at"]],
                            t("col_ef_minutes"): steps["minutes_since_previous"],
                        }
                    ),
                    hide_index=True,
                    key="ef_timeline",
                    # The first step has no step before it: "—", and the column help says so.
                    column_config={
                        t("col_ef_minutes"): st.column_config.NumberColumn(help=t("ef_minutes_help"), format="%.1f"),
                        t("col_ef_actor"): st.column_config.TextColumn(help=t("ef_actor_help")),
                    },
                    placeholder=fmt.MISSING,
                )
