"""Run the pages under uvicorn in a thread: beside the daemon's scheduler, or for ``serve``.

We bind the socket ourselves, so a taken port is an ``OSError`` the caller sees at once (with
port 0 the system picks one: tests), and hand it to uvicorn. uvicorn runs in its own thread
with its own event loop; it installs no signal handlers there, so the daemon's SIGTERM handling
stays the daemon's. ``stop()`` asks it to finish the requests in flight and waits.
"""

from __future__ import annotations

import logging
import socket
import threading

import uvicorn

from monitor.web.app import WebContext, create_app

log = logging.getLogger("monitor.web")
STOP_SECONDS = 2.0  # well inside the daemon's stop deadline (ops.scheduler)


class WebServer:
    """The reading room on ``host:port``; ``start()`` binds and serves, ``stop()`` ends it."""

    def __init__(self, ctx: WebContext, host: str, port: int) -> None:
        self.ctx = ctx
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self) -> None:
        """Bind and serve in a thread.

        Raises:
            OSError: the address cannot be bound (in use, not ours, no permission).
        """
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(128)
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            create_app(self.ctx),
            log_level="warning",
            access_log=False,
            lifespan="off",
            server_header=False,
            proxy_headers=False,
            timeout_graceful_shutdown=int(STOP_SECONDS),
        )
        self._server = uvicorn.Server(config)
        started = threading.Event()

        def run() -> None:
            assert self._server is not None
            try:
                self._server.run(sockets=[sock])
            finally:
                sock.close()
                started.set()

        self._thread = threading.Thread(target=run, name="web", daemon=True)
        self._thread.start()
        # uvicorn marks itself started once it accepts on the socket
        while not started.wait(0.01):
            if self._server.started:
                break
        log.info("web pages listening", extra={"kv": {"url": self.url}})

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(STOP_SECONDS + 1)
        self._server = None
        self._thread = None
