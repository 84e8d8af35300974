"""SQL that SQLite and PostgreSQL spell differently, behind one Python name.

- `seconds_between(start, end)`: elapsed seconds between two timestamps, as a float.
- `percentiles(...)`: exact percentiles per group with pandas' default (linear) interpolation,
  computed in SQL with window functions, so durations are never pulled into Python to rank them.
"""
from __future__ import annotations

from fractions import Fraction

from sqlalchemy import Float, Integer, case, cast, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.sql.selectable import Subquery


class seconds_between(FunctionElement):  # noqa: N801 - reads like the SQL function it is
    """Seconds from `start` to `end` (negative when end is earlier)."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_pg(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"


def percentiles(source: Subquery, value_col: str, group_cols: list[str], qs: dict[str, float]):
    """A SELECT of `group_cols`, `n`, and one column per entry of `qs` ({label: q in [0, 1]}).

    Matches `pandas.Series.quantile(q)` (linear interpolation between the two nearest ranks):
    the 0-based position is (n-1)·q; with q = a/b the floor is the integer division (n-1)·a / b,
    which SQLite and PostgreSQL both truncate the same way for non-negative integers.
    NULL values are left out, as pandas leaves out NaN.
    """
    value = source.c[value_col]
    groups = [source.c[g] for g in group_cols]
    ranked = (
        select(
            *groups,
            value.label("v"),
            func.row_number().over(partition_by=groups, order_by=value).label("rn"),
            func.count().over(partition_by=groups).label("n"),
        )
        .where(value.is_not(None))
        .subquery("ranked")
    )
    columns = []
    for label, q in qs.items():
        frac = Fraction(q).limit_denominator(1000)
        a, b = frac.numerator, frac.denominator
        scaled = (ranked.c.n - 1) * literal(a, Integer)
        lo_rank = scaled // literal(b, Integer) + 1  # integer division: the floor, for n >= 1
        weight = cast(scaled % literal(b, Integer), Float) / float(b)
        v_lo = func.max(case((ranked.c.rn == lo_rank, ranked.c.v)))
        v_hi = func.max(case((ranked.c.rn == lo_rank + 1, ranked.c.v)))
        columns.append((v_lo + (func.coalesce(v_hi, v_lo) - v_lo) * func.max(weight)).label(label))
    grouped = [ranked.c[g] for g in group_cols]
    return (
        select(*grouped, func.max(ranked.c.n).label("n"), *columns)
        .group_by(*grouped)
    )



from sqlalchemy import Date  # noqa: E402 - for local_day below


class local_day(FunctionElement):  # noqa: N801 - reads like the SQL function it is
    """The local (Asia/Shanghai, UTC+8 without daylight saving) calendar day of a stored UTC
    timestamp, as a DATE; equals `filters.local_date` in Python."""

    type = Date()
    inherit_cache = True
    name = "local_day"


@compiles(local_day, "sqlite")
def _local_day_sqlite(element, compiler, **kw):
    (moment,) = list(element.clauses)
    return f"date({compiler.process(moment, **kw)}, '+8 hours')"


@compiles(local_day, "postgresql")
def _local_day_pg(element, compiler, **kw):
    (moment,) = list(element.clauses)
    return f"CAST(({compiler.process(moment, **kw)} AT TIME ZONE 'Asia/Shanghai') AS DATE)"


class no_index(FunctionElement):  # noqa: N801 - reads like the SQL it makes
    """`column`, in a form SQLite's planner will not answer with an index (`+column`, its
    documented way); plain elsewhere. Lets a query pin the one index that reads least."""

    inherit_cache = True
    name = "no_index"

    def __init__(self, column):
        super().__init__(column)
        self.type = column.type


@compiles(no_index)
def _no_index_default(element, compiler, **kw):
    (col,) = list(element.clauses)
    return compiler.process(col, **kw)


@compiles(no_index, "sqlite")
def _no_index_sqlite(element, compiler, **kw):
    (col,) = list(element.clauses)
    return f"+{compiler.process(col, **kw)}"


def only_indexes(clause, table, keep: tuple = ()):
    """`clause` with every column of `table` except `keep` wrapped in `no_index`."""
    from sqlalchemy.sql import visitors

    keep_names = {c.name for c in keep}

    def swap(element):
        if getattr(element, "table", None) is table and element.__visit_name__ == "column" \
                and element.name not in keep_names:
            return no_index(element)
        return None

    return visitors.replacement_traverse(clause, {}, swap)
