"""The data import page's parts: messages, the import settings of a file, the report."""
