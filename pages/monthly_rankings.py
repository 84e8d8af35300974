"""月度排名 Monthly rankings: explainable scores under two rulesets, consequences before signing
with the integrity review (履职真实性复核), and the integrity signals behind the counts, with their
evidence, methods and blind spots. The parts live in ui/sections/monthly_rankings/."""

from __future__ import annotations

import streamlit as st

from data_access import integrity, integrity_review, rankings
from ui import format as fmt
from ui.data import access_query, query
from ui.escape import md
from ui.labels import error_text, t
from ui.sections.monthly_rankings import consequences as consequences_part
from ui.sections.monthly_rankings import integrity as integrity_part
from ui.sections.monthly_rankings import ranking, report
from ui.sections.monthly_rankings.common import flag_labels, integrity_rule_text
from ui.shell import page_filters

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
    # The newest review decision keys the cached view: a decision shows at once (uncached read).
    stamp = access_query(integrity_review.review_stamp)
    # Scores, comparison and consequences with the review applied, the month's worker signals,
    # the review state and the places per ruleset: one read.
    view = query(integrity_review.month_view, f, month, ruleset, level, stamp)
    scores, compare, consequences = view["scores"], view["compare"], view["consequences"]
    workers_flags = view["signals"]
    villages_flags = query(integrity.village_signals, f, month)
    irules = query(rankings.rules_for, "integrity")
    rule_rows = query(rankings.rule_table, ruleset)
except (rankings.RankingError, ValueError) as exc:
    st.error(t("mr_bad_input", reason=md(error_text(exc))))
    st.stop()

export = (
    f"rankings_{month_label}_{level}_{ruleset}",
    month_label,
    [
        (t("xabout_month"), month_label),
        (t("xabout_ruleset"), t(f"mr_ruleset_{ruleset}")),
        (t("xabout_level"), t(f"mr_level_{level}")),
    ],
)

# --- the formula, the headline numbers, the ranking, both rulesets ----------------------------
rules_shown = ranking.render_formula(rules, rule_rows, ruleset, level)
ranking.render_headline(scores, consequences)
flagged_w = workers_flags[workers_flags["flags"] > 0].reset_index(drop=True)
flagged_v = villages_flags[villages_flags["selective"]].reset_index(drop=True)
if level == "worker":
    flag_text = dict(zip(flagged_w["worker_id"], flag_labels(flagged_w)))
elif level == "village":
    flag_text = {vid: t("mr_sig_selective") for vid in flagged_v["village_id"]}
else:
    flag_text = {}
shown = ranking.render_ranking(scores, level, ruleset, flag_text, export)
ranking.render_compare(compare)

# --- consequences before signing, the places flagged workers take, the review -----------------
consequences_part.render(consequences, view["places"], rules, ruleset, export)
consequences_part.render_review(view["review"], month, rankings.reviews(rules))

# --- integrity signals, their methods and blind spots, the evidence ---------------------------
counts = integrity_part.signal_counts(workers_flags, villages_flags)
rule_text = integrity_rule_text(irules)
integrity_part.render_signals(counts, rule_text)
integrity_part.render_flagged(flagged_w, flagged_v)
integrity_part.render_evidence(f, month, flagged_w, flagged_v)

# --- the printable report and the PDF ---------------------------------------------------------
report.render(
    f,
    month,
    ruleset,
    level,
    {
        "rules": rules,
        "rule_rows": rule_rows,
        "rules_shown": rules_shown,
        "irules": irules,
        "view": view,
        "shown": shown,
        "villages_flags": villages_flags,
        "flagged_w": flagged_w,
        "flagged_v": flagged_v,
        "counts": counts,
        "rule_text": rule_text,
    },
)
