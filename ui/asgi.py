"""GridSight's own HTTP layer around Streamlit (serve.py builds the `st.App` from these).

- `/_gridsight/session?grant=…` sets the sign-in cookie (issue #18, finding 12). A script run
  cannot set a cookie (it talks to the browser over a websocket), so after a sign-in the page asks
  this route, once, with a one-time grant that is worth nothing after SESSION_GRANT_SECONDS or one
  use. The token itself never appears in a URL, a log or a page script: the cookie is HttpOnly and
  SameSite=Strict (Secure when the request came over HTTPS).
- Security headers on every response (finding 14): no framing by other sites, no MIME sniffing,
  no referrer to other sites. A full Content-Security-Policy is not set: Streamlit's frontend needs
  inline styles and its own scripts, and a policy loose enough for them protects little.
- `/_stcore/metrics` answers only the machine itself (loopback), for a local monitoring agent; it
  lists sessions and cache sizes, which are nobody else's business.
"""

from __future__ import annotations

import ipaddress
import threading
import time

SESSION_COOKIE = "gridsight_session"
SESSION_ROUTE = "/_gridsight/session"
SESSION_GRANT_SECONDS = 60
SECURITY_HEADERS = (
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"content-security-policy", b"frame-ancestors 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
LOCAL_ONLY_PATHS = ("/_stcore/metrics",)

_LOCK = threading.Lock()
_GRANTS: dict[str, tuple[float, str, int]] = {}  # grant -> (monotonic deadline, token, max-age s)


def grant_cookie(token: str, max_age_seconds: int) -> str:
    """A one-time grant for the cookie route to set `token` in this browser."""
    import secrets

    grant = secrets.token_urlsafe(24)
    now = time.monotonic()
    with _LOCK:
        for old in [g for g, (deadline, _t, _a) in _GRANTS.items() if deadline < now]:
            del _GRANTS[old]
        _GRANTS[grant] = (now + SESSION_GRANT_SECONDS, token, max_age_seconds)
    return grant


def take_grant(grant: str) -> tuple[str, int] | None:
    """The token and max-age behind `grant`, once; None when unknown, used or expired."""
    with _LOCK:
        found = _GRANTS.pop(grant, None)
    if found is None or found[0] < time.monotonic():
        return None
    return found[1], found[2]


async def session_route(request):
    from starlette.responses import Response

    taken = take_grant(request.query_params.get("grant", ""))
    if taken is None:
        return Response(status_code=404)
    token, max_age = taken
    response = Response(status_code=204, headers={"cache-control": "no-store"})
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, path="/", httponly=True, samesite="strict", secure=secure
    )
    return response


def _loopback(client) -> bool:
    try:
        return client is not None and ipaddress.ip_address(client[0]).is_loopback
    except ValueError:
        return False


class SecurityHeaders:
    """Pure ASGI middleware: adds SECURITY_HEADERS to HTTP responses and answers 404 to
    LOCAL_ONLY_PATHS from other machines."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("path", "").startswith(LOCAL_ONLY_PATHS) and not _loopback(scope.get("client")):
            await send({"type": "http.response.start", "status": 404, "headers": list(SECURITY_HEADERS)})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in SECURITY_HEADERS if h[0] not in names)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def routes() -> list:
    from starlette.routing import Route

    return [Route(SESSION_ROUTE, session_route, methods=["GET"])]


def middleware() -> list:
    from starlette.middleware import Middleware

    return [Middleware(SecurityHeaders)]
