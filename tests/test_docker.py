"""The container image: non-root, ``monitor --version``, ``monitor healthcheck`` failing before
the first cycle, ``monitor demo`` printing alerts, the daemon with the HEALTHCHECK turning
healthy, and ``docker stop`` (SIGTERM to PID 1) mid-cycle exiting 0 with the cycle recorded.

Skipped unless ``docker`` answers and the image exists. Build it first (README, "Docker"):
``docker build -t monitor .``; ``MONITOR_IMAGE`` names another tag. The daemon tests use the
host's network so the container reaches the test feed server on 127.0.0.1.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.feeds import FeedItem, NewsSite, load_articles, rss, write_config
from tests.support.httpserver import HttpServer, Response
from tests.support.procs import GUARD_S, free_port, get, held, wait_for

IMAGE = os.environ.get("MONITOR_IMAGE", "monitor:latest")


def _docker(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def _usable() -> str | None:
    if shutil.which("docker") is None:
        return "no docker client"
    try:
        if _docker("info", timeout=15).returncode != 0:
            return "docker daemon not running"
    except subprocess.TimeoutExpired:
        return "docker daemon not answering"
    if _docker("image", "inspect", IMAGE, timeout=15).returncode != 0:
        return f"image {IMAGE} not built (see README, Docker)"
    return None


pytestmark = pytest.mark.skipif(bool(_usable()), reason=_usable() or "")


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return _docker("run", "--rm", *args, timeout=timeout)


def test_the_image_runs_as_a_non_root_user_and_knows_its_version() -> None:
    who = run(IMAGE, "id", "-u")
    assert who.returncode == 0 and who.stdout.strip() == "10001"
    version = run(IMAGE, "monitor", "--version")
    assert version.returncode == 0 and version.stdout.startswith("monitor ")


def test_healthcheck_fails_before_the_first_cycle() -> None:
    check = run(IMAGE, "monitor", "healthcheck")
    assert check.returncode == 1
    assert "no good cycle yet" in check.stderr


def test_demo_prints_alerts() -> None:
    demo = run(IMAGE, "monitor", "demo")
    assert demo.returncode == 0, demo.stderr
    assert demo.stdout.count("■") >= 3  # one headline per alert
    assert "cycle: sources_ok=3 sources_failed=0" in demo.stdout


def test_the_image_declares_its_health_check_user_volume_and_signal() -> None:
    inspect = _docker("image", "inspect", IMAGE)
    config = json.loads(inspect.stdout)[0]["Config"]
    assert config["Healthcheck"]["Test"] == ["CMD", "monitor", "healthcheck"]
    assert config["User"].split(":")[0] == "10001"
    assert "/app/state" in config["Volumes"]
    assert config["StopSignal"] == "SIGTERM"
    assert config["Cmd"] == ["monitor", "run"]


# --------------------------------------------------------------------------- the daemon


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with HttpServer() as server:
        news = NewsSite(server)
        news.publish("dijla", [load_articles()[a] for a in ("victory-wire", "gulf-markets")])
        yield news


@pytest.fixture
def container() -> Iterator[str]:
    name = f"monitor-test-{uuid.uuid4().hex[:8]}"
    yield name
    _docker("rm", "-f", name)
    _docker("volume", "rm", "-f", f"{name}-state")


def container_config(tmp_path: Path, site: NewsSite, port: int) -> Path:
    """A config dir for /app/config (read-only): state and alerts in the /app/state volume."""
    conf = tmp_path / "conf"
    conf.mkdir()
    path = write_config(conf, site.sources(), extra=f"[health]\nmetrics_port = {port}\n")
    text = path.read_text(encoding="utf-8")
    text = text.replace('state_dir = "state"', 'state_dir = "../state"')
    text = text.replace('path = "alerts.jsonl"', 'path = "../state/alerts.jsonl"')
    text = text.replace('log_level = "error"', 'log_level = "info"')
    path.write_text(text, encoding="utf-8")
    for p in (tmp_path, conf):
        p.chmod(0o755)  # the container's user (10001) must read it
    path.chmod(0o644)
    return conf


def start(name: str, conf: Path, *args: str) -> None:
    started = _docker(
        "run",
        "-d",
        "--name",
        name,
        "--network",
        "host",
        "-v",
        f"{conf}:/app/config:ro",
        "-v",
        f"{name}-state:/app/state",
        *args,
        IMAGE,
    )
    assert started.returncode == 0, started.stderr


def inspect(name: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(_docker("inspect", name).stdout)[0]["State"]
    return data


def test_the_daemon_turns_healthy_and_stops_cleanly_mid_cycle(
    tmp_path: Path, site: NewsSite, container: str
) -> None:
    port = free_port()
    conf = container_config(tmp_path, site, port)
    start(
        container,
        conf,
        "--health-interval=1s",
        "--health-timeout=20s",
        "--health-retries=1",
        "--health-start-period=0s",
    )
    base = f"http://127.0.0.1:{port}"
    assert wait_for(lambda: get(base + "/healthz")[0] == 200), _docker("logs", container).stderr
    assert wait_for(lambda: _health(container) == "healthy", timeout=60)
    _, metrics = get(base + "/metrics")
    assert 'monitor_cycles_total{outcome="ok"} 1.0' in metrics

    # The next cycle is held mid-fetch; `docker stop` sends SIGTERM to PID 1.
    articles = [load_articles()[a] for a in ("victory-wire", "gulf-markets", "amman-rain")]
    items = [
        FeedItem(a.title, site.page_url("dijla", a.id), a.published, a.description)
        for a in articles
    ]
    body = rss("dijla", site.server.url("/dijla/"), items)
    release = threading.Event()
    site.server.route(site.feed_path("dijla"), held(Response(200, body), release))
    _docker("exec", container, "python3", "-c", _FORGET_LAST_POLL)
    hits = site.server.hits(site.feed_path("dijla"))
    assert _docker("restart", "-t", "30", container).returncode == 0  # a restart catches up
    assert wait_for(lambda: site.server.hits(site.feed_path("dijla")) > hits)
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        stopping = pool.submit(_docker, "stop", "-t", "30", container, timeout=60)
        assert wait_for(lambda: "stopping: finishing" in _docker("logs", container).stderr)
        release.set()  # the feed answers only after SIGTERM reached PID 1
        assert stopping.result().returncode == 0
    assert time.monotonic() - t0 < GUARD_S  # well inside the grace period, not killed
    state = inspect(container)
    assert state["ExitCode"] == 0 and not state["OOMKilled"]
    logs = _docker("logs", container).stderr
    assert "stopping: finishing the cycle in flight" in logs and "daemon stopped" in logs

    status = _docker(
        "run", "--rm", "-v", f"{conf}:/app/config:ro", "-v", f"{container}-state:/app/state",
        IMAGE, "monitor", "status", "--json",
    )  # fmt: skip
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["entries"] == 3  # the held cycle's new item is recorded


_FORGET_LAST_POLL = (
    "import sqlite3; c = sqlite3.connect('/app/state/monitor.db');"
    " c.execute(\"UPDATE source_health SET last_attempt = '2000-01-01T00:00:00+00:00'\");"
    " c.commit()"
)


def _health(name: str) -> str:
    health = inspect(name).get("Health")
    return str(health.get("Status")) if isinstance(health, dict) else ""
