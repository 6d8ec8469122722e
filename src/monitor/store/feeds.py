"""Sources' health, HTTP validators, entries and their tombstones, milestones, cycles."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime, timedelta

from monitor.models import (
    ArticleFailure,
    CycleReport,
    FailureKind,
    FeedEntry,
    Finding,
    HttpCache,
    PageFetches,
    SourceHealth,
)
from monitor.store.base import chunked, from_db, to_db, utcnow

TOMBSTONE_KEEP = timedelta(days=365)
_HEALTH_COLUMNS = (
    "source_id, last_attempt, last_success, last_new_item, consecutive_failures, last_error,"
    " last_error_kind, next_attempt_at, pages_ok, pages_failed, pages_error, pages_at"
)


class FeedsMixin:
    conn: sqlite3.Connection

    # ------------------------------------------------------------------ HTTP cache

    def http_caches(self, urls: Iterable[str]) -> dict[str, HttpCache]:
        """The validators of each of ``urls`` that has a row (one query per chunk, not one
        per source: a cycle of unchanged feeds is mostly this bookkeeping)."""
        found: dict[str, HttpCache] = {}
        for chunk, marks in chunked(urls):
            rows = self.conn.execute(
                f"SELECT url, etag, last_modified FROM http_cache WHERE url IN ({marks})", chunk
            ).fetchall()
            found.update((r[0], HttpCache(r[1], r[2])) for r in rows)
        return found

    def urls_with_validators(self, urls: Iterable[str]) -> set[str]:
        """Which of ``urls`` have an ETag or a Last-Modified to send (a conditional GET)."""
        found: set[str] = set()
        for chunk, marks in chunked(urls):
            rows = self.conn.execute(
                f"SELECT url FROM http_cache WHERE url IN ({marks})"
                " AND (etag IS NOT NULL OR last_modified IS NOT NULL)",
                chunk,
            ).fetchall()
            found.update(r[0] for r in rows)
        return found

    def save_http_cache(self, url: str, cache: HttpCache) -> None:
        self.conn.execute(
            "INSERT INTO http_cache (url, etag, last_modified, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(url) DO UPDATE SET etag = excluded.etag,"
            " last_modified = excluded.last_modified, updated_at = excluded.updated_at",
            (url, cache.etag, cache.last_modified, to_db(utcnow())),
        )

    # ------------------------------------------------------------------ source health

    def get_health(self, source_id: str) -> SourceHealth:
        row = self.conn.execute(
            f"SELECT {_HEALTH_COLUMNS} FROM source_health WHERE source_id = ?",
            (source_id,),
        ).fetchone()
        return _health(row) if row else SourceHealth(source_id)

    def all_health(self) -> list[SourceHealth]:
        rows = self.conn.execute(
            f"SELECT {_HEALTH_COLUMNS} FROM source_health ORDER BY source_id"
        ).fetchall()
        return [_health(r) for r in rows]

    def record_source_success(self, source_id: str, *, new_items: int, at: datetime) -> None:
        """A good fetch resets the failure count; ``new_items`` feeds the silence check."""
        when = to_db(at)
        # One statement, row or no row yet: most polls of a cycle land here.
        self.conn.execute(
            "INSERT INTO source_health (source_id, last_attempt, last_success, last_new_item)"
            " VALUES (?, ?, ?, CASE WHEN ? > 0 THEN ? END)"
            " ON CONFLICT(source_id) DO UPDATE SET last_attempt = excluded.last_attempt,"
            " last_success = excluded.last_success,"
            " consecutive_failures = 0, last_error = NULL, last_error_kind = NULL,"
            " next_attempt_at = NULL, failure_alerted = 0,"
            " last_new_item = coalesce(excluded.last_new_item, last_new_item),"
            " silence_alerted = CASE WHEN ? > 0 THEN 0 ELSE silence_alerted END",
            (source_id, when, when, new_items, when, new_items),
        )

    def record_source_failure(
        self,
        source_id: str,
        *,
        kind: FailureKind,
        error: str,
        at: datetime,
        next_attempt_at: datetime | None,
    ) -> int:
        """Count a failure; returns the number of consecutive failures so far."""
        self._ensure_health(source_id)
        self.conn.execute(
            "UPDATE source_health SET last_attempt = ?, consecutive_failures ="
            " consecutive_failures + 1, last_error = ?, last_error_kind = ?, next_attempt_at = ?"
            " WHERE source_id = ?",
            (to_db(at), error[:500], kind, to_db(next_attempt_at), source_id),
        )
        return self.get_health(source_id).consecutive_failures

    def record_page_fetches(self, source_id: str, pages: PageFetches, at: datetime) -> None:
        """Keep what the article pages of this fetch did (only fetches that asked for pages)."""
        self._ensure_health(source_id)
        self.conn.execute(
            "UPDATE source_health SET pages_ok = ?, pages_failed = ?, pages_error = ?,"
            " pages_at = ? WHERE source_id = ?",
            (pages.ok, pages.failed, (pages.first_error or "")[:500] or None, to_db(at), source_id),
        )

    def claim_source_alert(self, source_id: str, which: str) -> bool:
        """Mark that the operator was told about ``which`` ("failure" or "silence") once."""
        column = {"failure": "failure_alerted", "silence": "silence_alerted"}[which]
        self._ensure_health(source_id)
        cur = self.conn.execute(
            f"UPDATE source_health SET {column} = 1 WHERE source_id = ? AND {column} = 0",
            (source_id,),
        )
        return cur.rowcount == 1

    def _ensure_health(self, source_id: str) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO source_health (source_id) VALUES (?)", (source_id,)
        )

    # ------------------------------------------------------------------ entries

    def known_keys(self, keys: Iterable[str]) -> set[str]:
        """The keys already seen: live entries and tombstones of pruned ones."""
        found: set[str] = set()
        for chunk, marks in chunked(keys):
            for table in ("entries", "tombstones"):
                rows = self.conn.execute(
                    f"SELECT key FROM {table} WHERE key IN ({marks})", chunk
                ).fetchall()
                found.update(r[0] for r in rows)
        return found

    def feed_hashes(self, keys: Iterable[str]) -> dict[str, str | None]:
        """The feed-side fingerprint of known entries, to notice items edited in place."""
        out: dict[str, str | None] = {}
        for chunk, marks in chunked(keys):
            rows = self.conn.execute(
                f"SELECT key, feed_hash FROM entries WHERE key IN ({marks})", chunk
            ).fetchall()
            out.update((r[0], r[1]) for r in rows)
        return out

    def content_hash(self, key: str) -> str | None:
        row = self.conn.execute("SELECT content_hash FROM entries WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def processed_entries(self) -> list[tuple[str | None, bool, str | None]]:
        """Every processed entry: (url, relevant, its story now, after any merge)."""
        rows = self.conn.execute(
            "SELECT e.url, e.relevant, COALESCE(m.story_id, e.story_id) FROM entries e"
            " LEFT JOIN story_members m ON m.article_key = e.key"
            " WHERE e.relevant IS NOT NULL ORDER BY e.first_seen, e.rowid"
        ).fetchall()
        return [(r[0], bool(r[1]), r[2]) for r in rows]

    def record_entry(
        self,
        entry: FeedEntry,
        *,
        feed_hash: str,
        content_hash: str | None = None,
        relevant: bool | None = None,
        story_id: str | None = None,
    ) -> None:
        """Insert or update one processed entry (matched or not) so it is not fetched again."""
        self.conn.execute(
            "INSERT INTO entries (key, source_id, url, title, published, first_seen,"
            " content_hash, feed_hash, relevant, story_id) VALUES (?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT(key) DO UPDATE SET title = excluded.title,"
            " content_hash = COALESCE(excluded.content_hash, content_hash),"
            " feed_hash = excluded.feed_hash,"
            " relevant = COALESCE(excluded.relevant, relevant),"
            " story_id = COALESCE(excluded.story_id, story_id)",
            (
                entry.key,
                entry.source_id,
                entry.url,
                entry.title,
                to_db(entry.published),
                to_db(utcnow()),
                content_hash,
                feed_hash,
                None if relevant is None else int(relevant),
                story_id,
            ),
        )

    def record_seen_entries(self, entries: Iterable[tuple[FeedEntry, str]]) -> None:
        """Record entries only listed, not read (``record_entry`` without content), each
        with its feed hash: one statement for a feed's worth of them."""
        now = to_db(utcnow())
        rows = [
            (e.key, e.source_id, e.url, e.title, to_db(e.published), now, feed_hash)
            for e, feed_hash in entries
        ]
        if not rows:  # an unchanged feed lists nothing new
            return
        self.conn.executemany(
            "INSERT INTO entries (key, source_id, url, title, published, first_seen,"
            " feed_hash) VALUES (?,?,?,?,?,?,?)"
            " ON CONFLICT(key) DO UPDATE SET title = excluded.title,"
            " feed_hash = excluded.feed_hash",
            rows,
        )

    def count_entries(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM entries").fetchone()[0])

    def prune_entries(self, older_than: timedelta) -> int:
        """Drop entries first seen before the window; their keys stay as tombstones."""
        cutoff = to_db(utcnow() - older_than)
        now = to_db(utcnow())
        self.conn.execute(
            "INSERT OR IGNORE INTO tombstones (key, pruned_at)"
            " SELECT key, ? FROM entries WHERE first_seen < ?",
            (now, cutoff),
        )
        cur = self.conn.execute("DELETE FROM entries WHERE first_seen < ?", (cutoff,))
        # A feed re-lists an item for weeks, not years: tombstones older than a year can go.
        self.conn.execute(
            "DELETE FROM tombstones WHERE pruned_at < ?",
            (to_db(utcnow() - TOMBSTONE_KEEP),),
        )
        return cur.rowcount

    # ------------------------------------------------------------------ poison articles

    def record_article_failure(self, entry: FeedEntry, error: str, at: datetime) -> int:
        """Count one more failure of ``entry``'s processing; returns the count so far."""
        self.conn.execute(
            "INSERT INTO article_failures (key, source_id, url, title, failures, last_error,"
            " first_failed, last_failed) VALUES (?, ?, ?, ?, 1, ?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET failures = failures + 1,"
            " last_error = excluded.last_error, last_failed = excluded.last_failed",
            (entry.key, entry.source_id, entry.url, entry.title[:300], error[:500],
             to_db(at), to_db(at)),
        )  # fmt: skip
        row = self.conn.execute(
            "SELECT failures FROM article_failures WHERE key = ?", (entry.key,)
        ).fetchone()
        return int(row[0])

    def quarantine_article(self, entry: FeedEntry, at: datetime, *, feed_hash: str) -> None:
        """Give up on ``entry``: recorded as seen (never retried), kept in the failures."""
        self.conn.execute(
            "UPDATE article_failures SET quarantined_at = ? WHERE key = ?", (to_db(at), entry.key)
        )
        self.record_entry(entry, feed_hash=feed_hash)

    def clear_article_failure(self, key: str) -> None:
        """The article went through after all: forget its earlier failures."""
        self.conn.execute(
            "DELETE FROM article_failures WHERE key = ? AND quarantined_at IS NULL", (key,)
        )

    def article_failures(self, *, quarantined: bool, limit: int = 20) -> list[ArticleFailure]:
        """Articles that failed and are quarantined (or still retried), newest first."""
        where = "IS NOT NULL" if quarantined else "IS NULL"
        rows = self.conn.execute(
            "SELECT key, source_id, url, title, failures, last_error, last_failed,"
            f" quarantined_at FROM article_failures WHERE quarantined_at {where}"
            " ORDER BY last_failed DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [
            ArticleFailure(
                key=r[0], source_id=r[1], url=r[2], title=r[3], failures=int(r[4]),
                last_error=r[5] or "", last_failed=from_db(r[6]) or utcnow(),
                quarantined_at=from_db(r[7]),
            )
            for r in rows
        ]  # fmt: skip

    def count_quarantined(self) -> int:
        row = self.conn.execute(
            "SELECT count(*) FROM article_failures WHERE quarantined_at IS NOT NULL"
        ).fetchone()
        return int(row[0])

    # ------------------------------------------------------------------ milestones

    def completed_milestones(self) -> dict[str, str]:
        """Event id -> the story that reported it completed."""
        rows = self.conn.execute(
            "SELECT event_id, story_id FROM milestones WHERE status = 'completed'"
        ).fetchall()
        return {r[0]: r[1] or "" for r in rows}

    def mark_milestone_completed(self, event_id: str, story_id: str, alert_id: str | None) -> bool:
        """Record a completion once; returns False when it was already recorded."""
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO milestones (event_id, status, story_id, alert_id, updated_at)"
            " VALUES (?, 'completed', ?, ?, ?)",
            (event_id, story_id, alert_id, to_db(utcnow())),
        )
        return cur.rowcount == 1

    def milestone_first_reports(self) -> dict[str, datetime]:
        """Event id -> the earliest publication time among the members of the story that
        completed it: when the completion was first reported. Members with no publication
        time of their own (only a fetch time) say nothing about when."""
        rows = self.conn.execute(  # one row per event; the smallest time from the index
            "SELECT m.event_id, (SELECT MIN(sm.published) FROM story_members sm"
            " WHERE sm.story_id = m.story_id AND sm.published IS NOT NULL)"
            " FROM milestones m WHERE m.status = 'completed'"
        ).fetchall()
        out = {}
        for event_id, published in rows:
            when = from_db(published)
            if when is not None:
                out[event_id] = when
        return out

    def add_milestone_report(self, event_id: str, story_id: str, verdict: str) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO milestone_reports (event_id, story_id, verdict, reported_at)"
            " VALUES (?, ?, ?, ?)",
            (event_id, story_id, verdict, to_db(utcnow())),
        )

    def record_milestones(
        self, findings: Iterable[Finding], story_id: str, alert_id: str | None
    ) -> None:
        """Each verdict a story gave a timeline event; a completion marks the milestone."""
        for finding in findings:
            event = finding.verdict.timeline_event
            if not event:
                continue
            self.add_milestone_report(event, story_id, finding.verdict.verdict)
            if finding.verdict.verdict == "completed":
                self.mark_milestone_completed(event, story_id, alert_id)

    def milestone_reports(self) -> dict[str, dict[str, list[str]]]:
        """Event id -> verdict -> story ids, for ``monitor timeline``."""
        out: dict[str, dict[str, list[str]]] = {}
        rows = self.conn.execute(
            "SELECT event_id, verdict, story_id FROM milestone_reports ORDER BY reported_at"
        ).fetchall()
        for event_id, verdict, story_id in rows:
            out.setdefault(event_id, {}).setdefault(verdict, []).append(story_id)
        return out

    # ------------------------------------------------------------------ cycles and meta

    def record_cycle(self, report: CycleReport, ok: bool) -> None:
        summary = report.summary
        self.conn.execute(
            "INSERT INTO cycles (started_at, finished_at, ok, summary) VALUES (?, ?, ?, ?)",
            (to_db(report.started_at), to_db(report.finished_at), int(ok), json.dumps(summary)),
        )
        self.conn.execute("DELETE FROM cycles WHERE id < (SELECT max(id) - 1000 FROM cycles)")

    def last_cycle(self, *, ok_only: bool = False) -> tuple[datetime, bool, dict[str, int]] | None:
        where = "WHERE ok = 1" if ok_only else ""
        row = self.conn.execute(
            f"SELECT finished_at, ok, summary FROM cycles {where} ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if not row:
            return None
        finished = from_db(row[0])
        assert finished is not None
        return finished, bool(row[1]), json.loads(row[2] or "{}")

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def _health(row: tuple[object, ...]) -> SourceHealth:
    return SourceHealth(
        source_id=str(row[0]),
        last_attempt=from_db(row[1]),  # type: ignore[arg-type]
        last_success=from_db(row[2]),  # type: ignore[arg-type]
        last_new_item=from_db(row[3]),  # type: ignore[arg-type]
        consecutive_failures=int(row[4]),  # type: ignore[call-overload]
        last_error=row[5],  # type: ignore[arg-type]
        last_error_kind=row[6],  # type: ignore[arg-type]
        next_attempt_at=from_db(row[7]),  # type: ignore[arg-type]
        pages=None
        if row[8] is None
        else PageFetches(
            ok=int(row[8]),  # type: ignore[call-overload]
            failed=int(row[9]),  # type: ignore[call-overload]
            first_error=row[10],  # type: ignore[arg-type]
            at=from_db(row[11]),  # type: ignore[arg-type]
        ),
    )
