"""The per-row checks of an event export, one column at a time (issue 17 / 20).

A chunk of source rows (text cells, index = the row number a person sees) goes through named
steps, each a vectorised pass over whole columns: ids, item type and category, the fixed codes
(source, urgency, status), department, description, place, times, deadline, counts. Each step
adds its problems to a `Problems` collector and its values to the `Checked` frame; the problems
are handed to the report in row order (within a row, in the order of the steps), exactly as a
row-by-row pass would give them. Work that depends on a cell's text alone (mapping a code,
parsing a time) is done once per distinct text, not once per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import lifecycle
from .chinacrs import CHINA_CRS, to_wgs84_xy
from .mapping import FIXED_CODES, Mapping
from .messages import Message
from .validation import ImportReport

CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)
FUTURE_SLACK = dt.timedelta(hours=1)
MAX_CODE = 40
COUNTS = (("satisfaction", 1, 5), ("escalations", 0, 999), ("returns", 0, 999), ("rejections", 0, 999))


@dataclass
class Problems:
    """Problems of one chunk as (row positions, field, reasons), in the order they were found."""

    found: list[tuple[np.ndarray, str, list[str]]] = field(default_factory=list)

    def add(self, mask: np.ndarray, field_name: str, reason: Message | Callable[[int], Message]) -> None:
        """A problem for every row where `mask` holds; `reason` is a message or position → message."""
        pos = np.flatnonzero(mask)
        if len(pos):
            reasons = [reason(int(p)) for p in pos] if callable(reason) else [reason] * len(pos)
            self.found.append((pos, field_name, reasons))

    def bad(self, n: int) -> np.ndarray:
        out = np.zeros(n, dtype=bool)
        for pos, _f, _r in self.found:
            out[pos] = True
        return out

    def report_to(self, report: ImportReport, rows: np.ndarray) -> None:
        """Into `report`, in row order (a stable sort keeps the steps' order within a row)."""
        if not self.found:
            return
        pos = np.concatenate([p for p, _f, _r in self.found])
        fields = [f for p, f, _r in self.found for _ in range(len(p))]
        reasons = [r for _p, _f, rs in self.found for r in rs]
        for i in np.argsort(pos, kind="stable").tolist():
            report.error(int(rows[pos[i]]), fields[i], reasons[i])


def per_value(values: np.ndarray, fn: Callable[[object], object], dtype=object, fill=None) -> np.ndarray:
    """`fn` of each cell, computed once per distinct value (`fill` for None cells)."""
    codes, uniques = pd.factorize(values)
    mapped = np.array([fn(u) for u in uniques] + [fill], dtype=dtype)  # code -1 (None) takes the last
    return mapped[codes]


class Source:
    """The chunk's cells by GridSight field: the mapped column, else the mapping's default."""

    def __init__(self, df: pd.DataFrame, mp: Mapping):
        self.df, self.mp, self.n = df, mp, len(df)
        self.rows = df.index.to_numpy()

    def column(self, name: str) -> np.ndarray:
        return self.df[name].to_numpy(dtype=object)

    def get(self, fld: str) -> np.ndarray:
        f = self.mp.fields
        if fld in f:
            return self.column(f[fld])
        return np.full(self.n, self.mp.defaults.get(fld, ""), dtype=object)

    def name(self, fld: str) -> str:
        """The field's source column, for messages (the field's own name when not mapped)."""
        return self.mp.fields.get(fld, fld)

    def coded(self, fld: str, raw: np.ndarray) -> np.ndarray:
        """Source values → GridSight codes through [values.F]; '' stays ''."""
        table = self.mp.values.get(fld, {})
        return per_value(raw, lambda v: table.get(v, v) if v else "")


def check_codes(src: Source, earlier: dict[str, int], problems: Problems) -> tuple[np.ndarray, dict[str, int]]:
    """The ids: empty, too long, or seen before (in an earlier chunk or higher up in this one).
    Returns the ids and the new ones' first rows (every valid id, also of rows refused later)."""
    codes = src.get("code")
    col = src.name("code")
    lengths = per_value(codes, len, dtype=np.int64, fill=0)
    empty = lengths == 0
    long = lengths > MAX_CODE
    valid = ~empty & ~long
    problems.add(empty, col, Message("empty_id"))
    problems.add(long, col, Message("long_id", n=MAX_CODE))
    first_row = pd.Series(src.rows).groupby(codes).transform("first").to_numpy()
    before = np.array([earlier.get(c, -1) for c in codes.tolist()], dtype=np.int64)
    seen_at = np.where(before >= 0, before, first_row)
    dup = valid & ((before >= 0) | (first_row != src.rows))
    problems.add(dup, col, lambda p: Message("duplicate_id", code=codes[p], first=int(seen_at[p])))
    new = valid & (before < 0) & (first_row == src.rows)
    return codes, dict(zip(codes[new].tolist(), src.rows[new].tolist()))


def check_kind(src: Source, ref, problems: Problems) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Item type and category: (item codes, category codes, the item type's default urgency)."""
    item_raw, cat_raw = src.get("item_type"), src.get("category")
    item = src.coded("item_type", item_raw)
    known = per_value(item, lambda v: v in ref.items, dtype=bool, fill=False)
    item_cat = per_value(item, lambda v: ref.items[v][0] if v in ref.items else "")
    default_urgency = per_value(item, lambda v: ref.items[v][1] if v in ref.items else "")
    ifield, cfield = src.name("item_type"), src.name("category")
    problems.add((item != "") & ~known, ifield, lambda p: Message("unknown_item_type", raw=item_raw[p]))
    category = np.where(cat_raw != "", src.coded("category", cat_raw), item_cat)
    cat_known = per_value(category, lambda v: v in ref.categories, dtype=bool, fill=False)
    problems.add(category == "", cfield, Message("no_category"))
    problems.add((category != "") & ~cat_known, cfield, lambda p: Message("unknown_category", raw=cat_raw[p]))
    clash = (category != "") & cat_known & known & (item_cat != category)
    problems.add(
        clash,
        ifield,
        lambda p: Message("item_not_in_category", raw=item_raw[p], owner=item_cat[p], category=category[p]),
    )
    problems.add(item == "", ifield, Message("no_item_type"))
    return item, category, default_urgency


def check_fixed(src: Source, fld: str, default: np.ndarray | None, problems: Problems) -> np.ndarray:
    """source / urgency / status: one of the fixed codes (status may be empty: it follows from
    the steps); urgency defaults to the item type's."""
    raw = src.get(fld)
    value = src.coded(fld, raw)
    if default is not None:
        value = np.where(value == "", default, value)
    allowed = set(FIXED_CODES[fld])
    unknown = (value != "") & ~per_value(value, lambda v: v in allowed, dtype=bool, fill=False)
    problems.add(unknown, src.name(fld), lambda p: Message(f"unknown_{fld}", raw=raw[p]))
    if fld != "status":
        problems.add(value == "", src.name(fld), Message(f"no_{fld}"))
    return value


def check_department(src: Source, ref, problems: Problems) -> np.ndarray:
    """The department's id (None where the file names none), refused when the store lacks it."""
    raw = src.get("department")
    code = src.coded("department", raw)
    ids = per_value(code, lambda v: ref.departments.get(v) if v else None)
    problems.add(
        (code != "") & pd.isna(ids), src.name("department"), lambda p: Message("unknown_department", raw=raw[p])
    )
    return ids


def description(src: Source) -> np.ndarray:
    """The description, with the address appended in brackets."""
    desc = src.get("description")
    if "address" not in src.mp.fields:
        return desc
    addr = src.get("address")
    joined = np.array([f"{d}({a})" if d else a for d, a in zip(desc.tolist(), addr.tolist())], dtype=object)
    return np.where(addr != "", joined, desc)


def _numbers(text: np.ndarray) -> np.ndarray:
    """Finite numbers, NaN where the text is not one."""
    out = pd.to_numeric(pd.Series(text, dtype=object), errors="coerce").to_numpy(dtype=float, copy=True)
    out[~np.isfinite(out)] = np.nan
    return out


def check_point(src: Source, allow_outside: bool, problems: Problems) -> tuple[np.ndarray, np.ndarray]:
    """lon/lat as WGS-84 numbers (converted from GCJ-02 / BD-09 when the mapping says so), NaN
    where the row has none; refused when not numbers, not a longitude/latitude or (unless
    allowed) outside China. A row needs a point or a grid code."""
    f, n = src.mp.fields, src.n
    lon, lat = np.full(n, np.nan), np.full(n, np.nan)
    has_codes = (src.get("grid_code") != "") | (src.get("micro_grid_code") != "")
    if not ("lon" in f and "lat" in f):
        problems.add(~has_codes, src.name("lon"), Message("no_place"))
        return lon, lat
    lon_txt, lat_txt = src.column(f["lon"]), src.column(f["lat"])
    given = (lon_txt != "") | (lat_txt != "")
    where = f"{f['lon']}/{f['lat']}"
    x, y = _numbers(lon_txt), _numbers(lat_txt)
    numbers = given & ~np.isnan(x) & ~np.isnan(y)
    problems.add(given & ~numbers, where, lambda p: Message("not_numbers", lon=lon_txt[p], lat=lat_txt[p]))
    xs, ys = x.tolist(), y.tolist()
    lonlat = numbers & (np.abs(np.nan_to_num(x)) <= 180) & (np.abs(np.nan_to_num(y)) <= 90)
    problems.add(numbers & ~lonlat, where, lambda p: Message("not_lonlat", lon=xs[p], lat=ys[p]))
    ok = lonlat
    if not allow_outside:
        minx, miny, maxx, maxy = CHINA_BOUNDS
        inside = lonlat & (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
        problems.add(
            lonlat & ~inside,
            where,
            lambda p: Message("outside_china", lon=xs[p], lat=ys[p]),
        )
        ok = inside
    if src.mp.crs in CHINA_CRS and ok.any():
        x, y = x.copy(), y.copy()
        x[ok], y[ok] = to_wgs84_xy(src.mp.crs, x[ok], y[ok])
    lon[ok], lat[ok] = x[ok], y[ok]
    problems.add(~given & ~has_codes, src.name("lon"), Message("no_place"))
    return lon, lat


@dataclass
class Times:
    """The steps' times of a chunk: per action, UTC instants (NaT where the row has none) and
    the parsed values as the file gave them (for messages)."""

    utc: dict[str, np.ndarray]  # action → datetime64[us] (UTC, naive)
    shown: dict[str, np.ndarray]  # action → zone-aware datetime or None
    column: dict[str, str]  # action → source column


def _as_utc(values: np.ndarray) -> np.ndarray:
    """Zone-aware datetimes (or None) → datetime64[us] in UTC, NaT for None."""
    return per_value(values, _utc_us, dtype="datetime64[us]") if len(values) else np.array([], "datetime64[us]")


def _utc_us(value) -> np.datetime64:
    if value is None:
        return np.datetime64("NaT", "us")
    return np.datetime64(value.astimezone(dt.UTC).replace(tzinfo=None), "us")


def parsed_column(text: np.ndarray, parsed: dict) -> np.ndarray:
    """Each cell's parsed time (None where empty or unparseable)."""
    return per_value(text, lambda t: parsed.get(t) if t else None)


def check_times(src: Source, status: np.ndarray, parsed: dict[str, dict], now, problems: Problems) -> Times:
    """The steps' times: unparseable, missing report, out of order, in the future. A step with
    `statuses` counts only for rows whose mapped status is one of them."""
    mp, n = src.mp, src.n
    utc, shown, column = {}, {}, {}
    unparsed_report = np.zeros(n, dtype=bool)
    for spec in mp.steps:
        text = src.column(spec.column)
        use = text != ""
        if spec.statuses:
            use &= np.isin(status, list(spec.statuses))
        values = parsed_column(np.where(use, text, ""), parsed[spec.column])
        bad = use & pd.isna(values)
        problems.add(bad, spec.column, lambda p, text=text: Message("bad_time", text=text[p]))
        if spec.action == "report":
            unparsed_report = bad
        shown[spec.action], column[spec.action] = values, spec.column
        utc[spec.action] = _as_utc(values)
    report_at = utc.get("report", np.full(n, np.datetime64("NaT", "us")))
    problems.add(np.isnat(report_at) & ~unparsed_report, mp.steps[0].column, Message("no_report_time"))
    _check_order(utc, shown, column, problems)
    limit = np.datetime64((now + FUTURE_SLACK).astimezone(dt.UTC).replace(tzinfo=None), "us")
    for action, at in utc.items():
        values = shown[action]
        problems.add(
            ~np.isnat(at) & (at > limit),
            column[action],
            lambda p, a=action, v=values: Message("future_time", action=a, at=v[p].isoformat()),
        )
    return Times(utc, shown, column)


def _check_order(utc, shown, column, problems: Problems) -> None:
    """A step before the one before it (or before the report) is refused, not given a negative
    duration: each time is compared with the report when it is earlier than that, else with the
    latest step the row has before it."""
    actions = list(utc)
    if not actions:
        return
    n = len(utc[actions[0]])
    report_at = utc.get("report")
    prev_at = np.full(n, np.datetime64("NaT", "us"))
    prev_action = np.full(n, "", dtype=object)
    for action in actions:
        at = utc[action]
        has = ~np.isnat(at)
        check = has & ~np.isnat(prev_at)
        if report_at is not None and action != "report":
            before_report = check & ~np.isnat(report_at) & (at < report_at)
        else:
            before_report = np.zeros(n, dtype=bool)
        against = np.where(before_report, "report", prev_action)
        against_at = np.where(before_report, report_at if report_at is not None else prev_at, prev_at)
        wrong = check & (at < against_at)
        values = shown[action]

        def reason(p, a=action, values=values, against=against):
            return Message(
                "step_order",
                action=a,
                at=values[p].isoformat(),
                before=against[p],
                before_at=shown[against[p]][p].isoformat(),
            )

        problems.add(wrong, column[action], reason)
        prev_at = np.where(has, at, prev_at)
        prev_action = np.where(has, action, prev_action)


def infer_status(status: np.ndarray, times: Times) -> np.ndarray:
    """Rows without a status get the one after their last step."""
    out = status.copy()
    last = np.full(len(status), "", dtype=object)
    for action, at in times.utc.items():
        last = np.where(~np.isnat(at), action, last)
    after = per_value(last, lambda a: lifecycle.STATUS_AFTER[a] if a else "")
    return np.where(out == "", after, out)


def check_closed(src: Source, status: np.ndarray, times: Times, problems: Problems) -> None:
    closed_at = times.utc.get("close")
    no_close = np.ones(src.n, dtype=bool) if closed_at is None else np.isnat(closed_at)
    problems.add((status == "closed") & no_close, "status", Message("closed_no_close"))


def check_deadline(src: Source, parsed: dict[str, dict], times: Times, parse_one, problems: Problems) -> np.ndarray:
    """The deadline (UTC, NaT where the file gives none): parseable and not before the report."""
    text = src.get("deadline")
    fld = src.name("deadline")
    if "deadline" in src.mp.fields:
        values = parsed_column(text, parsed[src.mp.fields["deadline"]])
    else:
        values = per_value(text, lambda t: parse_one(t) if t else None)
    problems.add((text != "") & pd.isna(values), fld, lambda p: Message("bad_time", text=text[p]))
    at = _as_utc(values)
    report_at = times.utc.get("report")
    if report_at is not None:
        problems.add(~np.isnat(at) & ~np.isnat(report_at) & (at < report_at), fld, Message("deadline_early"))
    return at


def check_counts(src: Source, problems: Problems) -> dict[str, np.ndarray]:
    """satisfaction (1–5, None when empty) and the escalation / return / rejection counts
    (0–999, 0 when empty) as whole numbers (a decimal is cut, as int(float(text)) does)."""
    out = {}
    for fld, lo, hi in COUNTS:
        text = src.get(fld)
        given = text != ""
        value = np.trunc(_numbers(text))
        ok = given & ~np.isnan(value) & (value >= lo) & (value <= hi)
        problems.add(
            given & ~ok,
            src.name(fld),
            lambda p, t=text, lo=lo, hi=hi: Message("not_whole_number", text=t[p], lo=lo, hi=hi),
        )
        empty = None if fld == "satisfaction" else 0
        out[fld] = np.array([int(v) if k else empty for v, k in zip(value.tolist(), ok.tolist())], dtype=object)
    return out


def check_chunk(df: pd.DataFrame, mp: Mapping, ref, now, allow_outside: bool, earlier, parse_times, parse_one):
    """Every check of a chunk: (the rows that passed as a frame, the problems, the new ids' first
    rows). `earlier(codes)` gives the first row of ids seen in earlier chunks."""
    src = Source(df, mp)
    problems = Problems()
    codes = src.get("code")
    lookup = [c for c in pd.unique(codes).tolist() if c and len(c) <= MAX_CODE]
    codes, new_ids = check_codes(src, earlier(lookup), problems)
    item, category, default_urgency = check_kind(src, ref, problems)
    fixed = {
        "source": check_fixed(src, "source", None, problems),
        "urgency": check_fixed(src, "urgency", default_urgency, problems),
        "status": check_fixed(src, "status", None, problems),
    }
    dept = check_department(src, ref, problems)
    desc = description(src)
    lon, lat = check_point(src, allow_outside, problems)
    time_columns = {s.column for s in mp.steps} | ({mp.fields["deadline"]} if "deadline" in mp.fields else set())
    parsed = {c: parse_times(df[c], mp.timezone, mp.time_format) for c in time_columns}
    times = check_times(src, fixed["status"], parsed, now, problems)
    status = infer_status(fixed["status"], times)
    check_closed(src, status, times, problems)
    deadline = check_deadline(src, parsed, times, parse_one, problems)
    counts = check_counts(src, problems)
    frame = pd.DataFrame(
        {
            "_row": src.rows,
            "code": codes,
            "category_code": category,
            "item_type_code": item,
            "source": fixed["source"],
            "urgency": fixed["urgency"],
            "status": status,
            "department_id": dept,
            "description": desc,
            "grid_code": src.get("grid_code"),
            "micro_grid_code": src.get("micro_grid_code"),
            "lon": lon,
            "lat": lat,
            "deadline_given": deadline,
            **{f"t_{a}": at for a, at in times.utc.items()},
            **counts,
        }
    )
    good = frame[~problems.bad(src.n)].reset_index(drop=True)
    return good, problems, new_ids
