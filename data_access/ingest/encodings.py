"""Reading tabular exports: CSV in UTF-8 / UTF-8 with BOM / GBK (GB18030), and XLSX — in chunks.

Chinese platforms still export GBK by default; Excel writes UTF-8 with a BOM. Guessing from byte
statistics is unreliable on short files, so the order is strict decoding: a BOM says UTF-8-SIG;
text that decodes as UTF-8 is UTF-8 (GBK text of any length almost never does); anything else
must decode as GB18030, the superset of GBK and GB2312. Bytes that decode as none of them are
refused with the offset of the first bad byte.

A hotline exports millions of rows a year, so nothing here holds a whole file as a table:
`open_table` checks the encoding (and NUL bytes) in one pass over the bytes, 1 MiB at a time,
then yields the rows `CHUNK_ROWS` at a time (pandas `chunksize`; openpyxl `read_only` for XLSX).
Memory grows with the chunk, not with the file.
"""

from __future__ import annotations

import codecs
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .messages import Message

BOM = b"\xef\xbb\xbf"
BLOCK = 1 << 20  # bytes per read of the encoding pass
CHUNK_ROWS = 20_000  # rows per chunk handed to the importer


class ReadError(ValueError):
    """The file cannot be read at all; the message (`messages.MESSAGES[code]`) says why."""

    def __init__(self, code: str, /, **params):
        super().__init__(Message(code, **params))
        self.key, self.params = f"import_{code}", params


def detect_encoding(raw: bytes) -> str:
    """'utf-8-sig', 'utf-8' or 'gb18030' (which reads GBK and GB2312 too)."""
    return _scan(io.BytesIO(raw))[0]


def _scan(fh) -> tuple[str, int | None]:
    """(encoding, line of the first NUL byte or None), reading `fh` once per candidate encoding."""
    fh.seek(0)
    head = fh.read(len(BOM))
    if head == BOM:
        return "utf-8-sig", _nul_line(fh, "utf-8-sig")
    for encoding in ("utf-8", "gb18030"):
        try:
            return encoding, _nul_line(fh, encoding)
        except UnicodeDecodeError as exc:
            if encoding == "gb18030":
                raise ReadError("not_utf8_or_gbk", offset=exc.start) from exc
    raise AssertionError("unreachable")


def _nul_line(fh, encoding: str) -> int | None:
    """Decode the whole of `fh` incrementally (UnicodeDecodeError with a file offset when it does
    not decode) and return the line of its first NUL byte."""
    fh.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    offset, lines, nul = 0, 0, None
    while True:
        block = fh.read(BLOCK)
        try:
            decoder.decode(block, final=not block)
        except UnicodeDecodeError as exc:
            pending = len(decoder.getstate()[0]) if hasattr(decoder, "getstate") else 0
            raise UnicodeDecodeError(
                exc.encoding, exc.object, offset + exc.start - pending, exc.end, exc.reason
            ) from None
        if not block:
            return nul
        if nul is None and b"\x00" in block:
            nul = lines + block.count(b"\n", 0, block.index(b"\x00")) + 1
        lines += block.count(b"\n")
        offset += len(block)


def _binary(source) -> tuple[io.BufferedIOBase, str, int]:
    """(binary handle, file name, size in bytes)."""
    if isinstance(source, (bytes, bytearray)):
        return io.BytesIO(bytes(source)), "", len(source)
    if hasattr(source, "getvalue"):  # Streamlit's UploadedFile, BytesIO
        raw = source.getvalue()
        return io.BytesIO(raw), getattr(source, "name", ""), len(raw)
    path = Path(source)
    fh = open(path, "rb")  # noqa: SIM115 - closed by the Table
    return fh, path.name, os.fstat(fh.fileno()).st_size


@dataclass
class Table:
    """An open export: its columns, encoding ('xlsx' for workbooks) and its rows in chunks.

    Each chunk is a DataFrame of text cells ('' for empty) whose index is the row number a person
    sees in the source (the header is row 1). `fraction()` is the share of the file read so far.
    """

    columns: list[str]
    encoding: str
    chunks: Iterator[pd.DataFrame]
    fraction: Callable[[], float]
    close: Callable[[], None]

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_table(source, name: str | None = None, chunk_rows: int = CHUNK_ROWS) -> Table:
    """The export `source` (path, bytes or upload) opened for reading; `name` decides the format.

    ReadError when it cannot be read: bad encoding, NUL bytes, no data rows, a broken CSV (also
    when found in a later chunk, while iterating)."""
    fh, found_name, size = _binary(source)
    name = (name or found_name).lower()
    try:
        if name.endswith((".xlsx", ".xlsm")):
            rows = _workbook_chunks(fh, chunk_rows)
            encoding = "xlsx"
        else:
            encoding, nul = _scan(fh)
            if nul is not None:
                raise ReadError("nul_line", line=nul)
            rows = _csv_chunks(fh, encoding, chunk_rows)
        first = next(rows)
    except BaseException:
        fh.close()
        raise
    columns = list(first.columns)
    if first.empty:
        fh.close()
        raise ReadError("header_only", columns=", ".join(columns[:8]))

    def chunks() -> Iterator[pd.DataFrame]:
        yield first
        yield from rows

    def fraction() -> float:
        return 1.0 if fh.closed or not size else min(1.0, fh.tell() / size)

    return Table(columns, encoding, chunks(), fraction, fh.close)


def _clean(df: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """Names and cells stripped, the index set to the source row numbers, NUL bytes refused."""
    df.columns = [str(c).strip() for c in df.columns]
    for c in range(df.shape[1]):
        df.isetitem(c, df.iloc[:, c].astype(str).str.strip())
    df.index = index
    nul = df.apply(lambda col: col.str.contains("\x00", regex=False)).to_numpy().nonzero()
    if len(nul[0]):
        raise ReadError("nul_row", row=int(df.index[nul[0][0]]))
    return df


def _csv_chunks(fh, encoding: str, chunk_rows: int) -> Iterator[pd.DataFrame]:
    fh.seek(0)
    delimiter = sniff_delimiter(fh.read(64 * 1024).decode(encoding, errors="ignore"))
    fh.seek(0)
    text = io.TextIOWrapper(fh, encoding=encoding, newline="")
    try:
        reader = pd.read_csv(text, dtype=str, keep_default_na=False, sep=delimiter, chunksize=chunk_rows)
    except pd.errors.EmptyDataError as exc:
        raise ReadError("empty_file") from exc
    except pd.errors.ParserError as exc:
        raise ReadError("bad_csv", delimiter=_SHOWN[delimiter], detail=str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise ReadError("not_encoding", encoding=encoding, detail=exc.reason) from exc
    start = 2
    while True:
        try:
            df = next(reader)
        except StopIteration:
            return
        except pd.errors.ParserError as exc:
            raise ReadError("bad_csv", delimiter=_SHOWN[delimiter], detail=str(exc)) from exc
        except UnicodeDecodeError as exc:
            raise ReadError("not_encoding", encoding=encoding, detail=exc.reason) from exc
        yield _clean(df, pd.RangeIndex(start, start + len(df)))
        start += len(df)


def _cell(value) -> str:
    """A workbook cell as the text pandas' read_excel(dtype=str) gives it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _filled(ws) -> bool:
    return any(v is not None for row in ws.iter_rows(values_only=True) for v in row)


def _workbook_chunks(fh, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """The workbook's one sheet with data, `chunk_rows` rows at a time (openpyxl read-only: rows
    are parsed as they are read). Several such sheets are refused by name (rather than silently
    reading only the first); the index is the spreadsheet row, blank rows are skipped."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        filled = [ws for ws in book.worksheets if _filled(ws)]
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise ReadError("bad_workbook", detail=str(exc)) from exc
    if len(filled) > 1:
        raise ReadError("many_sheets", n=len(filled), sheets=", ".join(ws.title for ws in filled))
    if not filled:
        raise ReadError("empty_workbook")
    rows = enumerate(filled[0].iter_rows(values_only=True), start=1)
    header: list[str] = []
    for _, values in rows:
        if any(v is not None for v in values):
            header = [_cell(v) or f"Unnamed: {i}" for i, v in enumerate(values)]
            break
    width = len(header)
    batch, numbers = [], []
    yielded = False
    for number, values in rows:
        cells = [_cell(v) for v in values[:width]]
        if not any(cells):
            continue
        batch.append(cells + [""] * (width - len(cells)))
        numbers.append(number)
        if len(batch) == chunk_rows:
            yield _clean_numbered(batch, header, numbers)
            batch, numbers, yielded = [], [], True
    if batch or not yielded:
        yield _clean_numbered(batch, header, numbers)


def _clean_numbered(batch, header, numbers) -> pd.DataFrame:
    df = pd.DataFrame(batch, columns=header, dtype=str) if batch else pd.DataFrame(columns=header, dtype=str)
    return _clean(df, pd.Index(numbers, dtype=int))


def read_table(source, name: str | None = None) -> tuple[pd.DataFrame, str]:
    """The whole export as one frame (every cell as text, '' for empty) and its encoding or
    'xlsx' — for small files and tests; importers read `open_table` chunk by chunk."""
    with open_table(source, name) as table:
        df = pd.concat(list(table.chunks))
    return df.reset_index(drop=True), table.encoding


DELIMITERS = (",", ";", "\t", "|")
_SHOWN = {",": "',' (comma)", ";": "';' (semicolon)", "\t": "tab", "|": "'|' (vertical bar)"}


def sniff_delimiter(text: str) -> str:
    """The delimiter the header line uses most (comma on a tie or when none appears)."""
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","
