"""Starts the demo feed (sample_data/demo_feed.py) once per server process, for the sample store only."""

from __future__ import annotations

import threading

import streamlit as st

from data_access.store import resolve_db_url

# Module-level, not st.cache_resource: any session may send `clear_cache`, which would start a
# second feed thread next to the first (see ui/data.py on the engines).
_FEEDS: dict[str, tuple] = {}
_FEEDS_LOCK = threading.Lock()


def _started(url: str):
    with _FEEDS_LOCK:
        if url not in _FEEDS:
            from sample_data.demo_feed import start  # the generator's modules load only here

            _FEEDS[url] = start(url)
        return _FEEDS[url]


def ensure_demo_feed() -> None:
    """Call from the entrypoint on every run: cheap after the first (a cached resource), and only
    once the store check passed, so a store that is still being built is never fed."""
    if st.session_state.get("_store_checked"):
        _started(resolve_db_url())
