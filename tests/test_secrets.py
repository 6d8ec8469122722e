"""Secrets in URLs stay out of logs, status and check-config; private addresses are allowed
for sources and channels separately (issue 13).

Before: query tokens of feed URLs (``?token=…&key=…``) appeared in logs, status and
check-config, check-config printed webhook URLs with their path tokens, and one
``allow_private_addresses`` covered feeds and webhooks alike.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.support.feeds import NewsSite, load_articles, write_config
from tests.support.httpserver import HttpServer, Response
from tests.support.procs import run_monitor

from monitor.config.load import load_config
from monitor.errors import redact_url

TOKEN = "sEcReT7token42xyz"
KEY = "k3yK3yK3yK3yK3y99"
HOOK_TOKEN = "B0456EFGHaBcDeF1234567890"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://u:pw@feeds.example/rss?token=abc&key=def", "https://***@feeds.example/rss?token=***&key=***"),
        ("https://feeds.example/arabic/rss.xml", "https://feeds.example/arabic/rss.xml"),
        ("https://news.example/2026/01/18/bases-handed-over-12345", "https://news.example/2026/01/18/bases-handed-over-12345"),
        ("https://feeds.example/u/aB3dE5gH7jK9mN1pQ/rss", "https://feeds.example/u/***/rss"),
        ("https://x.example/a#access_token=zzz", "https://x.example/a#***"),
    ],
)  # fmt: skip
def test_urls_lose_credentials_query_values_and_path_tokens(url: str, shown: str) -> None:
    assert redact_url(f"fetch: {url} failed") == f"fetch: {shown} failed"


def test_no_token_in_logs_status_or_check_config(tmp_path: Path, server: HttpServer) -> None:
    server.route("/feed.xml", Response(404, b"gone"))
    feed = server.url("/feed.xml") + f"?token={TOKEN}&key={KEY}"
    hook = f"https://hooks.example.org/services/{HOOK_TOKEN}"
    config = write_config(
        tmp_path,
        [("tok", "tok", feed)],
        extra=f'[[channels]]\nname = "hook"\ntype = "webhook"\nurl = "{hook}"\n'
        'immediate = ["conflicting"]\ndigest = []\n',
    )
    text = config.read_text(encoding="utf-8").replace('log_level = "error"', 'log_level = "debug"')
    config.write_text(text, encoding="utf-8")
    outputs = [run_monitor(config, "once"), run_monitor(config, "status")]
    outputs += [run_monitor(config, "status", "--json"), run_monitor(config, "check-config")]
    assert outputs[0].returncode == 1  # the only source failed (404)
    assert "source failed" in outputs[0].stderr  # the log line is there, without the token
    for done in outputs:
        for secret in (TOKEN, KEY, HOOK_TOKEN):
            assert secret not in done.stdout + done.stderr, (done.args, secret)
    shown = json.loads(outputs[3].stdout)
    assert shown["sources"][0]["url"].endswith("/feed.xml?token=***&key=***")
    assert shown["channels"][-1]["url"] == "https://hooks.example.org/***/***"


def test_private_addresses_for_sources_and_channels_separately(tmp_path: Path) -> None:
    with HttpServer() as server:
        site = NewsSite(server)
        site.publish("dijla", [load_articles()["victory-wire"]])
        server.route("/hook", Response(200, b"ok"), methods=("POST",))
        hook = (
            f'[[channels]]\nname = "hook"\ntype = "webhook"\nurl = "{server.url("/hook")}"\n'
            'immediate = ["conflicting", "completed", "new", "consistent"]\ndigest = []\n'
        )
        config = write_config(tmp_path, site.sources(), extra=hook)
        text = config.read_text(encoding="utf-8").replace(
            "allow_private_addresses = true",
            "allow_private_addresses = true\nallow_private_channels = false",
        )
        config.write_text(text, encoding="utf-8")
        http = load_config(config).http
        assert (http.private_sources, http.private_channels) == (True, False)
        done = run_monitor(config, "once", "--alert-on-first-run")
        assert done.returncode == 0, done.stderr  # the feed on 127.0.0.1 was read
        assert server.hits("/hook") == 0  # the webhook to 127.0.0.1 was refused
        outbox = run_monitor(config, "outbox").stdout
        assert "dead" in outbox and "127.0.0.1" in outbox

        old_key_only = text.replace("allow_private_channels = false", "")
        config.write_text(old_key_only, encoding="utf-8")
        http = load_config(config).http
        assert (http.private_sources, http.private_channels) == (True, True)
        sources_only = text.replace(
            "allow_private_addresses = true\nallow_private_channels = false",
            "allow_private_sources = true",
        )
        config.write_text(sources_only, encoding="utf-8")
        http = load_config(config).http
        assert (http.private_sources, http.private_channels) == (True, False)
