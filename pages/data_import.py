"""数据导入 Data import (admin): upload boundaries or an event export, validate, preview, commit.

All reading, checking and writing happens in `data_access.ingest`, which opens its own writable
engine on the store URL; this page never opens the database. A preview is a full import run
inside a transaction that is rolled back, so what it shows is exactly what a commit would write.
"""

from __future__ import annotations

import hashlib

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from data_access import audit, ingest
from data_access.store import resolve_db_url, store_timezone
from ui.builtin_text import file_uploader
from ui.data import query, writer_engine
from ui.escape import md
from ui.labels import t
from ui.sections.data_import.messages import said, zone_name
from ui.sections.data_import.messages import shown as fit_to_show
from ui.sections.data_import.report import show as show_report
from ui.sections.data_import.settings import boundary_options, event_options
from ui.shell import page_filters

page_filters()  # the shell (language, store check); the import itself ignores the filters
url = resolve_db_url()
st.title(t("data_import_title"))
st.caption(t("data_import_caption"))

st.caption(t("data_import_store_timezone", zone=zone_name(query(store_timezone))))


def shown(reason) -> str:
    return fit_to_show(reason, url)


kind = st.radio(
    t("data_import_kind"),
    ["boundaries", "events"],
    key="data_import_kind",
    horizontal=True,
    format_func=lambda k: t(f"data_import_kind_{k}"),
)
types = ["geojson", "json", "zip", "gpkg"] if kind == "boundaries" else ["csv", "txt", "xlsx"]
uploaded = file_uploader(
    t("data_import_file"), type=types, key=f"data_import_file_{kind}", help=t(f"data_import_file_help_{kind}")
)
allow_partial = st.checkbox(t("data_import_allow_partial"), key="data_import_partial")
allow_outside = st.checkbox(t("data_import_allow_outside"), key="data_import_outside")

options: dict = {}
if uploaded is None:
    st.info(t("data_import_need_file"))
    st.stop()
try:
    if kind == "boundaries":
        options = boundary_options(uploaded)
    else:
        options = event_options()
except (ingest.ImportRefused, ingest.ReadError) as exc:
    st.error(t("data_import_refused", reason=md(shown(exc))))
    st.stop()

# A preview stands for exactly this file with exactly these settings.
signature = hashlib.sha256(
    uploaded.getvalue() + repr((kind, sorted(options.items()), allow_partial, allow_outside)).encode()
).hexdigest()


def run(commit: bool):
    bar = st.progress(0.0, text=t("data_import_running", step="…"))

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=t("data_import_running", step=said(message)))

    common = dict(
        commit=commit,
        allow_partial=allow_partial,
        allow_outside_china=allow_outside,
        name=uploaded.name,
        progress=progress,
    )
    try:
        if kind == "boundaries":
            report = ingest.import_boundaries(
                uploaded,
                url,
                options["level"],
                options["id_field"],
                options["name_field"],
                options["parent_field"],
                options["crs"],
                households_field=options["households_field"],
                residents_field=options["residents_field"],
                **common,
            )
        else:
            report = ingest.import_events(uploaded, url, options["mapping"], **common)
    except (ingest.ImportRefused, ingest.ReadError) as exc:
        bar.empty()
        st.error(t("data_import_refused", reason=md(shown(exc))))
        return None
    except SQLAlchemyError as exc:  # e.g. another import committed first; ours was rolled back
        bar.empty()
        st.error(t("data_import_refused", reason=md(shown(f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}"))))
        return None
    bar.progress(1.0, text=t("data_import_done"))
    return report


left, right = st.columns(2)
if left.button(t("data_import_preview"), key="data_import_preview_button", type="secondary"):
    report = run(commit=False)
    st.session_state["data_import_report"] = (signature, report) if report else None
    st.session_state["data_import_last_commit"] = None
previewed = st.session_state.get("data_import_report")
ready = previewed is not None and previewed[0] == signature and (previewed[1].ok or allow_partial)
commit_slot = right.empty()
if commit_slot.button(t("data_import_commit"), key="data_import_commit_button", type="primary", disabled=not ready):
    report = run(commit=True)
    st.session_state["data_import_report"] = None
    if report is not None:
        if report.committed:
            st.cache_data.clear()  # every page must see the new data at once
            user = st.session_state.get("auth_user")
            audit.record(
                writer_engine(),
                user.username if user else "",
                "import",
                page="data_import",
                detail={
                    "kind": kind,
                    "file": uploaded.name,
                    "rows": report.rows_read,
                    "refused": report.refused,
                    "inserted": report.inserted,
                    "updated": report.updated,
                },
            )
            st.session_state["data_import_last_commit"] = (signature, report)
            st.rerun()  # redraw without the "ready to commit" notice and with the button disabled
        st.error(t("data_import_not_committed", reason=md(report.summary())))
        previewed = (signature, report)
elif previewed is not None and previewed[0] != signature:
    st.info(t("data_import_preview_first"))
    previewed = None
last = st.session_state.get("data_import_last_commit")
if previewed is None and last is not None and last[0] == signature:
    st.success(t("data_import_committed", inserted=last[1].inserted, updated=last[1].updated))
    st.caption(t("data_import_committed_before"))
    previewed = last

if previewed is not None:
    show_report(previewed[1], kind, uploaded.name, shown)
