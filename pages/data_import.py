"""数据导入 Data import (admin): upload boundaries or an event export, validate, preview, commit.

All reading, checking and writing happens in `data_access.ingest`, which opens its own writable
engine on the store URL; this page never opens the database. A preview is a full import run
inside a transaction that is rolled back, so what it shows is exactly what a commit would write.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from data_access import audit, ingest
from data_access.ingest.boundaries import LEVELS
from data_access.ingest.messages import message
from data_access.store import PROJECT_ROOT, describe_url, resolve_db_url, store_timezone
from ui.builtin_text import file_uploader
from ui.data import query, writer_engine
from ui.escape import md
from ui.export import download_buttons
from ui.labels import LABELS, lang, t
from ui.shell import page_filters

MAPPINGS_DIR = PROJECT_ROOT / "sample_data" / "mappings"
UPLOAD = "__upload__"

page_filters()  # the shell (language, store check); the import itself ignores the filters
url = resolve_db_url()
st.title(t("data_import_title"))
st.caption(t("data_import_caption"))


def zone_name(zone: str) -> str:
    """The store's zone as the reader says it: the IANA name in English; in Chinese a name for
    the zones a county may use, else the offset from universal time now."""
    key = f"data_import_zone_{zone}"
    if key in LABELS:
        return t(key)
    if lang() == "en":
        return zone
    offset = dt.datetime.now(ZoneInfo(zone)).strftime("%z")
    return t("data_import_zone_offset", offset=f"{offset[:3]}:{offset[3:]}")


st.caption(t("data_import_store_timezone", zone=zone_name(query(store_timezone))))
_TEMP_PATH = re.compile(re.escape(tempfile.gettempdir()) + r"[^\s'\"(),;]*")


def said(reason) -> str:
    """An importer's message (a refusal, a row's problem, a warning) in the reader's language:
    its label `err_import_<code>`, with levels and step actions named in that language too."""
    msg = message(reason)
    if msg is None:
        return str(reason)
    params = dict(msg.params)
    for key in ("level", "plevel"):
        if f"data_import_level_{params.get(key)}" in LABELS:
            params[key] = t(f"data_import_level_{params[key]}")
    for key in ("action", "before"):
        if f"data_import_action_{params.get(key)}" in LABELS:
            params[key] = t(f"data_import_action_{params[key]}")
    return t(f"err_import_{msg.code}", **params)


def field_name(name) -> str:
    """A GridSight-side field named in the reader's language; a source column stays as the file has it."""
    key = f"data_import_field_{name}"
    return t(key) if key in LABELS else str(name)


def shown(reason) -> str:
    """A reason fit for the page, in the reader's language: no server temp path, no database URL
    (they stay in the server log)."""
    text = _TEMP_PATH.sub("…", said(reason))
    for secret in {url, describe_url(url)}:
        text = text.replace(secret, "…")
    return text


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
        columns = ingest.boundary_fields(ingest.read_boundaries(uploaded))
        c1, c2, c3 = st.columns(3)
        # Towns first (the usual first file); the county is optional, so it comes last.
        level = c1.selectbox(
            t("data_import_level"),
            [*LEVELS[1:], LEVELS[0]],
            key="data_import_level",
            format_func=lambda v: t(f"data_import_level_{v}"),
            placeholder=t("select_placeholder"),
        )
        id_field = c2.selectbox(
            t("data_import_id_field"), columns, key="data_import_id_field", placeholder=t("select_placeholder")
        )
        name_field = c3.selectbox(
            t("data_import_name_field"),
            columns,
            key="data_import_name_field",
            index=min(1, len(columns) - 1),
            placeholder=t("select_placeholder"),
        )
        c4, c5, c6 = st.columns(3)
        parent = c4.selectbox(
            t("data_import_parent_field"),
            [""] + columns,
            key="data_import_parent_field",
            format_func=lambda v: v or t("data_import_by_location"),
            disabled=level in ("county", "town"),
            placeholder=t("select_placeholder"),
        )
        households = c5.selectbox(
            t("data_import_households_field"),
            [""] + columns,
            key="data_import_households",
            format_func=lambda v: v or t("data_import_none"),
            disabled=level in ("county", "town", "village"),
            placeholder=t("select_placeholder"),
        )
        residents = c6.selectbox(
            t("data_import_residents_field"),
            [""] + columns,
            key="data_import_residents",
            format_func=lambda v: v or t("data_import_none"),
            disabled=level in ("county", "town", "village"),
            placeholder=t("select_placeholder"),
        )
        crs = st.text_input(t("data_import_crs"), key="data_import_crs", help=t("data_import_crs_help")).strip()
        grid_level = level in ("grid", "micro_grid")
        options = dict(
            level=level,
            id_field=id_field,
            name_field=name_field,
            parent_field=(parent or None) if level not in ("county", "town") else None,
            crs=crs or None,
            households_field=(households or None) if grid_level else None,
            residents_field=(residents or None) if grid_level else None,
        )
    else:
        shipped = sorted(p.name for p in MAPPINGS_DIR.glob("*.toml"))
        choice = st.selectbox(
            t("data_import_mapping"),
            shipped + [UPLOAD],
            key="data_import_mapping",
            format_func=lambda v: t("data_import_mapping_upload") if v == UPLOAD else v,
            placeholder=t("select_placeholder"),
        )
        if choice == UPLOAD:
            mapping_file = file_uploader(t("data_import_mapping_file"), type=["toml"], key="data_import_mapping_file")
            if mapping_file is None:
                st.stop()
            mapping_bytes = mapping_file.getvalue()
        else:
            mapping_bytes = (MAPPINGS_DIR / choice).read_bytes()
        ingest.load_mapping(mapping_bytes)  # a broken mapping is reported before anything runs
        options = dict(mapping=mapping_bytes)
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
    report = previewed[1]
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
            download_buttons(report.rejected, f"rejected_{Path(uploaded.name).stem}", key="data_import_rejected")
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
