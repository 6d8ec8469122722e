"""The exception tree. A leaf module: it imports nothing from the package.

    MonitorError
      ConfigError          bad config file, key or value (lists every problem at once)
      InputError           bad input to ``monitor analyze`` (names the line)
      FetchError           a feed or page could not be fetched (source_id, url, status)
        BlockedAddressError    the URL resolves to an address we refuse (SSRF guard)
        TooLargeError          the body passed the size cap
      ParseError           a feed could not be parsed (source_id)
      StoreError           the state database or its lock
      DeliveryError        a channel failed to deliver (channel, permanent)

Messages start with the layer ("config: ...", "fetch: ...") so a log line shows where it came from.
"""

from __future__ import annotations

import re

# user:password@ in a URL: never let it reach logs, the store or operator alerts.
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


def redact_url(text: str) -> str:
    """``text`` with the credentials of any URL in it replaced by ``***``."""
    return _USERINFO.sub("***@", text)


class MonitorError(Exception):
    """Base class: the CLI turns any of these into one line on stderr and a non-zero exit."""


class ConfigError(MonitorError):
    """The configuration is invalid; ``problems`` holds every problem found."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


class InputError(MonitorError):
    """Input to a command is invalid (``monitor analyze`` names the line)."""


class FetchError(MonitorError):
    """A feed or page could not be fetched."""

    def __init__(
        self,
        message: str,
        *,
        url: str = "",
        status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(redact_url(message))
        self.url = redact_url(url)
        self.status = status
        self.retry_after_s = retry_after_s  # from a 429/503 Retry-After header, in seconds


class BlockedAddressError(FetchError):
    """The URL points to an address the SSRF guard refuses."""


class TooLargeError(FetchError):
    """The (decoded) body passed the configured size cap."""


class ParseError(MonitorError):
    """A feed yielded no entries or could not be parsed."""


class StoreError(MonitorError):
    """The state database failed, is damaged, or is locked by another daemon.

    ``disk_full`` says the file system holding the state has no space left; ``damaged`` that
    SQLite found the database malformed (the message then says how to recover); ``in_use``
    that another process (the daemon) holds the state directory's lock.
    """

    def __init__(
        self,
        message: str,
        *,
        disk_full: bool = False,
        damaged: bool = False,
        in_use: bool = False,
    ) -> None:
        super().__init__(message)
        self.disk_full = disk_full
        self.damaged = damaged
        self.in_use = in_use


class DeliveryError(MonitorError):
    """A channel failed to deliver an alert.

    ``permanent`` errors (4xx other than 408/429, auth failure, invalid address) are not retried;
    ``retry_after_s`` carries a server's Retry-After when it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        channel: str = "",
        permanent: bool = False,
        retry_after_s: float | None = None,
        disable_channel: bool = False,
    ) -> None:
        super().__init__(message)
        self.channel = channel
        self.permanent = permanent
        self.retry_after_s = retry_after_s
        self.disable_channel = disable_channel
