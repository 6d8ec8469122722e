"""A programmable HTTP/1.1 server on 127.0.0.1 (ephemeral port), running in a thread.

Real sockets, no mocks: tests point the real client code at ``server.url(path)``.

Usage::

    from tests.support.httpserver import HttpServer, Request, Response

    with HttpServer() as server:                       # or the ``http_server`` fixture below
        server.route("/feed.xml", Response(200, b"<rss>...</rss>", content_type="application/rss+xml"))
        server.route("/echo", lambda req: Response(200, req.headers.get("user-agent", "").encode()))
        server.route("/hook", handler, methods=("POST",))
        server.redirect("/old", "/feed.xml", status=301)
        url = server.url("/feed.xml")                  # http://127.0.0.1:PORT/feed.xml
        ...
        assert server.hits("/feed.xml") == 1
        assert server.requests[-1].headers["if-none-match"] == '"v1"'

API:

``HttpServer(host="127.0.0.1", ssl_context=None)``
    Context manager; ``start()``/``stop()`` also work. ``host="::1"`` serves IPv6; an
    ``ssl.SSLContext`` (e.g. from ``trustme``) serves HTTPS and ``url()`` says ``https``.
``route(path, response_or_handler, methods=("GET", "HEAD"))``
    Exact path match (the query string is ignored for matching). A handler is
    ``(Request) -> Response``; an exception in it gives a 500 and is kept in ``server.errors``.
    Routing the same path again replaces it. Unknown paths give 404.
``redirect(path, location, status=302)``
    Shortcut for a response with a ``Location`` header (relative or absolute).
``in_turn(*responses)``
    A handler that gives each response in turn and then repeats the last one.
``url(path="/")``, ``base_url``, ``port``
``requests`` (every ``Request`` received, in order), ``hits(path)``, ``errors``,
``max_in_flight`` (most requests being handled at the same time, for concurrency limits),
``reset()`` (clear requests, errors and counters; routes stay).

``Response(status=200, body=b"", headers=None, *, content_type=None, delay_s=0.0, drip_s=0.0,
drip_bytes=1, raw=None, chunked=False, close=False)``
    ``headers``: a dict or a list of pairs (repeat a name with the list form).
    ``Content-Length`` is added unless given or ``chunked``. ``str`` bodies are UTF-8 encoded.
    ``delay_s``: sleep before sending anything. ``drip_s``: send the whole response (status line,
    headers and body) ``drip_bytes`` bytes at a time with ``drip_s`` seconds between sends.
    ``raw``: bytes sent verbatim instead (malformed responses). ``close``: close the
    connection after this response. HEAD requests get the headers only.

``Request``: ``method``, ``path``, ``query`` (raw string), ``headers`` (lower-case names;
repeated headers joined with ``", "``), ``body`` (bytes), ``peer`` (the client's address and
port: requests on one kept-alive connection share it), ``json()``.

Sleeping responses wake up when the server stops, so a dripping route never holds up teardown.
"""

from __future__ import annotations

import json
import socket
import ssl
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import KW_ONLY, dataclass, field
from http.client import responses as _REASONS
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

HeaderItems = dict[str, str] | Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    peer: tuple[str, int] = ("", 0)  # the client's address: one per connection

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Response:
    status: int = 200
    body: bytes | str = b""
    headers: HeaderItems | None = None
    _: KW_ONLY
    content_type: str | None = None
    delay_s: float = 0.0
    drip_s: float = 0.0
    drip_bytes: int = 1
    raw: bytes | None = None
    chunked: bool = False
    close: bool = False

    def encode(self, head_only: bool) -> bytes:
        """The bytes on the wire for this response."""
        if self.raw is not None:
            return self.raw
        body = self.body.encode("utf-8") if isinstance(self.body, str) else self.body
        items = list(self.headers.items() if isinstance(self.headers, dict) else self.headers or [])
        names = {k.lower() for k, _ in items}
        if self.content_type and "content-type" not in names:
            items.append(("Content-Type", self.content_type))
        if self.chunked:
            items.append(("Transfer-Encoding", "chunked"))
            body = _chunk(body)
        elif "content-length" not in names:
            items.append(("Content-Length", str(len(body))))
        if self.close:
            items.append(("Connection", "close"))
        reason = _REASONS.get(self.status, "Unknown")
        head = f"HTTP/1.1 {self.status} {reason}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in items) + "\r\n"
        return head.encode("latin-1") + (b"" if head_only else body)


Handler = Callable[[Request], Response]


def _chunk(body: bytes, size: int = 4096) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(body[i : i + size]), body[i : i + size])
             for i in range(0, len(body), size)]  # fmt: skip
    return b"".join(parts) + b"0\r\n\r\n"


@dataclass
class _State:
    routes: dict[str, tuple[Handler, tuple[str, ...]]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # listen() backlog; the default 5 drops SYNs under bursts
    block_on_close = False
    state: _State

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (deadlines, size caps) are expected: stay quiet about them."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError, ssl.SSLError)):
            super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # idle keep-alive connections do not outlive a test for long
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        self._serve()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def _serve(self) -> None:
        state = self.server.state
        request = self._read_request()
        with state.lock:
            state.requests.append(request)
            state.in_flight += 1
            state.max_in_flight = max(state.max_in_flight, state.in_flight)
        try:
            response = self._respond(state, request)
            self._send(state, response, head_only=request.method == "HEAD")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True  # the client gave up (a deadline, a size cap)
        finally:
            with state.lock:
                state.in_flight -= 1

    def _read_request(self) -> Request:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        parts = urlsplit(self.path)
        peer = (str(self.client_address[0]), int(self.client_address[1]))
        return Request(self.command, parts.path, parts.query, headers, body, peer)

    def _respond(self, state: _State, request: Request) -> Response:
        route = state.routes.get(request.path)
        if route is None:
            return Response(404, b"not found", content_type="text/plain")
        handler, methods = route
        if request.method not in methods:
            return Response(405, b"method not allowed", content_type="text/plain")
        try:
            return handler(request)
        except Exception as exc:
            with state.lock:
                state.errors.append(exc)
            return Response(500, repr(exc).encode(), content_type="text/plain", close=True)

    def _send(self, state: _State, response: Response, head_only: bool) -> None:
        if response.delay_s and state.stopping.wait(response.delay_s):
            self.close_connection = True
            return
        data = response.encode(head_only)
        if response.drip_s > 0:
            step = max(1, response.drip_bytes)
            for i in range(0, len(data), step):
                self.wfile.write(data[i : i + step])
                self.wfile.flush()
                if state.stopping.wait(response.drip_s):
                    break
        else:
            self.wfile.write(data)
        self.wfile.flush()
        if response.close or response.raw is not None:
            self.close_connection = True


class HttpServer:
    """See the module docstring."""

    def __init__(self, host: str = "127.0.0.1", ssl_context: ssl.SSLContext | None = None):
        self.host = host
        self._ssl = ssl_context
        self._state = _State()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle
    def start(self) -> HttpServer:
        cls = _Server6 if ":" in self.host else _Server
        server = cls((self.host, 0), _RequestHandler)
        server.state = self._state
        if self._ssl is not None:
            server.socket = self._ssl.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._state.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> HttpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # addresses
    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        scheme = "https" if self._ssl else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    # routes
    def route(
        self,
        path: str,
        response: Response | Handler,
        methods: Sequence[str] = ("GET", "HEAD"),
    ) -> None:
        handler = response if callable(response) else _constant(response)
        with self._state.lock:
            self._state.routes[path] = (handler, tuple(m.upper() for m in methods))

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.route(path, Response(status, headers={"Location": location}))

    @staticmethod
    def in_turn(*responses: Response) -> Handler:
        it: Iterator[Response] = iter(responses)
        last = [responses[-1]]
        lock = threading.Lock()

        def handler(_: Request) -> Response:
            with lock:
                return next(it, last[0])

        return handler

    # what happened
    @property
    def requests(self) -> list[Request]:
        with self._state.lock:
            return list(self._state.requests)

    @property
    def errors(self) -> list[BaseException]:
        with self._state.lock:
            return list(self._state.errors)

    @property
    def max_in_flight(self) -> int:
        return self._state.max_in_flight

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def reset(self) -> None:
        with self._state.lock:
            self._state.requests.clear()
            self._state.errors.clear()
            self._state.max_in_flight = self._state.in_flight


def _constant(response: Response) -> Handler:
    return lambda _request: response


@pytest.fixture
def http_server() -> Iterator[HttpServer]:
    """A started ``HttpServer`` for one test (import it into a test module or conftest)."""
    with HttpServer() as server:
        yield server
