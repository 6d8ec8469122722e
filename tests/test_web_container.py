"""The pages of the daemon in a container are reachable, and only with the password.

Inside a container the pages must listen on every interface (the published port arrives there,
not on the container's loopback), which the config refuses without a password. The example
``docker-compose.yml`` sets ``MONITOR_WEB_LISTEN`` and ``MONITOR_WEB_PASSWORD`` for the example
``config/monitor.toml`` (whose ``[web] password_env`` names that variable), and publishes the
port. Checked without Docker: the compose file is read, and ``monitor run`` is started with its
environment on the example config's ``[web]`` table, as the container would.
"""

from __future__ import annotations

import base64
import re
import signal
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from tests.support.feeds import write_config
from tests.support.procs import Monitor, free_port, wait_for

from monitor.config.load import ENV_WEB_LISTEN, load_config
from monitor.errors import ConfigError
from monitor.settings import is_loopback, parse_listen

ROOT = Path(__file__).resolve().parent.parent
yaml = pytest.importorskip("yaml")


def _compose() -> dict[str, Any]:
    service: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][
        "monitor"
    ]
    return service


def _example_web() -> str:
    """The example config's ``[web]`` table, as text."""
    text = (ROOT / "config" / "monitor.toml").read_text(encoding="utf-8")
    match = re.search(r"^\[web\]\n(.*?)(?=^\[|\Z)", text, re.S | re.M)
    assert match, "config/monitor.toml has no [web] table"
    return match.group(1)


def test_compose_listens_off_loopback_publishes_that_port_and_gives_a_password() -> None:
    env = _compose()["environment"]
    parsed = parse_listen(env[ENV_WEB_LISTEN])
    assert parsed is not None and not is_loopback(parsed[0])
    published = [str(p).rsplit(":", 1)[-1] for p in _compose()["ports"]]
    assert str(parsed[1]) in published
    var = re.search(r'password_env = "(\w+)"', _example_web())
    assert var, "the example [web] names no password_env"
    assert var.group(1) in env and env[var.group(1)].startswith("${" + var.group(1) + ":?")


def test_the_image_exposes_the_pages_port() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    port = parse_listen(_compose()["environment"][ENV_WEB_LISTEN])
    assert port and re.search(rf"^EXPOSE .*\b{port[1]}\b", dockerfile, re.M)


def _config(tmp_path: Path) -> Path:
    return write_config(tmp_path, [("a", "A", "http://127.0.0.1:9/feed.xml")], web=_example_web())


def test_on_the_host_the_same_config_listens_on_loopback_with_no_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_WEB_LISTEN, raising=False)
    monkeypatch.delenv("MONITOR_WEB_PASSWORD", raising=False)
    web = load_config(_config(tmp_path)).web
    assert web.loopback and web.password is None


def test_off_loopback_without_the_variable_the_config_is_refused_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_WEB_LISTEN, "0.0.0.0:8080")
    monkeypatch.delenv("MONITOR_WEB_PASSWORD", raising=False)
    with pytest.raises(ConfigError) as refused:
        load_config(_config(tmp_path))
    problems = " | ".join(refused.value.problems)
    assert "environment variable MONITOR_WEB_PASSWORD is not set" in problems
    assert "'0.0.0.0:8080' (from $MONITOR_WEB_LISTEN) is not a loopback address" in problems


def _get(url: str, password: str | None = None) -> int:
    request = urllib.request.Request(url)
    if password is not None:
        token = base64.b64encode(f"desk:{password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def test_the_daemon_serves_its_pages_on_every_interface_behind_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = _compose()["environment"]
    host = env[ENV_WEB_LISTEN].rsplit(":", 1)[0]
    port = free_port()  # the compose file's port may be taken on a test machine
    monkeypatch.setenv(ENV_WEB_LISTEN, f"{host}:{port}")
    monkeypatch.setenv("MONITOR_WEB_PASSWORD", "a long passphrase")
    url = f"http://127.0.0.1:{port}/"
    with Monitor(_config(tmp_path), ["run"]) as daemon:
        assert wait_for(lambda: _get(url) != 0 or not daemon.running())
        assert _get(url) == 401
        assert _get(url, "wrong") == 401
        assert _get(url, "a long passphrase") == 200
        daemon.signal(signal.SIGTERM)
        assert daemon.wait() == 0
