"""Monthly rankings, parts 1–2: the formula and its rules, the headline numbers, the ranking table
with its export, and both rulesets side by side."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access.metrics import METRICS
from ui import export_columns, monthly_pdf
from ui import format as fmt
from ui.escape import plotly_chart
from ui.export import download_buttons
from ui.labels import lang, metric_definition, t
from ui.sections.monthly_rankings.common import GRADES, PART_COLS, formula_text

RATE_COLS = (
    ("mr_col_closure", "closure_rate"),
    ("mr_col_qualified", "qualified_rate"),
    ("mr_col_excellent", "excellent_rate"),
    ("mr_col_verify", "on_time_verify_rate"),
    ("mr_col_team", "team_share"),
    ("mr_col_transfer", "transfer_share"),
)


def rules_frame(rule_rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("mr_col_description"): rule_rows["description_en" if lang() == "en" else "description"],
            t("mr_col_value"): [monthly_pdf.rule_value(v, u) for v, u in zip(rule_rows["value"], rule_rows["unit"])],
            t("mr_col_unit"): rule_rows["unit"].map(monthly_pdf.rule_unit),
            t("mr_col_source"): rule_rows["source"].map(lambda s: t(f"mr_source_{s}")),
        }
    )


def render_formula(rules: dict, rule_rows: pd.DataFrame, ruleset: str, level: str) -> pd.DataFrame:
    """The formula with the rule values, and the rules table; returns the rules as shown."""
    rules_shown = rules_frame(rule_rows)
    with st.expander(t("mr_formula_title"), expanded=True):
        st.markdown(formula_text(rules))
        if level != "worker":
            st.caption(t("mr_unit_quota"))
    with st.expander(t("mr_rules_used") + f" · {t(f'mr_ruleset_{ruleset}')}"):
        st.dataframe(rules_shown, hide_index=True, key="rankings_rules_table")
        if (rule_rows["source"] == "file").any():
            st.caption(t("mr_rules_file_note"))
    return rules_shown


def render_headline(scores: pd.DataFrame, consequences: pd.DataFrame) -> None:
    k1, k2, k3, k4, k5, k6 = st.columns(6)
    n_ranked = int(scores["n_ranked"].iloc[0]) if len(scores) else 0
    k1.metric(t("mr_ranked"), fmt.count(n_ranked), help=t("mr_ranked_help"), border=True)
    k2.metric(t("mr_median"), fmt.score(scores["total"].median() if len(scores) else None), border=True)
    k3.metric(
        t("mr_loses_pay"),
        fmt.count(consequences["loses_pay"].sum()),
        help=t("mr_of_ranked", n=fmt.count(consequences["n_ranked"].max() if len(consequences) else 0)),
        border=True,
    )
    k4.metric(t("mr_double_pay"), fmt.count(consequences["double_pay"].sum()), border=True)
    k5.metric(t("mr_dismissal"), fmt.count(consequences["dismissal_risk"].sum()), border=True)
    pending = consequences[[c for c in consequences.columns if c.endswith("_pending")]].any(axis=1)
    k6.metric(
        t("mr_pending"),
        fmt.count(int(pending.sum())),
        help=metric_definition(METRICS["integrity_pending"]),
        border=True,
    )


def ranking_frame(scores: pd.DataFrame, level: str, flag_text: dict) -> pd.DataFrame:
    shown = pd.DataFrame(
        {
            t("mr_col_rank"): scores["rank"],
            t("mr_col_change"): scores["rank_change"],
            t("mr_col_worker" if level == "worker" else "mr_col_name"): scores["name"],
        }
    )
    if level != "town":
        shown[t("mr_col_town")] = scores["town_name"]
    if level == "worker":
        shown[t("mr_col_village")] = scores["village_name"]
    shown[t("mr_col_reported")] = scores["reported"]
    shown[t("mr_col_quota")] = scores["quota"].round(1)
    for part in PART_COLS:
        shown[t(f"mr_col_{part}")] = scores[part].round(1)
    shown[t("mr_col_total")] = scores["total"].round(1)
    shown[t("mr_col_grade")] = scores["grade"]
    # Sparklines cannot draw gaps: months before a worker was hired are left out of the line.
    shown[t("mr_col_trend")] = scores["trend"].map(lambda vals: [v for v in vals if v is not None])
    if level != "town":
        shown[t("mr_col_flags")] = scores["subject_id"].map(lambda i: flag_text.get(i, ""))
    for key, col in RATE_COLS:
        shown[t(key)] = (scores[col] * 100).round(1)
    shown[t("mr_col_satisfaction")] = scores["satisfaction_avg"].round(2)
    return shown


def render_ranking(scores: pd.DataFrame, level: str, ruleset: str, flag_text: dict, export: tuple) -> pd.DataFrame:
    """The ranking table and its export; returns the table as shown."""
    st.subheader(t("mr_ranking_title") + f" · {t(f'mr_level_{level}')} · {t(f'mr_ruleset_{ruleset}')}")
    shown = ranking_frame(scores, level, flag_text)
    st.dataframe(
        shown,
        hide_index=True,
        key="rankings_table",
        height=420,
        column_config={
            t("mr_col_change"): st.column_config.NumberColumn(format="%+d", help=t("mr_col_change_help")),
            t("mr_col_trend"): st.column_config.LineChartColumn(y_min=0, y_max=100),
            t("mr_col_total"): st.column_config.ProgressColumn(
                min_value=0, max_value=100, format="%.1f", help=metric_definition(METRICS["rank_total"])
            ),
            **{
                t(f"mr_col_{p}"): st.column_config.NumberColumn(help=metric_definition(METRICS[f"rank_{p}"]))
                for p in PART_COLS
            },
            **{
                t(k): st.column_config.NumberColumn(format="%.1f%%")
                for k in ("mr_col_closure", "mr_col_qualified", "mr_col_excellent")
            },
            **{
                t(k): st.column_config.NumberColumn(format="%.1f%%", help=metric_definition(METRICS[m]))
                for k, m in (
                    ("mr_col_verify", "rank_on_time_verify_rate"),
                    ("mr_col_team", "rank_team_share"),
                    ("mr_col_transfer", "rank_transfer_share"),
                )
            },
        },
    )
    st.caption(t("mr_export"))
    export_name, month_label, export_about = export
    download_buttons(
        shown.drop(columns=[t("mr_col_trend")]),
        export_name,
        key="rankings_export",
        sheet=month_label,
        columns=export_columns.ranking_columns(level),
        about=export_about,
    )
    return shown


def render_compare(compare: pd.DataFrame) -> None:
    st.subheader(t("mr_compare_title"))
    moved = compare[compare["move"] != 0]
    st.caption(
        t(
            "mr_compare_caption",
            moved=fmt.count(len(moved)),
            mean=f"{moved['move'].abs().mean():.1f}" if len(moved) else "0",
        )
    )
    left, right = st.columns([2, 3])
    with left:
        fig = go.Figure(
            go.Scattergl(
                x=compare["rank_as_practised"],
                y=compare["rank_reformed"],
                mode="markers",
                text=compare["name"],
                marker=dict(
                    size=6, color=compare["move"], colorscale="RdBu", cmid=0, colorbar=dict(title=t("mr_col_move"))
                ),
                hovertemplate="%{text}<br>%{x} → %{y}<extra></extra>",
            )
        )
        top = float(max(compare["rank_as_practised"].max(), compare["rank_reformed"].max())) if len(compare) else 1.0
        fig.add_shape(type="line", x0=1, y0=1, x1=top, y1=top, line=dict(color="#999", dash="dot"))
        fig.update_layout(
            height=380,
            margin=dict(l=10, r=10, t=10, b=10),
            xaxis_title=t("mr_compare_axis_x"),
            yaxis_title=t("mr_compare_axis_y"),
        )
        fig.update_yaxes(autorange="reversed")
        fig.update_xaxes(autorange="reversed")
        plotly_chart(fig, key="rankings_compare_chart")
    with right:
        cmp_shown = pd.DataFrame(
            {
                t("mr_col_name"): compare["name"],
                t("mr_col_town"): compare["town_name"],
                t("mr_col_rank_ap"): compare["rank_as_practised"],
                t("mr_col_total_ap"): compare["total_as_practised"].round(1),
                t("mr_col_rank_rf"): compare["rank_reformed"],
                t("mr_col_total_rf"): compare["total_reformed"].round(1),
                t("mr_col_move"): compare["move"],
            }
        )
        st.dataframe(
            cmp_shown,
            hide_index=True,
            key="rankings_compare_table",
            height=380,
            column_config={t("mr_col_move"): st.column_config.NumberColumn(format="%+d")},
        )


def grade_counts(compare: pd.DataFrame) -> dict[str, list[int]]:
    return {
        t(f"mr_ruleset_{r}"): compare[f"grade_{r}"].value_counts().reindex(GRADES, fill_value=0).tolist()
        for r in ("as_practised", "reformed")
    }
