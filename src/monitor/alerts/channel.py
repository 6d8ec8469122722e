"""What every channel kind shares: the message handed to it and the ``Channel`` protocol.

A channel's ``send`` either returns (the far end confirmed: 2xx, SMTP 250, a flushed line) or
raises ``DeliveryError`` saying whether the failure is permanent, carries a ``Retry-After`` and
whether the channel should be disabled. Channels do no SQL and never retry on their own: the
dispatcher owns the outbox, the backoff and the bookkeeping.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from monitor.alerts.cutoff import Cutoff
from monitor.models import Alert

_AUTHORITY_END = re.compile(r"[/?#]")


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One delivery as a channel sees it.

    ``key`` is the idempotency key (webhook-id, Message-ID); ``thread_key`` is the key of the
    first alert of the story on the same channel, for email threading; ``parts`` are the alerts
    a digest gathers.
    """

    alert: Alert
    key: str
    thread_key: str | None = None
    parts: Sequence[Alert] = ()


class Channel(Protocol):
    name: str

    def send(self, message: Outgoing, cutoff: Cutoff | None = None) -> None:
        """Deliver within ``cutoff`` (the whole exchange, not each read) or raise
        ``DeliveryError``."""

    def close(self) -> None:
        """Release connections."""


def target_fingerprint(kind: str, target: str) -> str:
    """A short hash naming a channel's destination, so a 410 disables that URL, not the name."""
    return hashlib.sha256(f"{kind}\x00{target}".encode()).hexdigest()[:16]


def short_url(url: str) -> str:
    """Scheme and host only: webhook paths and queries often hold tokens, which must not
    reach logs. The authority ends at the first ``/``, ``?`` or ``#`` (RFC 3986 3.2)."""
    scheme, _, rest = url.partition("://")
    host = _AUTHORITY_END.split(rest, maxsplit=1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}/…" if rest else url
