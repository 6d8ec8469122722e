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

- stories with the same speaker or statement day (``posting_keys``), for reports placed
  by the day they state or not placed at all.

The decision itself (``decide.decide``) uses exact char-5 Jaccard and containment and the
IDF cosine of the words (``terms``), read through ``load_texts`` only for the few members
that need them. ``choose`` also says which other live stories the report matched: it shows
that they are one development, and the caller merges them.
"""

from __future__ import annotations

import bisect
import dataclasses
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from monitor.models import Finding, Lede, Terms
from monitor.settings import StorySettings
from monitor.stories import dedup
from monitor.stories.decide import Match, Similarity, decide, vetoed
from monitor.stories.dedup import Hashes
from monitor.stories.match import (
    Development,
    PlaceItems,
    PlaceTree,
    development_of,
    numbers_in,
    place_tree,
)
from monitor.stories.model import StoryModel, default_model
from monitor.stories.terms import NO_TERMS, TermStats, terms_of

MAX_MEMBERS_COMPARED = 6  # per candidate story: all of a small one, else ends and LSH hits
MAX_LSH_ROWS = 32  # LSH candidates compared per lookup, closest first
MAX_POSTING = 128  # entries read per posting list, nearest in time
MAX_EVENT_CANDIDATES = 24  # stories compared on their event signature per lookup
MAX_DAY_SPAN = timedelta(days=7)  # longer intervals are filed by month only
MIN_KEY_NUMBER = 100  # smaller numbers are too common to index
MAX_EXACT = 32  # members whose texts are read per lookup (Jaccard, containment, cosine)
CANDIDATE_SHINGLE_SIZE = 8

Hashes2D = npt.NDArray[np.uint32]  # one signature per row
# member keys -> (char-5 shingles, terms), for the few members a lookup compares exactly
TextLoader = Callable[[Sequence[str]], dict[str, tuple[Hashes, Terms]]]


@dataclass(frozen=True, slots=True)
class Doc:
    """One article as the story index sees it."""

    key: str
    shingles: Hashes  # char-5, for the exact decision
    signature: Hashes  # MinHash of char-8 shingles, for the LSH
    event: Development
    numbers: tuple[int, ...] = ()  # the numbers in its body (kept to rebuild the signature)
    terms: Terms = NO_TERMS  # its words, for the IDF cosine


@dataclass(frozen=True, slots=True)
class DocText:
    """What the index takes from a report's text alone (no story, no clock, no store): worked
    out where the text is read, in a worker process, so the main process only places it."""

    shingles: Hashes
    signature: Hashes
    numbers: tuple[int, ...]
    terms: Terms


_HASHER = dedup.MinHasher()


def doc_text(body: str, title: str | None, *, normalized: bool = False) -> DocText:
    """Clean and shingle a body: its char-5 shingles (for the exact decision), the MinHash
    of its char-8 shingles (for the LSH), its numbers and its words with the title's.
    ``normalized``: the body is normalised already."""
    text = dedup.dedup_text(body, normalized=normalized)
    signature = _HASHER.signature(dedup.shingles(text, CANDIDATE_SHINGLE_SIZE))
    terms = terms_of(dedup.dedup_text(title or "") + " " + text)
    return DocText(dedup.shingles(text), signature, numbers_in(text), terms)


@dataclass(frozen=True, slots=True)
class Choice:
    """The story an article joins (None: a new story), how similar it was and why.

    ``also``: other live stories the article matched as well (the caller merges them into
    ``story_id``); ``match`` and ``member``: the deciding comparison (for explanations).
    """

    story_id: str | None
    similarity: float
    reason: str
    also: tuple[str, ...] = ()
    match: Match | None = None
    member: str | None = None


@dataclass(slots=True)
class _Member:
    key: str
    story_id: str
    row: int
    event: Development


@dataclass(slots=True)
class _Story:
    members: list[str] = field(default_factory=list)
    last_at: float = 0.0
    # posting keys it is filed under; None: not worked out yet (see StoryIndex._posted)
    posted: set[str] | None = None


class StoryIndex:
    """Members of live stories, with their signatures, events and three candidate indexes."""

    def __init__(
        self,
        settings: StorySettings,
        load_texts: TextLoader,
        model: StoryModel | None = None,
        places: PlaceItems = (),
    ) -> None:
        """``places``: the configured place hierarchy (``Timeline.places``); () is the
        built-in one."""
        self.settings = settings
        self.places = place_tree(places)
        self.model = model or default_model()
        self.hasher = _HASHER
        self.terms = TermStats()
        self._load = load_texts
        self._lsh = dedup.LshIndex()
        self._members: dict[str, _Member] = {}
        self._row_keys: list[str | None] = []
        self._sigs = np.zeros((1024, self.hasher.num_perm), dtype=np.uint32)
        self._stories: dict[str, _Story] = {}
        # title key -> story ids, in the order they were filed (a dict: runs repeat themselves)
        self._titles: dict[str, dict[str, None]] = {}
        self._postings: dict[str, list[tuple[float, str]]] = {}
        self._canon: dict[Any, Any] = {}  # interned event values (see share)
        self._unsorted: set[str] = set()  # posting lists a rebuild appended to
        self._filing: _Story | None = None  # the story a rebuild is adding to
        # posting keys of regions, speakers, dates and days (see _posting_keys)
        self._posting_cache: tuple[dict[Any, tuple[str, ...]], ...] = ({}, {}, {}, {})

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
        lede: Lede | None = None,
        seen: datetime | None = None,
        normalized: bool = False,
        text: DocText | None = None,
    ) -> Doc:
        """Clean and shingle a body (``doc_text``) and build its development signature.

        ``at``: the publication time, None when the page gave none; ``seen``: the fetch
        time. ``normalized``: the body is normalised. ``text``: ``doc_text`` of this body
        and title, worked out already (in a worker).
        """
        if text is None or len(text.signature) != self.hasher.num_perm:
            text = doc_text(body, title, normalized=normalized)
        event = development_of(title, at, findings, text.numbers, lede, seen, places=self.places)
        return Doc(key, text.shingles, text.signature, event, text.numbers, text.terms)

    # ------------------------------------------------------------------ changes

    def add(
        self,
        story_id: str,
        key: str,
        signature: Hashes,
        event: Development,
        *,
        terms: Terms | None = None,
        lsh: bool = True,
    ) -> None:
        """Index a member (replacing an earlier version of the same key).

        ``terms`` are counted into the window's document frequencies (None: already counted,
        a rebuild from the store). ``lsh=False`` leaves the LSH entry to a later
        ``add_signatures`` (bulk rebuild).
        """
        if terms is not None:
            self.terms.add(terms)
        if key in self._members:  # its story keeps the keys it was filed under
            self._posted(self._stories.get(self._members[key].story_id))
            self.remove_member(key)
        event = self.share(event)
        row = len(self._row_keys)
        self._row_keys.append(key)
        if row >= len(self._sigs):
            self._sigs = np.concatenate([self._sigs, np.zeros_like(self._sigs)])
        self._sigs[row] = signature
        if lsh:
            self._lsh.add(row, signature)
        self._members[key] = _Member(key, story_id, row, event)
        story = self._stories.setdefault(story_id, _Story())
        posted = self._posted(story)
        story.members.append(key)
        ts = _ts(event)
        story.last_at = max(story.last_at, ts)
        if event.title_key:
            self._titles.setdefault(event.title_key, {})[story_id] = None
        # A story is filed once per key, when its first report carrying that key arrives.
        for pkey in posting_keys(event, self.places):
            if pkey not in posted:
                posted.add(pkey)
                bisect.insort(self._postings.setdefault(pkey, []), (ts, story_id))

    def add_signatures(self, first_row: int) -> None:
        """Put the rows added with ``lsh=False`` since ``first_row`` in the LSH (in bulk)."""
        rows = [r for r in range(first_row, len(self._row_keys)) if self._row_keys[r]]
        if rows:
            ids = np.asarray(rows, dtype=np.int64)
            self._lsh.add_many(ids, self._sigs[ids])

    # ------------------------------------------------------------------ a rebuild

    def reserve(self, rows: int) -> None:
        """Make room for ``rows`` more members at once (a rebuild knows how many)."""
        need = len(self._row_keys) + rows
        if need > len(self._sigs):
            sigs = np.zeros((need, self.hasher.num_perm), dtype=np.uint32)
            sigs[: len(self._sigs)] = self._sigs
            self._sigs = sigs

    def add_stored(
        self, members: Sequence[tuple[str, str, Development]], signatures: Hashes2D
    ) -> None:
        """Index members read back from the store, in their order of arrival, as ``add``
        would one by one with ``lsh=False``, but with their posting entries appended
        (``finish_stored`` sorts them once). ``members``: (story id, key, event) with
        events sharing their values (``match.DevelopmentReader``); ``signatures``: theirs.
        """
        self.reserve(len(members))
        first = len(self._row_keys)
        self._sigs[first : first + len(members)] = signatures
        stories, titles, postings = self._stories, self._titles, self._postings
        unsorted = self._unsorted
        for row, (story_id, key, event) in enumerate(members, start=first):
            if key in self._members:
                self._posted(stories.get(self._members[key].story_id))
                self.remove_member(key)
            self._row_keys.append(key)
            self._members[key] = _Member(key, story_id, row, event)
            story = stories.get(story_id)
            if story is None:
                story = stories[story_id] = _Story()
            posted = story.posted
            if posted is None:  # the next story: the last one's set goes (see finish_stored)
                if self._filing is not None:
                    self._filing.posted = None
                posted = self._posted(story)
                self._filing = story
            story.members.append(key)
            ts = _ts(event)
            if ts > story.last_at:
                story.last_at = ts
            if event.title_key:
                titles.setdefault(event.title_key, {})[story_id] = None
            for pkey in self._posting_keys(event):
                if pkey not in posted:
                    posted.add(pkey)
                    postings.setdefault(pkey, []).append((ts, story_id))
                    unsorted.add(pkey)

    def finish_stored(self, first_row: int) -> None:
        """After ``add_stored``: the LSH entries of the rows since ``first_row`` and the
        posting lists in time order.

        The stories' posting key sets are not kept (a third of a story's memory): the first
        report that joins one after the restart works them out again from its members. The
        store gives each story's members one after the other, so one set is alive at a time.
        """
        for pkey in self._unsorted:
            self._postings[pkey].sort()
        self._unsorted.clear()
        if self._filing is not None:
            self._filing.posted = None
            self._filing = None
        for cache in self._posting_cache:
            cache.clear()
        self.add_signatures(first_row)  # last: its sort is the peak of a rebuild

    def _posted(self, story: _Story | None) -> set[str]:
        """The posting keys ``story`` is filed under: every key of every report it took (after
        a rebuild, worked out again from its members when it next takes one)."""
        if story is None:
            return set()
        if story.posted is None:
            story.posted = {
                pkey
                for key in story.members
                if (member := self._members.get(key)) is not None
                for pkey in posting_keys(member.event, self.places)
            }
        return story.posted

    def _posting_keys(self, event: Development) -> Iterator[str]:
        """``posting_keys`` of a stored event (in another order): members share their values
        (copies of one report), so the keys of each value are worked out once per rebuild."""
        places, dates, actors, stated = self._posting_cache
        keys = places.get(event.places)
        if keys is None:
            keys = places[event.places] = _region_keys(event.places, self.places)
        yield from keys
        keys = actors.get(event.actors)
        if keys is None:
            keys = actors[event.actors] = _actor_keys(event.actors)
        yield from keys
        keys = dates.get(event.dates)
        if keys is None:
            keys = dates[event.dates] = _date_keys(event.dates, False)
        yield from keys
        yield from _number_keys(event.numbers)
        if event.stated:
            keys = stated.get(event.stated)
            if keys is None:
                keys = stated[event.stated] = _stated_keys(event.stated, False)
            yield from keys

    @property
    def next_row(self) -> int:
        return len(self._row_keys)

    def share(self, event: Development) -> Development:
        """The same event with its values shared with other members' (copies repeat them)."""
        canon = self._canon

        def one(value: Any) -> Any:
            return canon.setdefault(value, value)

        return dataclasses.replace(
            event,
            places=one(event.places),
            countries=one(event.countries),
            dates=one(event.dates),
            numbers=one(event.numbers),
            title_words=one(event.title_words),
            title_key=one(event.title_key),
            lead_families=one(event.lead_families),
            actors=one(event.actors),
            within=one(event.within),
            sites=one(event.sites),
            leading=one(event.leading),
            quotes=one(event.quotes),
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
                    titles.pop(story_id, None)

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

    def merge_stories(self, keep: str, gone: str) -> None:
        """File every member of ``gone`` under ``keep`` (one development, found later)."""
        old = self._stories.pop(gone, None)
        story = self._stories.get(keep)
        if old is None or story is None:
            return
        old_posted, posted = self._posted(old), self._posted(story)  # before members move
        for key in old.members:
            member = self._members.get(key)
            if member is None:
                continue
            member.story_id = keep
            story.members.append(key)
            titles = self._titles.get(member.event.title_key)
            if titles is not None:
                titles.pop(gone, None)
                titles[keep] = None
        story.last_at = max(story.last_at, old.last_at)
        for pkey in sorted(old_posted - posted):
            posted.add(pkey)
            bisect.insort(self._postings.setdefault(pkey, []), (old.last_at, keep))

    # ------------------------------------------------------------------ lookup

    def choose(self, doc: Doc) -> Choice:
        """The live story ``doc`` belongs to (None for a new one), and the others it matched."""
        candidates = self._candidates(doc)
        if not candidates:
            return Choice(None, 0.0, "no candidate story")
        scored = self._score(doc, candidates)
        same = sorted(
            ((m.score, sid, jac, m, key) for sid, (m, jac, key) in scored.items() if m.same),
            key=lambda t: -t[0],
        )
        if not same:
            rejected = max(scored.values(), key=lambda v: v[0].score, default=None)
            why = rejected[0].reason if rejected else "no match"
            return Choice(
                None, 0.0, f"new story ({why})", match=rejected[0] if rejected else None,
                member=rejected[2] if rejected else None,
            )  # fmt: skip
        _, best, jac, match, key = same[0]
        also = tuple(sid for _, sid, _, _, _ in same[1:] if self._one_development(best, sid))
        return Choice(best, jac, match.reason, also, match, key)

    def _one_development(self, a: str, b: str) -> bool:
        """Two stories a report matched are one unless a rule keeps their first reports apart
        (two sites, two statement days, two countries: a round-up of two developments)."""
        first_a = self._members.get(self._stories[a].members[0])
        first_b = self._members.get(self._stories[b].members[0])
        if first_a is None or first_b is None:
            return False
        return vetoed(first_a.event, first_b.event, self.settings) is None

    def _candidates(self, doc: Doc) -> dict[str, set[str]]:
        """Candidate stories, each with the member keys the LSH found (maybe none)."""
        out: dict[str, set[str]] = {}
        horizon = timedelta(days=self.settings.window_days).total_seconds()
        # Only a placed report closes stories by time: a page without a date may be a repost
        # of an old report, whenever it was fetched (live, the prune closes stories anyway).
        at = doc.event.placed.timestamp() if doc.event.placed else 0.0
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

    def _event_candidates(self, event: Development, at: float) -> list[str]:
        """Stories active within the event window that share a region, date, number or speaker.

        Each posting list is read only around ``at`` (at most ``MAX_POSTING`` entries), and
        the stories sharing the most keys come first, so a lookup stays bounded however
        full the window is.
        """
        window = timedelta(hours=self.settings.event_window_hours).total_seconds()
        counts: dict[str, int] = {}
        for pkey in posting_keys(event, self.places, query=True):
            entries = self._postings.get(pkey)
            if not entries:
                continue
            lo, hi = 0, len(entries)
            if at:  # a report that cannot be placed meets every story
                lo = bisect.bisect_left(entries, (at - window, ""))
                hi = bisect.bisect_right(entries, (at + window, "\uffff"))
            if hi - lo > MAX_POSTING:
                mid = bisect.bisect_left(entries, (at, ""), lo, hi)
                lo = max(lo, min(mid - MAX_POSTING // 2, hi - MAX_POSTING))
                hi = lo + MAX_POSTING
            # in the posting order (time), not a set's: ties then break the same way every run
            for story_id in dict.fromkeys(s for _, s in entries[lo:hi]):
                if story_id in self._stories:
                    counts[story_id] = counts.get(story_id, 0) + 1
        return sorted(counts, key=lambda s: -counts[s])[:MAX_EVENT_CANDIDATES]

    def _score(
        self, doc: Doc, candidates: dict[str, set[str]]
    ) -> dict[str, tuple[Match, float, str]]:
        """Best match per candidate story: (match, jaccard, member key)."""
        pairs: list[tuple[str, _Member]] = []
        for story_id, hits in candidates.items():
            story = self._stories[story_id]
            keys = _sample(story.members, hits)
            pairs.extend((story_id, self._members[k]) for k in keys if k in self._members)
        if not pairs:
            return {}
        out: dict[str, tuple[Match, float, str]] = {}
        # A rule that needs no text (two sites, two days, two countries) settles a member
        # without reading it; the others' texts are read closest first (MinHash estimate).
        open_pairs = []
        for story_id, member in pairs:
            veto = vetoed(doc.event, member.event, self.settings)
            if veto is None:
                open_pairs.append((story_id, member))
            elif story_id not in out:
                out[story_id] = (Match(False, 0.0, veto[1], veto[0]), 0.0, member.key)
        if not open_pairs:
            return out
        rows = np.fromiter((m.row for _, m in open_pairs), dtype=np.int64)
        estimates = dedup.estimate_jaccard(doc.signature, self._sigs[rows])
        order = np.argsort(-estimates, kind="stable").tolist()
        open_pairs = [open_pairs[i] for i in order]
        texts = self._load([m.key for _, m in open_pairs[:MAX_EXACT]])
        weights = self.terms.vector(doc.terms)
        for story_id, member in open_pairs:
            shingles, terms = texts.get(member.key, (None, None))
            sim = Similarity()
            if shingles is not None and terms is not None:
                sim = Similarity(
                    dedup.jaccard(doc.shingles, shingles),
                    dedup.teaser_containment(doc.shingles, shingles),
                    self.terms.cosine_with(weights, terms),
                )
            match = decide(doc.event, member.event, sim, self.settings, self.model)
            if match.same:
                seed = self._members.get(self._stories[story_id].members[0])
                veto = vetoed(doc.event, seed.event, self.settings) if seed else None
                if veto:
                    match = Match(False, 0.0, f"{veto[1]} (from the story's first report)", veto[0])
            prev = out.get(story_id)
            if prev is None or (match.same, match.score) > (prev[0].same, prev[0].score):
                out[story_id] = (match, sim.jaccard, member.key)
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


def posting_keys(event: Development, places: PlaceTree, *, query: bool = False) -> list[str]:
    """Where a report is filed for independent reports: regions, dates, numbers, speakers and
    the statement's day.

    A query widens day dates by one day each side (the tolerance of ``decide``).
    """
    keys = {
        *_region_keys(event.places, places),
        *_date_keys(event.dates, query),
        *_number_keys(event.numbers),
        *_actor_keys(event.actors),
        *_stated_keys(event.stated, query),
    }
    return sorted(keys)


def _region_keys(named: frozenset[str], places: PlaceTree) -> tuple[str, ...]:
    return tuple({sys.intern("r:" + places.region(p)) for p in named})


def _date_keys(dates: tuple[tuple[date, date, str], ...], query: bool) -> tuple[str, ...]:
    keys: set[str] = set()
    pad = timedelta(days=1 if query else 0)
    for start, end, _ in dates:
        keys.update({f"m:{start:%Y-%m}", f"m:{end:%Y-%m}"})
        if end - start <= MAX_DAY_SPAN:
            day = start - pad
            while day <= end + pad:
                keys.add(f"d:{day.isoformat()}")
                day += timedelta(days=1)
    return tuple(sys.intern(k) for k in keys)


def _number_keys(numbers: frozenset[int]) -> tuple[str, ...]:
    return tuple(sys.intern(f"n:{n}") for n in numbers if n >= MIN_KEY_NUMBER)


def _actor_keys(actors: frozenset[str]) -> tuple[str, ...]:
    return tuple(sys.intern(f"a:{a}") for a in actors)


def _stated_keys(stated: date | None, query: bool) -> tuple[str, ...]:
    if not stated:
        return ()
    days = (-1, 0, 1) if query else (0,)
    return tuple(sys.intern(f"s:{stated + timedelta(days=d)}") for d in days)


def _ts(event: Development) -> float:
    """When a report was last active for its story: placed, else when it was fetched."""
    at = event.placed or event.seen
    return at.timestamp() if at else 0.0
