"""Routing (now, digest or not at all) and the per-channel digest schedule.

Rules:
- ``route`` is pure. An alert goes to a channel at once when any of its verdicts is in the
  channel's ``immediate`` list (a story without claims counts as "new"), to the channel's digest
  when all its verdicts are in ``digest``, else not at all. Operator alerts always go at once.
- Each channel has a daily digest at ``digest_at`` in ``digest_timezone``. At the first dispatch
  after a scheduled time, if an alert was queued for the digest before that time, one digest
  alert gathers every alert queued since the last digest. Downtime over several scheduled times
  gives one digest, not several. Building the digest (its alert, its delivery, the rows it
  carries, the slot) is one transaction, and its id is derived from the slot, so a crash at any
  point neither loses nor doubles it.
- A digest gathers at most ``MAX_PARTS`` alerts, so its email and webhook bodies stay a size
  that servers take (issue 13); more make several digests for the slot, sent one after another.
- ``queue_digest_now`` gathers a channel's digest at once, whatever the schedule (``monitor
  digest send``, the web pages' button); the next scheduled digest carries only what is queued
  after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from monitor.models import Alert, Delivery

MAX_PARTS = 25

if TYPE_CHECKING:
    from monitor.settings import ChannelConfig
    from monitor.store import Store


def route(alert: Alert, channels: Sequence[ChannelConfig]) -> list[tuple[str, str]]:
    """``(channel name, "now" | "digest")`` for each channel that should get ``alert``."""
    if alert.kind == "operator":
        return [(c.name, "now") for c in channels]
    if alert.kind == "digest":  # built by the dispatcher for one channel, never routed
        return []
    verdicts = {f.verdict.verdict for f in alert.findings} or {"new"}
    out: list[tuple[str, str]] = []
    for channel in channels:
        if verdicts & set(channel.immediate):
            out.append((channel.name, "now"))
        elif verdicts <= set(channel.digest):
            out.append((channel.name, "digest"))
    return out


def last_slot(now: datetime, digest_at: str, timezone: str) -> datetime:
    """The latest scheduled digest time at or before ``now``, in UTC."""
    zone = ZoneInfo(timezone)
    hour, minute = (int(x) for x in digest_at.split(":"))
    local = now.astimezone(zone)
    slot = datetime.combine(local.date(), time(hour, minute), tzinfo=zone)
    if slot > local:
        slot = datetime.combine(local.date() - timedelta(days=1), time(hour, minute), tzinfo=zone)
    return slot.astimezone(UTC)


def queue_due_digests(store: Store, channels: Iterable[ChannelConfig], now: datetime) -> int:
    """Build the digest of every channel whose scheduled time has come; return how many."""
    made = 0
    for channel in channels:
        queued = store.digest_queue(channel.name)
        if not queued:
            continue
        slot = last_slot(now, channel.digest_at, channel.digest_timezone)
        done = store.channel_state(channel.name).last_digest_slot
        if done is not None and done >= slot:
            continue
        # An alert queued after today's slot waits for tomorrow's: the digest is a schedule,
        # not a reaction to the first consistent report after 08:00.
        if not any(d.queued_at is not None and d.queued_at <= slot for d in queued):
            continue
        parts = list(dict.fromkeys(d.alert_id for d in queued))
        chunks = [parts[i : i + MAX_PARTS] for i in range(0, len(parts), MAX_PARTS)]
        with store.transaction():
            for number, chunk in enumerate(chunks, start=1):
                rows = [d for d in queued if d.alert_id in set(chunk)]
                digest = digest_alert(channel, slot, rows, now, number if number > 1 else None)
                store.bundle_digest(channel.name, digest, [d.id for d in rows], slot)
                made += 1
    return made


def queue_digest_now(store: Store, channel: ChannelConfig, now: datetime) -> Alert | None:
    """Gather what waits for ``channel``'s digest into a digest due at once (None: nothing).

    The dispatcher sends it at its next round. The channel's last digest becomes ``now``, so
    the scheduled digest of a slot already past is not sent again, and the next one carries
    only what is queued after this.
    """
    queued = store.digest_queue(channel.name)
    parts = list(dict.fromkeys(d.alert_id for d in queued))[:MAX_PARTS]  # the rest: next one
    queued = [d for d in queued if d.alert_id in set(parts)]
    if not queued:
        return None
    digest = digest_alert(channel, now, queued, now)
    # a slot-derived id would collide with a second press in the same minute
    digest = replace(digest, id=f"digest:{channel.name}:{now:%Y%m%dT%H%M%S}Z:now")
    store.bundle_digest(channel.name, digest, [d.id for d in queued], now)
    return digest


def digest_alert(
    channel: ChannelConfig,
    slot: datetime,
    queued: Sequence[Delivery],
    now: datetime,
    number: int | None = None,
) -> Alert:
    """The digest of ``queued`` for ``slot``; ``number``: the 2nd, 3rd… digest of the slot."""
    local = slot.astimezone(ZoneInfo(channel.digest_timezone))
    suffix = f"-{number}" if number else ""
    return Alert(
        id=f"digest:{channel.name}:{slot:%Y%m%dT%H%M}Z{suffix}",
        kind="digest",
        title=f"{local:%Y-%m-%d}",  # the day: the subject and the heading say "digest" already
        created_at=now,
        includes=tuple(dict.fromkeys(d.alert_id for d in queued)),
    )
