"""Run a function in a worker process with a deadline and a memory cap.

For untrusted input given to third-party code whose worst cases we cannot bound ourselves
(feedparser's lenient parser spends ~90 µs per tag: a few hundred KB of pathological nesting
takes seconds, a 5 MB one minutes).

Workers are plain ``python -m monitor.sources.sandbox`` subprocesses (no ``multiprocessing``: it
re-imports the caller's main module in every child), started on first use with the named
modules preloaded (or ahead of it, ``start_workers``), kept between calls (a call costs about
a millisecond plus pickling) and at most ``MAX_WORKERS`` at a time. Each worker caps its own address space (``RLIMIT_AS``), so
a memory blow-up ends in ``MemoryError`` inside the worker; a worker that passes the
deadline is killed and replaced. Workers run in their own session (terminal signals do not
reach them) and exit when the daemon closes their stdin or dies.

Protocol on the worker's stdin/stdout: 8-byte big-endian length, then a pickle; requests are
``(function, args)``, answers ``(ok, value_or_exception)``.
"""

from __future__ import annotations

import atexit
import importlib
import os
import pickle
import resource
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import IO, Any, TypeVar

T = TypeVar("T")
MAX_WORKERS = max(1, min(4, os.cpu_count() or 2))
_HEADER = 8


class SandboxError(Exception):
    """The worker ran out of time or memory, or died; ``reason`` says which."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def run_bounded(
    func: Callable[..., T],
    args: tuple[Any, ...],
    *,
    deadline_s: float,
    memory_bytes: int,
    preload: Sequence[str] = (),
) -> T:
    """``func(*args)`` in a worker process; its return value, or its exception re-raised.

    ``func`` must be a module-level function; ``args`` and the result must be picklable.
    Waiting for a free worker does not count against ``deadline_s``.

    Raises:
        SandboxError: deadline passed (``reason="deadline"``), memory cap hit (``"memory"``)
            or the worker died without an answer (``"died"``).
    """
    pool = _pool(preload, memory_bytes)
    ok, value = pool.call(pickle.dumps((func, args), protocol=pickle.HIGHEST_PROTOCOL), deadline_s)
    if ok:
        return value  # type: ignore[no-any-return]
    if isinstance(value, MemoryError):
        raise SandboxError(f"memory cap of {memory_bytes >> 20} MiB reached", "memory")
    raise value


def start_workers(preload: Sequence[str], memory_bytes: int) -> None:
    """Start the pool's missing workers now, without waiting for them to be ready.

    A worker's start-up (an interpreter plus the preloaded modules: 0.15-0.5 s of CPU) then
    runs while the caller goes on (a cycle's first fetches) instead of delaying the first
    call. For a caller that knows it will call soon: idle workers cost memory, not CPU.
    """
    _pool(preload, memory_bytes).fill()


# --------------------------------------------------------------------------- parent side


class _Worker:
    def __init__(self, preload: tuple[str, ...], memory_bytes: int) -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "monitor.sources.sandbox", str(memory_bytes), *preload],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )

    def call(self, request: bytes, deadline_s: float) -> tuple[bool, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(len(request).to_bytes(_HEADER, "big") + request)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise SandboxError("worker died before the request", "died") from None
        answer = _read_message(self.proc.stdout.fileno(), deadline_s)
        result: tuple[bool, Any] = pickle.loads(answer)
        return result

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


class _Pool:
    def __init__(self, preload: tuple[str, ...], memory_bytes: int) -> None:
        self.preload = preload
        self.memory_bytes = memory_bytes
        self.idle: list[_Worker] = []
        self.busy = 0  # workers checked out by a call
        self.slots = threading.BoundedSemaphore(MAX_WORKERS)
        self.lock = threading.Lock()

    def fill(self) -> None:
        """Start workers until the pool has ``MAX_WORKERS`` (idle or busy)."""
        with self.lock:
            for dead in [w for w in self.idle if w.proc.poll() is not None]:
                self.idle.remove(dead)
                dead.kill()  # reaps it
            missing = MAX_WORKERS - len(self.idle) - self.busy
            self.idle.extend(_Worker(self.preload, self.memory_bytes) for _ in range(missing))

    def call(self, request: bytes, deadline_s: float) -> tuple[bool, Any]:
        with self.slots:
            worker = self._checkout()
            try:
                return self._call_checked_out(worker, request, deadline_s)
            finally:
                with self.lock:
                    self.busy -= 1

    def _call_checked_out(
        self, worker: _Worker, request: bytes, deadline_s: float
    ) -> tuple[bool, Any]:
        try:
            result = worker.call(request, deadline_s)
        except SandboxError as exc:
            worker.kill()
            if exc.reason != "died":
                raise
            # it may have died while idle (the OOM killer): one retry on a fresh worker
            worker = _Worker(self.preload, self.memory_bytes)
            result = self._call_or_kill(worker, request, deadline_s)
        except BaseException:
            worker.kill()
            raise
        if not result[0] and isinstance(result[1], MemoryError):
            worker.kill()  # its heap is suspect after a MemoryError
        else:
            with self.lock:
                self.idle.append(worker)
        return result

    @staticmethod
    def _call_or_kill(worker: _Worker, request: bytes, deadline_s: float) -> tuple[bool, Any]:
        try:
            return worker.call(request, deadline_s)
        except BaseException:
            worker.kill()
            raise

    def _checkout(self) -> _Worker:
        with self.lock:
            self.busy += 1
            while self.idle:
                worker = self.idle.pop()
                if worker.proc.poll() is None:
                    return worker
        return _Worker(self.preload, self.memory_bytes)

    def close(self) -> None:
        with self.lock:
            for worker in self.idle:
                worker.kill()
            self.idle.clear()


# One pool per memory cap, whatever the callers preload: feed parsing and page preparation
# share the same MAX_WORKERS processes (both cores, and no more workers than cores). A worker
# preloads what the callers asked for so far; any other module is imported by its first call.
_pools: dict[int, _Pool] = {}
_pools_lock = threading.Lock()


def _pool(preload: Sequence[str], memory_bytes: int) -> _Pool:
    with _pools_lock:
        if memory_bytes not in _pools:
            _pools[memory_bytes] = _Pool((), memory_bytes)
        pool = _pools[memory_bytes]
        pool.preload = tuple(dict.fromkeys((*pool.preload, *preload)))
        return pool


@atexit.register
def shutdown() -> None:
    """Stop every idle worker (busy ones exit when their stdin closes)."""
    with _pools_lock:
        for pool in _pools.values():
            pool.close()


def _read_message(fd: int, deadline_s: float) -> bytes:
    """One length-prefixed message from ``fd``, within ``deadline_s`` seconds in all."""
    end = time.monotonic() + deadline_s
    header = _read_exact(fd, _HEADER, end)
    return _read_exact(fd, int.from_bytes(header, "big"), end)


def _read_exact(fd: int, size: int, end: float) -> bytes:
    chunks: list[bytes] = []
    while size:
        remaining = end - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise SandboxError("no result within the deadline", "deadline")
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise SandboxError("worker died without an answer", "died")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


# --------------------------------------------------------------------------- worker side


def _cap_memory(memory_bytes: int) -> None:
    """Cap the address space at what the worker maps now plus ``memory_bytes``."""
    try:
        with open("/proc/self/statm") as statm:
            mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = mapped + memory_bytes
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError):
        pass  # no /proc or no rlimits here: the deadline still bounds the worker


def _serve(stdin: IO[bytes], stdout: IO[bytes]) -> None:
    while True:
        header = stdin.read(_HEADER)
        if len(header) < _HEADER:
            return  # the daemon closed our stdin or died
        func, args = pickle.loads(stdin.read(int.from_bytes(header, "big")))
        try:
            outcome: tuple[bool, Any] = (True, func(*args))
        except MemoryError:
            outcome = (False, MemoryError())
        except Exception as exc:
            outcome = (False, exc)
        try:
            answer = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an unpicklable result or exception: send a description
            answer = pickle.dumps((False, RuntimeError(f"unpicklable outcome: {exc!r}")))
        stdout.write(len(answer).to_bytes(_HEADER, "big") + answer)
        stdout.flush()


def main(argv: Sequence[str]) -> None:
    """Worker entry point: ``python -m monitor.sources.sandbox MEMORY_BYTES [MODULE ...]``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for module in argv[1:]:
        importlib.import_module(module)
    _cap_memory(int(argv[0]))
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print() must not corrupt the protocol
    _serve(stdin, stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
