"""Table exports: CSV (UTF-8 with BOM, so Excel on Chinese Windows opens it right) and XLSX."""

from __future__ import annotations

import dataclasses
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


@dataclasses.dataclass(frozen=True)
class Column:
    """How an exported column is written and what it means (for the About sheet).

    kind: "percent" / "percent2" (a share 0–1, shown with 1 / 2 decimals as on screen),
    "percent100" (a share already ×100 on screen, e.g. 94.0 for 94.0%: exported as 0.94 in both
    files, so CSV and XLSX hold the same unit), "decimal1", "decimal2", "count", "signed"
    (rank changes: +3 / −2 / 0), "text"."""

    kind: str = "number"
    definition: str = ""


NUMBER_FORMATS = {
    "percent": "0.0%",
    "percent2": "0.00%",
    "percent100": "0.0%",
    "decimal1": "0.0",
    "decimal2": "0.00",
    "count": "#,##0",
    "signed": "+0;-0;0",
}
KIND_LABELS = {  # label keys of each kind's unit, as the About sheet states it
    "percent": "export_kind_percent",
    "percent2": "export_kind_percent",
    "percent100": "export_kind_percent",
    "decimal1": "export_kind_decimal",
    "decimal2": "export_kind_decimal",
    "count": "export_kind_count",
    "signed": "export_kind_signed",
    "text": "export_kind_text",
    "number": "export_kind_number",
    "time": "export_kind_time",
}


def with_units(df: pd.DataFrame, columns: dict[str, Column] | None) -> pd.DataFrame:
    """The values both files hold: shares shown ×100 on screen become fractions (0–1)."""
    if not columns:
        return df
    out = df.copy()
    for name, col in columns.items():
        if col.kind == "percent100" and name in out.columns:
            out[name] = pd.to_numeric(out[name], errors="coerce") / 100
    return out


def _display_width(value) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # CJK characters are two columns wide


def _shape_sheet(ws, df: pd.DataFrame, columns: dict[str, Column] | None) -> None:
    """Number formats as on screen, widths to fit, the header row frozen and filterable."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    columns = columns or {}
    ws.freeze_panes = "A2"
    if len(df.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(df.columns))}{max(len(df) + 1, 1)}"
    head_fill = PatternFill("solid", fgColor="EEF3FA")
    for j, name in enumerate(df.columns, start=1):
        letter = get_column_letter(j)
        head = ws.cell(row=1, column=j)
        head.font = Font(bold=True)
        head.fill = head_fill
        head.alignment = Alignment(wrap_text=True, vertical="top")
        kind = columns.get(name, Column()).kind
        fmt = NUMBER_FORMATS.get(kind)
        series = df[name]
        if fmt is None and pd.api.types.is_datetime64_any_dtype(series.dtype):
            fmt = "yyyy-mm-dd hh:mm"
        if fmt is not None:
            for (cell,) in ws.iter_rows(min_row=2, max_row=len(df) + 1, min_col=j, max_col=j):
                cell.number_format = fmt
        sample = series.head(200).map(lambda v: "" if v is None or (isinstance(v, float) and v != v) else v)
        if kind.startswith("percent"):
            sample = sample.map(lambda v: f"{v:.2%}" if isinstance(v, (int, float)) else v)
        widest = max([_display_width(v) for v in sample] + [min(_display_width(name), 24), 6])
        ws.column_dimensions[letter].width = min(widest + 2, 60)


def xlsx_bytes(
    sheets: dict[str, pd.DataFrame],
    columns: dict[str, Column] | None = None,
    about: list[tuple[str, str]] | None = None,
    about_columns: list[tuple[str, str, str]] | None = None,
    language: str | None = None,
) -> bytes:
    """One workbook, one sheet per entry (names cut to Excel's 31 characters), each with number
    formats from `columns`, fitted widths and a frozen header. With `about` (item, value rows)
    and `about_columns` (column, unit, definition rows) the first sheet is 说明 / About."""
    from .labels import t, use_lang

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        if about is not None:
            with use_lang(language or "zh"):
                about_name = t("export_about_sheet")
                header = [t("export_about_item"), t("export_about_value"), ""]
                col_header = [t("export_about_column"), t("export_about_unit"), t("export_about_definition")]
            rows = [header] + [[k, v, ""] for k, v in about] + [["", "", ""], col_header]
            rows += [list(r) for r in about_columns or []]
            pd.DataFrame(rows[1:], columns=rows[0]).pipe(_excel_safe).to_excel(
                writer, sheet_name=about_name, index=False
            )
            ws = writer.sheets[about_name]
            from openpyxl.styles import Alignment, Font

            for cell in ws[1]:
                cell.font = Font(bold=True)
            for cell in ws[len(about) + 3]:
                cell.font = Font(bold=True)
            ws.column_dimensions["A"].width = 26
            ws.column_dimensions["B"].width = 40
            ws.column_dimensions["C"].width = 90
            for row in ws.iter_rows(min_row=2):
                for cell in row:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        for name, df in sheets.items():
            sheet_name = _SHEET_BAD.sub("_", name)[:31] or "Sheet"
            safe = _excel_safe(with_units(df, columns))
            safe.to_excel(writer, sheet_name=sheet_name, index=False)
            _shape_sheet(writer.sheets[sheet_name], safe, columns)
    return buffer.getvalue()


def csv_export(df: pd.DataFrame, columns: dict[str, Column] | None = None) -> bytes:
    """The CSV of a table, in the same units as its XLSX (shares as fractions)."""
    return csv_bytes(with_units(df, columns))


def about_rows(basename: str, extra: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """The About sheet's head: what the table is, its period, scope, as-of, who exported it and
    when, and the page's own rows (`extra`: month, ruleset …). Read at render time, in the
    session's language (the file is written later, on its own thread)."""
    from data_access import units
    from data_access.filters import now_utc

    from . import format as fmt
    from .data import query
    from .labels import local_name, t

    f = st.session_state.get("filters")
    user = st.session_state.get("auth_user")
    rows = [(t("export_about_table"), basename)]
    if f is not None:
        rows.append((t("export_about_period"), f"{f.date_from} – {f.date_to}"))
    rows += list(extra or [])
    if f is not None:
        scope = t("export_about_county")
        if f.town_id is not None:
            towns = query(units.towns, f.scope)
            names = dict(zip(towns["id"].astype(int), towns["name"]))
            scope = names.get(f.town_id, str(f.town_id))
            if f.village_id is not None:
                villages = query(units.villages, int(f.town_id), f.scope)
                scope += " · " + dict(zip(villages["id"].astype(int), villages["name"])).get(
                    f.village_id, str(f.village_id)
                )
        if f.category_code is not None:
            cats = query(units.categories)
            match = cats[cats["code"] == f.category_code]
            scope += " · " + (local_name(match.iloc[0]) if len(match) else f.category_code)
        rows.append((t("export_about_scope"), scope))
        rows.append((t("export_about_as_of"), fmt.local_time(f.as_of)))
    rows.append((t("export_about_user"), getattr(user, "username", "") or "—"))
    rows.append((t("export_about_made"), fmt.local_time(now_utc())))
    rows.append((t("export_about_units"), t("export_about_units_text")))
    return rows


def column_rows(df: pd.DataFrame, columns: dict[str, Column] | None) -> list[tuple[str, str, str]]:
    """(column, unit, definition) for every column of `df`, in the session's language."""
    from .labels import t

    columns = columns or {}
    out = []
    for name in df.columns:
        col = columns.get(name)
        kind = col.kind if col is not None else None
        if kind is None:
            series = df[name]
            if pd.api.types.is_datetime64_any_dtype(series.dtype):
                kind = "time"
            elif pd.api.types.is_integer_dtype(series.dtype):
                kind = "count"
            elif pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
                kind = "number"
            else:
                kind = "text"
        definition = col.definition if col is not None and col.definition else t("export_no_definition")
        out.append((str(name), t(KIND_LABELS.get(kind, "export_kind_number")), definition))
    return out


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


def download_buttons(
    df: pd.DataFrame,
    basename: str,
    key: str,
    sheet: str = "data",
    columns: dict[str, Column] | None = None,
    about: list[tuple[str, str]] | None = None,
) -> None:
    """A CSV and an XLSX download button side by side (keys `<key>_csv`, `<key>_xlsx`); audited.

    `columns` gives each column's unit and definition (`Column`): the XLSX gets the screen's
    number formats and a first sheet 说明 / About naming the period, scope, as-of, the user, the
    page's own `about` rows and every column's definition; both files hold the same units.

    The files are made when a button is clicked (Streamlit calls `data` then, on its own thread),
    not on every render: an 800-row XLSX takes ~0.4 s to write, and most views download nothing.
    The callables use no Streamlit command (they would be ignored there)."""
    from .labels import lang

    head = about_rows(basename, about)
    described = column_rows(df, columns)
    left, right = st.columns(2)
    left.download_button(
        "CSV",
        functools.partial(csv_export, df, columns),
        file_name=f"{basename}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        on_click=audit_export,
        args=(f"{basename}.csv", len(df)),
    )
    right.download_button(
        "XLSX",
        functools.partial(xlsx_bytes, {sheet: df}, columns, head, described, lang()),
        file_name=f"{basename}.xlsx",
        key=f"{key}_xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        on_click=audit_export,
        args=(f"{basename}.xlsx", len(df)),
    )
