"""Command line of the importers; `python -m data_access.ingest --help`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm

from ..store import StoreError, describe_url, resolve_db_url
from . import ImportRefused, ReadError, import_boundaries, import_events
from .boundaries import LEVELS
from .validation import spreadsheet_safe


def _bar():
    bar = tqdm(total=100, desc="import", file=sys.stderr, bar_format="{desc:<16} {percentage:3.0f}%|{bar}| {elapsed}")

    def progress(fraction: float, message: str) -> None:
        bar.set_description(message)
        bar.update(int(fraction * 100) - bar.n)

    return bar, progress


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_access.ingest", description=__doc__)
    sub = parser.add_subparsers(dest="kind", required=True)
    b = sub.add_parser("boundaries", help="GeoJSON, zipped Shapefile or GeoPackage")
    b.add_argument("file", type=Path)
    b.add_argument("--level", required=True, choices=LEVELS)
    b.add_argument("--id-field", required=True, help="column with the unit's code")
    b.add_argument("--name-field", required=True)
    b.add_argument("--parent-field", help="column with the parent's code (default: by location)")
    b.add_argument(
        "--crs",
        help="CRS of the file when it declares none (or a wrong one), e.g. EPSG:4490; "
        "gcj02 (AMap/DataV/Tencent) or bd09 (Baidu) are converted to WGS-84",
    )
    b.add_argument(
        "--dissolve-by",
        help="merge the features that share this property into one unit (e.g. towns from villages' town "
        "property); --id-field and --name-field then come from the first feature of each group",
    )
    b.add_argument("--households-field")
    b.add_argument("--residents-field")
    e = sub.add_parser("events", help="CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX")
    e.add_argument("file", type=Path)
    e.add_argument(
        "--mapping",
        required=True,
        type=Path,
        help="TOML mapping (every key: README, Mapping reference), e.g. sample_data/mappings/la311.toml",
    )
    e.add_argument(
        "--crs", choices=("wgs84", "gcj02", "bd09"), help="coordinates of lon/lat (overrides the mapping's [meta] crs)"
    )
    for p in (b, e):
        p.add_argument("--db", default=None, help="SQLAlchemy URL of the store (default: GRID_DB_URL / secrets)")
        p.add_argument("--allow-partial", action="store_true", help="load the good rows even when some are refused")
        p.add_argument("--allow-outside-china", action="store_true", help="accept places outside China's extent")
        p.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
        p.add_argument("--rejects", type=Path, help="CSV for refused rows (default: FILE.rejected.csv)")
        p.add_argument("--quiet", action="store_true", help="no progress bar")
        p.add_argument(
            "--timezone",
            help="the store's time zone (IANA name, e.g. America/Los_Angeles; default Asia/Shanghai): its "
            "local days and the dashboard's today; set with the first import of a new store",
        )
    args = parser.parse_args(argv)
    url = args.db or resolve_db_url()
    bar, progress = _bar() if not args.quiet else (None, None)
    try:
        common = dict(
            commit=not args.dry_run,
            allow_partial=args.allow_partial,
            allow_outside_china=args.allow_outside_china,
            progress=progress,
            timezone=args.timezone,
        )
        if args.kind == "boundaries":
            report = import_boundaries(
                args.file,
                url,
                args.level,
                args.id_field,
                args.name_field,
                args.parent_field,
                args.crs,
                households_field=args.households_field,
                residents_field=args.residents_field,
                dissolve_by=args.dissolve_by,
                **common,
            )
        else:
            rejects = args.rejects or args.file.with_suffix(args.file.suffix + ".rejected.csv")
            report = import_events(args.file, url, args.mapping, crs=args.crs, rejects=rejects, **common)
    except (ImportRefused, ReadError, StoreError, OSError, SQLAlchemyError) as exc:
        if bar:
            bar.close()
        # The one transaction was rolled back (or never began): the store is as it was.
        reason = str(exc).splitlines()[0] if isinstance(exc, SQLAlchemyError) else exc
        print(f"error: {reason}\nnothing was changed in {describe_url(url)}", file=sys.stderr)
        return 2
    if bar:
        bar.close()
    for w in report.warnings:
        print(f"warning: {w}")
    for p in report.repairs:
        print(f"repaired: feature {p.row}: {p.reason}")
    errors = report.errors_frame()
    for rec in errors.head(200).itertuples():
        where = "file" if rec.row is None or rec.row != rec.row else f"row {int(rec.row)}"
        print(f"error: {where}: {rec.field}: {rec.reason}")
    problems = max(report.problems, len(errors))
    if problems > 200:
        print(f"… and {problems - 200} more problems (all in the rejects CSV)")
    if args.kind == "events" and report.counts.get("rejects_written"):
        print(f"{report.counts['rejects_written']} refused rows written to {rejects}")
    elif not report.rejected.empty:  # boundaries: the report holds every refused feature
        out = args.rejects or args.file.with_suffix(args.file.suffix + ".rejected.csv")
        spreadsheet_safe(report.rejected).to_csv(out, index=False, encoding="utf-8-sig")
        print(f"{len(report.rejected)} refused rows written to {out}")
    print(report.summary())
    if report.errors and args.dry_run:
        print(f"dry run: {report.refused or len(report.errors)} rows would be refused; nothing was written")
        return 1
    if report.errors and not report.committed:
        print("nothing was written: fix the rows above, or load the good ones with --allow-partial")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
