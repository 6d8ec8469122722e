"""Console and JSON-Lines channels through the dispatcher."""

from __future__ import annotations

import io
import json
from pathlib import Path

from tests.support.sample_alerts import SENTENCE, channel, make_alert

from monitor.alerts.bidi import FSI
from monitor.alerts.dispatch import Dispatcher
from monitor.settings import DeliverySettings
from monitor.store import Store, delivery_key, utcnow


def test_console_prints_each_alert_once_in_readable_arabic() -> None:
    store, out = Store.memory(), io.StringIO()
    store.enqueue_alert(make_alert(), [("console", "now")])
    d = Dispatcher(store, [channel("console", "console")], DeliverySettings(), console_stream=out)
    assert d.dispatch(utcnow()).sent == 1
    assert d.dispatch(utcnow()).sent == 0  # sent once, never again
    text = out.getvalue()
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0].startswith("■ [متعارض] مصادر: التحالف الدولي")
    assert f"«{SENTENCE}»" in text and FSI not in text
    assert all(": " in line for line in lines[1:])  # one "label: value" line per field


def test_jsonl_appends_the_payload_with_its_delivery_id(tmp_path: Path) -> None:
    store, path = Store.memory(), tmp_path / "out" / "alerts.jsonl"
    store.enqueue_alert(make_alert("a1"), [("file", "now")])
    store.enqueue_alert(make_alert("a2", kind="story_update", follows="a1"), [("file", "now")])
    d = Dispatcher(store, [channel("file", "jsonl", path=str(path))], DeliverySettings())
    assert d.dispatch(utcnow()).sent == 2
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["alert_id"] for r in records] == ["a1", "a2"]
    assert records[0]["delivery_id"] == delivery_key("a1", "file")
    assert records[1]["type"] == "story.update" and records[1]["follows"] == "a1"
    assert records[0]["claims"][0]["sentence"] == SENTENCE


def test_an_unwritable_jsonl_path_fails_and_is_retried(tmp_path: Path) -> None:
    store = Store.memory()
    store.enqueue_alert(make_alert(), [("file", "now")])
    d = Dispatcher(store, [channel("file", "jsonl", path=str(tmp_path))], DeliverySettings())
    report = d.dispatch(utcnow())  # the path is a directory
    assert (report.failed, report.pending) == (1, 1)
    assert store.outbox_rows()[0].last_error.startswith("jsonl: ")
