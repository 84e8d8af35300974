"""The dashboard's one connection to the store, and cached calls into `data_access`.

Pages never build an Engine: they call `query(fn, *args)` with a data_access function, which runs
it on the shared read-only engine and caches the DataFrame for a short while.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections.abc import Callable

import streamlit as st
from sqlalchemy.engine import Engine

from data_access import levels, rollups, trace
from data_access.store import create_store_engine, ensure_access_tables, resolve_db_url, store_status

from . import sqltrace
from .labels import set_levels_source

CACHE_TTL_SECONDS = 60
LIVE_TTL_SECONDS = 5
_REGISTRY: dict[str, Callable] = {}


# The engines live in a module-level registry, not in st.cache_resource or st.connection (which is
# cached there too): Streamlit honours a `clear_cache` message from any websocket session, signed
# in or not, and clearing cache_resource drops the cached engines without disposing them, so each
# anonymous flush leaked a pool of database connections (security review, issue #18 finding 2).
# The engines are a process resource that GridSight owns, so GridSight keeps them here; no
# Streamlit message can reach this dict. They are disposed when the process exits.
_ENGINES: dict[tuple[str, bool], Engine] = {}
_ENGINES_LOCK = threading.Lock()


def _registered(url: str, writable: bool) -> Engine:
    with _ENGINES_LOCK:
        found = _ENGINES.get((url, writable))
        if found is None:
            found = create_store_engine(url, writable=writable)
            if writable:
                try:
                    ensure_access_tables(found)
                except Exception:
                    found.dispose()
                    raise
            _ENGINES[(url, writable)] = trace.install(found)  # "SQL behind this number" (ui/sqltrace.py)
        return found


@atexit.register
def dispose_engines() -> None:
    """Dispose of every engine (at exit, and in tests that rebuild a store at the same URL)."""
    with _ENGINES_LOCK:
        for found in _ENGINES.values():
            found.dispose()
        _ENGINES.clear()
        _LEVELS.clear()


# The store's levels (data_access.levels), read once a minute per store. Kept here rather than in
# st.cache_data so that label lookups outside a script run (the PDF report's thread) see them too.
_LEVELS: dict[str, tuple[float, levels.Levels]] = {}
LEVELS_TTL_SECONDS = 60
LEVELS_RETRY_SECONDS = 10


def store_levels() -> levels.Levels:
    """The levels of the configured store; T county's while the store cannot be read."""
    url = resolve_db_url()
    now = time.monotonic()
    hit = _LEVELS.get(url)
    if hit is not None and now < hit[0]:
        return hit[1]
    try:
        found, ttl = levels.store_levels(engine()), LEVELS_TTL_SECONDS
    except Exception:  # unreachable or not a store yet: the shell says so; labels read on
        found, ttl = levels.DEFAULT_LEVELS, LEVELS_RETRY_SECONDS
    _LEVELS[url] = (now + ttl, found)
    return found


def engine() -> Engine:
    """The shared read-only engine on the configured store."""
    return _registered(resolve_db_url(), writable=False)


def writer_engine() -> Engine:
    """The one writable engine of the dashboard: logins and the audit log only."""
    return _registered(resolve_db_url(), writable=True)


@st.cache_data(ttl=30, max_entries=4, show_spinner=False)
def cached_store_status(url: str) -> tuple[bool, str]:
    return store_status(engine())


@st.cache_data(ttl=LIVE_TTL_SECONDS, max_entries=4, show_spinner=False)
def rollups_behind(url: str) -> tuple[int, int]:
    """(events, steps) written since the derived tables were last brought up to date."""
    with engine().connect() as conn:
        derived = rollups.status(conn)
    return derived.events_behind, derived.steps_behind


def _key(fn: Callable) -> str:
    key = f"{fn.__module__}.{fn.__qualname__}"
    _REGISTRY[key] = fn
    return key


# The function is passed by name so one cache serves every query without key collisions.
@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=512, show_spinner=False)
def _cached_call(fn_key: str, url: str, args: tuple, kwargs: tuple):
    return _REGISTRY[fn_key](engine(), *args, **dict(kwargs))


@st.cache_data(ttl=LIVE_TTL_SECONDS, max_entries=128, show_spinner=False)
def _live_call(fn_key: str, url: str, args: tuple, kwargs: tuple):
    return _REGISTRY[fn_key](engine(), *args, **dict(kwargs))


def _recorded(fn_key: str, args: tuple, kwargs: tuple) -> tuple:
    """(result, statements, dropped, when): the call run with its SQL recorded (data_access.trace)."""
    with trace.recording() as found:
        result = _REGISTRY[fn_key](engine(), *args, **dict(kwargs))
    return result, tuple(found.statements), found.dropped, time.time()


# Traced twins of the two caches, used only while an admin has "SQL behind this number" on: the
# statements are cached with the result they produced, so a cached number still lists its SQL
# (with the time it ran), and nobody else's cache entries carry statements.
@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=64, show_spinner=False)
def _traced_cached_call(fn_key: str, url: str, args: tuple, kwargs: tuple):
    return _recorded(fn_key, args, kwargs)


@st.cache_data(ttl=LIVE_TTL_SECONDS, max_entries=32, show_spinner=False)
def _traced_live_call(fn_key: str, url: str, args: tuple, kwargs: tuple):
    return _recorded(fn_key, args, kwargs)


def _call(plain, traced, fn: Callable, args: tuple, kwargs: dict):
    key, url, kw = _key(fn), resolve_db_url(), tuple(sorted(kwargs.items()))
    if not sqltrace.recording():
        return plain(key, url, args, kw)
    result, statements, dropped, when = traced(key, url, args, kw)
    sqltrace.note(key, statements, dropped, when)
    return result


def query(fn: Callable, *args, **kwargs):
    """Run data_access function `fn(engine, *args, **kwargs)`, cached for a minute."""
    return _call(_cached_call, _traced_cached_call, fn, args, kwargs)


def live_query(fn: Callable, *args, **kwargs):
    """Like `query`, but cached for only a few seconds: for the parts that refresh by themselves."""
    return _call(_live_call, _traced_live_call, fn, args, kwargs)


def access_query(fn: Callable, *args, **kwargs):
    """Run `fn(engine, *args, **kwargs)` on the writable engine, uncached: for the admin page's
    reads of `users` and `audit_log` (tables the writable engine makes sure exist, and which must
    be current). Pages call this instead of building or taking an engine themselves."""
    if not sqltrace.recording():
        return fn(writer_engine(), *args, **kwargs)
    with trace.recording() as found:
        result = fn(writer_engine(), *args, **kwargs)
    sqltrace.note(_key(fn), tuple(found.statements), found.dropped, time.time())
    return result


set_levels_source(store_levels)  # labels name the levels as this store does
