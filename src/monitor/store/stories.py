"""Stories: one row per story, its members (outlet copies) and the claims merged across them.

A member row keeps the shingle hashes and terms (exact Jaccard and IDF cosine, read only for
the few candidates of a lookup), the member's findings and lede (merged claims, and its
development signature for rows stored before that was kept). What rebuilds the in-memory
story index after a restart is in the narrow ``story_index`` table, one row per live member:
the MinHash signature (LSH) and the development signature in its compact stored form
(``stories.match``), so a restart reads neither findings nor wide rows. ``story_terms`` counts, per term, the live members holding it (the window's
document frequencies; term -1 counts the members), kept as members join and stories retire.
Pruning a story clears the blobs and marks it ``pruned_at``; its rows (and so its article
keys) stay as tombstones until ``drop_before``, so an old article edited in place finds its
story again. A story absorbed by another (one development, shown by a later report) hands
its members over and keeps its row, pruned, with ``absorbed_by``.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np

from monitor.models import (
    Claim,
    DateSpan,
    Finding,
    Lede,
    MemberIndexRows,
    MemberState,
    Quantity,
    Story,
    StoryClaim,
    StoryMember,
    Terms,
    Verdict,
)
from monitor.store.base import MAX_PARAMS, chunked, from_db, json_default, plain, to_db
from monitor.store.search import extend_terms, search_terms

_MEMBER_COLUMNS = "story_id, article_key, source_id, outlet, title, url, published, first_seen"
_DOCUMENTS = -1  # the story_terms row that counts the members


class StoriesMixin:
    conn: sqlite3.Connection

    # ------------------------------------------------------------------ writes

    def create_story(self, story_id: str, title: str, first_seen: datetime) -> None:
        self.conn.execute(
            "INSERT INTO stories (id, title, first_seen, last_seen, search_rowid)"
            " VALUES (?, ?, ?, ?, (SELECT coalesce(max(search_rowid), 0) + 1 FROM stories))",
            (story_id, title, to_db(first_seen), to_db(first_seen)),
        )

    def save_member(
        self,
        story_id: str,
        member: StoryMember,
        findings: Sequence[Finding],
        *,
        numbers: Sequence[int] = (),
        shingles: bytes,
        signature: bytes,
        now: datetime,
        lede: Lede | None = None,
        terms: Terms | None = None,
        event: str | None = None,
    ) -> None:
        """Insert or replace one member (an article edited in place keeps its ``first_seen``).

        ``terms`` are counted into ``story_terms``, the earlier version's taken out first;
        ``event`` is its development signature in the stored form (``stories.match``).
        """
        old = self.member_terms([member.article_key]).get(member.article_key)
        if old is not None:
            self._count_terms(old, -1)
        self.conn.execute(
            "INSERT INTO story_members (article_key, story_id, source_id, outlet, title, url,"
            " published, first_seen, updated_at, findings, numbers, shingles, signature, lede,"
            " terms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(article_key) DO UPDATE"
            " SET story_id = excluded.story_id, source_id = excluded.source_id,"
            " outlet = excluded.outlet, title = excluded.title, url = excluded.url,"
            " published = excluded.published, updated_at = excluded.updated_at,"
            " findings = excluded.findings, numbers = excluded.numbers,"
            " shingles = excluded.shingles, signature = excluded.signature,"
            " lede = excluded.lede, terms = excluded.terms",
            (
                member.article_key,
                story_id,
                member.source_id,
                member.outlet,
                member.title,
                member.url,
                to_db(member.published),
                to_db(member.first_seen),
                to_db(now),
                encode_findings(findings),
                json.dumps(list(numbers)),
                shingles,
                signature,
                json.dumps(dataclasses.asdict(lede or Lede()), default=json_default),
                pack(terms) if terms is not None else None,
            ),
        )
        self.conn.execute(
            "INSERT INTO story_index (article_key, story_id, published, first_seen, signature,"
            " event) VALUES (?,?,?,?,?,?) ON CONFLICT(article_key) DO UPDATE"
            " SET story_id = excluded.story_id, published = excluded.published,"
            " signature = excluded.signature, event = excluded.event",
            (
                member.article_key,
                story_id,
                to_db(member.published),
                to_db(member.first_seen),
                signature,
                event,
            ),
        )
        if terms is not None:
            self._count_terms(terms, 1)
        self._extend_search(story_id, [member.title])
        published = to_db(member.published)
        self.conn.execute(
            "UPDATE stories SET last_seen = max(last_seen, ?1), pruned_at = NULL,"
            " last_published = CASE WHEN ?2 IS NOT NULL"
            " AND (last_published IS NULL OR ?2 > last_published) THEN ?2 ELSE last_published END"
            " WHERE id = ?3",
            (to_db(now), published, story_id),
        )

    def _count_terms(self, terms: Terms, sign: int) -> None:
        """Add (1) or take out (-1) one member's terms in the window's document frequencies."""
        self.conn.executemany(
            "INSERT INTO story_terms (term, df) VALUES (?, ?)"
            " ON CONFLICT(term) DO UPDATE SET df = max(0, df + excluded.df)",
            [(t, sign) for t in [*terms.ids.tolist(), _DOCUMENTS]],
        )

    def absorb_story(self, keep: str, gone: str, at: datetime) -> None:
        """Move ``gone``'s members into ``keep`` and retire ``gone`` as absorbed by it.

        ``keep`` takes ``gone``'s first alert when it has none, so later updates refer to
        the alert users saw; the caller saves ``keep``'s merged claims (which refreshes its
        tags and search terms). ``gone`` keeps its row, pruned, with ``absorbed_by``.
        """
        self.conn.execute("UPDATE story_members SET story_id = ? WHERE story_id = ?", (keep, gone))
        self.conn.execute("UPDATE story_index SET story_id = ? WHERE story_id = ?", (keep, gone))
        self.conn.execute(
            "UPDATE stories SET first_alert_id = COALESCE(first_alert_id,"
            " (SELECT first_alert_id FROM stories WHERE id = ?2)),"
            " last_seen = max(last_seen, (SELECT last_seen FROM stories WHERE id = ?2)),"
            " last_published = (SELECT max(published) FROM story_members WHERE story_id = ?1)"
            " WHERE id = ?1",
            (keep, gone),
        )
        self.conn.execute("DELETE FROM story_claims WHERE story_id = ?", (gone,))
        self.conn.execute("DELETE FROM story_tags WHERE story_id = ?", (gone,))
        self.conn.execute(
            "DELETE FROM story_search WHERE rowid = (SELECT search_rowid FROM stories WHERE id = ?)",
            (gone,),
        )
        self.conn.execute(
            "UPDATE stories SET absorbed_by = ?, absorbed_at = ?, pruned_at = ? WHERE id = ?",
            (keep, to_db(at), to_db(at), gone),
        )

    def absorbed_into(self, story_id: str) -> str | None:
        """The story that absorbed ``story_id`` (followed to the end), or None."""
        seen = {story_id}
        current: str | None = None
        while True:
            row = self.conn.execute(
                "SELECT absorbed_by FROM stories WHERE id = ?", (current or story_id,)
            ).fetchone()
            if not row or row[0] is None or row[0] in seen:
                return current
            current = str(row[0])
            seen.add(current)

    def save_story_claims(self, story_id: str, claims: Sequence[StoryClaim]) -> None:
        """Replace the story's merged claims (recomputed from its members by the caller).

        Also refreshes what the reading room's pages query: the claims' verdict, event and
        dates as columns, the story's verdict and place tags and its search terms.
        """
        self.conn.execute("DELETE FROM story_claims WHERE story_id = ?", (story_id,))
        self.conn.executemany(
            "INSERT INTO story_claims (story_id, position, finding, outlets, verdict, event_id,"
            " date_start, date_end) VALUES (?,?,?,?,?,?,?,?)",
            [(story_id, i, *_claim_columns(c)) for i, c in enumerate(claims)],
        )
        self.conn.execute("DELETE FROM story_tags WHERE story_id = ?", (story_id,))
        self.conn.executemany(
            "INSERT OR IGNORE INTO story_tags (tag, story_id) VALUES (?, ?)",
            [(tag, story_id) for tag in _tags(claims)],
        )
        self._index_story(story_id, [c.finding.claim.sentence for c in claims])

    def _index_story(self, story_id: str, sentences: Sequence[str]) -> None:
        """Replace the story's search terms: its members' titles and its claims' sentences."""
        row = self.conn.execute(
            "SELECT search_rowid FROM stories WHERE id = ?", (story_id,)
        ).fetchone()
        if row is None or row[0] is None:
            return
        titles = [
            r[0]
            for r in self.conn.execute(
                "SELECT title FROM story_members WHERE story_id = ?", (story_id,)
            )
        ]
        self.conn.execute("DELETE FROM story_search WHERE rowid = ?", (row[0],))
        self.conn.execute(
            "INSERT INTO story_search (rowid, terms) VALUES (?, ?)",
            (row[0], search_terms([*titles, *sentences])),
        )

    def update_story_claims(
        self, story_id: str, before: Sequence[StoryClaim], after: Sequence[StoryClaim]
    ) -> None:
        """``save_story_claims`` for a join, writing only the merged claims that changed (a
        join adds a claim or an outlet to one) and the tags they bring. A change that drops a
        claim (an edit in place) rewrites them all."""
        if len(after) < len(before):
            self.save_story_claims(story_id, after)
            return
        # a join brings new claims, or new outlets to claims the story has: only the former
        # bring a finding, tags and words the rows do not hold yet
        fresh = [
            (i, c)
            for i, c in enumerate(after)
            if i >= len(before) or before[i].finding is not c.finding
        ]
        moved = [
            (json.dumps(list(c.outlets)), story_id, i)
            for i, c in enumerate(after[: len(before)])
            if before[i].finding is c.finding and before[i].outlets != c.outlets
        ]
        self.conn.executemany(
            "INSERT INTO story_claims (story_id, position, finding, outlets, verdict, event_id,"
            " date_start, date_end) VALUES (?,?,?,?,?,?,?,?)"
            " ON CONFLICT(story_id, position) DO UPDATE SET finding = excluded.finding,"
            " outlets = excluded.outlets, verdict = excluded.verdict,"
            " event_id = excluded.event_id, date_start = excluded.date_start,"
            " date_end = excluded.date_end",
            [(story_id, i, *_claim_columns(c)) for i, c in fresh],
        )
        self.conn.executemany(
            "UPDATE story_claims SET outlets = ? WHERE story_id = ? AND position = ?", moved
        )
        self.conn.executemany(
            "INSERT OR IGNORE INTO story_tags (tag, story_id) VALUES (?, ?)",
            [(tag, story_id) for tag in _tags([c for _, c in fresh])],
        )
        self._extend_search(story_id, [c.finding.claim.sentence for _, c in fresh])

    def _extend_search(self, story_id: str, texts: Sequence[str]) -> None:
        """Add the word forms of ``texts`` to the story's search terms (a join, in time that
        does not grow with the story; ``_index_story`` rebuilds them when something goes)."""
        if not texts:
            return
        row = self.conn.execute(
            "SELECT s.rowid, s.terms FROM stories t JOIN story_search s"
            " ON s.rowid = t.search_rowid WHERE t.id = ?",
            (story_id,),
        ).fetchone()
        if row is None:  # a story created before its search row: the next rebuild adds it
            row = self.conn.execute(
                "SELECT search_rowid, '' FROM stories WHERE id = ?", (story_id,)
            ).fetchone()
            if row is None or row[0] is None:
                return
        extended = extend_terms(row[1] or "", texts)
        if extended is None:
            return
        self.conn.execute("DELETE FROM story_search WHERE rowid = ?", (row[0],))
        self.conn.execute(
            "INSERT INTO story_search (rowid, terms) VALUES (?, ?)", (row[0], extended)
        )

    def set_story_alert(self, story_id: str, alert_id: str) -> None:
        """Record the story's first alert (later calls keep the first)."""
        self.conn.execute(
            "UPDATE stories SET first_alert_id = COALESCE(first_alert_id, ?) WHERE id = ?",
            (alert_id, story_id),
        )

    def prune_stories(self, before: datetime, drop_before: datetime) -> list[str]:
        """Retire live stories last seen before ``before``; delete those before ``drop_before``.

        Returns:
            The ids retired now (the caller drops them from its index).
        """
        retired = [
            r[0]
            for r in self.conn.execute(
                "SELECT id FROM stories WHERE pruned_at IS NULL AND last_seen < ?",
                (to_db(before),),
            )
        ]
        for chunk, marks in chunked(retired):
            for (blob,) in self.conn.execute(
                f"SELECT terms FROM story_members WHERE story_id IN ({marks})"
                " AND terms IS NOT NULL",
                chunk,
            ).fetchall():
                self._count_terms(unpack(bytes(blob)), -1)
            self.conn.execute(
                f"UPDATE story_members SET shingles = NULL, signature = NULL, terms = NULL"
                f" WHERE story_id IN ({marks})",
                chunk,
            )
            self.conn.execute(f"DELETE FROM story_index WHERE story_id IN ({marks})", chunk)
            self.conn.execute(
                f"UPDATE stories SET pruned_at = ? WHERE id IN ({marks})",
                (to_db(before), *chunk),
            )
        # The search index is no table with a foreign key: its rows go by hand, first.
        self.conn.execute(
            "DELETE FROM story_search WHERE rowid IN"
            " (SELECT search_rowid FROM stories WHERE last_seen < ?)",
            (to_db(drop_before),),
        )
        self.conn.execute("DELETE FROM stories WHERE last_seen < ?", (to_db(drop_before),))
        return retired

    # ------------------------------------------------------------------ reads

    def member_story(self, article_key: str) -> str | None:
        """The story an article belongs to (live or retired), if any."""
        row = self.conn.execute(
            "SELECT story_id FROM story_members WHERE article_key = ?", (article_key,)
        ).fetchone()
        return str(row[0]) if row else None

    def stories_by_prefix(self, prefix: str, limit: int = 3) -> list[str]:
        """Ids of stories that start with ``prefix`` (``monitor timeline`` shows 8 characters)."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self.conn.execute(
            "SELECT id FROM stories WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT ?",
            (escaped + "%", limit),
        ).fetchall()
        return [str(r[0]) for r in rows]

    def load_story(self, story_id: str) -> Story | None:
        row = self.conn.execute(
            "SELECT id, title, first_seen, first_alert_id FROM stories WHERE id = ?",
            (story_id,),
        ).fetchone()
        if not row:
            return None
        members = self.conn.execute(
            f"SELECT {_MEMBER_COLUMNS} FROM story_members WHERE story_id = ?"
            " ORDER BY first_seen, rowid",
            (story_id,),
        ).fetchall()
        claims = self.conn.execute(
            "SELECT finding, outlets FROM story_claims WHERE story_id = ? ORDER BY position",
            (story_id,),
        ).fetchall()
        first_seen = from_db(row[2])
        assert first_seen is not None
        return Story(
            id=row[0],
            title=row[1],
            first_seen=first_seen,
            members=tuple(_member(m) for m in members),
            claims=tuple(
                StoryClaim(decode_findings(f)[0], tuple(json.loads(o))) for f, o in claims
            ),
            first_alert_id=row[3],
        )

    def story_member_findings(self, story_id: str) -> list[tuple[StoryMember, tuple[Finding, ...]]]:
        """Each member of a story with its own findings, in order of arrival."""
        rows = self.conn.execute(
            f"SELECT {_MEMBER_COLUMNS}, findings FROM story_members WHERE story_id = ?"
            " ORDER BY first_seen, rowid",
            (story_id,),
        ).fetchall()
        return [(_member(r), decode_findings(r[8])) for r in rows]

    def member_texts(self, keys: Iterable[str]) -> dict[str, tuple[bytes, Terms]]:
        """The stored shingle hashes and terms of live members (Jaccard and IDF cosine)."""
        out: dict[str, tuple[bytes, Terms]] = {}
        for chunk, marks in chunked(keys):
            rows = self.conn.execute(
                f"SELECT article_key, shingles, terms FROM story_members"
                f" WHERE article_key IN ({marks}) AND shingles IS NOT NULL",
                chunk,
            ).fetchall()
            out.update((r[0], (bytes(r[1]), unpack(bytes(r[2] or b"")))) for r in rows)
        return out

    def member_terms(self, keys: Iterable[str]) -> dict[str, Terms]:
        """The stored terms of members (for their document frequencies)."""
        out: dict[str, Terms] = {}
        for chunk, marks in chunked(keys):
            rows = self.conn.execute(
                f"SELECT article_key, terms FROM story_members"
                f" WHERE article_key IN ({marks}) AND terms IS NOT NULL",
                chunk,
            ).fetchall()
            out.update((r[0], unpack(bytes(r[1]))) for r in rows)
        return out

    def term_counts(self) -> tuple[dict[int, int], int]:
        """The window's document frequencies: (term -> live members holding it, members)."""
        counts = dict(self.conn.execute("SELECT term, df FROM story_terms WHERE df > 0"))
        documents = counts.pop(_DOCUMENTS, 0)
        return counts, documents

    def count_live_members(self) -> int:
        """Members of live stories that the story index holds (to size its arrays)."""
        return int(self.conn.execute("SELECT count(*) FROM story_index").fetchone()[0])

    def live_member_index(self) -> Iterator[MemberIndexRows]:
        """Every member of every live story, oldest story first, each story's members together
        in their order of arrival, a few hundred at a time (to rebuild the index): the narrow
        ``story_index`` rows, no findings.

        The order is read first (row ids and times only: sorting the rows would sort their
        signatures too; sorted here, in a third of the time SQLite's sorter takes), then the
        rows by id.
        """
        keys = self.conn.execute(
            "SELECT s.first_seen, s.id, x.first_seen, x.rowid FROM story_index x"
            " JOIN stories s ON s.id = x.story_id WHERE s.pruned_at IS NULL"
        ).fetchall()
        keys.sort()  # story's first_seen and id, member's first_seen, rowid: as SQL sorts texts
        order = [k[3] for k in keys]
        del keys
        times: dict[str, datetime] = {}  # fetch times repeat (one per cycle): share them
        story_ids: dict[str, str] = {}  # one string per story, not per member
        for i in range(0, len(order), MAX_PARAMS):
            ids = order[i : i + MAX_PARAMS]
            by_id = {
                r[0]: r
                for r in self.conn.execute(
                    "SELECT rowid, story_id, article_key, published, first_seen, signature,"
                    f" event FROM story_index WHERE rowid IN ({','.join('?' * len(ids))})",
                    ids,
                )
            }
            rows = [by_id[i] for i in ids]
            yield MemberIndexRows(
                story_ids=tuple(story_ids.setdefault(r[1], r[1]) for r in rows),
                article_keys=tuple(r[2] for r in rows),
                published=tuple(_time(times, r[3]) if r[3] else None for r in rows),
                first_seen=tuple(_time(times, r[4]) for r in rows),
                signatures=b"".join(r[5] for r in rows),
                events=tuple(r[6] for r in rows),
            )

    def member_states(self, keys: Iterable[str]) -> dict[str, MemberState]:
        """Members with their findings, numbers and lede (to derive a signature not stored)."""
        out: dict[str, MemberState] = {}
        for chunk, marks in chunked(keys):
            rows = self.conn.execute(
                f"SELECT {_MEMBER_COLUMNS}, findings, signature, numbers, lede"
                f" FROM story_members WHERE article_key IN ({marks})",
                chunk,
            ).fetchall()
            for r in rows:
                out[r[1]] = MemberState(
                    str(r[0]),
                    _member(r),
                    decode_findings(r[8]),
                    bytes(r[9] or b""),
                    tuple(json.loads(r[10])),
                    decode_lede(r[11]),
                )
        return out

    def save_member_events(self, events: Iterable[tuple[str, str]]) -> None:
        """Store the development signatures derived for rows stored without one."""
        self.conn.executemany(
            "UPDATE story_index SET event = ? WHERE article_key = ?",
            [(text, key) for key, text in events],
        )

    def story_titles(self, story_ids: Iterable[str]) -> dict[str, str]:
        """The title of each story still in the store (for ``monitor timeline``)."""
        ids = list(dict.fromkeys(story_ids))
        out: dict[str, str] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT id, title FROM stories WHERE id IN ({marks})", chunk
            ).fetchall()
            out.update((str(r[0]), str(r[1])) for r in rows)
        return out

    def count_stories(self, *, live_only: bool = True) -> int:
        where = " WHERE pruned_at IS NULL" if live_only else ""
        return int(self.conn.execute(f"SELECT count(*) FROM stories{where}").fetchone()[0])


def _claim_columns(c: StoryClaim) -> tuple[str, str, str, str | None, str | None, str | None]:
    """``finding, outlets, verdict, event_id, date_start, date_end`` of one merged claim."""
    day = c.finding.claim.date
    return (
        encode_findings([c.finding]),
        json.dumps(list(c.outlets)),
        c.finding.verdict.verdict,
        c.finding.verdict.timeline_event,
        day.start.isoformat() if day else None,
        day.end.isoformat() if day else None,
    )


def _tags(claims: Sequence[StoryClaim]) -> list[str]:
    """``verdict:<verdict>`` and ``place:<place id>`` (places and destinations) of a story."""
    tags: dict[str, None] = {}
    for c in claims:
        tags[f"verdict:{c.finding.verdict.verdict}"] = None
        for place in (*c.finding.claim.places, *c.finding.claim.destinations):
            tags[f"place:{place}"] = None
    return list(tags)


def _time(seen: dict[str, datetime], value: str) -> datetime:
    """A stored time, the same object for the same text."""
    at = seen.get(value)
    if at is None:
        at = seen[value] = datetime.fromisoformat(value)
    return at


def _member(row: Sequence[Any]) -> StoryMember:
    first_seen = from_db(row[7])
    assert first_seen is not None
    return StoryMember(
        article_key=row[1],
        source_id=row[2],
        outlet=row[3],
        title=row[4],
        url=row[5],
        published=from_db(row[6]),
        first_seen=first_seen,
    )


# ---------------------------------------------------------------------- finding (de)serialisation
# Explicit rather than reflective: a restarted daemon decodes every live member's findings
# (100,000 in a full window), and walking type hints costs ten times more. Fields added to
# the models later need a line here; missing keys take the models' defaults.


def encode_findings(findings: Iterable[Finding]) -> str:
    # ``plain``: ``dataclasses.asdict``'s JSON without its deep copies (a third of the main
    # process's story writes in an alerting cycle)
    return json.dumps([plain(f) for f in findings], ensure_ascii=False, default=json_default)


def decode_findings(text: str) -> tuple[Finding, ...]:
    return tuple(_finding(v) for v in json.loads(text))


def _finding(d: dict[str, Any]) -> Finding:
    c, v = d["claim"], d["verdict"]
    day, number = c.get("date"), c.get("number")
    claim = Claim(
        kind=c["kind"],
        sentence=c.get("sentence", ""),
        date=_span(day) if day else None,
        places=tuple(sys.intern(p) for p in c.get("places", ())),
        number=Quantity(
            value=number["value"],
            qualifier=number.get("qualifier", "exact"),
            text=number.get("text", ""),
            unit=number.get("unit"),
            span=tuple(number.get("span", (0, 0))),
        )
        if number
        else None,
        negated=c.get("negated", False),
        hedged=c.get("hedged", False),
        reports_done=c.get("reports_done", False),
        span=tuple(c.get("span", (0, 0))),
        destinations=tuple(sys.intern(p) for p in c.get("destinations", ())),
        phase=c.get("phase"),
        reported=_span(c["reported"]) if c.get("reported") else None,
    )
    verdict = Verdict(
        v["verdict"], v.get("timeline_event"), v.get("reason", ""), v.get("reason_ar", "")
    )
    return Finding(claim, verdict)


def _span(day: dict[str, Any]) -> DateSpan:
    return DateSpan(
        text=day.get("text", ""),
        start=date.fromisoformat(day["start"]),
        end=date.fromisoformat(day["end"]),
        granularity=day["granularity"],
        preposition=day.get("preposition"),
        span=tuple(day.get("span", (0, 0))),
    )


def decode_lede(text: str | None) -> Lede:
    """A member's lede as stored (rows from before it was kept: an empty lede)."""
    if not text:
        return Lede()
    d = json.loads(text)
    stated = d.get("stated")
    return Lede(
        actors=tuple(sys.intern(a) for a in d.get("actors", ())),
        within=tuple(sys.intern(a) for a in d.get("within", ())),
        sites=tuple(sys.intern(p) for p in d.get("sites", ())),
        more_sites=tuple(sys.intern(p) for p in d.get("more_sites", ())),
        weekday=d.get("weekday"),
        stated=date.fromisoformat(stated) if stated else None,
        countries=tuple(sys.intern(c) for c in d.get("countries", ())),
        quotes=tuple(int(q) for q in d.get("quotes", ())),
    )


def pack(terms: Terms) -> bytes:
    """A member's terms as stored: the ids, then the counts, uint32 each."""
    return terms.ids.astype(np.uint32).tobytes() + terms.counts.astype(np.uint32).tobytes()


def unpack(blob: bytes) -> Terms:
    arr = np.frombuffer(blob, dtype=np.uint32)
    half = len(arr) // 2
    return Terms(arr[:half], arr[half:])
