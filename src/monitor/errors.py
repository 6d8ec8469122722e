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

# Secrets ride in URLs: user:password@, query tokens (?token=…&key=…), path tokens
# (/hooks/T0123/aBcD…). Never let them reach logs, status, check-config or operator alerts.
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")
_TOKENISH = re.compile(r"[A-Za-z0-9_~.=+%-]{16,}")
_UUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


def redact_url(text: str, *, whole_path: bool = False) -> str:
    """``text`` with every URL in it made safe to show: its credentials, its query values and
    fragment, and the path segments that look like tokens become ``***`` (query names stay,
    so ``?token=***&page=***`` still says what was there). ``whole_path``: every segment
    (webhook URLs, whose paths are secrets as a rule)."""
    return _URL.sub(lambda m: _redact_one(m.group(0), whole_path), text)


def _redact_one(url: str, whole_path: bool) -> str:
    scheme, _, rest = url.partition("://")
    cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    if "@" in authority:
        authority = "***@" + authority.rsplit("@", 1)[1]
    tail, hash_, _fragment = tail.partition("#")
    path, ask, query = tail.partition("?")
    segments = path.split("/")
    path = "/".join(
        "***" if seg and (whole_path or _looks_secret(seg)) else seg for seg in segments
    )
    if query:
        query = "&".join(
            f"{p.split('=', 1)[0]}=***" if "=" in p else "***" for p in query.split("&") if p
        )
    return f"{scheme}://{authority}{path}{ask}{query}" + ("#***" if hash_ else "")


def _looks_secret(segment: str) -> bool:
    """A path segment that reads like a token rather than a name: long, letters and digits,
    mixed case or no hyphen (slugs are lower case words joined by hyphens), or a UUID."""
    if _UUID.fullmatch(segment):
        return True
    if not _TOKENISH.fullmatch(segment):
        return False
    letters = sum(c.isalpha() for c in segment)
    digits = sum(c.isdigit() for c in segment)
    if not letters or not digits:
        return False
    mixed_case = segment.lower() != segment and segment.upper() != segment
    return mixed_case or "-" not in segment


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
