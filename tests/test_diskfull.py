"""A full disk under the state (a real tmpfs of a few MB, filled up): nothing is sent twice,
nothing is reported as a success, and every command says "disk full" in one line (issue 13).

Before: ``once`` exited 0 with ``alerts=9`` while every article write failed, the healthcheck
stayed green, a daemon whose disk filled sent each alert four times in four minutes (recording
"sent" failed, so every round sent again), and the start-up error read "cannot rollback - no
transaction is active". Needs root for ``mount -t tmpfs``; skipped elsewhere.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.feeds import NewsSite, load_articles, read_alerts, write_config
from tests.support.httpserver import HttpServer, Request, Response
from tests.support.procs import run_monitor
from tests.support.sample_alerts import channel, make_alert
from tests.support.tinyfs import TinyFs, tiny_fs

from monitor.alerts.dispatch import Dispatcher
from monitor.config.load import load_config
from monitor.errors import StoreError
from monitor.pipeline.cycle import run_cycle
from monitor.pipeline.runtime import Runtime
from monitor.settings import DeliverySettings
from monitor.store import Store, utcnow

SEED = {"dijla": ["basra-dates"], "furat": ["mosul-library"]}
NEWS = {
    "dijla": ["basra-dates", "victory-wire", "erbil-plan"],
    "furat": ["mosul-library", "victory-gulf", "phase-one-done"],
}


def publish(site: NewsSite, plan: dict[str, list[str]]) -> None:
    for outlet, ids in plan.items():
        site.publish(outlet, [load_articles()[a] for a in ids])


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with HttpServer() as server:
        news = NewsSite(server)
        publish(news, SEED)
        yield news


@pytest.fixture
def fs(tmp_path: Path) -> Iterator[TinyFs]:
    with tiny_fs(tmp_path / "state", size_kb=6144) as tiny:
        yield tiny


def test_once_on_a_full_disk_fails_in_one_line_sends_nothing_and_the_health_says_so(
    tmp_path: Path, site: NewsSite, fs: TinyFs
) -> None:
    config = write_config(tmp_path, site.sources())
    assert run_monitor(config, "once").returncode == 0  # seeds the state
    publish(site, NEWS)
    fs.fill()

    done = run_monitor(config, "once")
    assert done.returncode == 1
    assert "disk full" in done.stderr and "Traceback" not in done.stderr
    assert "rollback" not in done.stderr
    assert read_alerts(tmp_path) == []  # nothing sent while nothing can be recorded
    for command in (["healthcheck"], ["status"], ["outbox"]):
        answer = run_monitor(config, *command)
        assert answer.returncode == 1, command
        lines = answer.stderr.strip().splitlines()
        assert len(lines) == 1 and "disk full" in lines[0], (command, answer.stderr)

    fs.free()
    done = run_monitor(config, "once")
    assert done.returncode == 0, done.stderr
    alerts = read_alerts(tmp_path)
    assert alerts and len({a["alert_id"] for a in alerts}) == len(alerts)  # each once
    assert run_monitor(config, "healthcheck").returncode == 0


def test_a_cycle_whose_writes_fail_fails_and_loses_no_article(
    tmp_path: Path, site: NewsSite, fs: TinyFs
) -> None:
    path = write_config(tmp_path, site.sources())
    rt = Runtime(config=load_config(path), store=Store.open(tmp_path / "state"))
    try:
        run_cycle(rt)  # seeds
        publish(site, NEWS)
        rt.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # any write must grow the WAL
        fs.fill()

        failed = run_cycle(rt)
        assert failed.store_error and "disk full" in failed.store_error
        assert failed.summary["write_failed"] is True and failed.alerts == 0
        assert read_alerts(tmp_path) == []
        assert (
            rt.metrics.registry.get_sample_value(
                "monitor_cycles_total", {"outcome": "write_failed"}
            )
            == 1
        )
        assert (
            rt.metrics.registry.get_sample_value(
                "monitor_store_write_errors_total", {"kind": "disk_full"}
            )
            == 1
        )
        # The daemon's own connection keeps the WAL open: other commands can read the state,
        # and they say what the database cannot record.
        health = run_monitor(path, "healthcheck")
        assert health.returncode == 1 and "disk full" in health.stderr
        status = json.loads(run_monitor(path, "status", "--json").stdout)
        assert status["store_error"]["disk_full"] is True
        assert run_monitor(path, "status").stdout.startswith("status at")
        assert "STATE FAILING since" in run_monitor(path, "status").stdout

        fs.free()
        good = run_cycle(rt)
        assert good.store_error is None and good.alerts >= 3
        keys = {r[0] for r in rt.store.conn.execute("SELECT key FROM entries")}
        assert len(keys) == sum(len(ids) for ids in NEWS.values())  # no article lost
        alerts = read_alerts(tmp_path)
        assert len(alerts) == good.alerts == len({a["alert_id"] for a in alerts})
        assert run_monitor(path, "healthcheck").returncode == 0
        assert json.loads(run_monitor(path, "status", "--json").stdout)["store_error"] is None
    finally:
        rt.store.close()


def test_a_disk_that_fills_mid_delivery_repeats_only_that_delivery_once(
    tmp_path: Path, fs: TinyFs
) -> None:
    store = Store.open(tmp_path / "state")
    for i in range(3):
        store.enqueue_alert(make_alert(f"a{i}"), [("hook", "now")])
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    received: list[str] = []

    def receive(request: Request) -> Response:
        received.append(request.headers["webhook-id"])
        if len(received) == 1:
            fs.fill()  # accepted by the receiver, but "sent" can no longer be recorded
        return Response(200, b"ok")

    with HttpServer() as receiver:
        receiver.route("/hook", receive, methods=("POST",))
        hook = channel("hook", "webhook", url=receiver.url("/hook"), immediate=["conflicting"])
        dispatcher = Dispatcher(store, [hook], DeliverySettings(), allow_private_addresses=True)
        reports = [dispatcher.dispatch(utcnow()) for _ in range(4)]  # four rounds, disk full
        assert all(r.store_error and r.disk_full for r in reports)
        assert len(received) == 1  # before: every round sent every alert again

        fs.free()
        after = dispatcher.dispatch(utcnow())
    assert after.store_error is None and after.sent == 3
    counts = Counter(received)
    assert sorted(counts.values()) == [1, 1, 2] and counts[received[0]] == 2  # only it, once
    assert {r.status for r in store.outbox_rows()} == {"sent"}
    store.close()


def test_a_migration_on_a_full_disk_names_the_disk_not_a_rollback(
    tmp_path: Path, fs: TinyFs
) -> None:
    state = tmp_path / "state"
    Store.open(state).close()
    holder = sqlite3.connect(state / "monitor.db")  # keeps -wal and -shm in place
    try:
        holder.execute("DROP TABLE story_claims")
        holder.execute("DROP TABLE story_members")
        holder.execute("DROP TABLE stories")
        holder.execute("PRAGMA user_version = 2")  # back to before migration 3 (the stories)
        holder.commit()
        holder.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        fs.fill()
        with pytest.raises(StoreError) as refused:
            Store.open(state)
    finally:
        holder.close()
    assert refused.value.disk_full and "disk full" in str(refused.value)
    assert "rollback" not in str(refused.value)
