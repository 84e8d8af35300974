"""月度排名 Monthly rankings: explainable scores under two rulesets, consequences before signing,
and the integrity signals (履职真实性) behind the counts, with their evidence."""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import integrity, rankings, units
from data_access.metrics import METRICS
from ui import export_columns, monthly_pdf
from ui import format as fmt
from ui import rankings_report as report
from ui.data import query
from ui.escape import md, plotly_chart
from ui.export import audit_export, download_buttons
from ui.labels import error_text, lang, metric_definition, t
from ui.shell import page_filters

GRADES = ["A", "B", "C", "D", "E"]
REPORT_ROWS = 60  # consequence rows printed; the page and its export list them all
PART_COLS = ["quantity", "quality", "process", "residents"]

f = page_filters()
st.title(t("mr_title"))

months_df = query(rankings.available_months, f)
if months_df.empty:
    st.info(t("mr_no_months"))
    st.stop()

# Leaders sign finished months: preselect the newest month that ended before "now".
month_options = list(months_df["month"])
finished = [i for i, m in enumerate(month_options) if rankings.month_end(m) < f.today]
c_month, c_rules, c_level = st.columns(3)
month = c_month.selectbox(
    t("mr_month"),
    month_options,
    key="rankings_month",
    index=finished[0] if finished else 0,
    format_func=lambda m: m.strftime("%Y-%m"),
    placeholder=t("select_placeholder"),
)
ruleset = c_rules.selectbox(
    t("mr_ruleset"),
    rankings.RULESETS,
    key="rankings_ruleset",
    index=rankings.RULESETS.index(query(rankings.default_ruleset)),  # the store's own (H district: hdistrict)
    format_func=lambda r: t(f"mr_ruleset_{r}"),
    placeholder=t("select_placeholder"),
)
level = c_level.selectbox(
    t("mr_level"),
    rankings.LEVELS,
    key="rankings_level",
    index=2,
    format_func=lambda lv: t(f"mr_level_{lv}"),
    placeholder=t("select_placeholder"),
)
if month is None or ruleset not in rankings.RULESETS or level not in rankings.LEVELS:
    st.error(t("mr_bad_input", reason=t("mr_pick_all")))
    st.stop()
month_label = month.strftime("%Y-%m")
st.caption(t("mr_caption", month=month_label, as_of=fmt.local_time(f.as_of)))

try:
    rules = query(rankings.rules_for, ruleset)
    view = query(rankings.month_view, f, month, ruleset, level)  # the three tables from one read
    scores, compare, consequences = view["scores"], view["compare"], view["consequences"]
    workers_flags = query(integrity.worker_signals, f, month)
    villages_flags = query(integrity.village_signals, f, month)
    irules = query(rankings.rules_for, "integrity")
except (rankings.RankingError, ValueError) as exc:
    st.error(t("mr_bad_input", reason=md(error_text(exc))))
    st.stop()


def num(value: float) -> str:
    """A rule value as written in the rules: whole numbers without decimals."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def pct(value: float) -> str:
    return f"{value * 100:g}%"


# --- the formula and its rule values --------------------------------------------------------
def quota_bonus(rules: dict) -> str:
    """The street bonus in words: every street's, or the one street's (H district: 40 there)."""
    if not rules["street_quota_bonus"]:
        return ""
    n = num(rules["street_quota_bonus"])
    only = int(rules.get("street_quota_bonus_town_id", 0) or 0)
    if not only:
        return t("mr_bonus", n=n)
    towns = query(units.towns)
    name = towns.loc[towns["id"] == only, "name"]
    return t("mr_bonus_one_street", n=n, street=md(name.iloc[0] if len(name) else str(only)))


formula = t(
    "mr_formula",
    wq=num(rules["weight_quantity"]),
    wl=num(rules["weight_quality"]),
    wp=num(rules["weight_process"]),
    wr=num(rules["weight_residents"]),
    quota=num(rules["quota_events_per_worker"]),
    bonus=quota_bonus(rules),
    percap=t("mr_percap") if rules["per_capita_normalisation"] >= 0.5 else "",
    filing=t("mr_filing_in") if rules["filing_only_in_closure_rate"] >= 0.5 else t("mr_filing_out"),
    verify_h=num(rules["verify_within_hours"]),
    team=pct(rules["team_handling_min_share"]),
    transfer=pct(rules["process_transfer_target_share"]),
    ga=num(rules["grade_a_min"]),
    gb=num(rules["grade_b_min"]),
    gc=num(rules["grade_c_min"]),
    gd=num(rules["grade_d_min"]),
)
rule_rows = query(rankings.rule_table, ruleset)
rules_shown = pd.DataFrame(
    {
        t("mr_col_description"): rule_rows["description_en" if lang() == "en" else "description"],
        t("mr_col_value"): [monthly_pdf.rule_value(v, u) for v, u in zip(rule_rows["value"], rule_rows["unit"])],
        t("mr_col_unit"): rule_rows["unit"].map(monthly_pdf.rule_unit),
        t("mr_col_source"): rule_rows["source"].map(lambda s: t(f"mr_source_{s}")),
    }
)
with st.expander(t("mr_formula_title"), expanded=True):
    st.markdown(formula)
    if level != "worker":
        st.caption(t("mr_unit_quota"))
with st.expander(t("mr_rules_used") + f" · {t(f'mr_ruleset_{ruleset}')}"):
    st.dataframe(rules_shown, hide_index=True, key="rankings_rules_table")
    if (rule_rows["source"] == "file").any():
        st.caption(t("mr_rules_file_note"))

# --- headline numbers -----------------------------------------------------------------------
grade_counts = scores["grade"].value_counts().reindex(GRADES, fill_value=0)
k1, k2, k3, k4, k5 = st.columns(5)
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

# --- the ranking ----------------------------------------------------------------------------
st.subheader(t("mr_ranking_title") + f" · {t(f'mr_level_{level}')} · {t(f'mr_ruleset_{ruleset}')}")
flag_names = {s: t(f"mr_sig_{s}") for s in integrity.WORKER_SIGNALS}


def flag_labels(df: pd.DataFrame) -> pd.Series:
    """The names of the signals raised on each worker row, joined."""
    sep = ", " if lang() == "en" else "、"
    named = [np.where(df[s].to_numpy(bool), flag_names[s], "") for s in integrity.WORKER_SIGNALS]
    return pd.Series([sep.join(x for x in names if x) for names in zip(*named)], index=df.index, dtype=object)


if level == "worker" and len(workers_flags):
    flagged = workers_flags[workers_flags["flags"] > 0]
    flag_text = dict(zip(flagged["worker_id"], flag_labels(flagged)))
elif level == "village" and len(villages_flags):
    flag_text = {vid: t("mr_sig_selective") for vid in villages_flags.loc[villages_flags["selective"], "village_id"]}
else:
    flag_text = {}

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
for key, col in (
    ("mr_col_closure", "closure_rate"),
    ("mr_col_qualified", "qualified_rate"),
    ("mr_col_excellent", "excellent_rate"),
    ("mr_col_verify", "on_time_verify_rate"),
    ("mr_col_team", "team_share"),
    ("mr_col_transfer", "transfer_share"),
):
    shown[t(key)] = (scores[col] * 100).round(1)
shown[t("mr_col_satisfaction")] = scores["satisfaction_avg"].round(2)
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
export_name = f"rankings_{month_label}_{level}_{ruleset}"
export_about = [
    (t("xabout_month"), month_label),
    (t("xabout_ruleset"), t(f"mr_ruleset_{ruleset}")),
    (t("xabout_level"), t(f"mr_level_{level}")),
]
download_buttons(
    shown.drop(columns=[t("mr_col_trend")]),
    export_name,
    key="rankings_export",
    sheet=month_label,
    columns=export_columns.ranking_columns(level),
    about=export_about,
)

# --- both rulesets side by side -------------------------------------------------------------
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

# --- consequences before signing ------------------------------------------------------------
st.subheader(t("mr_consequences_title", ruleset=t(f"mr_ruleset_{ruleset}")))
st.caption(
    t(
        "mr_consequences_rule",
        bottom=num(rules["pay_cut_bottom_n"]),
        pass_score=num(rules["pay_cut_score_at_most"]),
        top=num(rules["double_pay_top_n"]),
        months=num(rules["dismissal_consecutive_months"]),
    )
)
choice = st.segmented_control(
    t("mr_consequence_filter"),
    ["loses_pay", "double_pay", "dismissal_risk"],
    key="rankings_consequence_kind",
    default="dismissal_risk",
    format_func=lambda k: {
        "loses_pay": t("mr_loses_pay"),
        "double_pay": t("mr_double_pay"),
        "dismissal_risk": t("mr_dismissal"),
    }[k],
)
subset = consequences[consequences[choice]] if choice in ("loses_pay", "double_pay", "dismissal_risk") else consequences
consequence_view = pd.DataFrame(
    {
        t("mr_col_worker"): subset["name"],
        t("mr_col_town"): subset["town_name"],
        t("mr_col_village"): subset["village_name"],
        t("mr_col_rank"): subset["rank"],
        t("mr_col_total"): subset["total"].round(1),
        t("mr_col_prev_total"): subset["prev_total"].round(1),
        t("mr_col_reasons"): subset["reason_keys"].map(lambda ks: ", ".join(t(f"mr_reason_{k}") for k in ks)),
    }
)
st.dataframe(consequence_view, hide_index=True, key="rankings_consequences_table", height=300)
download_buttons(
    consequence_view,
    f"consequences_{month_label}_{ruleset}_{choice}",
    key="rankings_consequences_export",
    sheet=month_label,
    columns=export_columns.consequence_columns(),
    about=export_about,
)

# --- integrity signals ----------------------------------------------------------------------
st.subheader(t("mr_integrity_title"))
st.caption(t("mr_integrity_caption"))
rule_text = {
    "padding": t(
        "mr_rule_padding",
        months=num(irules["padding_window_months"]),
        h=num(irules["padding_first_hour"]),
        h1=num(irules["padding_first_hour"] + 1),
        days=num(irules["padding_month_end_days"]),
        minutes=num(irules["padding_quick_close_minutes"]),
        n=num(irules["padding_min_events"]),
        share=pct(irules["padding_min_share"]),
    ),
    "near_duplicates": t(
        "mr_rule_near_duplicates",
        months=num(irules["near_duplicates_window_months"]),
        hours=num(irules["near_duplicates_max_hours"]),
        metres=num(irules["near_duplicates_max_metres"]),
        n=num(irules["near_duplicates_min_pairs"]),
    ),
    "empty_patrol": t(
        "mr_rule_empty_patrol",
        months=num(irules["empty_patrol_window_months"]),
        kmh=num(irules["empty_patrol_max_kmh"]),
        points=num(irules["empty_patrol_route_min_points"]),
        days=num(irules["empty_patrol_min_days"]),
        share=pct(irules["empty_patrol_min_share"]),
    ),
    "selective": t(
        "mr_rule_selective",
        months=num(irules["selective_window_months"]),
        n=num(irules["selective_min_reports"]),
        esc=num(irules["selective_escalation_rel_max"]),
        out=num(irules["selective_outside_rel_min"]),
    ),
}
counts = {s: int(workers_flags[s].sum()) for s in integrity.WORKER_SIGNALS}
counts["selective"] = int(villages_flags["selective"].sum())
for column, signal in zip(st.columns(4), integrity.SIGNALS):
    column.metric(t(f"mr_sig_{signal}"), t("mr_flagged", n=counts[signal]), border=True)
    column.caption(rule_text[signal])

flagged_w = workers_flags[workers_flags["flags"] > 0].reset_index(drop=True)
st.markdown(f"**{t('mr_flagged_workers')}**")
if flagged_w.empty:
    st.info(t("mr_none_flagged"))
else:
    st.caption(t("mr_select_row_hint"))
    st.dataframe(
        pd.DataFrame(
            {
                t("mr_col_worker"): flagged_w["name"],
                t("mr_col_town"): flagged_w["town_name"],
                t("mr_col_village"): flagged_w["village_name"],
                t("mr_col_flags"): flag_labels(flagged_w),
                t("mr_col_reports"): flagged_w["reports"],
                t("mr_col_trivial_share"): (flagged_w["trivial_share"] * 100).round(1),
                t("mr_col_pad_suspect"): flagged_w["padding_suspect"],
                t("mr_col_pad_share"): (flagged_w["padding_share"] * 100).round(1),
                t("mr_col_dup_pairs"): flagged_w["dup_pairs"],
                t("mr_col_patrol_days"): flagged_w["patrol_days"],
                t("mr_col_fast_days"): flagged_w["fast_days"],
                t("mr_col_repeat_days"): flagged_w["repeated_days"],
                t("mr_col_suspect_day_share"): (flagged_w["suspect_day_share"] * 100).round(1),
            }
        ),
        hide_index=True,
        key="rankings_flag_table",
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            t(k): st.column_config.NumberColumn(format="%.1f%%")
            for k in ("mr_col_trivial_share", "mr_col_pad_share", "mr_col_suspect_day_share")
        },
    )

flagged_v = villages_flags[villages_flags["selective"]].reset_index(drop=True)
st.markdown(f"**{t('mr_flagged_villages')}**")
if flagged_v.empty:
    st.info(t("mr_none_flagged"))
else:
    st.dataframe(
        pd.DataFrame(
            {
                t("mr_col_village"): flagged_v["name"],
                t("mr_col_town"): flagged_v["town_name"],
                t("mr_col_grid_reports"): flagged_v["grid_reports"],
                t("mr_col_escalated"): flagged_v["escalated"],
                t("mr_col_esc_rel"): flagged_v["escalation_rel"].round(2),
                t("mr_col_bypass"): flagged_v["bypass"],
                t("mr_col_bypass_rel"): flagged_v["bypass_rel"].round(2),
            }
        ),
        hide_index=True,
        key="rankings_village_flag_table",
    )

# A selected row of the worker table picks the evidence subject (once per new selection).
selection = st.session_state.get("rankings_flag_table")
rows = list(selection["selection"]["rows"]) if selection and "selection" in selection else []
if rows and rows[0] < len(flagged_w) and st.session_state.get("_rankings_last_row") != rows[0]:
    picked = flagged_w.iloc[rows[0]]
    st.session_state["rankings_evidence_signal"] = next(s for s in integrity.WORKER_SIGNALS if picked[s])
    st.session_state["rankings_evidence_subject"] = int(picked["worker_id"])
    st.session_state["rankings_evidence_page"] = 1
st.session_state["_rankings_last_row"] = rows[0] if rows else None

st.markdown(f"#### {t('mr_evidence_title')}")
e1, e2, e3 = st.columns([2, 3, 1])
signal = e1.selectbox(
    t("mr_evidence_signal"),
    integrity.SIGNALS,
    key="rankings_evidence_signal",
    format_func=lambda s: t(f"mr_sig_{s}"),
    placeholder=t("select_placeholder"),
)
if signal == "selective":
    subjects = dict(zip(flagged_v["village_id"].astype(int), flagged_v["name"] + " · " + flagged_v["town_name"]))
else:
    subset_w = flagged_w[flagged_w[signal]] if len(flagged_w) else flagged_w
    subjects = dict(
        zip(subset_w["worker_id"].astype(int), subset_w["name"] + " · " + subset_w["village_name"].fillna(""))
    )
if not subjects:
    st.info(t("mr_none_flagged"))
else:
    if st.session_state.get("rankings_evidence_subject") not in subjects:
        st.session_state.pop("rankings_evidence_subject", None)
    subject = e2.selectbox(
        t("mr_evidence_subject"),
        list(subjects),
        key="rankings_evidence_subject",
        format_func=lambda i: subjects.get(i, str(i)),
        placeholder=t("select_placeholder"),
    )
    total_rows = query(integrity.evidence_count, f, month, signal, int(subject))
    pages = max(1, math.ceil(total_rows / integrity.EVIDENCE_PAGE))
    if st.session_state.get("rankings_evidence_page", 1) > pages:
        st.session_state["rankings_evidence_page"] = 1
    page_no = e3.number_input(t("mr_evidence_page"), min_value=1, max_value=pages, step=1, key="rankings_evidence_page")
    st.caption(
        t("mr_evidence_caption", n=fmt.count(total_rows), size=integrity.EVIDENCE_PAGE, page=int(page_no), pages=pages)
    )
    ev = query(integrity.evidence, f, month, signal, int(subject), int(page_no) - 1)
    names = {
        "code": "mr_col_event",
        "prev_code": "mr_col_prev_event",
        "item": "mr_col_item",
        "reported_at": "mr_col_reported_at",
        "closed_at": "mr_col_closed_at",
        "minutes_to_close": "mr_col_minutes",
        "hours_after": "mr_col_hours_after",
        "metres": "mr_col_metres",
        "at": "mr_col_checkin_at",
        "kmh": "mr_col_kmh",
        "reason": "mr_col_reason",
        "source": "mr_col_source",
        "lon": "mr_col_lon",
        "lat": "mr_col_lat",
    }
    view = ev.drop(columns=[c for c in ("event_id", "prev_event_id", "checkin_id", "checkin_date") if c in ev.columns])
    for col in ("reported_at", "closed_at", "at"):
        if col in view.columns:
            view[col] = view[col].map(lambda v: fmt.local_time(v) if v is not None and not pd.isna(v) else "—")
    if "reason" in view.columns:
        view["reason"] = view["reason"].map(lambda r: t(f"mr_reason_{r}"))
    for col in ("minutes_to_close", "hours_after", "metres", "kmh"):
        if col in view.columns:
            view[col] = pd.to_numeric(view[col]).round(1)
    st.dataframe(
        view.rename(columns={c: t(k) for c, k in names.items()}), hide_index=True, key="rankings_evidence_table"
    )

# --- printable report -----------------------------------------------------------------------
compare_grades = {
    t("mr_ruleset_as_practised"): compare["grade_as_practised"].value_counts().reindex(GRADES, fill_value=0).tolist(),
    t("mr_ruleset_reformed"): compare["grade_reformed"].value_counts().reindex(GRADES, fill_value=0).tolist(),
}
movers = compare[compare["move"] != 0].head(12)
report_rows = shown.assign(
    **{t("mr_col_change"): shown[t("mr_col_change")].map(lambda v: "—" if pd.isna(v) else f"{int(v):+d}")}
)
report_cols = [t("mr_col_rank"), t("mr_col_change"), t("mr_col_worker" if level == "worker" else "mr_col_name")]
report_cols += [c for c in (t("mr_col_town"), t("mr_col_village")) if c in shown.columns]
report_cols += [t(f"mr_col_{p}") for p in PART_COLS] + [t("mr_col_total"), t("mr_col_grade")]
report_cols += [t("mr_col_flags")] if t("mr_col_flags") in shown.columns else []
sections = [
    (t("mr_formula_title"), report.markdown_lite(formula) + report.table(rules_shown)),
    (
        t("mr_compare_title"),
        "<div class='charts'>"
        + report.grouped_bars_svg(t("mr_report_grades_chart"), GRADES, compare_grades)
        + report.diverging_bars_svg(t("mr_report_movers_chart"), movers["name"].tolist(), movers["move"].tolist())
        + "</div>",
    ),
    (t("mr_ranking_title") + " · " + t("mr_report_top", n=20), report.table(report_rows[report_cols], 20)),
    (t("mr_ranking_title") + " · " + t("mr_report_bottom", n=10), report.table(report_rows[report_cols].tail(10))),
    (
        t("mr_consequences_title", ruleset=t(f"mr_ruleset_{ruleset}")),
        report.paragraph(
            t(
                "mr_consequences_rule",
                bottom=num(rules["pay_cut_bottom_n"]),
                pass_score=num(rules["pay_cut_score_at_most"]),
                top=num(rules["double_pay_top_n"]),
                months=num(rules["dismissal_consecutive_months"]),
            )
        )
        + report.paragraph(
            f"{t('mr_loses_pay')}: {int(consequences['loses_pay'].sum())} · "
            f"{t('mr_double_pay')}: {int(consequences['double_pay'].sum())} · "
            f"{t('mr_dismissal')}: {int(consequences['dismissal_risk'].sum())}",
            "flag",
        )
        + report.paragraph(t("mr_report_first_n", n=min(REPORT_ROWS, len(consequences)), total=len(consequences)))
        + report.table(
            pd.DataFrame(
                {
                    t("mr_col_worker"): consequences["name"],
                    t("mr_col_town"): consequences["town_name"],
                    t("mr_col_village"): consequences["village_name"],
                    t("mr_col_total"): consequences["total"],
                    t("mr_col_reasons"): consequences["reason_keys"].map(
                        lambda ks: ", ".join(t(f"mr_reason_{k}") for k in ks)
                    ),
                }
            ),
            REPORT_ROWS,
        ),
    ),
    (
        t("mr_integrity_title"),
        "".join(report.paragraph(f"{t(f'mr_sig_{s}')} ({counts[s]}): {rule_text[s]}") for s in integrity.SIGNALS)
        + report.table(
            pd.DataFrame(
                {
                    t("mr_col_worker"): flagged_w.get("name", pd.Series(dtype=str)),
                    t("mr_col_village"): flagged_w.get("village_name", pd.Series(dtype=str)),
                    t("mr_col_flags"): flag_labels(flagged_w),
                    t("mr_col_pad_suspect"): flagged_w.get("padding_suspect", pd.Series(dtype=int)),
                    t("mr_col_dup_pairs"): flagged_w.get("dup_pairs", pd.Series(dtype=int)),
                    t("mr_col_fast_days"): flagged_w.get("fast_days", pd.Series(dtype=int)),
                    t("mr_col_repeat_days"): flagged_w.get("repeated_days", pd.Series(dtype=int)),
                }
            )
        )
        + report.table(
            pd.DataFrame(
                {
                    t("mr_col_village"): flagged_v["name"],
                    t("mr_col_town"): flagged_v["town_name"],
                    t("mr_col_esc_rel"): flagged_v["escalation_rel"],
                    t("mr_col_bypass_rel"): flagged_v["bypass_rel"],
                }
            )
        ),
    ),
]
html_doc = report.build_report(
    title=f"{t('mr_report_title')} {month_label}",
    meta_lines=[
        f"{t('mr_ruleset')}: {t(f'mr_ruleset_{ruleset}')} · {t('mr_level')}: {t(f'mr_level_{level}')}",
        t("mr_caption", month=month_label, as_of=fmt.local_time(f.as_of)),
    ],
    sections=sections,
    lang=lang(),
)
st.download_button(  # made on the click only (a callable), never stored with the page
    t("mr_report_download"),
    functools.partial(str.encode, html_doc, "utf-8"),
    file_name=f"monthly_report_{month_label}.html",
    mime="text/html",
    key="rankings_report_download",
    help=t("mr_report_help"),
    icon=":material/print:",
    on_click=audit_export,
    args=(f"monthly_report_{month_label}.html", 1),
)

# --- the PDF report (ui/monthly_pdf.py): made on click from the tables read above -------------
try:
    monthly_pdf.find_cjk_font()
except monthly_pdf.ReportFontError as exc:
    st.warning(str(exc))
else:
    pdf_name = monthly_pdf.file_name(month, ruleset, level, f.town_id)
    signed_in = st.session_state.get("auth_user")
    read = {
        (rankings.month_view, (f, month, ruleset, level)): {
            "scores": scores,
            "compare": compare,
            "consequences": consequences,
        },
        (integrity.worker_signals, (f, month)): workers_flags,
        (integrity.village_signals, (f, month)): villages_flags,
        (rankings.rules_for, (ruleset,)): rules,
        (rankings.rules_for, ("integrity",)): irules,
        (rankings.rule_table, (ruleset,)): rule_rows,
    }
    st.download_button(
        t("pdf_download"),
        functools.partial(
            monthly_pdf.page_download,
            f,
            month,
            ruleset,
            level,
            signed_in.username if signed_in is not None else "",
            lang(),
            read,
        ),
        file_name=pdf_name,
        mime="application/pdf",
        key="rankings_pdf_download",
        help=t("pdf_download_help"),
        icon=":material/picture_as_pdf:",
        on_click=audit_export,
        args=(pdf_name, len(scores)),
    )
