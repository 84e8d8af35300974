"""The dashboard's one connection to the store, and cached calls into `data_access`.

Pages never build an Engine: they call `query(fn, *args)` with a data_access function, which runs
it on the shared read-only engine and caches the DataFrame for a short while.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.connections import BaseConnection

from data_access import rollups
from data_access.store import create_store_engine, ensure_access_tables, resolve_db_url, store_status

CACHE_TTL_SECONDS = 60
LIVE_TTL_SECONDS = 5
_REGISTRY: dict[str, Callable] = {}


class GridStoreConnection(BaseConnection[Engine]):
    """`st.connection("sql", type=GridStoreConnection)`: a read-only Engine on the GridSight store."""

    def _connect(self, **kwargs) -> Engine:
        return create_store_engine(kwargs.get("url") or resolve_db_url())

    @property
    def engine(self) -> Engine:
        return self._instance


def connection() -> GridStoreConnection:
    return st.connection("sql", type=GridStoreConnection, url=resolve_db_url())


def engine() -> Engine:
    return connection().engine


@st.cache_resource(show_spinner=False)
def _writer(url: str) -> Engine:
    writer = create_store_engine(url, writable=True)
    ensure_access_tables(writer)
    return writer


def writer_engine() -> Engine:
    """The one writable engine of the dashboard: logins and the audit log only."""
    return _writer(resolve_db_url())


@st.cache_data(ttl=30, max_entries=4, show_spinner=False)
def cached_store_status(url: str) -> tuple[bool, str]:
    return store_status(connection().engine)


@st.cache_data(ttl=LIVE_TTL_SECONDS, max_entries=4, show_spinner=False)
def rollups_behind(url: str) -> tuple[int, int]:
    """(events, steps) written since the derived tables were last brought up to date."""
    with connection().engine.connect() as conn:
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


def query(fn: Callable, *args, **kwargs):
    """Run data_access function `fn(engine, *args, **kwargs)`, cached for a minute."""
    return _cached_call(_key(fn), resolve_db_url(), args, tuple(sorted(kwargs.items())))


def live_query(fn: Callable, *args, **kwargs):
    """Like `query`, but cached for only a few seconds: for the parts that refresh by themselves."""
    return _live_call(_key(fn), resolve_db_url(), args, tuple(sorted(kwargs.items())))
