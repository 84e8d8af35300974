"""The import page's messages in the reader's language, fit to show (no server path, no URL)."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from zoneinfo import ZoneInfo

from data_access.ingest.messages import message
from data_access.store import describe_url
from ui.labels import LABELS, lang, t

_TEMP_PATH = re.compile(re.escape(tempfile.gettempdir()) + r"[^\s'\"(),;]*")


def zone_name(zone: str) -> str:
    """The store's zone as the reader says it: the IANA name in English; in Chinese a name for
    the zones a county may use, else the offset from universal time now."""
    key = f"data_import_zone_{zone}"
    if key in LABELS:
        return t(key)
    if lang() == "en":
        return zone
    offset = dt.datetime.now(ZoneInfo(zone)).strftime("%z")
    return t("data_import_zone_offset", offset=f"{offset[:3]}:{offset[3:]}")


def said(reason) -> str:
    """An importer's message (a refusal, a row's problem, a warning) in the reader's language:
    its label `err_import_<code>`, with levels and step actions named in that language too."""
    msg = message(reason)
    if msg is None:
        return str(reason)
    params = dict(msg.params)
    for key in ("level", "plevel"):
        if f"data_import_level_{params.get(key)}" in LABELS:
            params[key] = t(f"data_import_level_{params[key]}")
    for key in ("action", "before"):
        if f"data_import_action_{params.get(key)}" in LABELS:
            params[key] = t(f"data_import_action_{params[key]}")
    return t(f"err_import_{msg.code}", **params)


def field_name(name) -> str:
    """A GridSight-side field named in the reader's language; a source column stays as the file has it."""
    key = f"data_import_field_{name}"
    return t(key) if key in LABELS else str(name)


def shown(reason, url: str) -> str:
    """A reason fit for the page, in the reader's language: no server temp path, no database URL
    `url` (they stay in the server log)."""
    text = _TEMP_PATH.sub("…", said(reason))
    for secret in {url, describe_url(url)}:
        text = text.replace(secret, "…")
    return text
