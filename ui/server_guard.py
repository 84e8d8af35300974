"""Guards on Streamlit's own HTTP endpoints for uploads and media (issue #18, findings 6 and 7).

Streamlit serves `PUT /_stcore/upload_file/<session>/<file>` and `GET /media/<file>` itself,
outside any script run, so the login gate never sees those requests:

- any websocket session, signed in or not, could ask for upload URLs and PUT files into server
  memory (60 MB accepted, still held after the client left), though no uploader was on its page;
- a download's file stayed at `/media/<hash>.<ext>` for minutes, served to whoever had the URL.

Why this layer: the requests never reach a script run, and `streamlit run dashboard.py` offers
no hook in front of its routes (an `st.App` with ASGI middleware would, but only when every
deployment, test and wall PC starts a different entry file). The routes consult two runtime
objects, and those are what this module wraps, once per server process, on the first script run
(no session, hence no upload URL, exists before a session's first run):

- `Runtime.is_active_session`, which the upload route calls before reading any of the body
  (it is used nowhere else), answers False for a session that is not signed in as a role that
  has an uploader (admin): the PUT gets 400 without its body being read. The upload URLs are
  not handed out to such a session in the first place (`get_upload_urls`), and `add_file`
  refuses too.
- The media storage serves a download file (`DOWNLOADABLE`: every `st.download_button`) at most
  DOWNLOAD_FETCHES times (Chromium's probe and its download), within DOWNLOAD_SECONDS of the
  click that made it; later requests get 404. The URL travels only over the clicking session's
  websocket; a copy of it (history, proxy log, a colleague) is useless seconds later. Files are only
  made on a click (the buttons' data are callables), so no export exists before someone who may
  see it asks for it; the click itself writes the `export` audit row (`ui.export.audit_export`).

Every fetch of a download's URL, served or refused, writes a `download_fetch` audit row naming the
file, whether it was served, the client address and, when the request carried the sign-in cookie
(`streamlit run serve.py`), its user (finding 13). The route runs in the server's event loop, where
a database write would stall every session, so the row is queued to one writer thread; a queue
that is full (a flood) drops rows and says so in the server log.

Which sessions are signed in, and as what, GridSight records itself (`note_session`, called by
the shell on every run), not by reading another thread's session state.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import queue
import threading
import time

UPLOAD_ROLES = frozenset({"admin"})  # the roles with a page that has a file uploader
DOWNLOAD_SECONDS = 30
# Chromium asks for a download's URL twice after the click (a probe, then the download itself).
DOWNLOAD_FETCHES = 2
_LOG = logging.getLogger("gridsight.guard")
_LOCK = threading.Lock()
_ROLE_OF_SESSION: dict[str, str] = {}  # session id -> role of the user signed in there
_ISSUED: dict[str, list] = {}  # download file id -> [when it was made (monotonic), fetches left]
_INSTALLED: set[int] = set()  # id() of the runtimes already guarded
# Who asks for the media file being served: set by ui.asgi's middleware for the request
# ({"client": …, "token": sign-in cookie or None}); unset under `streamlit run dashboard.py`.
REQUESTER: contextvars.ContextVar[dict | None] = contextvars.ContextVar("gridsight_requester", default=None)
FETCH_QUEUE_SIZE = 500
_FETCHES: queue.Queue = queue.Queue(maxsize=FETCH_QUEUE_SIZE)
_WRITER: list[threading.Thread] = []


def _session_id() -> str | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def note_session(role: str | None) -> None:
    """Record the role signed in on this run's session (None: nobody)."""
    sid = _session_id()
    if sid is None:
        return
    with _LOCK:
        if role is None:
            _ROLE_OF_SESSION.pop(sid, None)
        else:
            _ROLE_OF_SESSION[sid] = role


def may_upload(session_id: str) -> bool:
    with _LOCK:
        return _ROLE_OF_SESSION.get(session_id) in UPLOAD_ROLES


def _forget_gone_sessions(runtime) -> None:
    with _LOCK:
        for sid in [s for s in _ROLE_OF_SESSION if not runtime._session_mgr.is_active_session(s)]:
            del _ROLE_OF_SESSION[sid]


def install() -> None:
    """Wrap the runtime's upload and media objects (idempotent; a no-op without a server)."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return
    runtime = Runtime.instance()
    if id(runtime) in _INSTALLED:
        return
    with _LOCK:
        if id(runtime) in _INSTALLED:
            return
        _guard_uploads(runtime)
        _guard_media(runtime)
        _INSTALLED.add(id(runtime))


def _guard_uploads(runtime) -> None:
    is_active = runtime.is_active_session  # the bound method the upload route calls

    def is_active_session(session_id: str) -> bool:
        if not is_active(session_id):
            return False
        if may_upload(session_id):
            return True
        _LOG.warning("upload refused: session %s is not signed in as %s", session_id[:8], "/".join(UPLOAD_ROLES))
        return False

    runtime.is_active_session = is_active_session

    manager = runtime.uploaded_file_mgr
    get_upload_urls, add_file = manager.get_upload_urls, manager.add_file

    @functools.wraps(get_upload_urls)
    def guarded_urls(session_id, file_names):
        _forget_gone_sessions(runtime)
        return get_upload_urls(session_id, file_names) if may_upload(session_id) else []

    @functools.wraps(add_file)
    def guarded_add(session_id, file):
        if not may_upload(session_id):
            raise PermissionError("upload refused: the session is not signed in as an administrator")
        return add_file(session_id, file)

    manager.get_upload_urls, manager.add_file = guarded_urls, guarded_add


def _guard_media(runtime) -> None:
    from streamlit.runtime.media_file_storage import MediaFileKind, MediaFileStorageError

    storage = runtime.media_file_mgr._storage
    load_and_get_id, get_file = storage.load_and_get_id, storage.get_file

    @functools.wraps(load_and_get_id)
    def guarded_load(*args, **kwargs):
        file_id = load_and_get_id(*args, **kwargs)
        kind = kwargs.get("kind", args[2] if len(args) > 2 else None)
        if kind == MediaFileKind.DOWNLOADABLE:
            now = time.monotonic()
            with _LOCK:
                _ISSUED[file_id] = [now, DOWNLOAD_FETCHES]
                for old in [f for f, (at, _left) in _ISSUED.items() if now - at > DOWNLOAD_SECONDS]:
                    del _ISSUED[old]
        return file_id

    @functools.wraps(get_file)
    def guarded_get(filename: str):
        found = get_file(filename)
        # The route asks by file name ("<id>.<ext>"); Streamlit itself by bare id (get_url).
        if found.kind != MediaFileKind.DOWNLOADABLE or "." not in filename:
            return found
        file_id = filename.split(".", 1)[0]
        with _LOCK:
            issued = _ISSUED.get(file_id)
            fresh = issued is not None and time.monotonic() - issued[0] <= DOWNLOAD_SECONDS and issued[1] > 0
            if fresh:
                issued[1] -= 1
        _queue_fetch(file_id, found.filename, fresh)
        if not fresh:
            _LOG.warning("download %s refused: already fetched or expired", file_id[:8])
            raise MediaFileStorageError(f"No media file with id '{file_id}'")
        return found

    storage.load_and_get_id, storage.get_file = guarded_load, guarded_get


# --- download fetches in the audit log (finding 13) ------------------------------------------------


def _queue_fetch(file_id: str, name: str | None, served: bool) -> None:
    requester = REQUESTER.get() or {}
    item = (time.time(), file_id[:12], name, served, requester.get("client"), requester.get("token"))
    try:
        _FETCHES.put_nowait(item)
    except queue.Full:
        _LOG.warning("download fetch of %s not audited: the audit queue is full", file_id[:8])
        return
    with _LOCK:
        if not _WRITER or not _WRITER[0].is_alive():
            _WRITER[:] = [threading.Thread(target=_write_fetches, name="gridsight-fetch-audit", daemon=True)]
            _WRITER[0].start()


def _write_fetches() -> None:
    import datetime as dt

    from data_access import audit, sessions

    from .data import writer_engine

    while True:
        at, file_id, name, served, client, token = _FETCHES.get()
        try:
            engine = writer_engine()
            who = sessions.username_of(engine, token) if token else None
            detail = {"file": file_id, "name": name, "served": served, "client": client}
            audit.record(
                engine, who or "(anonymous)", "download_fetch", detail=detail, at=dt.datetime.fromtimestamp(at, dt.UTC)
            )
        except Exception:  # the store may be down; the server log keeps the fact
            _LOG.exception("download fetch of %s (served=%s) not audited", file_id[:8], served)
        finally:
            _FETCHES.task_done()


def wait_for_fetch_audit(timeout: float = 10.0) -> None:
    """Block until queued fetch rows are written (tests; a server at shutdown)."""
    deadline = time.monotonic() + timeout
    while _FETCHES.unfinished_tasks and time.monotonic() < deadline:
        time.sleep(0.05)
