"""Prometheus metrics (prometheus-client) and the /healthz + /metrics HTTP endpoint.

A private ``CollectorRegistry`` keeps tests and several runtimes in one process apart. The
names are stable (dashboards depend on them); counters get prometheus-client's ``_total``:

    monitor_cycles_total{outcome}                  ok | failed | write_failed | crashed
    monitor_store_write_errors_total{kind}         disk_full | other (the state not written)
    monitor_cycle_seconds                          histogram
    monitor_source_fetches_total{source,result}    ok | not_modified | fetch | parse | empty
                                                   | deadline
    monitor_source_fetch_seconds{source}           histogram, fetch + parse + pages
    monitor_source_consecutive_failures{source}    gauge
    monitor_page_fetches_total{source,result}      ok | failed (article pages)
    monitor_articles_total{relevant}               true | false
    monitor_stories_total{event}                   new | joined
    monitor_alerts_total{kind}                     alerts queued: new_story | story_update |
                                                   operator (an update folded into another
                                                   is not counted again)
    monitor_claims_alerted_total{verdict}          the claims those alerts carry, by verdict
    monitor_deliveries_total{channel,outcome}      sent | failed | dead
    monitor_last_good_cycle_timestamp              unix time, 0 before the first good cycle

``/healthz`` answers 200 or 503 with one line of text; it never touches the database (the
cycle owns the connection), it reads the last-good-cycle gauge.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

# Feed fetches take from milliseconds to a minute; the default buckets stop at 10 s.
_FETCH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, float("inf"))
_CYCLE_BUCKETS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, float("inf"))


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.cycles = Counter("monitor_cycles", "Cycles run, by outcome", ["outcome"], registry=r)
        self.cycle_seconds = Histogram(
            "monitor_cycle_seconds", "Cycle wall time", buckets=_CYCLE_BUCKETS, registry=r
        )
        self.fetches = Counter(
            "monitor_source_fetches",
            "Feed fetches by source and result",
            ["source", "result"],
            registry=r,
        )
        self.fetch_seconds = Histogram(
            "monitor_source_fetch_seconds",
            "Feed fetch and parse time",
            ["source"],
            buckets=_FETCH_BUCKETS,
            registry=r,
        )
        self.source_failures = Gauge(
            "monitor_source_consecutive_failures",
            "Failures in a row, by source (0 when healthy)",
            ["source"],
            registry=r,
        )
        self.page_fetches = Counter(
            "monitor_page_fetches",
            "Article page fetches by source and result",
            ["source", "result"],
            registry=r,
        )
        self.articles = Counter("monitor_articles", "Articles analysed", ["relevant"], registry=r)
        self.stories = Counter("monitor_stories", "Stories by event", ["event"], registry=r)
        self.alerts = Counter("monitor_alerts", "Alerts queued, by kind", ["kind"], registry=r)
        self.claims_alerted = Counter(
            "monitor_claims_alerted",
            "Claims carried by the alerts queued, by verdict",
            ["verdict"],
            registry=r,
        )
        self.deliveries = Counter(
            "monitor_deliveries",
            "Deliveries by channel and outcome",
            ["channel", "outcome"],
            registry=r,
        )
        self.store_errors = Counter(
            "monitor_store_write_errors",
            "Cycles or dispatch rounds stopped by a failed write to the state",
            ["kind"],
            registry=r,
        )
        self.last_good_cycle = Gauge(
            "monitor_last_good_cycle_timestamp", "Unix time of the last good cycle", registry=r
        )

    def count_deliveries(self, outcomes: Iterable[tuple[str, str]]) -> None:
        """Count ``(channel, "sent" | "failed" | "dead")`` pairs from a ``DispatchReport``."""
        for channel, outcome in outcomes:
            self.deliveries.labels(channel, outcome).inc()

    def last_good_cycle_at(self) -> float | None:
        """Unix time of the last good cycle, or None before the first one."""
        value = self.registry.get_sample_value("monitor_last_good_cycle_timestamp")
        return value if value else None

    def render(self) -> bytes:
        return generate_latest(self.registry)


def serve(
    metrics: Metrics, host: str, port: int, healthy: Callable[[], tuple[bool, str]]
) -> ThreadingHTTPServer:
    """Serve ``/metrics`` and ``/healthz`` in a daemon thread; returns the server.

    Raises:
        OSError: the address is in use or cannot be bound.
    """

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, metrics.render(), CONTENT_TYPE_LATEST)
            elif path == "/healthz":
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
            return  # scrapes every few seconds would drown the log

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
