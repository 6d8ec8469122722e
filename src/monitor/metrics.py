"""Prometheus metrics (prometheus-client) and the /healthz + /metrics HTTP endpoint.

A private ``CollectorRegistry`` keeps tests and several runtimes in one process apart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.cycles = Counter("monitor_cycles", "Cycles run, by outcome", ["outcome"], registry=r)
        self.cycle_seconds = Histogram("monitor_cycle_seconds", "Cycle wall time", registry=r)
        self.fetches = Counter(
            "monitor_source_fetches",
            "Feed fetches by source and result",
            ["source", "result"],
            registry=r,
        )
        self.fetch_seconds = Histogram(
            "monitor_source_fetch_seconds", "Feed fetch and parse time", ["source"], registry=r
        )
        self.articles = Counter("monitor_articles", "Articles analysed", ["relevant"], registry=r)
        self.stories = Counter("monitor_stories", "Stories by event", ["event"], registry=r)
        self.alerts = Counter(
            "monitor_alerts", "Claims alerted, by verdict", ["verdict"], registry=r
        )
        self.deliveries = Counter(
            "monitor_deliveries",
            "Deliveries by channel and outcome",
            ["channel", "outcome"],
            registry=r,
        )
        self.last_good_cycle = Gauge(
            "monitor_last_good_cycle_timestamp", "Unix time of the last good cycle", registry=r
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)


def serve(
    metrics: Metrics, host: str, port: int, healthy: Callable[[], tuple[bool, str]]
) -> ThreadingHTTPServer:
    """Serve ``/metrics`` and ``/healthz`` in a daemon thread; returns the server."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/metrics":
                self._send(200, metrics.render(), CONTENT_TYPE_LATEST)
            elif self.path == "/healthz":
                ok, why = healthy()
                self._send(200 if ok else 503, (why + "\n").encode(), "text/plain; charset=utf-8")
            else:
                self._send(404, b"not found\n", "text/plain")

        def _send(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
