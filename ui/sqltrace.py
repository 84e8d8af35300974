""" "SQL behind this number": an admin-only switch at the foot of every page, off by default.

While an admin has it on, every `ui.data.query` / `live_query` / `access_query` of the run is
executed inside `data_access.trace.recording()`, which keeps the statements the engines'
`before_cursor_execute` listener sees, with their bound parameters and the data_access function
that issued each one. The foot of the page then lists them per call, in the order the page made
its calls.

Cached results: a traced call goes through its own cache (`ui.data._traced_cached_call`), which
stores the statements together with the result they produced. A number served from that cache
therefore still lists the SQL behind it, marked "cached result" with the time it really ran; the
first run after switching on misses that cache, so the list is never empty for a page that reads.
Other users' calls use the plain caches and record nothing.

A page that ends early with `st.stop()` (no data for the filter, no file uploaded yet) has no
foot: Streamlit draws nothing after a stop.

Per session and run: the list lives in the session's state, started afresh by `begin_run` before
the page runs, and is bounded (`MAX_CALLS` calls, `data_access.trace.MAX_STATEMENTS` statements a
call). Statements outside `ui.data` (the shell's store check, the login) are not the page's
numbers and are not listed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from data_access.filters import LOCAL_TZ
from data_access.trace import Statement

from .labels import t

TOGGLE_KEY = "sql_trace_on"
_RUN_KEY = "_sql_trace_run"
ADMIN_ROLE = "admin"
MAX_CALLS = 60


@dataclass(frozen=True)
class Call:
    fn: str  # the data_access function the page called, module.qualname
    statements: tuple[Statement, ...]
    dropped: int
    ran_at: float  # epoch seconds when its statements ran (earlier than the run: from the cache)


@dataclass
class Run:
    started: float
    calls: list[Call]
    dropped_calls: int = 0


def _is_admin(user) -> bool:
    return user is not None and getattr(user, "role", None) == ADMIN_ROLE


def begin_run(user) -> None:
    """Before the page runs: start recording when `user` is an admin with the switch on."""
    on = _is_admin(user) and bool(st.session_state.get(TOGGLE_KEY))
    st.session_state[_RUN_KEY] = Run(dt.datetime.now(dt.UTC).timestamp(), []) if on else None


def recording() -> bool:
    """True while this session's page run records its SQL (called by ui.data for every query)."""
    try:
        return st.session_state.get(_RUN_KEY) is not None
    except Exception:  # no Streamlit session (a script or test calling ui.data directly)
        return False


def note(fn: str, statements: tuple[Statement, ...], dropped: int, ran_at: float) -> None:
    run: Run | None = st.session_state.get(_RUN_KEY)
    if run is None:
        return
    if len(run.calls) >= MAX_CALLS:
        run.dropped_calls += 1
        return
    run.calls.append(Call(fn, statements, dropped, ran_at))


def footer(user) -> None:
    """At the foot of the page: the admin's switch and, when on, the expander with the SQL."""
    if not _is_admin(user):
        st.session_state.pop(_RUN_KEY, None)
        return
    st.divider()
    on = st.toggle(t("sqltrace_toggle"), key=TOGGLE_KEY, help=t("sqltrace_help"))
    run: Run | None = st.session_state.get(_RUN_KEY)
    if not on or run is None:
        return
    n_statements = sum(len(c.statements) for c in run.calls)
    with st.expander(t("sqltrace_title", calls=len(run.calls), statements=n_statements), expanded=False):
        if not run.calls:
            st.caption(t("sqltrace_none"))
        for i, call in enumerate(run.calls, 1):
            cached = t("sqltrace_cached") if call.ran_at < run.started else ""
            at = dt.datetime.fromtimestamp(call.ran_at, LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S")
            st.markdown(f"**{i}.** " + t("sqltrace_call", fn=f"`{call.fn}`", at=at, cached=cached))
            for statement in call.statements:
                st.code(
                    f"-- {t('sqltrace_issued_by')}: {statement.issued_by}\n{statement.sql}\n"
                    f"-- {t('sqltrace_params')}: {statement.parameters}",
                    language="sql",
                )
            if call.dropped:
                st.caption(t("sqltrace_dropped", n=call.dropped))
        if run.dropped_calls:
            st.caption(t("sqltrace_calls_dropped", n=run.dropped_calls))
