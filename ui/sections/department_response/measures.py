"""The second tab: every measure of every department (the reference row first), its export, the
score formula and the definitions, and how long the work takes (box plots)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import departments as dep
from ui import export_columns
from ui import format as fmt
from ui.data import query
from ui.escape import plotly_chart
from ui.export import download_buttons
from ui.labels import metric_definition, metric_name, t

from .common import (
    COLUMNS,
    DM,
    REASONED,
    column_help,
    min_received,
    mismatch_column,
    missing_reasons,
    number_config,
    shown_columns,
)


def table_rows(table: pd.DataFrame, county: pd.Series, reference_row: str) -> pd.DataFrame:
    """The reference row (every department pooled; not scored, not rated) above the departments."""
    ref = county.to_dict()
    ref.update(
        label=reference_row,
        open_now=int(table["open_now"].sum()),
        overdue_now=int(table["overdue_now"].sum()),
        rating_avg=None,
        score=None,
        mismatch="",
        z_gap=None,
    )
    rows = pd.concat([pd.DataFrame([ref]), table], ignore_index=True)
    rows["mismatch_text"] = mismatch_column(rows)
    return rows


def export_frame(shown: pd.DataFrame) -> pd.DataFrame:
    """The screen's table for the files: the columns that are "—" for a reason say "—" there too."""
    out = shown.copy()
    for src, label, _, _ in COLUMNS:
        if src in REASONED:
            out[t(label)] = out[t(label)].astype(object).where(out[t(label)].notna(), fmt.MISSING)
    return out


def export_columns_with_reasons(reasons: dict[str, str], reference_row: str) -> dict:
    """The About sheet's definitions, with the reasons behind a "—" and the reference row's name."""
    columns = export_columns.department_columns(COLUMNS)
    for src, label, _, _kind in COLUMNS:
        name = t(label)
        if src == "label":
            columns[name] = dataclasses.replace(columns[name], definition=t("dept_xdef_department", row=reference_row))
        elif src == "mismatch_text":
            columns[name] = dataclasses.replace(columns[name], definition=reasons["mismatch_text"])
        elif src in REASONED:
            columns[name] = dataclasses.replace(columns[name], definition=f"{columns[name].definition} {reasons[src]}")
    return columns


def render(f, table: pd.DataFrame, county: pd.Series, rules: dict, rules_df: pd.DataFrame, reference_row: str) -> None:
    reasons = missing_reasons(rules, reference_row)
    shown = shown_columns(table_rows(table, county, reference_row), COLUMNS)
    config = {
        t(label): number_config(kind, column_help(src, kind, key, reasons), pinned=src == "label")
        for src, label, key, kind in COLUMNS
    }
    st.subheader(t("dept_table_title"))
    st.caption(t("dept_table_caption", county=reference_row))
    st.dataframe(shown, hide_index=True, column_config=config, key="dept_table", height=420, placeholder=fmt.MISSING)
    st.markdown(f"**{t('dept_export')}**")
    download_buttons(
        export_frame(shown),
        f"department_response_{f.date_from}_{f.date_to}",
        key="dept_export",
        columns=export_columns_with_reasons(reasons, reference_row),
    )

    st.markdown(f"**{t('dept_score_title')}**")
    st.caption(
        t(
            "dept_score_formula",
            w_closure=rules["score_weight_closure"],
            w_on_time=rules["score_weight_on_time"],
            w_rework=rules["score_weight_rework"],
            w_volume=rules["score_weight_volume"],
            min_n=rules["min_received_for_rank"],
        )
    )
    defaults = rules_df.loc[rules_df["source"] == "default", "key"].tolist()
    if defaults:
        st.caption(t("dept_rules_default", keys=", ".join(defaults)))
    with st.expander(t("dept_definitions")):
        st.markdown("\n".join(f"- **{metric_name(m)}**:{metric_definition(m)}" for m in DM.values()))
    distributions(f, table, county, rules)


def distributions(f, table: pd.DataFrame, county: pd.Series, rules: dict) -> None:
    st.subheader(t("dept_dist_title"))
    box_measure = st.radio(
        t("dept_box_measure"),
        ["complete", "accept"],
        key="dept_box_measure",
        horizontal=True,
        format_func=lambda k: t(f"dept_box_{k}"),
    )
    names = dict(zip(table["department_id"].astype(int), table["label"]))
    box = query(dep.box_stats, f, box_measure)
    box = box[box["n"] >= min_received(rules)].copy()
    box["label"] = box["department_id"].map(names)
    box = box.dropna(subset=["label"]).sort_values("median")
    county_median = county["complete_h_median" if box_measure == "complete" else "accept_h_median"]
    box_fig = go.Figure(
        go.Box(
            y=box["label"],
            q1=box["q1"],
            median=box["median"],
            q3=box["q3"],
            lowerfence=box["lowerfence"],
            upperfence=box["upperfence"],
            orientation="h",
            marker_color="#4C78A8",
            name="",
            showlegend=False,
        )
    )
    if not fmt.is_missing(county_median):
        box_fig.add_vline(x=float(county_median), line_dash="dash", line_color="#E45756")
    box_fig.update_layout(
        height=max(260, 26 * len(box) + 80),
        margin=dict(l=10, r=10, t=10, b=10),
        xaxis_title=t("dept_hours_axis"),
        yaxis=dict(automargin=True),
    )
    plotly_chart(box_fig, key="dept_box_chart")
    median_text = fmt.MISSING if fmt.is_missing(county_median) else f"{county_median:.1f}"
    st.caption(t("dept_box_caption", median=median_text))
