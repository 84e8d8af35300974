"""事件流转 Event flow: how events move between levels, where they stall, where they never arrive.

The node model (what one unit of a flow is) is in data_access/flows.py and on the page.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import flows, metrics, units
from ui import format as fmt
from ui.data import query
from ui.escape import md, plotly_chart
from ui.export import download_buttons
from ui.labels import LABELS, lang, metric_definition, metric_name, t
from ui.shell import page_filters

OUTCOME_COLOURS = {  # colour-blind-safe (Okabe–Ito)
    "closed": (0, 158, 115),
    "closed_returned": (230, 159, 0),
    "closed_rejected": (213, 94, 0),
    "open": (0, 114, 178),
    "filed": (204, 121, 167),
}
COLUMN_X = {"origin": 0.0, "level": (0.18, 0.36, 0.54, 0.7), "dispatch": 0.83, "outcome": 1.0}
NODE_COLOURS = {"origin": "#6b7280", "level": "#1f4e79", "dispatch": "#4b6f44", "outcome": None}

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


def tr(prefix: str, value) -> str:
    """The label for a stored code, or the code itself when the store holds one we do not know."""
    key = f"{prefix}{value}"
    return t(key) if key in LABELS else str(value)


def node_label(node: str) -> str:
    kind, name = node.split(":", 1)
    return tr(f"ef_node_{kind}_", name)


def level_label(level) -> str:
    return tr("ef_level_", level) if isinstance(level, str) and level else t("ef_level_none")


def rgba(outcome: str, alpha: float) -> str:
    r, g, b = OUTCOME_COLOURS[outcome]
    return f"rgba({r},{g},{b},{alpha})"


def node_positions(nodes: list[str], size: pd.Series) -> tuple[list[float], list[float]]:
    """Fixed columns (origin, each level, dispatch, outcome) and the model's order within a column,
    so the chart reads left to right in the same order every time."""

    def column(node: str) -> float:
        kind, name = node.split(":", 1)
        if kind == "level":
            return COLUMN_X["level"][flows.PATH_LEVELS.index(name)] if name in flows.PATH_LEVELS else 0.5
        return COLUMN_X[kind]

    xs = [column(n) for n in nodes]
    ys = []
    for n, x in zip(nodes, xs):
        same = [m for m, mx in zip(nodes, xs) if mx == x]
        total = float(sum(size.get(m, 0) for m in same)) or 1.0
        gap = 0.04 if len(same) > 1 else 0.0
        scale = (1 - gap * (len(same) - 1)) / total
        before = same[: same.index(n)]
        top = sum(size.get(m, 0) for m in before) * scale + gap * len(before)
        ys.append(min(0.999, max(0.001, top + size.get(n, 0) * scale / 2)))
    return [min(0.999, max(0.001, x)) for x in xs], ys


def sankey_figure(links: pd.DataFrame, height: int = 560) -> go.Figure:
    nodes = sorted(set(links["source"]) | set(links["target"]), key=flows.node_order)
    index = {n: i for i, n in enumerate(nodes)}
    total = links.loc[links["source"].str.startswith("origin:"), "events"].sum()
    out_of = links.groupby("source")["events"].sum()
    through = pd.concat([links.groupby("target")["events"].sum(), out_of], axis=1).max(axis=1)
    labels = [f"{node_label(n)} {fmt.count(through.get(n, 0))}" for n in nodes]
    colours = [
        rgba(n.split(":", 1)[1], 0.95) if n.startswith("outcome:") else NODE_COLOURS[n.split(":", 1)[0]] for n in nodes
    ]
    custom = [
        [
            node_label(f"outcome:{o}"),
            fmt.percent(e / total if total else None),
            fmt.percent(e / out_of[s] if out_of.get(s) else None),
        ]
        for s, o, e in zip(links["source"], links["outcome"], links["events"])
    ]
    xs, ys = node_positions(nodes, through)
    figure = go.Figure(
        go.Sankey(
            arrangement="snap",
            textfont=dict(color="#111827", size=13),
            node=dict(
                label=labels,
                color=colours,
                pad=18,
                thickness=16,
                line=dict(width=0),
                x=xs,
                y=ys,
                hovertemplate=t("ef_hover_node"),
            ),
            link=dict(
                source=[index[s] for s in links["source"]],
                target=[index[x] for x in links["target"]],
                value=links["events"].tolist(),
                color=[rgba(o, 0.45) for o in links["outcome"]],
                customdata=custom,
                hovertemplate=t("ef_hover_link"),
            ),
        )
    )
    figure.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10), font=dict(size=13))
    return figure


def outcome_legend() -> None:
    items = " ".join(
        f"<span style='display:inline-block;width:12px;height:12px;background:{rgba(o, 0.9)};"
        f"margin:0 4px 0 12px'></span>{node_label('outcome:' + o)}"
        for o in flows.OUTCOMES
    )
    st.html(f"<div style='font-size:0.85rem'>{t('ef_legend')} {items}</div>")


links = query(flows.flow_links, f)
if links.empty:
    st.info(t("ef_no_events"))
    st.stop()

tab_flow, tab_compare, tab_timing, tab_returns, tab_esc = st.tabs(
    [t("ef_tab_flow"), t("ef_tab_compare"), t("ef_tab_timing"), t("ef_tab_returns"), t("ef_tab_escalation")]
)

# --- flows -------------------------------------------------------------------------------------
with tab_flow:
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
                )

# --- two periods -------------------------------------------------------------------------------
with tab_compare:
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

# --- stage timing ------------------------------------------------------------------------------
with tab_timing:
    rules = query(flows.escalation_rules)
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

# --- returns and rework ------------------------------------------------------------------------
with tab_returns:
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

# --- escalation profile ------------------------------------------------------------------------
with tab_esc:
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
