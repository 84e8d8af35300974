"""A raw client of Streamlit's websocket protocol, for attack tests: it sends the BackMsgs a
browser would (or would not) send and reads the ForwardMsgs, with no browser and no cookies —
what an anonymous attacker on the network has. Used by tests/test_security.py and
benchmarks/security_attacks.py."""

from __future__ import annotations

import time
from urllib.parse import urlparse

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect


class WireSession:
    """One websocket session on the dashboard at `base` (http://host:port)."""

    def __init__(self, base: str, timeout: float = 60) -> None:
        netloc = urlparse(base).netloc
        self.base, self.timeout = base, timeout
        self._connection = connect(
            f"ws://{netloc}/_stcore/stream", subprotocols=["streamlit"], max_size=None, open_timeout=timeout
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

    def clear_cache(self) -> None:
        msg = BackMsg()
        msg.clear_cache = True
        self.send(msg)

    def until_finished(self) -> list[ForwardMsg]:
        """ForwardMsgs up to the end of the current script run."""
        got: list[ForwardMsg] = []
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            try:
                raw = self.ws.recv(timeout=max(0.1, deadline - time.monotonic()))
            except TimeoutError:
                break
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
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
