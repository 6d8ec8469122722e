"""What stands between the pages and the network: host check, password, headers, CSRF token.

Rules:
- Loopback listen (127.0.0.0/8, ::1, localhost): no login. Requests must name a loopback host
  (``Host: 127.0.0.1:8080``, ``localhost``, ``[::1]``): a page elsewhere that points its own
  domain at 127.0.0.1 (DNS rebinding) gets 421, so it can neither read the pages nor take
  their CSRF token.
- Any other listen address: the config refuses to start without a password; every request
  but ``/healthz`` must carry it, as HTTP Basic (any user name) or ``Authorization: Bearer``.
  Compared in constant time. Put TLS in front (a reverse proxy) when it crosses a network.
- Every response: a strict Content-Security-Policy (nothing but our own stylesheet; no script
  at all, no inline style, no frames, forms post only to us), nosniff, no referrer (links to
  outlets must not tell them what we read), no framing.
- POST actions carry a token only our pages know: an HMAC of a per-process random key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from monitor.settings import WebSettings, is_loopback

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self';"
    " frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
)
OPEN_PATHS = frozenset({"/healthz"})


def csrf_token(key: bytes) -> str:
    return hmac.new(key, b"monitor-web-post", hashlib.sha256).hexdigest()


def csrf_ok(key: bytes, token: str) -> bool:
    return hmac.compare_digest(csrf_token(key).encode(), token.encode())


def host_ok(host_header: str) -> bool:
    """Whether a ``Host`` header names this machine (for a loopback listen)."""
    host = host_header.strip().lower()
    if host.startswith("["):
        host = host[1 : host.find("]")] if "]" in host else ""
    else:
        host = host.rsplit(":", 1)[0] if ":" in host else host
    return bool(host) and is_loopback(host)


def password_ok(authorization: str, password: str) -> bool:
    """``Authorization: Basic <user:password>`` (any user) or ``Bearer <password>``."""
    scheme, _, value = authorization.strip().partition(" ")
    given = b""
    if scheme.lower() == "bearer":
        given = value.strip().encode()
    elif scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        given = decoded.partition(b":")[2]
    return bool(given) and hmac.compare_digest(given, password.encode())


class Guard:
    """ASGI middleware: host check and password (see the module rules), headers on all."""

    def __init__(self, app: ASGIApp, settings: WebSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self._refusal(scope["path"], headers)
        if refusal is not None:
            await _plain(send, *refusal)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                given = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in HEADERS if k not in given]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _refusal(self, path: str, headers: dict[str, str]) -> tuple[int, str, bool] | None:
        """(status, text, ask for a password) when the request is refused, else None."""
        if self.settings.loopback and not host_ok(headers.get("host", "")):
            return 421, "this server answers only to 127.0.0.1, localhost or [::1]", False
        password = self.settings.password
        if (
            password
            and path not in OPEN_PATHS
            and not password_ok(headers.get("authorization", ""), password)
        ):
            return 401, "password required", True
        return None


async def _plain(send: Send, status: int, text: str, challenge: bool) -> None:
    body = (text + "\n").encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *HEADERS,
    ]
    if challenge:
        headers.append((b"www-authenticate", b'Basic realm="monitor", charset="UTF-8"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
