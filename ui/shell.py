"""The shell every page stands in: language switch, store check, login gate, shared filters.

`dashboard.py` builds it once per run and then runs the chosen page. Streamlit can also run a
file from `pages/` on its own (its old auto-discovery, e.g. on a fresh server before any session
has called `st.navigation`); then `page_filters()` builds the shell itself, so no page is ever
drawn without it — nor before a login, nor on a page the signed-in role may not open.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import enum
import functools
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from data_access import audit
from data_access.filters import Filters
from data_access.store import StoreError, describe_url, resolve_db_url
from data_access.users import User

from . import builtin_text, server_guard
from .auth import current_user, login_form, scope_of, send_session_cookie, sign_out, sign_out_everywhere
from .data import cached_store_status, rollups_behind, writer_engine
from .escape import md
from .filters import FILTERS_KEY, sidebar_filters
from .labels import lang, t
from .pages import WALL_PAGE, WALL_ROLE, allowed, available_pages

PAGE_TITLE = "网格智治指挥舱 GridSight"
# A local file: a `:material/...:` page icon would make the browser fetch it from a font CDN.
PAGE_ICON = str(Path(__file__).resolve().parent / "static" / "gridsight.png")
# Set by dashboard.py around the page it runs; absent when Streamlit runs a page file directly.
ENTRYPOINT_RUNNING = "_entrypoint_running"
CURRENT_PAGE = "current_page"  # url_path of the page this run shows, set by guard_page
USER_KEY = "auth_user"  # the signed-in users.User of this run, set by build_shell
_LAST_VIEW = "_audit_last_view"
_RUN_USER = "_run_user"  # the user navigation() found in this run, handed to build_shell
_SPEC_OF_PAGE: dict[str, object] = {}  # st.Page url_path -> PageSpec (the default page's url_path is "")
_LOG = logging.getLogger("gridsight.store")
STORE_LOG_EVERY_SECONDS = 60
_LOGGED: dict[str, float] = {}  # reference -> when it was last logged (monotonic)
_LOGGED_LOCK = threading.Lock()


def configure_page() -> None:
    st.set_page_config(page_title=PAGE_TITLE, page_icon=PAGE_ICON, layout="wide")


def _log_store_problem(url: str, detail: str) -> str:
    """Write the store problem to the server log (once a minute per problem); its reference.

    The screen shows only the reference: whoever opens the dashboard, signed in or not, must not
    learn the database URL, host, user, file path or driver message (issue #18, finding 8)."""
    shown = describe_url(url)
    ref = hashlib.sha256(f"{shown}|{detail}".encode()).hexdigest()[:8]
    now = time.monotonic()
    with _LOGGED_LOCK:
        if now - _LOGGED.get(ref, -STORE_LOG_EVERY_SECONDS) >= STORE_LOG_EVERY_SECONDS:
            _LOGGED[ref] = now
            if len(_LOGGED) > 256:
                _LOGGED.pop(next(iter(_LOGGED)))
            _LOG.warning("store problem [ref %s] on %s: %s", ref, shown, detail)
    return ref


def store_checked() -> bool:
    """True once this session's store check passed (writers such as the demo feed wait for it)."""
    return bool(st.session_state.get("_store_checked"))


def store_ready(prepare_store: Callable[[str], object] | None = None) -> bool:
    """True when the store answers with data; otherwise a full-page message saying what to do.
    `prepare_store(url)` runs first, until the check passes once (dashboard.py passes
    bootstrap.ensure_default_store, which builds sample_data/grid.db on the very first start)."""
    url = resolve_db_url()
    try:
        if prepare_store is not None and not store_checked():
            with st.spinner(t("building_sample")):
                prepare_store(url)
        ok, reason = cached_store_status(url)
    except (StoreError, SQLAlchemyError) as exc:
        ok, reason = False, f"{exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    if ok:
        st.session_state["_store_checked"] = True
        return True
    ref = t("store_log_ref", ref=_log_store_problem(url, reason))
    if "derived tables" in reason:
        st.warning(f"### {t('store_rollups_title')}\n\n{t('store_rollups_body')}\n\n{ref}")
    elif reason.startswith("missing tables") or reason.startswith("the store has no"):
        st.warning(f"### {t('store_empty_title')}\n\n{t('store_empty_body')}\n\n{ref}")
    else:
        st.error(f"### {t('store_unreachable_title')}\n\n{t('store_unreachable_body')}\n\n{ref}")
    return False


def store_lost(exc: Exception) -> None:
    """The message for a store that stopped answering during a run (or whose file is damaged):
    the store check is cached for up to 30 s, so runs in between meet the error first
    (finding 9). The next run checks the store afresh."""
    ref = _log_store_problem(
        resolve_db_url(), f"{exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    )
    cached_store_status.clear()
    st.session_state.pop("_store_checked", None)
    st.error(f"### {t('store_lost_title')}\n\n{t('store_lost_body')}\n\n{t('store_log_ref', ref=ref)}")


@contextlib.contextmanager
def store_guard():
    """Around a run or a fragment: a database error becomes `store_lost`'s message instead of
    Streamlit's error box. st.rerun/st.stop pass through (they are not database errors)."""
    try:
        yield
    except (SQLAlchemyError, StoreError) as exc:
        store_lost(exc)


def store_guarded(fn):
    """`store_guard` for a function (the body of an `st.fragment`, which runs on its own)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with store_guard():
            return fn(*args, **kwargs)

    return wrapper


def _rollups_lag_notice() -> None:
    """Numbers from derived tables that lag the events must say so (another tool wrote events)."""
    events_behind, steps_behind = rollups_behind(resolve_db_url())
    if events_behind or steps_behind:
        st.warning(t("rollups_behind", events=events_behind, steps=steps_behind))


def _signed_in_box(user: User) -> None:
    town = ""
    if user.town_id is not None:
        from data_access import units

        from .data import query

        names = query(units.towns, scope_of(user))
        town = " · " + md("".join(names["name"].head(1)))
    st.sidebar.caption(t("auth_signed_in_as", user=md(user.username), role=t(f"role_{user.role}"), town=town))
    left, right = st.sidebar.columns(2)
    if left.button(t("auth_logout"), key="auth_logout"):
        sign_out()
        _forget_session_data()
        st.rerun()
    if right.button(t("auth_logout_everywhere"), key="auth_logout_everywhere", help=t("auth_logout_everywhere_help")):
        sign_out_everywhere()
        _forget_session_data()
        st.rerun()
    send_session_cookie()


def _forget_session_data() -> None:
    for key in (FILTERS_KEY, USER_KEY, _LAST_VIEW):
        st.session_state.pop(key, None)


_PLAIN = (str, int, float, dt.date, dt.time)


def _plain(value) -> bool:
    if isinstance(value, bool):
        return False  # buttons, toggles and checkboxes: nothing to re-label, and buttons refuse writes
    if isinstance(value, (list, tuple)):
        return all(v is None or (_plain(v)) for v in value)
    return value is None or isinstance(value, _PLAIN) or isinstance(value, enum.Enum)


# Widgets whose value Streamlit refuses to take from session state (the widget then raises
# StreamlitValueAssignmentNotAllowedError): an empty file uploader holds None, a plain value.
_WRITE_REFUSED = {"file_uploader_state_value", "trigger_value", "string_trigger_value", "json_trigger_value"}
_REFUSED_SERDES = ("FileUploaderSerde", "CameraInputSerde")
# Their keys per session, noted after each run (a session-state write after `st.stop` is lost).
_REFUSED_KEYS: collections.OrderedDict[str, set[str]] = collections.OrderedDict()
_REFUSED_SESSIONS = 2000
_REFUSED_LOCK = threading.Lock()


def _session_id() -> str | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def note_widgets() -> None:
    """Call after every page run, also one a page stopped: notes the keys of this run's widgets
    that refuse session-state writes (file and camera inputs, buttons), for `_relabel_selects`.
    Streamlit has no public way to ask a key's widget type: this reads the widget metadata the
    run registered (an empty uploader's value type may be None, so its serde names it too)."""
    session = _session_id()
    try:
        from streamlit.runtime.state import get_session_state

        state = get_session_state()._state
        metadata = state._new_widget_state.widget_metadata
        key_of = state._key_id_mapper.id_key_mapping
    except (AttributeError, KeyError, RuntimeError):
        return
    keys = {
        key_of[wid]
        for wid, meta in metadata.items()
        if wid in key_of
        and (
            meta.value_type in _WRITE_REFUSED
            or type(getattr(meta.deserializer, "__self__", None)).__name__ in _REFUSED_SERDES
        )
    }
    if session is None or not keys:
        return
    with _REFUSED_LOCK:
        _REFUSED_KEYS.setdefault(session, set()).update(keys)
        _REFUSED_KEYS.move_to_end(session)
        while len(_REFUSED_KEYS) > _REFUSED_SESSIONS:
            _REFUSED_KEYS.popitem(last=False)


def _refused_keys() -> set[str]:
    with _REFUSED_LOCK:
        return set(_REFUSED_KEYS.get(_session_id() or "", ()))


LABELS_LANG = "_labels_lang"  # the language the widgets were last drawn in (set at a run's end)


def _relabel_selects() -> None:
    """After the language switch: write every chosen option back to its own key.

    A select box sends the browser the *formatted* label of its choice and only resends it when
    the value changes, so after the switch it kept showing "全部" or "现行规则(H 区做法)" in English
    (Streamlit issue, fix pending in streamlit/streamlit#13788). A value written through session
    state is sent again, formatted by the now English `format_func`. Only plain values (the
    options of selects, radios, segmented controls, dates, numbers and text) are written back:
    selections of tables and charts, uploads and editors hold dicts or files and are left alone.

    Done at the start of every run until one has drawn the page to its end in the new language
    (dashboard.py sets LABELS_LANG then): a run cut short by a rerun, such as the live map's
    timed refresh, would otherwise leave some selects in the old language."""
    refused = _refused_keys()  # an empty file uploader's None is plain, but refuses the write
    for key in list(st.session_state.keys()):
        if key in ("lang_en", LABELS_LANG) or key in refused:
            continue
        value = st.session_state[key]
        if _plain(value):
            st.session_state[key] = value


def build_shell(prepare_store: Callable[[str], object] | None = None) -> Filters | None:
    """Language switch, store check (after `prepare_store`, see store_ready), login, filters; None
    (after a message or the login form) when no page may be shown."""
    st.session_state.setdefault(LABELS_LANG, lang())
    if st.session_state[LABELS_LANG] != lang():
        _relabel_selects()
    st.sidebar.toggle(t("lang_switch"), key="lang_en")
    builtin_text.apply()  # Streamlit's own uploader and chart texts in the chosen language
    if not store_ready(prepare_store):
        return None
    # navigation() looked the user up moments ago in this run: one lookup per run is enough.
    user = st.session_state.pop(_RUN_USER) if _RUN_USER in st.session_state else current_user()
    server_guard.note_session(user.role if user is not None else None)  # who may upload
    if user is None:
        _forget_session_data()  # nothing from an ended session may reach a page
        login_form()
        return None
    st.session_state[USER_KEY] = user
    _rollups_lag_notice()
    _signed_in_box(user)
    return sidebar_filters(scope_of(user))


def signed_in_user() -> User | None:
    return st.session_state.get(USER_KEY)


def navigation():
    """Register every page of ui/pages.py with `st.navigation`; returns the chosen page.

    Pages the signed-in role may not open stay registered but hidden, so their URL reaches
    `guard_page` (which says "not allowed") instead of silently falling back to the default page.
    """
    st.session_state.pop(_RUN_USER, None)
    try:
        user = current_user()  # dashboard.py registers the pages before build_shell checks the login
        st.session_state[_RUN_USER] = user
    except (SQLAlchemyError, StoreError):  # the store is down: build_shell (under store_guard) says so
        user = None
    role = user.role if user else None
    sections: dict[str, list] = {}
    for spec in available_pages():
        # No user yet (a page run alone, about to rerun through the gate): only the registry.
        visible = role is None or allowed(spec, role)
        page = st.Page(
            spec.path,
            title=t(spec.title_key),
            icon=spec.icon,
            url_path=spec.url_path,
            default=spec.default,
            visibility="visible" if visible else "hidden",
        )
        _SPEC_OF_PAGE[page.url_path] = spec  # public; the default page's is ""
        if visible:
            sections.setdefault(t(spec.section_key), []).append(page)
        else:  # reachable by URL only, to be refused by guard_page
            sections.setdefault("", []).append(page)
    # Logged out: the page list stays hidden too (it says what the dashboard holds).
    # The wall screen has no menu: its one page fills the display.
    return st.navigation(sections, position="sidebar" if role and role != WALL_ROLE else "hidden")


def guard_page(selected, f: Filters) -> bool:
    """True when the signed-in role may open `selected`; else a "not allowed" message (audited).
    Page views are audited once per page and filter change, not on every fragment refresh."""
    user = signed_in_user()
    spec = _SPEC_OF_PAGE.get(selected.url_path)
    if user is not None and user.role == WALL_ROLE and spec is not None and spec.default:
        # The bare URL on a wall PC opens the wall screen, keeping its settings (?rotate=…&chime=…).
        st.switch_page(WALL_PAGE, query_params=st.query_params.to_dict())
    if user is None or spec is None or not allowed(spec, user.role):
        if user is not None:
            audit.record(
                writer_engine(),
                user.username,
                "denied",
                page=spec.url_path if spec else selected.url_path,
                detail={"role": user.role},
            )
        st.error(f"### {t('auth_denied')}\n\n{t('auth_denied_body')}")
        return False
    st.session_state[CURRENT_PAGE] = spec.url_path  # the page an export's audit row names
    view = (spec.url_path, tuple(sorted(audit.filters_detail(f).items())))
    if st.session_state.get(_LAST_VIEW) != view:
        audit.record(writer_engine(), user.username, "page_view", page=spec.url_path, detail=audit.filters_detail(f))
        st.session_state[_LAST_VIEW] = view
    return True


def page_filters() -> Filters:
    """Call first on every page: the shared filters, building the shell if the entrypoint did not."""
    if not st.session_state.get(ENTRYPOINT_RUNNING):
        # Streamlit ran this file on its own (pages/ auto-discovery, e.g. a deep link on a fresh
        # server). Registering our navigation switches the server to the explicit page list for
        # good; the rerun then goes through dashboard.py like any other run.
        configure_page()
        navigation()
        st.rerun()
    f = st.session_state.get(FILTERS_KEY)
    if f is None or signed_in_user() is None:  # belt and braces: the entrypoint stops first
        st.stop()
    return f
