"""The ``[[channels]]`` tables of ``monitor.toml``: where alerts go, read into ``ChannelConfig``.

Each channel has a type (``CHANNEL_TYPES``) with its own required and optional keys, routing
by verdict (``immediate`` and ``digest``, from ``VERDICTS``) and a daily digest time. Values
are checked here, at start-up, so a dispatch never meets a wrong type. Secrets (``password``,
``secret``, ``urls``) may be inline, ``<key>_env = "VAR"`` or ``<key>_file = "/path"``;
``ChannelConfig.redacted()`` hides them. Part of ``config`` (which re-exports the names).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.confkit import Section, check_timezone

VERDICTS = ("conflicting", "completed", "new", "consistent")
CHANNEL_TYPES = ("console", "jsonl", "email", "webhook", "apprise")
SECRET_KEYS = ("password", "secret", "urls")


@dataclass(frozen=True, slots=True)
class ChannelConfig:
    """One alert channel. ``options`` holds the type's own keys, secrets resolved."""

    name: str
    type: str
    immediate: tuple[str, ...] = ("conflicting", "completed", "new")
    digest: tuple[str, ...] = ("consistent",)
    digest_at: str = "08:00"
    digest_timezone: str = "Asia/Baghdad"
    options: dict[str, Any] = field(default_factory=dict)

    def redacted(self) -> dict[str, Any]:
        opts = {k: ("***" if k in SECRET_KEYS and v else v) for k, v in self.options.items()}
        return {
            "name": self.name,
            "type": self.type,
            "immediate": list(self.immediate),
            "digest": list(self.digest),
            "digest_at": self.digest_at,
            "digest_timezone": self.digest_timezone,
            **opts,
        }


_CHANNEL_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # type: (required keys, optional keys)
    "console": ((), ()),
    "jsonl": (("path",), ()),
    "email": (
        ("smtp_host", "from_addr", "to"),
        ("smtp_port", "security", "username", "password", "ca_file", "timeout_seconds"),
    ),
    "webhook": (("url",), ("secret", "timeout_seconds")),
    "apprise": (("urls",), ("timeout_seconds",)),
}
# The channel classes convert these with int()/float()/str() when a dispatch opens them, so a
# wrong type must be refused here, at start-up, not fail every dispatch.
_OPTION_TYPES: dict[str, type] = {
    "path": str,
    "smtp_host": str,
    "from_addr": str,
    "username": str,
    "ca_file": str,
    "url": str,
    "smtp_port": int,
    "timeout_seconds": float,
}
_POSITIVE_OPTIONS = ("smtp_port", "timeout_seconds")


def read_channels(root: Section) -> tuple[ChannelConfig, ...]:
    """Every ``[[channels]]`` table of ``root``; problems go to ``root.problems``."""
    out: list[ChannelConfig] = []
    names: set[str] = set()
    for s in root.tables("channels"):
        ctype = s.choice("type", CHANNEL_TYPES)
        name = s.get("name", str, ctype)
        if name in names:
            s.problems.add(s.where, f"duplicate channel name {name!r}")
        names.add(name)
        immediate = _verdicts(s, "immediate", ("conflicting", "completed", "new"))
        digest = _verdicts(s, "digest", ("consistent",))
        digest_at = s.get("digest_at", str, "08:00")
        if not _is_hhmm(digest_at):
            s.problems.add(s.where, f"key 'digest_at' must be HH:MM, got {digest_at!r}")
        digest_tz = s.get("digest_timezone", str, "Asia/Baghdad")
        check_timezone(s, "digest_timezone", digest_tz)
        options = _channel_options(s, ctype, root.where)
        out.append(ChannelConfig(name, ctype, immediate, digest, digest_at, digest_tz, options))
        s.done()
    return tuple(out)


def _verdicts(s: Section, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    values = s.str_list(key, default)
    for v in values:
        if v not in VERDICTS:
            s.problems.add(s.where, f"key '{key}': unknown verdict {v!r} ({', '.join(VERDICTS)})")
    return values


def _is_hhmm(value: str) -> bool:
    hh, _, mm = value.partition(":")
    return hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60 and len(mm) == 2


def _channel_options(s: Section, ctype: str, config_where: str) -> dict[str, Any]:
    required, optional = _CHANNEL_KEYS.get(ctype, ((), ()))
    options: dict[str, Any] = {}
    for key in (*required, *optional):
        value = _secret(s, key) if key in SECRET_KEYS else s.table.get(key)
        s.seen.add(key)
        if value is None:
            if key in required:
                s.problems.add(s.where, f"missing required key '{key}' for a {ctype} channel")
            continue
        options[key] = value
    _check_option_types(s, options)
    if ctype == "email":
        sec = options.get("security", "starttls")
        if sec not in ("starttls", "tls", "none"):
            s.problems.add(s.where, f"key 'security' must be starttls, tls or none; got {sec!r}")
        if isinstance(options.get("to"), str):
            options["to"] = [options["to"]]
    # Relative paths are relative to the config file, like every path in the config.
    for key in ("path", "ca_file"):
        if isinstance(options.get(key), str):
            options[key] = os.path.normpath(Path(config_where).parent / options[key])
    if ctype in ("webhook", "apprise") and all(k in options for k in required):
        from monitor.alerts import check_channel_options  # webhook secret, apprise URLs

        for problem in check_channel_options(ctype, options):
            s.problems.add(s.where, problem)
    return options


def _check_option_types(s: Section, options: dict[str, Any]) -> None:
    """Report options of the wrong type (the values themselves are kept as written)."""
    for key, kind in _OPTION_TYPES.items():
        if key not in options:
            continue
        if key in _POSITIVE_OPTIONS:
            s.positive(key, kind, kind(1))
        else:
            s.get(key, kind)
    to = options.get("to")
    if to is not None and not isinstance(to, str):
        s.str_list("to")
    ca_file = options.get("ca_file")
    if isinstance(ca_file, str) and not Path(ca_file).is_file():
        s.problems.add(s.where, f"key 'ca_file': file not found: {ca_file}")


def _secret(s: Section, key: str) -> Any:
    """A secret given inline, as ``<key>_env = "VAR"`` or as ``<key>_file = "/path"``."""
    if f"{key}_env" in s.table or f"{key}_file" in s.table:
        return s.secret(key)
    for variant in (f"{key}_env", f"{key}_file"):
        s.seen.add(variant)
    return s.table.get(key)  # inline: kept as written (apprise ``urls`` is a list)
