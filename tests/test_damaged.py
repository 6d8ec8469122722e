"""A damaged state database is refused in one line that says how to recover (issue 13).

Before: scribbled inner pages gave 17-24-line tracebacks from ``once``, ``run``, ``status`` and
``outbox`` while the healthcheck said ok; a flipped b-tree byte ran with exit 0 on a database
that ``integrity_check`` calls malformed; a zero-length file silently started a fresh state.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.feeds import NewsSite, load_articles, write_config
from tests.support.httpserver import HttpServer
from tests.support.procs import run_monitor

COMMANDS = (["once"], ["status"], ["outbox"], ["healthcheck"], ["timeline"])


@pytest.fixture
def state(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A config and its state after one alerting cycle whose webhook deliveries wait (the
    receiver refuses connections), so the outbox has something to save."""
    with HttpServer() as server:
        site = NewsSite(server)
        site.publish("dijla", [load_articles()[a] for a in ("victory-wire", "erbil-plan")])
        hook = (
            '[[channels]]\nname = "hook"\ntype = "webhook"\nurl = "http://127.0.0.1:9/hook"\n'
            'immediate = ["conflicting", "completed", "new", "consistent"]\ndigest = []\n'
        )
        config = write_config(tmp_path, site.sources(), extra=hook)
        done = run_monitor(config, "once", "--alert-on-first-run")
        assert done.returncode == 0, done.stderr
        yield config, tmp_path / "state" / "monitor.db"


def one_line_errors(config: Path) -> dict[str, str]:
    """Each command's answer: never a traceback; a failure is one line on stderr; ``once``
    and ``healthcheck`` fail; a command that can still read what it needs says the state is
    failing (from the beacon) instead."""
    out = {}
    for command in COMMANDS:
        done = run_monitor(config, *command)
        assert "Traceback" not in done.stderr, (command, done.stderr)
        if command[0] in ("once", "healthcheck"):
            assert done.returncode == 1, (command, done.stdout, done.stderr)
        if done.returncode:
            lines = [x for x in done.stderr.splitlines() if x.strip()]
            assert len(lines) == 1, (command, done.stderr)
            out[command[0]] = lines[0]
        else:
            out[command[0]] = done.stdout
    assert (
        "STATE FAILING" in out["status"] or "damaged" in out["status"] or "empty" in out["status"]
    )
    return out


def page_of(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchone()
        (size,) = conn.execute("PRAGMA page_size").fetchone()
    finally:
        conn.close()
    return (int(root) - 1) * int(size)


def scribble(db: Path, offset: int, data: bytes) -> None:
    with db.open("r+b") as f:
        f.seek(offset)
        f.write(data)


def test_a_zero_length_database_is_refused_not_replaced(state: tuple[Path, Path]) -> None:
    config, db = state
    db.write_bytes(b"")
    for line in one_line_errors(config).values():
        assert "is empty" in line and "restore it from a backup" in line
    assert db.stat().st_size == 0  # nothing started a fresh state over it


def test_scribbled_inner_pages_are_one_line_and_the_outbox_is_saved(
    state: tuple[Path, Path],
) -> None:
    config, db = state
    offset = page_of(db, "story_members")
    scribble(db, offset, b"\xde\xad\xbe\xef" * 1024)  # the whole page
    errors = one_line_errors(config)
    assert "damaged" in errors["once"] and "move" in errors["once"] and ".recover" in errors["once"]
    assert "exported to" in errors["once"]
    export = next(db.parent.glob("outbox-export-*.jsonl"))
    saved = [json.loads(x) for x in export.read_text(encoding="utf-8").splitlines()]
    assert saved and {s["channel"] for s in saved} == {"hook"}
    assert all(s["alert"]["title"] for s in saved)
    assert "failing" in errors["healthcheck"] or "damaged" in errors["healthcheck"]


def test_a_flipped_btree_byte_is_found_at_start_and_by_status_check(
    state: tuple[Path, Path],
) -> None:
    config, db = state
    offset = page_of(db, "entries")
    with db.open("r+b") as f:  # the cell count of the table's b-tree page header
        f.seek(offset + 3)
        count = int.from_bytes(f.read(2), "big")
        f.seek(offset + 3)
        f.write((count + 7).to_bytes(2, "big"))
    once = run_monitor(config, "once")
    assert once.returncode == 1 and "damaged" in once.stderr and "Traceback" not in once.stderr
    check = run_monitor(config, "status", "--check")
    assert check.returncode == 1 and "integrity_check" in check.stderr
    assert "Traceback" not in check.stderr
