"""The daemon: APScheduler 3.x ``BlockingScheduler`` (UTC) around the same ``run_cycle``.

Rules:
- One cycle job ticks at the shortest ``poll_interval_minutes``; each source is polled when its
  own interval has passed (``pipeline._is_due``). The first cycle runs at start.
- ``max_instances=1``: a slow cycle is never run twice at once. ``coalesce=True`` with a misfire
  grace of one tick: downtime past several ticks (a suspended host, a paused scheduler) gives
  exactly one catch-up run, not one per missed tick; a restart runs one cycle at once.
- A dispatch job retries the outbox and sends digests every minute. Cycles and dispatches take
  turns on the one SQLite connection (a lock).
- SIGTERM/SIGINT: the cycle in flight finishes (fetches still in flight get
  ``sourcehealth.STOP_GRACE_SECONDS`` to land, then are cut; what was fetched is recorded;
  deliveries stay in the durable outbox for the next start), then the process exits 0. A second
  signal changes nothing; a signal before the scheduler started stops it as soon as it starts.
  The handler only sets a flag (signals come in bursts and may nest); a thread acts on it.
  Whatever a peer or a library does, the process is gone ``STOP_DEADLINE_SECONDS`` after the
  signal (Docker kills at 10 s): every wait is bounded well below that, and should one not be,
  the process exits anyway (the state is transactional; undelivered alerts wait in the outbox).
- ``/healthz`` and ``monitor healthcheck`` share ``cycle_health``: unhealthy before the first
  good cycle and when the last good one is older than ``max_cycle_age_minutes``; and unhealthy
  while writes to the state fail (``/healthz`` from memory, ``healthcheck`` from the beacon).
- SIGHUP reloads the config file between cycles: it is read and validated in full first; a
  bad one (or one changing ``state_dir``, which needs a restart) is refused with one log line
  and the old config kept. A good one replaces the config, the analyser (keywords, timeline),
  the story settings, the schedule's tick, the metrics listener and the web pages, once no
  cycle or dispatch is running; then a cycle runs at once (only new sources are due early).
- The web pages (``[web]``, on by default on 127.0.0.1:8080) run in a thread beside the
  scheduler, with the daemon's metrics and health; they read the state through their own
  read-only connections. A port that cannot be bound is logged and the daemon runs on without
  its pages: alerting matters more than reading. ``[health] metrics_port`` still serves
  /healthz and /metrics on its own port, as before.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from types import FrameType
from typing import Any

from apscheduler.events import EVENT_SCHEDULER_STARTED, SchedulerEvent
from apscheduler.schedulers.base import STATE_STOPPED, BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config.load import Config, load_config
from monitor.errors import ConfigError, StoreError
from monitor.ops.logs import setup_logging
from monitor.pipeline.cycle import run_cycle
from monitor.pipeline.metrics import serve
from monitor.pipeline.runtime import Runtime
from monitor.store import Store, utcnow
from monitor.store.beacon import read_beacon
from monitor.web.app import WebContext
from monitor.web.server import WebServer

log = logging.getLogger("monitor.ops.scheduler")

# Shared by the daemon and the tests that drive a BackgroundScheduler the same way.
SCHEDULER_OPTIONS: dict[str, Any] = {
    "timezone": UTC,
    "job_defaults": {"coalesce": True, "max_instances": 1},
}
DISPATCH_EVERY = timedelta(minutes=1)
_SIGNAL_POLL_SECONDS = 0.25
STOP_DEADLINE_SECONDS = 8.0  # from the signal to the exit, whatever is still running


class Daemon:
    """The cycle and dispatch jobs on a scheduler; ``run()`` blocks until a signal."""

    def __init__(
        self,
        rt: Runtime,
        *,
        alert_on_first_run: bool | None = None,
        scheduler: BaseScheduler | None = None,
        tick: timedelta | None = None,
    ) -> None:
        self.rt = rt
        self.alert_on_first_run = alert_on_first_run
        self.lock = threading.Lock()  # cycles and dispatches share one SQLite connection
        self.scheduler = scheduler or BlockingScheduler(**SCHEDULER_OPTIONS)
        minutes = min((s.poll_interval_minutes for s in rt.config.sources), default=15)
        self.tick = tick or timedelta(minutes=minutes)
        self._fixed_tick = tick  # a test's tick stays across reloads
        self._stop_lock = threading.Lock()
        self._signal: str | None = None  # set by the signal handler, acted on by a thread
        self._reload_asked = False  # set by SIGHUP's handler, acted on by a thread
        self._metrics_server: ThreadingHTTPServer | None = None
        self._web: WebServer | None = None

    # ------------------------------------------------------------------ jobs

    def cycle(self) -> None:
        with self.lock:
            if self.rt.stopping.is_set():
                return
            try:
                run_cycle(self.rt, alert_on_first_run=self.alert_on_first_run)
            except Exception:  # a failed cycle is logged and counted; the next one still runs
                log.exception("cycle failed")
                self.rt.metrics.cycles.labels("crashed").inc()

    def dispatch(self) -> None:
        with self.lock:
            if self.rt.stopping.is_set():
                return
            try:
                report = self.rt.dispatcher().dispatch(utcnow())
            except Exception:
                log.exception("dispatch failed")
                return
            self.rt.metrics.count_deliveries(report.outcomes)
            if report.store_error:
                self.rt.note_store(StoreError(report.store_error, disk_full=report.disk_full))
            elif self.rt.store_error is not None:  # writes work again
                self.rt.note_store(None)

    def schedule(self) -> None:
        """Add the cycle job (first run now) and the dispatch job to the scheduler."""
        self.rt.respect_intervals = True
        self.scheduler.add_job(
            self.cycle,
            IntervalTrigger(seconds=self.tick.total_seconds()),
            id="cycle",
            next_run_time=datetime.now(UTC),
            misfire_grace_time=int(self.tick.total_seconds()) or 1,
        )
        self.scheduler.add_job(
            self.dispatch,
            IntervalTrigger(seconds=DISPATCH_EVERY.total_seconds()),
            id="dispatch",
            misfire_grace_time=int(DISPATCH_EVERY.total_seconds()),
        )

    # ------------------------------------------------------------------ reload (SIGHUP)

    def reload(self) -> bool:
        """Read the config file again and use it from the next cycle on; False when refused.

        Validated in full before anything changes; a refused config changes nothing and is
        one log line (``config reload refused``) naming the file and every problem.
        """
        old = self.rt.config
        try:
            new = load_config(old.path)
            if new.state_dir.resolve() != old.state_dir.resolve():
                raise ConfigError(
                    f"{old.path}: [monitor] state_dir: changed from {old.state_dir} to"
                    f" {new.state_dir}; a running daemon keeps its state: restart it to change"
                )
        except ConfigError as exc:
            problems = " | ".join(exc.problems)
            log.error("config reload refused", extra={"kv": {"error": problems}})
            return False
        with self.lock:  # between cycles: never under a cycle or a dispatch in flight
            if self.rt.stopping.is_set():
                return False
            try:
                self._relisten(new)
            except ConfigError as exc:
                log.error("config reload refused", extra={"kv": {"error": str(exc)}})
                return False
            self.rt.reconfigure(new)
            self._retick(new)
        setup_logging(new.log_level, new.log_format)
        self._restart_pages()
        log.info(
            "config reloaded",
            extra={
                "kv": {
                    "config": str(new.path),
                    "sources": len(new.sources),
                    "channels": len(new.channels),
                }
            },
        )
        return True

    def _relisten(self, new: Config) -> None:
        """Move ``/metrics`` to the new config's address, if it changed; the old one stays
        when the new one cannot be bound (ConfigError)."""
        old, want = self.rt.config.health, new.health
        if (old.metrics_host, old.metrics_port) == (want.metrics_host, want.metrics_port):
            return
        server = self._serve_metrics(new) if want.metrics_port else None
        if self._metrics_server is not None:
            self._metrics_server.shutdown()
            self._metrics_server.server_close()
        self._metrics_server = server

    def _retick(self, new: Config) -> None:
        """The cycle job at the new shortest interval, with a cycle at once: new sources
        (never polled) are due now; the others keep their own intervals."""
        minutes = min((s.poll_interval_minutes for s in new.sources), default=15)
        tick = self._fixed_tick or timedelta(minutes=minutes)
        if tick != self.tick:
            self.tick = tick
            self.scheduler.reschedule_job(
                "cycle", trigger=IntervalTrigger(seconds=tick.total_seconds())
            )
        self.scheduler.modify_job("cycle", next_run_time=datetime.now(UTC))

    def _restart_pages(self) -> None:
        """The web pages read the config when they start: start them again on the new one."""
        if self._web is not None:
            self._web.stop()
        self._web = self._serve_pages()

    # ------------------------------------------------------------------ health

    def healthy(self) -> tuple[bool, str]:
        """For ``/healthz``: from the metrics gauge, never the database (a cycle may hold it)."""
        if self.rt.store_error is not None:
            return False, f"the state is failing: {self.rt.store_error}"
        at = self.rt.metrics.last_good_cycle_at()
        last = datetime.fromtimestamp(at, UTC) if at else None
        return cycle_health(last, self.rt.config.health.max_cycle_age_minutes)

    # ------------------------------------------------------------------ lifecycle

    def run(self) -> int:
        """Serve metrics, install the signal handlers, block in the scheduler; 0 when stopped.

        Raises:
            ConfigError: the metrics port cannot be bound.
        """
        last = self.rt.store.last_cycle(ok_only=True)
        if last is not None:  # /healthz is right from the start after a restart
            self.rt.metrics.last_good_cycle.set(last[0].timestamp())
        self.schedule()
        if self.rt.config.health.metrics_port:
            self._metrics_server = self._serve_metrics(self.rt.config)
        self._web = self._serve_pages()
        self.scheduler.add_listener(self._on_started, EVENT_SCHEDULER_STARTED)
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGHUP, self._on_hup)
        threading.Thread(target=self._await_signal, name="signals", daemon=True).start()
        log.info(
            "daemon started",
            extra={
                "kv": {
                    "tick_seconds": int(self.tick.total_seconds()),
                    "sources": len(self.rt.config.sources),
                }
            },
        )
        try:
            if not self.rt.stopping.is_set():
                self.scheduler.start()
        finally:
            if self._metrics_server:
                self._metrics_server.shutdown()
                self._metrics_server.server_close()
            if self._web:
                self._web.stop()
        log.info("daemon stopped")
        return 0

    def _serve_pages(self) -> WebServer | None:
        """Start the web pages when ``[web]`` is enabled; None when off or the port is taken."""
        settings = self.rt.config.web
        if not settings.enabled:
            return None
        ctx = WebContext(self.rt.config, healthy=self.healthy, metrics=self.rt.metrics)
        web = WebServer(ctx, settings.host, settings.port)
        try:
            web.start()
        except OSError as exc:
            log.error(
                "web pages not served",
                extra={"kv": {"listen": settings.listen, "error": exc.strerror or str(exc)}},
            )
            return None
        return web

    def _serve_metrics(self, config: Config) -> ThreadingHTTPServer:
        health = config.health
        try:
            server = serve(self.rt.metrics, health.metrics_host, health.metrics_port, self.healthy)
        except OSError as exc:
            where = f"{health.metrics_host}:{health.metrics_port}"
            raise ConfigError(
                f"{config.path}: [health] metrics_port: cannot listen on {where}"
                f" ({exc.strerror or exc})"
            ) from exc
        log.info(
            "metrics listening",
            extra={"kv": {"host": health.metrics_host, "port": server.server_address[1]}},
        )
        return server

    def stop(self, reason: str = "requested") -> None:
        """Ask the daemon to stop after the cycle in flight; safe to call more than once."""
        with self._stop_lock:
            first = not self.rt.stopping.is_set()
            self.rt.stopping.set()
            if not first or self.scheduler.state == STATE_STOPPED:
                return  # already stopping, or not started yet (``_on_started`` handles it)
        log.info("stopping: finishing the cycle in flight", extra={"kv": {"reason": reason}})
        # shutdown(wait=True) waits for running jobs; it must not run on the scheduler's thread.
        threading.Thread(target=self._shutdown, name="shutdown").start()

    def _shutdown(self) -> None:
        try:
            self.scheduler.shutdown(wait=True)
        except Exception:  # SchedulerNotRunningError: it stopped meanwhile
            log.debug("scheduler already stopped")

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        # Runs in the main thread between two bytecodes, possibly nested in itself when
        # signals come in a burst: taking a lock here could deadlock, so only set a flag.
        self._signal = self._signal or signal.Signals(signum).name

    def _on_hup(self, signum: int, frame: FrameType | None) -> None:
        self._reload_asked = True  # only a flag, as in ``_on_signal``

    def _await_signal(self) -> None:
        # The kernel may deliver a signal to any thread, but CPython runs the Python handler
        # only on the main thread, which sits in the scheduler's Event.wait until the next
        # job (a minute or more away). Waking the scheduler lets it run the handler promptly.
        while self._signal is None:
            time.sleep(_SIGNAL_POLL_SECONDS)
            if self._reload_asked:
                self._reload_asked = False
                # Its own thread: it waits for the cycle in flight, and a SIGTERM meanwhile
                # must still be seen here at once.
                threading.Thread(target=self.reload, name="reload", daemon=True).start()
            if self.scheduler.state != STATE_STOPPED:
                self.scheduler.wakeup()
        threading.Thread(target=_exit_at_stop_deadline, name="stop-deadline", daemon=True).start()
        self.stop(self._signal)

    def _on_started(self, event: SchedulerEvent) -> None:
        if self.rt.stopping.is_set():  # a signal arrived between run() and start()
            threading.Thread(target=self._shutdown, name="shutdown").start()


def _exit_at_stop_deadline() -> None:
    """The last resort behind the bounded waits: leave before the container's SIGKILL."""
    time.sleep(STOP_DEADLINE_SECONDS)
    log.error(
        "stop deadline passed: exiting now",
        extra={"kv": {"seconds": STOP_DEADLINE_SECONDS, "threads": threading.active_count()}},
    )
    logging.shutdown()
    os._exit(0)  # a requested stop; SQLite's journal keeps the state whole


def cycle_health(last_good: datetime | None, max_age_minutes: float) -> tuple[bool, str]:
    """Whether the last good cycle is recent enough, and one line saying why."""
    if last_good is None:
        return False, "no good cycle yet"
    age = (utcnow() - last_good).total_seconds() / 60
    if age > max_age_minutes:
        return False, f"last good cycle {age:.0f} minutes ago (limit {max_age_minutes:g})"
    return True, f"ok: last good cycle {age:.1f} minutes ago"


def last_cycle_health(store: Store, max_age_minutes: float) -> tuple[bool, str]:
    """``cycle_health`` from the store (``monitor healthcheck``); unhealthy first of all while
    the beacon says writes fail (the database itself cannot record that)."""
    beacon = read_beacon(store.path.parent) if store.path else None
    if beacon is not None and beacon.store_error:
        since = beacon.store_error_since or "?"
        return False, f"the state is failing since {since}: {' '.join(beacon.store_error.split())}"
    last = store.last_cycle(ok_only=True)
    return cycle_health(None if last is None else last[0], max_age_minutes)
