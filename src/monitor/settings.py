"""Settings records: the validated, frozen values every stage reads (a leaf: imports nothing
of ours, so any module may take them without pulling in the config loader).

``monitor.config`` builds them from ``monitor.toml``; tests and benchmarks build them directly.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Protocol

DEFAULT_USER_AGENT = "monitor/0.1 (Arabic news monitor; coalition withdrawal from Iraq)"


@dataclass(frozen=True, slots=True)
class HttpSettings:
    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout_seconds: float = 10.0
    read_timeout_seconds: float = 20.0
    total_timeout_seconds: float = 60.0
    max_feed_bytes: int = 5_000_000
    max_page_bytes: int = 3_000_000
    max_redirects: int = 5
    concurrency: int = 16
    per_host_concurrency: int = 2
    allow_private_addresses: bool = False  # the default of the two below (the key before 13)
    # Feeds on your network and a webhook receiver on it are separate decisions (issue 13):
    # None falls back to allow_private_addresses.
    allow_private_sources: bool | None = None
    allow_private_channels: bool | None = None

    @property
    def private_sources(self) -> bool:
        """Whether feeds and pages may be fetched from private addresses."""
        if self.allow_private_sources is None:
            return self.allow_private_addresses
        return self.allow_private_sources

    @property
    def private_channels(self) -> bool:
        """Whether webhooks may be delivered to private addresses."""
        if self.allow_private_channels is None:
            return self.allow_private_addresses
        return self.allow_private_channels


@dataclass(frozen=True, slots=True)
class StorySettings:
    # The story decision (stories/decide.py): a few rules, then the fitted model whose weights
    # are in defaults/story_model.toml (scripts/fit_story_model.py).
    window_days: int = 7  # reports placed further apart are two stories; stories close after it
    # char-5 Jaccard at or above which copies merge outright (after the site/day/country
    # rules): lowest copy 0.47 (a republished report), highest different development 0.19
    merge_threshold: float = 0.45
    event_window_hours: int = 48  # how far in time the index looks for independent reports
    containment_threshold: float = 0.7  # a teaser inside its story (0.93-1.0 in the fixtures)
    # Read for old configs, no longer used: the fitted model replaced these hand-set bars.
    grey_threshold: float = 0.25
    grey_evidence: float = 2.0
    event_evidence: float = 2.5
    late_evidence: float = 1.5
    # Update alerts of one story (issue 13): one per cycle (later ones fold into it), this
    # many per hour; past that, one summary at the end of the hour ("moved N times").
    max_updates_per_hour: int = 3


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    max_attempts: int = 12
    max_age_hours: float = 48.0
    backoff_base_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0
    # Wall-clock bounds (issue 13): one webhook request or SMTP session, whatever the peer
    # does; no new send after round_deadline_seconds, so a round ends within the sum of the
    # two (below the dispatch job's one-minute tick).
    send_deadline_seconds: float = 30.0
    round_deadline_seconds: float = 25.0


@dataclass(frozen=True, slots=True)
class HealthSettings:
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 0  # 0: no HTTP endpoint
    failure_alert_after: int = 5
    silence_alert_hours: float = 48.0
    max_cycle_age_minutes: float = 60.0


@dataclass(frozen=True, slots=True)
class WebSettings:
    """``[web]``: the reading room's pages (and /healthz, /metrics), served by the daemon and
    by ``monitor serve``. Off loopback a password is required (``password_env``/``_file``)."""

    enabled: bool = True
    listen: str = "127.0.0.1:8080"
    host: str = "127.0.0.1"
    port: int = 8080
    password: str | None = None

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)


def is_loopback(host: str) -> bool:
    """Whether ``host`` only ever reaches this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_listen(value: str) -> tuple[str, int] | None:
    """``"127.0.0.1:8080"`` / ``"[::1]:8080"`` / ``"0.0.0.0:80"`` -> (host, port); None if bad."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        return None
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        return None  # an IPv6 address needs brackets: [::1]:8080
    if not host:
        return None
    return host, int(port)


VERDICTS = ("conflicting", "completed", "new", "consistent")
CHANNEL_TYPES = ("console", "jsonl", "email", "webhook", "apprise")


class ChannelOptions(Protocol):
    """A channel kind's own options; each kind's module defines its record."""

    def redacted(self) -> dict[str, Any]:
        """The options as plain data for ``check-config``, secrets shown as ``***``."""
        ...

    @property
    def target(self) -> str | None:
        """Where the channel delivers (URL or host); None when it has no address."""
        ...


@dataclass(frozen=True, slots=True)
class NoOptions:
    """The console channel has no options."""

    def redacted(self) -> dict[str, Any]:
        return {}

    @property
    def target(self) -> str | None:
        return None


@dataclass(frozen=True, slots=True)
class ChannelConfig:
    """One alert channel: routing by verdict, digest time, and the kind's typed options."""

    name: str
    type: str
    immediate: tuple[str, ...] = ("conflicting", "completed", "new")
    digest: tuple[str, ...] = ("consistent",)
    digest_at: str = "08:00"
    digest_timezone: str = "Asia/Baghdad"
    options: ChannelOptions = field(default_factory=NoOptions)

    def redacted(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "immediate": list(self.immediate),
            "digest": list(self.digest),
            "digest_at": self.digest_at,
            "digest_timezone": self.digest_timezone,
            **self.options.redacted(),
        }
