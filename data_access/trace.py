"""Recording the SQL behind a number: the statements one data_access call sends to the store.

`install(engine)` adds a `before_cursor_execute` listener to an engine. While a `recording()`
block is open in the current thread (or asyncio task: the recorder is a context variable, so two
Streamlit sessions running at once never see each other's statements), each statement is kept
with its bound parameters and the data_access function that issued it — the innermost
`data_access.*` frame on the stack that is not a helper (`queries.frame`, the SQL functions), so
a number reached through `kpi_summary` → `backlog_numbers` → `_backlog_from_days` names the
function that wrote the SELECT. Outside a recording block the listener returns at once.

Bounded: at most `MAX_STATEMENTS` statements per recording, each cut at `MAX_SQL_CHARS`
characters, parameters at `MAX_PARAM_CHARS`. No Streamlit here: `ui/sqltrace.py` decides who
records and shows the result.
"""

from __future__ import annotations

import contextlib
import contextvars
import inspect
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.engine import Engine

MAX_STATEMENTS = 40
MAX_SQL_CHARS = 6000
MAX_PARAM_CHARS = 800
# Modules whose functions run statements for others: the issuer is their caller.
_HELPER_MODULES = frozenset({__name__, "data_access.queries", "data_access.sqlfuncs"})

_ANONYMOUS = tuple(f".<locals>.<{n}>" for n in ("listcomp", "dictcomp", "setcomp", "genexpr", "lambda"))


@dataclass(frozen=True)
class Statement:
    issued_by: str  # e.g. "data_access.overview._backlog_from_days"
    sql: str
    parameters: str


@dataclass
class Recording:
    statements: list[Statement] = field(default_factory=list)
    dropped: int = 0  # statements past MAX_STATEMENTS, counted but not kept


_CURRENT: contextvars.ContextVar[Recording | None] = contextvars.ContextVar("gridsight_sql_trace", default=None)


@contextlib.contextmanager
def recording():
    """Record the statements executed inside the block (on installed engines); yields the Recording."""
    found = Recording()
    token = _CURRENT.set(found)
    try:
        yield found
    finally:
        _CURRENT.reset(token)


def install(engine: Engine) -> Engine:
    """Listen on `engine` (once); returns it."""
    if not event.contains(engine, "before_cursor_execute", _before_cursor_execute):
        event.listen(engine, "before_cursor_execute", _before_cursor_execute)
    return engine


def _before_cursor_execute(conn, cursor, statement, parameters, context, executemany) -> None:
    found = _CURRENT.get()
    if found is None:
        return
    if len(found.statements) >= MAX_STATEMENTS:
        found.dropped += 1
        return
    sql = statement if len(statement) <= MAX_SQL_CHARS else statement[:MAX_SQL_CHARS] + " …"
    found.statements.append(Statement(issuer(inspect.currentframe()), sql, _short(parameters)))


def issuer(frame) -> str:
    """The innermost data_access function (module.qualname) on the stack from `frame` up."""
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith("data_access.") and module not in _HELPER_MODULES:
            name = frame.f_code.co_qualname
            for anonymous in _ANONYMOUS:  # a comprehension's frame names its function
                name = name.removesuffix(anonymous)
            return f"{module}.{name}"
        frame = frame.f_back
    return "?"


def _short(parameters) -> str:
    text = repr(parameters)
    return text if len(text) <= MAX_PARAM_CHARS else text[:MAX_PARAM_CHARS] + " …"
