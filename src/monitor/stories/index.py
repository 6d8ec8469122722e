"""The in-memory story index: which stories an article could belong to, and which one it joins.

Shared by ``storydesk`` (the daemon, backed by the store) and ``stories.group_batch``
(``monitor analyze``, in memory). Candidates come from three places, each cheap:

- the LSH index over char-8 MinHash signatures (copies and light re-edits; 8-grams, because
  unrelated reports on this one topic share 9-16% of their 5-grams but only 3-7% of their
  8-grams, so the candidate lists stay short at 100,000 articles);
- stories with the same cleaned title (aggregator copies and teasers);
- stories active within ``event_window_hours`` that share a region, a specific date or a
  number (``posting_keys``): independent reports of one event, in their own words. The
  event path only merges on one of those facts, so nothing it could join is missed.

The decision itself (``stories.compare``) uses exact char-5 Jaccard and containment, read
through ``load_shingles`` only for the few members that need them.
"""

from __future__ import annotations

import bisect
import dataclasses
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from monitor.models import Finding
from monitor.settings import StorySettings
from monitor.stories import dedup
from monitor.stories.dedup import Hashes
from monitor.stories.match import Event, Match, compare, event_of, numbers_in, region, vetoed

MAX_MEMBERS_COMPARED = 6  # per candidate story: all of a small one, else ends and LSH hits
MAX_LSH_ROWS = 32  # LSH candidates compared per lookup, closest first
MAX_POSTING = 128  # entries read per posting list, nearest in time
MAX_EVENT_CANDIDATES = 24  # stories compared on their event signature per lookup
MAX_DAY_SPAN = timedelta(days=7)  # longer intervals are filed by month only
MIN_KEY_NUMBER = 100  # smaller numbers are too common to index
MAX_EXACT = 24  # exact Jaccard computations per lookup
MIN_ESTIMATE = 0.03  # MinHash (char-8) estimate below which a member's 5-gram Jaccard is moot
CANDIDATE_SHINGLE_SIZE = 8

ShingleLoader = Callable[[Sequence[str]], dict[str, Hashes]]


@dataclass(frozen=True, slots=True)
class Doc:
    """One article as the story index sees it."""

    key: str
    shingles: Hashes  # char-5, for the exact decision
    signature: Hashes  # MinHash of char-8 shingles, for the LSH
    event: Event
    numbers: tuple[int, ...] = ()  # the numbers in its body (kept to rebuild the event)


@dataclass(frozen=True, slots=True)
class Choice:
    """The story an article joins (None: a new story), how similar it was and why."""

    story_id: str | None
    similarity: float
    reason: str


@dataclass(slots=True)
class _Member:
    key: str
    story_id: str
    row: int
    event: Event


@dataclass(slots=True)
class _Story:
    members: list[str] = field(default_factory=list)
    last_at: float = 0.0
    posted: set[str] = field(default_factory=set)  # posting keys it is filed under


class StoryIndex:
    """Members of live stories, with their signatures, events and three candidate indexes."""

    def __init__(self, settings: StorySettings, load_shingles: ShingleLoader) -> None:
        self.settings = settings
        self.hasher = dedup.MinHasher()
        self._load = load_shingles
        self._lsh = dedup.LshIndex()
        self._members: dict[str, _Member] = {}
        self._row_keys: list[str | None] = []
        self._sigs = np.zeros((1024, self.hasher.num_perm), dtype=np.uint32)
        self._stories: dict[str, _Story] = {}
        self._titles: dict[str, set[str]] = {}
        self._postings: dict[str, list[tuple[float, str]]] = {}
        self._canon: dict[Any, Any] = {}  # interned event values (see _shared)

    def __len__(self) -> int:
        return len(self._members)

    @property
    def story_count(self) -> int:
        return len(self._stories)

    # ------------------------------------------------------------------ documents

    def make_doc(
        self,
        key: str,
        body: str,
        title: str | None,
        at: datetime | None,
        findings: Sequence[Finding],
        *,
        normalized: bool = False,
    ) -> Doc:
        """Clean and shingle a body and build its event signature.

        The MinHash signature is of the char-8 shingles (for the LSH), the kept shingles
        are char-5 (for the exact decision). ``normalized``: the body is already normalised.
        """
        text = dedup.dedup_text(body, normalized=normalized)
        sig = self.hasher.signature(dedup.shingles(text, CANDIDATE_SHINGLE_SIZE))
        numbers = numbers_in(text)
        event = event_of(title, at, findings, numbers)
        return Doc(key, dedup.shingles(text), sig, event, numbers)

    # ------------------------------------------------------------------ changes

    def add(
        self, story_id: str, key: str, signature: Hashes, event: Event, *, lsh: bool = True
    ) -> None:
        """Index a member (replacing an earlier version of the same key).

        ``lsh=False`` leaves the LSH entry to a later ``add_signatures`` (bulk rebuild).
        """
        if key in self._members:
            self.remove_member(key)
        event = self._shared(event)
        row = len(self._row_keys)
        self._row_keys.append(key)
        if row >= len(self._sigs):
            self._sigs = np.concatenate([self._sigs, np.zeros_like(self._sigs)])
        self._sigs[row] = signature
        if lsh:
            self._lsh.add(row, signature)
        self._members[key] = _Member(key, story_id, row, event)
        story = self._stories.setdefault(story_id, _Story())
        story.members.append(key)
        ts = _ts(event.at)
        story.last_at = max(story.last_at, ts)
        if event.title_key:
            self._titles.setdefault(event.title_key, set()).add(story_id)
        # A story is filed once per key, when its first report carrying that key arrives.
        for pkey in posting_keys(event):
            if pkey not in story.posted:
                story.posted.add(pkey)
                bisect.insort(self._postings.setdefault(pkey, []), (ts, story_id))

    def add_signatures(self, first_row: int) -> None:
        """Put the rows added with ``lsh=False`` since ``first_row`` in the LSH (in bulk)."""
        rows = [r for r in range(first_row, len(self._row_keys)) if self._row_keys[r]]
        if rows:
            ids = np.asarray(rows, dtype=np.int64)
            self._lsh.add_many(ids, self._sigs[ids])

    @property
    def next_row(self) -> int:
        return len(self._row_keys)

    def _shared(self, event: Event) -> Event:
        """The same event with its values shared with other members' (copies repeat them)."""
        canon = self._canon

        def one(value: Any) -> Any:
            return canon.setdefault(value, value)

        return dataclasses.replace(
            event,
            families=one(event.families),
            kinds=one(event.kinds),
            places=one(event.places),
            lead_places=one(event.lead_places),
            countries=one(event.countries),
            primary_dates=one(event.primary_dates),
            dates=one(event.dates),
            fuzzy_dates=one(event.fuzzy_dates),
            numbers=one(event.numbers),
            title_words=one(event.title_words),
            title_key=one(event.title_key),
        )

    def remove_member(self, key: str) -> None:
        member = self._members.pop(key, None)
        if member is None:
            return
        self._lsh.remove(member.row)
        self._row_keys[member.row] = None
        story = self._stories.get(member.story_id)
        if story and key in story.members:
            story.members.remove(key)
            if not story.members:
                self.remove_story(member.story_id)

    def remove_story(self, story_id: str) -> None:
        """Drop a story and its members (pruned); posting entries are filtered on lookup."""
        story = self._stories.pop(story_id, None)
        if story is None:
            return
        for key in story.members:
            member = self._members.pop(key, None)
            if member:
                self._lsh.remove(member.row)
                self._row_keys[member.row] = None
                titles = self._titles.get(member.event.title_key)
                if titles:
                    titles.discard(story_id)

    def compact(self) -> None:
        """Drop dead entries from the LSH arrays and the posting lists (after a prune)."""
        self._lsh.compact()
        for pkey, entries in list(self._postings.items()):
            live = [e for e in entries if e[1] in self._stories]
            if live:
                self._postings[pkey] = live
            else:
                del self._postings[pkey]
        self._titles = {k: v for k, v in self._titles.items() if v}
        self._canon.clear()  # values of pruned stories go; live ones stay shared

    # ------------------------------------------------------------------ lookup

    def choose(self, doc: Doc) -> Choice:
        """The live story ``doc`` belongs to, or None for a new one."""
        candidates = self._candidates(doc)
        if not candidates:
            return Choice(None, 0.0, "no candidate story")
        best: tuple[float, str, float, str] | None = None
        rejected = ""
        for story_id, (score, jac, reason, same) in self._score(doc, candidates).items():
            if same and (best is None or score > best[0]):
                best = (score, story_id, jac, reason)
            elif not same and not rejected:
                rejected = reason
        if best is None:
            return Choice(None, 0.0, f"new story ({rejected or 'no match'})")
        return Choice(best[1], best[2], best[3])

    def _candidates(self, doc: Doc) -> dict[str, set[str]]:
        """Candidate stories, each with the member keys the LSH found (maybe none)."""
        out: dict[str, set[str]] = {}
        horizon = timedelta(days=self.settings.window_days).total_seconds()
        at = _ts(doc.event.at)
        for row in self._lsh_rows(doc.signature):
            key = self._row_keys[row]
            member = self._members.get(key) if key else None
            if member and key != doc.key:
                out.setdefault(member.story_id, set()).add(member.key)
        for story_id in self._titles.get(doc.event.title_key, ()) if doc.event.title_key else ():
            out.setdefault(story_id, set())
        for story_id in self._event_candidates(doc.event, at):
            out.setdefault(story_id, set())
        # A story whose last member is older than the window is closed, even before pruning.
        return {
            s: keys
            for s, keys in out.items()
            if s in self._stories and (not at or self._stories[s].last_at >= at - horizon)
        }

    def _lsh_rows(self, signature: Hashes) -> list[int]:
        """LSH candidates: the ``MAX_LSH_ROWS`` closest by MinHash estimate.

        In a window full of one topic a lookup can share a band with thousands of rows; the
        rows sharing the most bands are kept first (cheap), then ranked by estimate.
        """
        rows, counts = self._lsh.query_counts(signature)
        if len(rows) > 4 * MAX_LSH_ROWS:
            keep = np.argpartition(-counts, 4 * MAX_LSH_ROWS)[: 4 * MAX_LSH_ROWS]
            rows = rows[keep]
        if len(rows) > MAX_LSH_ROWS:
            estimates = dedup.estimate_jaccard(signature, self._sigs[rows])
            rows = rows[np.argsort(-estimates, kind="stable")[:MAX_LSH_ROWS]]
        top: list[int] = rows.tolist()
        return top

    def _event_candidates(self, event: Event, at: float) -> list[str]:
        """Stories active within the event window that share a region, a date or a number.

        Each posting list is read only around ``at`` (at most ``MAX_POSTING`` entries), and
        the stories sharing the most keys come first, so a lookup stays bounded however
        full the window is.
        """
        window = timedelta(hours=self.settings.event_window_hours).total_seconds()
        counts: dict[str, int] = {}
        for pkey in posting_keys(event, query=True):
            entries = self._postings.get(pkey)
            if not entries:
                continue
            lo, hi = 0, len(entries)
            if at:  # an undated article (analyze) meets every story
                lo = bisect.bisect_left(entries, (at - window, ""))
                hi = bisect.bisect_right(entries, (at + window, "\uffff"))
            if hi - lo > MAX_POSTING:
                mid = bisect.bisect_left(entries, (at, ""), lo, hi)
                lo = max(lo, min(mid - MAX_POSTING // 2, hi - MAX_POSTING))
                hi = lo + MAX_POSTING
            for story_id in {s for _, s in entries[lo:hi]}:
                if story_id in self._stories:
                    counts[story_id] = counts.get(story_id, 0) + 1
        return sorted(counts, key=lambda s: -counts[s])[:MAX_EVENT_CANDIDATES]

    def _score(
        self, doc: Doc, candidates: dict[str, set[str]]
    ) -> dict[str, tuple[float, float, str, bool]]:
        """Best match per candidate story: (score, jaccard, reason, same)."""
        pairs: list[tuple[str, _Member]] = []
        for story_id, hits in candidates.items():
            story = self._stories[story_id]
            keys = _sample(story.members, hits)
            pairs.extend((story_id, self._members[k]) for k in keys if k in self._members)
        if not pairs:
            return {}
        rows = np.fromiter((m.row for _, m in pairs), dtype=np.int64)
        estimates = dedup.estimate_jaccard(doc.signature, self._sigs[rows])
        order = np.argsort(-estimates, kind="stable")
        exact_keys = [
            pairs[i][1].key for i in order[:MAX_EXACT].tolist() if estimates[i] >= MIN_ESTIMATE
        ]
        shingles = self._load(exact_keys) if exact_keys else {}
        out: dict[str, tuple[float, float, str, bool]] = {}
        for story_id, member in pairs:
            other = shingles.get(member.key)
            jac = dedup.jaccard(doc.shingles, other) if other is not None else 0.0
            cont = dedup.teaser_containment(doc.shingles, other) if other is not None else 0.0
            match = compare(doc.event, member.event, jac, cont, self.settings)
            if match.same:
                seed = self._members.get(self._stories[story_id].members[0])
                veto = vetoed(doc.event, seed.event) if seed else None
                if veto:
                    match = Match(False, 0.0, f"{veto} (from the story's first report)")
            prev = out.get(story_id)
            if prev is None or (match.same, match.score) > (prev[3], prev[0]):
                out[story_id] = (match.score, jac, match.reason, match.same)
        return out

    @property
    def nbytes(self) -> int:
        """The numpy arrays' share of memory (signatures and LSH)."""
        return int(self._sigs.nbytes + self._lsh.nbytes)


def _sample(members: list[str], hits: set[str]) -> list[str]:
    """The members worth comparing: all of a small story (so the order in which its reports
    arrived does not matter), else its first report, the LSH hits and its latest report."""
    if len(members) <= MAX_MEMBERS_COMPARED:
        return members
    picked = [members[0], *sorted(hits - {members[0], members[-1]}), members[-1]]
    return list(dict.fromkeys(picked))[: MAX_MEMBERS_COMPARED + 1]


def posting_keys(event: Event, *, query: bool = False) -> list[str]:
    """Where an event is filed for independent reports: its regions, dates and numbers.

    The event path merges only on a shared place, date or number, so these keys find every
    story it could join. A query widens day dates by one day each side (the tolerance of
    ``stories``).
    """
    keys = {"r:" + region(p) for p in event.places}
    pad = timedelta(days=1 if query else 0)
    for start, end in event.dates:
        keys.update({f"m:{start:%Y-%m}", f"m:{end:%Y-%m}"})
        if end - start <= MAX_DAY_SPAN:
            day = start - pad
            while day <= end + pad:
                keys.add(f"d:{day.isoformat()}")
                day += timedelta(days=1)
    keys.update(f"n:{n}" for n in event.numbers if n >= MIN_KEY_NUMBER)
    return [sys.intern(k) for k in sorted(keys)]


def _ts(at: datetime | None) -> float:
    return at.timestamp() if at else 0.0
