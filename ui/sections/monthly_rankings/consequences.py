"""Monthly rankings, part 3: what signing would do — under the chosen ruleset, the places that go
to flagged workers under every ruleset, and the integrity review (leaders and admins decide)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from data_access import integrity, integrity_review
from data_access.metrics import METRICS
from ui import export_columns
from ui import format as fmt
from ui.data import writer_engine
from ui.escape import md
from ui.export import download_buttons
from ui.labels import LABELS, lang, metric_definition, metric_name, t
from ui.sections.monthly_rankings.common import (
    CONSEQUENCE_KINDS,
    KIND_LABEL,
    consequence_frame,
    consequence_rule_text,
    places_frame,
)


def render_places(places: pd.DataFrame) -> None:
    st.markdown(f"**{t('mr_places_title')}**")
    st.caption(t("mr_places_caption"))
    shown = places_frame(places)
    st.dataframe(
        shown,
        hide_index=True,
        key="rankings_places_table",
        column_config={
            t("mr_col_double_pay_flagged"): st.column_config.NumberColumn(
                help=metric_definition(METRICS["integrity_double_pay_flagged"])
            ),
            t("mr_col_loses_pay_flagged"): st.column_config.NumberColumn(
                help=metric_definition(METRICS["integrity_loses_pay_flagged"])
            ),
            t("mr_col_pending"): st.column_config.NumberColumn(help=metric_definition(METRICS["integrity_pending"])),
        },
    )
    for key in ("integrity_double_pay_flagged", "integrity_loses_pay_flagged", "integrity_pending"):
        st.caption(f"**{metric_name(METRICS[key])}**: {metric_definition(METRICS[key])}")


def render(consequences: pd.DataFrame, places: pd.DataFrame, rules: dict, ruleset: str, export: tuple) -> None:
    st.subheader(t("mr_consequences_title", ruleset=t(f"mr_ruleset_{ruleset}")))
    st.caption(consequence_rule_text(rules))
    render_places(places)
    choice = st.segmented_control(
        t("mr_consequence_filter"),
        list(CONSEQUENCE_KINDS),
        key="rankings_consequence_kind",
        default="dismissal_risk",
        format_func=lambda k: t(KIND_LABEL[k]),
    )
    if choice in CONSEQUENCE_KINDS:
        subset = consequences[consequences[choice] | consequences[f"{choice}_pending"]]
    else:
        subset = consequences
    view = consequence_frame(subset)
    st.dataframe(view, hide_index=True, key="rankings_consequences_table", height=300)
    _, month_label, export_about = export
    download_buttons(
        view,
        f"consequences_{month_label}_{ruleset}_{choice}",
        key="rankings_consequences_export",
        sheet=month_label,
        columns=export_columns.consequence_columns(),
        about=export_about,
    )


# --- the review ------------------------------------------------------------------------------------


def _decide(month: dt.date, names: dict, decision: str) -> None:
    """on_click of the clear / uphold buttons: record the decision, keep a message for the run."""
    user = st.session_state.get("auth_user")
    worker = st.session_state.get("rankings_review_worker")
    signal = st.session_state.get("rankings_review_signal")
    if user is None or worker is None or signal is None:
        return
    try:
        integrity_review.record_decision(
            writer_engine(),
            month,
            int(worker),
            str(signal),
            decision,
            user.username,
            str(st.session_state.get("rankings_review_note") or ""),
        )
    except integrity_review.ReviewError as exc:
        st.session_state["_rankings_review_msg"] = ("error", t(f"err_review_{exc.key}"))
        return
    st.session_state["_rankings_review_msg"] = (
        "success",
        t(
            "mr_review_saved",
            worker=md(names.get(int(worker), str(worker))),
            signal=t(f"mr_sig_{signal}"),
            decision=t(f"mr_decision_{decision}"),
        ),
    )
    st.session_state["rankings_review_note"] = ""


def innocent_text(keys) -> str:
    """The innocent explanations (comma-separated keys) in words; a key without a label as it is."""
    sep = ", " if lang() == "en" else "、"
    keys = [k.strip() for k in str(keys or "").split(",") if k.strip()]
    return sep.join(t(f"mr_innocent_{k}") if f"mr_innocent_{k}" in LABELS else k for k in keys)


def review_frame(state: pd.DataFrame) -> pd.DataFrame:
    sep = ", " if lang() == "en" else "、"
    return pd.DataFrame(
        {
            t("mr_col_worker"): state["name"],
            t("mr_col_town"): state["town_name"],
            t("mr_col_village"): state["village_name"],
            t("mr_col_signals"): state["signals"].map(lambda ss: sep.join(t(f"mr_sig_{s}") for s in ss)),
            t("mr_col_strength"): pd.to_numeric(state["strength"]).map(lambda v: "—" if pd.isna(v) else f"{v:.1f}"),
            t("mr_col_held"): state["held_events"],
            t("mr_col_innocent"): state["innocent"].map(innocent_text),
            t("mr_col_state"): state["state"].map(lambda s: t(f"mr_state_{s}")),
            t("mr_col_reviewer"): state["reviewer"],
            t("mr_col_decided_at"): state["decided_at"].map(
                lambda v: fmt.local_time(v) if v is not None and not pd.isna(v) else "—"
            ),
            t("mr_col_note"): state["note"],
        }
    )


def render_review(state: pd.DataFrame, month: dt.date, review_on: bool) -> None:
    st.markdown(f"#### {t('mr_review_title')}")
    if state.empty:
        st.info(t("mr_review_none"))
        return
    if review_on:
        st.caption(t("mr_review_caption_on", held=fmt.count(int(state["held_events"].sum()))))
    else:
        st.caption(t("mr_review_caption_off"))
    st.dataframe(review_frame(state), hide_index=True, key="rankings_review_table")
    user = st.session_state.get("auth_user")
    if user is None or user.role not in integrity_review.REVIEW_ROLES:
        st.caption(t("mr_review_readonly"))
        return
    names = dict(zip(state["worker_id"].astype(int), state["name"] + " · " + state["village_name"].fillna("")))
    signals = dict(zip(state["worker_id"].astype(int), state["signals"]))
    c1, c2, c3 = st.columns([3, 2, 3])
    worker = c1.selectbox(
        t("mr_review_worker"),
        list(names),
        key="rankings_review_worker",
        format_func=lambda i: names.get(i, str(i)),
        placeholder=t("select_placeholder"),
    )
    own = [s for s in integrity.WORKER_SIGNALS if s in signals.get(worker, [])] or list(integrity.WORKER_SIGNALS)
    if st.session_state.get("rankings_review_signal") not in own:
        st.session_state.pop("rankings_review_signal", None)
    c2.selectbox(
        t("mr_review_signal"),
        own,
        key="rankings_review_signal",
        format_func=lambda s: t(f"mr_sig_{s}"),
        placeholder=t("select_placeholder"),
    )
    c3.text_input(t("mr_review_note"), key="rankings_review_note", max_chars=integrity_review.NOTE_MAX)
    b1, b2, _ = st.columns([1, 1, 3])
    b1.button(t("mr_review_clear"), key="rankings_review_clear", on_click=_decide, args=(month, names, "cleared"))
    b2.button(t("mr_review_uphold"), key="rankings_review_uphold", on_click=_decide, args=(month, names, "upheld"))
    msg = st.session_state.pop("_rankings_review_msg", None)
    if msg is not None:
        (st.success if msg[0] == "success" else st.error)(msg[1])
