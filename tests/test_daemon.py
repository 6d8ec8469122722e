"""``monitor run`` as a real process: a cycle at start, /healthz and /metrics, a clean stop on
SIGTERM/SIGINT (the cycle in flight finishes, exit 0), one run at restart, and the scheduler's
coalescing (downtime past several ticks gives exactly one catch-up run)."""

from __future__ import annotations

import re
import signal
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.events import (
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
    JobSubmissionEvent,
)
from apscheduler.schedulers.background import BackgroundScheduler
from tests.support.feeds import FeedItem, NewsSite, load_articles, rss, write_config
from tests.support.httpserver import HttpServer, Response
from tests.support.procs import (
    GUARD_S,
    Monitor,
    free_port,
    get,
    held,
    query,
    run_monitor,
    wait_for,
)

from monitor.config.load import load_config
from monitor.ops.scheduler import SCHEDULER_OPTIONS, Daemon
from monitor.pipeline.runtime import Runtime
from monitor.store import Store

OUTLETS = {
    "dijla": ["victory-wire", "gulf-markets", "erbil-plan"],
    "furat": ["victory-gulf", "phase-one-done", "amman-rain"],
}


@dataclass
class Site:
    server: HttpServer
    news: NewsSite

    def hold_feed(self, outlet: str) -> threading.Event:
        """Answer ``outlet``'s feed only once the returned event is set (mid-cycle)."""
        articles = [load_articles()[a] for a in OUTLETS[outlet]]
        items = [
            FeedItem(a.title, self.news.page_url(outlet, a.id), a.published, a.description)
            for a in articles
        ]
        body = rss(outlet, self.server.url(f"/{outlet}/"), items)
        release = threading.Event()
        response = Response(200, body, content_type="application/rss+xml")
        self.server.route(self.news.feed_path(outlet), held(response, release))
        return release


@pytest.fixture
def site() -> Iterator[Site]:
    with HttpServer() as server:
        news = NewsSite(server)
        for outlet, ids in OUTLETS.items():
            news.publish(outlet, [load_articles()[a] for a in ids])
        yield Site(server, news)


def daemon_config(tmp_path: Path, site: Site, *, port: int = 0, extra: str = "") -> Path:
    """A config for the daemon: every source polled each minute, logs at info."""
    path = write_config(
        tmp_path,
        site.news.sources(),
        monitor="alert_on_first_run = true",
        extra=f"[health]\nmetrics_port = {port}\n{extra}",
    )
    text = path.read_text(encoding="utf-8")
    text = text.replace('log_level = "error"', 'log_level = "info"')
    text = text.replace("[[sources]]\n", "[[sources]]\npoll_interval_minutes = 1\n")
    path.write_text(text, encoding="utf-8")
    return path


def cycles(state: Path) -> int:
    rows = query(state, "SELECT count(*) FROM cycles")
    return int(rows[0][0]) if rows else 0  # type: ignore[call-overload]


def downtime(state: Path, minutes: int) -> None:
    """Pretend the daemon stopped ``minutes`` ago: move the sources' last poll back."""
    conn = sqlite3.connect(state / "monitor.db")
    with conn:
        past = (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat(timespec="seconds")
        conn.execute("UPDATE source_health SET last_attempt = ?", (past,))
    conn.close()


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text, 0 when absent."""
    for line in text.splitlines():
        if not line.startswith(name + ("{" if labels else " ")):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_run_serves_health_and_metrics_then_stops_and_restarts(tmp_path: Path, site: Site) -> None:
    port = free_port()
    config = daemon_config(tmp_path, site, port=port)
    state = tmp_path / "state"
    base = f"http://127.0.0.1:{port}"
    with Monitor(config, ["run"]) as daemon:
        assert daemon.until(lambda: get(base + "/healthz")[0] == 200), daemon.log()
        status, text = get(base + "/metrics")
        assert status == 200
        assert metric(text, "monitor_cycles_total", outcome="ok") == 1
        for outlet in OUTLETS:
            assert metric(text, "monitor_source_fetches_total", source=outlet, result="ok") == 1
            assert metric(text, "monitor_source_fetch_seconds_count", source=outlet) == 1
        assert metric(text, "monitor_articles_total", relevant="true") >= 3
        assert metric(text, "monitor_articles_total", relevant="false") >= 1
        assert metric(text, "monitor_stories_total", event="new") >= 2
        alerted = sum(
            metric(text, "monitor_claims_alerted_total", verdict=v)
            for v in ("consistent", "conflicting", "completed", "new")
        )
        assert alerted >= 1
        assert metric(text, "monitor_alerts_total", kind="new_story") >= 1
        sent = metric(text, "monitor_deliveries_total", channel="log", outcome="sent")
        jsonl = (tmp_path / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
        assert sent == len(jsonl) >= 2
        assert metric(text, "monitor_last_good_cycle_timestamp") > 0
        assert get(base + "/nothing")[0] == 404
        daemon.signal(signal.SIGTERM)
        assert daemon.wait() == 0, daemon.log()
        assert "daemon stopped" in daemon.log()
    assert cycles(state) == 1
    hits = site.server.hits("/dijla/feed.xml")
    downtime(state, minutes=10)

    # Down for ten ticks: the restart polls each source once at once, then waits for the
    # next tick a minute later.
    with Monitor(config, ["run"]) as daemon:
        assert daemon.until(lambda: cycles(state) == 2), daemon.log()
        assert get(base + "/healthz")[0] == 200
        assert not wait_for(lambda: cycles(state) > 2, timeout=1.5)
        daemon.signal(signal.SIGINT)
        assert daemon.wait() == 0, daemon.log()
    assert site.server.hits("/dijla/feed.xml") == hits + 1
    lines = (tmp_path / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines == jsonl  # the second cycle found nothing new: no alert twice


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_mid_cycle_lets_the_cycle_finish(tmp_path: Path, site: Site, signum: int) -> None:
    release = site.hold_feed("furat")
    port = free_port()
    config = daemon_config(tmp_path, site, port=port)
    state = tmp_path / "state"
    with Monitor(config, ["run"]) as daemon:
        assert daemon.until(lambda: site.server.hits("/furat/feed.xml") == 1), daemon.log()
        assert get(f"http://127.0.0.1:{port}/healthz")[0] == 503  # no good cycle yet
        daemon.signal(signum)
        assert daemon.until(lambda: "stopping: finishing" in daemon.log()), daemon.log()
        release.set()  # the feed answers only after the signal was taken
        assert daemon.wait() == 0, daemon.log()
        log = daemon.log()
    assert "stopping: finishing the cycle in flight" in log
    assert "cycle finished" in log and "daemon stopped" in log
    # The held source's entries were recorded by the cycle that was in flight.
    rows = query(state, "SELECT source_id, count(*) FROM entries GROUP BY source_id")
    assert dict(rows) == {"dijla": 3, "furat": 3}  # type: ignore[arg-type]
    assert cycles(state) == 1
    ok = query(state, "SELECT consecutive_failures FROM source_health WHERE source_id='furat'")
    assert ok == [(0,)]
    # Deliveries wait in the durable outbox for the next start instead of holding up the exit.
    pending = query(state, "SELECT count(*) FROM outbox WHERE status = 'pending'")
    assert pending[0][0] >= 1  # type: ignore[operator]


def test_a_second_signal_changes_nothing(tmp_path: Path, site: Site) -> None:
    release = site.hold_feed("dijla")
    config = daemon_config(tmp_path, site)
    with Monitor(config, ["run"]) as daemon:
        assert daemon.until(lambda: site.server.hits("/dijla/feed.xml") == 1), daemon.log()
        daemon.signal(signal.SIGTERM)
        daemon.signal(signal.SIGINT)
        daemon.signal(signal.SIGTERM)
        assert daemon.until(lambda: "stopping: finishing" in daemon.log()), daemon.log()
        release.set()
        assert daemon.wait() == 0, daemon.log()
        assert "Traceback" not in daemon.log()
    assert cycles(tmp_path / "state") == 1


def test_a_signal_cuts_a_hanging_fetch_after_the_stop_grace(tmp_path: Path, site: Site) -> None:
    """A source that never answers cannot hold up the exit past the container's grace."""
    site.server.route("/hang/feed.xml", Response(200, b"<rss/>", delay_s=3600))
    config = daemon_config(tmp_path, site, extra="")
    text = config.read_text(encoding="utf-8").replace(
        "alert_on_first_run = true", "alert_on_first_run = true\ncycle_deadline_seconds = 900"
    )
    for key in ("read_timeout_seconds", "total_timeout_seconds"):
        text = text.replace(f"{key} = ", f"{key} = 600\n# was: {key} = ")
    hang = site.server.url("/hang/feed.xml")
    text += f'\n[[sources]]\nid = "hang"\nname = "hang"\nurl = "{hang}"\n'
    config.write_text(text, encoding="utf-8")
    state = tmp_path / "state"
    with Monitor(config, ["run"]) as daemon:
        assert daemon.until(
            lambda: (
                site.server.hits("/hang/feed.xml") == 1
                and len(query(state, "SELECT key FROM entries")) == 6
            )
        ), daemon.log()
        t0 = time.monotonic()
        daemon.signal(signal.SIGTERM)
        assert daemon.wait() == 0, daemon.log()
        assert time.monotonic() - t0 < GUARD_S  # STOP_GRACE_SECONDS, not the 900 s deadline
        assert "source cut by shutdown" in daemon.log()
    # Cut by the stop, not failed: no failure counted, no backoff; the next start polls it.
    assert query(
        state, "SELECT consecutive_failures FROM source_health WHERE source_id='hang'"
    ) in (
        [],
        [(0,)],
    )
    assert cycles(state) == 1


# --------------------------------------------------------------------------- scheduler level


def test_downtime_past_several_ticks_gives_exactly_one_catch_up_run(
    tmp_path: Path, site: Site
) -> None:
    """Paused over four ticks (a suspended host), the scheduler runs one coalesced cycle."""
    config = load_config(daemon_config(tmp_path, site))
    store = Store.open(config.state_dir)
    scheduler = BackgroundScheduler(**SCHEDULER_OPTIONS)
    daemon = Daemon(
        Runtime(config=config, store=store), scheduler=scheduler, tick=timedelta(seconds=0.5)
    )
    events: list[JobEvent] = []
    lock = threading.Lock()

    def listen(event: JobEvent) -> None:
        if event.job_id == "cycle":
            with lock:
                events.append(event)

    def executed() -> int:
        with lock:
            return sum(1 for e in events if e.code == EVENT_JOB_EXECUTED)

    def submitted() -> int:
        with lock:
            return sum(1 for e in events if e.code == EVENT_JOB_SUBMITTED)

    scheduler.add_listener(
        listen,
        EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES,
    )
    daemon.schedule()
    scheduler.start()
    try:
        assert wait_for(lambda: executed() >= 1)
        scheduler.pause()
        assert wait_for(lambda: submitted() == executed())  # the cycle in flight finishes
        paused_at = datetime.now(UTC)
        wait_for(lambda: False, timeout=2.2)  # four ticks go by while paused
        with lock:
            before = len(events)
        done = executed()
        resumed_at = datetime.now(UTC)
        scheduler.resume()
        assert wait_for(lambda: executed() > done)
    finally:
        scheduler.shutdown(wait=True)
        store.close()
    with lock:
        after = events[before:]
    catch_up = next(e for e in after if isinstance(e, JobSubmissionEvent))
    assert len(catch_up.scheduled_run_times) == 1  # coalesced: one run for the missed ticks
    assert paused_at < catch_up.scheduled_run_times[0] <= resumed_at  # a tick it missed
    # The missed ticks were neither dropped as missed nor refused as a second instance. (A
    # regular tick *after* the resume may be refused while a slow catch-up still runs: that is
    # max_instances=1 doing its job on a loaded machine, not a lost catch-up.)
    assert not [e for e in after if e.code == EVENT_JOB_MISSED]
    refused = [e for e in after if e.code == EVENT_JOB_MAX_INSTANCES]
    assert not [
        e
        for e in refused
        if any(t <= resumed_at for t in getattr(e, "scheduled_run_times", [resumed_at]))
    ]


def test_a_metrics_port_in_use_is_one_line_on_stderr(tmp_path: Path, site: Site) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        config = daemon_config(tmp_path, site, port=busy.getsockname()[1])
        done = run_monitor(config, "run")
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1
    assert "[health] metrics_port: cannot listen on 127.0.0.1:" in done.stderr
