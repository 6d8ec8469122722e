"""Alert delivery: routing, the durable outbox dispatcher, digests and the channel kinds.

The pipeline calls ``route(alert, channels)`` and ``store.enqueue_alert(alert, routes)`` in the
transaction that saves the story; ``Dispatcher(...).dispatch(now)`` then delivers. Channel
kinds: console and JSON-Lines (``console.py``), email (``email.py``), webhook (``webhook.py``,
payload documented in ``docs/webhook.md``), Apprise (``apprise_channel.py``, optional).
Rendering for people lives in ``render.py``; every kind uses it.
"""

from __future__ import annotations

from monitor.alerts.digest import last_slot, queue_due_digests, route
from monitor.alerts.dispatch import (
    Dispatcher,
    DispatchReport,
    build_channel,
    channel_target,
    check_channel_options,
    outcome_counts,
)
from monitor.alerts.render import render_html, render_text, subject
from monitor.alerts.report import outbox_report
from monitor.alerts.webhook import PAYLOAD_VERSION, build_payload

__all__ = [
    "PAYLOAD_VERSION",
    "DispatchReport",
    "Dispatcher",
    "build_channel",
    "build_payload",
    "channel_target",
    "check_channel_options",
    "last_slot",
    "outbox_report",
    "outcome_counts",
    "queue_due_digests",
    "render_html",
    "render_text",
    "route",
    "subject",
]
