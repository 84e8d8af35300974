"""Bring your own data: import boundaries and event exports into a GridSight store, safely.

    python -m data_access.ingest boundaries FILE --db URL --level town|village|grid|micro_grid
        --id-field F --name-field F [--parent-field F] [--crs EPSG:xxxx] [--allow-partial]
    python -m data_access.ingest events FILE --db URL --mapping MAPPING.toml [--allow-partial]

Each import validates every row first, reports problems with row numbers, writes the refused rows
to a CSV, and writes nothing unless the file is clean (or `--allow-partial`). All writes happen in
one transaction. The functions open their own writable engine on the URL they are given, so the
admin page (which only reads) never opens the database itself.
"""

from .boundaries import boundary_fields, import_boundaries, read_boundaries
from .encodings import ReadError, read_table
from .events import import_events
from .mapping import Mapping, load_mapping
from .validation import ImportRefused, ImportReport

__all__ = [
    "ImportRefused",
    "ImportReport",
    "Mapping",
    "ReadError",
    "boundary_fields",
    "import_boundaries",
    "import_events",
    "load_mapping",
    "read_boundaries",
    "read_table",
]
