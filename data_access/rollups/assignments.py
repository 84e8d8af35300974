"""Rollup: (to be defined)."""
from __future__ import annotations

from sqlalchemy.engine import Connection

TABLES: tuple = ()


def refresh(conn: Connection, changed) -> None:
    """Make this module's rows right for the events `changed` selects."""
