"""Sources' health: back off failing sources and tell the operator, once, when one keeps
failing (fetch failed, parse failed, timed out) or has gone silent (fetched fine, nothing new).

Part of the orchestration layer with ``pipeline.py``: it uses the store and the outbox.
"""

from __future__ import annotations

import logging
import random
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from monitor.alerts import route
from monitor.models import Alert, Source, SourceOutcome
from monitor.store import utcnow

if TYPE_CHECKING:
    from monitor.pipeline import Runtime, SourceBatch

log = logging.getLogger("monitor.health")


def record_failure(rt: Runtime, batch: SourceBatch, now: datetime) -> None:
    """Count the failure and back off exponentially (never silently disabled)."""
    source, outcome = batch.source, batch.outcome
    rt.metrics.fetches.labels(source.id, outcome.error_kind or "fetch").inc()
    failures_before = rt.store.get_health(source.id).consecutive_failures
    delay = timedelta(0)  # the first failure retries at the next scheduled poll
    if failures_before:
        minutes = source.poll_interval_minutes * 2 ** min(failures_before, 6)
        delay = min(timedelta(minutes=minutes), timedelta(hours=12))
        delay *= 0.9 + random.random() * 0.2  # jitter: sources don't retry in lockstep
    if batch.retry_after_s is not None:
        delay = max(delay, timedelta(seconds=batch.retry_after_s))
    with rt.store.transaction():
        rt.store.record_source_failure(
            source.id,
            kind=outcome.error_kind or "fetch",
            error=outcome.error or "",
            at=now,
            next_attempt_at=now + delay if delay else None,
        )
    log.warning(
        "source failed",
        extra={"kv": {"source_id": source.id, "kind": outcome.error_kind, "error": outcome.error}},
    )


def record_deadline(rt: Runtime, source: Source, deadline: float) -> SourceOutcome:
    from monitor.pipeline import SourceBatch

    outcome = SourceOutcome(
        source.id, ok=False, error=f"cycle deadline of {deadline:g}s passed", error_kind="deadline"
    )
    record_failure(rt, SourceBatch(source, outcome), utcnow())
    return outcome


def check_sources(rt: Runtime, now: datetime) -> None:
    """Tell the operator once when a source keeps failing or has gone silent."""
    for source in rt.config.sources:
        with rt.store.transaction():
            text = _operator_text(rt, source, now)
            if text:
                _enqueue_operator_alert(rt, text)


def _operator_text(rt: Runtime, source: Source, now: datetime) -> str | None:
    settings = rt.config.health
    health = rt.store.get_health(source.id)
    if health.consecutive_failures >= settings.failure_alert_after:
        if not rt.store.claim_source_alert(source.id, "failure"):
            return None
        kind = {"parse": "parse failed", "deadline": "timed out"}.get(
            health.last_error_kind or "", "fetch failed"
        )
        return (
            f"source {source.id} ({source.name}): {kind} {health.consecutive_failures} times"
            f" in a row; last error: {health.last_error}"
        )
    last_new = health.last_new_item or health.last_success
    silent = (
        health.consecutive_failures == 0
        and last_new is not None
        and now - last_new > timedelta(hours=settings.silence_alert_hours)
    )
    if silent and rt.store.claim_source_alert(source.id, "silence"):
        return (
            f"source {source.id} ({source.name}): fetched fine but nothing new for over"
            f" {settings.silence_alert_hours:g} hours"
        )
    return None


def _enqueue_operator_alert(rt: Runtime, text: str) -> None:
    alert = Alert(
        id=uuid.uuid4().hex,
        kind="operator",
        title="تنبيه تشغيلي / operator alert",
        created_at=utcnow(),
        text=text,
    )
    rt.store.enqueue_alert(alert, route(alert, rt.config.channels))
    log.warning("operator alert", extra={"kv": {"text": text}})
