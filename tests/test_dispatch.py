"""The dispatcher's rules: backoff, giving up, channel independence, digests."""

from __future__ import annotations

import json
import random
import sqlite3
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from tests.support.sample_alerts import channel, make_alert
from tests.support.webhook_receiver import Reply, WebhookReceiver

from monitor.alerts.digest import last_slot, route
from monitor.alerts.dispatch import Dispatcher
from monitor.alerts.webhook import WebhookOptions
from monitor.settings import ChannelConfig, DeliverySettings
from monitor.store import Store, utcnow

SETTINGS = DeliverySettings(
    max_attempts=6, max_age_hours=48, backoff_base_seconds=10, backoff_max_seconds=40
)


def broken(tmp_path: Path) -> ChannelConfig:
    """A channel that always fails, transiently: a JSON-Lines 'file' that is a directory."""
    return channel("broken", "jsonl", path=str(tmp_path))


def hook(receiver: WebhookReceiver, timeout: float = 5.0) -> ChannelConfig:
    return channel("hook", "webhook", url=receiver.url, timeout_seconds=timeout)


def test_backoff_is_exponential_with_jitter_and_capped(tmp_path: Path) -> None:
    store = Store.memory()
    store.enqueue_alert(make_alert(), [("broken", "now")])
    d = Dispatcher(store, [broken(tmp_path)], SETTINGS, rng=random.Random(7))
    now, delays = utcnow(), []
    for _ in range(5):
        d.dispatch(now)
        row = store.outbox_rows()[0]
        delays.append((row.next_attempt_at - now).total_seconds())
        now = row.next_attempt_at
    for attempt, delay in enumerate(delays, start=1):
        ceiling = min(40, 10 * 2 ** (attempt - 1))
        assert ceiling / 2 - 1 <= delay <= ceiling + 1, (attempt, delays)
    assert len({round(x) for x in delays[2:]}) > 1  # jitter: capped delays still differ


def test_too_many_attempts_is_dead(tmp_path: Path) -> None:
    store = Store.memory()
    store.enqueue_alert(make_alert(), [("broken", "now")])
    settings = DeliverySettings(max_attempts=3, backoff_base_seconds=1, backoff_max_seconds=1)
    d = Dispatcher(store, [broken(tmp_path)], settings)
    now = utcnow()
    for _ in range(3):
        d.dispatch(now)
        now += timedelta(seconds=5)
    row = store.outbox_rows()[0]
    assert (row.status, row.attempts) == ("dead", 3)
    assert row.last_error.startswith("gave up after 3 attempts")


def test_too_old_is_dead_without_an_attempt(tmp_path: Path) -> None:
    store = Store.memory()
    store.enqueue_alert(make_alert(), [("file", "now")])
    config = channel("file", "jsonl", path=str(tmp_path / "a.jsonl"))
    report = Dispatcher(store, [config], SETTINGS).dispatch(utcnow() + timedelta(hours=49))
    row = store.outbox_rows()[0]
    assert report.dead == 1 and (row.status, row.attempts) == ("dead", 0)
    assert row.last_error.startswith("expired") and not (tmp_path / "a.jsonl").exists()


def test_a_hanging_channel_does_not_hold_up_another(
    tmp_path: Path, receiver: WebhookReceiver
) -> None:
    receiver.script(Reply(hang=True))
    store = Store.open(tmp_path / "state", lock=False)
    log = tmp_path / "alerts.jsonl"
    channels = [hook(receiver), channel("file", "jsonl", path=str(log))]
    store.enqueue_alert(make_alert(), [("hook", "now"), ("file", "now")])
    d = Dispatcher(store, channels, SETTINGS, allow_private_addresses=True)
    worker = threading.Thread(target=d.dispatch, args=(utcnow(),))
    worker.start()
    reader = sqlite3.connect(tmp_path / "state" / "monitor.db")

    def file_row_sent() -> bool:
        sql = "SELECT status FROM outbox WHERE channel = 'file'"
        return reader.execute(sql).fetchone()[0] == "sent"

    try:
        # while the webhook request is still held by the receiver, the file channel's
        # delivery is already written and recorded as sent
        assert receiver.wait_for(lambda: file_row_sent() and len(receiver.requests) == 1)
        assert log.exists()
        hook_status = "SELECT status FROM outbox WHERE channel = 'hook'"
        assert reader.execute(hook_status).fetchone()[0] == "pending"
    finally:
        receiver.release()
        worker.join()
        reader.close()
    assert {r.channel: r.status for r in store.outbox_rows()} == {"hook": "sent", "file": "sent"}
    store.close()


def test_a_transient_failure_defers_the_rest_of_that_channel(receiver: WebhookReceiver) -> None:
    receiver.script(Reply(503))
    store = Store.memory()
    for i in range(3):
        store.enqueue_alert(make_alert(f"a{i}"), [("hook", "now")])
    now = utcnow()
    report = Dispatcher(store, [hook(receiver)], SETTINGS, allow_private_addresses=True).dispatch(
        now
    )
    first, *rest = store.outbox_rows()
    assert (report.failed, len(receiver.requests)) == (1, 1)  # no hammering a sick server
    assert first.attempts == 1 and all(r.attempts == 0 for r in rest)
    assert all(r.next_attempt_at == first.next_attempt_at for r in rest)
    later = Dispatcher(store, [hook(receiver)], SETTINGS, allow_private_addresses=True)
    assert later.dispatch(first.next_attempt_at).sent == 3


def test_a_permanent_failure_does_not_stop_the_next_delivery(receiver: WebhookReceiver) -> None:
    receiver.script(Reply(422))
    store = Store.memory()
    for i in range(3):
        store.enqueue_alert(make_alert(f"a{i}"), [("hook", "now")])
    d = Dispatcher(store, [hook(receiver)], SETTINGS, allow_private_addresses=True)
    report = d.dispatch(utcnow())
    assert (report.dead, report.sent) == (1, 2)


def test_an_unusable_channel_leaves_its_deliveries_pending(tmp_path: Path) -> None:
    store = Store.memory()
    # Built past the config's checks: the channel itself refuses it when the dispatch opens it.
    options = WebhookOptions(url="https://hooks.example", secret="not-a-whsec-secret")
    bad = ChannelConfig("hook", "webhook", options=options)
    good = channel("file", "jsonl", path=str(tmp_path / "a.jsonl"))
    store.enqueue_alert(make_alert(), [("hook", "now"), ("file", "now"), ("gone", "now")])
    report = Dispatcher(store, [bad, good], SETTINGS).dispatch(utcnow())
    assert report.sent == 1
    assert {r.channel: r.status for r in store.outbox_rows()} == {
        "hook": "pending",
        "file": "sent",
        "gone": "pending",  # a channel no longer in the config
    }


# ---------------------------------------------------------------------- digests


def digest_channel(log: Path) -> ChannelConfig:
    return channel("file", "jsonl", path=str(log), immediate=("conflicting",))


def test_digest_gathers_the_queued_alerts_at_the_scheduled_time(tmp_path: Path) -> None:
    store, log = Store.memory(), tmp_path / "a.jsonl"
    config = digest_channel(log)
    for i, verdict in enumerate(("consistent", "consistent", "conflicting")):
        alert = make_alert(f"a{i}", verdicts=(verdict,))
        store.enqueue_alert(alert, route(alert, [config]))
    d = Dispatcher(store, [config], SETTINGS)
    now = utcnow()
    first = d.dispatch(now)  # the conflicting one goes at once; the others wait
    assert (first.sent, first.digests) == (1, 0)
    slot = last_slot(now + timedelta(days=1), "08:00", "Asia/Baghdad")
    second = d.dispatch(slot)
    assert (second.sent, second.digests) == (1, 1)
    assert d.dispatch(slot + timedelta(hours=1)).digests == 0  # one digest per slot
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [r["type"] for r in records] == ["story.new", "digest"]
    assert [a["alert_id"] for a in records[1]["alerts"]] == ["a0", "a1"]
    statuses = sorted(r.status for r in store.outbox_rows())
    assert statuses == ["bundled", "bundled", "sent", "sent"]


def test_no_digest_before_its_time_and_one_after_downtime(tmp_path: Path) -> None:
    store, log = Store.memory(), tmp_path / "a.jsonl"
    config = digest_channel(log)
    alert = make_alert(verdicts=("consistent",))
    store.enqueue_alert(alert, route(alert, [config]))
    d = Dispatcher(store, [config], SETTINGS)
    assert d.dispatch(utcnow()).digests == 0  # queued after today's slot: waits for the next
    report = d.dispatch(utcnow() + timedelta(days=4))  # daemon was down for several slots
    assert report.digests == 1 and len(log.read_text(encoding="utf-8").splitlines()) == 1


def test_digest_to_a_webhook_nests_the_payloads(receiver: WebhookReceiver) -> None:
    store = Store.memory()
    config = channel("hook", "webhook", url=receiver.url, immediate=())
    for i in range(2):
        alert = make_alert(f"a{i}", verdicts=("consistent",))
        store.enqueue_alert(alert, route(alert, [config]))
    d = Dispatcher(store, [config], SETTINGS, allow_private_addresses=True)
    assert d.dispatch(utcnow() + timedelta(days=1)).sent == 1
    payload = json.loads(receiver.requests[0].body)
    assert payload["type"] == "digest" and payload["verdict"] is None
    assert [a["claims"][0]["verdict"] for a in payload["alerts"]] == ["consistent"] * 2


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # apprise imports imghdr
def test_apprise_channel_delivers_through_a_local_json_endpoint(
    receiver: WebhookReceiver,
) -> None:
    pytest.importorskip("apprise")
    store = Store.memory()
    url = receiver.url.replace("http://", "json://")
    store.enqueue_alert(make_alert(), [("chat", "now")])
    d = Dispatcher(store, [channel("chat", "apprise", urls=[url], timeout_seconds=5)], SETTINGS)
    assert d.dispatch(utcnow()).sent == 1
    body = json.loads(receiver.requests[0].body)
    assert body["title"].startswith("[متعارض] ") and "الحكم / verdict" in body["message"]
