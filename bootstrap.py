"""Entrypoint-level start-up of the embedded sample store: build it on first start, keep it moving.

Lives beside `dashboard.py`, above the layers: the data layer (`data_access`) must not depend on
the sample generator, and the Streamlit layer (`ui`) must not start writers. `dashboard.py` hands
`ensure_default_store` to the shell (which calls it under a spinner before the store check) and
calls `ensure_demo_feed` once the store check passed.
"""

from __future__ import annotations

import threading
from pathlib import Path

from data_access.store import DEFAULT_DB_URL, DEFAULT_SQLITE_PATH

_BUILD_LOCK = threading.Lock()  # two browser sessions on a fresh start must not both build
# Module-level, not st.cache_resource: any session may send `clear_cache`, which would start a
# second feed thread next to the first (see ui/data.py on the engines).
_FEEDS: dict[str, tuple] = {}
_FEEDS_LOCK = threading.Lock()


def ensure_default_store(url: str) -> bool:
    """Build the embedded sample county when the default SQLite file is missing.

    Returns True when it built one. Only the default URL is ever filled automatically: a
    configured store that is empty is reported, never overwritten.
    """
    if url != DEFAULT_DB_URL or DEFAULT_SQLITE_PATH.exists():
        return False
    with _BUILD_LOCK:
        if DEFAULT_SQLITE_PATH.exists():  # another session built it while we waited
            return False
        from sample_data.generate import generate  # heavy import only on first start

        tmp = DEFAULT_SQLITE_PATH.with_suffix(".building.db")
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
        generate(f"sqlite:///{tmp}", profile="county", seed=7, progress=False)
        # Build aside, then rename: a half-built file is never taken for a store.
        tmp.rename(DEFAULT_SQLITE_PATH)
        return True


def ensure_demo_feed(url: str):
    """Start the demo feed (sample_data/demo_feed.py) for `url` once per server process (it
    decides itself whether the store is one to feed); cheap after the first call."""
    with _FEEDS_LOCK:
        if url not in _FEEDS:
            from sample_data.demo_feed import start  # the generator's modules load only here

            _FEEDS[url] = start(url)
        return _FEEDS[url]
