"""The connection, transactions and the one-daemon-per-state-directory lock.

Every SQLite error that leaves a transaction becomes a ``StoreError`` that says what happened
in one line: a full disk is named as such (SQLITE_FULL, or an I/O error while the file system
has no space left), a malformed database says how to recover. Callers never see sqlite3's own
exceptions from a write.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any, Self

from monitor.errors import StoreError
from monitor.store.beacon import Beacon, read_beacon, record_outcome, write_beacon
from monitor.store.check import (
    RECOVERY_HINT,
    check_expected,
    damaged,
    integrity_problems,
    quick_check,
)
from monitor.store.schema import MIGRATIONS, migrate

DB_NAME = "monitor.db"
LOCK_NAME = "monitor.lock"
MAX_PARAMS = 500  # keys per IN (...) lookup (see chunked)
# SQLite primary result codes (the low byte of an extended code).
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_NOTADB = 10, 11, 13, 26


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


def plain(value: Any) -> Any:
    """``dataclasses.asdict`` for the records kept as JSON, without its deep copies (the
    records are frozen): dataclasses become dicts, tuples and lists lists, the rest is kept.
    Several times faster on an update alert that carries many findings."""
    names = _field_names(type(value))
    if names is not None:
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}  # per class: its fields, None: no dataclass


def _field_names(cls: type) -> tuple[str, ...] | None:
    try:
        return _FIELD_NAMES[cls]
    except KeyError:
        names = (
            tuple(f.name for f in dataclasses.fields(cls))
            if dataclasses.is_dataclass(cls)
            else None
        )
        _FIELD_NAMES[cls] = names
        return names


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

    def __init__(
        self, conn: sqlite3.Connection, lock: IO[str] | None = None, path: Path | None = None
    ) -> None:
        self.conn = conn
        self.path = path  # None in memory
        self._lock = lock
        self._depth = 0
        self._rollback_hooks: list[Callable[[], None]] = []

    @classmethod
    def open(cls, state_dir: Path, *, lock: bool = True) -> Self:
        """Open (and migrate) ``state_dir/monitor.db``; with ``lock``, refuse a second daemon.

        With ``lock`` (the daemon, ``monitor once``) the database is also checked
        (``PRAGMA quick_check``), and a failure to open is written to the beacon, so that
        ``monitor healthcheck`` fails while the state is unusable (``check.py``).

        Raises:
            StoreError: the directory is unusable, the database is damaged, missing where one
                was expected, on a full disk, or locked by another daemon.
        """
        try:
            state_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"store: cannot create state directory {state_dir}: {exc}") from exc
        handle = _take_lock(state_dir / LOCK_NAME) if lock else None
        db = state_dir / DB_NAME
        try:
            check_expected(state_dir, db)
            conn = _connect(db)
            if lock:
                _check(conn, db)
        except StoreError as exc:
            if handle:
                handle.close()
                now = to_db(utcnow()) or ""
                record_outcome(state_dir, now, store_error=str(exc), disk_full=exc.disk_full)
            raise
        except BaseException:
            if handle:
                handle.close()
            raise
        if read_beacon(state_dir) is None:  # from now on, this directory has a database
            write_beacon(state_dir, Beacon(created_at=to_db(utcnow()) or ""))
        return cls(conn, handle, db)

    @staticmethod
    def exists(state_dir: Path) -> bool:
        """Whether ``state_dir`` holds a state: a database, or the beacon of one (a database
        that went missing is damage for ``open`` to report, not "no state yet")."""
        db = state_dir / DB_NAME
        return db.is_file() or read_beacon(state_dir) is not None

    @classmethod
    def open_readonly(cls, state_dir: Path) -> Self:
        """A read-only connection to an existing, migrated state (beside a running daemon).

        WAL lets it read while the daemon writes; it takes no lock and never migrates (the
        caller opens the state once with ``open`` for that).

        Raises:
            StoreError: there is no state there, or it is not at this monitor's schema.
        """
        path = (state_dir / DB_NAME).resolve()
        if not path.is_file():
            raise StoreError(f"store: no state at {path}")
        try:
            conn = sqlite3.connect(
                f"{path.as_uri()}?mode=ro",
                uri=True,
                isolation_level=None,
                check_same_thread=False,
                timeout=30,
            )
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA query_only=ON")
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"store: cannot open {path}: {exc}") from exc
        if version != len(MIGRATIONS):
            conn.close()
            raise StoreError(
                f"store: {path} is at schema version {version}, this monitor reads"
                f" {len(MIGRATIONS)}; open it once read-write (monitor status) to migrate"
            )
        return cls(conn, None, path)

    @classmethod
    def memory(cls) -> Self:
        return cls(_connect(None))

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
        self._depth = 1
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            yield
            self.conn.execute("COMMIT")
        except BaseException as exc:
            # A failed COMMIT leaves the transaction open, and SQLite has already rolled back
            # after some errors (disk full, I/O): end it only if it is still there, so the
            # connection is usable for the next cycle and the original error is the one raised.
            if self.conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):  # the first error is the one to report
                    self.conn.execute("ROLLBACK")
            for hook in self._rollback_hooks:
                hook()
            if isinstance(exc, sqlite3.Error):
                raise db_error(exc, self.path) from exc
            raise
        finally:
            self._depth = 0

    def on_rollback(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` whenever a transaction rolls back: a cache of what the transaction
        wrote (the story desk's open stories) must forget it."""
        self._rollback_hooks.append(hook)

    def integrity_ok(self) -> bool:
        return not self.integrity_problems()

    def integrity_problems(self) -> list[str]:
        """What ``PRAGMA integrity_check`` finds (at most 20 lines); empty when sound."""
        return integrity_problems(self.conn)

    def close(self) -> None:
        self.conn.close()
        if self._lock:
            self._lock.close()
            self._lock = None


def _check(conn: sqlite3.Connection, db: Path) -> None:
    try:
        quick_check(conn, db)
    except sqlite3.Error as exc:  # so damaged that the check itself fails
        error = damaged(db, str(exc), conn)
        conn.close()
        raise error from exc
    except BaseException:
        conn.close()
        raise


def db_error(exc: sqlite3.Error, path: Path | None, *, opening: bool = False) -> StoreError:
    """One line for any SQLite error: what it means for the operator, and what to do."""
    where = f"{path or 'the state database'}:"
    if opening:
        where = f"cannot open {where}"
    code = getattr(exc, "sqlite_errorcode", None)
    primary = None if code is None else code & 0xFF
    if primary == SQLITE_FULL or (primary == SQLITE_IOERR and _no_space_left(path)):
        return StoreError(
            f"store: {where} disk full ({exc}): free space on the file system of the state",
            disk_full=True,
        )
    if primary in (SQLITE_CORRUPT, SQLITE_NOTADB):
        if opening and path is not None:
            return damaged(path, str(exc))  # exports the outbox when it can still be read
        hint = RECOVERY_HINT.format(db=path or "the state database")
        return StoreError(f"store: {where} damaged database ({exc}): {hint}", damaged=True)
    return StoreError(f"store: {where} {exc}")


def _no_space_left(path: Path | None) -> bool:
    if path is None:
        return False
    try:
        stats = os.statvfs(path.parent)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < 64 * 1024


def _connect(path: Path | None) -> sqlite3.Connection:
    try:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves (see transaction()).
        conn = sqlite3.connect(
            str(path or ":memory:"), isolation_level=None, check_same_thread=False, timeout=30
        )
    except sqlite3.Error as exc:
        raise db_error(exc, path, opening=True) from exc
    try:
        _set_wal(conn)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA foreign_keys=ON")
        migrate(conn)
    except sqlite3.Error as exc:
        conn.close()
        raise db_error(exc, path, opening=True) from exc
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
            f"store: {path.parent} is in use by {holder}; one daemon per state directory",
            in_use=True,
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}\n")
    handle.flush()
    return handle
