"""The report of a preview or a commit: counts, the refused rows and why, repairs, warnings."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.escape import md
from ui.export import download_buttons
from ui.labels import t

from .messages import field_name


def show(report, kind: str, file_name: str, shown) -> None:
    """`report` of importing `file_name` (a `kind` file); `shown` makes a message fit for the page."""
    cols = iter(st.columns(5 if kind == "boundaries" else 4))
    next(cols).metric(t("data_import_rows_read"), f"{report.rows_read:,}", help=t("data_import_rows_help"), border=True)
    next(cols).metric(
        t("data_import_rows_refused"), f"{report.refused:,}", help=t("data_import_refused_help"), border=True
    )
    if kind == "boundaries":  # make_valid repairs exist only for shapes
        next(cols).metric(t("data_import_repairs"), f"{len(report.repairs):,}", border=True)
    next(cols).metric(t("data_import_to_insert"), f"{report.inserted:,}", help=t("data_import_new_help"), border=True)
    next(cols).metric(t("data_import_to_update"), f"{report.updated:,}", help=t("data_import_update_help"), border=True)
    if report.encoding:
        st.caption(t("data_import_encoding", encoding=report.encoding))
    if report.ok and not report.committed:
        st.success(t("data_import_clean"))
    else:
        if report.file_errors:
            st.error(t("data_import_file_error"))
        elif not report.committed:
            st.warning(t("data_import_has_errors", n=report.refused))
        st.subheader(t("data_import_errors"))
        names = {
            "row": t("data_import_col_row"),
            "field": t("data_import_col_field"),
            "reason": t("data_import_col_reason"),
        }
        errors = report.errors_frame(say=shown)
        errors["field"] = errors["field"].map(field_name)
        st.dataframe(errors.rename(columns=names), hide_index=True, key="data_import_errors_table")
        if report.truncated or len(report.rejected) < report.refused:
            st.caption(
                t(
                    "data_import_truncated",
                    problems=report.problems,
                    refused=report.refused,
                    shown=len(report.errors),
                    rows=len(report.rejected),
                )
            )
        if not report.rejected.empty:
            st.markdown(f"**{t('data_import_rejected')}**")
            download_buttons(report.rejected, f"rejected_{Path(file_name).stem}", key="data_import_rejected")
    if report.repairs:
        st.subheader(t("data_import_repairs_title"))
        st.dataframe(
            report.repairs_frame(say=shown)
            .assign(field=lambda d: d["field"].map(field_name))
            .rename(
                columns={
                    "row": t("data_import_col_row"),
                    "field": t("data_import_col_field"),
                    "reason": t("data_import_col_reason"),
                }
            ),
            hide_index=True,
            key="data_import_repairs_table",
        )
    if report.warnings:
        st.subheader(t("data_import_warnings"))
        for w in report.warnings:
            st.caption(md(shown(w)))
    if not report.preview.empty:
        st.subheader(t("data_import_preview_title", n=len(report.preview)))
        st.dataframe(report.preview, hide_index=True, key="data_import_preview_table")
