"""``monitor.health``: a 1 KiB file beside the database saying how the last cycle went and
whether the state can be written, readable when the database cannot tell (issue 13).

Why a file, and why written in place: on a full disk SQLite cannot record that it cannot record
anything, so ``monitor healthcheck`` and ``monitor status`` would go on showing the last good
cycle. The file is created at its full size once and afterwards only overwritten in place
(``os.pwrite`` at offset 0), which needs no new blocks on ext4, xfs or tmpfs, so it can still
say "disk full" when nothing else can be written.

It also marks a state directory that has had a database: a missing or empty ``monitor.db`` next
to it is refused (``base.Store.open``) instead of being silently replaced by a fresh state.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

BEACON_NAME = "monitor.health"
SIZE = 1024
_MAX_ERROR = 600


@dataclass(frozen=True, slots=True)
class Beacon:
    """What the file holds; times are ISO 8601 UTC strings."""

    created_at: str  # when this state directory got its database
    cycle_at: str | None = None  # the end of the last cycle, good or not
    cycle_ok: bool | None = None
    store_error: str | None = None  # set while writes fail (or the database is damaged)
    store_error_since: str | None = None
    disk_full: bool = False


def read_beacon(state_dir: Path) -> Beacon | None:
    """The beacon of ``state_dir``; None when there is none (or it cannot be read)."""
    try:
        raw = (state_dir / BEACON_NAME).read_bytes()
        data = json.loads(raw.decode("utf-8").strip() or "{}")
        return Beacon(**{k: v for k, v in data.items() if k in Beacon.__slots__})
    except (OSError, ValueError, TypeError):
        return None


def write_beacon(state_dir: Path, beacon: Beacon) -> bool:
    """Overwrite the beacon in place (create it at full size first); False when it failed."""
    data = asdict(beacon)
    if data["store_error"]:
        data["store_error"] = data["store_error"][:_MAX_ERROR]
    text = json.dumps(data, ensure_ascii=True).encode("ascii")
    payload = text + b" " * (SIZE - 1 - len(text)) + b"\n"
    path = state_dir / BEACON_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return False
    try:
        if os.fstat(fd).st_size < SIZE:  # new: reserve the full size once, then sync it
            os.ftruncate(fd, SIZE)
            os.pwrite(fd, payload, 0)
            os.fsync(fd)
        else:
            os.pwrite(fd, payload, 0)
        return True
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)


def record_outcome(
    state_dir: Path,
    at: str,
    *,
    cycle_ok: bool | None = None,
    store_error: str | None = None,
    disk_full: bool = False,
) -> bool:
    """Update the beacon after a cycle (``cycle_ok`` given) or a dispatch round.

    A store error is kept with the time it started; a run without one clears it.
    """
    old = read_beacon(state_dir) or Beacon(created_at=at)
    since = None
    if store_error:
        since = (old.store_error_since or at) if old.store_error else at
    new = Beacon(
        created_at=old.created_at,
        cycle_at=at if cycle_ok is not None else old.cycle_at,
        cycle_ok=cycle_ok if cycle_ok is not None else old.cycle_ok,
        store_error=store_error,
        store_error_since=since,
        disk_full=disk_full and store_error is not None,
    )
    return write_beacon(state_dir, new)
