"""Reading tabular exports: CSV in UTF-8 / UTF-8 with BOM / GBK (GB18030), and XLSX.

Chinese platforms still export GBK by default; Excel writes UTF-8 with a BOM. Guessing from byte
statistics is unreliable on short files, so the order is strict decoding: a BOM says UTF-8-SIG;
text that decodes as UTF-8 is UTF-8 (GBK text of any length almost never does); anything else
must decode as GB18030, the superset of GBK and GB2312. Bytes that decode as none of them are
refused with the offset of the first bad byte.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

BOM = b"\xef\xbb\xbf"


class ReadError(ValueError):
    """The file cannot be read at all; the message says why."""


def detect_encoding(raw: bytes) -> str:
    """'utf-8-sig', 'utf-8' or 'gb18030' (which reads GBK and GB2312 too)."""
    if raw.startswith(BOM):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        raw.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise ReadError(f"the file is neither UTF-8 nor GBK/GB18030 text (bad byte at offset {exc.start})") from exc


def _raw(source) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source), ""
    if hasattr(source, "getvalue"):  # Streamlit's UploadedFile, BytesIO
        return source.getvalue(), getattr(source, "name", "")
    path = Path(source)
    return path.read_bytes(), path.name


def read_table(source, name: str | None = None) -> tuple[pd.DataFrame, str]:
    """(every cell as text with '' for empty, encoding or 'xlsx'). `name` decides the format."""
    raw, found_name = _raw(source)
    name = (name or found_name).lower()
    if name.endswith((".xlsx", ".xlsm")):
        df = _read_workbook(raw)
        encoding = "xlsx"
    else:
        encoding = detect_encoding(raw)
        text = raw.decode(encoding)
        if "\x00" in text:
            line = text.count("\n", 0, text.index("\x00")) + 1
            raise ReadError(f"line {line} contains a NUL byte (\\0): not a text export; nothing is read from it")
        delimiter = sniff_delimiter(text)
        try:
            df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=delimiter)
        except pd.errors.ParserError as exc:
            raise ReadError(f"not a readable CSV file with delimiter {_SHOWN[delimiter]}: {exc}") from exc
        except pd.errors.EmptyDataError as exc:
            raise ReadError("the file is empty") from exc
    df.columns = [str(c).strip() for c in df.columns]
    df = df.map(lambda v: v.strip() if isinstance(v, str) else ("" if v is None else str(v)))
    if df.empty:
        raise ReadError(f"the file has a header ({', '.join(df.columns[:8])}) but no data rows")
    nul = df.apply(lambda col: col.str.contains("\x00", regex=False)).to_numpy().nonzero()
    if len(nul[0]):
        raise ReadError(f"row {int(nul[0][0]) + 2} contains a NUL byte (\\0); nothing is read from the file")
    return df, encoding


DELIMITERS = (",", ";", "\t", "|")
_SHOWN = {",": "',' (comma)", ";": "';' (semicolon)", "\t": "tab", "|": "'|' (vertical bar)"}


def sniff_delimiter(text: str) -> str:
    """The delimiter the header line uses most (comma on a tie or when none appears)."""
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _read_workbook(raw: bytes) -> pd.DataFrame:
    """The workbook's one sheet with data; several such sheets are refused by name (rather than
    silently reading only the first)."""
    try:
        sheets = pd.read_excel(io.BytesIO(raw), dtype=str, keep_default_na=False, engine="openpyxl", sheet_name=None)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise ReadError(f"not a readable Excel workbook: {exc}") from exc
    filled = {name: df for name, df in sheets.items() if len(df.columns) or len(df)}
    if len(filled) > 1:
        raise ReadError(
            f"the workbook has {len(filled)} sheets with data ({', '.join(filled)}); only one can be imported: "
            "save each sheet as its own file (or as CSV) and import them one by one"
        )
    if not filled:
        raise ReadError("the workbook is empty")
    return next(iter(filled.values()))
