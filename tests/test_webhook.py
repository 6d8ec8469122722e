"""Webhook channel against a real receiver on 127.0.0.1: signatures, payload, each delivery rule."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook
from tests.support.sample_alerts import SENTENCE, channel, make_alert
from tests.support.webhook_receiver import Reply, WebhookReceiver

from monitor.alerts.channel import short_url
from monitor.alerts.dispatch import Dispatcher
from monitor.alerts.webhook import WebhookOptions, check_webhook
from monitor.settings import ChannelConfig, DeliverySettings
from monitor.store import Store, delivery_key, utcnow

SECRET = "whsec_" + base64.b64encode(b"monitor-test-secret-0123456789ab").decode()
SETTINGS = DeliverySettings(
    max_attempts=5, max_age_hours=48, backoff_base_seconds=10, backoff_max_seconds=600
)
DOCS = Path(__file__).resolve().parents[1] / "docs"


def hook(receiver: WebhookReceiver, name: str = "hook", **options: Any) -> ChannelConfig:
    opts = {"url": receiver.url, "secret": SECRET, "timeout_seconds": 0.5, **options}
    return channel(name, "webhook", **opts)


def dispatcher(store: Store, *channels: ChannelConfig, private: bool = True) -> Dispatcher:
    return Dispatcher(store, channels, SETTINGS, allow_private_addresses=private)


def only_row(store: Store, channel_name: str = "hook") -> Any:
    (row,) = [r for r in store.outbox_rows() if r.channel == channel_name]
    return row


# ---------------------------------------------------------------------- success, signature, payload


def test_2xx_is_sent_signed_as_standard_webhooks(store: Store, receiver: WebhookReceiver) -> None:
    alert = make_alert()
    store.enqueue_alert(alert, [("hook", "now")])
    report = dispatcher(store, hook(receiver)).dispatch(utcnow())
    assert (report.sent, report.failed, report.dead, report.pending) == (1, 0, 0, 0)
    (request,) = receiver.requests
    payload = Webhook(SECRET).verify(request.body, request.headers)
    assert request.webhook_id == delivery_key(alert.id, "hook")
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert payload["version"] == 2 and payload["type"] == "story.new"
    assert payload["absorbed"] == []
    assert payload["alert_id"] == alert.id and payload["story_id"] == "story-1"
    assert payload["claims"][0]["sentence"] == SENTENCE  # Arabic, unescaped, unchanged
    assert payload["claims"][0]["date"] == {
        "text": "أيلول 2026",
        "start": "2026-09-01",
        "end": "2026-09-30",
        "granularity": "month",
    }
    assert [o["name"] for o in payload["outlets"]][:2] == ["وكالة الرافدين", "صحيفة المدى الجديد"]
    assert only_row(store).status == "sent"


def test_a_wrong_secret_does_not_verify(store: Store, receiver: WebhookReceiver) -> None:
    store.enqueue_alert(make_alert(), [("hook", "now")])
    dispatcher(store, hook(receiver)).dispatch(utcnow())
    other = "whsec_" + base64.b64encode(b"another-secret-entirely-32-bytes").decode()
    with pytest.raises(Exception, match="signature"):
        Webhook(other).verify(receiver.requests[0].body, receiver.requests[0].headers)


def test_update_payload_names_the_alert_it_follows(store: Store, receiver: WebhookReceiver) -> None:
    store.enqueue_alert(make_alert("a2", kind="story_update", follows="a1"), [("hook", "now")])
    dispatcher(store, hook(receiver)).dispatch(utcnow())
    payload = json.loads(receiver.requests[0].body)
    assert (payload["type"], payload["follows"]) == ("story.update", "a1")


def test_payload_matches_the_documented_schema(store: Store, receiver: WebhookReceiver) -> None:
    schema = json.loads((DOCS / "webhook.schema.json").read_text(encoding="utf-8"))
    store.enqueue_alert(make_alert(verdicts=("conflicting", "new")), [("hook", "now")])
    dispatcher(store, hook(receiver)).dispatch(utcnow())
    validate(json.loads(receiver.requests[0].body), schema)
    example = (DOCS / "webhook.md").read_text(encoding="utf-8").split("```json\n")[1]
    validate(json.loads(example.split("```")[0]), schema)


def test_without_a_secret_the_payload_is_sent_unsigned(
    store: Store, receiver: WebhookReceiver
) -> None:
    store.enqueue_alert(make_alert(), [("hook", "now")])
    dispatcher(store, hook(receiver, secret="")).dispatch(utcnow())
    assert "webhook-signature" not in receiver.requests[0].headers
    assert receiver.requests[0].webhook_id


# ---------------------------------------------------------------------- one test per delivery rule


@pytest.mark.parametrize(
    ("reply", "status", "attempts"),
    [
        (Reply(500), "failed", 1),
        (Reply(503, {"Retry-After": "30"}), "failed", 1),
        (Reply(408), "failed", 1),
        (Reply(429), "failed", 1),
        (Reply(hang=True), "failed", 1),  # cut by the channel's timeout
        (Reply(404), "dead", 1),
        (Reply(400, body=b"bad payload"), "dead", 1),
        (Reply(401), "dead", 1),
        (Reply(301, {"Location": "/moved"}), "failed", 1),
        (Reply(307, {"Location": "http://127.0.0.1:9/elsewhere"}), "failed", 1),
    ],
    ids=["500", "503", "408", "429", "hang", "404", "400", "401", "301", "307"],
)
def test_status_rules(
    store: Store, receiver: WebhookReceiver, reply: Reply, status: str, attempts: int
) -> None:
    receiver.script(reply)
    store.enqueue_alert(make_alert(), [("hook", "now")])
    report = dispatcher(store, hook(receiver)).dispatch(utcnow())
    receiver.release()
    row = only_row(store)
    assert (row.status, row.attempts) == (status, attempts)
    assert report.sent == 0 and row.last_error
    assert [r.path for r in receiver.requests] == ["/hook"]  # redirects are never followed


def test_a_failed_delivery_is_retried_later_with_the_same_webhook_id(
    store: Store, receiver: WebhookReceiver
) -> None:
    receiver.script(Reply(500))
    store.enqueue_alert(make_alert(), [("hook", "now")])
    d = dispatcher(store, hook(receiver))
    now = utcnow()
    d.dispatch(now)
    row = only_row(store)
    assert row.next_attempt_at > now
    assert d.dispatch(now).sent == 0  # not due yet
    assert d.dispatch(row.next_attempt_at).sent == 1
    ids = {r.webhook_id for r in receiver.requests}
    assert len(receiver.requests) == 2 and ids == {delivery_key("alert-1", "hook")}
    assert (only_row(store).status, only_row(store).attempts) == ("sent", 2)


@pytest.mark.parametrize("http_date", [False, True], ids=["seconds", "http-date"])
def test_retry_after_is_honoured(store: Store, receiver: WebhookReceiver, http_date: bool) -> None:
    later = datetime.now(UTC) + timedelta(seconds=605)
    retry_after = format_datetime(later, usegmt=True) if http_date else "600"
    receiver.script(Reply(429, {"Retry-After": retry_after}))
    store.enqueue_alert(make_alert(), [("hook", "now")])
    d = dispatcher(store, hook(receiver))
    now = utcnow()
    d.dispatch(now)
    # backoff alone would be 5-10 s (base 10 s); the server asked for about 600 s
    assert only_row(store).next_attempt_at >= now + timedelta(seconds=590)
    assert d.dispatch(now + timedelta(seconds=300)).sent == 0
    assert d.dispatch(now + timedelta(seconds=620)).sent == 1


def test_410_disables_the_channel_and_tells_the_others(
    store: Store, receiver: WebhookReceiver, tmp_path: Path
) -> None:
    receiver.script(Reply(410))
    log = tmp_path / "alerts.jsonl"
    channels = (hook(receiver), channel("file", "jsonl", path=str(log)))
    store.enqueue_alert(make_alert(), [("hook", "now")])
    report = dispatcher(store, *channels).dispatch(utcnow())
    assert report.dead == 1 and only_row(store).status == "dead"
    assert store.channel_state("hook").disabled_at is not None
    (line,) = log.read_text(encoding="utf-8").splitlines()
    operator = json.loads(line)
    assert operator["type"] == "operator" and "410" in operator["text"]
    # later alerts wait while the channel is disabled: no request reaches the receiver
    store.enqueue_alert(make_alert("alert-2"), [("hook", "now")])
    dispatcher(store, *channels).dispatch(utcnow())
    assert len(receiver.requests) == 1
    assert [r.status for r in store.outbox_rows() if r.channel == "hook"] == ["dead", "pending"]
    # a new URL in the config resumes the channel
    moved = hook(receiver, url=receiver.url + "?v=2")
    assert dispatcher(store, moved).dispatch(utcnow()).sent == 1


def test_requeue_after_410_tries_the_same_url_again(
    store: Store, receiver: WebhookReceiver
) -> None:
    receiver.script(Reply(410))
    store.enqueue_alert(make_alert(), [("hook", "now")])
    dispatcher(store, hook(receiver)).dispatch(utcnow())
    assert store.requeue_delivery(only_row(store).id)
    assert dispatcher(store, hook(receiver)).dispatch(utcnow()).sent == 1
    assert len({r.webhook_id for r in receiver.requests}) == 1


def test_private_targets_are_refused_unless_allowed(
    store: Store, receiver: WebhookReceiver
) -> None:
    store.enqueue_alert(make_alert(), [("hook", "now")])
    report = dispatcher(store, hook(receiver), private=False).dispatch(utcnow())
    assert report.dead == 1 and receiver.requests == []
    assert "netguard" in only_row(store).last_error


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"url": "ftp://x"}, "http(s) URL"),
        ({"url": "https://x", "secret": "plain-text"}, "whsec_"),
    ],
    ids=["scheme", "secret"],
)
def test_bad_options_are_reported(options: dict[str, Any], problem: str) -> None:
    assert any(problem in p for p in check_webhook(WebhookOptions(**options)))


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://hooks.example/T0/B1/token", "https://hooks.example/…"),
        ("https://hooks.example?token=abc", "https://hooks.example/…"),
        ("https://hooks.example#token", "https://hooks.example/…"),
        ("https://user:pw@hooks.example/x", "https://hooks.example/…"),
        ("https://hooks.example?next=a@b/c", "https://hooks.example/…"),
    ],
    ids=["path", "query", "fragment", "userinfo", "at-sign-in-query"],
)
def test_logged_urls_keep_only_scheme_and_host(url: str, shown: str) -> None:
    assert short_url(url) == shown


# ---------------------------------------------------------------------- a small JSON Schema check
# Enough of JSON Schema (type, properties, required, additionalProperties, items, enum, const,
# anyOf, $ref to $defs) to hold the payload to its documented schema without another dependency.

_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "boolean": bool,
    "null": type(None),
    "number": (int, float),
}


def validate(value: Any, schema: dict[str, Any], root: dict[str, Any] | None = None) -> None:
    root = root or schema
    if "$ref" in schema:
        schema = root["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:
        errors = []
        for option in schema["anyOf"]:
            try:
                validate(value, option, root)
                break
            except AssertionError as exc:
                errors.append(str(exc))
        else:
            raise AssertionError(f"{value!r} matches no anyOf option: {errors}")
    types = schema.get("type")
    if types is not None:
        allowed = [types] if isinstance(types, str) else types
        ok = any(isinstance(value, _TYPES[t]) for t in allowed)
        ok = ok and not (isinstance(value, bool) and "boolean" not in allowed)
        assert ok, f"{value!r} is not {allowed}"
    if "const" in schema:
        assert value == schema["const"]
    if "enum" in schema:
        assert value in schema["enum"], f"{value!r} not in {schema['enum']}"
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            assert key in value, f"missing {key}"
        if schema.get("additionalProperties") is False:
            assert set(value) <= set(props), f"unexpected {set(value) - set(props)}"
        for key, sub in props.items():
            if key in value:
                validate(value[key], sub, root)
    if isinstance(value, list) and "items" in schema:
        for item in value:
            validate(item, schema["items"], root)
