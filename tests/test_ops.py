"""Operations: ``monitor status`` (text and JSON) and ``monitor healthcheck`` on a real state
directory while a daemon holds its lock; structured logs (key=value and JSON) with stable keys;
secrets (SMTP password, webhook secret) never in the logs nor in ``check-config``."""

from __future__ import annotations

import base64
import json
import logging
import multiprocessing
import re
import signal
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from tests.support.feeds import NewsSite, load_articles, write_config
from tests.support.httpserver import HttpServer, Response
from tests.support.procs import Monitor, held, query, run_monitor
from tests.support.smtp import SmtpServer
from tests.support.webhook_receiver import Reply, WebhookReceiver

from monitor.config.load import default_config
from monitor.models import Source
from monitor.ops.logs import JsonFormatter, KeyValueFormatter
from monitor.ops.status import status_json
from monitor.store import Store

STABLE = ["ts", "level", "logger", "event"]
KV = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with HttpServer() as server:
        news = NewsSite(server)
        news.publish("dijla", [load_articles()[a] for a in ("victory-wire", "gulf-markets")])
        server.route("/down/feed.xml", Response(500, b"down"))
        yield news


def sources(site: NewsSite) -> list[tuple[str, str, str]]:
    return [*site.sources(), ("down", "down", site.server.url("/down/feed.xml"))]


def test_status_and_healthcheck_work_beside_a_running_daemon(
    tmp_path: Path, site: NewsSite
) -> None:
    # The feed is held while two commands run: a busy machine must not time the fetch out.
    config = write_config(
        tmp_path, sources(site), monitor="alert_on_first_run = true", read_timeout=60
    )
    old = write_config(
        tmp_path, sources(site), extra="[health]\nmax_cycle_age_minutes = 0.0001", name="old.toml"
    )
    release = threading.Event()
    feed = Response(200, _feed_bytes(site), content_type="application/rss+xml")
    site.server.route(site.feed_path("dijla"), held(feed, release))

    with Monitor(config, ["run"]) as daemon:
        assert daemon.until(lambda: site.server.hits(site.feed_path("dijla")) == 1), daemon.log()
        # Before the first good cycle: unhealthy, and status still answers.
        check = run_monitor(config, "healthcheck")
        assert check.returncode == 1 and "no good cycle yet" in check.stderr
        early = run_monitor(config, "status")
        assert early.returncode == 0, early.stderr
        assert "last cycle: none yet" in early.stdout
        release.set()

        assert daemon.until(lambda: query(tmp_path / "state", "SELECT id FROM cycles"))
        check = run_monitor(config, "healthcheck")
        assert check.returncode == 0 and check.stdout.startswith("ok: last good cycle")
        stale = run_monitor(old, "healthcheck")  # same state, a tighter limit
        assert stale.returncode == 1 and "(limit 0.0001)" in stale.stderr

        text = run_monitor(config, "status")
        assert text.returncode == 0, text.stderr
        lines = text.stdout.splitlines()
        assert re.search(r"^dijla\s+ok\s", text.stdout, re.M)
        assert re.search(r"^down\s+failing \(1\)\s.*fetch: .*HTTP 500", text.stdout, re.M)
        assert any(line.startswith("last cycle: ") and "ok=True" in line for line in lines)
        assert any(line.startswith("outbox: ") and "sent=" in line for line in lines)

        data = json.loads(run_monitor(config, "status", "--json").stdout)
        by_id = {s["id"]: s for s in data["sources"]}
        assert by_id["dijla"]["state"] == "ok" and by_id["dijla"]["last_success"]
        assert by_id["down"]["consecutive_failures"] == 1
        assert by_id["down"]["last_error_kind"] == "fetch"
        assert data["last_cycle"]["ok"] is True and data["last_good_cycle"]
        assert data["outbox"].get("sent", 0) >= 1 and data["entries"] == 2

        # The daemon holds the lock: a second daemon or `once` is refused in one line.
        second = run_monitor(config, "once")
        assert second.returncode == 1
        assert "one daemon per state directory" in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1

        daemon.signal(signal.SIGTERM)
        assert daemon.wait() == 0


def test_status_hides_credentials_in_source_urls(tmp_path: Path) -> None:
    config = replace(
        default_config(tmp_path),
        sources=(Source("paid", "https://reader:s3cret-key@feeds.example/rss", "paid"),),
    )
    data = status_json(config, Store.memory())
    assert data["sources"][0]["url"] == "https://***@feeds.example/rss"
    assert "s3cret-key" not in json.dumps(data)


def _feed_bytes(site: NewsSite) -> bytes:
    from tests.support.feeds import FeedItem, rss

    items = [
        FeedItem(a.title, site.page_url("dijla", a.id), a.published, a.description)
        for a in (load_articles()["victory-wire"], load_articles()["gulf-markets"])
    ]
    return rss("dijla", site.server.url("/dijla/"), items)


def test_healthcheck_without_any_state_is_unhealthy(tmp_path: Path, site: NewsSite) -> None:
    config = write_config(tmp_path, sources(site))
    check = run_monitor(config, "healthcheck")
    assert check.returncode == 1
    assert check.stderr.strip() == "no good cycle yet"


def _open_fresh(state_dir: str) -> str:
    try:
        Store.open(Path(state_dir), lock=False).close()
    except Exception as exc:
        return repr(exc)
    return "ok"


def test_processes_creating_one_state_at_once_do_not_trip_over_migrations() -> None:
    """`monitor healthcheck` or `status` may open the state while the daemon creates it."""
    errors = []
    with multiprocessing.get_context("fork").Pool(4) as pool:
        for _ in range(5):
            state = tempfile.mkdtemp(prefix="monitor-race-")
            errors += [r for r in pool.map(_open_fresh, [state] * 4) if "already exists" in r]
    assert errors == []


# --------------------------------------------------------------------------- structured logs


def parse_kv(line: str) -> dict[str, str]:
    return {k: json.loads(v) if v.startswith('"') else v for k, v in KV.findall(line)}


@pytest.mark.parametrize("fmt", ["kv", "json"], ids=["key-value", "json"])
def test_log_lines_have_stable_keys(tmp_path: Path, site: NewsSite, fmt: str) -> None:
    config = write_config(tmp_path, sources(site), monitor=f'log_format = "{fmt}"')
    config.write_text(
        config.read_text(encoding="utf-8").replace('log_level = "error"', 'log_level = "info"'),
        encoding="utf-8",
    )
    done = run_monitor(config, "once", "--alert-on-first-run")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    records = [json.loads(line) if fmt == "json" else parse_kv(line) for line in lines]
    assert records
    for record in records:
        assert list(record)[:4] == STABLE
        assert record["level"] in {"debug", "info", "warning", "error"}
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", record["ts"])
    cycle = next(r for r in records if r["event"] == "cycle finished")
    keys = ["sources_ok", "sources_failed", "articles", "relevant", "alerts", "deliveries_ok"]
    assert all(k in cycle for k in keys)
    assert str(cycle["sources_failed"]) == "1"
    failed = next(r for r in records if r["event"] == "source failed")
    assert failed["source_id"] == "down" and failed["kind"] == "fetch"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("plain", "plain"),
        ("two words", '"two words"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("a=b", '"a=b"'),
        ("line\nbreak", '"line\\nbreak"'),
        ("", '""'),
        ("انسحاب التحالف", '"انسحاب التحالف"'),
        (None, '""'),
    ],
    ids=["plain", "space", "quotes", "equals", "newline", "empty", "arabic", "none"],
)
def test_key_value_quoting_keeps_one_event_per_line(value: object, shown: str) -> None:
    record = logging.LogRecord("monitor.x", logging.INFO, "", 0, "something happened", (), None)
    record.kv = {"detail": value}
    line = KeyValueFormatter().format(record)
    assert line.endswith(f" detail={shown}") and "\n" not in line
    assert parse_kv(line)["detail"] == ("" if value is None else value)


def test_details_cannot_overwrite_stable_keys_and_errors_stay_on_one_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    record = logging.LogRecord("monitor.x", logging.ERROR, "", 0, "cycle failed", (), exc_info)
    record.kv = {"event": "spoofed", "level": "debug"}
    data = json.loads(JsonFormatter().format(record))
    assert (data["event"], data["level"]) == ("cycle failed", "error")
    assert (data["event_"], data["level_"]) == ("spoofed", "debug")
    assert data["error"] == "ValueError('boom')" and "Traceback" in data["traceback"]
    assert "\n" not in KeyValueFormatter().format(record)


# --------------------------------------------------------------------------- secrets


SMTP_PASSWORD = "smtp-Pa55word-do-not-log"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"webhook-secret-never-in-logs-32b").decode()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_secrets_never_reach_the_logs_or_check_config(tmp_path: Path, site: NewsSite) -> None:
    with (
        SmtpServer(auth=("monitor", "the-right-password")) as smtp,
        WebhookReceiver(Reply(500)) as hook,
    ):
        channels = f"""
[[channels]]
name = "desk-email"
type = "email"
smtp_host = "127.0.0.1"
smtp_port = {smtp.port}
security = "none"
username = "monitor"
password = "{SMTP_PASSWORD}"
from_addr = "monitor@example.org"
to = ["desk@example.org"]
immediate = ["conflicting", "completed", "new", "consistent"]
timeout_seconds = 5

[[channels]]
name = "hook"
type = "webhook"
url = "{hook.url}"
secret_env = "TEST_WEBHOOK_SECRET"
immediate = ["conflicting", "completed", "new", "consistent"]
timeout_seconds = 5
"""
        config = write_config(
            tmp_path, sources(site), monitor='log_format = "json"', extra=channels
        )
        env = {"TEST_WEBHOOK_SECRET": WEBHOOK_SECRET, "PATH": "/usr/bin:/bin"}
        done = run_monitor(config, "--verbose", "once", "--alert-on-first-run", env=env)
        assert done.returncode == 0, done.stderr
        shown = run_monitor(config, "check-config", env=env)
        assert shown.returncode == 0, shown.stderr
        outbox = run_monitor(config, "outbox", env=env)
        status = run_monitor(config, "status", "--json", env=env)
        assert hook.requests  # the webhook was really called (and signed with the secret)

    log = done.stderr + done.stdout
    assert '"event": "delivery dead"' in log and "authentication failed" in log
    assert '"event": "delivery failed"' in log  # the webhook's 500
    effective = json.loads(shown.stdout)
    by_name = {c["name"]: c for c in effective["channels"]}
    assert by_name["desk-email"]["password"] == "***" and by_name["hook"]["secret"] == "***"
    secrets = [
        SMTP_PASSWORD,
        base64.b64encode(SMTP_PASSWORD.encode()).decode(),  # AUTH LOGIN sends it in base64
        base64.b64encode(f"\0monitor\0{SMTP_PASSWORD}".encode()).decode(),  # AUTH PLAIN
        WEBHOOK_SECRET,
        WEBHOOK_SECRET.removeprefix("whsec_"),
    ]
    for output in (log, shown.stdout, shown.stderr, outbox.stdout, status.stdout):
        for secret in secrets:
            assert secret not in output
