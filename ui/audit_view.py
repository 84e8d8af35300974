"""How the audit log reads on the admin page: actions, pages and details in words.

The log stores codes (`page_view`, the page's URL path, a JSON detail) so that it can be queried
and kept stable; the page shows them through the label catalogue. A code the catalogue does not
know is shown as stored, never dropped."""

from __future__ import annotations

import json

from .labels import LABELS, t
from .pages import PAGES

DETAIL_KEYS = {  # detail key -> label key
    "from": "audit_detail_from",
    "to": "audit_detail_to",
    "town": "audit_detail_town",
    "village": "audit_detail_village",
    "category": "audit_detail_category",
    "file": "audit_detail_file",
    "rows": "audit_detail_rows",
    "role": "audit_detail_role",
    "kind": "audit_detail_kind",
    "refused": "audit_detail_refused",
}


def _known(prefix: str, code) -> str:
    key = f"{prefix}{code}"
    return t(key) if key in LABELS else str(code)


def action_name(action) -> str:
    return _known("audit_action_", action)


def _missing(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and value != value)


def page_name(url_path) -> str:
    if _missing(url_path):
        return ""
    spec = next((s for s in PAGES if s.url_path == url_path), None)
    return t(spec.title_key) if spec is not None else str(url_path)


def detail_text(raw) -> str:
    """A stored detail in words: JSON objects as 'label value' pairs (empty values left out),
    reasons such as `expired` or `bad_password` by their label."""
    if _missing(raw):
        return ""
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        value = raw
    if isinstance(value, dict):
        parts = []
        if value.get("from") and value.get("to"):
            parts.append(f"{t('audit_detail_period')} {value['from']} – {value['to']}")
        for k, v in value.items():
            if k in ("from", "to") and value.get("from") and value.get("to"):
                continue
            if v is None or v == "":
                continue
            label = t(DETAIL_KEYS[k]) if k in DETAIL_KEYS else str(k)
            shown = _known("audit_role_", v) if k == "role" else v
            parts.append(f"{label} {shown}")
        return " · ".join(parts)
    return _known("audit_reason_", value)
