"""The streaming import at a million rows (issue 17): make the file, build the LA store, then time it.

    python -m benchmarks.import_1m file  [--copies 100] [--out /tmp/la311_1m.csv]
    python -m benchmarks.import_1m store URL
    python -m benchmarks.import_1m kill URL [--file /tmp/la311_1m.csv] [--after 120]

`file` repeats the real LA 311 extract (../shared/real_data/la311_2020_sample.csv, 10,000 rows)
with new ids (`<srnumber>-<copy>`), streaming: 100 copies are 1,000,000 rows, about 250 MB.
Nothing it writes is committed: the file goes to /tmp. `store` empties URL and imports the LA
neighbourhood councils as towns (12 service regions, dissolved), villages and grids (99 councils),
as README "Bring your own data" does. `kill` starts the import of the file into URL, sends it
SIGKILL after `--after` seconds (midway) and compares the store's fingerprint (row counts and a
hash of every row of every data table) before and after. Then run the import itself under /usr/bin/time -v (see
benchmarks/README.md for the commands and the numbers measured).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from data_access import schema
from data_access.ingest import import_boundaries
from data_access.store import create_store_engine

REAL = Path(__file__).resolve().parents[2] / "shared" / "real_data"
if not REAL.exists():  # a worktree sits one level deeper than /work/main
    REAL = Path("/work/shared/real_data")
CSV = REAL / "la311_2020_sample.csv"
COUNCILS = REAL / "la_neighborhood_councils_2019.geojson"


def make_file(out: Path, copies: int) -> int:
    with CSV.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)  # the 10,000-row source, not the output
    key = header.index("srnumber")
    n = 0
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for copy in range(copies):
            for row in rows:
                row = list(row)
                row[key] = f"{row[key]}-{copy:03d}"
                writer.writerow(row)
                n += 1
    return n


def build_store(url: str) -> None:
    engine = create_store_engine(url, writable=True)
    schema.metadata.drop_all(engine)
    engine.dispose()
    steps = [
        ("town", "service_re", "service_re", None, "service_re"),
        ("village", "objectid", "name", "service_re", None),
        ("grid", "objectid", "name", None, None),
    ]
    for level, id_field, name_field, parent, dissolve in steps:
        report = import_boundaries(
            COUNCILS,
            url,
            level,
            id_field,
            name_field,
            parent,
            allow_partial=True,
            allow_outside_china=True,
            dissolve_by=dissolve,
        )
        print(report.summary(), file=sys.stderr)
        assert report.committed


def kill_midway(url: str, path: Path, after: float) -> bool:
    """True when a SIGKILL `after` seconds into the import of `path` left the store unchanged."""
    import os
    import signal
    import subprocess
    import time

    from tests.data.ingest_support import fingerprint

    before = fingerprint(url)
    mapping = Path(__file__).resolve().parents[1] / "sample_data" / "mappings" / "la311.toml"
    cmd = [sys.executable, "-m", "data_access.ingest", "events", str(path), "--mapping", str(mapping)]
    cmd += ["--db", url, "--allow-partial", "--allow-outside-china", "--rejects", os.devnull]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(after)
    alive = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    progress = proc.stderr.read().replace("\r", "\n").strip().splitlines()
    print(f"killed after {after:.0f} s (still running: {alive}); last progress: {progress[-1] if progress else '-'}")
    after_print = fingerprint(url)
    same = after_print == before
    print(f"rows per table before == after: {before[0] == after_print[0]}; every row identical: {same}")
    return same


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.import_1m")
    sub = parser.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("file")
    f.add_argument("--copies", type=int, default=100)
    f.add_argument("--out", type=Path, default=Path("/tmp/la311_1m.csv"))
    s = sub.add_parser("store")
    s.add_argument("url")
    k = sub.add_parser("kill")
    k.add_argument("url")
    k.add_argument("--file", type=Path, default=Path("/tmp/la311_1m.csv"))
    k.add_argument("--after", type=float, default=120)
    args = parser.parse_args(argv)
    if args.cmd == "kill":
        return 0 if kill_midway(args.url, args.file, args.after) else 1
    if args.cmd == "file":
        print(f"{make_file(args.out, args.copies):,} rows written to {args.out}")
    else:
        build_store(args.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
