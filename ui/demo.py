"""Starts the demo feed (sample_data/demo_feed.py) once per server process, for the sample store only."""

from __future__ import annotations

import streamlit as st

from data_access.store import resolve_db_url


@st.cache_resource(show_spinner=False)
def _started(url: str):
    from sample_data.demo_feed import start  # the generator's modules load only here

    return start(url)


def ensure_demo_feed() -> None:
    """Call from the entrypoint on every run: cheap after the first (a cached resource), and only
    once the store check passed, so a store that is still being built is never fed."""
    if st.session_state.get("_store_checked"):
        _started(resolve_db_url())
