"""The daemon: APScheduler 3.x ``BlockingScheduler`` (UTC) around the same ``run_cycle``.

One cycle job ticks at the shortest ``poll_interval_minutes``; each source is polled when its
own interval has passed (``pipeline._is_due``). ``max_instances=1`` and ``coalesce=True`` mean
a slow cycle is never run twice at once and downtime past several ticks gives exactly one
catch-up run; the misfire grace equals the tick. A dispatch job retries the outbox and sends
digests every minute. SIGTERM/SIGINT let the cycle in flight finish, then the process exits 0.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor.metrics import serve
from monitor.pipeline import Runtime, run_cycle
from monitor.store import Store, utcnow

log = logging.getLogger("monitor.scheduler")


class Daemon:
    def __init__(self, rt: Runtime, *, alert_on_first_run: bool | None = None) -> None:
        self.rt = rt
        self.alert_on_first_run = alert_on_first_run
        self.lock = threading.Lock()  # cycles and dispatches share one SQLite connection
        self.scheduler = BlockingScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1}
        )

    def cycle(self) -> None:
        with self.lock:
            try:
                run_cycle(self.rt, alert_on_first_run=self.alert_on_first_run)
            except Exception:  # a failed cycle is logged and counted; the next one still runs
                log.exception("cycle failed")
                self.rt.metrics.cycles.labels("crashed").inc()

    def dispatch(self) -> None:
        with self.lock:
            try:
                self.rt.dispatcher().dispatch(utcnow())
            except Exception:
                log.exception("dispatch failed")

    def healthy(self) -> tuple[bool, str]:
        max_age = self.rt.config.health.max_cycle_age_minutes
        return last_cycle_health(self.rt.store, max_age)

    def run(self) -> int:
        tick = min((s.poll_interval_minutes for s in self.rt.config.sources), default=15)
        self.rt.respect_intervals = True
        self.scheduler.add_job(
            self.cycle,
            IntervalTrigger(minutes=tick),
            id="cycle",
            next_run_time=datetime.now(UTC),
            misfire_grace_time=tick * 60,
        )
        self.scheduler.add_job(
            self.dispatch, IntervalTrigger(minutes=1), id="dispatch", misfire_grace_time=60
        )
        health = self.rt.config.health
        server = None
        if health.metrics_port:
            server = serve(self.rt.metrics, health.metrics_host, health.metrics_port, self.healthy)
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        log.info(
            "daemon started",
            extra={"kv": {"tick_minutes": tick, "sources": len(self.rt.config.sources)}},
        )
        try:
            self.scheduler.start()
        finally:
            if server:
                server.shutdown()
        log.info("daemon stopped")
        return 0

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        log.info("stopping: finishing the cycle in flight", extra={"kv": {"signal": signum}})
        # shutdown(wait=True) waits for running jobs; it must not run on the scheduler's thread.
        threading.Thread(target=self.scheduler.shutdown, kwargs={"wait": True}).start()


def last_cycle_health(store: Store, max_age_minutes: float) -> tuple[bool, str]:
    """Whether the last good cycle is recent enough (``/healthz``, ``monitor healthcheck``)."""
    last = store.last_cycle(ok_only=True)
    if last is None:
        return False, "no good cycle yet"
    age = (utcnow() - last[0]).total_seconds() / 60
    if age > max_age_minutes:
        return False, f"last good cycle {age:.0f} minutes ago (limit {max_age_minutes:g})"
    return True, f"ok: last good cycle {age:.1f} minutes ago"
