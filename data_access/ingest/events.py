"""Import events from a CSV or XLSX export through a TOML mapping (see `mapping.py`).

The file is read, checked, placed and written in chunks (`encodings.CHUNK_ROWS` rows), so
memory grows with the chunk and the boundaries, not with the file: a million-row export imports
in a few hundred MB. Every write (reference rows, events, their steps, the derived tables)
happens in ONE transaction, committed only when every row passed (or `allow_partial`): an
error, a crash or a kill leaves the store as it was. Ids seen so far live in a temporary table
(duplicates are found without holding every id); the report keeps the first `KEEP_PROBLEMS`
problems and `KEEP_REJECTED` refused rows, and `rejects=` streams every refused row to a CSV.
Events are matched on `events.code` (the id in the source): importing a file again updates.

Placement: the event's micro-grid (or grid, when the hierarchy has no micro-grids) is the one
whose boundary contains its point (a shapely STRtree over the units, built once per import;
a point on a shared edge goes to the lowest code), unless the file names its grid; every level
above comes from that unit. Steps: one `event_steps` row per timestamp the file has.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, select

from .. import lifecycle, rollups, schema
from ..store import reset_id_sequences
from ._db import bulk_insert, deadline_hours, ensure_store_basics, next_id, one_transaction, pause_hook
from .chinacrs import CHINA_CRS, export_warning, to_wgs84_xy
from .encodings import CHUNK_ROWS, open_table
from .mapping import FIXED_CODES, Mapping, coordinate_system, load_mapping
from .validation import ImportRefused, ImportReport, rejected_rows, spreadsheet_safe

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)
STATUS_AFTER_STEP = lifecycle.STATUS_AFTER
FUTURE_SLACK = dt.timedelta(hours=1)
Progress = Callable[[float, str], None]
KEEP_PROBLEMS = 10_000  # problems kept in the report; every one is counted and in the rejects file
KEEP_REJECTED = 1_000  # refused source rows kept in report.rejected (the page's download)
PREVIEW_ROWS = 20
IN_BATCH = 500  # ids per IN (...) lookup: far below SQLite's bound-parameter limit


def parse_time(text: str, tz: ZoneInfo, fmt: str | None) -> dt.datetime:
    """A zone-aware time; naive text is taken in `tz`. ValueError when unparseable."""
    if fmt:
        value = dt.datetime.strptime(text, fmt)
    else:
        value = pd.Timestamp(text.replace("/", "-")).to_pydatetime()
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value


def _parse_one(text: str, mp: Mapping) -> dt.datetime | None:
    try:
        return parse_time(text, mp.timezone, mp.time_format)
    except (ValueError, TypeError, OverflowError):
        return None


def parse_times(column: pd.Series, tz: ZoneInfo, fmt: str | None) -> dict[str, dt.datetime | None]:
    """Each distinct non-empty text of `column` → `parse_time` of it (None when unparseable).

    With a `time_format` without a zone the texts are parsed and localised in one vectorised
    pass (ambiguous local times take the first, summer-time, reading as `parse_time` does); the
    texts it cannot place (bad or nonexistent local times) go through `parse_time` one by one."""
    texts = pd.unique(column[column != ""].to_numpy(dtype=object))
    out: dict[str, dt.datetime | None] = {}
    if fmt and "%z" not in fmt and "%Z" not in fmt and len(texts):
        naive = pd.to_datetime(pd.Series(texts, dtype=object), format=fmt, errors="coerce")
        local = naive.dt.tz_localize(tz, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="NaT")
        for text, value in zip(texts, local.dt.to_pydatetime()):
            if value is not None and value == value:  # NaT → through parse_time below
                out[text] = value.replace(tzinfo=tz)
    for text in texts:
        if text not in out:
            try:
                out[text] = parse_time(text, tz, fmt)
            except (ValueError, TypeError, OverflowError):
                out[text] = None
    return out


def _number(text: str) -> float:
    value = float(text)
    if math.isnan(value) or math.isinf(value):
        raise ValueError(text)
    return value


class _Reference:
    """Codes the store has (and the mapping adds), read inside the import's transaction."""

    def __init__(self, conn, mapping: Mapping):
        ref = mapping.reference
        self.categories = {r.code for r in conn.execute(select(schema.event_categories.c.code))}
        self.new_categories = [
            dict(code=c, sort_order=100 + i, **{k: v for k, v in d.items()})
            for i, (c, d) in enumerate(ref.get("categories", {}).items())
            if c not in self.categories
        ]
        self.categories |= {r["code"] for r in self.new_categories}
        items = conn.execute(
            select(
                schema.event_item_types.c.code,
                schema.event_item_types.c.category_code,
                schema.event_item_types.c.default_urgency,
            )
        ).all()
        self.items = {c: (cat, urg) for c, cat, urg in items}
        self.new_items = []
        for c, d in ref.get("item_types", {}).items():
            if c in self.items:
                continue
            row = {
                "code": c,
                "category_code": d["category"],
                "name": d["name"],
                "name_en": d["name_en"],
                "trivial": bool(d.get("trivial", False)),
                "default_urgency": d.get("default_urgency", "ordinary"),
            }
            if row["category_code"] not in self.categories:
                raise ImportRefused(
                    f"[reference.item_types.{c}] names category {row['category_code']!r}, "
                    "which neither the store nor the mapping defines"
                )
            self.new_items.append(row)
            self.items[c] = (row["category_code"], row["default_urgency"])
        depts = conn.execute(select(schema.departments.c.id, schema.departments.c.code)).all()
        self.departments = {code: did for did, code in depts}
        self.new_departments = []
        did = next_id(conn, schema.departments)
        for c, d in ref.get("departments", {}).items():
            if c in self.departments:
                continue
            self.new_departments.append(
                {
                    "id": did,
                    "code": c,
                    "name": d["name"],
                    "name_en": d["name_en"],
                    "level": d.get("level", "county"),
                    "town_id": None,
                    "line_of_business": d.get("line_of_business", ""),
                }
            )
            self.departments[c] = did
            did += 1

    def write(self, conn) -> None:
        if self.new_categories:
            conn.execute(schema.event_categories.insert(), self.new_categories)
        if self.new_items:
            conn.execute(schema.event_item_types.insert(), self.new_items)
        if self.new_departments:
            conn.execute(schema.departments.insert(), self.new_departments)
            reset_id_sequences(conn, [schema.departments])


def _units(conn, level: str) -> pd.DataFrame:
    """The units of `level` in code order, with their shapes in column `geometry`."""
    t = schema.micro_grids if level == "micro_grid" else schema.grids
    cols = [
        t.c.id,
        t.c.code,
        t.c.town_id,
        t.c.village_id,
        t.c.boundary_wkt,
        t.c.centroid_lon,
        t.c.centroid_lat,
        (t.c.grid_id if level == "micro_grid" else t.c.id.label("grid_id")),
    ]
    df = pd.DataFrame(
        conn.execute(select(*cols).order_by(t.c.code)).mappings().all(),
        columns=["id", "code", "town_id", "village_id", "boundary_wkt", "centroid_lon", "centroid_lat", "grid_id"],
    )
    df["geometry"] = shapely.from_wkt(df["boundary_wkt"].to_numpy(dtype=object)) if len(df) else []
    return df.drop(columns=["boundary_wkt"])


class _Places:
    """The grids and micro-grids of the store, loaded once per import, with an STRtree each."""

    def __init__(self, conn):
        self.units = {level: _units(conn, level) for level in ("micro_grid", "grid")}
        if self.units["grid"].empty:
            raise ImportRefused("the store has no grids: import the boundaries (towns, villages, grids) first")
        self.level = "micro_grid" if not self.units["micro_grid"].empty else "grid"
        self.trees = {lvl: shapely.STRtree(df["geometry"].to_numpy()) for lvl, df in self.units.items() if len(df)}
        self.by_code = {lvl: df.set_index("code").to_dict("index") for lvl, df in self.units.items()}


def import_events(
    source,
    url: str,
    mapping,
    *,
    commit: bool = True,
    allow_partial: bool = False,
    allow_outside_china: bool = False,
    name: str | None = None,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
    crs: str | None = None,
    rejects=None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportReport:
    """Check every row and write the good ones chunk by chunk in one transaction, committed when
    `commit` and every row passed (or `allow_partial`).

    `mapping` is a Mapping, a path to a TOML file, or TOML text/bytes; `rejects` a path for a CSV
    of every refused row. Returns the report with errors by source row (the first
    `KEEP_PROBLEMS`), the first `KEEP_REJECTED` refused rows and a preview of the first events.
    """
    step = progress or (lambda _f, _m: None)
    mp = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    if crs:
        mp = dataclasses.replace(mp, crs=coordinate_system(crs))
    now = now or dt.datetime.now(dt.UTC)
    step(0.0, "reading")
    with open_table(source, name, chunk_rows) as table, _Rejects(rejects) as sink:
        report = ImportReport(
            kind="events",
            source=name or getattr(source, "name", str(source)),
            encoding=table.encoding,
            keep=KEEP_PROBLEMS,
            refused_total=0,
        )
        if mp.crs in CHINA_CRS:
            report.counts["source_crs"] = CHINA_CRS[mp.crs]
            report.warnings.append(f"coordinates converted from {CHINA_CRS[mp.crs]} to WGS-84")
        else:
            warning = export_warning(table.columns)
            if warning:
                report.warnings.append(warning)
        missing = [c for c in mp.columns() if c not in table.columns]
        if missing:
            raise ImportRefused(
                f"column(s) {', '.join(missing)} named by the mapping are not in the file; "
                f"it has: {', '.join(table.columns)}"
            )
        with one_transaction(url, report) as (conn, outcome):
            ref = _Reference(conn, mp)
            places = _Places(conn)
            report.counts["placed_by"] = places.level
            report.counts["placed_by_point"] = 0
            writer = _Writer(conn, ref, deadline_hours(conn), _county_id(conn), report)
            seen = _SeenCodes(conn)
            previews = []
            for chunk in table.chunks:
                report.rows_read += len(chunk)
                report.chunk_reasons = {}
                rows = _rows(chunk, mp, ref, report, now, allow_outside_china, seen)
                _place(rows, places, report)
                reasons, report.chunk_reasons = report.chunk_reasons, None
                report.refused_total += len(reasons)
                good = [r for r in rows if r["_row"] not in reasons]
                if len(previews) < PREVIEW_ROWS:
                    previews += writer.events(good[: PREVIEW_ROWS - len(previews)])
                if reasons:
                    rejected = rejected_rows(chunk, report, reasons)
                    sink.write(rejected)
                    if len(report.rejected) < KEEP_REJECTED:
                        keep = rejected.head(KEEP_REJECTED - len(report.rejected))
                        report.rejected = keep if report.rejected.empty else pd.concat([report.rejected, keep])
                if good and (allow_partial or not report.problems):
                    writer.write(good)  # once a row is refused without allow_partial, only checks go on
                step(0.9 * table.fraction(), f"{report.rows_read:,} rows checked, {writer.written:,} written")
            seen.drop()
            report.preview = pd.DataFrame(previews).drop(columns=["_row"], errors="ignore")
            if report.rejected.empty:
                report.rejected = rejected_rows(pd.DataFrame(columns=table.columns), report, {})
            report.rejected = report.rejected.reset_index(drop=True)
            may_write = not report.problems or allow_partial
            if may_write and writer.written:
                step(0.92, "updating the derived tables")
                writer.finish()
            outcome.keep = commit and may_write
        report.counts["rejects_written"] = sink.rows
    step(1.0, "done")
    return report


class _Rejects:
    """Every refused row (with its reasons) appended to a CSV as chunks are checked; formula
    cells quoted (`spreadsheet_safe`). Opened on the first refused row: no refusals, no file."""

    def __init__(self, path):
        self.path, self.fh, self.rows = path, None, 0

    def __enter__(self) -> _Rejects:
        return self

    def write(self, rejected: pd.DataFrame) -> None:
        if self.path is None or rejected.empty:
            return
        first = self.fh is None
        if first:
            self.fh = open(self.path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
        spreadsheet_safe(rejected).to_csv(self.fh, header=first, index=False)
        self.rows += len(rejected)

    def __exit__(self, *exc) -> None:
        if self.fh is not None:
            self.fh.close()


class _SeenCodes:
    """The ids read so far and the row each was first seen at, in a temporary table: duplicates
    across chunks are found without holding a million ids in memory."""

    def __init__(self, conn):
        self.conn = conn
        self.table = Table(
            "ingest_seen_codes",
            MetaData(),
            Column("code", String(40), primary_key=True),
            Column("row", Integer, nullable=False),
            prefixes=["TEMPORARY"],
        )
        self.table.create(conn)

    def first_rows(self, codes: list[str]) -> dict[str, int]:
        t, out = self.table, {}
        for i in range(0, len(codes), IN_BATCH):
            out.update(self.conn.execute(select(t.c.code, t.c.row).where(t.c.code.in_(codes[i : i + IN_BATCH]))).all())
        return out

    def add(self, first: dict[str, int]) -> None:
        if first:
            self.conn.execute(self.table.insert(), [{"code": c, "row": r} for c, r in first.items()])

    def drop(self) -> None:
        self.table.drop(self.conn)


def _coded(mp: Mapping, fld: str, raw: str) -> str:
    return mp.values.get(fld, {}).get(raw, raw)


def _rows(
    df: pd.DataFrame, mp: Mapping, ref: _Reference, report: ImportReport, now, allow_outside, ids: _SeenCodes
) -> list[dict]:
    """One dict per source row of the chunk that passed the per-row checks (errors go to the report)."""
    f = mp.fields
    crs = mp.crs if mp.crs in CHINA_CRS else None
    codes = df[f["code"]].tolist() if f["code"] in df.columns else []
    earlier = ids.first_rows(list({c for c in codes if c and len(c) <= 40}))
    seen: dict[str, int] = dict(earlier)
    time_columns = {s.column for s in mp.steps} | ({f["deadline"]} if "deadline" in f else set())
    parsed = {c: parse_times(df[c], mp.timezone, mp.time_format) for c in time_columns}
    out = []
    minx, miny, maxx, maxy = CHINA_BOUNDS
    needed = [c for c in mp.columns() if c in df.columns]
    records = (dict(zip(needed, values)) for values in zip(*(df[c].tolist() for c in needed)))
    for r, rec in zip(df.index.tolist(), records):
        errors_before = report.problems

        def get(fld, default=""):
            return rec[f[fld]] if fld in f else mp.defaults.get(fld, default)

        code = get("code")
        if not code:
            report.error(r, f["code"], "empty id")
        elif len(code) > 40:
            report.error(r, f["code"], "id longer than 40 characters")
        elif code in seen:
            report.error(r, f["code"], f"duplicate id {code!r} (first at row {seen[code]})")
        else:
            seen[code] = r
        row = {"_row": r, "code": code}
        # coded values
        item_raw = get("item_type")
        item = _coded(mp, "item_type", item_raw) if item_raw else ""
        if item and item not in ref.items:
            report.error(r, f.get("item_type", "item_type"), f"unknown item type {item_raw!r}")
        cat_raw = get("category")
        category = _coded(mp, "category", cat_raw) if cat_raw else (ref.items[item][0] if item in ref.items else "")
        if not category:
            report.error(r, f.get("category", "category"), "no category")
        elif category not in ref.categories:
            report.error(r, f.get("category", "category"), f"unknown category {cat_raw!r}")
        elif item in ref.items and ref.items[item][0] != category:
            report.error(
                r,
                f.get("item_type", "item_type"),
                f"item type {item_raw!r} belongs to {ref.items[item][0]}, not {category}",
            )
        if not item:
            report.error(r, f.get("item_type", "item_type"), "no item type")
        row.update(category_code=category, item_type_code=item)
        for fld in ("source", "urgency", "status"):
            raw = get(fld)
            value = _coded(mp, fld, raw) if raw else ""
            if fld == "urgency" and not value and item in ref.items:
                value = ref.items[item][1]  # the item type's default urgency
            if value and value not in FIXED_CODES[fld]:
                report.error(r, f.get(fld, fld), f"unknown {fld} {raw!r}")
            elif not value and fld != "status":
                report.error(r, f.get(fld, fld), f"no {fld}")
            row[fld] = value
        dept_raw = get("department")
        row["department_id"] = None
        if dept_raw:
            dcode = _coded(mp, "department", dept_raw)
            if dcode not in ref.departments:
                report.error(r, f.get("department", "department"), f"unknown department {dept_raw!r}")
            else:
                row["department_id"] = ref.departments[dcode]
        desc = get("description")
        if "address" in f and rec[f["address"]]:
            desc = f"{desc}({rec[f['address']]})" if desc else rec[f["address"]]
        row["description"] = desc
        # place
        row["grid_code"] = get("grid_code")
        row["micro_grid_code"] = get("micro_grid_code")
        row["lon"] = row["lat"] = None
        if "lon" in f and (rec[f["lon"]] or rec[f["lat"]]):
            try:
                lon, lat = _number(rec[f["lon"]]), _number(rec[f["lat"]])
            except ValueError:
                report.error(r, f"{f['lon']}/{f['lat']}", f"not numbers: {rec[f['lon']]!r}, {rec[f['lat']]!r}")
            else:
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    report.error(r, f"{f['lon']}/{f['lat']}", f"({lon}, {lat}) is not a longitude/latitude")
                elif not allow_outside and not (minx <= lon <= maxx and miny <= lat <= maxy):
                    report.error(
                        r,
                        f"{f['lon']}/{f['lat']}",
                        f"({lon}, {lat}) lies outside China (swapped columns or projected coordinates? "
                        "data from outside China needs --allow-outside-china)",
                    )
                else:
                    if crs:
                        (lon,), (lat,) = to_wgs84_xy(crs, [lon], [lat])
                    row["lon"], row["lat"] = lon, lat
        elif not (row["grid_code"] or row["micro_grid_code"]):
            report.error(r, f.get("lon", "lon"), "no coordinates and no grid code")
        # times
        times: dict[str, dt.datetime] = {}
        unparsed: set[str] = set()
        for spec in mp.steps:
            text = rec[spec.column]
            if not text or (spec.statuses and row["status"] not in spec.statuses):
                continue
            value = parsed[spec.column].get(text)
            if value is None:
                report.error(r, spec.column, f"unparseable time {text!r}")
                unparsed.add(spec.action)
            else:
                times[spec.action] = value
        if "report" not in times and "report" not in unparsed:
            report.error(r, mp.steps[0].column, "no report time")
        column_of = {s.action: s.column for s in mp.steps}
        order = list(times.items())
        for i, (a2, t2) in enumerate(order[1:], start=1):
            a1, t1 = ("report", times["report"]) if "report" in times and t2 < times["report"] else order[i - 1]
            if t2 < t1:  # e.g. closed before reported: refused, not silently given a negative duration
                report.error(r, column_of[a2], f"{a2} at {t2.isoformat()} is before {a1} at {t1.isoformat()}")
        for a, t in times.items():
            if t > now + FUTURE_SLACK:
                report.error(r, column_of[a], f"{a} time {t.isoformat()} is in the future")
        if not row["status"] and times:
            row["status"] = STATUS_AFTER_STEP[list(times)[-1]]
        if row["status"] == "closed" and "close" not in times:
            report.error(r, "status", "closed, but the file gives no closing time")
        row["times"] = times
        deadline = get("deadline")
        row["deadline"] = None
        if deadline:
            row["deadline"] = parsed[f["deadline"]].get(deadline) if "deadline" in f else _parse_one(deadline, mp)
            if row["deadline"] is None:
                report.error(r, f.get("deadline", "deadline"), f"unparseable time {deadline!r}")
            else:
                if "report" in times and row["deadline"] < times["report"]:
                    report.error(r, f["deadline"], "deadline before the report time")
        for fld, lo, hi in (
            ("satisfaction", 1, 5),
            ("escalations", 0, 999),
            ("returns", 0, 999),
            ("rejections", 0, 999),
        ):
            text = get(fld)
            row[fld] = None if fld == "satisfaction" else 0
            if text:
                try:
                    value = int(float(text))
                    if not lo <= value <= hi:
                        raise ValueError
                    row[fld] = value
                except ValueError:
                    report.error(r, f.get(fld, fld), f"{text!r} is not a whole number from {lo} to {hi}")
        if report.problems == errors_before:
            out.append(row)
    ids.add({c: r for c, r in seen.items() if c not in earlier})
    return out


def _place(rows: list[dict], places: _Places, report: ImportReport) -> None:
    """Set micro_grid_id, grid_id, village_id, town_id on each row; refuse rows that fit nowhere.

    Points are matched to micro-grids when the store has them, and to grids where no micro-grid
    covers them (a hierarchy may have micro-grids in some grids only).
    """
    by_grid, by_micro = places.by_code["grid"], places.by_code["micro_grid"]
    to_join = []
    for row in rows:
        unit = None
        if row["micro_grid_code"]:
            unit = by_micro.get(row["micro_grid_code"])
            if unit is None:
                report.error(row["_row"], "micro_grid_code", f"no micro-grid {row['micro_grid_code']!r} in the store")
                continue
            row.update(micro_grid_id=int(unit["id"]), grid_id=int(unit["grid_id"]))
        elif row["grid_code"]:
            unit = by_grid.get(row["grid_code"])
            if unit is None:
                report.error(row["_row"], "grid_code", f"no grid {row['grid_code']!r} in the store")
                continue
            row.update(micro_grid_id=None, grid_id=int(unit["id"]))
        if unit is not None:
            row.update(village_id=int(unit["village_id"]), town_id=int(unit["town_id"]))
            if row["lon"] is None:
                row["lon"], row["lat"] = float(unit["centroid_lon"]), float(unit["centroid_lat"])
        else:
            to_join.append(row)
    report.counts["placed_by_point"] += len(to_join)
    for lvl in ("micro_grid", "grid") if places.level == "micro_grid" else ("grid",):
        if not to_join:
            return
        to_join = _join(to_join, lvl, places)
    for row in to_join:
        report.error(
            row["_row"], "lon/lat", f"point ({row['lon']}, {row['lat']}) lies outside every grid boundary in the store"
        )


def _join(rows: list[dict], level: str, places: _Places) -> list[dict]:
    """Place rows by point-in-polygon at `level`; returns the rows that fall in no unit."""
    units = places.units[level]
    points = shapely.points(np.array([r["lon"] for r in rows]), np.array([r["lat"] for r in rows]))
    # `intersects` so a point on a shared edge still lands; units are in code order, so the
    # lowest index per point is the lowest code, which wins such ties.
    k, u = places.trees[level].query(points, predicate="intersects")
    order = np.lexsort((u, k))
    k, u = k[order], u[order]
    first = np.unique(k, return_index=True)[1]
    hit = dict(zip(k[first].tolist(), u[first].tolist()))
    ids, gids = units["id"].to_numpy(), units["grid_id"].to_numpy()
    vids, tids = units["village_id"].to_numpy(), units["town_id"].to_numpy()
    missed = []
    for i, row in enumerate(rows):
        j = hit.get(i)
        if j is None:
            missed.append(row)
            continue
        row.update(
            micro_grid_id=int(ids[j]) if level == "micro_grid" else None,
            grid_id=int(gids[j]),
            village_id=int(vids[j]),
            town_id=int(tids[j]),
        )
    return missed


def _county_id(conn) -> int | None:
    ids = conn.execute(select(schema.admin_units.c.id).where(schema.admin_units.c.level == "county")).all()
    return ids[0][0] if len(ids) == 1 else None


def _steps(row, county, dept) -> list[dict]:
    """One step per timestamp. Imported platforms tell when, not who: the centre is the actor,
    the department where the file names one."""
    mg, grid = row.get("micro_grid_id"), row["grid_id"]
    at_dept = ("department", dept) if dept else ("county", county)
    centre = ("county", county)
    out = []
    for seq, (action, at) in enumerate(row["times"].items(), start=1):
        if action == "report":
            src = ("micro_grid", mg) if mg else ("grid", grid)
            src = src if row["source"] in ("patrol", "household_visit") else (None, None)
            frm, to = src, centre
        elif action == "dispatch":
            frm, to = centre, at_dept
        elif action in ("handle", "complete"):
            frm = to = at_dept
        elif action == "accept" and dept:
            frm, to = centre, at_dept
        else:
            frm = to = centre
        out.append(
            {
                "seq": seq,
                "action": action,
                "from_level": frm[0],
                "from_unit_id": frm[1],
                "to_level": to[0],
                "to_unit_id": to[1],
                "at": at.astimezone(dt.UTC),
                "actor_worker_id": None,
                "actor": "import",
            }
        )
    return out


class _Writer:
    """Writes the checked rows of each chunk: reference rows once, events inserted or updated
    (matched on code), their steps rebuilt; `finish` brings ids and derived tables along."""

    def __init__(self, conn, ref: _Reference, hours: dict[str, float], county: int | None, report: ImportReport):
        self.conn, self.ref, self.hours, self.county, self.report = conn, ref, hours, county, report
        self.new_id = next_id(conn, schema.events)
        self.step_id = next_id(conn, schema.event_steps)
        self.written = self.updated = self.steps = 0
        self.paused = False

    def events(self, rows: list[dict]) -> list[dict]:
        """Event rows as stored (less id, with the source row in `_row`)."""
        hours = self.hours
        out = []
        for row in rows:
            times = row["times"]
            reported = times["report"].astimezone(dt.UTC)
            closed = times.get("close")
            completed = times.get("complete") or closed
            dept = row["department_id"]
            deadline = row["deadline"] or reported + dt.timedelta(hours=hours[row["urgency"]])
            status = row["status"]
            done = status in ("completed", "verified", "closed")
            out.append(
                {
                    "_row": row["_row"],
                    "code": row["code"],
                    "category_code": row["category_code"],
                    "item_type_code": row["item_type_code"],
                    "source": row["source"],
                    "urgency": row["urgency"],
                    "description": row["description"],
                    "micro_grid_id": row.get("micro_grid_id"),
                    "grid_id": row["grid_id"],
                    "village_id": row["village_id"],
                    "town_id": row["town_id"],
                    "lon": row["lon"],
                    "lat": row["lat"],
                    "reported_at": reported,
                    "report_date": reported.astimezone(LOCAL_TZ).date(),
                    "reported_by": None,
                    "deadline": deadline.astimezone(dt.UTC),
                    "status": status,
                    "handled_level": ("department" if dept else "county") if done else None,
                    "department_id": dept,
                    "filing_only": status == "filed",
                    "quality_grade": None,
                    "satisfaction": row["satisfaction"],
                    "completed_at": completed.astimezone(dt.UTC) if completed else None,
                    "closed_at": closed.astimezone(dt.UTC) if closed else None,
                    "close_date": closed.astimezone(LOCAL_TZ).date() if closed else None,
                    "escalations": row["escalations"],
                    "returns": row["returns"],
                    "rejections": row["rejections"],
                }
            )
        return out

    def write(self, rows: list[dict], batch: int = 5000) -> None:
        conn = self.conn
        if not self.written:
            self.ref.write(conn)
            ensure_store_basics(conn)
        events = self.events(rows)
        codes = [e["code"] for e in events]
        existing: dict[str, int] = {}
        for i in range(0, len(codes), IN_BATCH):
            q = select(schema.events.c.id, schema.events.c.code).where(
                schema.events.c.code.in_(codes[i : i + IN_BATCH])
            )
            existing.update({c: eid for eid, c in conn.execute(q)})
        upd_ids = list(existing.values())
        for i in range(0, len(upd_ids), IN_BATCH):  # steps of re-imported events are rebuilt from the file
            conn.execute(
                schema.event_steps.delete().where(schema.event_steps.c.event_id.in_(upd_ids[i : i + IN_BATCH]))
            )
        half = len(events) // 2 if not self.paused else -1  # the kill test's moment: half the first chunk
        ins_ev, ins_st, upd_ev = [], [], []
        for n, (row, ev) in enumerate(zip(rows, events), start=1):
            del ev["_row"]
            eid = existing.get(ev["code"])
            if eid is None:
                eid = self.new_id
                self.new_id += 1
                ins_ev.append(ev | {"id": eid})
            else:
                upd_ev.append(ev | {"_id": eid})
            for s in _steps(row, self.county, row["department_id"]):
                ins_st.append(s | {"id": self.step_id, "event_id": eid})
                self.step_id += 1
            if len(ins_ev) + len(upd_ev) >= batch or n == len(events) or n == half:
                self._flush(ins_ev, upd_ev, ins_st)
                ins_ev, ins_st, upd_ev = [], [], []
            if n == half:
                self.paused = True
                pause_hook()
        self.written += len(events)

    def _flush(self, ins_ev, upd_ev, ins_st) -> None:
        conn = self.conn
        if ins_ev:
            bulk_insert(conn, schema.events, ins_ev)
        if upd_ev:  # one executemany per batch, not one statement per event
            cols = [c for c in upd_ev[0] if c != "_id"]  # bind names must differ from column names
            conn.execute(
                schema.events.update()
                .where(schema.events.c.id == bindparam("u__id"))
                .values({c: bindparam(f"u_{c}") for c in cols}),
                [{f"u_{k}": v for k, v in e.items()} for e in upd_ev],
            )
            self.updated += len(upd_ev)
        if ins_st:
            bulk_insert(conn, schema.event_steps, ins_st)
        self.steps += len(ins_st)

    def finish(self) -> None:
        reset_id_sequences(self.conn, [schema.events, schema.event_steps])
        rollups.catch_up(self.conn)  # same transaction: a failed import leaves the derived tables as they were
        self.report.inserted, self.report.updated = self.written - self.updated, self.updated
        self.report.counts["steps"] = self.steps
