"""The connection, transactions and the one-daemon-per-state-directory lock."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Self

from monitor.errors import StoreError
from monitor.store.schema import migrate

DB_NAME = "monitor.db"
LOCK_NAME = "monitor.lock"
MAX_PARAMS = 500  # keys per IN (...) lookup (see chunked)


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_db(value: datetime | None) -> str | None:
    """Aware datetimes are stored as ISO 8601 UTC strings, which sort correctly."""
    return None if value is None else value.astimezone(UTC).isoformat(timespec="seconds")


def from_db(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def json_default(value: object) -> str:
    """``json.dumps`` fallback for the records kept as JSON: dates and times as ISO 8601."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"store: cannot serialise {type(value).__name__}")


def chunked(keys: Iterable[str]) -> Iterator[tuple[list[str], str]]:
    """``keys`` in chunks of at most ``MAX_PARAMS``, each with its ``?,?,…`` placeholders.

    SQLite caps the parameters of one statement (999 before 3.32), so ``IN (…)`` lookups of
    many keys go a chunk at a time.
    """
    keys = list(keys)
    for i in range(0, len(keys), MAX_PARAMS):
        chunk = keys[i : i + MAX_PARAMS]
        yield chunk, ",".join("?" * len(chunk))


class BaseStore:
    """Owns the SQLite connection. Table groups add their queries as mixins (see ``Store``)."""

    def __init__(self, conn: sqlite3.Connection, lock: IO[str] | None = None) -> None:
        self.conn = conn
        self._lock = lock
        self._depth = 0
        self._rollback_hooks: list[Callable[[], None]] = []

    @classmethod
    def open(cls, state_dir: Path, *, lock: bool = True) -> Self:
        """Open (and migrate) ``state_dir/monitor.db``; with ``lock``, refuse a second daemon.

        Raises:
            StoreError: the directory is unusable, the database is corrupt, or it is locked.
        """
        try:
            state_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"store: cannot create state directory {state_dir}: {exc}") from exc
        handle = _take_lock(state_dir / LOCK_NAME) if lock else None
        try:
            conn = _connect(str(state_dir / DB_NAME))
        except BaseException:
            if handle:
                handle.close()
            raise
        return cls(conn, handle)

    @classmethod
    def memory(cls) -> Self:
        return cls(_connect(":memory:"))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction; nested uses join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException:
            # A failed COMMIT leaves the transaction open, and SQLite has already rolled back
            # after some errors (disk full, I/O): end it only if it is still there, so the
            # connection is usable for the next cycle and the original error is the one raised.
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            for hook in self._rollback_hooks:
                hook()
            raise
        finally:
            self._depth = 0

    def on_rollback(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` whenever a transaction rolls back: a cache of what the transaction
        wrote (the story desk's open stories) must forget it."""
        self._rollback_hooks.append(hook)

    def integrity_ok(self) -> bool:
        return bool(self.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok")

    def close(self) -> None:
        self.conn.close()
        if self._lock:
            self._lock.close()
            self._lock = None


def _connect(path: str) -> sqlite3.Connection:
    try:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves (see transaction()).
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        _set_wal(conn)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA foreign_keys=ON")
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"store: cannot open {path}: {exc}") from exc
    return conn


def _set_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL. The switch needs a moment of exclusive access and SQLite does not wait
    for it, so several processes creating one state at once retry briefly."""
    for attempt in range(50):
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 49:
                raise
            time.sleep(0.05)


def _take_lock(path: Path) -> IO[str]:
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise StoreError(
            f"store: {path.parent} is in use by {holder}; one daemon per state directory"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}\n")
    handle.flush()
    return handle
