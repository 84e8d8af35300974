"""The hierarchy and reference lists: towns, villages, categories, boundaries."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from .filters import FilterError, Filters, Scope
from .queries import frame, scalar
from .schema import admin_units, event_categories, events


def towns(engine: Engine, scope: Scope | None = None) -> pd.DataFrame:
    """Columns: id, code, name, kind (town | street). A town scope lists its own town only."""
    q = (
        select(admin_units.c.id, admin_units.c.code, admin_units.c.name, admin_units.c.kind)
        .where(admin_units.c.level == "town")
        .order_by(admin_units.c.code)
    )
    if scope is not None and scope.town_id is not None:
        q = q.where(admin_units.c.id == scope.town_id)
    return frame(engine, q)


def villages(engine: Engine, town_id: int, scope: Scope | None = None) -> pd.DataFrame:
    """Columns: id, code, name, kind (village | community) — the villages of one town."""
    q = (
        select(admin_units.c.id, admin_units.c.code, admin_units.c.name, admin_units.c.kind)
        .where(admin_units.c.level == "village", admin_units.c.parent_id == town_id)
        .order_by(admin_units.c.code)
    )
    if scope is not None and scope.town_id is not None:
        q = q.where(admin_units.c.parent_id == scope.town_id)
    return frame(engine, q)


def categories(engine: Engine) -> pd.DataFrame:
    """Columns: code, name, name_en."""
    q = select(event_categories.c.code, event_categories.c.name, event_categories.c.name_en).order_by(
        event_categories.c.sort_order
    )
    return frame(engine, q)


def latest_report_date(engine: Engine) -> dt.date | None:
    value = scalar(engine, select(func.max(events.c.report_date)))
    if isinstance(value, str):  # SQLite hands back MAX() of a date column as text
        value = dt.date.fromisoformat(value)
    return value


def validate_filters(engine: Engine, f: Filters) -> None:
    """Raise FilterError when an id or code in `f` names nothing in the store (e.g. from a URL)."""
    if f.town_id is not None:
        found = scalar(
            engine, select(admin_units.c.id).where(admin_units.c.id == f.town_id, admin_units.c.level == "town")
        )
        if found is None:
            raise FilterError(f"There is no town with id {f.town_id}.", "no_unit", level="town", id=f.town_id)
    if f.village_id is not None:
        found = scalar(
            engine,
            select(admin_units.c.id).where(
                admin_units.c.id == f.village_id, admin_units.c.level == "village", admin_units.c.parent_id == f.town_id
            ),
        )
        if found is None:
            raise FilterError(
                f"Town {f.town_id} has no village with id {f.village_id}.", "no_unit", level="village", id=f.village_id
            )
    if f.category_code is not None:
        found = scalar(engine, select(event_categories.c.code).where(event_categories.c.code == f.category_code))
        if found is None:
            raise FilterError(
                f"There is no event category {f.category_code!r}.", "unknown_category", code=f.category_code
            )
