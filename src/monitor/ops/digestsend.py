"""``monitor digest send [--channel NAME]``: send what waits for a channel's digest, now.

Each chosen channel (every channel, or NAME) with alerts held for its digest gets one digest
alert at once, built as the scheduled one is (``alerts.digest.queue_digest_now``). When no
daemon holds the state, the command delivers it itself and says whether it went out; beside a
running daemon it only queues it (two processes must not send the same row) and the daemon's
dispatch, every minute, sends it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from monitor.alerts.digest import queue_digest_now
from monitor.alerts.dispatch import Dispatcher
from monitor.config.load import Config
from monitor.errors import ConfigError, StoreError
from monitor.models import Alert
from monitor.settings import ChannelConfig
from monitor.store import Store, utcnow


@dataclass(frozen=True, slots=True)
class DigestSent:
    """What ``send_digests`` did for one channel."""

    channel: str
    alerts: int  # how many alerts the digest carries
    status: str  # "sent", "queued" (a running daemon sends it), or the outbox status
    error: str | None = None

    @property
    def line(self) -> str:
        what = f"digest for {self.channel} ({self.alerts} alert{'s' if self.alerts != 1 else ''})"
        if self.status == "sent":
            return f"{what}: sent"
        if self.status == "queued":
            return f"{what}: queued; the running daemon sends it within a minute"
        return (
            f"{what}: not sent ({self.status}: {self.error}); it is retried like any delivery,"
            " see `monitor outbox`"
        )


def send_digests(
    config: Config, channel: str | None, console: TextIO | None = None
) -> list[DigestSent]:
    """Build (and, without a running daemon, deliver) the digest of each chosen channel.

    Returns one record per channel that had something held for its digest.

    Raises:
        ConfigError: no channel named ``channel``.
        StoreError: the state cannot be opened or written.
    """
    chosen = chosen_channels(config, channel)
    try:
        store = Store.open(config.state_dir)
        daemon = False
    except StoreError as exc:
        if not exc.in_use:
            raise
        store = Store.open(config.state_dir, lock=False)
        daemon = True
    try:
        now = utcnow()
        made: list[tuple[ChannelConfig, Alert]] = []
        for c in chosen:
            digest = queue_digest_now(store, c, now)
            if digest is not None:
                made.append((c, digest))
        if daemon or not made:
            return [DigestSent(c.name, len(d.includes), "queued") for c, d in made]
        Dispatcher(
            store,
            [c for c, _ in made],
            config.delivery,
            console_stream=console,
            allow_private_addresses=config.http.private_channels,
            pres=config.presentation(),
        ).dispatch(now)
        out = []
        for c, d in made:
            (row,) = store.alert_deliveries(d.id)
            out.append(DigestSent(c.name, len(d.includes), row.status, row.last_error))
        return out
    finally:
        store.close()


def chosen_channels(config: Config, name: str | None) -> Sequence[ChannelConfig]:
    """Every channel, or the one named ``name`` (``ConfigError`` naming the others)."""
    if name is None:
        return config.channels
    chosen = [c for c in config.channels if c.name == name]
    if not chosen:
        names = ", ".join(c.name for c in config.channels) or "none"
        raise ConfigError(f"digest send: no channel {name!r} in {config.path} (channels: {names})")
    return chosen
