"""Messages, exit codes and safety of the importers' reading and command line (issue 17's "Falls short")."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pandas as pd
import pytest

from data_access.ingest import ReadError, import_events
from data_access.ingest.encodings import read_table
from tests.conftest import ROOT
from tests.data.ingest_support import DATA, OPEN311, empty_store, fingerprint, import_base_boundaries

SOURCE = DATA / "open311_requests.csv"


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> str:
    """A SQLite store with the base towns, villages and grids, shared read-only by the CLI tests."""
    url = empty_store(f"sqlite:///{tmp_path_factory.mktemp('msg') / 'store.db'}")
    import_base_boundaries(url)
    return url


def events_cli(path, url, *extra):
    return subprocess.run(
        [sys.executable, "-m", "data_access.ingest", "events", str(path), "--mapping", str(OPEN311), "--db", url]
        + ["--quiet", *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def source_rows(n=6) -> pd.DataFrame:
    return pd.read_csv(SOURCE, dtype=str, keep_default_na=False).head(n)


def test_dry_run_with_refused_rows_exits_non_zero(county, tmp_path):
    df = source_rows()
    df.loc[1, "lat"] = "north"
    path = tmp_path / "bad.csv"
    df.to_csv(path, index=False)
    before = fingerprint(county)
    run = events_cli(path, county, "--dry-run", "--rejects", str(tmp_path / "rej.csv"))
    assert run.returncode == 1, run.stdout
    assert "dry run: 1 rows would be refused" in run.stdout
    clean = tmp_path / "clean.csv"
    source_rows().to_csv(clean, index=False)
    assert events_cli(clean, county, "--dry-run").returncode == 0
    assert fingerprint(county) == before


def test_rejects_csv_quotes_formula_cells(county, tmp_path):
    df = source_rows()
    df.loc[0, "description"] = '=HYPERLINK("http://evil.example","click")'
    df.loc[0, "lat"] = "x"
    df.loc[2, "address"] = "+cmd|' /C calc'!A0"
    df.loc[2, "long"] = "y"
    path, rejects = tmp_path / "formula.csv", tmp_path / "formula.rej.csv"
    df.to_csv(path, index=False)
    run = events_cli(path, county, "--dry-run", "--rejects", str(rejects))
    assert run.returncode == 1
    rows = list(csv.DictReader(io.StringIO(rejects.read_text(encoding="utf-8-sig"))))
    assert [r["description"] for r in rows][0] == "'" + df.loc[0, "description"]
    assert rows[1]["address"] == "'" + df.loc[2, "address"]
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())


def test_header_only_file_is_refused(county, tmp_path):
    path = tmp_path / "header.csv"
    path.write_text(SOURCE.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    run = events_cli(path, county)
    assert run.returncode == 2
    assert "has a header (service_request_id" in run.stderr and "but no data rows" in run.stderr


def test_semicolon_file_reads_and_a_broken_one_names_its_delimiter(county):
    text = source_rows().to_csv(index=False, sep=";")
    df, _ = read_table(text.encode(), "semi.csv")
    pd.testing.assert_frame_equal(df, read_table(source_rows().to_csv(index=False).encode(), "comma.csv")[0])
    broken = "a;b;c\n1;2;3\n4;5;6;7;8\n"
    with pytest.raises(ReadError, match=r"delimiter ';' \(semicolon\)"):
        read_table(broken.encode(), "broken.csv")
    with pytest.raises(ReadError, match=r"delimiter ',' \(comma\)"):
        read_table(b"a,b\n1,2\n3,4,5,6\n", "broken.csv")


def test_workbook_with_several_sheets_names_them(tmp_path):
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        source_rows(3).to_excel(writer, sheet_name="一月", index=False)
        source_rows(3).to_excel(writer, sheet_name="二月", index=False)
    with pytest.raises(ReadError, match="2 sheets with data \\(一月, 二月\\)"):
        read_table(buffer.getvalue(), "two.xlsx")
    one = io.BytesIO()
    with pd.ExcelWriter(one, engine="openpyxl") as writer:
        source_rows(3).to_excel(writer, sheet_name="一月", index=False)
    assert len(read_table(one.getvalue(), "one.xlsx")[0]) == 3


def test_nul_bytes_are_refused_on_sqlite(county, tmp_path):
    df = source_rows()
    df.loc[3, "description"] = "pothole\x00hidden"
    path = tmp_path / "nul.csv"
    df.to_csv(path, index=False)
    with pytest.raises(ReadError, match="line 5 contains a NUL byte"):
        read_table(path)
    before = fingerprint(county)
    with pytest.raises(ReadError):
        import_events(path, county, OPEN311)
    run = events_cli(path, county)
    assert run.returncode == 2 and "NUL byte" in run.stderr
    assert fingerprint(county) == before
