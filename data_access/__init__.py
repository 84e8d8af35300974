"""GridSight data layer: the only package that talks to the SQL store.

Pages call the query functions here with an Engine and a `Filters` value and get
aggregated DataFrames back; they never write SQL or open connections themselves.
"""

# The derived tables (data_access/rollups) live on schema's metadata: importing them with the
# package means every create_all / drop_all / sorted_tables sees them, whatever module of the
# package was imported first. Here rather than at the foot of schema.py, so schema and the rollups
# do not import each other. Not part of REQUIRED_TABLES: a store without them is told to run the
# rebuild command (see data_access.rollups.status).
from . import rollups as _rollups  # noqa: F401
