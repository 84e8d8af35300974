"""Concurrency benchmark: N sessions on the live map or the wall while the feeder writes events.

    python -m benchmarks.concurrency --db URL [--sessions 20] [--rate 5] [--seconds 120]
                                     [--page live_map|wall] [--client browser|wire]
                                     [--server-cpus 0 --client-cpus 1]
                                     [--no-webgl] [--out FILE.json] [--markdown FILE.md]

1. Starts the dashboard (`streamlit run serve.py`, headless, free port, GRID_DB_URL=--db).
2. Opens --sessions sessions in one headless Chromium (one browser context each, so one
   Streamlit session each), signs each in (--role, default duty) and opens the page; or, with
   --client wire, as many light websocket clients (`WireClient`) that do what the frontend does
   without drawing anything.
3. Starts the feeder (`python -m sample_data.simulate`) in a child process: --rate events/s for
   --seconds s into the same store.
4. Records every websocket frame of every session through the DevTools protocol and measures
   every refresh of the live fragment whose request left the browser while the feeder ran.

Refresh time: from the browser sending the fragment's rerun request (BackMsg `rerun_script` with
`fragment_id`) to the browser receiving the `script_finished` ForwardMsg of the fragment run that
served it. Both timestamps are Chromium's own (DevTools `Network.webSocketFrame*` events), so
the harness's lag does not count; server queueing, the run and sending the page's deltas do,
the browser's drawing afterwards does not. The browser asks every interval whether or not the
last run has ended: Streamlit merges requests that wait into one run, and a request that comes
while a fragment run is going stops that run (FINISHED_EARLY_FOR_RERUN, "cut short") and starts
it again. A refresh therefore ends only with a run that finished, and is timed from the oldest
request it answered; the requests it answered besides are "coalesced".

Visible lag beyond the interval: per session, the time between two consecutive refreshes
arriving (`script_finished` of one fragment run to the next's) minus the refresh interval: how
much longer than the interval a screen showed the same data. `--server-cpus` / `--client-cpus`
pin the server (taskset) and this harness with its browsers and the feeder (sched_setaffinity,
inherited by every child) to different cores, so the clients do not compete with the server.

"No error": no exception or error alert in any session (in the websocket traffic and in the DOM
at the end), no dropped websocket, no traceback in the server's log, every request answered,
the feeder exited 0 having written about rate × seconds events, and every session's
"newest events" ticker showed events it did not show before the feeder started.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import json
import os
import platform
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

FRAGMENT_DONE = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
APP_DONE = ForwardMsg.FINISHED_SUCCESSFULLY
CUT_SHORT = ForwardMsg.FINISHED_EARLY_FOR_RERUN
ALERT_ERROR = 1  # Alert.Format.ERROR
ERROR_SELECTORS = ('[data-testid="stException"]', '[data-testid="stAlertContentError"]')
# A request still unanswered this long after the feeder stopped counts as an error.
ANSWER_GRACE_S = 120.0


@dataclass
class Run:
    start: float
    fragments: tuple[str, ...]
    finish: float | None = None
    status: int | None = None


@dataclass
class Session:
    """What one browser session sent and received, decoded as it arrives (browser timestamps)."""

    index: int
    requests: list[tuple[float, str]] = field(default_factory=list)  # (sent, fragment_id) of fragment reruns
    runs: dict[str, Run] = field(default_factory=dict)
    current: str | None = None
    tickers: list[tuple[float, frozenset]] = field(default_factory=list)
    first_metric: list[tuple[float, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    interval: float | None = None
    sockets: list[tuple[float, str, str]] = field(default_factory=list)  # (timestamp, "opened" / "closed", url)
    sockets_at_end: list = field(default_factory=list)  # before the server stops (which closes them)
    frames: int = 0
    undecodable: int = 0

    def on_sent(self, params: dict) -> None:
        if params["response"].get("opcode") != 2:
            return
        msg = BackMsg()
        try:
            msg.ParseFromString(base64.b64decode(params["response"]["payloadData"]))
        except Exception:  # noqa: BLE001 - a frame we cannot read is counted, not fatal
            self.undecodable += 1
            return
        self.on_back(params["timestamp"], msg)

    def on_back(self, ts: float, msg: BackMsg) -> None:
        if msg.WhichOneof("type") == "rerun_script" and msg.rerun_script.fragment_id:
            self.requests.append((ts, msg.rerun_script.fragment_id))

    def on_received(self, params: dict) -> None:
        if params["response"].get("opcode") != 2:
            return
        self.frames += 1
        msg = ForwardMsg()
        try:
            msg.ParseFromString(base64.b64decode(params["response"]["payloadData"]))
        except Exception:  # noqa: BLE001
            self.undecodable += 1
            return
        self.on_forward(params["timestamp"], msg)

    def on_forward(self, ts: float, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            run_id = msg.metadata.run.script_run_id
            self.runs[run_id] = Run(ts, tuple(msg.metadata.run.fragment_ids))
            self.current = run_id
        elif kind == "script_finished":
            run = self.runs.get(msg.metadata.run.script_run_id)
            if run is not None:
                run.finish, run.status = ts, msg.script_finished
        elif kind == "auto_rerun":
            self.interval = msg.auto_rerun.interval
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(ts, msg.delta.new_element)

    def _element(self, ts: float, element) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.errors.append(
                f"session {self.index}: exception {element.exception.type}: {element.exception.message[:200]}"
            )
        elif kind == "alert" and element.alert.format == ALERT_ERROR:
            self.errors.append(f"session {self.index}: error message: {element.alert.body[:200]}")
        elif kind == "metric" and self.current and self.runs[self.current].fragments:
            run_start = self.runs[self.current].start
            if not self.first_metric or self.first_metric[-1][0] != run_start:  # the first card: open events
                self.first_metric.append((run_start, element.metric.body))
        elif kind == "dataframe":
            rows = ticker_rows(element.dataframe)
            if rows is not None:
                self.tickers.append((ts, rows))
        elif kind == "html":
            rows = wall_ticker_rows(element.html.body)
            if rows is not None:
                self.tickers.append((ts, rows))

    def on_socket(self, params: dict, what: str) -> None:
        self.sockets.append((params.get("timestamp") or 0.0, what, params.get("url", "")))


def _ticker_columns() -> tuple[set[str], set[str]]:
    from ui.labels import LABELS

    time_names = set(LABELS["live_map_col_time"])
    status_names = set(LABELS["live_map_col_status"])
    return time_names, status_names


TIME_COLUMNS, STATUS_COLUMNS = _ticker_columns()


def ticker_rows(dataframe) -> frozenset | None:
    """The rows of the live map's "newest events" list (the only table with a time column), without
    their status (which changes as events move on); None for any other table."""
    import pyarrow as pa

    data = dataframe.arrow_data.data
    if not data:
        return None
    try:
        table = pa.ipc.open_stream(io.BytesIO(data)).read_all()
    except Exception:  # noqa: BLE001 - not Arrow we can read: not the ticker
        return None
    names = table.column_names
    if not TIME_COLUMNS & set(names):
        return None
    keep = [n for n in names if n not in STATUS_COLUMNS and not n.startswith("__index")]
    return frozenset(zip(*(table.column(n).to_pylist() for n in keep)))


WALL_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
WALL_CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)


def wall_ticker_rows(body: str) -> frozenset | None:
    """The wall screen's "newest reports" panel (HTML): its rows without the status cell."""
    if "data-panel='ticker'" not in body:
        return None
    return frozenset(tuple(WALL_CELL.findall(row)[:-1]) for row in WALL_ROW.findall(body))


# --- measuring ---------------------------------------------------------------------------------


def refreshes_of(session: Session, window: tuple[float, float]) -> tuple[list[dict], list[float]]:
    """(refreshes whose oldest request was sent inside `window`, unanswered requests sent in it).

    Each fragment run answers every fragment request sent before it started and not answered yet.
    """
    requests = sorted(session.requests)
    runs = sorted((r for r in session.runs.values() if r.finish is not None), key=lambda r: r.start)
    refreshes, pending, j = [], [], 0
    for run in runs:
        while j < len(requests) and requests[j][0] <= run.start:
            pending.append(requests[j][0])
            j += 1
        if not pending or run.status == CUT_SHORT:
            continue  # a run nobody waited on (sign-in), or one cut short: its requests stay pending
        if run.status in (FRAGMENT_DONE, APP_DONE):
            if window[0] <= pending[0] <= window[1]:
                refreshes.append(
                    {
                        "session": session.index,
                        "sent": pending[0],
                        "started": run.start,
                        "finished": run.finish,
                        "refresh_s": run.finish - pending[0],
                        "run_s": run.finish - run.start,
                        "coalesced": len(pending) - 1,
                        "fragment_run": run.status == FRAGMENT_DONE,
                    }
                )
            pending = []
    pending += [ts for ts, _ in requests[j:]]
    return refreshes, [ts for ts in pending if window[0] <= ts <= window[1]]


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


# --- processes -----------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(url: str) -> dict[str, str]:
    env = {**os.environ, "GRID_DB_URL": url}
    env.pop("GRID_NOW", None)  # a pinned clock would freeze the live map: this runs on the real one
    return env


def start_server(
    url: str, log_path: Path, timeout: float = 120, cpus: str | None = None
) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = open(log_path, "w")
    # Its own session: Ctrl-C reaches only us, and we stop it in order.
    proc = subprocess.Popen(
        [
            *(["taskset", "-c", cpus] if cpus else []),
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "serve.py",  # the README command: dashboard.py behind ui/asgi.py
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=child_env(url),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return proc, base
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc)
            raise RuntimeError(f"the dashboard did not start; see {log_path}:\n{log_path.read_text()[-2000:]}")
        time.sleep(0.3)


def stop(proc: subprocess.Popen | None, grace: float = 10) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=grace)


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set (VmHWM) so far, from /proc; None where there is no /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a process, from /proc/<pid>/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendant_stats(root: int, exclude: set[int]) -> dict[int, float]:
    """{pid: CPU seconds} of `root`'s descendants (not `root`, nor `exclude` and theirs), from /proc."""
    procs = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (st := _stat(int(entry.name))) is not None:
            procs[int(entry.name)] = st
    out = {}
    for pid, (_ppid, cpu) in procs.items():
        p, seen = pid, 0
        while p in procs and p != root and p not in exclude and seen < 64:
            p, seen = procs[p][0], seen + 1
        if p == root and pid != root:
            out[pid] = cpu
    return out


def cpu_seconds(root: int, exclude: set[int] = frozenset()) -> float | None:
    """CPU seconds used so far by `root`'s descendants (not `root` itself, nor `exclude` and theirs)."""
    if not Path("/proc/self/stat").exists():
        return None
    return sum(_descendant_stats(root, exclude).values())


def renice_browsers(nice: int, exclude: set[int]) -> int:
    """Lower the priority of this process's browser processes (Chromium and its renderers; not
    the server or the feeder in `exclude`). Returns how many were reniced. Renderers forked later
    by a reniced parent inherit it."""
    done = 0
    for pid in _descendant_stats(os.getpid(), exclude):
        try:
            os.setpriority(os.PRIO_PROCESS, pid, nice)
            done += 1
        except OSError:
            pass
    return done


def process_cpu(pid: int) -> float | None:
    st = _stat(pid)
    return st[1] if st else None


def count_events(url: str) -> int:
    from sqlalchemy import func, select

    from data_access import schema
    from data_access.store import create_store_engine

    engine = create_store_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(schema.events)).scalar_one())
    finally:
        engine.dispose()


def ensure_demo_users(url: str) -> None:
    from data_access.store import create_store_engine, ensure_access_tables
    from data_access.users import seed_demo_users

    writer = create_store_engine(url, writable=True)
    try:
        ensure_access_tables(writer)
        seed_demo_users(writer)
    finally:
        writer.dispose()


# --- the run -------------------------------------------------------------------------------------


PAGE_READY = {"live_map": '[data-testid="stMetric"]', "wall": ".wall-kpis"}
# What the wire client looks for in the HTML elements it receives (the live map has no HTML marker).
PAGE_READY_HTML = {"wall": "wall-kpis"}


def open_session(
    context, index: int, base: str, role: str, timeout_ms: float, webgl: bool = True, page_path: str = "live_map"
) -> tuple[object, Session]:
    """A page in `context` on `page_path` (the live map or the wall), signed in, with its
    websocket traffic recorded."""
    from tests.browser import sign_in

    page = context.new_page()
    session = Session(index)

    # Uncaught script errors in the page (the frontend's, not Streamlit's) count as errors too,
    # except the map's own complaint when --no-webgl took WebGL away on purpose.
    def page_error(exc) -> None:
        if webgl or "WebGL" not in str(exc):
            session.errors.append(f"session {index}: page error: {str(exc)[:200]}")

    page.on("pageerror", page_error)
    cdp = context.new_cdp_session(page)
    cdp.on("Network.webSocketFrameSent", session.on_sent)
    cdp.on("Network.webSocketFrameReceived", session.on_received)
    cdp.on("Network.webSocketCreated", lambda p: session.on_socket(p, "opened"))
    cdp.on("Network.webSocketClosed", lambda p: session.on_socket(p, "closed"))
    # Small buffers: only websocket frame events are wanted, not response bodies kept for DevTools.
    cdp.send("Network.enable", {"maxTotalBufferSize": 1_000_000, "maxResourceBufferSize": 100_000})
    page.goto(f"{base}/{page_path}", wait_until="domcontentloaded", timeout=timeout_ms)
    sign_in(page, role, timeout=timeout_ms)
    page.wait_for_selector(PAGE_READY[page_path], timeout=timeout_ms)
    return page, session


class WireClient:
    """One session without a browser (`--client wire`): it speaks Streamlit's websocket protocol
    as the frontend does — the page load, the sign-in form, then the live fragment's timed rerun
    request every interval whether or not the last one was answered (the frontend's setInterval)
    — and decodes what comes back into a `Session`, stamped with this machine's monotonic clock.
    A few hundred kB of CPU-light Python per refresh instead of a WebGL renderer per screen, so
    the clients no longer compete with the server for the cores. It declares no cached messages,
    so the server sends every element in full each time (a browser's cache would spare some):
    a slightly heavier load than 20 real screens."""

    def __init__(self, index: int, base: str, role: str, page_path: str, timeout_s: float) -> None:
        from websockets.sync.client import connect

        netloc = base.split("://", 1)[1]
        self.session = Session(index)
        self.page_path, self.timeout_s = page_path, timeout_s
        self._connection = connect(
            f"ws://{netloc}/_stcore/stream", subprotocols=["streamlit"], max_size=None, open_timeout=timeout_s
        )
        self.ws = self._connection.__enter__()  # as tests/st_wire.py: newer websockets want the context form
        self.session.on_socket({"timestamp": time.monotonic(), "url": "/_stcore/stream"}, "opened")
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._page_hash = ""
        self._widget_ids: list[str] = []  # from the elements received, newest last
        self._fragment: tuple[str, float] | None = None  # (id, interval) of the timed fragment
        self._receiver = threading.Thread(target=self._receive, name=f"wire-{index}-recv", daemon=True)
        self._timer: threading.Thread | None = None
        self.role = role
        self._receiver.start()

    # -- what the server sends
    def _receive(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            for raw in self.ws:
                fwd = ForwardMsg()
                try:
                    fwd.ParseFromString(raw)
                except Exception:  # noqa: BLE001 - counted, as in the browser harness
                    self.session.undecodable += 1
                    continue
                self.session.frames += 1
                self._note(fwd)
                self.session.on_forward(time.monotonic(), fwd)
        except ConnectionClosed:
            pass
        if not self._stop.is_set():  # the server dropped us: a reconnect a browser would make
            self.session.on_socket({"timestamp": time.monotonic(), "url": "/_stcore/stream"}, "closed")

    def _note(self, fwd: ForwardMsg) -> None:
        kind = fwd.WhichOneof("type")
        if kind == "new_session":
            self._page_hash = fwd.new_session.page_script_hash
        elif kind == "auto_rerun":
            self._start_timer(fwd.auto_rerun.fragment_id, fwd.auto_rerun.interval)
        elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            element = fwd.delta.new_element
            widget = getattr(element, element.WhichOneof("type") or "", None)
            wid = getattr(widget, "id", "")
            if isinstance(wid, str) and wid:
                self._widget_ids.append(wid)
            if element.WhichOneof("type") == "html" and PAGE_READY_HTML.get(self.page_path, "\0") in element.html.body:
                self._ready.set()

    # -- what the client sends
    def _send(self, msg: BackMsg) -> None:
        self.session.on_back(time.monotonic(), msg)
        self.ws.send(msg.SerializeToString())

    def _rerun(self, widgets: dict[str, tuple[str, object]] | None = None) -> None:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_name = self.page_path
        msg.rerun_script.page_script_hash = self._page_hash
        for wid, (field_name, value) in (widgets or {}).items():
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = wid
            setattr(state, field_name, value)
        self._send(msg)

    def open(self) -> None:
        """Load the page, sign in as the demo user, wait for the page and its first refresh request."""
        from data_access.users import DEMO_PASSWORD

        self._rerun()
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline and not self._widget("FormSubmitter:login_form"):
            time.sleep(0.05)
        ids = {key: self._widget(key) for key in ("login_username", "login_password", "FormSubmitter:login_form")}
        if not all(ids.values()):
            raise RuntimeError("no sign-in form arrived")
        self._rerun(
            {
                ids["login_username"]: ("string_value", self.role),
                ids["login_password"]: ("string_value", DEMO_PASSWORD),
                ids["FormSubmitter:login_form"]: ("trigger_value", True),
            }
        )
        if not self._ready.wait(max(0.1, deadline - time.monotonic())):
            raise RuntimeError(f"{self.page_path} did not appear after signing in")
        while self._fragment is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if self._fragment is None:
            raise RuntimeError("the page asked for no timed refresh")
        self._start_timer(*self._fragment)

    def _widget(self, key: str) -> str | None:
        """The newest widget id for the user key `key` (or `FormSubmitter:<form>`), as tests/st_wire.py finds it."""
        return next((w for w in reversed(self._widget_ids) if w.endswith("-" + key) or f"-{key}-" in w), None)

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        """Remember the timed fragment; start asking for it once the signed-in page is there."""
        with self._lock:  # called by the receiver and by open(): one timer only
            self._fragment = (fragment_id, interval)
            if self._timer is not None or not self._ready.is_set():
                return
            self._timer = threading.Thread(
                target=self._tick, args=(fragment_id, interval), name=f"wire-{self.session.index}-timer", daemon=True
            )
            self._timer.start()

    def _tick(self, fragment_id: str, interval: float) -> None:
        due = time.monotonic() + interval
        while not self._stop.wait(max(0.0, due - time.monotonic())):
            msg = BackMsg()
            msg.rerun_script.fragment_id = fragment_id
            msg.rerun_script.is_auto_rerun = True
            msg.rerun_script.page_name = self.page_path
            msg.rerun_script.page_script_hash = self._page_hash
            try:
                self._send(msg)
            except Exception:  # noqa: BLE001 - the socket is gone: the receiver records it
                return
            due += interval

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(Exception):
            self._connection.__exit__(None, None, None)
        self._receiver.join(timeout=10)


def start_feeder(url: str, rate: float, seconds: float, seed: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sample_data.simulate",
            "--db",
            url,
            "--rate",
            str(rate),
            "--duration",
            str(seconds),
            "--seed",
            str(seed),
            "--quiet",
        ],
        cwd=ROOT,
        env=child_env(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def server_problems(log_path: Path) -> list[str]:
    text = log_path.read_text(errors="replace") if log_path.exists() else ""
    problems = []
    for match in re.finditer(r"Traceback \(most recent call last\):", text):
        tail = text[match.start() : match.start() + 3000].splitlines()
        last = next((line for line in tail[1:] if line and not line.startswith((" ", "\t"))), tail[-1])
        problems.append(f"server: traceback in its log: {last.strip()[:200]}")
    return problems


def _open_browser_sessions(
    stack, sessions, base, role, page_path, viewport, webgl, browser_nice, server_pid, open_timeout_s, errors,
    recorded, progress,
) -> list:  # fmt: skip
    """Open `sessions` signed-in browser pages (one context each) on `page_path`; their recorded
    traffic goes into `recorded`. Returns the pages."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    pw = stack.enter_context(sync_playwright())
    # Without WebGL the map is not drawn (the server sends the same), sparing the shared CPU the
    # software renderer's ≈ 0.2 core per session.
    args = CHROMIUM_ARGS + ([] if webgl else ["--disable-webgl", "--disable-webgl2"])
    browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
    stack.callback(_quietly, browser.close)
    if browser_nice:  # the rig's own rendering must not starve the server it measures
        renice_browsers(browser_nice, {server_pid})
    pages = []
    for i in range(sessions):
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
        began = time.monotonic()
        try:
            page, session = open_session(context, i, base, role, open_timeout_s * 1000, webgl, page_path)
        except Exception as exc:  # noqa: BLE001 - an overloaded server: say so, measure the others
            errors.append(f"session {i}: could not open {page_path}: {str(exc).splitlines()[0][:200]}")
            progress(f"  session {i + 1}/{sessions} FAILED to open: {str(exc).splitlines()[0][:200]}")
            _quietly(context.close)
            continue
        pages.append(page)
        recorded.append(session)
        progress(f"  session {i + 1}/{sessions} on {page_path} ({time.monotonic() - began:.1f} s)")
    return pages


def measure(
    url: str,
    sessions: int = 20,
    rate: float = 5.0,
    seconds: float = 120.0,
    role: str = "duty",
    seed: int = 21,
    viewport: tuple[int, int] = (1366, 900),
    webgl: bool = True,
    log_dir: Path | None = None,
    progress=print,
    open_timeout_s: float = 300,
    keep_sessions: list | None = None,
    browser_nice: int = 0,
    page_path: str = "live_map",
    server_cpus: str | None = None,
    client_cpus: str | None = None,
    client: str = "browser",
) -> dict:
    """Run the benchmark; returns the result dict (see `summary`). Cleans up on any exit.
    `client`: "browser" (a Chromium context per session) or "wire" (a `WireClient` per session)."""

    log_dir = Path(log_dir or ROOT / "tests" / "artifacts")
    log_dir.mkdir(parents=True, exist_ok=True)
    ensure_demo_users(url)
    events_before = count_events(url)
    load_before = os.getloadavg()
    result = {
        "sessions": sessions,
        "rate": rate,
        "seconds": seconds,
        "role": role,
        "db": _safe_url(url),
        "webgl": webgl,
        "viewport": f"{viewport[0]}x{viewport[1]}",
        "browser_nice": browser_nice,
        "page": page_path,
        "server_cpus": server_cpus,
        "client_cpus": client_cpus,
        "client": client,
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    errors: list[str] = []
    server = feeder = None
    log_path = log_dir / f"concurrency-server-{os.getpid()}.log"
    if client_cpus:  # this process, the browsers and the feeder it starts: off the server's cores
        os.sched_setaffinity(0, {int(c) for c in client_cpus.split(",")})
    with contextlib.ExitStack() as stack:
        server, base = start_server(url, log_path, cpus=server_cpus)
        stack.callback(stop, server)
        progress(f"dashboard on {base} (pid {server.pid}); log {log_path}")
        pages, recorded = [], ([] if keep_sessions is None else keep_sessions)  # kept: for diagnosis
        opened_at = time.monotonic()
        if client == "wire":
            pause = time.sleep
            for i in range(sessions):
                began = time.monotonic()
                try:
                    wire = WireClient(i, base, role, page_path, open_timeout_s)
                    stack.callback(wire.close)
                    wire.open()
                except Exception as exc:  # noqa: BLE001 - as for browsers: say so, measure the others
                    errors.append(f"session {i}: could not open {page_path}: {str(exc).splitlines()[0][:200]}")
                    progress(f"  session {i + 1}/{sessions} FAILED to open: {str(exc).splitlines()[0][:200]}")
                    continue
                recorded.append(wire.session)
                progress(f"  session {i + 1}/{sessions} on {page_path} ({time.monotonic() - began:.1f} s, wire)")
        else:
            pages = _open_browser_sessions(
                stack, sessions, base, role, page_path, viewport, webgl, browser_nice, server.pid,
                open_timeout_s, errors, recorded, progress,
            )  # fmt: skip

            def pause(seconds: float) -> None:
                pages[0].wait_for_timeout(seconds * 1000)  # also lets Playwright deliver the recorded frames

        if browser_nice:
            result["browser_processes_reniced"] = renice_browsers(browser_nice, {server.pid})
        result["open_sessions_s"] = round(time.monotonic() - opened_at, 1)
        result["sessions_open"] = len(recorded)
        if not recorded:
            raise RuntimeError("no session could open the live map: " + "; ".join(errors))
        pause(2)  # every session has had a refresh request scheduled
        first = min((r.start for s in recorded for r in s.runs.values()), default=None)
        if first is None or abs(first - opened_at) > 600:
            errors.append("browser timestamps are not on this machine's monotonic clock: times are unreliable")

        server_cpu0 = process_cpu(server.pid)
        browser_cpu0 = cpu_seconds(os.getpid(), {server.pid})
        harness_cpu0 = process_cpu(os.getpid())  # the wire clients live in this process
        feeder = start_feeder(url, rate, seconds, seed)
        stack.callback(stop, feeder)
        feed_start = time.monotonic()
        progress(f"feeder started: {rate}/s for {seconds:.0f} s")
        next_note = feed_start + 15
        while feeder.poll() is None:
            pause(0.5)
            if time.monotonic() >= next_note:
                next_note += 15
                done = sum(len(refreshes_of(s, (feed_start, time.monotonic()))[0]) for s in recorded)
                progress(f"  {time.monotonic() - feed_start:4.0f} s: {done} refreshes so far")
            if time.monotonic() - feed_start > seconds + 120:
                errors.append("feeder: still running 120 s after its duration; stopped")
                stop(feeder)
        feed_end = time.monotonic()
        out, err = feeder.communicate(timeout=30)
        server_cpu = process_cpu(server.pid)
        browser_cpu = cpu_seconds(os.getpid(), {server.pid})
        harness_cpu = process_cpu(os.getpid())
        window = (feed_start, feed_end)
        deadline = feed_end + ANSWER_GRACE_S  # let the requests of the last seconds be answered
        while time.monotonic() < deadline and any(refreshes_of(s, window)[1] for s in recorded):
            pause(0.5)
        for page, session in zip(pages, recorded):
            for selector in ERROR_SELECTORS:
                found = page.locator(selector).count()
                if found:
                    text = page.locator(selector).first.inner_text()[:200].replace("\n", " ")
                    errors.append(f"session {session.index}: {found} {selector} on screen: {text}")
        for session in recorded:
            session.sockets_at_end = list(session.sockets)
        if server.poll() is not None:
            errors.append(f"server: exited with {server.returncode} during the run")
        result["server_peak_rss_mb"] = peak_rss_mb(server.pid)
        result["server_cpu_s"] = _diff(server_cpu, server_cpu0)
        result["browser_cpu_s"] = _diff(browser_cpu, browser_cpu0)
        result["harness_cpu_s"] = _diff(harness_cpu, harness_cpu0)
        stop(feeder)
        stop(server)
    result["load_avg_before"], result["load_avg_after"] = load_before, os.getloadavg()
    errors += server_problems(log_path)
    result["feeder"] = feeder_result(feeder.returncode, out, err, rate, feed_end - feed_start, errors)
    result["events_written"] = count_events(url) - events_before
    if result["feeder"]["created"] is not None and result["events_written"] != result["feeder"]["created"]:
        errors.append(
            f"store: {result['events_written']} new events, but the feeder says it wrote {result['feeder']['created']}"
        )
    result.update(summary(recorded, window, errors))
    return result


def _quietly(fn) -> None:
    with contextlib.suppress(Exception):  # the browser may already be gone after Ctrl-C
        fn()


def _diff(a, b):
    return round(a - b, 1) if a is not None and b is not None else None


def _safe_url(url: str) -> str:
    from data_access.store import describe_url

    return describe_url(url)


def feeder_result(code: int, out: str, err: str, rate: float, elapsed: float, errors: list[str]) -> dict:
    match = re.search(r"done: (\d+) events inserted, (\d+) moved on in (\d+) s", out or "")
    created = int(match.group(1)) if match else None
    # Its own span: loading the county before the first event does not count.
    expected = rate * (float(match.group(3)) if match else elapsed)
    if code != 0:
        errors.append(f"feeder: exited {code}: {(err or '').strip()[-300:]}")
    elif created is None:
        errors.append(f"feeder: no summary line in its output: {(out or '').strip()[-200:]}")
    elif abs(created - expected) > max(0.25 * expected, 4 * expected**0.5):
        # Poisson arrivals: allow 4 standard deviations, or 25 %.
        errors.append(f"feeder: wrote {created} events in {elapsed:.0f} s, expected ≈ {expected:.0f}")
    return {
        "exit_code": code,
        "created": created,
        "moved_on": int(match.group(2)) if match else None,
        "expected": round(expected),
        "elapsed_s": round(elapsed, 1),
    }


def summary(recorded: list[Session], window: tuple[float, float], errors: list[str]) -> dict:
    all_refreshes, per_session = [], []
    for s in recorded:
        refreshes, unanswered = refreshes_of(s, window)
        all_refreshes += refreshes
        before = [rows for ts, rows in s.tickers if ts < window[0]]
        baseline = before[-1] if before else frozenset()
        new_rows = {row for ts, rows in s.tickers if ts >= window[0] for row in rows} - baseline
        times = [r["refresh_s"] for r in refreshes]
        errors += s.errors
        opened = sum(what == "opened" for _ts, what, _url in s.sockets_at_end)
        closed = sum(what == "closed" for _ts, what, _url in s.sockets_at_end)
        if opened != 1 or closed:
            errors.append(f"session {s.index}: websocket opened {opened}×, closed {closed}× (reconnects)")
        if not refreshes:
            errors.append(f"session {s.index}: no refresh measured")
        if unanswered:
            errors.append(f"session {s.index}: {len(unanswered)} refresh request(s) never answered")
        if not s.tickers:
            errors.append(
                f"session {s.index}: no 'newest events' table seen (a column named {'/'.join(sorted(TIME_COLUMNS))})"
            )
        elif not new_rows:
            errors.append(f"session {s.index}: the 'newest events' list showed no new event during the run")
        per_session.append(
            {
                "session": s.index,
                "refreshes": len(refreshes),
                "requests": sum(window[0] <= ts <= window[1] for ts, _ in s.requests),
                "coalesced": sum(r["coalesced"] for r in refreshes),
                "unanswered": len(unanswered),
                "cut_short": sum(
                    1
                    for r in s.runs.values()
                    if r.status == CUT_SHORT and r.fragments and window[0] <= r.start <= window[1]
                ),
                "p50_s": _round(percentile(times, 50)),
                "p95_s": _round(percentile(times, 95)),
                "max_s": _round(max(times, default=None)),
                "new_ticker_rows": len(new_rows),
                "open_counts_seen": len({body for ts, body in s.first_metric if ts >= window[0]}),
                "undecodable_frames": s.undecodable,
                "interval_s": s.interval,
                # Runs that ended in the window, by how they ended: to see why a refresh was or was not counted.
                "runs_ended": _by_status(
                    r
                    for r in s.runs.values()
                    if r.finish is not None and window[0] <= r.finish <= window[1] + ANSWER_GRACE_S
                ),
            }
        )
    times = [r["refresh_s"] for r in all_refreshes]
    runs = [r["run_s"] for r in all_refreshes]
    counts = [p["refreshes"] for p in per_session]
    intervals = sorted({p["interval_s"] for p in per_session if p["interval_s"]})
    beyond = []
    for s in recorded:
        if not s.interval:
            continue
        done = sorted(r["finished"] for r in all_refreshes if r["session"] == s.index)
        beyond += [b - a - s.interval for a, b in zip(done, done[1:])]
    return {
        "lag_beyond_interval_p50_s": _round(percentile(beyond, 50)),
        "lag_beyond_interval_p95_s": _round(percentile(beyond, 95)),
        "lag_beyond_interval_max_s": _round(max(beyond, default=None)),
        "refreshes": len(all_refreshes),
        "refresh_p50_s": _round(percentile(times, 50)),
        "refresh_p95_s": _round(percentile(times, 95)),
        "refresh_max_s": _round(max(times, default=None)),
        "run_p50_s": _round(percentile(runs, 50)),
        "run_p95_s": _round(percentile(runs, 95)),
        "refreshes_per_session": {
            "min": min(counts, default=0),
            "median": percentile(counts, 50),
            "max": max(counts, default=0),
        },
        "coalesced_requests": sum(p["coalesced"] for p in per_session),
        # Fragment runs Streamlit stopped because the next refresh request came before they ended.
        "runs_cut_short": sum(p["cut_short"] for p in per_session),
        "interval_s": intervals[0] if len(intervals) == 1 else intervals,
        "errors": errors,
        "per_session": per_session,
        "refresh_times_s": [round(t, 4) for t in times],
    }


def _by_status(runs) -> dict[str, int]:
    counts: dict[str, int] = {}
    for run in runs:
        name = ForwardMsg.ScriptFinishedStatus.Name(run.status) + (" (fragment)" if run.fragments else "")
        counts[name] = counts.get(name, 0) + 1
    return counts


def _round(value, digits: int = 3):
    return None if value is None else round(value, digits)


# --- report --------------------------------------------------------------------------------------


def _fmt(value, digits: int = 2) -> str:
    if value is None:
        return "—"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def table(r: dict) -> str:
    per = r["refreshes_per_session"]
    rows = [
        ("sessions open / asked for", f"{r.get('sessions_open', r['sessions'])} / {r['sessions']}"),
        ("feeder", f"{r['rate']}/s for {r['seconds']:.0f} s"),
        ("refresh interval (s)", r.get("interval_s")),
        ("refreshes measured", r["refreshes"]),
        ("refreshes per session (min / median / max)", f"{per['min']} / {_fmt(per['median'], 1)} / {per['max']}"),
        (
            "refresh time p50 / p95 / max (s)",
            f"{_fmt(r['refresh_p50_s'])} / {_fmt(r['refresh_p95_s'])} / {_fmt(r['refresh_max_s'])}",
        ),
        ("server run p50 / p95 (s)", f"{_fmt(r['run_p50_s'])} / {_fmt(r['run_p95_s'])}"),
        (
            "visible lag beyond the interval p50 / p95 / max (s)",
            f"{_fmt(r.get('lag_beyond_interval_p50_s'))} / {_fmt(r.get('lag_beyond_interval_p95_s'))} / "
            f"{_fmt(r.get('lag_beyond_interval_max_s'))}",
        ),
        (
            "page / client / server cores / client cores",
            f"{r.get('page', 'live_map')} / {r.get('client', 'browser')} / {r.get('server_cpus') or 'any'} / "
            f"{r.get('client_cpus') or 'any'}",
        ),
        ("coalesced requests / runs cut short", f"{r['coalesced_requests']} / {r.get('runs_cut_short', '—')}"),
        (
            "events written",
            f"{r['events_written']} (feeder: {r['feeder']['created']}, expected ≈ {r['feeder']['expected']})",
        ),
        ("server peak RSS (MB)", _fmt(r.get("server_peak_rss_mb"), 0)),
        (
            "CPU s during the feed: server / browsers / harness (wire clients)",
            f"{_fmt(r.get('server_cpu_s'), 1)} / {_fmt(r.get('browser_cpu_s'), 1)} / {_fmt(r.get('harness_cpu_s'), 1)}",
        ),
        ("load average before / after", f"{r['load_avg_before'][0]:.2f} / {r['load_avg_after'][0]:.2f}"),
        ("browsers: WebGL / nice", f"{'on' if r.get('webgl', True) else 'off'} / {r.get('browser_nice', 0)}"),
        ("errors", len(r["errors"])),
    ]
    width = max(len(k) for k, _ in rows)
    lines = [f"{k:<{width}}  {v}" for k, v in rows]
    lines += [f"  - {e}" for e in r["errors"]]
    return "\n".join(lines)


def markdown(r: dict) -> str:
    per = r["refreshes_per_session"]
    lines = [
        "| sessions | feeder | refreshes | per session (min/median/max) | refresh p50 s | p95 s | max s | "
        "server run p95 s | coalesced / cut short | events written | server peak RSS MB | errors |",
        "|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {r.get('sessions_open', r['sessions'])} of {r['sessions']} | {r['rate']}/s × {r['seconds']:.0f} s | {r['refreshes']} | {per['min']} / "
        f"{_fmt(per['median'], 1)} / {per['max']} | {_fmt(r['refresh_p50_s'])} | {_fmt(r['refresh_p95_s'])} | "
        f"{_fmt(r['refresh_max_s'])} | {_fmt(r['run_p95_s'])} | {r['coalesced_requests']} / {r.get('runs_cut_short', '—')} | {r['events_written']} | "
        f"{_fmt(r.get('server_peak_rss_mb'), 0)} | {len(r['errors'])} |",
    ]
    if r["errors"]:
        lines += [""] + [f"- {e}" for e in r["errors"]]
    return "\n".join(lines)


def machine() -> dict:
    import streamlit

    return {"nproc": os.cpu_count(), "python": platform.python_version(), "streamlit": streamlit.__version__}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.concurrency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="SQLAlchemy URL of an existing store (the feeder writes into it)")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rate", type=float, default=5.0, help="events per second the feeder writes")
    parser.add_argument("--seconds", type=float, default=120.0, help="how long the feeder writes (the measured span)")
    parser.add_argument("--role", default="duty", help="demo user each session signs in as (password gridsight-demo)")
    parser.add_argument("--seed", type=int, default=21, help="the feeder's seed")
    parser.add_argument("--viewport", default="1366x900", help="browser window, WIDTHxHEIGHT")
    parser.add_argument(
        "--no-webgl",
        action="store_true",
        help="do not draw the map (WebGL off): the browsers then take far less of this machine's CPU",
    )
    parser.add_argument(
        "--browser-nice",
        type=int,
        default=0,
        metavar="N",
        help="run the browsers at this nice value (e.g. 19): on one machine, the 20 renderers "
        "otherwise compete with the server they measure, as browsers on users' own "
        "machines would not",
    )
    parser.add_argument(
        "--client",
        choices=("browser", "wire"),
        default="browser",
        help="browser: a headless Chromium context per session; wire: a light client speaking Streamlit's "
        "websocket protocol (no rendering), so the clients do not take the server's CPU",
    )
    parser.add_argument("--page", choices=sorted(PAGE_READY), default="live_map", help="the page every session opens")
    parser.add_argument("--server-cpus", default=None, help="pin the server to these cores (taskset -c LIST)")
    parser.add_argument(
        "--client-cpus", default=None, help="pin this harness, its browsers and the feeder to these cores (e.g. 1)"
    )
    parser.add_argument("--out", default=None, help="write the JSON result here")
    parser.add_argument("--markdown", default=None, help="also write the summary as a Markdown table")
    parser.add_argument(
        "--from-json", default=None, help="do not measure: print (and --markdown) the summary of an earlier --out file"
    )
    args = parser.parse_args(argv)
    if args.from_json:
        result = json.loads(Path(args.from_json).read_text(encoding="utf-8"))
        print(table(result))
        if args.markdown:
            Path(args.markdown).write_text(markdown(result) + "\n", encoding="utf-8")
        return 0
    if not args.db:
        parser.error("--db is required (unless --from-json)")
    if args.sessions < 1 or args.rate <= 0 or args.seconds <= 0:
        parser.error("--sessions, --rate and --seconds must be positive")
    try:
        viewport = tuple(int(v) for v in args.viewport.lower().split("x"))
        assert len(viewport) == 2
    except (ValueError, AssertionError):
        parser.error("--viewport must look like 1366x900")
    try:
        count_events(args.db)
    except Exception as exc:  # noqa: BLE001 - say what to do instead of a traceback
        parser.error(
            f"cannot read events from {args.db}: {exc}. Build a store first, e.g. python -m "
            "sample_data.generate --db URL --profile county --seed 7"
        )

    def terminate(_sig, _frame):  # `kill` ends the run like Ctrl-C: the finally blocks clean up
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    print(f"machine {machine()}", flush=True)
    result = measure(
        args.db,
        args.sessions,
        args.rate,
        args.seconds,
        args.role,
        args.seed,
        viewport,
        not args.no_webgl,
        progress=lambda s: print(s, flush=True),
        browser_nice=args.browser_nice,
        page_path=args.page,
        server_cpus=args.server_cpus,
        client_cpus=args.client_cpus,
        client=args.client,
    )
    result["machine"] = machine()
    print()
    print(table(result))
    if args.out:
        Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"wrote {args.out}")
    if args.markdown:
        Path(args.markdown).write_text(markdown(result) + "\n", encoding="utf-8")
        print(f"wrote {args.markdown}")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
