"""The shell every page stands in: language switch, store check, shared filters.

`dashboard.py` builds it once per run and then runs the chosen page. Streamlit can also run a
file from `pages/` on its own (its old auto-discovery, e.g. on a fresh server before any session
has called `st.navigation`); then `page_filters()` builds the shell itself, so no page is ever
drawn without it.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from data_access.filters import Filters
from data_access.store import StoreError, describe_url, ensure_default_store, resolve_db_url

from .data import cached_store_status
from .filters import sidebar_filters
from .labels import t
from .pages import available_pages

PAGE_TITLE = "网格智治指挥舱 GridSight"
# A local file: a `:material/...:` page icon would make the browser fetch it from a font CDN.
PAGE_ICON = str(Path(__file__).resolve().parent / "static" / "gridsight.png")
# Set by dashboard.py around the page it runs; absent when Streamlit runs a page file directly.
ENTRYPOINT_RUNNING = "_entrypoint_running"


def configure_page() -> None:
    st.set_page_config(page_title=PAGE_TITLE, page_icon=PAGE_ICON, layout="wide")


def store_ready() -> bool:
    """True when the store answers with data; otherwise a full-page message saying what to do."""
    url = resolve_db_url()
    try:
        if not st.session_state.get("_store_checked"):
            with st.spinner(t("building_sample")):
                ensure_default_store(url)  # builds sample_data/grid.db on the very first start only
        ok, reason = cached_store_status(url)
    except StoreError as exc:
        ok, reason = False, str(exc)
    if ok:
        st.session_state["_store_checked"] = True
        return True
    shown = describe_url(url)
    if reason.startswith("missing tables") or reason.startswith("the store has no"):
        st.warning(f"### {t('store_empty_title')}\n\n" + t("store_empty_body", url=shown, reason=reason))
    else:
        st.error(f"### {t('store_unreachable_title')}\n\n" + t("store_unreachable_body", url=shown, reason=reason))
    return False


def build_shell() -> Filters | None:
    """Draw the language switch and filters; None (after a message) when nothing can be shown."""
    st.sidebar.toggle(t("lang_switch"), key="lang_en")
    if not store_ready():
        return None
    return sidebar_filters()


def navigation():
    """Register every page of ui/pages.py with `st.navigation`; returns the chosen page."""
    sections: dict[str, list] = {}
    for spec in available_pages():
        page = st.Page(spec.path, title=t(spec.title_key), icon=spec.icon, url_path=spec.url_path,
                       default=spec.default)
        sections.setdefault(t(spec.section_key), []).append(page)
    return st.navigation(sections)


def page_filters() -> Filters:
    """Call first on every page: the shared filters, building the shell if the entrypoint did not."""
    if not st.session_state.get(ENTRYPOINT_RUNNING):
        # Streamlit ran this file on its own (pages/ auto-discovery, e.g. a deep link on a fresh
        # server). Registering our navigation switches the server to the explicit page list for
        # good; the rerun then goes through dashboard.py like any other run.
        configure_page()
        navigation()
        st.rerun()
    f = st.session_state.get("filters")
    if f is None:
        st.stop()
    return f
