"""The page registry: every file in `pages/` is listed here, and only here, for `st.navigation`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to the project root
    title_key: str  # key in ui.labels.LABELS
    icon: str  # Material icon, drawn from the font Streamlit bundles (no download)
    url_path: str
    section_key: str
    default: bool = False
    roles: tuple[str, ...] = ("leader", "town", "admin")  # who may open it (data_access.schema.ROLES)


ALL_DATA = ("leader", "town", "admin")  # every data page: leaders county-wide, town users in their town
COMMAND = ("duty", *ALL_DATA)  # the command centre's own pages
WALL_ROLE = "wall"  # read-only, the wall page only, no names or phones (data_access.filters)
WALL_PAGE = "pages/wall.py"


PAGES: list[PageSpec] = [
    PageSpec(
        "pages/overview.py",
        "page_overview",
        ":material/dashboard:",
        "overview",
        "nav_monitor",
        default=True,
        roles=(*COMMAND, "planner"),
    ),
    PageSpec("pages/live_map.py", "page_live_map", ":material/map:", "live_map", "nav_monitor", roles=COMMAND),
    # The wall screen: the `wall` role's only page (its default), and open to the command centre.
    PageSpec(WALL_PAGE, "page_wall", ":material/tv:", "wall", "nav_monitor", roles=(*COMMAND, WALL_ROLE)),
    PageSpec(
        "pages/event_flow.py", "page_event_flow", ":material/account_tree:", "event_flow", "nav_events", roles=COMMAND
    ),
    PageSpec(
        "pages/department_response.py",
        "page_department_response",
        ":material/apartment:",
        "department_response",
        "nav_events",
        roles=COMMAND,
    ),
    PageSpec(
        "pages/monthly_rankings.py",
        "page_monthly_rankings",
        ":material/leaderboard:",
        "monthly_rankings",
        "nav_assessment",
        roles=ALL_DATA,
    ),
    PageSpec(
        "pages/workforce.py",
        "page_workforce",
        ":material/groups:",
        "workforce",
        "nav_workforce",
        roles=(*ALL_DATA, "planner"),
    ),
    PageSpec(
        "pages/data_import.py",
        "page_data_import",
        ":material/upload_file:",
        "data_import",
        "nav_admin",
        roles=("admin",),
    ),
    PageSpec("pages/admin.py", "page_admin", ":material/admin_panel_settings:", "admin", "nav_admin", roles=("admin",)),
]


def allowed(spec: PageSpec, role: str | None) -> bool:
    return role is not None and role in spec.roles


def available_pages() -> list[PageSpec]:
    """PAGES whose file exists. A missing file is logged (and fails tests/test_app_overview.py),
    rather than taking the whole dashboard down with StreamlitPageNotFoundError."""
    present = [spec for spec in PAGES if (ROOT / spec.path).exists()]
    for spec in PAGES:
        if spec not in present:
            logging.getLogger(__name__).warning("page file %s is registered but missing", spec.path)
    return present
