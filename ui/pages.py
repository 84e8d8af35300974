"""The page registry: every file in `pages/` is listed here, and only here, for `st.navigation`."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to the project root
    title_key: str  # key in ui.labels.LABELS
    icon: str
    url_path: str
    section_key: str
    default: bool = False


PAGES: list[PageSpec] = [
    PageSpec("pages/overview.py", "page_overview", ":material/dashboard:", "overview", "nav_monitor", default=True),
]
