"""What the department response tabs share: names in the reader's language, the reference row's
name, the department table's columns, the rating-vs-data words, the reasons behind a "—"."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import units
from data_access.departments import DEPARTMENT_METRICS as DM
from ui import format as fmt
from ui.choices import chosen, with_all
from ui.data import query
from ui.escape import md
from ui.labels import lang, metric_definition, t

# (source column, label key, metric key for the help text, kind); the score up front.
COLUMNS = [
    ("label", "dept_col_department", None, "text"),
    ("score", "dept_col_score", "dept_score", "score"),
    ("received", "dept_col_received", "dept_received", "count"),
    ("on_time_rate", "dept_col_on_time", "dept_on_time_rate", "share"),
    ("complete_h_median", "dept_col_complete_median", "dept_complete_hours", "hours"),
    ("complete_h_p90", "dept_col_complete_p90", "dept_complete_hours", "hours"),
    ("accept_h_median", "dept_col_accept_median", "dept_accept_hours", "hours"),
    ("accept_h_p90", "dept_col_accept_p90", "dept_accept_hours", "hours"),
    ("open_now", "dept_col_open_now", None, "count"),
    ("overdue_now", "dept_col_overdue_now", "dept_overdue_now", "count"),
    ("return_rate", "dept_col_return", "dept_return_rate", "share"),
    ("rework_rate", "dept_col_rework", "dept_rework_rate", "share"),
    ("closure_rate", "dept_col_closure", "dept_closure_rate", "share"),
    ("satisfaction_avg", "dept_col_satisfaction", "dept_satisfaction", "score"),
    ("rating_avg", "dept_col_rating", "dept_rating", "score"),
    ("mismatch_text", "dept_col_mismatch", None, "text"),
]
# The columns that are "—" for a reason of their own (not merely an empty denominator).
REASONED = ("score", "rating_avg", "mismatch_text")


def defn(key: str) -> str:
    return metric_definition(DM[key])


def with_labels(table: pd.DataFrame) -> pd.DataFrame:
    """The table with `label`: the department's name in the reader's language."""
    out = table.copy()
    if lang() == "en":
        out["label"] = out["name_en"].where(out["name_en"].astype(bool), out["name"])
    else:
        out["label"] = out["name"]
    return out


def reference_label(f) -> str:
    """The first row pools every department over what the view covers: the county, or for a town
    filter (a town user always has one) that town, and it says so."""
    if f.town_id is None:
        return t("dept_county_row")
    scope_towns = query(units.towns, f.scope)
    town_name = dict(zip(scope_towns["id"].astype(int), scope_towns["name"])).get(f.town_id, str(f.town_id))
    return t("dept_town_row", town=town_name)


def mismatch_text(compared: bool, mismatch: str) -> str | None:
    """一致 / 高于数据 / 低于数据 for a department the rule compared; None (shown "—") otherwise."""
    if not compared:
        return None
    return {"rated_above_data": t("dept_mismatch_above"), "rated_below_data": t("dept_mismatch_below")}.get(
        mismatch or "", t("dept_mismatch_consistent")
    )


def mismatch_column(frame: pd.DataFrame) -> pd.Series:
    compared = frame["z_gap"].notna() if "z_gap" in frame else pd.Series(False, index=frame.index)
    return pd.Series(
        [mismatch_text(c, m) for c, m in zip(compared, frame["mismatch"].fillna(""))], index=frame.index, dtype=object
    )


def missing_reasons(rules: dict, reference_row: str) -> dict[str, str]:
    """Per source column, why a cell shows "—" (appended to the column's help)."""
    min_n, gap = fmt.count(rules["min_received_for_rank"]), f"{rules['mismatch_robust_z']:g}"
    return {
        "score": t("dept_missing_score", reference=reference_row, min_n=min_n),
        "rating_avg": t("dept_missing_rating", reference=reference_row),
        "mismatch_text": t("dept_mismatch_help", reference=reference_row, min_n=min_n, gap=gap),
        "hours": t("dept_missing_hours"),
        "share": t("dept_missing_share"),
    }


def column_help(src: str, kind: str, metric_key: str | None, reasons: dict[str, str]) -> str | None:
    if src == "open_now":
        return t("dept_open_help")
    if src == "mismatch_text":
        return reasons["mismatch_text"]
    text = defn(metric_key) if metric_key else None
    reason = reasons.get(src) or reasons.get(kind)
    if reason:
        text = f"{text}\n\n{reason}" if text else reason
    return text


def number_config(kind: str, help_text: str | None, pinned: bool = False):
    if kind == "share":
        return st.column_config.NumberColumn(help=help_text, format="percent")
    if kind in ("hours", "score"):
        return st.column_config.NumberColumn(help=help_text, format="%.2f")
    if kind == "count":
        return st.column_config.NumberColumn(help=help_text, format="%d")
    return st.column_config.TextColumn(help=help_text, pinned=pinned)


def shown_columns(rows: pd.DataFrame, spec: list[tuple[str, str, str | None, str]]) -> pd.DataFrame:
    """`rows` under the screen's column titles, rounded as shown (missing values stay missing)."""
    shown = pd.DataFrame({t(label): rows[src] for src, label, _, _ in spec})
    for _src, label, _, kind in spec:
        if kind in ("hours", "share", "score"):
            digits = 4 if kind == "share" else 2
            shown[t(label)] = pd.to_numeric(shown[t(label)], errors="coerce").astype(float).round(digits)
        elif kind == "count":
            shown[t(label)] = shown[t(label)].astype(int)
    return shown


def focus_select(table: pd.DataFrame) -> int | None:
    """One department (or all of them) for the oldest items, the trend and the breakdowns;
    `?department=ID` picks it from a link."""
    names = dict(zip(table["department_id"].astype(int), table["label"]))
    options = with_all(table.sort_values("received", ascending=False, kind="stable")["department_id"].astype(int))
    param = st.query_params.get("department")
    if param is not None:
        if not (param.isdigit() and int(param) in names):
            st.warning(t("dept_bad_param", value=md(param[:40])))
        elif st.session_state.get("_dept_param_applied") != param:  # once, so the selectbox can change it later
            st.session_state["dept_focus"] = int(param)
            st.session_state["_dept_param_applied"] = param
    all_label = t("dept_focus_all")
    focus = st.selectbox(
        t("dept_focus"),
        options,
        key="dept_focus",
        format_func=lambda d: all_label if chosen(d) is None else names[d],
        on_change=lambda: st.session_state.pop("dept_oldest_page", None),  # back to page 1
        placeholder=t("select_placeholder"),
    )
    return chosen(focus)


def focus_name(table: pd.DataFrame, focus: int | None) -> str:
    if focus is None:
        return t("dept_focus_all")
    return str(table.loc[table["department_id"].astype(int) == focus, "label"].iloc[0])


def min_received(rules: dict) -> int:
    return int(rules["min_received_for_rank"])
