"""Sources' health: back off failing sources, bound the fetch phase, and tell the operator,
once each, when a source keeps failing or has gone silent, saying which.

Rules:
- A failure (fetch, parse, empty, deadline) is counted against its source only. The first one
  retries at the next poll; then the wait doubles per failure (poll interval x 2^n, capped at
  ``MAX_BACKOFF``, +-10% jitter so sources don't retry in lockstep), and a ``Retry-After`` is a
  floor. A source is never disabled: it keeps being retried at the capped interval.
- Operator alerts go to every channel at once, and each goes out once: "failing" when a source
  has failed ``failure_alert_after`` times in a row (re-armed by a success), "silent" when it has
  had nothing new for ``silence_alert_hours`` (re-armed by a new item). Both say the cause:
  fetch failed, parse failed, timed out, or fetched fine with nothing new.
- The fetch phase of a cycle has a deadline (``cycle_deadline_seconds``); a stop request
  (SIGTERM) brings it forward to ``STOP_GRACE_SECONDS`` from then. A source cut by the deadline
  is a failure of kind "deadline"; one cut by a stop is not counted (the next start retries it).

Part of the orchestration layer with ``pipeline.py``: it uses the store and the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from monitor.alerts.digest import route
from monitor.models import Alert, FailureKind, Source, SourceHealth, SourceOutcome
from monitor.pipeline.runtime import Runtime, SourceBatch
from monitor.store import utcnow

log = logging.getLogger("monitor.health")

MAX_BACKOFF = timedelta(hours=12)
STOP_GRACE_SECONDS = 4.0  # fetches in flight at SIGTERM get this long to land
_STOP_POLL_SECONDS = 0.2

CAUSES: dict[str, str] = {
    "fetch": "fetch failed",
    "parse": "parse failed",
    "empty": "parse failed (no entries)",
    "deadline": "timed out (cycle deadline)",
}
NOTHING_NEW = "fetched fine with nothing new"


def backoff_delay(
    failures_before: int,
    poll_interval_minutes: int,
    retry_after_s: float | None = None,
    rng: random.Random | None = None,
) -> timedelta:
    """How long a source waits after a failure, given the failures in a row before it."""
    delay = timedelta(0)  # the first failure retries at the next scheduled poll
    if failures_before:
        minutes = poll_interval_minutes * 2 ** min(failures_before, 10)
        delay = min(timedelta(minutes=minutes), MAX_BACKOFF)
        delay *= 0.9 + (rng or random).random() * 0.2
    if retry_after_s is not None:
        delay = max(delay, timedelta(seconds=retry_after_s))
    return delay


def record_failure(rt: Runtime, batch: SourceBatch, now: datetime) -> None:
    """Count the failure and back off exponentially (never disabled)."""
    source, outcome = batch.source, batch.outcome
    kind: FailureKind = outcome.error_kind or "fetch"
    rt.metrics.fetches.labels(source.id, kind).inc()
    failures_before = rt.store.get_health(source.id).consecutive_failures
    delay = backoff_delay(failures_before, source.poll_interval_minutes, batch.retry_after_s)
    with rt.store.transaction():
        failures = rt.store.record_source_failure(
            source.id,
            kind=kind,
            error=outcome.error or "",
            at=now,
            next_attempt_at=now + delay if delay else None,
        )
    rt.metrics.source_failures.labels(source.id).set(failures)
    log.warning(
        "source failed",
        extra={
            "kv": {
                "source_id": source.id,
                "kind": kind,
                "failures": failures,
                "retry_in_s": int(delay.total_seconds()),
                "error": outcome.error,
            }
        },
    )


def record_deadline(rt: Runtime, source: Source) -> SourceOutcome:
    """A source still fetching when the fetch phase was cut off."""

    if rt.stopping.is_set():
        log.info("source cut by shutdown", extra={"kv": {"source_id": source.id}})
        return SourceOutcome(
            source.id, ok=False, error="stopped before it finished", error_kind="deadline"
        )
    deadline = rt.config.cycle_deadline_seconds
    outcome = SourceOutcome(
        source.id, ok=False, error=f"cycle deadline of {deadline:g}s passed", error_kind="deadline"
    )
    record_failure(rt, SourceBatch(source, outcome), utcnow())
    return outcome


@contextlib.asynccontextmanager
async def cycle_deadline(rt: Runtime) -> AsyncIterator[None]:
    """``asyncio.timeout(cycle_deadline_seconds)``, brought forward when a stop is requested.

    Raises:
        TimeoutError: on leaving the block, when the deadline cut it off.
    """
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(rt.config.cycle_deadline_seconds) as cutoff:
        watcher = asyncio.create_task(_bring_forward_on_stop(rt, cutoff, loop))
        try:
            yield
        finally:
            watcher.cancel()


async def _bring_forward_on_stop(
    rt: Runtime, cutoff: asyncio.Timeout, loop: asyncio.AbstractEventLoop
) -> None:
    # Polled, not awaited in a thread: a thread blocked on the Event would hold up
    # asyncio.run's executor shutdown at the end of every cycle.
    while not rt.stopping.is_set():
        await asyncio.sleep(_STOP_POLL_SECONDS)
    when = loop.time() + STOP_GRACE_SECONDS
    current = cutoff.when()
    if current is None or current > when:
        cutoff.reschedule(when)


def check_sources(rt: Runtime, now: datetime) -> None:
    """Tell the operator once when a source keeps failing or has gone silent."""
    with rt.store.transaction():  # one commit for all sources, not one each
        for source in rt.config.sources:
            if not source.enabled:
                continue
            health = rt.store.get_health(source.id)
            rt.metrics.source_failures.labels(source.id).set(health.consecutive_failures)
            for text in _operator_texts(rt, source, health, now):
                _enqueue_operator_alert(rt, source, text)


def _operator_texts(rt: Runtime, source: Source, health: SourceHealth, now: datetime) -> list[str]:
    settings = rt.config.health
    name = f"source {source.id} ({source.name})"
    out = []
    if health.consecutive_failures >= settings.failure_alert_after and (
        rt.store.claim_source_alert(source.id, "failure")
    ):
        out.append(
            f"{name}: failing — {_cause(health)} {health.consecutive_failures} times in a row;"
            f" last error: {health.last_error}; retrying with backoff"
            f" (next attempt {_when(health.next_attempt_at)})"
        )
    # Silent since the last new item, else since the last good fetch; a source that never
    # worked is covered by the failure alert.
    since = health.last_new_item or health.last_success
    limit = timedelta(hours=settings.silence_alert_hours)
    if (
        since is not None
        and now - since > limit
        and rt.store.claim_source_alert(source.id, "silence")
    ):
        hours = (now - since).total_seconds() / 3600
        out.append(
            f"{name}: silent — nothing new for {hours:.0f} hours"
            f" (limit {settings.silence_alert_hours:g}); {_cause(health)}"
        )
    return out


def _cause(health: SourceHealth) -> str:
    if health.consecutive_failures == 0:
        return NOTHING_NEW
    return CAUSES.get(health.last_error_kind or "fetch", "fetch failed")


def _when(at: datetime | None) -> str:
    return "at the next poll" if at is None else at.isoformat(timespec="minutes")


def _enqueue_operator_alert(rt: Runtime, source: Source, text: str) -> None:
    alert = Alert(
        id=uuid.uuid4().hex,
        kind="operator",
        title=f"تنبيه تشغيلي: المصدر {source.name} / operator alert: source {source.id}",
        created_at=utcnow(),
        text=text,
    )
    rt.store.enqueue_alert(alert, route(alert, rt.config.channels))
    rt.metrics.alerts.labels("operator").inc()
    log.warning("operator alert", extra={"kv": {"source_id": source.id, "text": text}})
