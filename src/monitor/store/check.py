"""Checks of the state database as it is opened, and what is saved when it is damaged.

- A state directory that has had a database (its beacon says so) but whose ``monitor.db`` is
  now missing or empty is refused: starting a fresh state there would silently forget every
  story and re-alert old news. The message says how to recover.
- The daemon and ``monitor once`` run ``PRAGMA quick_check`` at start (``monitor status
  --check`` runs the full ``integrity_check``); a damaged database is refused with one line.
- Before refusing, the undelivered part of the outbox is exported as JSON Lines beside it,
  when it can still be read, so no alert is lost with the database.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from monitor.errors import StoreError
from monitor.store.beacon import read_beacon

RECOVERY_HINT = (
    "stop monitor, move {db} aside (keep it: `sqlite3 {db} .recover` may salvage it)"
    " or restore a backup, then start again"
)
_UNDELIVERED = ("pending", "failed", "digest")


def check_expected(state_dir: Path, db: Path) -> None:
    """Refuse a missing or empty database where the beacon says there was one.

    Raises:
        StoreError: (damaged) the database is gone or empty.
    """
    beacon = read_beacon(state_dir)
    if beacon is None:
        return
    if db.exists() and db.stat().st_size > 0:
        return
    what = "empty" if db.exists() else "missing"
    raise StoreError(
        f"store: {db} is {what}, but {state_dir} has had a database since"
        f" {beacon.created_at}: restore it from a backup, or move {state_dir} aside to start"
        " a fresh state",
        damaged=True,
    )


def quick_check(conn: sqlite3.Connection, db: Path) -> None:
    """``PRAGMA quick_check``; on damage, export the outbox and refuse.

    Raises:
        StoreError: (damaged) with what SQLite found, where the outbox went, how to recover.
    """
    problems = [str(r[0]) for r in conn.execute("PRAGMA quick_check(3)").fetchall()]
    if problems == ["ok"]:
        return
    raise damaged(db, f"quick_check: {'; '.join(problems)}", conn)


def integrity_problems(conn: sqlite3.Connection, limit: int = 20) -> list[str]:
    """``PRAGMA integrity_check``'s findings; empty when the database is sound."""
    rows = [str(r[0]) for r in conn.execute(f"PRAGMA integrity_check({int(limit)})").fetchall()]
    return [] if rows == ["ok"] else rows


def damaged(db: Path, problem: str, conn: sqlite3.Connection | None = None) -> StoreError:
    """The one-line refusal for a damaged database, after exporting what can be saved."""
    saved = export_outbox(db, conn)
    hint = RECOVERY_HINT.format(db=db)
    problem = " ".join(problem.split())  # SQLite's findings run over several lines
    return StoreError(f"store: {db} is damaged ({problem}){saved}: {hint}", damaged=True)


def export_outbox(db: Path, conn: sqlite3.Connection | None = None) -> str:
    """Write the undelivered deliveries to ``outbox-export-<time>.jsonl`` beside ``db``.

    Returns the clause for the refusal message ("" when there was nothing to save).
    """
    own = conn is None
    try:
        if conn is None:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        rows = conn.execute(
            "SELECT o.channel, o.status, o.idempotency_key, o.queued_at, a.content"
            " FROM outbox o JOIN alerts a ON a.id = o.alert_id"
            f" WHERE o.status IN ({','.join('?' * len(_UNDELIVERED))}) ORDER BY o.id",
            _UNDELIVERED,
        ).fetchall()
    except sqlite3.Error:
        return "; its outbox cannot be read either"
    finally:
        if own and conn is not None:
            conn.close()
    if not rows:
        return ""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = db.parent / f"outbox-export-{stamp}.jsonl"
    lines = [
        json.dumps(
            {"channel": r[0], "status": r[1], "idempotency_key": r[2], "queued_at": r[3],
             "alert": _json_or_text(r[4])},
            ensure_ascii=False,
        )
        for r in rows
    ]  # fmt: skip
    try:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as exc:
        return f"; its {len(rows)} undelivered alert(s) could not be exported ({exc.strerror})"
    return f"; its {len(rows)} undelivered alert(s) were exported to {path}"


def _json_or_text(content: str) -> object:
    try:
        return json.loads(content)
    except ValueError:
        return content
