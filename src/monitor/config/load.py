"""Load ``monitor.toml`` (and the keyword and timeline files it names) into a frozen ``Config``.

Everything is validated once, at start-up; ``ConfigError`` lists every problem found, each
naming the file and the key (and the line, for TOML syntax errors). Relative paths are resolved
against the directory of the file that names them. Secrets (SMTP password, webhook secret,
Apprise URLs) may be given inline, through an environment variable (``password_env = "NAME"``)
or a file (``password_file = "/run/secrets/x"``, for Docker secrets); ``redacted()`` hides them.
The ``[[channels]]`` tables are read by ``channels``; the settings records live in
``monitor.settings`` so that every stage can take them without importing the loader.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import soupsieve

from monitor.analysis import keywords
from monitor.analysis.keywords import KeywordRules
from monitor.config.channels import read_channels
from monitor.confkit import Problems, Section, check_timezone, read_toml
from monitor.errors import redact_url
from monitor.models import Source, Timeline
from monitor.settings import (
    VERDICTS,
    ChannelConfig,
    DeliverySettings,
    HealthSettings,
    HttpSettings,
    StorySettings,
    WebSettings,
    is_loopback,
    parse_listen,
)
from monitor.timeline import load as timeline


@dataclass(frozen=True, slots=True)
class Config:
    path: Path
    state_dir: Path
    keywords_file: Path
    timeline_file: Path
    rules: KeywordRules
    timeline: Timeline
    sources: tuple[Source, ...] = ()
    channels: tuple[ChannelConfig, ...] = ()
    http: HttpSettings = field(default_factory=HttpSettings)
    stories: StorySettings = field(default_factory=StorySettings)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    health: HealthSettings = field(default_factory=HealthSettings)
    web: WebSettings = field(default_factory=WebSettings)
    timezone: str = "Asia/Baghdad"
    alert_language: str = "ar+en"  # "ar" | "en" | "ar+en" (alerts.words.LANGUAGES)
    log_format: str = "kv"
    log_level: str = "info"
    alert_on_first_run: bool = False
    cycle_deadline_seconds: float = 900.0
    first_wave_seconds: float = 10.0

    def _monitor_keys(self) -> dict[str, Any]:
        """Every plain field is a [monitor] key: one added later is shown with no more code."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name not in _NOT_MONITOR_KEYS:
                value = getattr(self, f.name)
                out[f.name] = str(value) if isinstance(value, Path) else value
        return out

    def redacted(self) -> dict[str, Any]:
        """The effective config as plain data, secrets hidden (``monitor check-config``)."""
        return {
            "config": str(self.path),
            "monitor": self._monitor_keys(),
            "http": _asdict(self.http),
            "stories": _asdict(self.stories),
            "delivery": _asdict(self.delivery),
            "health": _asdict(self.health),
            "web": {
                "enabled": self.web.enabled,
                "listen": self.web.listen,
                "password": "***" if self.web.password else None,
            },
            "sources": [{**_asdict(s), "url": redact_url(s.url)} for s in self.sources],
            "channels": [c.redacted() for c in self.channels],
            "timeline": {"version": self.timeline.version, "events": len(self.timeline.events)},
        }


# Config fields that are not [monitor] keys: the file itself, what was loaded from the files
# it names, and the other tables.
_NOT_MONITOR_KEYS = frozenset(
    {
        "path",
        "rules",
        "timeline",
        "sources",
        "channels",
        "http",
        "stories",
        "delivery",
        "health",
        "web",
    }
)


def _asdict(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


def load_config(path: Path, *, require_sources: bool = True) -> Config:
    """Read and validate ``path`` and the files it names.

    Raises:
        ConfigError: listing every problem, each prefixed with the file and key.
    """
    path = Path(path)
    problems = Problems()
    root = Section(read_toml(path), str(path), problems)
    base = path.parent
    mon = root.sub("monitor")
    state_dir = Path(os.path.normpath(base / mon.get("state_dir", str, "../state")))
    kw_file = _relative(base, mon.get_opt("keywords_file", str)) or keywords.default_rules_path()
    tl_file = _relative(base, mon.get_opt("timeline_file", str)) or timeline.default_timeline_path()
    tz = mon.get("timezone", str, "Asia/Baghdad")
    check_timezone(mon, "timezone", tz)
    alert_language = mon.choice("alert_language", ("ar", "en", "ar+en"), "ar+en")
    log_format = mon.choice("log_format", ("kv", "json"), "kv")
    log_level = mon.choice("log_level", ("debug", "info", "warning", "error"), "info")
    alert_on_first_run = mon.get("alert_on_first_run", bool, False)
    cycle_deadline = mon.positive("cycle_deadline_seconds", float, 900.0)
    first_wave = mon.positive("first_wave_seconds", float, 10.0)
    mon.done()
    http = _http(root.sub("http"))
    stories = _stories(root.sub("stories"))
    delivery = _delivery(root.sub("delivery"))
    health = _health(root.sub("health"))
    web = _web(root.sub("web"))
    sources = _sources(root, require_sources)
    channels = read_channels(root)
    root.done()
    rules = keywords.load_rules(kw_file, problems) if _exists(kw_file, problems) else None
    tl = timeline.load_timeline(tl_file, problems) if _exists(tl_file, problems) else None
    problems.raise_if_any()
    assert rules is not None and tl is not None
    return Config(
        path=path,
        state_dir=state_dir,
        keywords_file=kw_file,
        timeline_file=tl_file,
        rules=rules,
        timeline=tl,
        sources=sources,
        channels=channels,
        http=http,
        stories=stories,
        delivery=delivery,
        health=health,
        web=web,
        timezone=tz,
        alert_language=alert_language,
        log_format=log_format,
        log_level=log_level,
        alert_on_first_run=alert_on_first_run,
        cycle_deadline_seconds=cycle_deadline,
        first_wave_seconds=first_wave,
    )


def default_config(state_dir: Path) -> Config:
    """The packaged keyword and timeline defaults, no sources, a console channel."""
    problems = Problems()
    rules = keywords.load_rules(keywords.default_rules_path(), problems)
    tl = timeline.load_timeline(timeline.default_timeline_path(), problems)
    problems.raise_if_any()
    return Config(
        path=Path("<embedded default>"),
        state_dir=state_dir,
        keywords_file=keywords.default_rules_path(),
        timeline_file=timeline.default_timeline_path(),
        rules=rules,
        timeline=tl,
        channels=(ChannelConfig("console", "console", immediate=VERDICTS, digest=()),),
    )


def _relative(base: Path, value: str | None) -> Path | None:
    return None if value is None else Path(os.path.normpath(base / value))


def _exists(path: Path, problems: Problems) -> bool:
    if not path.is_file():
        problems.add(str(path), "file not found")
        return False
    return True


def _http(s: Section) -> HttpSettings:
    d = HttpSettings()
    out = HttpSettings(
        user_agent=s.get("user_agent", str, d.user_agent),
        connect_timeout_seconds=s.positive("connect_timeout_seconds", float, 10.0),
        read_timeout_seconds=s.positive("read_timeout_seconds", float, 20.0),
        total_timeout_seconds=s.positive("total_timeout_seconds", float, 60.0),
        max_feed_bytes=s.positive("max_feed_bytes", int, d.max_feed_bytes),
        max_page_bytes=s.positive("max_page_bytes", int, d.max_page_bytes),
        max_redirects=s.get("max_redirects", int, d.max_redirects),
        concurrency=s.positive("concurrency", int, d.concurrency),
        per_host_concurrency=s.positive("per_host_concurrency", int, d.per_host_concurrency),
        allow_private_addresses=s.get("allow_private_addresses", bool, False),
        allow_private_sources=s.get_opt("allow_private_sources", bool),
        allow_private_channels=s.get_opt("allow_private_channels", bool),
    )
    s.done()
    return out


def _stories(s: Section) -> StorySettings:
    d = StorySettings()
    out = StorySettings(
        window_days=s.positive("window_days", int, d.window_days),
        merge_threshold=s.positive("merge_threshold", float, d.merge_threshold),
        grey_threshold=s.positive("grey_threshold", float, d.grey_threshold),
        event_window_hours=s.positive("event_window_hours", int, d.event_window_hours),
        containment_threshold=s.positive("containment_threshold", float, d.containment_threshold),
        grey_evidence=s.positive("grey_evidence", float, d.grey_evidence),
        event_evidence=s.positive("event_evidence", float, d.event_evidence),
        late_evidence=s.get("late_evidence", float, d.late_evidence),
        max_updates_per_hour=s.positive("max_updates_per_hour", int, d.max_updates_per_hour),
    )
    if out.grey_threshold > out.merge_threshold:
        s.problems.add(s.where, "'grey_threshold' must not exceed 'merge_threshold'")
    s.done()
    return out


def _delivery(s: Section) -> DeliverySettings:
    d = DeliverySettings()
    out = DeliverySettings(
        max_attempts=s.positive("max_attempts", int, d.max_attempts),
        max_age_hours=s.positive("max_age_hours", float, d.max_age_hours),
        backoff_base_seconds=s.positive("backoff_base_seconds", float, d.backoff_base_seconds),
        backoff_max_seconds=s.positive("backoff_max_seconds", float, d.backoff_max_seconds),
        send_deadline_seconds=s.positive("send_deadline_seconds", float, d.send_deadline_seconds),
        round_deadline_seconds=s.positive(
            "round_deadline_seconds", float, d.round_deadline_seconds
        ),
    )
    s.done()
    return out


def _health(s: Section) -> HealthSettings:
    d = HealthSettings()
    out = HealthSettings(
        metrics_host=s.get("metrics_host", str, d.metrics_host),
        metrics_port=s.get("metrics_port", int, d.metrics_port),
        failure_alert_after=s.positive("failure_alert_after", int, d.failure_alert_after),
        silence_alert_hours=s.positive("silence_alert_hours", float, d.silence_alert_hours),
        max_cycle_age_minutes=s.positive("max_cycle_age_minutes", float, 60.0),
    )
    s.done()
    return out


# The pages' address from outside the config file: a container sets it (docker-compose.yml),
# as the file mounted into it is the one the user also runs on the host, on loopback.
ENV_WEB_LISTEN = "MONITOR_WEB_LISTEN"


def _web(s: Section) -> WebSettings:
    d = WebSettings()
    enabled = s.get("enabled", bool, d.enabled)
    listen = s.get("listen", str, d.listen)
    from_env = os.environ.get(ENV_WEB_LISTEN, "").strip()
    listen = from_env or listen
    password = _web_password(s, listen)
    s.done()
    settings, problem = web_listen(WebSettings(enabled, d.listen, d.host, d.port, password), listen)
    if problem and (enabled or "HOST:PORT" in problem):
        where = f"listen {listen!r}"
        s.problems.add(
            s.where,
            problem.replace(where, f"{where} (from ${ENV_WEB_LISTEN})", 1) if from_env else problem,
        )
    return settings


def _web_password(s: Section, listen: str) -> str | None:
    """``[web] password`` (inline, ``_env`` or ``_file``). On loopback the pages need none, so
    a ``password_env`` whose variable is unset there is no problem: one config serves the host
    (loopback, no variable) and a container (``$MONITOR_WEB_LISTEN`` and the variable set)."""
    parsed = parse_listen(listen)
    var = s.table.get("password_env")
    if parsed and is_loopback(parsed[0]) and isinstance(var, str) and var not in os.environ:
        s.seen.update(("password", "password_env", "password_file"))
        return None
    return s.secret("password") or None


def web_listen(web: WebSettings, listen: str) -> tuple[WebSettings, str | None]:
    """``web`` listening on ``listen`` (``[web] listen`` or ``serve --listen``), and what is
    wrong with it: not HOST:PORT, or off loopback without a password."""
    parsed = parse_listen(listen)
    if parsed is None:
        return web, f"key 'listen' must be HOST:PORT (IPv6 as [::1]:8080), got {listen!r}"
    host, port = parsed
    settings = WebSettings(web.enabled, listen, host, port, web.password)
    if not is_loopback(host) and not web.password:
        # Everything the pages show comes from the feeds and the state: off this machine,
        # nobody reads it or presses "retry" without the secret.
        return settings, (
            f"listen {listen!r} is not a loopback address: set [web] 'password_env' or"
            " 'password_file' (or listen on 127.0.0.1, or enabled = false)"
        )
    return settings, None


def _sources(root: Section, required: bool) -> tuple[Source, ...]:
    out: list[Source] = []
    seen: set[str] = set()
    for s in root.tables("sources"):
        sid = s.get("id", str)
        if sid in seen:
            s.problems.add(s.where, f"duplicate source id {sid!r}")
        seen.add(sid)
        url = s.get("url", str)
        if url and not url.startswith(("http://", "https://")):
            s.problems.add(s.where, f"key 'url' must be an http(s) URL, got {url!r}")
        selector = s.get_opt("css_selector", str)
        if selector:
            _check_selector(selector, s)
        out.append(
            Source(
                id=sid,
                url=url,
                name=s.get("name", str, sid),
                poll_interval_minutes=s.positive("poll_interval_minutes", int, 15),
                css_selector=selector or None,
                enabled=s.get("enabled", bool, True),
                fetch_pages=s.get("fetch_pages", bool, True),
                max_articles_per_cycle=s.positive("max_articles_per_cycle", int, 30),
            )
        )
        s.done()
    if required and not out:
        root.problems.add(root.where, "no [[sources]] configured")
    return tuple(out)


def _check_selector(selector: str, s: Section) -> None:

    try:
        soupsieve.compile(selector)
    except Exception as exc:  # soupsieve raises its own SelectorSyntaxError
        s.problems.add(s.where, f"key 'css_selector': invalid CSS selector {selector!r}: {exc}")
