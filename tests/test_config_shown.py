"""Config shown as it is used (issue 14, point 4).

``check-config`` prints the effective value of every key, the defaults included: each field of
every settings record, of every source and of every channel kind's options appears, with the
value the daemon will use. The SSRF guard's refusal of a private address names the key that
allows it.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from tests.support.feeds import NewsSite, load_articles, write_config
from tests.support.httpserver import HttpServer

from monitor.alerts.apprise_channel import AppriseOptions
from monitor.alerts.console import JsonlOptions
from monitor.alerts.email import EmailOptions
from monitor.alerts.webhook import WebhookOptions
from monitor.cli import main
from monitor.config.load import Config, load_config
from monitor.errors import BlockedAddressError
from monitor.models import Source
from monitor.net.guard import ALLOW_KEY, check_url
from monitor.settings import (
    ChannelConfig,
    DeliverySettings,
    HealthSettings,
    HttpSettings,
    StorySettings,
    WebSettings,
)

# apprise (the "chat" channel below) imports the deprecated imghdr module.
pytestmark = pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning")

MINIMAL = """
[monitor]
state_dir = "state"

[[sources]]
id = "a"
url = "https://a.example/feed"

[[channels]]
name = "screen"
type = "console"

[[channels]]
name = "archive"
type = "jsonl"
path = "alerts.jsonl"

[[channels]]
name = "desk"
type = "email"
smtp_host = "smtp.example.org"
from_addr = "monitor@example.org"
to = ["desk@example.org"]
username = "monitor"
password = "not-shown"

[[channels]]
name = "hook"
type = "webhook"
url = "https://hooks.example.org/monitor"
secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

[[channels]]
name = "chat"
type = "apprise"
urls = ["json://hooks.example.org/chat"]
"""
OPTIONS = {
    "jsonl": JsonlOptions,
    "email": EmailOptions,
    "webhook": WebhookOptions,
    "apprise": AppriseOptions,
}
SECRETS = {"password", "secret", "urls"}


@pytest.fixture
def shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, Any], Config]:
    config = tmp_path / "monitor.toml"
    config.write_text(MINIMAL, encoding="utf-8")
    assert main(["--config", str(config), "check-config"]) == 0
    return json.loads(capsys.readouterr().out), load_config(config)


def _fields(record: type) -> list[str]:
    return [f.name for f in dataclasses.fields(record)]


@pytest.mark.parametrize(
    ("table", "record"),
    [
        ("http", HttpSettings),
        ("stories", StorySettings),
        ("delivery", DeliverySettings),
        ("health", HealthSettings),
    ],
)
def test_every_settings_field_is_shown_with_its_default(
    shown: tuple[dict[str, Any], Config], table: str, record: type
) -> None:
    data, _ = shown
    default = record()
    assert set(data[table]) == set(_fields(record))
    # an unset key that falls back to another is shown as the value in use, never as null
    in_use = {
        "allow_private_sources": "private_sources",
        "allow_private_channels": "private_channels",
    }
    for name in _fields(record):
        expected = getattr(default, in_use.get(name, name))
        assert data[table][name] == expected, f"[{table}] {name}"


def test_a_key_that_falls_back_shows_the_value_in_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text(MINIMAL + "\n[http]\nallow_private_addresses = true\n", encoding="utf-8")
    assert main(["--config", str(config), "check-config"]) == 0
    http = json.loads(capsys.readouterr().out)["http"]
    assert http["allow_private_sources"] is True and http["allow_private_channels"] is True


def test_every_monitor_key_is_shown(shown: tuple[dict[str, Any], Config]) -> None:
    data, config = shown
    tables = {"path", "rules", "timeline", "sources", "channels"}
    tables |= {"http", "stories", "delivery", "health", "web"}
    expected = [f for f in _fields(Config) if f not in tables]
    assert sorted(data["monitor"]) == sorted(expected)
    assert data["monitor"]["state_dir"] == str(config.state_dir)
    assert data["monitor"]["cycle_deadline_seconds"] == config.cycle_deadline_seconds


def test_web_keys_are_shown(shown: tuple[dict[str, Any], Config]) -> None:
    data, _ = shown
    # host and port are ``listen`` split for the server; ``listen`` is the key.
    keys = set(_fields(WebSettings)) - {"host", "port"}
    assert set(data["web"]) == keys
    assert data["web"]["listen"] == WebSettings().listen


def test_every_source_field_is_shown_with_its_default(
    shown: tuple[dict[str, Any], Config],
) -> None:
    data, config = shown
    (source,) = data["sources"]
    assert set(source) == set(_fields(Source))
    for name in _fields(Source):
        assert source[name] == getattr(config.sources[0], name), name
    assert source["poll_interval_minutes"] == 15 and source["max_articles_per_cycle"] == 30


def test_every_channel_option_is_shown_secrets_redacted(
    shown: tuple[dict[str, Any], Config],
) -> None:
    data, config = shown
    by_name = {c["name"]: c for c in data["channels"]}
    common = set(_fields(ChannelConfig)) - {"options"}
    for channel in config.channels:
        out = by_name[channel.name]
        assert common <= set(out), channel.name
        kind = OPTIONS.get(channel.type)
        if kind is None:  # the console has no options
            continue
        for name in _fields(kind):
            key = name
            assert key in out, f"{channel.name}: {name}"
            value = getattr(channel.options, name)
            if name in SECRETS:
                assert out[key] == "***"
            elif name == "smtp_port":
                # Unset, the port follows ``security``: the effective port is shown.
                assert value is None and out[key] == 587
            elif name == "url":  # a webhook's path is a token as a rule: shown as ***
                assert out[key] == "https://hooks.example.org/***"
            elif isinstance(value, tuple):
                assert out[key] == list(value)
            elif name not in ("path",):
                assert out[key] == value, f"{channel.name}: {name}"
    email = by_name["desk"]
    assert email["security"] == "starttls" and email["timeout_seconds"] == 30.0
    assert "not-shown" not in json.dumps(data)


# --------------------------------------------------------------------------- SSRF refusal


@pytest.mark.parametrize("url", ["http://127.0.0.1/feed", "http://10.1.2.3/feed"])
def test_a_refused_private_address_names_the_key_that_allows_it(url: str) -> None:
    with pytest.raises(BlockedAddressError) as refused:
        check_url(url, allow_private=False)
    assert f"set {ALLOW_KEY} = true" in str(refused.value)
    assert ALLOW_KEY == "[http] allow_private_addresses"


def test_an_address_no_key_allows_names_no_key() -> None:
    with pytest.raises(BlockedAddressError) as refused:
        check_url("http://169.254.169.254/latest/meta-data", allow_private=False)
    assert "allow_private_addresses" not in str(refused.value)


def test_a_source_on_a_private_address_says_which_key_allows_it(
    tmp_path: Path, server: HttpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    site = NewsSite(server)
    site.publish("dijla", [load_articles()["basra-dates"]])
    config = write_config(tmp_path, site.sources())
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("allow_private_addresses = true", "allow_private_addresses = false"),
        encoding="utf-8",
    )

    assert main(["--config", str(config), "once"]) == 1  # its only source was refused
    capsys.readouterr()
    assert main(["--config", str(config), "status", "--json"]) == 0

    (source,) = json.loads(capsys.readouterr().out)["sources"]
    assert "[http] allow_private_addresses = true" in source["last_error"]
    assert server.requests == []  # refused before any request
