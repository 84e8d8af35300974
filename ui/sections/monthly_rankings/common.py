"""Helpers the monthly rankings page's parts share: rule values in words, the formula, flag names,
the consequences as a table with their review state."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_access import integrity, units
from data_access.integrity_review import KINDS
from ui.data import query
from ui.escape import md
from ui.labels import lang, t

GRADES = ["A", "B", "C", "D", "E"]
PART_COLS = ["quantity", "quality", "process", "residents"]
CONSEQUENCE_KINDS = ("loses_pay", "double_pay", "dismissal_risk")
KIND_LABEL = {"loses_pay": "mr_loses_pay", "double_pay": "mr_double_pay", "dismissal_risk": "mr_dismissal"}


def num(value: float) -> str:
    """A rule value as written in the rules: whole numbers without decimals."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def pct(value: float) -> str:
    return f"{value * 100:g}%"


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


def formula_text(rules: dict) -> str:
    return t(
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


def consequence_rule_text(rules: dict) -> str:
    return t(
        "mr_consequences_rule",
        bottom=num(rules["pay_cut_bottom_n"]),
        pass_score=num(rules["pay_cut_score_at_most"]),
        top=num(rules["double_pay_top_n"]),
        months=num(rules["dismissal_consecutive_months"]),
    )


def flag_labels(df: pd.DataFrame) -> pd.Series:
    """The names of the signals raised on each worker row, joined."""
    sep = ", " if lang() == "en" else "、"
    if df.empty:
        return pd.Series([], index=df.index, dtype=object)
    named = [np.where(df[s].to_numpy(bool), t(f"mr_sig_{s}"), "") for s in integrity.WORKER_SIGNALS]
    return pd.Series([sep.join(x for x in names if x) for names in zip(*named)], index=df.index, dtype=object)


def reasons_text(row) -> str:
    """A consequence row's reasons, each pending one marked 待复核 / pending review."""
    words = [t(f"mr_reason_{k}") for k in row["reason_keys"]]
    pending = [t(KIND_LABEL[k]) for k in KINDS if row.get(f"{k}_pending", False)]
    if pending:
        words.append(f"{t('mr_pending')}: " + " / ".join(pending))
    return ", ".join(words)


def state_text(row) -> str:
    if any(row.get(f"{k}_pending", False) for k in KINDS):
        return t("mr_state_pending")
    if row.get("review") in ("cleared", "upheld"):
        return t(f"mr_state_{row['review']}")
    return t("mr_state_granted")


def consequence_frame(c: pd.DataFrame) -> pd.DataFrame:
    """The consequences as the page, the export and the reports show them."""
    rows = c.to_dict("records")
    return pd.DataFrame(
        {
            t("mr_col_worker"): c["name"],
            t("mr_col_town"): c["town_name"],
            t("mr_col_village"): c["village_name"],
            t("mr_col_rank"): c["rank"],
            t("mr_col_total"): c["total"].round(1),
            t("mr_col_prev_total"): c["prev_total"].round(1),
            t("mr_col_reasons"): pd.Series([reasons_text(r) for r in rows], index=c.index, dtype=object),
            t("mr_col_state"): pd.Series([state_text(r) for r in rows], index=c.index, dtype=object),
            t("mr_col_flagged"): c["flagged"].map(lambda v: t("mr_yes") if v else t("mr_no")),
        }
    )


def places_frame(places: pd.DataFrame) -> pd.DataFrame:
    """Per ruleset: the double-pay and pay-loss places, and how many go to flagged workers."""
    return pd.DataFrame(
        {
            t("mr_col_ruleset"): places["ruleset"].map(lambda r: t(f"mr_ruleset_{r}")),
            t("mr_col_review_on"): places["review"].map(lambda v: t("mr_review_on") if v else t("mr_review_off")),
            t("mr_col_double_pay"): places["double_pay"],
            t("mr_col_double_pay_flagged"): places["double_pay_flagged"],
            t("mr_col_loses_pay"): places["loses_pay"],
            t("mr_col_loses_pay_flagged"): places["loses_pay_flagged"],
            t("mr_col_pending"): places["pending"],
        }
    )


def integrity_rule_text(irules: dict) -> dict[str, str]:
    """Each signal's thresholds in words, from the integrity rule values."""
    return {
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
