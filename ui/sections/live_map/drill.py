"""The live map's drill state: read and check it from the URL, write it back, the path buttons."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import live
from data_access.filters import FilterError
from ui.data import query, store_levels
from ui.escape import md
from ui.labels import t


def set_drill(level: str, unit: int | None) -> None:
    st.query_params["level"] = level
    if unit is None:
        st.query_params.pop("unit", None)
    else:
        st.query_params["unit"] = str(unit)


def resolve_drill(f) -> tuple[str, int | None, pd.DataFrame, list[str]]:
    """(level, unit, path, messages): the validated drill state, inside the sidebar filter."""
    root = ("village", f.village_id) if f.village_id else (("town", f.town_id) if f.town_id else ("county", None))
    root_path = query(live.unit_path, *root, f.scope)
    root_name = root_path["name"].iloc[-1]
    raw_level = st.query_params.get("level")
    raw_unit = st.query_params.get("unit")
    messages = []
    if raw_level is None and raw_unit is None:
        return root[0], root[1], root_path, messages
    if raw_level not in store_levels().keys:  # only the levels this store has
        messages.append(t("live_map_bad_level", value=md(str(raw_level)[:40]), root=md(root_name)))
        return root[0], root[1], root_path, messages
    unit = None
    if raw_unit is not None:
        try:
            unit = int(raw_unit)
            if unit <= 0 or unit > 2**31 - 1:
                raise ValueError
        except ValueError:
            messages.append(t("live_map_bad_unit", value=md(str(raw_unit)[:40]), reason="", root=md(root_name)))
            return root[0], root[1], root_path, messages
    try:
        path = query(live.unit_path, raw_level, unit, f.scope)
    except FilterError:
        # One reason for a unit that does not exist and one outside the account's town: the
        # message must not tell which ids exist elsewhere (issue #18, finding 14).
        reason = t("live_map_unit_unavailable")
        messages.append(t("live_map_bad_unit", value=md(str(raw_unit)[:40]), reason=reason, root=md(root_name)))
        return root[0], root[1], root_path, messages
    inside = ((path["level"] == root[0]) & ((root[1] is None) | (path["id"] == (root[1] or 0)))).any()
    if not inside:
        messages.append(t("live_map_outside_filter", name=md(path["name"].iloc[-1]), root=md(root_name)))
        return root[0], root[1], root_path, messages
    return raw_level, (unit if raw_level != "county" else None), path, messages


def breadcrumbs(f, path: pd.DataFrame) -> None:
    """One button per level of the path; the filter's own unit and those above it are disabled."""
    root_index = 0 if not f.town_id else int(path.index[path["level"] == ("village" if f.village_id else "town")][0])
    crumbs = st.container(horizontal=True, key="live_map_path")
    crumbs.markdown(f"**{t('live_map_path')}:**")
    for i, row in enumerate(path.itertuples(index=False)):
        is_here = i == len(path) - 1
        crumbs.button(
            md(row.name),
            key=f"live_map_crumb_{row.level}",
            disabled=is_here or i < root_index,
            type="primary" if is_here else "secondary",
            on_click=set_drill,
            args=(row.level, None if row.level == "county" else int(row.id)),
        )
