"""Schema migrations: an append-only list; ``PRAGMA user_version`` holds how many have run.

Each migration runs in its own transaction together with the version bump, so a failed one
rolls back and stays pending. Never edit or reorder a migration that has shipped: append.
"""

from __future__ import annotations

import sqlite3

from monitor.errors import StoreError

MIGRATIONS: list[str] = [
    # 1: sources, their health and HTTP validators; entries, tombstones, articles; milestones.
    """
    CREATE TABLE source_health (
        source_id TEXT PRIMARY KEY,
        last_attempt TEXT,
        last_success TEXT,
        last_new_item TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        last_error_kind TEXT,
        next_attempt_at TEXT,
        silence_alerted INTEGER NOT NULL DEFAULT 0,
        failure_alerted INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE http_cache (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE entries (
        key TEXT PRIMARY KEY,
        source_id TEXT NOT NULL,
        url TEXT,
        title TEXT NOT NULL,
        published TEXT,
        first_seen TEXT NOT NULL,
        content_hash TEXT,
        feed_hash TEXT,
        relevant INTEGER,
        story_id TEXT
    );
    CREATE INDEX entries_source ON entries(source_id, first_seen);
    CREATE INDEX entries_url ON entries(url);
    CREATE TABLE tombstones (
        key TEXT PRIMARY KEY,
        pruned_at TEXT NOT NULL
    );
    CREATE TABLE milestones (
        event_id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        story_id TEXT,
        alert_id TEXT,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE milestone_reports (
        event_id TEXT NOT NULL,
        story_id TEXT NOT NULL,
        verdict TEXT NOT NULL,
        reported_at TEXT NOT NULL,
        PRIMARY KEY (event_id, story_id, verdict)
    );
    CREATE TABLE cycles (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        ok INTEGER NOT NULL DEFAULT 0,
        summary TEXT
    );
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 2: the alert outbox (store/outbox.py): alerts with their full content, one delivery row
    # per (alert, channel), and per-channel state (disabled by a 410, last digest sent).
    """
    CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        story_id TEXT,
        follows TEXT,
        title TEXT NOT NULL,
        created_at TEXT NOT NULL,
        content TEXT NOT NULL
    );
    CREATE INDEX alerts_story ON alerts(story_id);
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_id TEXT NOT NULL REFERENCES alerts(id),
        channel TEXT NOT NULL,
        mode TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        next_attempt_at TEXT,
        queued_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        digest_id TEXT,
        UNIQUE (alert_id, channel)
    );
    CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
    CREATE INDEX outbox_channel ON outbox(channel, status);
    CREATE TABLE channel_state (
        name TEXT PRIMARY KEY,
        disabled_at TEXT,
        disabled_reason TEXT,
        disabled_target TEXT,
        last_digest_slot TEXT
    );
    """,
    # 3: stories (store/stories.py): one row per story, its members (with the shingles and
    # MinHash signature that rebuild the index after a restart, and the member's findings),
    # and the claims merged across members with the outlets carrying each.
    """
    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        first_alert_id TEXT,
        pruned_at TEXT
    );
    CREATE INDEX stories_live ON stories(pruned_at, last_seen);
    CREATE TABLE story_members (
        article_key TEXT PRIMARY KEY,
        story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
        source_id TEXT NOT NULL,
        outlet TEXT NOT NULL,
        title TEXT NOT NULL,
        url TEXT,
        published TEXT,
        first_seen TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        findings TEXT NOT NULL,
        numbers TEXT NOT NULL DEFAULT '[]',
        shingles BLOB,
        signature BLOB
    );
    CREATE INDEX story_members_story ON story_members(story_id, first_seen);
    CREATE TABLE story_claims (
        story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        finding TEXT NOT NULL,
        outlets TEXT NOT NULL,
        PRIMARY KEY (story_id, position)
    );
    """,
    # 4: stories as developments (issue 17): each member's lede (who speaks, which sites,
    # the statement's day) and its words (terms, for the IDF cosine); the document frequency
    # of each term over the live members (term -1 counts the members); a story absorbed by
    # another when a later report showed they were one development.
    """
    ALTER TABLE story_members ADD COLUMN lede TEXT;
    ALTER TABLE story_members ADD COLUMN terms BLOB;
    ALTER TABLE stories ADD COLUMN absorbed_by TEXT;
    ALTER TABLE stories ADD COLUMN absorbed_at TEXT;
    CREATE TABLE story_terms (
        term INTEGER PRIMARY KEY,
        df INTEGER NOT NULL
    );
    """,
]


def migrate(conn: sqlite3.Connection) -> int:
    """Apply pending migrations; return the schema version reached."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > len(MIGRATIONS):
        # A newer monitor wrote this state: running older code on it could corrupt it.
        raise StoreError(
            f"store: the state is at schema version {version}, newer than this monitor knows"
            f" ({len(MIGRATIONS)}); upgrade monitor or use another state_dir"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        # executescript commits first, so run the statements one by one inside BEGIN/COMMIT.
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process (a daemon starting beside `monitor healthcheck`) may have run it
            # between our read of user_version and the write lock: read it again under the lock.
            if int(conn.execute("PRAGMA user_version").fetchone()[0]) >= number:
                conn.execute("COMMIT")
                continue
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            # SQLite may already have rolled back (a full disk): a second ROLLBACK would hide
            # the real error behind "cannot rollback - no transaction is active".
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
