"""Select boxes whose first option stands for "all".

The "all" option is a sentinel string, not None: Streamlit sends a None value to the browser as
"no choice" and draws the placeholder, so after a rerun that relabels the widget (the language
switch) an "all" held as None showed "Choose an option" instead of "All".
"""

from __future__ import annotations

ALL = "__all__"


def with_all(options) -> list:
    """`options` after the "all" choice."""
    return [ALL, *options]


def chosen(value):
    """The value a select returned, None for "all"."""
    return None if value is None or value == ALL else value
