"""A real HTTP receiver on 127.0.0.1 for webhook tests, scripted reply by reply.

``receiver.script(Reply(500), Reply(200))`` answers the next requests in order, then the
default (200). A reply can redirect, carry headers (Retry-After), wait ``delay`` seconds before
answering, or ``hang`` until ``release()`` (or shutdown). Every request is recorded *before*
the reply, so a test can see a request that is still in flight.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    hang: bool = False


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def webhook_id(self) -> str:
        return self.headers.get("webhook-id", "")


class WebhookReceiver:
    def __init__(self, default: Reply | None = None) -> None:
        self.default = default or Reply()
        self.requests: list[Request] = []
        self.responded = 0  # replies fully written
        self._plan: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._plan.extend(replies)

    def release(self) -> None:
        self._release.set()

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.01)
        return predicate()

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def _next_reply(self) -> Reply:
        with self._lock:
            return self._plan.popleft() if self._plan else self.default

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if len(body) < length:
                    return  # the sender died mid-body: a server drops it, unanswered
                headers = {k.lower(): v for k, v in self.headers.items()}
                reply = receiver._next_reply()
                with receiver._lock:
                    receiver.requests.append(Request(self.path, headers, body))
                if reply.hang:
                    receiver._release.wait(30)
                if reply.delay:
                    receiver._stopping.wait(reply.delay)
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                    self.wfile.flush()
                    with receiver._lock:
                        receiver.responded += 1
                except OSError:
                    pass  # the client gave up (timeout) or was killed

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
