"""What the workforce page's tabs share: page size, colours, tables, KPI tiles, reference notes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import metrics
from data_access import workforce as wf
from ui.labels import lang, metric_definition, metric_name, t

PAGE_SIZE = 20
TYPE_COLOURS = {"full_time": "#1f77b4", "part_time": "#ff7f0e", "departmental": "#2ca02c"}
CHART_MARGIN = dict(l=10, r=10, t=30, b=10)


def ref_source() -> str:
    """Where the reference figures come from, in the current language."""
    return wf.REFERENCE_SOURCE[1 if lang() == "en" else 0]


def reference(value: str) -> str:
    return t("workforce_reference_value", value=value) + " (" + ref_source() + ")"


def kpi(column, key: str, value: str, extra: str = "") -> None:
    metric = metrics.METRICS[key]
    column.metric(
        metric_name(metric), value, help=metric_definition(metric) + (" " + extra if extra else ""), border=True
    )


def labelled(df: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The columns to show, renamed to the current language (ids and internal keys dropped)."""
    return df[list(names)].rename(columns={col: t(key) for col, key in names.items()})


def rounded(df: pd.DataFrame, percent: tuple[str, ...] = ()) -> pd.DataFrame:
    """Floats to 2 decimals for display, shares (shown as percentages) to 3 so they keep one."""
    return df.round({c: (3 if c in percent else 2) for c in df.columns if pd.api.types.is_float_dtype(df[c])})


def nice_step(peak: int) -> int:
    """A round tick step (1, 2 or 5 × 10^k) giving at most five ticks on each side of zero."""
    step = 1
    while True:
        for base in (1, 2, 5):
            if peak <= 5 * base * step:
                return base * step
        step *= 10


def show_table(df: pd.DataFrame, key: str, percent: tuple[str, ...] = ()) -> None:
    """A table with its share columns drawn as percentages."""
    st.dataframe(
        rounded(df, percent),
        hide_index=True,
        key=key,
        column_config={col: st.column_config.NumberColumn(format="percent") for col in percent},
    )


def coded(series: pd.Series, prefix: str) -> pd.Series:
    return series.map(lambda code: t(f"{prefix}{code}"))
