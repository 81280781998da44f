"""What keeps the served archive to its readers: the token, the hosts it answers to, the headers of every
response, and which links from an article may be followed."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The environment variable that gives the token, as ``--token`` does.
TOKEN_ENV = "ARCHIVE_SERVE_TOKEN"
TOKEN_COOKIE = "archive_token"

#: No script but the app's own files, nothing from elsewhere, no framing, no plugins, forms only to the app.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # (a query in our URL never reaches an article's site)
    (b"x-frame-options", b"DENY"),
]

def is_loopback(host: str) -> bool:
    """Whether listening on ``host`` keeps the server to this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def safe_link(url: str | None) -> str | None:
    """``url`` when a browser may follow it from a page: http or https with a host; None for anything else
    (``javascript:``, ``data:``, a relative path), which the page then shows as text."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def host_name(header: str) -> str:
    """The name in a Host header, without its port: "127.0.0.1", "::1", "localhost"."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class Guard:
    """ASGI middleware: the security headers on every response; the Host checked (on loopback without a
    token); the token checked on every request when there is one.

    A token comes as ``Authorization: Bearer TOKEN``, or once as ``?token=TOKEN`` in a link, which sets
    a cookie (HttpOnly, SameSite=Strict) and sends the browser to the same page without it in the URL.
    """

    def __init__(self, app: ASGIApp, *, token: str | None = None, loopback_only: bool = True) -> None:
        self.app = app
        self.token = token
        self.loopback_only = loopback_only and token is None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # (the app has none: refused, rather than let past the checks)
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":  # (the app's start and stop)
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        # On loopback without a token, only a Host that names this machine (localhost, or a loopback address)
        # is answered, so that a web page whose own name is made to point at 127.0.0.1 (DNS rebinding)
        # cannot read the archive through the visitor's browser.
        if self.loopback_only and not is_loopback(host_name(headers.get("host", ""))):
            await _refuse(send_secured, 400, "This server answers only to localhost or 127.0.0.1.")
            return
        if self.token is not None:
            given = _given_token(scope, headers)
            if given is None or not hmac.compare_digest(given[0].encode(), self.token.encode()):
                await _refuse(
                    send_secured, 401,
                    "This archive needs its token: open the link `archive serve` printed "
                    "(it ends in ?token=...), or send Authorization: Bearer TOKEN.",
                )  # fmt: skip
                return
            if given[1] and scope["method"] in ("GET", "HEAD"):
                await _into_cookie(scope, send_secured, self.token)
                return
        await self.app(scope, receive, send_secured)


def _given_token(scope: Scope, headers: dict[str, str]) -> tuple[str, bool] | None:
    """The token the request carries, and whether it came in the URL (which wins over a cookie an earlier
    run may have left)."""
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip(), False
    for name, value in parse_qsl(scope.get("query_string", b"").decode("latin-1")):
        if name == "token":
            return value, True
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:  # (a malformed Cookie header is no token)
        return None
    return (cookie[TOKEN_COOKIE].value, False) if TOKEN_COOKIE in cookie else None


def local_location(raw_path: bytes, query: str = "") -> str:
    """A redirect's Location to this server's own page at ``raw_path`` (as the request wrote it, still
    percent-encoded): never another site's, as ``//evil.example`` or ``/\\evil.example`` would be."""
    path = "/" + raw_path.decode("latin-1").lstrip("/\\")
    return path + (f"?{query}" if query else "")


async def _into_cookie(scope: Scope, send: Send, token: str) -> None:
    """Send the browser to the page it asked for, without the token in its address, which a cookie now holds."""
    kept = [(name, value) for name, value in parse_qsl(scope.get("query_string", b"").decode("latin-1")) if name != "token"]
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
    location = local_location(raw_path, urlencode(kept))
    # (Lax: a link to a page, shared in a chat or a mail, is followed with the cookie; every route only reads.)
    cookie = f"{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax"
    await send({
        "type": "http.response.start", "status": 303,
        "headers": [(b"location", location.encode("latin-1")), (b"set-cookie", cookie.encode("latin-1")),
                    (b"content-length", b"0")],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": b""})


async def _refuse(send: Send, status: int, message: str) -> None:
    body = (message + "\n").encode()
    await send({
        "type": "http.response.start", "status": status,
        "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": body})
