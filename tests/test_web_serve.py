"""The pages served for real: ``monitor serve`` beside a daemon, and the daemon's own pages.

Real processes on 127.0.0.1: ``monitor serve`` reads a state through a read-only connection
while ``monitor run`` writes it, answers over HTTP and stops with exit 0 on SIGTERM; the daemon
serves the pages (and /healthz, /metrics) on ``[web] listen`` and keeps running when that port
is taken.
"""

from __future__ import annotations

import re
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.feeds import NewsSite, load_articles, write_config
from tests.support.httpserver import HttpServer
from tests.support.procs import Monitor, free_port, get, wait_for

from monitor.cli import main
from monitor.errors import StoreError
from monitor.store import Store


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with HttpServer() as server:
        news = NewsSite(server)
        news.publish("dijla", [load_articles()[a] for a in ("victory-wire", "gulf-markets")])
        yield news


def test_the_daemon_serves_its_pages_health_and_metrics(tmp_path: Path, site: NewsSite) -> None:
    url = f"http://127.0.0.1:{free_port()}/"
    config = write_config(
        tmp_path,
        site.sources(),
        monitor="alert_on_first_run = true",
        web=f'listen = "{url[7:-1]}"',
    )
    with Monitor(config, ["run"]) as daemon:
        assert daemon.until(lambda: get(url + "healthz")[0] == 200)  # after the first cycle
        status, html = get(url)
        assert status == 200 and 'dir="rtl"' in html
        status, metrics = get(url + "metrics")
        assert status == 200 and "monitor_cycles_total" in metrics
        daemon.signal(signal.SIGTERM)
        assert daemon.wait() == 0


def test_a_taken_port_leaves_the_daemon_running_without_pages(
    tmp_path: Path, site: NewsSite
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = write_config(tmp_path, site.sources(), web=f'listen = "127.0.0.1:{port}"')
        with Monitor(config, ["run"]) as daemon:
            assert daemon.until(lambda: "web pages not served" in daemon.log())
            assert wait_for(lambda: has_cycle(tmp_path / "state"))
            assert daemon.running()
            daemon.signal(signal.SIGTERM)
            assert daemon.wait() == 0


def has_cycle(state: Path) -> bool:
    if not (state / "monitor.db").exists():
        return False
    try:
        store = Store.open_readonly(state)
    except StoreError:  # the daemon is still creating it
        return False
    try:
        return store.last_cycle() is not None
    finally:
        store.close()


def test_serve_reads_beside_a_running_daemon(tmp_path: Path, site: NewsSite) -> None:
    config = write_config(tmp_path, site.sources(), monitor="alert_on_first_run = true")
    with Monitor(config, ["run"]) as daemon:
        assert daemon.until(lambda: has_cycle(tmp_path / "state"))
        url = f"http://127.0.0.1:{free_port()}/"
        with Monitor(config, ["serve", "--listen", url[7:-1]]) as serve:
            assert serve.until(lambda: get(url)[0] == 200)
            status, html = get(url)
            assert status == 200
            assert len(re.findall(r'href="/story/', html)) >= 1
            assert get(url + "healthz")[0] == 200
            assert get(url + "metrics")[0] == 404  # counters live in the daemon
            serve.signal(signal.SIGTERM)
            assert serve.wait() == 0
        daemon.signal(signal.SIGTERM)
        assert daemon.wait() == 0


def test_serve_without_a_state_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path, [("a", "A", "http://127.0.0.1:1/")])
    assert main(["--config", str(config), "serve"]) == 1
    assert "no state in" in capsys.readouterr().err
    assert not (tmp_path / "state").exists()


def test_serve_on_a_taken_port_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path, [("a", "A", "http://127.0.0.1:1/")])
    Store.open(tmp_path / "state").close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--config", str(config), "serve", "--listen", f"127.0.0.1:{port}"]) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
