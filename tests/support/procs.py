"""Run ``monitor`` as a real subprocess and look at what it left behind, for fault tests.

``Monitor(config)`` starts ``python -m monitor --config CONFIG <args>`` with its stderr (the
structured log) in a file; ``wait_for`` polls a predicate with a generous guard; ``state_db``
opens the state database read-only next to a running daemon (WAL lets readers in);
``get`` fetches a URL from a local endpoint.
"""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

from tests.support.httpserver import Handler, Request, Response

GUARD_S = 30.0  # generous: only a hang fails a test, never a slow machine


class Monitor:
    """A ``monitor`` subprocess; use as a context manager so it never outlives the test."""

    def __init__(self, config: Path, args: Sequence[str], *, log: Path | None = None) -> None:
        self.log_path = log or config.parent / f"monitor-{args[0]}.log"
        self._log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(config), *args],
            stdout=subprocess.PIPE,
            stderr=self._log,
            cwd=config.parent,
        )

    def signal(self, signum: int) -> None:
        self.proc.send_signal(signum)

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(GUARD_S)

    def wait(self, timeout: float = GUARD_S) -> int:
        return self.proc.wait(timeout)

    def until(self, predicate: Callable[[], object], timeout: float = GUARD_S) -> bool:
        """``wait_for(predicate)``, giving up at once if the process has exited."""
        return wait_for(lambda: predicate() or self.proc.poll() is not None, timeout) and bool(
            predicate()
        )

    def running(self) -> bool:
        return self.proc.poll() is None

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def __enter__(self) -> Monitor:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(GUARD_S)
        if self.proc.stdout:
            self.proc.stdout.close()
        self._log.close()


def run_monitor(
    config: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run one ``monitor`` command to the end and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=GUARD_S * 2,
        cwd=config.parent,
        env=env,
    )


def held(response: Response, release: threading.Event) -> Handler:
    """An ``HttpServer`` handler that answers only once ``release`` is set (a server mid-cycle
    for as long as the test needs, whatever the machine's speed)."""

    def handler(_: Request) -> Response:
        release.wait(GUARD_S)
        return response

    return handler


def wait_for(predicate: Callable[[], object], timeout: float = GUARD_S, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


def state_db(state_dir: Path) -> sqlite3.Connection:
    """A read-only connection to ``state_dir/monitor.db`` (safe beside a running daemon)."""
    conn = sqlite3.connect(f"file:{state_dir / 'monitor.db'}?mode=ro", uri=True, timeout=10)
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


def query(state_dir: Path, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
    """Rows of one query on the state database; [] while it does not exist yet."""
    if not (state_dir / "monitor.db").exists():
        return []
    conn = state_db(state_dir)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:  # no such table yet: the daemon is still migrating
        return []
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, timeout: float = 10.0) -> tuple[int, str]:
    """Status and body of a GET; (0, "") when nothing listens yet."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, ""
