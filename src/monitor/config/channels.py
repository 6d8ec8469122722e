"""The ``[[channels]]`` tables of ``monitor.toml``: where alerts go, read into ``ChannelConfig``.

Each channel has a type (``CHANNEL_TYPES``) with its own keys, routing by verdict
(``immediate`` and ``digest``, from ``VERDICTS``) and a daily digest time. Each kind's options
are built here, once, into the record its module defines (``EmailOptions``, ``WebhookOptions``,
...), so a dispatch never meets a wrong type and every default is written in one place. Secrets
(``password``, ``secret``, ``urls``) may be inline, ``<key>_env = "VAR"`` or ``<key>_file =
"/path"``; ``ChannelConfig.redacted()`` hides them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from monitor.alerts.apprise_channel import AppriseOptions, check_apprise_urls
from monitor.alerts.console import JsonlOptions
from monitor.alerts.email import DEFAULT_PORTS, SECURITIES, EmailOptions
from monitor.alerts.webhook import WebhookOptions, check_webhook
from monitor.confkit import Problems, Section, check_timezone
from monitor.settings import CHANNEL_TYPES, VERDICTS, ChannelConfig, ChannelOptions, NoOptions


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
        digest = _digest(s, immediate)
        digest_at = s.get("digest_at", str, "08:00")
        if not _is_hhmm(digest_at):
            s.problems.add(s.where, f"key 'digest_at' must be HH:MM, got {digest_at!r}")
        digest_tz = s.get("digest_timezone", str, "Asia/Baghdad")
        check_timezone(s, "digest_timezone", digest_tz)
        options = _BUILDERS[ctype](s, Path(root.where).parent)
        out.append(ChannelConfig(name, ctype, immediate, digest, digest_at, digest_tz, options))
        s.done()
    return tuple(out)


def channel_options(ctype: str, table: dict[str, Any], base: Path) -> ChannelOptions:
    """One kind's options from a plain table (tests, ``monitor demo``); ``ConfigError`` lists
    every problem."""
    problems = Problems()
    s = Section(table, f"channel {ctype}", problems)
    options = _BUILDERS[ctype](s, base)
    s.done()
    problems.raise_if_any()
    return options


def _verdicts(s: Section, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    values = s.str_list(key, default)
    for v in values:
        if v not in VERDICTS:
            s.problems.add(s.where, f"key '{key}': unknown verdict {v!r} ({', '.join(VERDICTS)})")
    return values


def _digest(s: Section, immediate: tuple[str, ...]) -> tuple[str, ...]:
    """The digest's verdicts: by default those not sent at once; a verdict listed in both
    would only ever go at once (``immediate`` wins), so that is a problem, not a silence."""
    if "digest" not in s.table:
        return tuple(v for v in _verdicts(s, "digest", ("consistent",)) if v not in immediate)
    digest = _verdicts(s, "digest", ())
    both = [v for v in digest if v in immediate]
    if both:
        s.problems.add(
            s.where,
            f"verdict {', '.join(map(repr, both))} is in both 'immediate' and 'digest'"
            " (an alert goes at once when any verdict is immediate): keep it in one",
        )
    return digest


def _is_hhmm(value: str) -> bool:
    hh, _, mm = value.partition(":")
    return hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60 and len(mm) == 2


def _console(s: Section, base: Path) -> ChannelOptions:
    return NoOptions()


def _jsonl(s: Section, base: Path) -> ChannelOptions:
    return JsonlOptions(_path(base, _required(s, "path", "jsonl")))


def _email(s: Section, base: Path) -> ChannelOptions:
    to = s.table.get("to")
    recipients = (s.get("to", str),) if isinstance(to, str) else s.str_list("to")
    if "to" not in s.table:
        s.problems.add(s.where, "missing required key 'to' for a email channel")
    ca_file = s.get_opt("ca_file", str)
    if ca_file is not None:
        ca_file = _path(base, ca_file)
        if not Path(ca_file).is_file():
            s.problems.add(s.where, f"key 'ca_file': file not found: {ca_file}")
    security = s.get("security", str, "starttls")
    if security not in SECURITIES:
        s.problems.add(s.where, f"key 'security' must be starttls, tls or none; got {security!r}")
        security = "starttls"
    # the default only stands in for a value already reported wrong: one problem, not two
    given = "smtp_port" in s.table
    port = s.positive("smtp_port", int, DEFAULT_PORTS[security]) if given else None
    return EmailOptions(
        smtp_host=_required(s, "smtp_host", "email"),
        from_addr=_required(s, "from_addr", "email"),
        to=recipients,
        security=security,
        smtp_port=port,
        username=s.get_opt("username", str),
        password=_secret(s, "password"),
        ca_file=ca_file,
        timeout_seconds=s.positive("timeout_seconds", float, 30.0),
    )


def _webhook(s: Section, base: Path) -> ChannelOptions:
    options = WebhookOptions(
        url=_required(s, "url", "webhook"),
        secret=_secret(s, "secret"),
        timeout_seconds=s.positive("timeout_seconds", float, 10.0),
    )
    if "url" in s.table:
        for problem in check_webhook(options):
            s.problems.add(s.where, problem)
    return options


def _apprise(s: Section, base: Path) -> ChannelOptions:
    raw = _secret(s, "urls")
    urls = (raw,) if isinstance(raw, str) else tuple(str(u) for u in raw or ())
    if raw is None:
        s.problems.add(s.where, "missing required key 'urls' for a apprise channel")
    options = AppriseOptions(urls=urls, timeout_seconds=s.positive("timeout_seconds", float, 30.0))
    if raw is not None:
        for problem in check_apprise_urls(options):
            s.problems.add(s.where, problem)
    return options


_BUILDERS: dict[str, Callable[[Section, Path], ChannelOptions]] = {
    "console": _console,
    "jsonl": _jsonl,
    "email": _email,
    "webhook": _webhook,
    "apprise": _apprise,
}


def _required(s: Section, key: str, ctype: str) -> str:
    if key not in s.table:
        s.seen.add(key)
        s.problems.add(s.where, f"missing required key '{key}' for a {ctype} channel")
        return ""
    return s.get(key, str)


def _path(base: Path, value: str) -> str:
    """Relative paths are relative to the config file, like every path in the config."""
    return os.path.normpath(base / value)


def _secret(s: Section, key: str) -> Any:
    """A secret given inline, as ``<key>_env = "VAR"`` or as ``<key>_file = "/path"``."""
    if f"{key}_env" in s.table or f"{key}_file" in s.table:
        return s.secret(key)
    for variant in (key, f"{key}_env", f"{key}_file"):
        s.seen.add(variant)
    return s.table.get(key)  # inline: kept as written (apprise ``urls`` may be a list)
