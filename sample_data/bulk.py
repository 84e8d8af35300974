"""Fast inserts for the generator: executemany on SQLite, COPY on PostgreSQL.

Data comes column-wise: {column name: numpy array or list}. Timestamps (`UtcDateTime`) are
numpy datetime64[us] arrays holding UTC; dates are datetime64[D]; NaT and None mean NULL.
Values are written in exactly the form SQLAlchemy itself would store them, so reading back
through the schema gives the same, zone-aware values:
- SQLite: 'YYYY-MM-DD HH:MM:SS.ffffff' (naive UTC, SQLAlchemy's DATETIME storage format),
  dates 'YYYY-MM-DD', booleans 0/1;
- PostgreSQL: COPY text with timestamps 'YYYY-MM-DD HH:MM:SS.ffffff+00', booleans t/f.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import Boolean, Date, Table
from sqlalchemy.engine import Connection

from data_access.schema import UtcDateTime

COPY_CHUNK_ROWS = 100_000
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _timestamps(values, suffix: str) -> list:
    arr = np.asarray(values, dtype="datetime64[us]")
    text = np.datetime_as_string(arr, unit="us")  # 'YYYY-MM-DDTHH:MM:SS.ffffff'
    # Swap the 'T' for a space in place: the fixed-width strings viewed as code points.
    text.view(np.uint32).reshape(len(text), -1)[:, 10] = ord(" ")
    out = text.tolist()
    if suffix:
        out = [s + suffix for s in out]
    for i in np.flatnonzero(np.isnat(arr)).tolist():
        out[i] = None
    return out


def _dates(values) -> list:
    arr = np.asarray(values, dtype="datetime64[D]")
    text = np.datetime_as_string(arr, unit="D").tolist()
    return [None if n else s for s, n in zip(text, np.isnat(arr).tolist())]


def _plain(values) -> list:
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


class BulkWriter:
    """Writes column-wise batches into the tables of one open SQLAlchemy connection."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.quote = conn.dialect.identifier_preparer.quote

    def _column_values(self, table: Table, name: str, values) -> list:
        ctype = table.c[name].type
        if isinstance(ctype, UtcDateTime):
            return _timestamps(values, "+00" if self.postgres else "")
        if isinstance(ctype, Date):
            return _dates(values)
        if isinstance(ctype, Boolean):
            flags = _plain(values)
            if self.postgres:
                return [None if f is None else ("t" if f else "f") for f in flags]
            return [None if f is None else int(bool(f)) for f in flags]
        return _plain(values)

    def insert(self, table: Table, data: dict[str, Sequence]) -> int:
        names = list(data)
        cols = [self._column_values(table, n, data[n]) for n in names]
        n_rows = len(cols[0]) if cols else 0
        if n_rows == 0:
            return 0
        if any(len(c) != n_rows for c in cols):
            raise ValueError(f"{table.name}: columns of different lengths")
        column_list = ", ".join(self.quote(n) for n in names)
        if self.postgres:
            self._copy(table, column_list, cols, n_rows)
        else:
            sql = f"INSERT INTO {self.quote(table.name)} ({column_list}) VALUES ({', '.join('?' * len(names))})"
            self.conn.exec_driver_sql(sql, list(zip(*cols)))
        return n_rows

    def _copy(self, table: Table, column_list: str, cols: list[list], n_rows: int) -> None:
        texts = [_copy_text(values) for values in cols]
        dbapi = self.conn.connection.dbapi_connection
        with dbapi.cursor() as cur, cur.copy(f"COPY {self.quote(table.name)} ({column_list}) FROM STDIN") as copy:
            for start in range(0, n_rows, COPY_CHUNK_ROWS):
                rows = zip(*(t[start : start + COPY_CHUNK_ROWS] for t in texts))
                copy.write("".join("\t".join(r) + "\n" for r in rows))


def _copy_text(values: list) -> list[str]:
    """One column as COPY text fields; a column holds one Python type besides None."""
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, str):
        fmt = lambda v: v.translate(_COPY_ESCAPES)  # noqa: E731
    elif isinstance(sample, float):
        fmt = repr  # shortest text that reads back as the same double
    else:
        fmt = str
    return ["\\N" if v is None else fmt(v) for v in values]
