"""The store: migrations, the daemon lock, entries and tombstones, source health, milestones."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.errors import StoreError
from monitor.models import FeedEntry, HttpCache, StoryMember
from monitor.store import Store
from monitor.store.schema import MIGRATIONS

NOW = datetime(2026, 1, 18, 9, 0, tzinfo=UTC)


def entry(key: str) -> FeedEntry:
    return FeedEntry(source_id="s", key=key, outlet="وكالة", title="عنوان", url=f"https://x/{key}")


def test_migrations_set_user_version(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
    # reopening applies nothing twice
    again = Store.open(tmp_path)
    assert again.integrity_ok()
    again.close()


def test_one_daemon_per_state_directory(tmp_path: Path) -> None:
    first = Store.open(tmp_path)
    with pytest.raises(StoreError, match="one daemon per state directory"):
        Store.open(tmp_path)
    reader = Store.open(tmp_path, lock=False)  # status/healthcheck read beside the daemon
    reader.close()
    first.close()
    Store.open(tmp_path).close()  # the lock is released on close


def test_transaction_rolls_back_on_error() -> None:
    store = Store.memory()
    with pytest.raises(RuntimeError), store.transaction():
        store.record_entry(entry("a"), feed_hash="h")
        raise RuntimeError("boom")
    assert store.known_keys(["a"]) == set()


def test_a_failed_commit_leaves_the_connection_usable() -> None:
    store = Store.memory()
    # A deferred foreign key is checked at COMMIT, which then fails.
    store.conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    store.conn.execute(
        "CREATE TABLE child (pid REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)"
    )
    with pytest.raises(StoreError) as failed, store.transaction():
        store.conn.execute("INSERT INTO child VALUES (1)")
    assert isinstance(failed.value.__cause__, sqlite3.IntegrityError)  # one line, cause kept
    assert not store.conn.in_transaction
    with store.transaction():
        store.set_meta("k", "v")
    assert store.get_meta("k") == "v"
    assert store.conn.execute("SELECT count(*) FROM child").fetchone()[0] == 0


def test_seen_entries_are_recorded_as_one_by_one_and_keep_what_was_read() -> None:
    one, many = Store.memory(), Store.memory()
    read = FeedEntry(source_id="s", key="r", outlet="o", title="قديم", url="https://x/r")
    for store in (one, many):
        with store.transaction():
            store.record_entry(read, feed_hash="h0", content_hash="c", relevant=True)
    with one.transaction():
        for e in (entry("a"), entry("b"), entry("r")):
            one.record_entry(e, feed_hash=f"h-{e.key}")
    with many.transaction():
        many.record_seen_entries((e, f"h-{e.key}") for e in (entry("a"), entry("b"), entry("r")))
    query = (
        "SELECT key, source_id, url, title, published, content_hash, feed_hash, relevant,"
        " story_id FROM entries ORDER BY key"
    )
    rows = many.conn.execute(query).fetchall()
    assert rows == one.conn.execute(query).fetchall()
    assert ("r", "s", "https://x/r", "عنوان", None, "c", "h-r", 1, None) in rows


def test_urls_with_validators() -> None:
    store = Store.memory()
    with store.transaction():
        store.save_http_cache("https://x/etag", HttpCache(etag='"1"'))
        store.save_http_cache("https://x/date", HttpCache(last_modified="Sun, 18 Jan 2026"))
        store.save_http_cache("https://x/none", HttpCache())
    urls = ["https://x/etag", "https://x/date", "https://x/none", "https://x/new"]
    assert store.urls_with_validators(urls) == {"https://x/etag", "https://x/date"}


def test_pruned_keys_stay_as_tombstones() -> None:
    store = Store.memory()
    with store.transaction():
        store.record_entry(entry("old"), feed_hash="h")
        store.record_entry(entry("new"), feed_hash="h")
        store.conn.execute(
            "UPDATE entries SET first_seen = ? WHERE key = 'old'",
            ((NOW - timedelta(days=90)).isoformat(),),
        )
        assert store.prune_entries(timedelta(days=30)) == 1
    assert store.count_entries() == 1
    assert store.known_keys(["old", "new", "other"]) == {"old", "new"}


def test_http_cache_roundtrip() -> None:
    store = Store.memory()
    assert store.http_caches(["u"]) == {}
    store.save_http_cache("u", HttpCache('"abc"', "Sun, 18 Jan 2026 08:00:00 GMT"))
    store.save_http_cache("v", HttpCache(None, "Mon, 19 Jan 2026 08:00:00 GMT"))
    found = store.http_caches(["u", "v", "w"])
    assert found == {
        "u": HttpCache('"abc"', "Sun, 18 Jan 2026 08:00:00 GMT"),
        "v": HttpCache(None, "Mon, 19 Jan 2026 08:00:00 GMT"),
    }
    store.save_http_cache("u", HttpCache('"def"', None))  # a 200 with new validators
    assert store.http_caches(["u"]) == {"u": HttpCache('"def"', None)}


def test_source_success_creates_or_resets_the_health_row() -> None:
    store = Store.memory()
    at = datetime(2026, 1, 18, 9, tzinfo=UTC)
    store.record_source_success("s", new_items=0, at=at)  # no row before
    health = store.get_health("s")
    assert health.last_success == at and health.last_new_item is None
    store.record_source_failure("s", kind="fetch", error="boom", at=at, next_attempt_at=None)
    later = at + timedelta(hours=1)
    store.record_source_success("s", new_items=3, at=later)
    health = store.get_health("s")
    assert health.consecutive_failures == 0 and health.last_error is None
    assert health.last_new_item == later
    store.record_source_success("s", new_items=0, at=later + timedelta(hours=1))
    assert store.get_health("s").last_new_item == later  # kept when nothing new came


def test_source_health_counts_and_resets() -> None:
    store = Store.memory()
    later = NOW + timedelta(minutes=30)
    n = store.record_source_failure("s", kind="fetch", error="503", at=NOW, next_attempt_at=later)
    n = store.record_source_failure(
        "s", kind="parse", error="bad xml", at=NOW, next_attempt_at=later
    )
    assert n == 2
    health = store.get_health("s")
    assert health.last_error_kind == "parse" and health.next_attempt_at == later
    assert store.claim_source_alert("s", "failure") is True
    assert store.claim_source_alert("s", "failure") is False  # told once
    store.record_source_success("s", new_items=3, at=later)
    health = store.get_health("s")
    assert health.consecutive_failures == 0 and health.last_new_item == later
    assert store.claim_source_alert("s", "failure") is True  # a new streak may alert again


def test_milestones_recorded_once() -> None:
    store = Store.memory()
    assert store.mark_milestone_completed("phase-one-end", "story-1", "alert-1")
    assert not store.mark_milestone_completed("phase-one-end", "story-2", "alert-2")
    assert store.completed_milestones() == {"phase-one-end": "story-1"}
    store.add_milestone_report("erbil-mission-end", "story-3", "conflicting")
    assert store.milestone_reports() == {"erbil-mission-end": {"conflicting": ["story-3"]}}


def test_a_completion_was_first_reported_by_its_earliest_dated_member() -> None:
    store = Store.memory()
    now = datetime(2026, 1, 20, tzinfo=UTC)
    store.create_story("story-1", "t", now)
    dated = [datetime(2026, 1, 18, 9, tzinfo=UTC), datetime(2026, 1, 17, 20, tzinfo=UTC), None]
    for i, published in enumerate(dated):
        member = StoryMember(f"k{i}", "src", "outlet", "t", None, published, now)
        store.save_member("story-1", member, (), shingles=b"", signature=b"", now=now)
    assert store.milestone_first_reports() == {}
    store.mark_milestone_completed("phase-one-end", "story-1", None)
    # the undated member (only a fetch time) says nothing about when
    assert store.milestone_first_reports() == {"phase-one-end": dated[1]}


def test_corrupt_database_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "monitor.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"is damaged .* move .* aside"):
        Store.open(tmp_path)


def test_sqlite_is_recent_enough() -> None:
    assert sqlite3.sqlite_version_info >= (3, 24)  # ON CONFLICT DO UPDATE


def test_a_state_from_a_newer_monitor_is_refused(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    store.conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    store.close()
    with pytest.raises(StoreError, match="newer than this monitor knows"):
        Store.open(tmp_path)


def test_old_tombstones_are_dropped_after_a_year() -> None:
    store = Store.memory()
    with store.transaction():
        store.conn.execute(
            "INSERT INTO tombstones (key, pruned_at) VALUES ('ancient', ?), ('recent', ?)",
            (
                (datetime.now(UTC) - timedelta(days=800)).isoformat(),
                (datetime.now(UTC) - timedelta(days=20)).isoformat(),
            ),
        )
        store.prune_entries(timedelta(days=30))
    assert store.known_keys(["ancient", "recent"]) == {"recent"}
