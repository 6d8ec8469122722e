"""Apprise channel: any chat service (Telegram, Slack, Matrix, ntfy…) through Apprise URLs.

Optional: needs ``pip install 'monitor[apprise]'``. Same outbox semantics as the other kinds
(the dispatcher retries, backs off and gives up); Apprise only says "delivered" or not, so every
failure is treated as transient. A channel with several URLs that partly fails is retried as a
whole: give each service its own channel when a repeat on the others matters. The message is
the console's plain text (chat apps show it as sent), the subject as its title.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from monitor.alerts.channel import Outgoing
from monitor.alerts.cutoff import DEFAULT_SECONDS, Cutoff
from monitor.alerts.render import DEFAULT, render_text, subject
from monitor.alerts.words import Presentation
from monitor.errors import ConfigError, DeliveryError

INSTALL_HINT = "the apprise channel needs the apprise package: pip install 'monitor[apprise]'"


def is_available() -> bool:
    try:
        import apprise  # noqa: F401, PLC0415  # optional extra: absent is a state, not an error
    except ImportError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class AppriseOptions:
    """An apprise channel's options; the URLs carry tokens and are never shown."""

    urls: tuple[str, ...]
    timeout_seconds: float = 30.0

    @property
    def target(self) -> str | None:
        return None

    def redacted(self) -> dict[str, Any]:
        return {"urls": "***" if self.urls else None, "timeout_seconds": self.timeout_seconds}


def check_apprise_urls(options: AppriseOptions) -> list[str]:
    """Problems with an apprise channel's options (for config validation)."""
    if not is_available():
        return [INSTALL_HINT]
    import apprise  # noqa: PLC0415  # optional extra, checked by is_available()

    urls = options.urls
    if not urls:
        return ["key 'urls' must list at least one Apprise URL"]
    problems = []
    for number, url in enumerate(urls, start=1):
        if not apprise.Apprise().add(str(url)):
            # Never echo the URL: Apprise URLs carry tokens.
            problems.append(f"key 'urls': entry {number} is not a URL Apprise understands")
    return problems


class AppriseChannel:
    def __init__(self, name: str, options: AppriseOptions, pres: Presentation = DEFAULT) -> None:
        problems = check_apprise_urls(options)
        if problems:
            raise ConfigError([f"channel {name!r}: {p}" for p in problems])
        import apprise  # noqa: PLC0415  # optional extra, checked by is_available()

        self.name = name
        self.pres = pres
        self.timeout = options.timeout_seconds
        self._apprise = apprise.Apprise()
        for url in options.urls:
            self._apprise.add(url)

    def send(self, message: Outgoing, cutoff: Cutoff | None = None) -> None:
        cutoff = cutoff or Cutoff(DEFAULT_SECONDS)
        outcome: list[Any] = []

        # Apprise blocks in its own HTTP code: run it aside and stop waiting at the cutoff (the
        # thread ends with Apprise's own timeout; the delivery is retried later).
        def notify() -> None:
            try:
                outcome.append(self._notify(message))
            except Exception as exc:  # reported below, like a failed notification
                outcome.append(exc)

        worker = threading.Thread(target=notify, name="apprise", daemon=True)
        worker.start()
        while worker.is_alive() and not cutoff.passed():
            worker.join(min(0.05, cutoff.remaining()) or 0.001)
        if not outcome:
            raise DeliveryError(f"apprise: {cutoff.reason()}", channel=self.name)
        result = outcome[0]
        if isinstance(result, Exception):
            raise DeliveryError(f"apprise: {type(result).__name__}: {result}", channel=self.name)
        if not result:
            status = getattr(getattr(result, "status", None), "name", "FAILURE")
            raise DeliveryError(
                f"apprise: notification not delivered ({status})", channel=self.name
            )

    def _notify(self, message: Outgoing) -> Any:
        import apprise  # noqa: PLC0415  # optional extra, checked by is_available()

        return self._apprise.notify(
            body=render_text(message.alert, message.parts, pres=self.pres),
            title=subject(message.alert, message.parts, self.pres),
            body_format=apprise.NotifyFormat.TEXT,
            timeout=self.timeout,
        )

    def close(self) -> None:
        """Apprise keeps no connection between notifications."""
