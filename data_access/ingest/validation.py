"""The import report: what was read, what was repaired, what was refused and why.

Row numbers are the ones a person sees in the source: for CSV and XLSX the line / spreadsheet row
(the header is row 1, so the first data row is 2); for boundary files the feature number from 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .messages import Message


class ImportRefused(RuntimeError):
    """The file as a whole cannot be imported (no rows checked); the message
    (`messages.MESSAGES[code]` with `params`) says why; `key` / `params` name its label."""

    def __init__(self, code: str, /, **params):
        super().__init__(Message(code, **params))
        self.key, self.params = f"import_{code}", params


@dataclass
class Problem:
    row: int | None  # None: about the whole file
    field: str
    reason: str


@dataclass
class ImportReport:
    kind: str  # boundaries | events
    source: str = ""
    rows_read: int = 0
    errors: list[Problem] = field(default_factory=list)
    repairs: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    inserted: int = 0
    updated: int = 0
    committed: bool = False
    encoding: str = ""
    rejected: pd.DataFrame = field(default_factory=pd.DataFrame)  # the refused source rows
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)  # first rows as they are stored
    counts: dict[str, int] = field(default_factory=dict)  # extra numbers (steps, units per level…)
    keep: int | None = None  # at most this many problems kept in `errors` (None: all); all are counted
    problems: int = 0  # every problem found, kept or not
    refused_total: int | None = None  # refused rows, set by importers that stream (else from `errors`)
    chunk_reasons: dict[int, list[str]] | None = field(default=None, repr=False)  # per-row reasons of a chunk

    def error(self, row: int | None, field_name: str, reason: str) -> None:
        self.problems += 1
        if self.keep is None or len(self.errors) < self.keep:
            self.errors.append(Problem(row, field_name, reason))
        if self.chunk_reasons is not None and row is not None:
            self.chunk_reasons.setdefault(row, []).append(f"{field_name}: {reason}")

    @property
    def refused(self) -> int:
        """How many source rows were refused (all of them, also past the problems kept)."""
        return len(self.bad_rows) if self.refused_total is None else self.refused_total

    @property
    def truncated(self) -> bool:
        """More problems were found than `errors` keeps (the rejects file has them all)."""
        return self.problems > len(self.errors)

    @property
    def bad_rows(self) -> set[int]:
        return {p.row for p in self.errors if p.row is not None}

    @property
    def file_errors(self) -> list[Problem]:
        return [p for p in self.errors if p.row is None]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.problems

    def errors_frame(self, say=str) -> pd.DataFrame:
        """Columns: row, field, reason — one line per problem, in row order; `say(reason)` words
        each reason (a `Message`: the page gives it in the reader's language)."""
        rows = [(p.row, p.field, say(p.reason)) for p in self.errors]
        df = pd.DataFrame(rows, columns=["row", "field", "reason"])
        return df.sort_values("row", na_position="first", kind="stable").reset_index(drop=True)

    def repairs_frame(self, say=str) -> pd.DataFrame:
        return pd.DataFrame([(p.row, p.field, say(p.reason)) for p in self.repairs], columns=["row", "field", "reason"])

    def summary(self) -> str:
        state = "committed" if self.committed else "NOT committed (the store is unchanged)"
        text = (
            f"{self.kind} from {self.source or 'upload'}: {self.rows_read} rows read, {self.refused} "
            f"rows refused ({max(self.problems, len(self.errors))} problems), {len(self.repairs)} repairs; "
            f"{self.inserted} inserted, {self.updated} updated; {state}"
        )
        if self.encoding:
            text += f"; read as {self.encoding}"
        return text


def rejected_rows(source: pd.DataFrame, report: ImportReport, reasons: dict[int, list[str]] | None = None):
    """The refused source rows with their row number and every reason, for the rejects CSV.

    `reasons` (row → reasons) defaults to the problems the report keeps."""
    if reasons is None:
        reasons = {}
        for p in report.errors:
            if p.row is not None:
                reasons.setdefault(p.row, []).append(f"{p.field}: {p.reason}")
    if not reasons:
        return source.iloc[0:0].assign(row=pd.Series(dtype=int), reasons=pd.Series(dtype=str))
    rows = sorted(reasons)
    out = source.loc[[r for r in rows]].copy()  # index = source row number
    out.insert(0, "row", rows)
    out["reasons"] = ["; ".join(reasons[r]) for r in rows]
    return out.reset_index(drop=True)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as a formula (=HYPERLINK(…), +cmd|…, @SUM…) quoted with a
    leading apostrophe (OWASP "CSV injection"), for the rejects CSV the command line writes."""
    return df.map(lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v)
