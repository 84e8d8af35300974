"""The TOML mapping from a source export to the GridSight event fields.

[meta]      name, timezone (required: the zone of times without an offset, e.g. Asia/Shanghai),
            time_format (strptime format; default: ISO 8601 and common variants),
            crs of lon/lat: wgs84 (default), gcj02 (AMap/Tencent) or bd09 (Baidu), converted to WGS-84
[fields]    GridSight field = source column. code is required; lon/lat or grid_code /
            micro_grid_code locate the event; category, item_type, status, source, urgency,
            department, description, address, deadline, satisfaction, escalations, returns,
            rejections are optional.
[steps]     action = column, or {column = "...", statuses = [...]} to use the time only for
            rows whose mapped status is listed (Open311's updated_datetime is the closing time
            only when the request is closed). `report` is required. Actions: see STEP_COLUMNS.
[defaults]  a value for a field the file lacks (source, urgency, category…), given as a
            GridSight code.
[values.F]  source value → GridSight code, for F in category, item_type, status, source,
            urgency, department. A value not listed must already be a GridSight code.
[reference] categories / item_types / departments the mapping uses, created when missing
            (existing rows are left as they are).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .. import schema
from .chinacrs import china_crs
from .validation import ImportRefused

FIELDS = (
    "code",
    "category",
    "item_type",
    "status",
    "source",
    "urgency",
    "department",
    "description",
    "address",
    "lon",
    "lat",
    "grid_code",
    "micro_grid_code",
    "deadline",
    "satisfaction",
    "escalations",
    "returns",
    "rejections",
)
# What each [fields] key means: the README's mapping reference is generated from these
# (`reference_markdown`) and tests/test_docs.py checks it is current.
FIELD_HELP = {
    "code": "required. The event's id in the source (≤ 40 characters, unique in the file); a re-import updates by it",
    "category": "event category code (or a source value mapped in [values.category]); default: the item type's",
    "item_type": "item type code (or mapped in [values.item_type]); required unless [defaults] gives one",
    "status": "status (mapped in [values.status] to reported … filed); default: after the last step the row has",
    "source": "how it was reported: patrol, household_visit, resident_call, camera_alert, hotline_12345",
    "urgency": "emergency, urgent or ordinary; default: the item type's default urgency",
    "department": "department code (or mapped in [values.department]); the handler of dispatched work",
    "description": "free text shown on the event",
    "address": "appended to the description in brackets",
    "lon": "longitude (WGS-84, or the [meta] crs); with lat places the event by point in polygon",
    "lat": "latitude, with lon",
    "grid_code": "the grid's code, when the export names it (no point needed)",
    "micro_grid_code": "the micro-grid's code, when the export names it",
    "deadline": "time the event is due; default: report time + the urgency's deadline hours",
    "satisfaction": "resident's rating, a whole number 1–5",
    "escalations": "times escalated, 0–999",
    "returns": "times returned, 0–999",
    "rejections": "times rejected, 0–999",
}
META_HELP = {
    "name": "a name for the mapping, shown nowhere else",
    "timezone": "required. IANA zone of times without an offset, e.g. Asia/Shanghai or America/Los_Angeles",
    "time_format": "strptime format of the times, e.g. %m/%d/%y %H:%M; default: ISO 8601 and common variants",
    "crs": "coordinates of lon/lat: wgs84 (default), gcj02 (AMap/Tencent) or bd09 (Baidu)",
}
VALUE_FIELDS = ("category", "item_type", "status", "source", "urgency", "department")
# Step actions a single timestamp column can stand for, in lifecycle order.
STEP_COLUMNS = ("report", "accept", "register", "dispatch", "handle", "complete", "verify", "close", "file")
FIXED_CODES = {"status": schema.EVENT_STATUSES, "source": schema.EVENT_SOURCES, "urgency": schema.URGENCIES}


def reference_markdown() -> str:
    """The mapping keys as Markdown tables (README "Mapping reference")."""
    lines = ["| [meta] key | meaning |", "|---|---|"]
    lines += [f"| `{k}` | {v} |" for k, v in META_HELP.items()]
    lines += ["", "| [fields] key | meaning |", "|---|---|"]
    lines += [f"| `{k}` | {FIELD_HELP[k]} |" for k in FIELDS]
    lines += [
        "",
        "| section | meaning |",
        "|---|---|",
        '| `[steps]` | action = column, or `{ column = "…", statuses = ["…"] }` to use the time only for rows '
        f"with those statuses; `report` is required; actions in lifecycle order: {', '.join(STEP_COLUMNS)} |",
        '| `[defaults]` | a GridSight code for a field the file lacks, e.g. `urgency = "ordinary"` |',
        f"| `[values.F]` | source value → GridSight code, for F in {', '.join(VALUE_FIELDS)} |",
        "| `[reference]` | `categories`, `item_types`, `departments` the mapping uses, created when missing |",
    ]
    return "\n".join(lines)


@dataclass
class StepSpec:
    action: str
    column: str
    statuses: tuple[str, ...] = ()  # empty: every row


@dataclass
class Mapping:
    name: str
    timezone: ZoneInfo
    time_format: str | None
    fields: dict[str, str]
    steps: list[StepSpec]
    defaults: dict[str, str]
    values: dict[str, dict[str, str]]
    reference: dict[str, dict[str, dict]] = field(default_factory=dict)
    crs: str = "wgs84"  # or gcj02 / bd09 (see chinacrs)

    def columns(self) -> list[str]:
        """Every source column the mapping reads."""
        cols = list(dict.fromkeys([*self.fields.values(), *(s.column for s in self.steps)]))
        return cols


def coordinate_system(name) -> str:
    """'wgs84', 'gcj02' or 'bd09' for a crs given in a mapping or on the command line."""
    china = china_crs(name)
    if china:
        return china
    if str(name).strip().upper().replace("-", "") in ("WGS84", "EPSG:4326", "EPSG:4490", "CGCS2000"):
        return "wgs84"
    raise ImportRefused("bad_event_crs", crs=name)


def load_mapping(source) -> Mapping:
    """From a path, TOML text or bytes; ImportRefused with the reason when it is not usable."""
    if isinstance(source, Path) or (isinstance(source, str) and source.endswith(".toml") and "\n" not in source):
        text = Path(source).read_text(encoding="utf-8")
    elif isinstance(source, (bytes, bytearray)):
        text = bytes(source).decode("utf-8-sig")
    elif hasattr(source, "getvalue"):
        text = source.getvalue().decode("utf-8-sig")
    else:
        text = str(source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ImportRefused("bad_toml", detail=str(exc)) from exc
    unknown = set(data) - {"meta", "fields", "steps", "defaults", "values", "reference"}
    if unknown:
        raise ImportRefused("unknown_sections", names=", ".join(sorted(unknown)))
    meta = data.get("meta", {})
    if not str(meta.get("timezone", "")).strip():
        raise ImportRefused("no_timezone")
    try:
        tz = ZoneInfo(meta["timezone"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ImportRefused("unknown_timezone", zone=meta.get("timezone")) from exc
    fields = {k: str(v) for k, v in data.get("fields", {}).items() if str(v)}
    bad = set(fields) - set(FIELDS)
    if bad:
        raise ImportRefused("unknown_fields", names=", ".join(sorted(bad)), known=", ".join(FIELDS))
    if "code" not in fields:
        raise ImportRefused("no_code_field")
    if not ({"lon", "lat"} <= set(fields) or fields.keys() & {"grid_code", "micro_grid_code"}):
        raise ImportRefused("no_place_fields")
    steps = []
    for action, spec in data.get("steps", {}).items():
        if action not in STEP_COLUMNS:
            raise ImportRefused("unknown_step", action=action, actions=", ".join(STEP_COLUMNS))
        if isinstance(spec, str):
            steps.append(StepSpec(action, spec))
        else:
            steps.append(StepSpec(action, str(spec["column"]), tuple(spec.get("statuses", ()))))
    if not any(s.action == "report" for s in steps):
        raise ImportRefused("no_report_step")
    steps.sort(key=lambda s: STEP_COLUMNS.index(s.action))
    values = {k: {str(a): str(b) for a, b in v.items()} for k, v in data.get("values", {}).items()}
    bad = set(values) - set(VALUE_FIELDS)
    if bad:
        raise ImportRefused("unknown_values", names=", ".join(sorted(bad)))
    defaults = {k: str(v) for k, v in data.get("defaults", {}).items()}
    for fld, allowed in FIXED_CODES.items():
        for code in [*values.get(fld, {}).values(), *([defaults[fld]] if fld in defaults else [])]:
            if code not in allowed:
                raise ImportRefused("bad_fixed_code", fld=fld, code=code, allowed=", ".join(allowed))
    return Mapping(
        name=str(meta.get("name", "mapping")),
        timezone=tz,
        time_format=meta.get("time_format"),
        fields=fields,
        steps=steps,
        defaults=defaults,
        values=values,
        reference=data.get("reference", {}),
        crs=coordinate_system(meta.get("crs", "wgs84")),
    )
