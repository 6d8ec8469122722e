"""The outbox dispatcher: deliver every due delivery, each channel on its own thread.

Rules (issue 7):
- Channels are independent: one thread per channel does the network I/O; the calling thread
  does all SQL, recording each result as soon as it arrives, so a channel that fails or hangs
  (bounded by its own timeouts) never delays another's bookkeeping.
- A delivery is marked sent only after its channel confirmed. A crash in between leaves it
  pending: it is sent again with the same idempotency key (at most one repeat per channel).
- Transient failures retry with exponential backoff and "equal jitter" (half fixed, half random),
  capped by ``backoff_max_seconds``; a ``Retry-After`` is a floor. After a transient failure
  the channel's other due deliveries wait for the same time instead of hammering a sick server.
- Dead: a permanent error (4xx other than 408/429, SMTP auth failure, 5xx SMTP), more than
  ``max_attempts`` attempts, or older than ``max_age_hours`` since queued.
- A webhook's 410 disables the channel (for that URL: a changed URL re-enables it) and queues an
  operator alert to the other channels. ``monitor outbox retry ID`` re-enables it too.
- Due digests are built first (``digest.queue_due_digests``) and delivered like any alert.
- Every wait is bounded (issue 13): each send by a ``Cutoff`` (``send_deadline_seconds``, or a
  stop request plus a short grace); each round by ``MAX_PER_CHANNEL`` deliveries per channel
  and by ``round_deadline_seconds``, after which no new send starts (so a round ends by
  ``round_deadline_seconds + send_deadline_seconds``); the stop flag is checked between
  deliveries. What was not sent stays due, untouched, for the next round or start.
- Write before send: each attempt is committed (``store.claim_delivery``) before its send, and
  a failed commit sends nothing and ends the round; the report carries the store error so the
  caller can fail its cycle (a full disk never turns into the same alert sent every minute).
"""

from __future__ import annotations

import logging
import queue
import random
import sqlite3
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TextIO

from monitor.alerts.apprise_channel import AppriseChannel, AppriseOptions
from monitor.alerts.channel import Channel, Outgoing, short_url, target_fingerprint
from monitor.alerts.console import ConsoleChannel, JsonLinesChannel, JsonlOptions
from monitor.alerts.cutoff import STOP_GRACE_SECONDS, Cutoff
from monitor.alerts.digest import queue_due_digests
from monitor.alerts.email import EmailChannel, EmailOptions
from monitor.alerts.render import DEFAULT
from monitor.alerts.webhook import WebhookChannel, WebhookOptions
from monitor.alerts.words import Presentation
from monitor.errors import ConfigError, DeliveryError, StoreError
from monitor.models import Alert, Delivery
from monitor.settings import ChannelConfig, DeliverySettings
from monitor.store import Store, db_error, delivery_key

log = logging.getLogger(__name__)
# Deliveries per channel per round: after a long outage the backlog drains over several
# dispatches instead of holding the caller (and the scheduler's lock) for an hour.
MAX_PER_CHANNEL = 100
# A channel thread still busy this long after its sends were cut is left behind (its rows were
# claimed, so they are retried): the round ends on time whatever a library does.
_ABANDON_AFTER_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class DispatchReport:
    """What one ``dispatch`` did; ``pending`` counts the rows still waiting (due or not)."""

    sent: int = 0
    failed: int = 0
    dead: int = 0
    pending: int = 0
    digests: int = 0
    outcomes: tuple[tuple[str, str], ...] = ()  # (channel, "sent" | "failed" | "dead")
    store_error: str | None = None  # a write failed: the round stopped, nothing more was sent
    disk_full: bool = False


@dataclass(frozen=True, slots=True)
class _Job:
    delivery: Delivery
    message: Outgoing


@dataclass(frozen=True, slots=True)
class _Result:
    job: _Job
    error: DeliveryError | None = None
    deferred: bool = False  # not attempted: an earlier delivery on its channel just failed


@dataclass
class _Claim:
    """A channel thread asks the dispatcher thread to commit an attempt before sending it."""

    job: _Job
    answered: threading.Event = field(default_factory=threading.Event)
    granted: bool = False

    def answer(self, granted: bool) -> None:
        self.granted = granted
        self.answered.set()


@dataclass
class _Round:
    """What the dispatcher thread and the channel threads of one round share."""

    send_deadline: float
    not_after: float  # time.monotonic() after which no new send starts
    stop: threading.Event | None
    halt: threading.Event = field(default_factory=threading.Event)  # start no new send
    inbox: queue.Queue[_Claim | _Result | None] = field(default_factory=queue.Queue)
    stop_seen: float | None = None

    def cutoff(self) -> Cutoff:
        return Cutoff(self.send_deadline, self.stop)

    def ask(self, job: _Job) -> bool:
        """Block until the attempt is committed; False when it was not (send nothing)."""
        claim = _Claim(job)
        self.inbox.put(claim)
        while not claim.answered.wait(0.05):
            if self.halt.is_set():
                return False
        return claim.granted

    def check(self) -> None:
        """Halt the round at its deadline or on a stop request."""
        now = time.monotonic()
        if self.stop is not None and self.stop.is_set() and self.stop_seen is None:
            self.stop_seen = now
        if self.stop_seen is not None or now >= self.not_after:
            self.halt.set()

    def abandoned(self) -> bool:
        """Past the point where a channel thread still running is left behind."""
        end = self.not_after + self.send_deadline
        if self.stop_seen is not None:
            end = min(end, self.stop_seen + STOP_GRACE_SECONDS)
        return time.monotonic() > end + _ABANDON_AFTER_SECONDS


@dataclass
class _Tally:
    outcomes: list[tuple[str, str]] = field(default_factory=list)
    retry_at: dict[str, datetime] = field(default_factory=dict)  # per channel, this round
    operator_alerts: int = 0
    store_error: StoreError | None = None

    def count(self, outcome: str) -> int:
        return sum(1 for _, o in self.outcomes if o == outcome)


def build_channel(
    config: ChannelConfig,
    *,
    console_stream: TextIO | None = None,
    allow_private: bool = False,
    pres: Presentation = DEFAULT,
) -> Channel:
    """The channel object for one ``[[channels]]`` entry, by the type of its options.

    Raises:
        ConfigError: unknown type, bad options, or apprise not installed.
    """
    options = config.options
    if config.type == "console":
        return ConsoleChannel(config.name, console_stream, pres)
    if isinstance(options, JsonlOptions):
        return JsonLinesChannel(config.name, options, pres)
    if isinstance(options, EmailOptions):
        return EmailChannel(config.name, options, pres)
    if isinstance(options, WebhookOptions):
        return WebhookChannel(
            config.name, options, allow_private_addresses=allow_private, pres=pres
        )
    if isinstance(options, AppriseOptions):
        return AppriseChannel(config.name, options, pres)
    raise ConfigError(f"channel {config.name!r}: unknown type {config.type!r}")


def channel_target(config: ChannelConfig) -> str:
    """Fingerprint of where a channel delivers (a 410 disables this target, not the name)."""
    where = config.options.target or config.name
    return target_fingerprint(config.type, str(where))


class Dispatcher:
    """Deliver the outbox. Call ``dispatch`` from the thread that owns ``store``."""

    def __init__(
        self,
        store: Store,
        channels: Sequence[ChannelConfig],
        settings: DeliverySettings,
        *,
        console_stream: TextIO | None = None,
        allow_private_addresses: bool = False,
        rng: random.Random | None = None,
        pres: Presentation = DEFAULT,
        stop: threading.Event | None = None,
    ) -> None:
        self.store = store
        self.channels = {c.name: c for c in channels}
        self.settings = settings
        self.console_stream = console_stream
        self.allow_private = allow_private_addresses
        self.rng = rng or random.Random()
        self.pres = pres
        self.stop = stop  # the daemon's stop flag: no new send once it is set

    def dispatch(self, now: datetime) -> DispatchReport:
        """Build due digests, then deliver every due delivery once; return what happened.

        Never raises for a store failure: the report's ``store_error`` says what failed.
        """
        tally = _Tally()
        digests = pending = 0
        try:
            if self.stop is None or not self.stop.is_set():
                digests = queue_due_digests(self.store, self.channels.values(), now)
                halted = self._round(now, tally)
                if tally.operator_alerts and not halted:  # a channel was just disabled: tell
                    self._round(now, tally)  # the others right away
            counts = self.store.outbox_counts()
            pending = counts.get("pending", 0) + counts.get("failed", 0)
        except StoreError as exc:
            tally.store_error = exc
        except sqlite3.Error as exc:  # a read on a damaged database
            tally.store_error = db_error(exc, self.store.path)
        if tally.store_error is not None:
            log.error(
                "dispatch stopped: the outbox cannot be written",
                extra={"kv": {"error": str(tally.store_error)}},
            )
        return DispatchReport(
            sent=tally.count("sent"),
            failed=tally.count("failed"),
            dead=tally.count("dead"),
            pending=pending,
            digests=digests,
            outcomes=tuple(tally.outcomes),
            store_error=None if tally.store_error is None else str(tally.store_error),
            disk_full=tally.store_error is not None and tally.store_error.disk_full,
        )

    # ------------------------------------------------------------------ one round

    def _round(self, now: datetime, tally: _Tally) -> bool:
        """One pass over the due deliveries; True when it was halted before the end."""
        tally.operator_alerts = 0
        jobs = self._collect(now, tally)
        rnd = _Round(
            send_deadline=self.settings.send_deadline_seconds,
            not_after=time.monotonic() + self.settings.round_deadline_seconds,
            stop=self.stop,
        )
        workers = 0
        for name, channel_jobs in jobs.items():
            channel = self._open(self.channels[name])
            if channel is None:
                continue
            threading.Thread(
                target=_deliver_all,
                args=(channel, channel_jobs, rnd),
                name=f"deliver-{name}",
                daemon=True,
            ).start()
            workers += 1
        while workers:
            rnd.check()
            try:
                item = rnd.inbox.get(timeout=0.05)
            except queue.Empty:
                if rnd.abandoned():
                    log.warning("dispatch round cut", extra={"kv": {"channels_busy": workers}})
                    break
                continue
            if item is None:
                workers -= 1
            elif isinstance(item, _Claim):
                self._claim(item, now, rnd, tally)
            else:
                self._record_or_halt(item, now, rnd, tally)
        return rnd.halt.is_set()

    def _claim(self, claim: _Claim, now: datetime, rnd: _Round, tally: _Tally) -> None:
        """Commit the attempt, then let the channel send; refuse when halted or on failure."""
        if rnd.halt.is_set():
            claim.answer(False)
            return
        try:
            self.store.claim_delivery(claim.job.delivery.id, now)
        except StoreError as exc:
            tally.store_error = tally.store_error or exc
            rnd.halt.set()
            claim.answer(False)
            return
        claim.answer(True)

    def _record_or_halt(self, result: _Result, now: datetime, rnd: _Round, tally: _Tally) -> None:
        try:
            self._record(result, now, tally)
        except StoreError as exc:  # the result is lost; the claim bounds the repeats
            tally.store_error = tally.store_error or exc
            rnd.halt.set()

    def _collect(self, now: datetime, tally: _Tally) -> dict[str, list[_Job]]:
        jobs: dict[str, list[_Job]] = defaultdict(list)
        for delivery in self.store.due_deliveries(now):
            config = self.channels.get(delivery.channel)
            if len(jobs.get(delivery.channel, ())) >= MAX_PER_CHANNEL:
                continue
            if config is None or self._is_paused(config):
                continue  # not configured (any more) or disabled: stays pending, `monitor outbox`
            alert = self.store.get_alert(delivery.alert_id)
            reason = self._expired(delivery, now) or (None if alert else "alert record missing")
            if reason or alert is None:
                with self.store.transaction():
                    self.store.mark_dead(delivery.id, reason or "", now, attempted=False)
                tally.outcomes.append((delivery.channel, "dead"))
                continue
            jobs[delivery.channel].append(_Job(delivery, self._message(delivery, alert)))
        return jobs

    def _message(self, delivery: Delivery, alert: Alert) -> Outgoing:
        parts = tuple(p for p in map(self.store.get_alert, alert.includes) if p is not None)
        thread = delivery_key(alert.follows, delivery.channel) if alert.follows else None
        return Outgoing(alert, delivery.idempotency_key, thread, parts)

    def _expired(self, delivery: Delivery, now: datetime) -> str | None:
        if delivery.attempts >= self.settings.max_attempts:
            return f"gave up after {delivery.attempts} attempts: {delivery.last_error}"
        max_age = timedelta(hours=self.settings.max_age_hours)
        if delivery.queued_at is not None and now - delivery.queued_at > max_age:
            return f"expired: queued over {self.settings.max_age_hours:g} h ago ({delivery.last_error})"
        return None

    def _is_paused(self, config: ChannelConfig) -> bool:
        state = self.store.channel_state(config.name)
        if state.disabled_at is None:
            return False
        if state.disabled_target != channel_target(config):
            with self.store.transaction():  # the config now points elsewhere: try again
                self.store.enable_channel(config.name)
            return False
        return True

    def _open(self, config: ChannelConfig) -> Channel | None:
        try:
            return build_channel(
                config,
                console_stream=self.console_stream,
                allow_private=self.allow_private,
                pres=self.pres,
            )
        except ConfigError as exc:  # deliveries stay pending until the config is fixed
            log.error("channel unusable", extra={"kv": {"channel": config.name, "error": str(exc)}})
            return None

    # ------------------------------------------------------------------ results

    def _record(self, result: _Result, now: datetime, tally: _Tally) -> None:
        d, error = result.job.delivery, result.error
        with self.store.transaction():
            if error is None:
                self.store.mark_sent(d.id, now, attempted=False)  # claimed before the send
                outcome = "sent"
            elif result.deferred:
                until = tally.retry_at.get(d.channel) or now + timedelta(
                    seconds=self._backoff(1, None)
                )
                self.store.defer_delivery(d.id, f"waiting: channel failed ({error})", until, now)
                return
            elif error.permanent:
                self.store.mark_dead(d.id, str(error), now, attempted=False)
                outcome = "dead"
                if error.disable_channel:
                    self._disable(self.channels[d.channel], str(error), now, tally)
            else:
                outcome = self._retry_or_give_up(d, error, now, tally)
        tally.outcomes.append((d.channel, outcome))
        kv = {"channel": d.channel, "alert_id": d.alert_id, "delivery_id": d.id}
        if error is None:
            log.info("delivery sent", extra={"kv": kv})
        else:
            log.warning(f"delivery {outcome}", extra={"kv": {**kv, "error": str(error)}})

    def _retry_or_give_up(
        self, d: Delivery, error: DeliveryError, now: datetime, tally: _Tally
    ) -> str:
        attempts = d.attempts + 1  # ``d`` was read before its claim
        next_at = now + timedelta(seconds=self._backoff(attempts, error.retry_after_s))
        tally.retry_at[d.channel] = next_at
        max_age = timedelta(hours=self.settings.max_age_hours)
        if attempts >= self.settings.max_attempts:
            reason = f"gave up after {attempts} attempts: {error}"
        elif d.queued_at is not None and next_at - d.queued_at > max_age:
            reason = f"expired: next attempt past {self.settings.max_age_hours:g} h: {error}"
        else:
            self.store.mark_failed(d.id, str(error), next_at, now, attempted=False)
            return "failed"
        self.store.mark_dead(d.id, reason, now, attempted=False)
        return "dead"

    def _backoff(self, attempts: int, retry_after_s: float | None) -> float:
        """Seconds before attempt ``attempts + 1``: equal jitter, capped; Retry-After a floor."""
        s = self.settings
        ceiling = min(s.backoff_max_seconds, s.backoff_base_seconds * 2 ** min(attempts - 1, 40))
        delay = ceiling / 2 + self.rng.uniform(0, ceiling / 2)
        if retry_after_s is not None:
            delay = max(delay, min(retry_after_s, s.max_age_hours * 3600))
        return float(delay)

    def _disable(self, config: ChannelConfig, error: str, now: datetime, tally: _Tally) -> None:
        self.store.disable_channel(config.name, error, channel_target(config), now)
        where = short_url(config.options.target or config.name)
        others = [
            (c.name, "now")
            for c in self.channels.values()
            if c.name != config.name and not self._is_paused(c)
        ]
        alert = Alert(
            id=f"operator:disabled:{config.name}:{now:%Y%m%dT%H%M%S}",
            kind="operator",
            title=f"القناة {config.name} معطّلة / channel {config.name} disabled",
            created_at=now,
            text=(
                f"{where} answered 410 Gone: deliveries to channel {config.name!r} are paused.\n"
                "Fix the URL in the config (a new URL resumes them) or run "
                "`monitor outbox retry ID` to try the same URL again.\n"
                f"error: {error}"
            ),
        )
        if others:
            self.store.enqueue_alert(alert, others, now=now)
            tally.operator_alerts += 1
        log.error("channel disabled", extra={"kv": {"channel": config.name, "error": error}})


def _deliver_all(channel: Channel, jobs: list[_Job], rnd: _Round) -> None:
    """A channel's thread: claim, then send, in order; after a transient failure, defer the
    rest; stop starting sends once the round is halted (deadline, stop, failed write)."""
    try:
        for index, job in enumerate(jobs):
            if rnd.halt.is_set() or not rnd.ask(job):
                return  # not attempted: still due, for the next round
            try:
                channel.send(job.message, rnd.cutoff())
            except DeliveryError as exc:
                error = exc
            except Exception as exc:  # a bug in one channel must not stop the others
                log.exception("channel crashed", extra={"kv": {"channel": channel.name}})
                error = DeliveryError(f"{channel.name}: {type(exc).__name__}: {exc}")
            else:
                rnd.inbox.put(_Result(job))
                continue
            rnd.inbox.put(_Result(job, error))
            if not error.permanent or error.disable_channel:
                for rest in jobs[index + 1 :]:
                    rnd.inbox.put(_Result(rest, error, deferred=True))
                return
    finally:
        try:
            channel.close()
        except Exception:
            log.exception("channel close failed", extra={"kv": {"channel": channel.name}})
        rnd.inbox.put(None)


def outcome_counts(report: DispatchReport) -> Counter[tuple[str, str]]:
    """``(channel, outcome) -> n`` for metrics."""
    return Counter(report.outcomes)
