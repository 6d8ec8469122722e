"""The store's side of the pages: migrations 4-5 on an old state, search, pruning, read-only."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from monitor.errors import StoreError
from monitor.models import Claim, DateSpan, Finding, StoryClaim, StoryFilter, StoryMember, Verdict
from monitor.store import Store
from monitor.store.schema import MIGRATIONS, migrate
from monitor.store.search import extend_terms, match_expression, search_terms

NOW = datetime(2026, 1, 18, 12, tzinfo=UTC)


def _story(
    store: Store, sid: str, title: str, verdict: str = "consistent", *, at: datetime = NOW
) -> None:
    store.create_story(sid, title, at)
    member = StoryMember(f"{sid}-k", "src", "منفذ", title, None, at - timedelta(hours=1), at)
    claim = Claim(
        kind="withdrawal",
        sentence=f"{title} في أيلول 2026",
        date=DateSpan("أيلول 2026", date(2026, 9, 1), date(2026, 9, 30), "month"),
        places=("erbil",),
        destinations=("harir",),
    )
    finding = Finding(claim, Verdict(verdict, "erbil-mission-end", "r"))  # type: ignore[arg-type]
    store.save_member(sid, member, (finding,), shingles=b"", signature=b"", now=at)
    store.save_story_claims(sid, [StoryClaim(finding, ("منفذ",))])


def test_an_old_state_is_migrated_and_indexed(tmp_path: Path) -> None:
    """A state written before migration 4 gets its tags, claim columns and search terms."""
    path = tmp_path / "monitor.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    old = MIGRATIONS[:3]
    for number, script in enumerate(old, 1):
        assert isinstance(script, str)
        for statement in (s for s in script.split(";") if s.strip()):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.execute(
        "INSERT INTO stories (id, title, first_seen, last_seen) VALUES ('s', 't', ?, ?)",
        (NOW.isoformat(), NOW.isoformat()),
    )
    conn.execute(
        "INSERT INTO story_members (article_key, story_id, source_id, outlet, title, first_seen,"
        " updated_at, findings, published) VALUES ('k', 's', 'src', 'o',"
        " 'انسحاب القوات من قاعدة حرير', ?, ?, '[]', ?)",
        (NOW.isoformat(), NOW.isoformat(), "2026-01-17T08:00:00+00:00"),
    )
    finding = (
        '[{"claim": {"kind": "withdrawal", "sentence": "غادرت القوات أربيل",'
        ' "date": {"text": "x", "start": "2026-09-01", "end": "2026-09-30", "granularity": "month"},'
        ' "places": ["erbil"], "destinations": ["harir"]},'
        ' "verdict": {"verdict": "conflicting", "timeline_event": "erbil-mission-end", "reason": ""}}]'
    )
    conn.execute(
        "INSERT INTO story_claims (story_id, position, finding, outlets) VALUES ('s', 0, ?, '[]')",
        (finding,),
    )
    assert migrate(conn) == len(MIGRATIONS)
    conn.close()
    store = Store.open_readonly(tmp_path)
    try:
        rows = store.story_summaries(
            StoryFilter(verdict="conflicting", place="harir", query="بأربيل")
        )
        assert [r.id for r in rows] == ["s"]
        assert rows[0].last_published == datetime(2026, 1, 17, 8, tzinfo=UTC)
        assert store.story_summaries(StoryFilter(query="الانسحاب"))  # from the member's title
        points = store.claim_points(date(2026, 1, 1), date(2026, 12, 31))
        assert [(p.verdict, p.event_id, p.start) for p in points] == [
            ("conflicting", "erbil-mission-end", date(2026, 9, 1))
        ]
    finally:
        store.close()


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("أربيل", True),
        ("لأربيل", True),  # ل + أربيل
        ("وبأربيل", True),
        ("اربيل", True),  # alef variant
        ("القاعدة", False),
        ("غادروا", False),
        ("انسحابها", True),  # the title says الانسحاب
        ("من", True),  # a query of stop words alone still searches for them
        ("الانسحاب لندن", False),  # every word must match
    ],
)
def test_search_folds_clitics_and_letter_variants(query: str, found: bool) -> None:
    terms = set(search_terms(["الانسحاب من أربيل", "بيان"]).split())
    expression = match_expression(query)
    assert expression is not None
    groups = [set(g.strip("()").replace('"', "").split(" OR ")) for g in expression.split(" AND ")]
    assert all(g & terms for g in groups) is found


def test_a_query_without_words_matches_everything() -> None:
    assert match_expression("«»؟!") is None


def test_filters_and_paging(store: Store) -> None:
    for i in range(7):
        _story(store, f"s{i}", f"خبر رقم {i}", "conflicting" if i % 3 == 0 else "consistent",
               at=NOW + timedelta(hours=i))  # fmt: skip
    everything = store.story_summaries(StoryFilter(), limit=3)
    assert [s.id for s in everything] == ["s6", "s5", "s4"]  # most recent activity first
    assert [s.id for s in store.story_summaries(StoryFilter(), limit=3, offset=3)] == [
        "s3",
        "s2",
        "s1",
    ]
    conflicting = StoryFilter(verdict="conflicting")
    assert store.count_story_summaries(conflicting) == 3
    assert [s.id for s in store.story_summaries(conflicting)] == ["s6", "s3", "s0"]
    since = StoryFilter(since=NOW + timedelta(hours=5))
    assert {s.id for s in store.story_summaries(since)} == {"s5", "s6"}
    assert store.count_story_summaries(StoryFilter(place="harir")) == 7  # destinations count
    assert store.count_story_summaries(StoryFilter(place="baghdad")) == 0
    row = everything[0]
    assert (row.members, row.outlets, row.claims, row.verdicts) == (1, 1, 1, (("conflicting", 1),))


def test_extending_search_terms_adds_only_forms_they_lack_in_the_order_met() -> None:
    titles = ["انسحاب القوات من القاعدة", "القوات تغادر القاعدة", "انسحاب"]
    terms = search_terms(titles[:1])
    assert extend_terms(terms, titles[2:]) is None  # every form is there already
    assert extend_terms(terms, []) is None
    grown = extend_terms(terms, titles[1:])
    assert grown is not None and grown.startswith(terms + " ")
    assert grown == search_terms(titles) and extend_terms("", titles) == search_terms(titles)


def test_pruning_a_story_drops_its_search_terms_and_tags(store: Store) -> None:
    _story(store, "old", "انسحاب قديم", at=NOW - timedelta(days=60))
    _story(store, "new", "انسحاب جديد")
    store.prune_stories(NOW - timedelta(days=7), NOW - timedelta(days=30))
    assert [s.id for s in store.story_summaries(StoryFilter(query="انسحاب"))] == ["new"]
    assert store.conn.execute("SELECT count(*) FROM story_search").fetchone()[0] == 1
    assert (
        store.conn.execute("SELECT count(*) FROM story_tags WHERE story_id = 'old'").fetchone()[0]
        == 0
    )


def test_a_read_only_connection_cannot_write(tmp_path: Path) -> None:
    Store.open(tmp_path).close()
    store = Store.open_readonly(tmp_path)
    try:
        with pytest.raises(sqlite3.OperationalError):
            store.conn.execute("INSERT INTO meta (key, value) VALUES ('a', 'b')")
    finally:
        store.close()


def test_read_only_needs_a_migrated_state(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no state"):
        Store.open_readonly(tmp_path)
    conn = sqlite3.connect(tmp_path / "monitor.db")
    conn.execute("PRAGMA user_version = 2")
    conn.close()
    with pytest.raises(StoreError, match="schema version 2"):
        Store.open_readonly(tmp_path)


@pytest.mark.parametrize(
    "flt",
    [
        StoryFilter(verdict="conflicting"),
        StoryFilter(place="erbil"),
        StoryFilter(verdict="consistent", query="خبر"),
        StoryFilter(query="رقم"),
    ],
    ids=["verdict", "place", "verdict+words", "words"],
)
def test_both_ways_of_filtering_give_the_same_page(store: Store, flt: StoryFilter) -> None:
    """Walking the stories newest first (a common filter) and fetching the matches through
    their index (a rare one) are the same answer, page after page."""
    for i in range(40):
        _story(store, f"s{i:02}", f"خبر رقم {i}", "conflicting" if i % 4 == 0 else "consistent",
               at=NOW + timedelta(minutes=i))  # fmt: skip
    matching = store.count_story_summaries(flt)
    assert matching > 0
    for offset in (0, 5, 30):
        fetched = store.story_summaries(flt, limit=5, offset=offset)  # by the index
        walked = store.story_summaries(flt, limit=5, offset=offset, matching=10**6)  # walk
        assert [s.id for s in fetched] == [s.id for s in walked]


def test_a_join_adds_its_title_and_new_claims_to_the_search_terms(store: Store) -> None:
    _story(store, "s", "انسحاب القوات من أربيل")
    later = StoryMember("s-k2", "src2", "منفذ آخر", "تسليم قاعدة حرير", None, NOW, NOW)
    claim = Claim("handover", "سلّمت القوات قاعدة الحبانية إلى الجيش")
    finding = Finding(claim, Verdict("new", None, "r"))
    store.save_member("s", later, (finding,), shingles=b"", signature=b"", now=NOW)
    stored = store.load_story("s")
    assert stored is not None
    store.update_story_claims("s", stored.claims, [*stored.claims, StoryClaim(finding, ("x",))])
    for query in ("أربيل", "بتسليم", "الحبانية"):  # the first title, the join's title and claim
        assert [s.id for s in store.story_summaries(StoryFilter(query=query))] == ["s"], query
