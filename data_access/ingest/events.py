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
import functools
from collections.abc import Callable
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Column, Integer, MetaData, String, Table, select

from .. import rollups, schema
from ..store import reset_id_sequences
from ._db import (
    deadline_hours,
    ensure_store_basics,
    insert_frame,
    next_id,
    one_transaction,
    pause_hook,
    settle_timezone,
    update_frame,
)
from .chinacrs import CHINA_CRS, export_warning
from .encodings import CHUNK_ROWS, open_table
from .mapping import Mapping, coordinate_system, load_mapping
from .messages import Message
from .rows import Problems, check_chunk
from .validation import ImportRefused, ImportReport, rejected_rows, spreadsheet_safe

Progress = Callable[[float, str], None]
KEEP_PROBLEMS = 10_000  # problems kept in the report; every one is counted and in the rejects file
KEEP_REJECTED = 1_000  # refused source rows kept in report.rejected (the page's download)
PREVIEW_ROWS = 20
IN_BATCH = 500  # ids per IN (...) lookup: far below SQLite's bound-parameter limit
BIG_IMPORT = 100_000  # rows: from here on SQLite's event indexes are built once at the end


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
                raise ImportRefused("item_unknown_category", item=c, category=row["category_code"])
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
            raise ImportRefused("no_grids")
        self.level = "micro_grid" if not self.units["micro_grid"].empty else "grid"
        for df in self.units.values():
            shapely.prepare(df["geometry"].to_numpy())  # point-in-polygon against an edge index
        self.trees = {lvl: shapely.STRtree(df["geometry"].to_numpy()) for lvl, df in self.units.items() if len(df)}


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
    timezone: str | None = None,
) -> ImportReport:
    """Check every row and write the good ones chunk by chunk in one transaction, committed when
    `commit` and every row passed (or `allow_partial`).

    `mapping` is a Mapping, a path to a TOML file, or TOML text/bytes; `rejects` a path for a CSV
    of every refused row; `timezone` sets the store's time zone (`settle_timezone`), in which the
    events' local days (report_date, close_date) are computed. Returns the report with errors by source row (the first
    `KEEP_PROBLEMS`), the first `KEEP_REJECTED` refused rows and a preview of the first events.
    """
    step = progress or (lambda _f, _m: None)
    mp = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    if crs:
        mp = dataclasses.replace(mp, crs=coordinate_system(crs))
    now = now or dt.datetime.now(dt.UTC)
    step(0.0, Message("progress_reading"))
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
            report.warnings.append(Message("converted_crs", crs=CHINA_CRS[mp.crs]))
        else:
            warning = export_warning(table.columns)
            if warning:
                report.warnings.append(warning)
        missing = [c for c in mp.columns() if c not in table.columns]
        if missing:
            raise ImportRefused("missing_columns", missing=", ".join(missing), columns=", ".join(table.columns))
        with one_transaction(url, report) as (conn, outcome):
            ref = _Reference(conn, mp)
            places = _Places(conn)
            report.counts["placed_by"] = places.level
            report.counts["placed_by_point"] = 0
            zone = settle_timezone(conn, timezone)
            if zone != mp.timezone.key:
                report.warnings.append(Message("zone_differs", file_zone=mp.timezone.key, store=zone))
            writer = _Writer(conn, ref, report, ZoneInfo(zone))
            seen = _SeenCodes(conn)
            previews: list[pd.DataFrame] = []
            parse_one = functools.partial(_parse_one, mp=mp)
            for chunk in table.chunks:
                report.rows_read += len(chunk)
                report.chunk_reasons = {}
                good, problems, new_ids = check_chunk(
                    chunk, mp, ref, now, allow_outside_china, seen.first_rows, parse_times, parse_one
                )
                seen.add(new_ids)
                problems.report_to(report, chunk.index.to_numpy())
                place_problems = Problems()
                good = _place(good, places, place_problems, report.counts)
                place_problems.report_to(report, good["_row"].to_numpy())
                good = good[~place_problems.bad(len(good))].reset_index(drop=True)
                reasons, report.chunk_reasons = report.chunk_reasons, None
                report.refused_total += len(reasons)
                shown = sum(len(p) for p in previews)
                if shown < PREVIEW_ROWS and len(good):
                    previews.append(writer.events(good.head(PREVIEW_ROWS - shown)))
                if reasons:
                    rejected = rejected_rows(chunk, report, reasons)
                    sink.write(rejected)
                    if len(report.rejected) < KEEP_REJECTED:
                        keep = rejected.head(KEEP_REJECTED - len(report.rejected))
                        report.rejected = keep if report.rejected.empty else pd.concat([report.rejected, keep])
                if len(good) and (allow_partial or not report.problems):
                    # once a row is refused without allow_partial, only checks go on
                    writer.make_room(int(report.rows_read / max(table.fraction(), 1e-6)))
                    writer.write(good)
                step(0.9 * table.fraction(), Message("progress_rows", checked=report.rows_read, written=writer.written))
            seen.drop()
            report.preview = _preview(previews)
            if report.rejected.empty:
                report.rejected = rejected_rows(pd.DataFrame(columns=table.columns), report, {})
            report.rejected = report.rejected.reset_index(drop=True)
            may_write = not report.problems or allow_partial
            if may_write and writer.written:
                step(0.92, Message("progress_derived"))
                writer.finish()
            outcome.keep = commit and may_write
        report.counts["rejects_written"] = sink.rows
    step(1.0, Message("progress_done"))
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
            mark = "?" if self.conn.dialect.paramstyle == "qmark" else "%s"
            self.conn.exec_driver_sql(
                f"INSERT INTO ingest_seen_codes (code, row) VALUES ({mark}, {mark})", list(first.items())
            )

    def drop(self) -> None:
        self.table.drop(self.conn)


def _place(good: pd.DataFrame, places: _Places, problems: Problems, counts: dict) -> pd.DataFrame:
    """Each row's micro_grid_id, grid_id, village_id, town_id, from the unit the file names or
    else the one its point lies in; rows that fit nowhere are refused (and left out).

    Points are matched to micro-grids when the store has them, and to grids where no micro-grid
    covers them (a hierarchy may have micro-grids in some grids only).
    """
    n = len(good)
    out = {k: np.full(n, -1, dtype=np.int64) for k in ("micro_grid_id", "grid_id", "village_id", "town_id")}
    lon, lat = good["lon"].to_numpy(dtype=float).copy(), good["lat"].to_numpy(dtype=float).copy()
    named = np.zeros(n, dtype=bool)
    for level, col in (("micro_grid", "micro_grid_code"), ("grid", "grid_code")):
        codes = good[col].to_numpy(dtype=object)
        ask = (codes != "") & ~named
        units = places.units[level]
        at = pd.Index(units["code"]).get_indexer(codes) if len(units) else np.full(n, -1)
        what = "no_micro_grid" if level == "micro_grid" else "no_grid"
        problems.add(ask & (at < 0), col, lambda p, c=codes, w=what: Message(w, code=c[p]))
        hit = ask & (at >= 0)
        _assign(out, units, at, hit, level)
        no_point = hit & np.isnan(lon)
        lon[no_point] = units["centroid_lon"].to_numpy(dtype=float)[at[no_point]]
        lat[no_point] = units["centroid_lat"].to_numpy(dtype=float)[at[no_point]]
        named |= codes != ""
    todo = ~named
    counts["placed_by_point"] += int(todo.sum())
    for level in ("micro_grid", "grid") if places.level == "micro_grid" else ("grid",):
        if not todo.any():
            break
        at = _join(lon, lat, todo, places, level)
        hit = todo & (at >= 0)
        _assign(out, places.units[level], at, hit, level)
        todo &= ~hit
    xs, ys = lon.tolist(), lat.tolist()
    problems.add(todo, "lon/lat", lambda p: Message("outside_grids", lon=xs[p], lat=ys[p]))
    placed = good.assign(lon=lon, lat=lat, **{k: _ids(v) for k, v in out.items()})
    return placed


def _assign(out: dict, units: pd.DataFrame, at: np.ndarray, hit: np.ndarray, level: str) -> None:
    """Copy the ids of unit `at[i]` of `level` into row i where `hit`."""
    if not hit.any():
        return
    j = at[hit]
    out["micro_grid_id"][hit] = units["id"].to_numpy()[j] if level == "micro_grid" else -1
    out["grid_id"][hit] = units["grid_id"].to_numpy()[j]
    out["village_id"][hit] = units["village_id"].to_numpy()[j]
    out["town_id"][hit] = units["town_id"].to_numpy()[j]


def _ids(values: np.ndarray) -> np.ndarray:
    """Ids with -1 for none → an object array of int / None (as stored)."""
    return np.array([v if v >= 0 else None for v in values.tolist()], dtype=object)


def _join(lon: np.ndarray, lat: np.ndarray, todo: np.ndarray, places: _Places, level: str) -> np.ndarray:
    """Per row, the index of the unit of `level` whose boundary holds its point (-1: none)."""
    rows = np.flatnonzero(todo)
    x, y = lon[rows], lat[rows]
    # Candidates by bounding box, then each unit's prepared shape tests its candidates at once
    # (`intersects` so a point on a shared edge still lands); units are in code order, so the
    # lowest index per point is the lowest code, which wins such ties.
    k, u = places.trees[level].query(shapely.points(x, y))
    inside = np.zeros(len(k), dtype=bool)
    shapes = places.units[level]["geometry"].to_numpy()
    for j in np.unique(u).tolist():
        pick = np.flatnonzero(u == j)
        inside[pick] = shapely.intersects_xy(shapes[j], x[k[pick]], y[k[pick]])
    k, u = k[inside], u[inside]
    order = np.lexsort((u, k))
    k, u = k[order], u[order]
    first = np.unique(k, return_index=True)[1]
    at = np.full(len(lon), -1, dtype=np.int64)
    at[rows[k[first]]] = u[first]
    return at


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


def _preview(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The first events as stored, times zone-aware (UTC)."""
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True).head(PREVIEW_ROWS)
    for col in ("reported_at", "deadline", "completed_at", "closed_at"):
        out[col] = pd.to_datetime(out[col]).dt.tz_localize("UTC")
    return out


def _utc(frame: pd.DataFrame, col: str) -> np.ndarray:
    return (
        frame[col].to_numpy(dtype="datetime64[us]") if col in frame else np.full(len(frame), np.datetime64("NaT", "us"))
    )


def _local_dates(at: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    """UTC instants → 'YYYY-MM-DD' of the local day in `tz` (None for NaT)."""
    local = pd.DatetimeIndex(at).tz_localize("UTC").tz_convert(tz).tz_localize(None)
    text = np.datetime_as_string(local.to_numpy(dtype="datetime64[D]"), unit="D").astype(object)
    text[np.isnat(at)] = None
    return text


def event_frame(good: pd.DataFrame, hours: dict[str, float], tz: ZoneInfo) -> pd.DataFrame:
    """The events as stored (less id): times as UTC datetime64, local days in `tz` as text."""
    reported = _utc(good, "t_report")
    closed = _utc(good, "t_close")
    completed = _utc(good, "t_complete")
    completed = np.where(np.isnat(completed), closed, completed)
    urgency = good["urgency"].to_numpy(dtype=object)
    allowed = np.array([np.timedelta64(int(round(hours[u] * 3600e6)), "us") for u in urgency.tolist()])
    deadline = _utc(good, "deadline_given")
    deadline = np.where(np.isnat(deadline), reported + allowed.astype("timedelta64[us]"), deadline)
    status = good["status"].to_numpy(dtype=object)
    dept = good["department_id"].to_numpy(dtype=object)
    done = np.isin(status, ["completed", "verified", "closed"])
    handled = np.where(done, np.where(pd.isna(dept), "county", "department"), None)
    none = np.full(len(good), None, dtype=object)
    return pd.DataFrame(
        {
            "code": good["code"],
            "category_code": good["category_code"],
            "item_type_code": good["item_type_code"],
            "source": good["source"],
            "urgency": urgency,
            "description": good["description"],
            "micro_grid_id": good["micro_grid_id"],
            "grid_id": good["grid_id"],
            "village_id": good["village_id"],
            "town_id": good["town_id"],
            "lon": good["lon"],
            "lat": good["lat"],
            "reported_at": reported,
            "report_date": _local_dates(reported, tz),
            "reported_by": none,
            "deadline": deadline,
            "status": status,
            "handled_level": handled,
            "department_id": dept,
            "filing_only": status == "filed",
            "quality_grade": none,
            "satisfaction": good["satisfaction"],
            "completed_at": completed,
            "closed_at": closed,
            "close_date": _local_dates(closed, tz),
            "escalations": good["escalations"],
            "returns": good["returns"],
            "rejections": good["rejections"],
        }
    )


def _step_ends(action: str, good: pd.DataFrame, county: int | None) -> tuple[np.ndarray, ...]:
    """(from_level, from_unit_id, to_level, to_unit_id) of each row's `action` step. Imported
    platforms tell when, not who: the centre is the actor, the department where the file names one."""
    n = len(good)
    dept = good["department_id"].to_numpy(dtype=object)
    has_dept = ~pd.isna(dept)
    centre = (np.full(n, "county", dtype=object), np.full(n, county, dtype=object))
    at_dept = (np.where(has_dept, "department", "county"), np.where(has_dept, dept, county))
    if action == "report":
        mg, grid = good["micro_grid_id"].to_numpy(dtype=object), good["grid_id"].to_numpy(dtype=object)
        own = np.isin(good["source"].to_numpy(dtype=object), ["patrol", "household_visit"])
        has_mg = ~pd.isna(mg)
        level = np.where(own, np.where(has_mg, "micro_grid", "grid"), None)
        unit = np.where(own, np.where(has_mg, mg, grid), None)
        return level, unit, *centre
    if action == "dispatch":
        return *centre, *at_dept
    if action in ("handle", "complete"):
        return *at_dept, *at_dept
    if action == "accept":
        level = np.where(has_dept, "department", "county")
        return *centre, level, np.where(has_dept, dept, county)
    return *centre, *centre


def step_frame(good: pd.DataFrame, event_ids: np.ndarray, county: int | None) -> pd.DataFrame:
    """One step per timestamp a row has, numbered in lifecycle order, sorted by event then seq."""
    actions = [c[2:] for c in good.columns if c.startswith("t_")]
    seq = np.zeros(len(good), dtype=np.int64)
    parts = []
    for action in actions:
        at = _utc(good, f"t_{action}")
        has = ~np.isnat(at)
        seq = seq + has
        if not has.any():
            continue
        frm_level, frm_unit, to_level, to_unit = _step_ends(action, good, county)
        parts.append(
            pd.DataFrame(
                {
                    "event_id": event_ids[has],
                    "seq": seq[has],
                    "action": action,
                    "from_level": frm_level[has],
                    "from_unit_id": frm_unit[has],
                    "to_level": to_level[has],
                    "to_unit_id": to_unit[has],
                    "at": at[has],
                    "actor_worker_id": None,
                    "actor": "import",
                    "_pos": np.flatnonzero(has),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["event_id", "seq"])
    steps = pd.concat(parts, ignore_index=True).sort_values(["_pos", "seq"], kind="stable")
    return steps.drop(columns=["_pos"]).reset_index(drop=True)


class _Writer:
    """Writes the checked rows of each chunk: reference rows once, events inserted or updated
    (matched on code), their steps rebuilt; `finish` brings ids, indexes and derived tables along."""

    def __init__(self, conn, ref: _Reference, report: ImportReport, tz: ZoneInfo):
        self.conn, self.ref, self.report, self.tz = conn, ref, report, tz
        self.hours, self.county = deadline_hours(conn), _county_id(conn)
        self.new_id = next_id(conn, schema.events)
        self.step_id = next_id(conn, schema.event_steps)
        self.had_events = self.new_id > 1  # an empty store holds none of the file's ids: no lookups
        self.written = self.updated = self.steps = 0
        self.paused = False
        self.dropped: list = []

    def events(self, good: pd.DataFrame) -> pd.DataFrame:
        """The rows' events as stored (less id)."""
        return event_frame(good, self.hours, self.tz)

    def make_room(self, expected_rows: int) -> None:
        """Before a big first write into SQLite: drop the secondary indexes of events and
        event_steps (in this transaction; `finish` builds them again): one sort per index at the
        end instead of a B-tree insert per row and index. Not on PostgreSQL: there DROP INDEX
        locks the table against every reader until the import commits."""
        if self.conn.dialect.name != "sqlite" or self.written or expected_rows < BIG_IMPORT:
            return
        if expected_rows < self.new_id:  # a small addition to a big store: keep its indexes
            return
        for table in (schema.events, schema.event_steps):
            for index in sorted(table.indexes, key=lambda ix: ix.name):
                index.drop(self.conn)
                self.dropped.append(index)

    def write(self, good: pd.DataFrame) -> None:
        conn = self.conn
        if not self.written:
            self.ref.write(conn)
            ensure_store_basics(conn)
        events = self.events(good)
        existing = self._existing(events["code"].tolist())
        ids = np.array([existing.get(c, -1) for c in events["code"].tolist()], dtype=np.int64)
        new = ids < 0
        ids[new] = np.arange(self.new_id, self.new_id + int(new.sum()))
        self.new_id += int(new.sum())
        steps = step_frame(good, ids, self.county)
        steps.insert(0, "id", np.arange(self.step_id, self.step_id + len(steps)))
        self.step_id += len(steps)
        events.insert(0, "id", ids)
        events["_update"] = ~new
        if not self.paused:  # the kill test's moment: half the first chunk written
            half = len(events) // 2
            self._flush(events.iloc[:half], steps[steps["event_id"].isin(ids[:half])])
            self.paused = True
            pause_hook()
            events, steps = events.iloc[half:], steps[steps["event_id"].isin(ids[half:])]
        self._flush(events, steps)
        self.written += len(good)

    def _existing(self, codes: list[str]) -> dict[str, int]:
        """Ids of the events the store already has, by code (a re-import updates them)."""
        existing: dict[str, int] = {}
        if not self.had_events:
            return existing
        for i in range(0, len(codes), IN_BATCH):
            q = select(schema.events.c.id, schema.events.c.code).where(
                schema.events.c.code.in_(codes[i : i + IN_BATCH])
            )
            existing.update({c: eid for eid, c in self.conn.execute(q)})
        upd_ids = list(existing.values())
        for i in range(0, len(upd_ids), IN_BATCH):  # steps of re-imported events are rebuilt from the file
            self.conn.execute(
                schema.event_steps.delete().where(schema.event_steps.c.event_id.in_(upd_ids[i : i + IN_BATCH]))
            )
        return existing

    def _flush(self, events: pd.DataFrame, steps: pd.DataFrame) -> None:
        if events.empty:
            return
        old = events["_update"].to_numpy(dtype=bool)
        events = events.drop(columns=["_update"])
        insert_frame(self.conn, schema.events, events[~old])
        if old.any():
            update_frame(self.conn, schema.events, events[old])
            self.updated += int(old.sum())
        insert_frame(self.conn, schema.event_steps, steps)
        self.steps += len(steps)

    def finish(self) -> None:
        reset_id_sequences(self.conn, [schema.events, schema.event_steps])
        for index in self.dropped:  # before the derived tables: their refresh reads by these
            index.create(self.conn)
        rollups.catch_up(self.conn)  # same transaction: a failed import leaves the derived tables as they were
        self.report.inserted, self.report.updated = self.written - self.updated, self.updated
        self.report.counts["steps"] = self.steps
