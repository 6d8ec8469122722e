"""SIGHUP reloads the config between cycles (issue 14, point 7), on a real ``monitor run``.

A bad config (or one that moves the state) is refused with one log line naming the problems,
and the daemon runs on with the old one; a good one is used from then on (a new source is
polled at once); SIGTERM still stops it with exit 0. Before, SIGHUP killed it with exit 129.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.feeds import NewsSite, load_articles, write_config
from tests.support.httpserver import HttpServer
from tests.support.procs import GUARD_S, Monitor

A = load_articles()


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with HttpServer() as server:
        news = NewsSite(server)
        news.publish("dijla", [A["victory-wire"], A["basra-dates"]])
        yield news


def _config(tmp_path: Path, sources: list[tuple[str, str, str]], **kw: str) -> Path:
    path = write_config(tmp_path, sources, monitor='log_format = "json"', **kw)
    text = path.read_text(encoding="utf-8").replace('log_level = "error"', 'log_level = "info"')
    path.write_text(text, encoding="utf-8")
    return path


def _events_all(daemon: Monitor) -> list[dict[str, object]]:
    return [json.loads(line) for line in daemon.log().splitlines() if line.startswith("{")]


def _events(daemon: Monitor, event: str) -> list[dict[str, object]]:
    return [line for line in _events_all(daemon) if line["event"] == event]


def test_sighup_refuses_a_bad_config_and_reloads_a_good_one(tmp_path: Path, site: NewsSite) -> None:
    config = _config(tmp_path, site.sources())
    good_text = config.read_text(encoding="utf-8")
    with Monitor(config, ["run"]) as daemon:
        assert daemon.until(lambda: _events(daemon, "cycle finished")), daemon.log()

        # Two problems at once: both named, on one line; the daemon runs on.
        config.write_text(
            good_text.replace("read_timeout_seconds = 3", "read_timeout_seconds = -1")
            + "\n[stories]\nwindow_dayz = 3\n",
            encoding="utf-8",
        )
        daemon.signal(signal.SIGHUP)
        assert daemon.until(lambda: _events(daemon, "config reload refused")), daemon.log()
        (refused,) = _events(daemon, "config reload refused")
        assert refused["level"] == "error"
        error = str(refused["error"])
        assert "read_timeout_seconds" in error and "window_dayz" in error
        assert str(config) in error
        assert daemon.running()

        # Moving the state needs a restart: refused as well.
        config.write_text(good_text.replace('state_dir = "state"', 'state_dir = "elsewhere"'))
        daemon.signal(signal.SIGHUP)
        assert daemon.until(lambda: len(_events(daemon, "config reload refused")) == 2)
        assert "state_dir" in str(_events(daemon, "config reload refused")[1]["error"])
        assert daemon.running() and not (tmp_path / "elsewhere").exists()

        # A good config with a new source: reloaded, and the new source is polled at once.
        site.publish("furat", [A["victory-gulf"], A["amman-rain"]])
        _config(tmp_path, site.sources())
        daemon.signal(signal.SIGHUP)
        assert daemon.until(lambda: _events(daemon, "config reloaded")), daemon.log()
        (reloaded,) = _events(daemon, "config reloaded")
        assert reloaded["sources"] == 2
        assert daemon.until(lambda: site.server.hits("/furat/feed.xml") == 1), daemon.log()
        assert daemon.until(lambda: len(_events(daemon, "cycle finished")) >= 2)
        assert daemon.until(
            lambda: any("first fetch of furat" in str(e["event"]) for e in _events_all(daemon))
        )

        daemon.signal(signal.SIGTERM)
        assert daemon.wait(GUARD_S) == 0, daemon.log()
        assert len(_events(daemon, "config reload refused")) == 2
