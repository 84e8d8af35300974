"""Shapes and map layers built from the store's WKT boundaries (no base-map tiles needed)."""
