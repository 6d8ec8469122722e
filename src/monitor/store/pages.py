"""Reads for the reading room's web pages: stories filtered and paged, deliveries, claim dates.

Every query here is read-only and bounded (a page, a limit), driven by an index made for it in
migration 5: stories newest first by ``stories_listed`` (migration 10: the stories not absorbed
into another, the only ones listed), filters through ``story_tags`` (verdict
and place) and ``story_search`` (FTS5 over normalised word forms), dated claims through
``story_claims_dated``, operator alerts through ``alerts_kind``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from monitor.models import (
    Absorption,
    ClaimPoint,
    OperatorNote,
    StoryFilter,
    StorySummary,
    UndatedConflict,
    VerdictKind,
)
from monitor.store.base import chunked, from_db, to_db
from monitor.store.search import match_expression

VERDICT_ORDER: tuple[VerdictKind, ...] = ("conflicting", "completed", "new", "consistent")


class PagesMixin:
    conn: sqlite3.Connection

    def story_summaries(
        self,
        flt: StoryFilter,
        places: Sequence[str] = (),
        *,
        limit: int = 50,
        offset: int = 0,
        matching: int | None = None,
    ) -> list[StorySummary]:
        """One page of stories matching ``flt``, most recently active first.

        ``places`` are the place ids the place filter stands for (the place and the places
        inside it); empty means ``flt.place`` alone. ``matching`` (how many stories match,
        from ``count_story_summaries``) lets the query take the cheaper way (``_scan_first``).
        """
        scan = matching is not None and _scan_first(matching, self._story_total(), offset + limit)
        where, args = _where(flt, places, scan=scan)
        rows = self.conn.execute(
            "SELECT s.id, s.title, s.first_seen, s.last_seen, s.last_published, s.pruned_at"
            f" FROM stories s{where}"
            " ORDER BY s.last_seen DESC, s.last_published DESC LIMIT ? OFFSET ?",
            (*args, limit, offset),
        ).fetchall()
        ids = [r[0] for r in rows]
        counts = self._member_counts(ids)
        verdicts = self._verdict_counts(ids)
        updates = self._update_counts(ids)
        out = []
        for r in rows:
            members, outlets = counts.get(r[0], (0, 0))
            per_verdict = verdicts.get(r[0], {})
            out.append(
                StorySummary(
                    id=r[0],
                    title=r[1],
                    first_seen=_when(r[2]),
                    last_seen=_when(r[3]),
                    last_published=from_db(r[4]),
                    members=members,
                    outlets=outlets,
                    claims=sum(per_verdict.values()),
                    verdicts=tuple((v, per_verdict[v]) for v in VERDICT_ORDER if v in per_verdict),
                    updates=updates.get(r[0], 0),
                    retired=r[5] is not None,
                )
            )
        return out

    def _story_total(self) -> int:
        sql = "SELECT count(*) FROM stories WHERE absorbed_by IS NULL"
        return int(self.conn.execute(sql).fetchone()[0])

    def absorbed_stories(self, story_id: str) -> list[Absorption]:
        """The stories ``story_id`` absorbed (one development shown later), in the order it
        absorbed them."""
        rows = self.conn.execute(
            "SELECT id, title, absorbed_at FROM stories WHERE absorbed_by = ?"
            " ORDER BY absorbed_at, id",
            (story_id,),
        ).fetchall()
        return [Absorption(r[0], r[1], from_db(r[2])) for r in rows]

    def absorber(self, story_id: str) -> Absorption | None:
        """The story that absorbed ``story_id`` (the one it joined, not followed further: that
        story's page says where it went in turn), or None."""
        row = self.conn.execute(
            "SELECT a.id, a.title, s.absorbed_at FROM stories s"
            " JOIN stories a ON a.id = s.absorbed_by WHERE s.id = ?",
            (story_id,),
        ).fetchone()
        return Absorption(row[0], row[1], from_db(row[2])) if row else None

    def count_story_summaries(self, flt: StoryFilter, places: Sequence[str] = ()) -> int:
        """How many stories match ``flt``. A filter on one thing alone is counted in its own
        index (every story has its tags and its search row), not story by story."""
        tags = _tags(flt, places)
        match = match_expression(flt.query) if flt.query else None
        alone = not (flt.since or flt.until)
        if alone and tags and not match and (flt.verdict is None or flt.place is None):
            marks = ",".join("?" * len(tags))
            sql = f"SELECT count(DISTINCT story_id) FROM story_tags WHERE tag IN ({marks})"
            return int(self.conn.execute(sql, tags).fetchone()[0])
        if alone and match and not tags:
            sql = "SELECT count(*) FROM story_search WHERE story_search MATCH ?"
            return int(self.conn.execute(sql, (match,)).fetchone()[0])
        where, args = _where(flt, places)
        return int(self.conn.execute(f"SELECT count(*) FROM stories s{where}", args).fetchone()[0])

    def _member_counts(self, ids: list[str]) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for chunk, marks in chunked(ids):
            for sid, members, outlets in self.conn.execute(
                "SELECT story_id, count(*), count(DISTINCT outlet) FROM story_members"
                f" WHERE story_id IN ({marks}) GROUP BY story_id",
                chunk,
            ):
                out[sid] = (int(members), int(outlets))
        return out

    def _verdict_counts(self, ids: list[str]) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for chunk, marks in chunked(ids):
            for sid, verdict, n in self.conn.execute(
                "SELECT story_id, verdict, count(*) FROM story_claims"
                f" WHERE story_id IN ({marks}) GROUP BY story_id, verdict",
                chunk,
            ):
                out.setdefault(sid, {})[verdict] = int(n)
        return out

    def _update_counts(self, ids: list[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for chunk, marks in chunked(ids):
            for sid, n in self.conn.execute(
                "SELECT story_id, count(*) FROM alerts"
                f" WHERE story_id IN ({marks}) AND kind = 'story_update' GROUP BY story_id",
                chunk,
            ):
                out[sid] = int(n)
        return out

    def story_retired(self, story_id: str) -> bool:
        """Whether the story is idle past its window (it takes no new copies)."""
        row = self.conn.execute(
            "SELECT pruned_at FROM stories WHERE id = ?", (story_id,)
        ).fetchone()
        return bool(row and row[0])

    def claim_points(self, start: date, end: date, *, stories: int = 300) -> list[ClaimPoint]:
        """Dated claims overlapping ``[start, end]`` of the ``stories`` most recent stories that
        have any (most recent story first)."""
        # Driven from the stories by recency (CROSS JOIN keeps that order), so the limit
        # stops the scan early however many claims are stored.
        rows = self.conn.execute(
            "SELECT c.story_id, s.title, c.verdict, c.event_id, c.date_start, c.date_end,"
            " json_extract(c.finding, '$[0].claim.sentence'), s.last_seen"
            " FROM (SELECT id, title, last_seen, last_published FROM stories s"
            "       WHERE EXISTS (SELECT 1 FROM story_claims c WHERE c.story_id = s.id"
            "                     AND c.date_start <= ?2 AND c.date_end >= ?1)"
            "       ORDER BY last_seen DESC, last_published DESC LIMIT ?3) s"
            " CROSS JOIN story_claims c ON c.story_id = s.id"
            " WHERE c.date_start <= ?2 AND c.date_end >= ?1"
            " ORDER BY s.last_seen DESC, s.last_published DESC, c.story_id, c.position",
            (start.isoformat(), end.isoformat(), stories),
        ).fetchall()
        return [
            ClaimPoint(
                story_id=r[0],
                story_title=r[1],
                verdict=r[2],
                event_id=r[3],
                start=date.fromisoformat(r[4]),
                end=date.fromisoformat(r[5]),
                sentence=r[6] or "",
                last_seen=_when(r[7]),
            )
            for r in rows
        ]

    def undated_conflicts(self, *, stories: int = 50) -> list[UndatedConflict]:
        """Conflicting claims that state no date, of the ``stories`` most recent stories."""
        rows = self.conn.execute(
            "SELECT c.story_id, s.title, c.event_id,"
            " json_extract(c.finding, '$[0].claim.sentence')"
            " FROM (SELECT id, title, last_seen, last_published FROM stories s"
            "       WHERE s.id IN (SELECT story_id FROM story_tags WHERE tag = 'verdict:conflicting')"
            "       ORDER BY last_seen DESC, last_published DESC LIMIT ?) s"
            " CROSS JOIN story_claims c ON c.story_id = s.id"
            " WHERE c.verdict = 'conflicting' AND c.date_start IS NULL"
            " ORDER BY s.last_seen DESC, s.last_published DESC, c.position",
            (stories,),
        ).fetchall()
        return [UndatedConflict(r[0], r[1], r[2], r[3] or "") for r in rows]

    def operator_notes(self, limit: int = 50) -> list[OperatorNote]:
        """The latest operator alerts (sources failing or silent), newest first."""
        rows = self.conn.execute(
            "SELECT id, title, json_extract(content, '$.text'), created_at FROM alerts"
            " WHERE kind = 'operator' ORDER BY created_at DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [OperatorNote(r[0], r[1], r[2] or "", _when(r[3])) for r in rows]


def _tags(flt: StoryFilter, places: Sequence[str]) -> list[str]:
    """The tags of a filter's verdict and place (the place with the places inside it)."""
    tags = [f"verdict:{flt.verdict}"] if flt.verdict else []
    if flt.place:
        tags += [f"place:{p}" for p in (places or (flt.place,))]
    return tags


def _scan_first(matching: int, total: int, wanted: int) -> bool:
    """Whether to walk the stories newest first, testing each against the filter, rather than
    fetch every match through its index and sort them.

    Walking stops after about ``wanted * total / matching`` stories; fetching touches all
    ``matching`` and sorts them. A common filter (a place in a quarter of the stories, a word in
    most titles) walks ~200 stories instead of sorting ~10,000; a rare one fetches its few.
    """
    return matching > 0 and wanted * total < matching * matching


def _where(flt: StoryFilter, places: Sequence[str], *, scan: bool = False) -> tuple[str, list[Any]]:
    """The WHERE clause (with its arguments) of a stories filter.

    With ``scan``, the stories are walked in recency order and each is tested: its tags by
    primary-key lookups, its search row against the set of matches (the unary ``+`` keeps
    SQLite from driving the query through the search index instead).
    """
    # a story absorbed into another is listed there (its page says so), not on its own
    clauses: list[str] = ["s.absorbed_by IS NULL"]
    args: list[Any] = []
    groups = ([[f"verdict:{flt.verdict}"]] if flt.verdict else []) + (
        [[f"place:{p}" for p in (places or (flt.place,))]] if flt.place else []
    )
    for tags in groups:
        marks = ",".join("?" * len(tags))
        if scan:  # per story tested: a primary-key lookup, no set of every match built
            clauses.append(
                f"EXISTS (SELECT 1 FROM story_tags t WHERE t.tag IN ({marks})"
                " AND t.story_id = s.id)"
            )
        else:
            clauses.append(f"s.id IN (SELECT story_id FROM story_tags WHERE tag IN ({marks}))")
        args += tags
    if flt.since:
        clauses.append("s.last_seen >= ?")
        args.append(to_db(flt.since))
    if flt.until:
        clauses.append("s.first_seen < ?")
        args.append(to_db(flt.until))
    match = match_expression(flt.query) if flt.query else None
    if match:
        rowid = "+s.search_rowid" if scan else "s.search_rowid"
        clauses.append(f"{rowid} IN (SELECT rowid FROM story_search WHERE story_search MATCH ?)")
        args.append(match)
    return " WHERE " + " AND ".join(clauses), args


def _when(value: str) -> datetime:
    stamp = from_db(value)
    assert stamp is not None
    return stamp
