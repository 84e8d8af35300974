"""What to import from the uploaded file: the boundary fields or the event mapping.

Both raise the importer's ImportRefused / ReadError for a file or mapping it cannot read; the page
shows them. A missing mapping upload stops the page (nothing to do yet).
"""

from __future__ import annotations

import streamlit as st

from data_access import ingest
from data_access.ingest.boundaries import LEVELS
from data_access.store import PROJECT_ROOT
from ui.builtin_text import file_uploader
from ui.labels import t

MAPPINGS_DIR = PROJECT_ROOT / "sample_data" / "mappings"
UPLOAD = "__upload__"


def boundary_options(uploaded) -> dict:
    """The level and fields of a boundary file, as import_boundaries takes them."""
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
    return dict(
        level=level,
        id_field=id_field,
        name_field=name_field,
        parent_field=(parent or None) if level not in ("county", "town") else None,
        crs=crs or None,
        households_field=(households or None) if grid_level else None,
        residents_field=(residents or None) if grid_level else None,
    )


def event_options() -> dict:
    """The mapping of an event export: a shipped one or an uploaded TOML file."""
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
    return dict(mapping=mapping_bytes)
