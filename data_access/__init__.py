"""GridSight data layer: the only package that talks to the SQL store.

Pages call the query functions here with an Engine and a `Filters` value and get
aggregated DataFrames back; they never write SQL or open connections themselves.
"""
