"""The shared sidebar filters. `dashboard.py` draws them once; pages read `current_filters()`."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from data_access import units
from data_access.filters import FilterError, Filters, Scope, default_filters, now_utc
from data_access.store import store_timezone

from .data import query
from .escape import md
from .labels import error_text, local_name, t

FILTERS_KEY = "filters"


def _as_of_minute() -> dt.datetime:
    # Truncated so that cached queries are shared by every rerun within the same minute.
    return now_utc().replace(second=0, microsecond=0)


def _reset_village() -> None:
    st.session_state.pop("filter_village", None)


def sidebar_filters(scope: Scope | None = None) -> Filters | None:
    """Draw the filter widgets and return the chosen Filters (None, with a message, if unusable).

    `scope` is the signed-in user's: a town user's town list holds their own town only (no "all").
    """
    as_of = _as_of_minute()
    zone = query(store_timezone)  # the store's zone: its local days and "today" (read once a minute, cached)
    defaults = default_filters(query(units.latest_report_date), as_of=as_of, tz=zone)
    sb = st.sidebar
    sb.header(t("filters"))
    picked = sb.date_input(
        t("date_range"),
        value=(defaults.date_from, defaults.date_to),
        key="filter_dates",
        help=t("date_range_help"),
        format="YYYY-MM-DD",
    )
    if isinstance(picked, (tuple, list)):
        if len(picked) < 2:
            sb.info(t("pick_end_date"))
            date_from = date_to = picked[0] if picked else defaults.date_to
        else:
            date_from, date_to = picked
    else:
        date_from = date_to = picked

    towns = query(units.towns, scope)
    town_names = dict(zip(towns["id"].astype(int), towns["name"]))
    own_town = scope is not None and scope.town_id is not None
    if own_town and st.session_state.get("filter_town") not in town_names:
        st.session_state["filter_town"] = next(iter(town_names), None)
    town_id = sb.selectbox(
        t("town"),
        list(town_names) if own_town else [None, *town_names],
        key="filter_town",
        on_change=_reset_village,
        disabled=own_town,
        format_func=lambda i: t("all") if i is None else town_names[i],
        placeholder=t("select_placeholder"),
    )
    village_id = None
    if town_id is not None:
        villages = query(units.villages, int(town_id), scope)
        village_names = dict(zip(villages["id"].astype(int), villages["name"]))
        village_id = sb.selectbox(
            t("village"),
            [None, *village_names],
            key="filter_village",
            format_func=lambda i: t("all") if i is None else village_names[i],
            placeholder=t("select_placeholder"),
        )
    cats = query(units.categories)
    cat_names = {row["code"]: local_name(row) for _, row in cats.iterrows()}
    category = sb.selectbox(
        t("category"),
        [None, *cat_names],
        key="filter_category",
        format_func=lambda c: t("all") if c is None else cat_names[c],
        placeholder=t("select_placeholder"),
    )
    try:
        f = Filters(
            date_from=date_from,
            date_to=date_to,
            as_of=as_of,
            town_id=None if town_id is None else int(town_id),
            village_id=None if village_id is None else int(village_id),
            category_code=category,
            scope=scope,
            tz=zone,
        )
    except FilterError as exc:
        st.error(t("bad_filter", reason=md(error_text(exc))))
        return None
    st.session_state[FILTERS_KEY] = f
    return f
