"""When one delivery must end: a wall-clock deadline, brought forward by a stop request.

Socket timeouts alone do not bound a delivery: a peer that sends one byte every two seconds
never lets a read time out. A ``Cutoff`` is the total budget of one delivery (one webhook
request, one SMTP session), brought forward by a stop request (SIGTERM) to
``STOP_GRACE_SECONDS`` from then, so a delivery about to finish can still finish.

Channels enforce it in two ways:
- blocking sockets (smtplib): ``shut_down_when_cut`` runs a watcher thread that shuts the
  socket down when the cutoff passes; a blocked read or write then returns at once;
- asyncio (httpx): ``run_until_cut`` cancels the request task.
Either way the channel raises a transient ``DeliveryError`` and the delivery stays in the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
STOP_GRACE_SECONDS = 2.0  # a delivery in flight at SIGTERM gets this long to finish
DEFAULT_SECONDS = 30.0  # [delivery] send_deadline_seconds
_POLL_SECONDS = 0.05


class Cutoff:
    """A monotonic deadline plus an optional stop event (shared with the daemon)."""

    def __init__(self, seconds: float, stop: threading.Event | None = None) -> None:
        self.budget = seconds
        self.deadline = time.monotonic() + seconds
        self.stop = stop
        self._stop_seen: float | None = None

    def remaining(self) -> float:
        now = time.monotonic()
        end = self.deadline
        if self.stop is not None and self.stop.is_set():
            if self._stop_seen is None:
                self._stop_seen = now
            end = min(end, self._stop_seen + STOP_GRACE_SECONDS)
        return max(0.0, end - now)

    def passed(self) -> bool:
        return self.remaining() <= 0.0

    def reason(self) -> str:
        """Why the delivery was cut, for the outbox's last_error."""
        if self.stop is not None and self.stop.is_set():
            return "cut short: stopping (it stays in the outbox)"
        return f"no complete answer within the {round(self.budget, 1):g}s delivery deadline"


@contextlib.contextmanager
def shut_down_when_cut(cutoff: Cutoff, current: Callable[[], int | None]) -> Iterator[None]:
    """While the block runs, shut down the socket ``current()`` names as soon as ``cutoff`` passes.

    ``current`` gives the connection's file descriptor at that moment (None while there is
    none). The shutdown goes through a duplicate of the descriptor: it ends the connection for
    every holder without touching the (possibly TLS-wrapped) object another thread reads from.
    """
    done = threading.Event()

    def watch() -> None:
        while not done.wait(min(_POLL_SECONDS, max(cutoff.remaining(), 0.001))):
            if cutoff.passed():
                fd = current()
                if fd is not None and _shut_down(fd):
                    return

    watcher = threading.Thread(target=watch, name="delivery-cutoff", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


def _shut_down(fd: int) -> bool:
    if fd < 0:
        return False
    try:
        with socket.socket(fileno=os.dup(fd)) as dup:
            dup.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed, or not connected yet
        return False
    return True


def run_until_cut(cutoff: Cutoff, runner: asyncio.Runner, work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` on ``runner``'s loop; cancel it when ``cutoff`` passes.

    Raises:
        TimeoutError: the cutoff passed first.
    """
    return runner.run(_until_cut(cutoff, work))


async def _until_cut(cutoff: Cutoff, work: Coroutine[Any, Any, T]) -> T:
    task = asyncio.ensure_future(work)
    while not task.done():
        await asyncio.wait({task}, timeout=min(_POLL_SECONDS, max(cutoff.remaining(), 0.001)))
        if not task.done() and cutoff.passed():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            raise TimeoutError(cutoff.reason())
    return task.result()
