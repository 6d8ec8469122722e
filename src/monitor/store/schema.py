"""Schema migrations: an append-only list; ``PRAGMA user_version`` holds how many have run.

Each migration runs in its own transaction together with the version bump, so a failed one
rolls back and stays pending. Never edit or reorder a migration that has shipped: append.
A migration is SQL, or a function of the connection for what SQL cannot compute (the search
terms of stories stored before the search existed).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from monitor.errors import StoreError
from monitor.store.search import search_terms

Migration = str | Callable[[sqlite3.Connection], None]


def _index_stored_stories(conn: sqlite3.Connection) -> None:
    """Search terms of the stories already stored (migration 6; new ones: save_story_claims)."""
    rows = conn.execute(
        "SELECT s.search_rowid,"
        " (SELECT group_concat(m.title, char(10)) FROM story_members m WHERE m.story_id = s.id),"
        " (SELECT group_concat(json_extract(c.finding, '$[0].claim.sentence'), char(10))"
        "  FROM story_claims c WHERE c.story_id = s.id)"
        " FROM stories s"
    ).fetchall()
    conn.executemany(
        "INSERT INTO story_search (rowid, terms) VALUES (?, ?)",
        [(r[0], search_terms([r[1] or "", r[2] or ""])) for r in rows],
    )


MIGRATIONS: list[Migration] = [
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
    # 4: the article pages of each source's last fetch that asked for any (``monitor status``
    # shows a source whose feed is fine but whose pages fail).
    """
    ALTER TABLE source_health ADD COLUMN pages_ok INTEGER;
    ALTER TABLE source_health ADD COLUMN pages_failed INTEGER;
    ALTER TABLE source_health ADD COLUMN pages_error TEXT;
    ALTER TABLE source_health ADD COLUMN pages_at TEXT;
    """,
    # 5: the reading room's page queries (store/pages.py). Claims carry their verdict, event and
    # stated dates as columns (the timeline plots them); story_tags lists each story's verdicts
    # and places (the stories page filters on them); story_search holds each story's search
    # terms (store/search.py), keyed by stories.search_rowid, a copy of the rowid that VACUUM
    # cannot renumber. The backfill of what is already stored is SQL here, the terms in 6.
    """
    ALTER TABLE stories ADD COLUMN last_published TEXT;
    ALTER TABLE stories ADD COLUMN search_rowid INTEGER;
    UPDATE stories SET search_rowid = rowid;
    UPDATE stories SET last_published =
        (SELECT max(m.published) FROM story_members m WHERE m.story_id = stories.id);
    CREATE UNIQUE INDEX stories_search_rowid ON stories(search_rowid);
    CREATE INDEX stories_recent ON stories(last_seen, last_published);
    ALTER TABLE story_claims ADD COLUMN verdict TEXT;
    ALTER TABLE story_claims ADD COLUMN event_id TEXT;
    ALTER TABLE story_claims ADD COLUMN date_start TEXT;
    ALTER TABLE story_claims ADD COLUMN date_end TEXT;
    UPDATE story_claims SET
        verdict = json_extract(finding, '$[0].verdict.verdict'),
        event_id = json_extract(finding, '$[0].verdict.timeline_event'),
        date_start = json_extract(finding, '$[0].claim.date.start'),
        date_end = json_extract(finding, '$[0].claim.date.end');
    CREATE INDEX story_claims_dated ON story_claims(date_start) WHERE date_start IS NOT NULL;
    CREATE TABLE story_tags (
        tag TEXT NOT NULL,
        story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
        PRIMARY KEY (tag, story_id)
    ) WITHOUT ROWID;
    CREATE INDEX story_tags_story ON story_tags(story_id);
    INSERT OR IGNORE INTO story_tags (tag, story_id)
        SELECT 'verdict:' || verdict, story_id FROM story_claims WHERE verdict IS NOT NULL;
    INSERT OR IGNORE INTO story_tags (tag, story_id)
        SELECT 'place:' || p.value, c.story_id
        FROM story_claims c, json_each(c.finding, '$[0].claim.places') p;
    INSERT OR IGNORE INTO story_tags (tag, story_id)
        SELECT 'place:' || p.value, c.story_id
        FROM story_claims c, json_each(c.finding, '$[0].claim.destinations') p;
    CREATE VIRTUAL TABLE story_search USING fts5(terms, tokenize = 'unicode61 remove_diacritics 0');
    CREATE INDEX alerts_kind ON alerts(kind, created_at);
    """,
    # 6: search terms of the stories stored before 5.
    _index_stored_stories,
    # 7: articles whose processing raised (issue 13): counted per entry; after
    # QUARANTINE_AFTER failures the entry is quarantined (recorded as seen, shown by status).
    """
    CREATE TABLE article_failures (
        key TEXT PRIMARY KEY,
        source_id TEXT NOT NULL,
        url TEXT,
        title TEXT NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        first_failed TEXT NOT NULL,
        last_failed TEXT NOT NULL,
        quarantined_at TEXT
    );
    """,
    # 8: stories as developments (issue 17): each member's lede (who speaks, which sites,
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
    # 9: what a restart reads per live member to rebuild the story index, in a narrow table
    # of its own (story_members rows are wide: reading a column after their findings and
    # shingles walks overflow pages, 100,000 of them at a restart): the MinHash signature and
    # the development signature in a compact text (stories/match.py), which spares decoding
    # the findings and deriving it again. Rows of stories retired are deleted. The backfill
    # copies the live rows; their development signatures stay NULL until the first restart
    # derives them and writes them back.
    """
    CREATE TABLE story_index (
        article_key TEXT PRIMARY KEY,
        story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
        published TEXT,
        first_seen TEXT NOT NULL,
        signature BLOB NOT NULL,
        event TEXT
    );
    CREATE INDEX story_index_story ON story_index(story_id);
    INSERT INTO story_index (article_key, story_id, published, first_seen, signature)
        SELECT article_key, story_id, published, first_seen, signature FROM story_members
        WHERE signature IS NOT NULL ORDER BY rowid;
    """,
    # 10: the stories page lists only stories not absorbed into another (store/pages.py), newest
    # first: a partial index in that order, so the page still stops after 50 rows; a story
    # page lists the stories it absorbed.
    """
    CREATE INDEX stories_listed ON stories(last_seen, last_published) WHERE absorbed_by IS NULL;
    CREATE INDEX stories_absorbed_by ON stories(absorbed_by) WHERE absorbed_by IS NOT NULL;
    """,
    # 11: when each completed milestone was first reported (the earliest publication time
    # among its story's members) is read for every article a cycle analyses: from the wide
    # member rows it took ~1.8 ms at 3,000 articles (a 300-member story), from this index the
    # smallest time is one lookup.
    """
    CREATE INDEX story_members_published ON story_members(story_id, published);
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
            if callable(script):
                script(conn)
            else:
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
