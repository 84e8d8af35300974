"""Every message of the importers, by code: refusals of a whole file, row-level problems, warnings.

A `Message` is the English text (a `str`, for the command line, the rejects CSV and logs) that
also carries its `code` and `params`, so the admin page can show it in the reader's language:
`ui/labels/data_import_messages.py` has a Chinese and an English label per code
(`err_import_<code>`, the same placeholders; tests/test_data_import_page.py checks they match).
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # --- the file as a whole (ReadError) ---
    "not_utf8_or_gbk": "the file is neither UTF-8 nor GBK/GB18030 text (bad byte at offset {offset})",
    "nul_line": "line {line} contains a NUL byte (\\0): not a text export; nothing is read from it",
    "header_only": "the file has a header ({columns}) but no data rows",
    "nul_row": "row {row} contains a NUL byte (\\0); nothing is read from the file",
    "empty_file": "the file is empty",
    "bad_csv": "not a readable CSV file with delimiter {delimiter}: {detail}",
    "not_encoding": "the file is not {encoding} text throughout: {detail}",
    "bad_workbook": "not a readable Excel workbook: {detail}",
    "many_sheets": (
        "the workbook has {n} sheets with data ({sheets}); only one can be imported: save each sheet as its "
        "own file (or as CSV) and import them one by one"
    ),
    "empty_workbook": "the workbook is empty",
    # --- the mapping (ImportRefused) ---
    "bad_event_crs": "crs {crs!r}: event coordinates must be wgs84, gcj02 (AMap/Tencent) or bd09 (Baidu)",
    "bad_toml": "the mapping is not valid TOML: {detail}",
    "unknown_sections": "unknown mapping section(s): {names}",
    "no_timezone": (
        '[meta] must name the time zone of the times in the file, e.g. timezone = "Asia/Shanghai" '
        '(or "America/Los_Angeles"): a wrong guess shifts every time by hours'
    ),
    "unknown_timezone": "unknown time zone {zone!r} in [meta]",
    "unknown_fields": "unknown field(s) in [fields]: {names}; known: {known}",
    "no_code_field": "[fields] must name the source column of `code` (the event's id in the source)",
    "no_place_fields": "[fields] must give lon and lat, or grid_code / micro_grid_code, to place events",
    "unknown_step": "[steps] {action}: not an action a timestamp column can stand for ({actions})",
    "no_report_step": "[steps] must name the column of `report` (when the event was reported)",
    "unknown_values": "unknown [values.*] table(s): {names}",
    "bad_fixed_code": "{fld} {code!r} in the mapping is not one of {allowed}",
    # --- events: the file against the mapping and the store (ImportRefused) ---
    "item_unknown_category": (
        "[reference.item_types.{item}] names category {category!r}, which neither the store nor the mapping defines"
    ),
    "no_grids": "the store has no grids: import the boundaries (towns, villages, grids) first",
    "missing_columns": "column(s) {missing} named by the mapping are not in the file; it has: {columns}",
    "unknown_store_timezone": "unknown time zone {zone!r} for the store (an IANA name, e.g. America/Los_Angeles)",
    "timezone_fixed": (
        "the store's time zone is {store}, and it already holds events whose local days are {store} days: "
        "it cannot become {zone} (build a new store with --timezone {zone})"
    ),
    # --- events: per row ---
    "empty_id": "empty id",
    "long_id": "id longer than {n} characters",
    "duplicate_id": "duplicate id {code!r} (first at row {first})",
    "unknown_item_type": "unknown item type {raw!r}",
    "no_category": "no category",
    "unknown_category": "unknown category {raw!r}",
    "item_not_in_category": "item type {raw!r} belongs to {owner}, not {category}",
    "no_item_type": "no item type",
    "unknown_source": "unknown source {raw!r}",
    "unknown_urgency": "unknown urgency {raw!r}",
    "unknown_status": "unknown status {raw!r}",
    "no_source": "no source",
    "no_urgency": "no urgency",
    "unknown_department": "unknown department {raw!r}",
    "no_place": "no coordinates and no grid code",
    "not_numbers": "not numbers: {lon!r}, {lat!r}",
    "not_lonlat": "({lon}, {lat}) is not a longitude/latitude",
    "outside_china": (
        "({lon}, {lat}) lies outside China (swapped columns or projected coordinates? "
        "data from outside China needs --allow-outside-china)"
    ),
    "bad_time": "unparseable time {text!r}",
    "no_report_time": "no report time",
    "step_order": "{action} at {at} is before {before} at {before_at}",
    "future_time": "{action} time {at} is in the future",
    "closed_no_close": "closed, but the file gives no closing time",
    "deadline_early": "deadline before the report time",
    "not_whole_number": "{text!r} is not a whole number from {lo} to {hi}",
    "no_micro_grid": "no micro-grid {code!r} in the store",
    "no_grid": "no grid {code!r} in the store",
    "outside_grids": "point ({lon}, {lat}) lies outside every grid boundary in the store",
    # --- boundaries: the file (ImportRefused) ---
    "boundary_format": "{name}: unsupported boundary format {suffix}; use GeoJSON, a zipped Shapefile or a GeoPackage",
    "bad_zip": "{name}: not a readable zip file",
    "zip_shp_count": "{name}: the zip must hold exactly one .shp (found {n})",
    "unreadable_boundaries": "{name}: cannot read the boundaries ({detail})",
    "no_features": "{name}: the file holds no features",
    "unknown_crs": (
        "--crs {crs!r} is not a coordinate reference system pyproj knows ({detail}); "
        "for AMap/DataV or Baidu coordinates use --crs gcj02 or --crs bd09"
    ),
    "no_crs_projected": (
        "the file declares no CRS and its coordinates are not longitudes/latitudes; "
        "give the CRS with --crs (e.g. EPSG:4490, EPSG:32651)"
    ),
    "reproject_failed": "cannot reproject from {crs} to EPSG:4326 ({detail})",
    "china_crs_projected": (
        "--crs {kind}: the file declares the projected CRS {crs}, "
        "but GCJ-02 / BD-09 coordinates are longitudes and latitudes"
    ),
    "china_crs_not_lonlat": "--crs {kind}: the coordinates are not longitudes/latitudes",
    "bad_level": "level must be one of {levels}, not {level!r}",
    "boundary_missing_columns": "column(s) {missing} not in the file; it has: {columns}",
    "town_parent_field": "a {level} has no parent field: towns hang under the county",
    "dissolve_blank": "--dissolve-by {by}: {n} feature(s) have no {by} (the first is feature {first})",
    "dissolve_failed": "--dissolve-by {by}: the shapes could not be merged ({detail})",
    # --- boundaries: per feature ---
    "not_whole": "{text!r} is not a whole number",
    "negative": "{value} is negative",
    "long_unit_id": "id {code!r} is longer than 32 characters",
    "duplicate_feature_id": "duplicate id {code!r} (first at feature {first})",
    "empty_name": "empty name",
    "long_name": "name longer than 64 characters",
    "no_geometry": "no geometry",
    "not_polygon": "a {kind}, not a polygon",
    "invalid_geometry": "invalid ({why}) and nothing polygonal is left after repair",
    "shape_outside_china": (
        "lies outside China after reprojection from {crs} (bounds {x0:.3f},{y0:.3f} … {x1:.3f},{y1:.3f}): wrong CRS?"
    ),
    "repaired": "{code}: repaired with make_valid ({why}); area {before:.3e} → {after:.3e} deg²",
    "no_parent_level": "the store has no {plevel} boundaries yet: import the {plevel} level first",
    "empty_parent": "empty {plevel} code",
    "unknown_parent": "no {plevel} with code {code!r} in the store",
    "outside_parent": "lies in no {plevel} of the store (by its representative point)",
    "one_county": "a store has one county: import a file with exactly one county feature",
    "code_taken": "code {code!r} is already a {level} in the store",
    # --- progress ---
    "progress_reading": "reading",
    "progress_shapes": "checking shapes",
    "progress_parents": "linking parents",
    "progress_writing": "writing",
    "progress_rows": "{checked:,} rows checked, {written:,} written",
    "progress_derived": "updating the derived tables",
    "progress_done": "done",
    # --- warnings ---
    "converted_crs": "coordinates converted from {crs} to WGS-84",
    "zone_differs": (
        "the file's times are {file_zone} times; the store counts days in {store} (its setting, see --timezone), "
        "so report and close dates are {store} days"
    ),
    "looks_china_export": (
        "the file looks like an AMap/DataV or Baidu export ({hits}); such files use GCJ-02 or BD-09, "
        "which sit 100–700 m off WGS-84: if so, import again with --crs gcj02 or --crs bd09"
    ),
    "crs_overridden": "the file declares {declared}, overridden by {wanted}",
    "crs_assumed": "the file declares no CRS; its numbers look like longitudes/latitudes, so it is read as EPSG:4326",
    "dissolved": "{n} features merged into {m} by their {by} property",
    "county_made": (
        "the store had no county: one named 全县 (code COUNTY) was made of the union of the "
        "towns; import the county boundary with --level county to replace it"
    ),
}


class Message(str):
    """The English text of message `code` with `params`; `.code` and `.params` let a page say it
    in another language."""

    code: str
    params: dict

    def __new__(cls, code: str, /, **params) -> Message:
        self = super().__new__(cls, MESSAGES[code].format(**params))
        self.code, self.params = code, params
        return self

    def __reduce__(self):  # pickles (Streamlit session state) as the message it is
        return (_message, (self.code, self.params))


def _message(code: str, params: dict) -> Message:
    return Message(code, **params)


def message(reason) -> Message | None:
    """The Message behind an exception or a reason (None for plain text)."""
    if isinstance(reason, Message):
        return reason
    inner = reason.args[0] if isinstance(reason, BaseException) and reason.args else None
    return inner if isinstance(inner, Message) else None
