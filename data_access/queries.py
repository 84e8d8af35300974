"""Shared query plumbing: running a SELECT into a DataFrame, and the filter conditions."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Select, and_, true
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
    return pd.DataFrame(rows, columns=names)


def scalar(engine: Engine, query: Select):
    with engine.connect() as conn:
        return conn.execute(query).scalar()


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
