"""Monthly rankings, part 4: the integrity signals — each one's method and blind spots in plain
words, the flagged workers and communities, and the evidence behind a flag (paged)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import streamlit as st

from data_access import integrity
from ui import format as fmt
from ui.data import query
from ui.labels import t
from ui.sections.monthly_rankings.common import flag_labels

EVIDENCE_NAMES = {
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


def signal_counts(workers_flags: pd.DataFrame, villages_flags: pd.DataFrame) -> dict[str, int]:
    counts = {s: int(workers_flags[s].sum()) for s in integrity.WORKER_SIGNALS}
    counts["selective"] = int(villages_flags["selective"].sum())
    return counts


def method_text(signal: str) -> str:
    """A signal's method and its blind spots, in plain words."""
    return f"{t(f'mr_method_{signal}')} {t(f'mr_blind_{signal}')}"


def render_signals(counts: dict[str, int], rule_text: dict[str, str]) -> None:
    st.subheader(t("mr_integrity_title"))
    st.caption(t("mr_integrity_caption"))
    for column, signal in zip(st.columns(4), integrity.SIGNALS):
        column.metric(t(f"mr_sig_{signal}"), t("mr_flagged", n=counts[signal]), border=True)
        column.caption(rule_text[signal])
    with st.expander(t("mr_methods_title")):
        st.markdown("\n".join(f"- **{t(f'mr_sig_{s}')}**:{method_text(s)}" for s in integrity.SIGNALS))


def render_flagged(flagged_w: pd.DataFrame, flagged_v: pd.DataFrame) -> None:
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


def _pick_from_table(flagged_w: pd.DataFrame) -> None:
    """A selected row of the worker table picks the evidence subject (once per new selection)."""
    selection = st.session_state.get("rankings_flag_table")
    rows = list(selection["selection"]["rows"]) if selection and "selection" in selection else []
    if rows and rows[0] < len(flagged_w) and st.session_state.get("_rankings_last_row") != rows[0]:
        picked = flagged_w.iloc[rows[0]]
        st.session_state["rankings_evidence_signal"] = next(s for s in integrity.WORKER_SIGNALS if picked[s])
        st.session_state["rankings_evidence_subject"] = int(picked["worker_id"])
        st.session_state["rankings_evidence_page"] = 1
    st.session_state["_rankings_last_row"] = rows[0] if rows else None


def render_evidence(f, month: dt.date, flagged_w: pd.DataFrame, flagged_v: pd.DataFrame) -> None:
    _pick_from_table(flagged_w)
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
        return
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
        view.rename(columns={c: t(k) for c, k in EVIDENCE_NAMES.items()}),
        hide_index=True,
        key="rankings_evidence_table",
    )
