"""A raw client of Streamlit's websocket protocol, for attack tests: it sends the BackMsgs a
browser would (or would not) send and reads the ForwardMsgs, with no browser and no cookies
unless given — what an anonymous attacker on the network has. Used by tests/test_security.py and
benchmarks/security_attacks.py."""

from __future__ import annotations

import re
import time
import urllib.request
from urllib.parse import urlparse

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect


class WireSession:
    """One websocket session on the dashboard at `base` (http://host:port)."""

    def __init__(self, base: str, timeout: float = 60, cookies: dict[str, str] | None = None) -> None:
        netloc = urlparse(base).netloc
        self.base, self.timeout = base, timeout
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else None
        self._connection = connect(
            f"ws://{netloc}/_stcore/stream",
            subprotocols=["streamlit"],
            max_size=None,
            open_timeout=timeout,
            additional_headers=headers,
        )
        self.ws = self._connection.__enter__()
        self.received: list[ForwardMsg] = []

    def send(self, msg: BackMsg) -> None:
        self.ws.send(msg.SerializeToString())

    def rerun(self, query_string: str = "", page_name: str = "") -> list[ForwardMsg]:
        """Ask for a script run (as on page load) and read until it has finished."""
        msg = BackMsg()
        msg.rerun_script.query_string = query_string
        msg.rerun_script.page_name = page_name
        self.send(msg)
        return self.until_finished()

    def widget_id(self, key: str) -> str:
        """The id of the latest widget whose user key is `key` (or, for a form's submit button,
        `FormSubmitter:<form>`), from the elements received so far."""
        for fwd in reversed(self.received):
            if fwd.WhichOneof("type") != "delta" or fwd.delta.WhichOneof("type") != "new_element":
                continue
            element = fwd.delta.new_element
            widget = getattr(element, element.WhichOneof("type") or "", None)
            wid = getattr(widget, "id", "")
            if isinstance(wid, str) and (wid.endswith("-" + key) or f"-{key}-" in wid):
                return wid
        raise LookupError(f"no widget {key!r} on the page")

    def submit_login(self, username: str, password: str) -> list[ForwardMsg]:
        """Fill and submit the login form as a browser does; read the run that checks it. A refused
        attempt ends there (no second run follows), so attack tests that expect a refusal call this."""
        if not self.received:
            self.rerun()
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        for key, value in (("login_username", username), ("login_password", password)):
            state = msg.rerun_script.widget_states.widgets.add()
            state.id, state.string_value = self.widget_id(key), value
        submit = msg.rerun_script.widget_states.widgets.add()
        submit.id, submit.trigger_value = self.widget_id("FormSubmitter:login_form"), True
        self.send(msg)
        return self.until_finished()

    def sign_in(self, username: str, password: str) -> list[ForwardMsg]:
        """Submit the login form expecting success: the checking run, then the signed-in page it
        reruns into (a refused attempt has no second run, so this waits out the timeout: use
        `submit_login`)."""
        self.submit_login(username, password)
        return self.until_finished()

    def page_script_hash(self) -> str:
        for fwd in reversed(self.received):
            if fwd.WhichOneof("type") == "new_session":
                return fwd.new_session.page_script_hash
        return ""

    def auto_reruns(self) -> list[tuple[str, float]]:
        """(fragment id, interval in seconds) of the fragments that asked to refresh by themselves."""
        return [
            (fwd.auto_rerun.fragment_id, fwd.auto_rerun.interval)
            for fwd in self.received
            if fwd.WhichOneof("type") == "auto_rerun"
        ]

    def rerun_fragment(self, fragment_id: str) -> list[ForwardMsg]:
        """A fragment's timed refresh, as the browser sends it every `interval` seconds."""
        msg = BackMsg()
        msg.rerun_script.fragment_id = fragment_id
        msg.rerun_script.is_auto_rerun = True
        msg.rerun_script.page_script_hash = self.page_script_hash()
        self.send(msg)
        return self.until_finished()

    def session_id(self) -> str:
        for fwd in self.received:
            if fwd.WhichOneof("type") == "new_session" and fwd.new_session.initialize.session_id:
                return fwd.new_session.initialize.session_id
        raise LookupError("no new_session message received yet")

    def element(self, key: str):
        """The latest element (its typed proto) of the widget whose user key is `key`."""
        wid = self.widget_id(key)
        for fwd in reversed(self.received):
            if fwd.WhichOneof("type") == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                widget = getattr(element, element.WhichOneof("type") or "", None)
                if getattr(widget, "id", None) == wid:
                    return widget
        raise LookupError(key)

    def _next(self, deadline: float) -> ForwardMsg | None:
        """The next ForwardMsg, or None once `deadline` (monotonic) has passed without one."""
        if time.monotonic() >= deadline:
            return None
        try:
            raw = self.ws.recv(timeout=max(0.1, deadline - time.monotonic()))
        except TimeoutError:
            return None
        fwd = ForwardMsg()
        fwd.ParseFromString(raw)
        return fwd

    def _reply(self, kind: str, request_id: str, wait: float = 15):
        deadline = time.monotonic() + wait
        while (fwd := self._next(deadline)) is not None:
            self.received.append(fwd)
            if fwd.WhichOneof("type") == kind:
                reply = getattr(fwd, kind)
                if request_id in ("", getattr(reply, "request_id", "") or getattr(reply, "response_id", "")):
                    return reply
        return None

    def upload_urls(self, *file_names: str):
        """Ask for upload URLs as a file uploader does; the FileURLsResponse (or None)."""
        msg = BackMsg()
        msg.file_urls_request.request_id = "urls-1"
        msg.file_urls_request.session_id = self.session_id()
        msg.file_urls_request.file_names.extend(file_names)
        self.send(msg)
        reply = self._reply("file_urls_response", "urls-1")
        return reply

    def deferred_file(self, file_id: str) -> str:
        """Have a deferred download made (the browser does this on a download click); its URL."""
        msg = BackMsg()
        msg.backend_operation_request.request_id = "dl-1"
        msg.backend_operation_request.session_id = self.session_id()
        msg.backend_operation_request.deferred_file.file_id = file_id
        self.send(msg)
        reply = self._reply("backend_operation_response", "dl-1")
        return reply.deferred_file.url if reply is not None else ""

    def click(self, key: str) -> list[ForwardMsg]:
        """A button's click (trigger) as the browser sends it; reads the run it causes."""
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = self.page_script_hash()
        state = msg.rerun_script.widget_states.widgets.add()
        state.id, state.trigger_value = self.widget_id(key), True
        self.send(msg)
        return self.until_finished()

    def clear_cache(self) -> None:
        msg = BackMsg()
        msg.clear_cache = True
        self.send(msg)

    def until_finished(self) -> list[ForwardMsg]:
        """ForwardMsgs up to the end of the current script run."""
        got: list[ForwardMsg] = []
        deadline = time.monotonic() + self.timeout
        while (fwd := self._next(deadline)) is not None:
            got.append(fwd)
            if fwd.WhichOneof("type") == "script_finished":
                break
        self.received.extend(got)
        return got

    def close(self) -> None:
        self._connection.__exit__(None, None, None)

    def __enter__(self) -> WireSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def shows_login_form(msgs) -> bool:
    """Whether `msgs` draw the login form (its username box): the session is not signed in."""
    return any(
        m.WhichOneof("type") == "delta"
        and m.delta.WhichOneof("type") == "new_element"
        and m.delta.new_element.WhichOneof("type") == "text_input"
        and m.delta.new_element.text_input.id.endswith("-login_username")
        for m in msgs
    )


def add_user(url: str, username: str, password: str, role: str) -> None:
    """Add the account `username` to the store at `url` (data_access.users.add_user)."""
    from data_access import users
    from data_access.store import create_store_engine

    writer = create_store_engine(url, writable=True)
    try:
        users.add_user(writer, username, password, role)
    finally:
        writer.dispose()


def signed_in_session(base: str, username: str, password: str, cookies: dict[str, str] | None = None) -> WireSession:
    """A new WireSession on `base` signed in as `username` through the login form, asserted: the
    page it reruns into shows no login form. The caller closes it (or uses it in a `with`)."""
    session = WireSession(base, cookies=cookies)
    try:
        session.rerun()
        assert not shows_login_form(session.sign_in(username, password)), f"{username} was not signed in"
    except BaseException:
        session.close()
        raise
    return session


def cookie_grant(msgs) -> str:
    """The one-time grant the page offers after a sign-in (ui/auth.py: send_session_cookie)."""
    for m in msgs:
        if m.WhichOneof("type") == "delta" and m.delta.WhichOneof("type") == "new_element":
            element = m.delta.new_element
            if element.WhichOneof("type") == "html":
                found = re.search(r"/_gridsight/session\?grant=([\w-]+)", element.html.body)
                if found:
                    return found.group(1)
    raise AssertionError("the page after sign-in offered no cookie grant")


def fetch_cookies(base: str, grant: str) -> dict[str, tuple[str, str]]:
    """name -> (value, whole Set-Cookie header) of what the grant route sets."""
    with urllib.request.urlopen(f"{base}/_gridsight/session?grant={grant}", timeout=10) as resp:
        assert resp.status == 204
        headers = resp.headers.get_all("Set-Cookie")
    found = {}
    for header in headers:
        name, value = header.split(";", 1)[0].split("=", 1)
        found[name] = (value, header)
    return found
