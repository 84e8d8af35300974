"""GridSight's own HTTP layer around Streamlit (serve.py builds the `st.App` from these).

- `/_gridsight/session?grant=…` sets the sign-in cookie (issue #18, finding 12). A script run
  cannot set a cookie (it talks to the browser over a websocket), so after a sign-in the page asks
  this route, once, with a one-time grant that is worth nothing after SESSION_GRANT_SECONDS or one
  use. The token itself never appears in a URL, a log or a page script: the cookie is HttpOnly and
  SameSite=Strict (Secure when the request came over HTTPS). The same grant may carry the device
  cookie (`DEVICE_COOKIE`) that exempts this browser from its account's lock-out.
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
DEVICE_COOKIE = "gridsight_device"  # a browser that signed in as an account before (finding 3)
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
_GRANTS: dict[str, tuple[float, tuple[tuple[str, str, int], ...]]] = {}  # grant -> (deadline, cookies)


def grant_cookie(*cookies: tuple[str, str, int]) -> str:
    """A one-time grant for the cookie route to set `cookies` ((name, value, max-age s), …) in
    this browser."""
    import secrets

    grant = secrets.token_urlsafe(24)
    now = time.monotonic()
    with _LOCK:
        for old in [g for g, (deadline, _c) in _GRANTS.items() if deadline < now]:
            del _GRANTS[old]
        _GRANTS[grant] = (now + SESSION_GRANT_SECONDS, tuple(cookies))
    return grant


def take_grant(grant: str) -> tuple[tuple[str, str, int], ...] | None:
    """The cookies behind `grant`, once; None when unknown, used or expired."""
    with _LOCK:
        found = _GRANTS.pop(grant, None)
    if found is None or found[0] < time.monotonic():
        return None
    return found[1]


async def session_route(request):
    from starlette.responses import Response

    cookies = take_grant(request.query_params.get("grant", ""))
    if cookies is None:
        return Response(status_code=404)
    response = Response(status_code=204, headers={"cache-control": "no-store"})
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    for name, value, max_age in cookies:
        if name in (SESSION_COOKIE, DEVICE_COOKIE):  # nothing else may be set through here
            response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="strict", secure=secure)
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

        requester = None
        if "/media/" in scope.get("path", ""):  # who fetches a download: ui.server_guard audits it
            from .server_guard import REQUESTER

            requester = REQUESTER.set({"client": _client(scope), "token": _request_cookie(scope, SESSION_COOKIE)})

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in SECURITY_HEADERS if h[0] not in names)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            if requester is not None:
                from .server_guard import REQUESTER

                REQUESTER.reset(requester)


def _client(scope) -> str | None:
    client = scope.get("client")
    return client[0] if client else None


def _request_cookie(scope, name: str) -> str | None:
    from http.cookies import CookieError, SimpleCookie

    for key, value in scope.get("headers", []):
        if key == b"cookie":
            try:
                jar = SimpleCookie(value.decode("latin-1"))
            except CookieError:
                return None
            return jar[name].value if name in jar else None
    return None


def routes() -> list:
    from starlette.routing import Route

    return [Route(SESSION_ROUTE, session_route, methods=["GET"])]


def middleware() -> list:
    from starlette.middleware import Middleware

    return [Middleware(SecurityHeaders)]
