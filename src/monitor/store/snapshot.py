"""A private copy of the state, for ``monitor once --dry-run``.

The copy is taken with SQLite's online backup from a read-only connection: consistent even
while the daemon writes (it sees the last committed transaction), and the original is neither
migrated nor written to, not even its lock file or beacon. A state directory without a database
gives nothing to copy: the dry run then starts from an empty state, as a first run would.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from monitor.store.base import DB_NAME, db_error


def copy_state(state_dir: Path, dest_dir: Path) -> bool:
    """Copy ``state_dir``'s database into ``dest_dir``; False when there is none to copy.

    Raises:
        StoreError: the database cannot be read.
    """
    source = state_dir / DB_NAME
    if not source.is_file() or source.stat().st_size == 0:
        return False
    dest_dir.mkdir(parents=True, exist_ok=True)
    try:
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise db_error(exc, source, opening=True) from exc
    try:
        dst = sqlite3.connect(dest_dir / DB_NAME)
        try:
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise db_error(exc, source) from exc
    finally:
        src.close()
    return True
