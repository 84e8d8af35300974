"""Table exports: CSV (UTF-8 with BOM, so Excel on Chinese Windows opens it right) and XLSX."""

from __future__ import annotations

import functools
import io
import re

import pandas as pd
import streamlit as st

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Zone-aware times become local wall times (Excel has no zones); text that a spreadsheet
    would run as a formula is quoted."""
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            out[col] = series.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
        elif series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            out[col] = series.map(_formula_safe)
    return out


# What a spreadsheet may take as the start of a formula or a DDE call (OWASP "CSV injection"):
# = + - @, TAB and CR (Excel skips them and reads on), | (DDE in older Excel and LibreOffice),
# and the full-width forms Chinese input methods type (＝ ＋ － ＠ ｜), which Excel and WPS also
# accept. Leading spaces do not hide them.
_FORMULA_START = frozenset("=+-@\t\r|\uff1d\uff0b\uff0d\uff20\uff5c")


def _formula_safe(value):
    if isinstance(value, str) and value.lstrip(" ")[:1] in _FORMULA_START:
        return "'" + value
    return value


def csv_bytes(df: pd.DataFrame) -> bytes:
    # CRLF rows (RFC 4180): the csv writer then quotes every field holding a CR or LF, so a bare
    # CR inside a value cannot start a new row.
    return _excel_safe(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One workbook, one sheet per entry (names cut to Excel's 31 characters)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, df in sheets.items():
            _excel_safe(df).to_excel(writer, sheet_name=_SHEET_BAD.sub("_", name)[:31] or "Sheet", index=False)
    return buffer.getvalue()


def audit_export(file_name: str, rows: int) -> None:
    """Record a download in the audit log (on_click of every download button)."""
    from data_access import audit

    from .data import writer_engine

    user = st.session_state.get("auth_user")
    if user is not None:
        detail = {"file": file_name, "rows": rows}
        if (f := st.session_state.get("filters")) is not None:
            detail.update(audit.filters_detail(f))
        audit.record(writer_engine(), user.username, "export", detail=detail)


def download_buttons(df: pd.DataFrame, basename: str, key: str, sheet: str = "data") -> None:
    """A CSV and an XLSX download button side by side (keys `<key>_csv`, `<key>_xlsx`); audited.

    The files are made when a button is clicked (Streamlit calls `data` then, on its own thread),
    not on every render: an 800-row XLSX takes ~0.4 s to write, and most views download nothing.
    The callables use no Streamlit command (they would be ignored there)."""
    left, right = st.columns(2)
    left.download_button(
        "CSV",
        functools.partial(csv_bytes, df),
        file_name=f"{basename}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        on_click=audit_export,
        args=(f"{basename}.csv", len(df)),
    )
    right.download_button(
        "XLSX",
        functools.partial(xlsx_bytes, {sheet: df}),
        file_name=f"{basename}.xlsx",
        key=f"{key}_xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        on_click=audit_export,
        args=(f"{basename}.xlsx", len(df)),
    )
