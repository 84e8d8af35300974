"""Shared query plumbing: running a SELECT into a DataFrame, and the filter conditions."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Select, and_, case, func, literal, true
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from .filters import Filters
from .schema import events


def frame(engine: Engine, query: Select, columns: list[str] | None = None) -> pd.DataFrame:
    """Run `query` (always with bound parameters) and return its rows as a DataFrame."""
    with engine.connect() as conn:
        result = conn.execute(query)
        rows = result.all()
        names = columns or list(result.keys())
    if not rows:
        return pd.DataFrame(rows, columns=names)
    # Column by column: pandas builds each column from one tuple instead of walking ~80k Row
    # objects into a 2-D object array first (half the time of a big fetch).
    return pd.DataFrame(dict(zip(range(len(names)), zip(*rows)))).set_axis(names, axis=1)


def float_columns(engine: Engine, query: Select, labels: list[str], numbers: list[str]) -> dict:
    """Run `query` (columns: `labels`, then `numbers`) and return {name: array}; the numbers as
    float64 arrays (NULL → NaN). For a large numeric fetch (tens of thousands of rows): the
    driver's tuples go straight into numpy, without a Row object per row."""
    with engine.connect() as conn:
        rows = conn.execute(query).cursor.fetchall()
    k = len(labels)
    # One 2-D conversion in C (None → NaN), not a Python pass per column.
    values = np.array([r[k:] for r in rows] if k else rows, dtype=float).reshape(len(rows), len(numbers))
    out = {name: np.array([r[i] for r in rows], dtype=object) for i, name in enumerate(labels)}
    out.update({name: values[:, i] for i, name in enumerate(numbers)})
    return out


def scalar(engine: Engine, query: Select):
    with engine.connect() as conn:
        return conn.execute(query).scalar()


HIDDEN = "—"  # what a role that may not see a person's name or phone gets instead


def masked_phone(col) -> ColumnElement:
    """138****1234 in SQL, so whole phone numbers never leave the store."""
    return case(
        (func.length(col) >= 8, func.substr(col, 1, 3) + literal("****") + func.substr(col, func.length(col) - 3, 4)),
        else_=literal("****"),
    )


def person_name(f: Filters | None, column, label: str = "name"):
    """A person's name, or "—" for a scope that may not see names (planner). Done in SQL, so no
    page or export downstream can show what never left the store."""
    if f is None or f.scope is None or f.scope.names_visible:
        return column.label(label)
    return literal(HIDDEN).label(label)


def person_phone(f: Filters | None, column, label: str = "phone"):
    """Whole for admin, "—" where names are hidden too, masked (138****1234) for everyone else."""
    scope = None if f is None else f.scope
    if scope is not None and scope.phones_visible:
        return column.label(label)
    if scope is not None and not scope.names_visible:
        return literal(HIDDEN).label(label)
    return masked_phone(column).label(label)


def unit_conditions(f: Filters, table=events) -> ColumnElement:
    """Town, village and category filters on a table that carries those columns."""
    conditions = []
    if f.town_id is not None:
        conditions.append(table.c.town_id == f.town_id)
    if f.village_id is not None:
        conditions.append(table.c.village_id == f.village_id)
    if f.category_code is not None and "category_code" in table.c:
        conditions.append(table.c.category_code == f.category_code)
    return and_(true(), *conditions)
