"""``kill -9`` during delivery: a real process is killed and restarted; nothing is lost.

The worker enqueues alerts one by one (each in its own transaction, as the pipeline does) and
dispatches them to a slow webhook receiver. It is killed with SIGKILL either while a request
is held by the receiver or right after a reply was written (before or after the worker could
record it), then started again. The receiver must end with every alert at least once and at
most one repeat, every copy of an alert carrying the same webhook-id.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.webhook_receiver import Reply, WebhookReceiver

from monitor.store import Store, delivery_key

ROOT = Path(__file__).resolve().parents[1]
ALERTS = 8
WORKER = """
import sys
from pathlib import Path

from monitor.alerts.dispatch import Dispatcher
from monitor.settings import DeliverySettings
from monitor.store import Store, utcnow
from tests.support.sample_alerts import channel, make_alert

state, url, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
store = Store.open(state)
hook = channel("hook", "webhook", url=url, timeout_seconds=10)
settings = DeliverySettings(backoff_base_seconds=0.05, backoff_max_seconds=0.1)
dispatcher = Dispatcher(store, [hook], settings, allow_private_addresses=True)
for i in range(count):
    with store.transaction():
        store.enqueue_alert(make_alert(f"alert-{i}", story_id=f"story-{i}"), [("hook", "now")])
    dispatcher.dispatch(utcnow())
while dispatcher.dispatch(utcnow()).pending:
    pass
store.close()
"""


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(default=Reply(delay=0.1)) as r:
        yield r


def start_worker(state: Path, url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")])}
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(state), url, str(ALERTS)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize("moment", ["request-in-flight", "reply-just-written"])
def test_kill9_mid_delivery_loses_nothing(
    tmp_path: Path, receiver: WebhookReceiver, moment: str
) -> None:
    state = tmp_path / "state"
    in_flight = moment == "request-in-flight"
    if in_flight:  # the third request is held until the worker is dead
        receiver.script(Reply(delay=0.1), Reply(delay=0.1), Reply(hang=True))
    worker = start_worker(state, receiver.url)
    if in_flight:
        reached = receiver.wait_for(lambda: len(receiver.requests) >= 3)
    else:
        reached = receiver.wait_for(lambda: receiver.responded >= 3)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    receiver.release()
    assert reached and worker.returncode == -signal.SIGKILL

    again = start_worker(state, receiver.url)
    _, err = again.communicate(timeout=60)
    assert again.returncode == 0, err.decode()

    seen: dict[str, set[str]] = defaultdict(set)
    for request in receiver.requests:
        seen[json.loads(request.body)["alert_id"]].add(request.webhook_id)
    assert sorted(seen) == sorted(f"alert-{i}" for i in range(ALERTS))  # nothing lost
    repeats = len(receiver.requests) - ALERTS
    assert repeats == 1 if in_flight else repeats <= 1  # at most one repeat
    for alert_id, ids in seen.items():
        assert ids == {delivery_key(alert_id, "hook")}  # repeats carry the same webhook-id

    store = Store.open(state)
    try:
        assert store.integrity_ok()
        assert {r.status for r in store.outbox_rows()} == {"sent"}
    finally:
        store.close()
