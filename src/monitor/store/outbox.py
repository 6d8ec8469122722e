"""The alert outbox: alerts (full content, JSON), one delivery row per (alert, channel), channels.

An alert is written with its delivery rows in the caller's transaction (the pipeline's, together
with the story that caused it), so it is durable exactly when its story is. Write before send:
the dispatcher commits each attempt (``claim_delivery``) before it sends, and sends nothing when
that commit fails, so a state that cannot be written (a full disk) sends nothing rather than
sending the same alert every round. It marks a row ``sent`` only after the channel confirmed; a
crash or a failed write in between leaves it pending, so it is sent again with the same
idempotency key (at most once more per successful claim, and never past ``max_attempts``).

Row states: ``pending`` (due; ``failed`` once an attempt failed, with ``next_attempt_at``),
``digest`` (waits for the channel's digest), ``bundled`` (carried by a digest alert), ``sent``,
``dead`` (given up: permanent error, too many attempts or too old).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import types
import typing
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from monitor.models import Alert, ChannelState, Delivery
from monitor.store.base import BaseStore, from_db, json_default, plain, to_db, utcnow

_DELIVERY_COLUMNS = (
    "o.id, o.alert_id, o.channel, o.mode, o.idempotency_key, o.status, o.attempts,"
    " o.last_error, o.next_attempt_at, o.queued_at, o.updated_at, a.kind, a.title"
)
_DUE = ("pending", "failed")


def delivery_key(alert_id: str, channel: str) -> str:
    """The idempotency key of (alert, channel): the same across retries, restarts and requeues.

    It is the webhook's ``webhook-id`` and the local part of the email's Message-ID, so a
    receiver can drop a repeat and an update can name the message it follows.
    """
    digest = hashlib.sha256(f"{alert_id}\x00{channel}".encode()).hexdigest()
    return f"msg_{digest[:32]}"


class OutboxMixin(BaseStore):
    """The outbox's queries; based on ``BaseStore`` for its connection and ``transaction()``."""

    # ------------------------------------------------------------------ alerts

    def enqueue_alert(
        self,
        alert: Alert,
        routes: Sequence[tuple[str, str]],
        *,
        now: datetime | None = None,
        not_before: datetime | None = None,
    ) -> None:
        """Store ``alert`` and one delivery per ``(channel, "now" | "digest")`` route.

        Idempotent: enqueueing the same alert (or route) again changes nothing. Joins the
        caller's transaction when there is one. ``now`` (default: the clock) is when the
        deliveries count as queued, for ``max_age_hours``; ``not_before`` holds immediate
        deliveries until then (a story's hourly update summary).
        """
        with self.transaction():
            self.conn.execute(
                "INSERT OR IGNORE INTO alerts (id, kind, story_id, follows, title, created_at,"
                " content) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    alert.id,
                    alert.kind,
                    alert.story_id,
                    alert.follows,
                    alert.title,
                    to_db(alert.created_at),
                    encode_alert(alert),
                ),
            )
            self._add_deliveries(alert.id, routes, now or utcnow(), not_before)

    def _add_deliveries(
        self,
        alert_id: str,
        routes: Sequence[tuple[str, str]],
        now: datetime,
        not_before: datetime | None,
    ) -> None:
        queued = to_db(now)
        for channel, mode in routes:
            if mode not in ("now", "digest"):
                raise ValueError(f"store: route mode must be 'now' or 'digest', not {mode!r}")
            self.conn.execute(
                "INSERT OR IGNORE INTO outbox (alert_id, channel, mode, idempotency_key,"
                " status, next_attempt_at, queued_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    alert_id,
                    channel,
                    mode,
                    delivery_key(alert_id, channel),
                    "pending" if mode == "now" else "digest",
                    to_db(not_before) if mode == "now" else None,
                    queued,
                    queued,
                ),
            )

    def stored_alerts(self) -> list[Alert]:
        """Every alert made, oldest first (``monitor eval --replay`` reads them back)."""
        rows = self.conn.execute("SELECT content FROM alerts ORDER BY created_at, rowid")
        return [decode_alert(r[0]) for r in rows.fetchall()]

    def waiting_update(self, story_id: str) -> tuple[Alert, datetime | None] | None:
        """The story's latest update alert that no channel has tried yet, and until when its
        deliveries are held (None: due now). Such an alert can still change
        (``rewrite_unsent_alert``): no receiver has seen any version of it."""
        row = self.conn.execute(
            "SELECT a.content, (SELECT max(o.next_attempt_at) FROM outbox o"
            "   WHERE o.alert_id = a.id)"
            " FROM alerts a WHERE a.story_id = ? AND a.kind = 'story_update'"
            " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.alert_id = a.id"
            "   AND (o.attempts > 0 OR o.status NOT IN ('pending', 'digest')))"
            " ORDER BY a.created_at DESC, a.rowid DESC LIMIT 1",
            (story_id,),
        ).fetchone()
        return None if row is None else (decode_alert(row[0]), from_db(row[1]))

    def update_times(self, story_id: str, since: datetime) -> list[datetime]:
        """When the story's update alerts since ``since`` were made, oldest first."""
        rows = self.conn.execute(
            "SELECT created_at FROM alerts WHERE story_id = ? AND kind = 'story_update'"
            " AND created_at >= ? ORDER BY created_at",
            (story_id, to_db(since)),
        ).fetchall()
        return [t for t in (from_db(r[0]) for r in rows) if t is not None]

    def rewrite_unsent_alert(
        self,
        alert: Alert,
        routes: Sequence[tuple[str, str]],
        *,
        not_before: datetime | None = None,
    ) -> bool:
        """Replace a queued alert's content and routes, keeping its id; only while no channel
        has tried it (every delivery pending or held for the digest, with no attempt).
        ``not_before`` holds its immediate deliveries as ``enqueue_alert`` does.

        Returns False, changing nothing, when the alert is unknown or a channel has tried it.
        """
        with self.transaction():
            rows = self.conn.execute(
                "SELECT status, attempts FROM outbox WHERE alert_id = ?", (alert.id,)
            ).fetchall()
            known = self.conn.execute("SELECT 1 FROM alerts WHERE id = ?", (alert.id,)).fetchone()
            if known is None or any(r[0] not in ("pending", "digest") or r[1] for r in rows):
                return False
            self.conn.execute("DELETE FROM outbox WHERE alert_id = ?", (alert.id,))
            self.conn.execute(
                "UPDATE alerts SET title = ?, content = ? WHERE id = ?",
                (alert.title, encode_alert(alert), alert.id),
            )
            self._add_deliveries(alert.id, routes, utcnow(), not_before)
        return True

    def get_alert(self, alert_id: str) -> Alert | None:
        row = self.conn.execute("SELECT content FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        return decode_alert(row[0]) if row else None

    def alert_mark(self) -> int:
        """A mark in the alerts table: ``alerts_after(mark)`` gives the alerts stored since."""
        return int(self.conn.execute("SELECT coalesce(max(rowid), 0) FROM alerts").fetchone()[0])

    def alerts_after(self, mark: int) -> list[Alert]:
        """The alerts stored after ``alert_mark()`` returned ``mark``, in the order stored."""
        rows = self.conn.execute(
            "SELECT content FROM alerts WHERE rowid > ? ORDER BY rowid", (mark,)
        ).fetchall()
        return [decode_alert(r[0]) for r in rows]

    def story_alerts(self, story_id: str) -> list[Alert]:
        """The alerts recorded for a story, oldest first (``monitor story``)."""
        rows = self.conn.execute(
            "SELECT content FROM alerts WHERE story_id = ? ORDER BY created_at, id", (story_id,)
        ).fetchall()
        return [decode_alert(r[0]) for r in rows]

    def alert_deliveries(self, alert_id: str) -> list[Delivery]:
        """Every delivery of one alert, by channel (what was sent where, or why not)."""
        rows = self.conn.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM outbox o JOIN alerts a ON a.id = o.alert_id"
            " WHERE o.alert_id = ? ORDER BY o.channel",
            (alert_id,),
        ).fetchall()
        return [_delivery(r) for r in rows]

    def get_delivery(self, delivery_id: int) -> Delivery | None:
        row = self.conn.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM outbox o JOIN alerts a ON a.id = o.alert_id"
            " WHERE o.id = ?",
            (delivery_id,),
        ).fetchone()
        return _delivery(row) if row else None

    # ------------------------------------------------------------------ deliveries

    def due_deliveries(self, now: datetime) -> list[Delivery]:
        """Immediate deliveries whose next attempt is due, oldest first."""
        rows = self.conn.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM outbox o JOIN alerts a ON a.id = o.alert_id"
            " WHERE o.status IN (?, ?) AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?)"
            " ORDER BY o.id",
            (*_DUE, to_db(now)),
        ).fetchall()
        return [_delivery(r) for r in rows]

    def outbox_rows(self, status: str | None = None) -> list[Delivery]:
        """Every delivery row (or those in ``status``), oldest first."""
        where, args = ("", ()) if status is None else (" WHERE o.status = ?", (status,))
        rows = self.conn.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM outbox o JOIN alerts a ON a.id = o.alert_id"
            f"{where} ORDER BY o.id",
            args,
        ).fetchall()
        return [_delivery(r) for r in rows]

    def claim_delivery(self, delivery_id: int, now: datetime) -> None:
        """Count an attempt that is about to be made, in its own transaction (write before
        send). The ``mark_*`` calls that follow pass ``attempted=False``."""
        with self.transaction():
            self.conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, updated_at = ? WHERE id = ?",
                (to_db(now), delivery_id),
            )

    def mark_sent(self, delivery_id: int, now: datetime, *, attempted: bool = True) -> None:
        """The channel confirmed; ``attempted`` counts the attempt (False after a claim)."""
        self.conn.execute(
            "UPDATE outbox SET status = 'sent', attempts = attempts + ?, last_error = NULL,"
            " next_attempt_at = NULL, updated_at = ? WHERE id = ?",
            (int(attempted), to_db(now), delivery_id),
        )

    def mark_failed(
        self,
        delivery_id: int,
        error: str,
        next_attempt_at: datetime,
        now: datetime,
        *,
        attempted: bool = True,
    ) -> None:
        """A failed attempt; the row is due again at ``next_attempt_at``."""
        self.conn.execute(
            "UPDATE outbox SET status = 'failed', attempts = attempts + ?, last_error = ?,"
            " next_attempt_at = ?, updated_at = ? WHERE id = ?",
            (int(attempted), error[:500], to_db(next_attempt_at), to_db(now), delivery_id),
        )

    def mark_dead(self, delivery_id: int, error: str, now: datetime, *, attempted: bool) -> None:
        self.conn.execute(
            "UPDATE outbox SET status = 'dead', attempts = attempts + ?, last_error = ?,"
            " next_attempt_at = NULL, updated_at = ? WHERE id = ?",
            (int(attempted), error[:500], to_db(now), delivery_id),
        )

    def defer_delivery(self, delivery_id: int, reason: str, until: datetime, now: datetime) -> None:
        """Push a row back without counting an attempt (its channel just failed on another)."""
        self.conn.execute(
            "UPDATE outbox SET last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?",
            (reason[:500], to_db(until), to_db(now), delivery_id),
        )

    def requeue_delivery(self, delivery_id: int) -> bool:
        """Make a pending, failed or dead delivery due now, with a fresh attempt count and age.

        Its channel is re-enabled too (an operator who retries wants it tried). Returns False
        when there is no such row or it is already sent (or waits for, or went in, a digest).
        """
        now = to_db(utcnow())
        with self.transaction():
            row = self.conn.execute(
                "SELECT channel FROM outbox WHERE id = ? AND status IN ('pending', 'failed', 'dead')",
                (delivery_id,),
            ).fetchone()
            if row is None:
                return False
            self.conn.execute(
                "UPDATE outbox SET status = 'pending', attempts = 0, last_error = NULL,"
                " next_attempt_at = NULL, queued_at = ?, updated_at = ? WHERE id = ?",
                (now, now, delivery_id),
            )
            self.enable_channel(row[0])
        return True

    def outbox_counts(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    def prune_outbox(self, before: datetime) -> int:
        """Forget sent, bundled and dead rows (and their alerts) last touched before ``before``."""
        with self.transaction():
            cur = self.conn.execute(
                "DELETE FROM outbox WHERE status IN ('sent', 'bundled', 'dead') AND updated_at < ?",
                (to_db(before),),
            )
            self.conn.execute(
                "DELETE FROM alerts WHERE created_at < ? AND id NOT IN"
                " (SELECT alert_id FROM outbox)",
                (to_db(before),),
            )
        return cur.rowcount

    # ------------------------------------------------------------------ digests

    def held_for_digest(self, since: datetime) -> int:
        """Deliveries queued since ``since`` that wait for their channel's digest."""
        row = self.conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE status = 'digest' AND queued_at >= ?",
            (to_db(since),),
        ).fetchone()
        return int(row[0])

    def digest_queue(self, channel: str) -> list[Delivery]:
        """Rows waiting for ``channel``'s next digest, oldest first."""
        rows = self.conn.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM outbox o JOIN alerts a ON a.id = o.alert_id"
            " WHERE o.channel = ? AND o.status = 'digest' ORDER BY o.id",
            (channel,),
        ).fetchall()
        return [_delivery(r) for r in rows]

    def bundle_digest(
        self, channel: str, digest: Alert, delivery_ids: Sequence[int], slot: datetime
    ) -> None:
        """In one transaction: queue ``digest`` for ``channel``, mark the rows it carries
        ``bundled`` and remember ``slot`` as the channel's last digest."""
        with self.transaction():
            self.enqueue_alert(digest, [(channel, "now")], now=digest.created_at)
            self.conn.executemany(
                "UPDATE outbox SET status = 'bundled', digest_id = ?, updated_at = ?"
                " WHERE id = ? AND status = 'digest'",
                [(digest.id, to_db(digest.created_at), i) for i in delivery_ids],
            )
            self.set_last_digest_slot(channel, slot)

    def set_last_digest_slot(self, channel: str, slot: datetime) -> None:
        self._ensure_channel(channel)
        self.conn.execute(
            "UPDATE channel_state SET last_digest_slot = ? WHERE name = ?", (to_db(slot), channel)
        )

    # ------------------------------------------------------------------ channels

    def channel_state(self, name: str) -> ChannelState:
        row = self.conn.execute(
            "SELECT name, disabled_at, disabled_reason, disabled_target, last_digest_slot"
            " FROM channel_state WHERE name = ?",
            (name,),
        ).fetchone()
        if row is None:
            return ChannelState(name)
        return ChannelState(row[0], from_db(row[1]), row[2], row[3], from_db(row[4]))

    def disabled_channels(self) -> list[ChannelState]:
        rows = self.conn.execute(
            "SELECT name FROM channel_state WHERE disabled_at IS NOT NULL ORDER BY name"
        ).fetchall()
        return [self.channel_state(r[0]) for r in rows]

    def disable_channel(self, name: str, reason: str, target: str, now: datetime) -> None:
        self._ensure_channel(name)
        self.conn.execute(
            "UPDATE channel_state SET disabled_at = ?, disabled_reason = ?, disabled_target = ?"
            " WHERE name = ?",
            (to_db(now), reason[:500], target, name),
        )

    def enable_channel(self, name: str) -> None:
        self.conn.execute(
            "UPDATE channel_state SET disabled_at = NULL, disabled_reason = NULL,"
            " disabled_target = NULL WHERE name = ?",
            (name,),
        )

    def _ensure_channel(self, name: str) -> None:
        self.conn.execute("INSERT OR IGNORE INTO channel_state (name) VALUES (?)", (name,))


def _delivery(row: tuple[Any, ...]) -> Delivery:
    return Delivery(
        id=row[0],
        alert_id=row[1],
        channel=row[2],
        mode=row[3],
        idempotency_key=row[4],
        status=row[5],
        attempts=row[6],
        last_error=row[7],
        next_attempt_at=from_db(row[8]),
        queued_at=from_db(row[9]),
        updated_at=from_db(row[10]),
        alert_kind=row[11],
        title=row[12],
    )


# ---------------------------------------------------------------------- alert (de)serialisation
# The alert is kept whole, so a delivery retried days later renders exactly what was decided.
# Decoding walks the dataclass type hints, so fields added to ``models`` later (with defaults)
# need no change here and old rows still load.


# The alerts this process encoded last, by their JSON: a story's waiting update is read back
# each time a later report folds into it (``storm.queue_alert``), and decoding the JSON the
# process has just written cost more than the fold. Keyed by the content itself, so a row
# that changed (or a transaction that rolled back) can never be answered from here.
_ENCODED: dict[str, Alert] = {}
_ENCODED_KEPT = 256


def encode_alert(alert: Alert) -> str:
    content = json.dumps(plain(alert), ensure_ascii=False, default=json_default)
    if len(_ENCODED) >= _ENCODED_KEPT:
        _ENCODED.clear()
    _ENCODED[content] = alert
    return content


def decode_alert(content: str) -> Alert:
    known = _ENCODED.get(content)
    if known is not None:
        return known
    value = _decode(Alert, json.loads(content))
    assert isinstance(value, Alert)
    return value


def _decode(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _decode(inner[0], value)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in value)
        return tuple(_decode(a, v) for a, v in zip(args, value, strict=True))
    if tp is datetime:
        return datetime.fromisoformat(value)
    if tp is date:
        return date.fromisoformat(value)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = _hints(tp)
        return tp(**{k: _decode(hints[k], v) for k, v in value.items() if k in hints})
    return value  # str, int, float, bool, Literal


@functools.cache
def _hints(tp: type) -> dict[str, Any]:
    """A dataclass's fields and their types, resolved once per class (``get_type_hints``
    evaluates every annotation's string each time: most of the time of a decode)."""
    hints = typing.get_type_hints(tp)
    return {f.name: hints[f.name] for f in dataclasses.fields(tp)}
