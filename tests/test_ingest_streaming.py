"""Streaming import (issue 17, point 1): chunks give the same store as one pass, duplicates are
found across chunks, the report is bounded while the rejects file has every refused row, and
reading holds one chunk at a time."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tracemalloc
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from data_access.ingest import events as ingest_events
from data_access.ingest import import_events
from data_access.ingest.encodings import open_table, read_table
from tests.conftest import fresh_pg_database
from tests.data.ingest_support import DATA, OPEN311, empty_store, fingerprint, import_base_boundaries

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def pg_db():
    return fresh_pg_database("ingest_stream")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_pair(request, tmp_path):
    """Two fresh stores with the base boundaries on the same backend."""
    urls = []
    for name in ("a", "b"):
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / f'{name}.db'}"
        else:
            url = request.getfixturevalue("pg_db") if name == "a" else fresh_pg_database("ingest_stream_b")
        empty_store(url)
        import_base_boundaries(url)
        urls.append(url)
    return urls


def test_small_chunks_give_the_same_store_as_one_chunk(store_pair):
    one, many = store_pair
    whole = import_events(DATA / "open311_requests.csv", one, OPEN311, now=NOW)
    chunked = import_events(DATA / "open311_requests.csv", many, OPEN311, now=NOW, chunk_rows=7)
    assert whole.committed and chunked.committed
    assert (chunked.inserted, chunked.counts["steps"]) == (whole.inserted, whole.counts["steps"])
    assert whole.inserted == 320 and whole.counts["steps"] > 320
    assert fingerprint(one) == fingerprint(many)
    pd.testing.assert_frame_equal(whole.preview, chunked.preview)
    # and re-importing in chunks updates every event, as one pass does
    again = import_events(DATA / "open311_requests.csv", many, OPEN311, now=NOW, chunk_rows=50)
    assert (again.inserted, again.updated) == (0, 320)
    assert fingerprint(one)[0] == fingerprint(many)[0]  # same rows (the rebuilt steps get new ids)


def test_duplicates_are_found_across_chunks_and_every_refused_row_is_streamed(store_pair, tmp_path, monkeypatch):
    url = store_pair[0]
    monkeypatch.setattr(ingest_events, "KEEP_PROBLEMS", 3)
    monkeypatch.setattr(ingest_events, "KEEP_REJECTED", 2)
    df = pd.read_csv(DATA / "open311_requests.csv", dtype=str, keep_default_na=False)
    df.loc[250, "service_request_id"] = df.loc[4, "service_request_id"]  # a duplicate 35 chunks later
    for i in (10, 11, 120, 300):
        df.loc[i, "lat"] = "north"
    path, rejects = tmp_path / "dups.csv", tmp_path / "dups.rejected.csv"
    df.to_csv(path, index=False)
    before = fingerprint(url)
    report = import_events(path, url, OPEN311, now=NOW, chunk_rows=7, rejects=rejects)
    assert not report.committed and fingerprint(url) == before
    assert (report.refused, report.problems) == (5, 5)
    assert len(report.errors) == 3 and report.truncated and len(report.rejected) == 2
    rows = list(csv.DictReader(io.StringIO(rejects.read_text(encoding="utf-8-sig"))))
    assert [int(r["row"]) for r in rows] == [12, 13, 122, 252, 302]  # spreadsheet rows: header is row 1
    dup = next(r for r in rows if r["row"] == "252")
    assert dup["reasons"] == f"service_request_id: duplicate id '{df.loc[4, 'service_request_id']}' (first at row 6)"
    assert "5 rows refused (5 problems)" in report.summary()
    # with --allow-partial the other 315 rows go in, the first of the duplicates among them
    partial = import_events(path, url, OPEN311, now=NOW, chunk_rows=7, allow_partial=True)
    assert partial.committed and partial.inserted == 315


def _peak_reading(path) -> tuple[int, int]:
    """(rows, peak bytes Python allocated) reading `path` in 1,000-row chunks."""
    tracemalloc.start()
    rows = 0
    with open_table(path, chunk_rows=1000) as table:
        for chunk in table.chunks:
            rows += len(chunk)
        assert table.fraction() == 1.0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return rows, peak


def test_reading_memory_does_not_grow_with_the_file(tmp_path):
    """Reading 40,000 and 80,000 rows chunk by chunk peaks at the same few MB (one chunk and one
    1 MiB block), not at a multiple of the file."""
    src = pd.read_csv(DATA / "open311_requests.csv", dtype=str, keep_default_na=False)
    peaks = []
    for copies in (125, 250):
        big = pd.concat([src] * copies, ignore_index=True)
        big["service_request_id"] = [f"S{i:07d}" for i in range(len(big))]
        path = tmp_path / f"big{copies}.csv"
        big.to_csv(path, index=False)
        rows, peak = _peak_reading(path)
        assert rows == len(big)
        peaks.append((peak, path.stat().st_size))
    (small, small_size), (large, large_size) = peaks
    assert large_size > 1.9 * small_size
    assert large < 1.3 * small and large < large_size / 3, peaks


def test_workbook_rows_keep_their_spreadsheet_numbers(tmp_path):
    df = pd.read_csv(DATA / "open311_requests.csv", dtype=str, keep_default_na=False).head(5)
    path = tmp_path / "gap.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        df.to_excel(writer, index=False)
    import openpyxl

    book = openpyxl.load_workbook(path)
    book.active.insert_rows(4)  # a blank spreadsheet row 4
    book.save(path)
    with open_table(path, chunk_rows=2) as table:
        numbers = [n for chunk in table.chunks for n in chunk.index]
    assert numbers == [2, 3, 5, 6, 7]
    whole, encoding = read_table(path)
    assert encoding == "xlsx" and whole["service_request_id"].tolist() == df["service_request_id"].tolist()


def test_gbk_file_in_chunks_equals_one_read():
    one, enc = read_table(DATA / "cn_platform_gbk.csv")
    with open_table(DATA / "cn_platform_gbk.csv", chunk_rows=5) as table:
        chunks = list(table.chunks)
    assert enc == table.encoding == "gb18030" and len(chunks) == 10
    pd.testing.assert_frame_equal(pd.concat(chunks).reset_index(drop=True), one)
