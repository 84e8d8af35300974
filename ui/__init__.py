"""Streamlit-side helpers shared by the pages: labels, the store connection, filters, formatting."""
