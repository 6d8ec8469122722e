"""The outbox tables: durable with the story, idempotent keys, full alert content, requeue."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
from tests.support.sample_alerts import T0, make_alert

from monitor.alerts.report import outbox_report
from monitor.models import Alert
from monitor.store import Store, delivery_key, outbox, utcnow
from monitor.store.base import json_default
from monitor.store.outbox import encode_alert
from monitor.store.stories import decode_findings, encode_findings


def test_alert_round_trips_with_its_full_content(store: Store) -> None:
    alert = make_alert(verdicts=("conflicting", "consistent"), follows="alert-0")
    store.enqueue_alert(alert, [("mail", "now")])
    assert store.get_alert(alert.id) == alert
    assert store.get_alert("missing") is None


def test_an_alert_read_back_is_the_same_whether_this_process_wrote_it_or_not(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    alert = make_alert(verdicts=("conflicting", "consistent"), follows="alert-0")
    store.enqueue_alert(alert, [("mail", "now")])
    written = store.get_alert(alert.id)
    monkeypatch.setattr(outbox, "_ENCODED", {})  # as another process reads it: decoded
    read = store.get_alert(alert.id)
    assert written == read == alert and repr(written) == repr(read)


def test_a_rewritten_update_is_read_back_and_routed_anew(store: Store) -> None:
    alert = make_alert(kind="story_update", verdicts=("new",))
    store.enqueue_alert(alert, [("mail", "now"), ("daily", "digest")])
    bigger = dataclasses.replace(alert, title="عنوان آخر", updates=2)
    held = T0 + timedelta(hours=1)
    assert store.rewrite_unsent_alert(bigger, [("mail", "now")], not_before=held)
    assert store.waiting_update("story-1") == (bigger, held)
    assert [(r.channel, r.status) for r in store.outbox_rows()] == [("mail", "pending")]


def test_an_alert_is_stored_as_the_json_of_all_its_fields() -> None:
    # the encoding skips asdict's deep copies; the stored text must not change (old rows)
    alert = make_alert(verdicts=("conflicting", "consistent", "new"), follows="alert-0")
    expected = json.dumps(dataclasses.asdict(alert), ensure_ascii=False, default=json_default)
    assert encode_alert(alert) == expected


def test_one_row_per_channel_with_a_stable_key(store: Store) -> None:
    alert = make_alert()
    store.enqueue_alert(alert, [("mail", "now"), ("hook", "now"), ("daily", "digest")])
    store.enqueue_alert(alert, [("mail", "now")])  # enqueueing again changes nothing
    rows = {r.channel: r for r in store.outbox_rows()}
    assert {c: r.status for c, r in rows.items()} == {
        "mail": "pending",
        "hook": "pending",
        "daily": "digest",
    }
    assert rows["mail"].idempotency_key == delivery_key(alert.id, "mail")
    assert len({r.idempotency_key for r in rows.values()}) == 3


def test_alert_is_durable_exactly_when_the_callers_transaction_commits(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.enqueue_alert(make_alert("lost"), [("mail", "now")])
        raise RuntimeError("the story failed to save")
    assert store.get_alert("lost") is None and store.outbox_rows() == []
    with store.transaction():
        store.enqueue_alert(make_alert("kept"), [("mail", "now")])
    assert store.get_alert("kept") is not None and len(store.outbox_rows()) == 1


def test_due_deliveries_respect_next_attempt(store: Store) -> None:
    now = utcnow()
    store.enqueue_alert(make_alert("a"), [("mail", "now")])
    store.enqueue_alert(make_alert("b"), [("mail", "now")])
    first, second = store.outbox_rows()
    with store.transaction():
        store.mark_failed(first.id, "boom", now + timedelta(minutes=5), now)
    assert [d.id for d in store.due_deliveries(now)] == [second.id]
    assert [d.id for d in store.due_deliveries(now + timedelta(minutes=6))] == [
        first.id,
        second.id,
    ]
    failed = store.outbox_rows("failed")[0]
    assert failed.attempts == 1 and failed.last_error == "boom"


def test_requeue_resets_a_dead_delivery_and_keeps_its_key(store: Store) -> None:
    now = utcnow()
    store.enqueue_alert(make_alert(), [("hook", "now")])
    row = store.outbox_rows()[0]
    with store.transaction():
        store.mark_dead(row.id, "HTTP 410", now, attempted=True)
        store.disable_channel("hook", "HTTP 410", "fp", now)
    assert store.requeue_delivery(row.id) is True
    again = store.outbox_rows()[0]
    assert (again.status, again.attempts, again.idempotency_key) == (
        "pending",
        0,
        row.idempotency_key,
    )
    assert store.channel_state("hook").disabled_at is None
    with store.transaction():
        store.mark_sent(row.id, now)
    assert store.requeue_delivery(row.id) is False  # already sent
    assert store.requeue_delivery(9999) is False


def test_outbox_report_lists_what_waits(store: Store) -> None:
    now = utcnow()
    store.enqueue_alert(make_alert("a", title="خبر أول"), [("mail", "now")])
    store.enqueue_alert(make_alert("b"), [("mail", "now")])
    rows = store.outbox_rows()
    with store.transaction():
        store.mark_sent(rows[0].id, now)
        store.mark_dead(rows[1].id, "email: 550 no such user", now, attempted=True)
        store.disable_channel("hook", "webhook: HTTP 410", "fp", now)
    report = outbox_report(store)
    assert "outbox: dead=1, sent=1" in report
    assert "channel hook DISABLED" in report
    assert "email: 550 no such user" in report
    assert "خبر أول" not in report  # sent rows are not listed
    assert report.splitlines()[2].split()[0] == "id"


def test_prune_forgets_old_finished_rows(store: Store) -> None:
    store.enqueue_alert(make_alert("a"), [("mail", "now")])
    store.enqueue_alert(make_alert("b"), [("mail", "now")])
    rows = store.outbox_rows()
    with store.transaction():
        store.mark_sent(rows[0].id, utcnow() - timedelta(days=40))
    assert store.prune_outbox(utcnow() - timedelta(days=30)) == 1
    assert [r.alert_id for r in store.outbox_rows()] == ["b"]
    assert store.get_alert("b") is not None


def test_digest_alert_round_trips(store: Store) -> None:
    digest = Alert(id="d", kind="digest", title="ملخص", created_at=utcnow(), includes=("a", "b"))
    store.enqueue_alert(digest, [("mail", "now")])
    assert store.get_alert("d") == digest


def test_a_members_findings_are_stored_as_their_json_as_before() -> None:
    # like the alerts, findings skip asdict's deep copies: old rows must read the same
    findings = make_alert(verdicts=("conflicting", "consistent", "new")).findings
    expected = json.dumps(
        [dataclasses.asdict(f) for f in findings], ensure_ascii=False, default=json_default
    )
    assert encode_findings(findings) == expected
    assert decode_findings(encode_findings(findings)) == findings
