"""SQL that SQLite and PostgreSQL spell differently, behind one Python name.

- `seconds_between(start, end)`: elapsed seconds between two timestamps, as a float.
- `percentiles(...)`: exact percentiles per group with pandas' default (linear) interpolation,
  computed in SQL with window functions, so durations are never pulled into Python to rank them.
- `count_if(condition)`: how many rows of the group meet `condition` (0, not NULL, for none).
"""

from __future__ import annotations

from fractions import Fraction

from sqlalchemy import ARRAY, Date, Float, Integer, case, cast, func, literal, select, type_coerce
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement, Grouping
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.sql.selectable import Subquery


def count_if(condition) -> ColumnElement:
    """Rows of the group where `condition` holds; 0 (not NULL) when none or no rows."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


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
            # Counted over the ranking's own window: the database sorts the rows once, not twice.
            func.count().over(partition_by=groups, order_by=value, rows=(None, None)).label("n"),
        )
        .where(value.is_not(None))
        .subquery("ranked")
    )
    grouped = [ranked.c[g] for g in group_cols]
    return select(*grouped, func.max(ranked.c.n).label("n"), *_picks(ranked.c.v, ranked.c.rn, ranked.c.n, qs)).group_by(
        *grouped
    )


def _picks(v, rn, n, qs: dict[str, float], present=None) -> list:
    """Aggregate columns picking each q-quantile of `v` from its rank `rn` among `n` values:
    position (n-1)·q with q = a/b, floor by integer division (SQLite and PostgreSQL truncate the
    same way for non-negative integers), linear interpolation to the next rank as pandas does.
    `present`: a condition rows must meet to count (NULL values ranked apart)."""

    def counted(condition):
        return condition if present is None else present & condition

    columns = []
    for label, q in qs.items():
        frac = Fraction(q).limit_denominator(1000)
        a, b = frac.numerator, frac.denominator
        scaled = (n - 1) * literal(a, Integer)
        lo_rank = scaled // literal(b, Integer) + 1  # integer division: the floor, for n >= 1
        weight = cast(scaled % literal(b, Integer), Float) / float(b)
        v_lo = func.max(case((counted(rn == lo_rank), v)))
        v_hi = func.max(case((counted(rn == lo_rank + 1), v)))
        weight = weight if present is None else case((present, weight))
        columns.append((v_lo + (func.coalesce(v_hi, v_lo) - v_lo) * func.max(weight)).label(label))
    return columns


def percentile_ranks(source: Subquery, value_cols: list[str], group_cols: list[str]) -> Subquery:
    """`source` with, per value column v, its rank `v_rn` among the group's non-NULL values and
    their count `v_n`: one pass ranks several measures, and the same rows can be counted too.
    Pick the percentiles with `percentile_picks` in a SELECT grouped by `group_cols`."""
    groups = [source.c[g] for g in group_cols]
    ranks = []
    for name in value_cols:
        v = source.c[name]
        # One window per value (NULLs apart): the count shares the ranking's sort. On a NULL
        # row `v_n` counts the NULLs, and `percentile_picks` skips those rows.
        within = [*groups, v.is_(None)]
        ranks.append(func.row_number().over(partition_by=within, order_by=v).label(f"{name}_rn"))
        ranks.append(func.count().over(partition_by=within, order_by=v, rows=(None, None)).label(f"{name}_n"))
    return select(*source.c, *ranks).subquery("ranked")


def percentile_picks(ranked: Subquery, value_col: str, qs: dict[str, float]) -> list:
    """Aggregate columns (labels from `qs`) picking the exact percentiles of `value_col` from a
    `percentile_ranks` subquery, pandas' linear interpolation as in `percentiles`."""
    v, rn, n = ranked.c[value_col], ranked.c[f"{value_col}_rn"], ranked.c[f"{value_col}_n"]
    return _picks(v, rn, n, qs, present=v.is_not(None))


def percentile_columns(dialect: str, source: Subquery, wanted: dict[str, dict[str, float]], group_cols: list[str]):
    """(from, columns): the exact percentiles of several value columns, for a SELECT from `from`
    grouped by `group_cols`; `wanted` is {value column: {label: q}}. Columns of `source` keep
    their names in `from`, so counts can go in the same SELECT.

    PostgreSQL: the ordered-set aggregate percentile_cont (the same linear interpolation as
    pandas), which sorts each group's values once instead of ranking every row in a window —
    several times faster at hundreds of thousands of rows. SQLite: `percentile_ranks`."""
    if dialect == "postgresql":
        return source, quantile_columns(dialect, {source.c[col]: qs for col, qs in wanted.items()})
    ranked = percentile_ranks(source, list(wanted), group_cols)
    return ranked, [c for col, qs in wanted.items() for c in percentile_picks(ranked, col, qs)]


def percentiles_for(dialect_name: str, source, value_col: str, group_cols: list[str], qs: dict[str, float]):
    """`percentiles`, spelled `percentile_cont` WITHIN GROUP on PostgreSQL (`quantile_columns`):
    the same linear interpolation, an ordered-set aggregate instead of a window pass (several
    times faster on millions of rows)."""
    if dialect_name != "postgresql":
        return percentiles(source, value_col, group_cols, qs)
    value = source.c[value_col]
    groups = [source.c[g] for g in group_cols]
    return (
        select(*groups, func.count(value).label("n"), *quantile_columns(dialect_name, {value: qs}))
        .where(value.is_not(None))
        .group_by(*groups)
    )


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
        if (
            getattr(element, "table", None) is table
            and element.__visit_name__ == "column"
            and element.name not in keep_names
        ):
            return no_index(element)
        return None

    return visitors.replacement_traverse(clause, {}, swap)


class _SqliteQuantile:
    """SQLite aggregate `grid_quantile(value, q)`: the exact q-quantile of the group's non-NULL
    values, with the arithmetic of `percentile_picks` (pandas' linear interpolation), so both
    give the same float. SQLite has no percentile aggregate (before 3.47's extension); this one
    runs inside the query, one call per row, instead of ranking every row in a window."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.q = None

    def step(self, value, q) -> None:
        self.q = q
        if value is not None:
            self.values.append(value)

    def finalize(self):
        if not self.values:
            return None
        values = sorted(self.values)
        frac = Fraction(self.q).limit_denominator(1000)
        a, b = frac.numerator, frac.denominator
        scaled = (len(values) - 1) * a
        lo = scaled // b
        weight = float(scaled % b) / float(b)
        v_lo = values[lo]
        v_hi = values[lo + 1] if lo + 1 < len(values) else v_lo
        return v_lo + (v_hi - v_lo) * weight


def register_sqlite_quantile(conn) -> None:
    """Make `grid_quantile` known to a SQLite Connection (SQLAlchemy); a no-op elsewhere.
    Cheap: call it on the connection before a statement that uses `quantile_columns`."""
    if conn.dialect.name == "sqlite":
        add_sqlite_quantile(conn.connection.driver_connection)


def add_sqlite_quantile(dbapi_connection) -> None:
    """`grid_quantile` on a bare sqlite3 connection (e.g. one that EXPLAINs captured statements)."""
    dbapi_connection.create_aggregate("grid_quantile", 2, _SqliteQuantile)


def quantile_columns(dialect: str, wanted: dict) -> list:
    """Aggregate columns of exact percentiles for any grouped SELECT: `wanted` is {value column
    (a ColumnElement): {label: q}}. PostgreSQL: percentile_cont with an array of fractions (one
    sort per value); SQLite: `grid_quantile` (run `register_sqlite_quantile` on the connection).
    NULL values are left out, as pandas leaves out NaN; NULL when a group has none."""
    columns = []
    for value, qs in wanted.items():
        if dialect == "postgresql":
            fractions = postgresql.array([literal(float(q), Float) for q in qs.values()])
            agg = type_coerce(Grouping(func.percentile_cont(fractions).within_group(value)), ARRAY(Float))
            columns += [agg[i + 1].label(label) for i, label in enumerate(qs)]
        else:
            columns += [
                type_coerce(func.grid_quantile(value, literal(float(q), Float)), Float).label(label)
                for label, q in qs.items()
            ]
    return columns
