"""The story desk: the glue between the pipeline, the story index and the store.

``StoryDesk.assign`` finds the story a relevant article belongs to (``storyindex`` and
``stories`` decide), persists the membership and the story's merged claims in the caller's
transaction, and says what the article added. The in-memory index is rebuilt from the store
on construction, so a restarted daemon dedups against what it saw before. An article already
in a story (same key, edited in place) stays in it: its claims are replaced and only claims
the story did not have count as added. ``prune`` retires stories idle for ``window_days``.

When a report matches two live stories whose first reports no rule keeps apart, they were
one development all along: the older story absorbs the younger (its members, its first alert
when it had none), the store records ``absorbed_by``, and the decision lists the absorbed
stories so the update alert says so. Alerts already sent stay sent. The window's term counts
(IDF) move with each member that joins, is edited or retires. A page with no publication time
is placed by the day its text states; its fetch time only closes stories, it is never evidence.

Cost per join: constant in the story's size. The desk keeps the open stories (members and
merged claims) in memory, at most ``MAX_OPEN_STORIES``, least recently joined evicted first,
retired ones dropped with the window, all of them forgotten when a transaction rolls back;
a story not in memory is read once. A join writes its member row and the merged claims that
changed, nothing else; whether the article is already a member is one indexed query.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import itertools
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np

from monitor.errors import StoreError
from monitor.models import (
    Article,
    ArticleAnalysis,
    Finding,
    MemberState,
    Story,
    StoryDecision,
    StoryMember,
    Terms,
)
from monitor.settings import StorySettings
from monitor.store import Store
from monitor.stories.claims import (
    absorb_claims,
    added_findings,
    conflicting_findings,
    extend_claims,
    merge_claims,
)
from monitor.stories.dedup import Hashes
from monitor.stories.index import Doc, DocText, StoryIndex
from monitor.stories.match import (
    Development,
    DevelopmentReader,
    PlaceItems,
    development_of,
    encode_development,
)
from monitor.stories.model import StoryModel

TOMBSTONE_DAYS = 30  # retired stories keep their rows (and article keys) this long at least
# Stories kept in memory: a busy week has a few thousand open stories; one of 300 members
# takes about 100 KB, so the bound keeps the cache under a few hundred MB at worst.
MAX_OPEN_STORIES = 2048


class StoryDesk:
    """Assigns articles to stories; one per daemon, living across cycles."""

    def __init__(
        self,
        store: Store,
        settings: StorySettings,
        model: StoryModel | None = None,
        places: PlaceItems = (),
    ) -> None:
        """``places``: the configured place hierarchy (``Timeline.places``: sites, regions
        and countries for the signatures); () is the built-in one."""
        self.store = store
        self.settings = settings
        self.index = StoryIndex(settings, self._load_texts, model, places)
        self._open: OrderedDict[str, Story] = OrderedDict()
        store.on_rollback(self._open.clear)
        self._rebuild()

    def _rebuild(self) -> None:
        """Index every live member again from its stored signature (a start, a reload).

        Rows stored before signatures were kept (an upgraded state) are derived from their
        findings once, and the derived signatures written back for the next start.
        """
        # ~10 objects per member and no cycles among them: the collector would walk them all
        # again and again while they are made (measured: no gain in memory, a little in time)
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._rebuild_index()
        finally:
            if collecting:
                gc.enable()

    def _rebuild_index(self) -> None:
        first = self.index.next_row
        self.index.reserve(self.store.count_live_members())
        reader = DevelopmentReader(self.index.places)
        derived: list[tuple[str, str]] = []
        for rows in self.store.live_member_index():
            events = [
                reader.read(text, at, seen)
                for text, at, seen in zip(rows.events, rows.published, rows.first_seen, strict=True)
            ]
            missing = [k for k, e in zip(rows.article_keys, events, strict=True) if e is None]
            states = self.store.member_states(missing) if missing else {}
            members = []
            for story_id, key, event in zip(rows.story_ids, rows.article_keys, events, strict=True):
                if event is None:
                    event = self._derive(states[key])
                    text = encode_development(event, self.index.places)
                    if text is not None:
                        derived.append((key, text))
                members.append((story_id, key, event))
            signatures = np.frombuffer(rows.signatures, dtype=np.uint32)
            self.index.add_stored(members, signatures.reshape(len(rows), -1))
        del reader  # its shared values live on in the events; its lookup tables go now
        self.index.finish_stored(first)
        self.index.terms.load(*self.store.term_counts())
        if derived:
            # a busy or read-only state: derived again at the next start
            with contextlib.suppress(StoreError), self.store.transaction():
                self.store.save_member_events(derived)

    def _derive(self, state: MemberState) -> Development:
        """The signature of a member stored without one, from its findings and lede."""
        m = state.member
        event = development_of(
            m.title,
            m.published,
            state.findings,
            state.numbers,
            state.lede,
            m.first_seen,
            places=self.index.places,
        )
        return self.index.share(event)

    def _load_texts(self, keys: Sequence[str]) -> dict[str, tuple[Hashes, Terms]]:
        return {
            k: (np.frombuffer(shingles, dtype=np.uint32), terms)
            for k, (shingles, terms) in self.store.member_texts(keys).items()
        }

    # ------------------------------------------------------------------ the pipeline's calls

    def _new_story_id(self, article_key: str) -> str:
        """A new story's id, derived from its first report's key: two runs over the same feeds
        make the same ids, so the index's ties (same time, same score) break the same way and
        give the same stories and alerts (random ids made the alert count vary)."""
        for n in itertools.count():
            seed = article_key if n == 0 else f"{article_key}#{n}"
            story_id = hashlib.sha256(seed.encode()).hexdigest()[:32]
            if not self.store.story_titles([story_id]):  # an article may start a story again
                return story_id
        raise AssertionError("unreachable")

    def assign(
        self,
        article: Article,
        analysis: ArticleAnalysis,
        now: datetime,
        text: DocText | None = None,
    ) -> tuple[StoryDecision, Story]:
        """Put a relevant article in its story (new or existing) and say what it added.

        The caller holds the store transaction. ``text``: the index's reading of the
        article's body and title (``index.doc_text``), when a worker worked it out.

        Returns:
            The decision (new story or not, ``added`` and ``conflicts`` findings) and the
            story as it now stands.
        """
        doc = self.index.make_doc(
            article.key,
            analysis.body or article.text,
            article.title,
            article.dated,  # a fetch time places nothing: ``seen`` only closes stories
            analysis.findings,
            lede=analysis.lede,
            seen=now,
            normalized=bool(analysis.body),
            text=text,
        )
        member = StoryMember(
            article_key=article.key,
            source_id=article.entry.source_id,
            outlet=article.outlet,
            title=article.title,
            url=article.url,
            published=article.dated,  # a fetch time is not a publication time: first_seen has it
            first_seen=now,
        )
        previous = self.store.member_story(article.key)
        if previous is not None and self._story(previous) is not None:
            old = self.store.member_terms([article.key]).get(article.key)
            if old is not None:
                self.index.terms.add(old, -1)  # its new words replace the old ones
            return self._join(
                previous, member, doc, analysis, now, 1.0, "edited in place", edited=True
            )
        choice = self.index.choose(doc)
        stale = [s for s in (choice.story_id, *choice.also) if s and self._story(s) is None]
        if stale:  # left over from a rolled-back transaction
            for story_id in stale:
                self.index.remove_story(story_id)
            choice = self.index.choose(doc)
        if choice.story_id is None:
            story_id = self._new_story_id(article.key)
            self.store.create_story(story_id, article.title, now)
            return self._join(story_id, member, doc, analysis, now, 0.0, choice.reason, new=True)
        keep, absorbed = self._absorb(choice.story_id, choice.also, now)
        return self._join(
            keep, member, doc, analysis, now, choice.similarity, choice.reason, absorbed=absorbed
        )

    def set_first_alert(self, story_id: str, alert_id: str) -> None:
        """Remember the story's first alert, which later update alerts refer to."""
        self.store.set_story_alert(story_id, alert_id)
        story = self._open.get(story_id)
        if story is not None and story.first_alert_id is None:
            self._open[story_id] = dataclasses.replace(story, first_alert_id=alert_id)

    def prune(self, now: datetime) -> int:
        """Retire stories idle for the window (their rows stay as tombstones for a while).

        Returns:
            The number of stories retired.
        """
        window = timedelta(days=self.settings.window_days)
        keep = max(window * 4, timedelta(days=TOMBSTONE_DAYS))
        retired = self.store.prune_stories(now - window, now - keep)
        for story_id in retired:
            self.index.remove_story(story_id)
            self._open.pop(story_id, None)
        if retired:
            self.index.compact()
            self.index.terms.load(*self.store.term_counts())  # the store took them out
        return len(retired)

    # ------------------------------------------------------------------ internals

    def _story(self, story_id: str) -> Story | None:
        """The story as it stands: from memory, else read once from the store."""
        story = self._open.get(story_id)
        if story is None:
            story = self.store.load_story(story_id)
            if story is None:
                return None
        self._remember(story)
        return story

    def _absorb(self, best: str, also: Sequence[str], now: datetime) -> tuple[str, tuple[str, ...]]:
        """Merge the stories a report showed to be one; the oldest keeps them all.

        Returns:
            The story that keeps the report, and the stories it absorbed.
        """
        if not also:
            return best, ()
        stories = [s for s in (self._story(i) for i in (best, *also)) if s is not None]
        stories.sort(key=lambda s: (s.first_seen, s.id))
        keep = stories[0]
        for gone in stories[1:]:
            self.store.absorb_story(keep.id, gone.id, now)
            self.index.merge_stories(keep.id, gone.id)
            self._open.pop(gone.id, None)
            keep = dataclasses.replace(
                keep,
                members=(*keep.members, *gone.members),
                claims=absorb_claims(keep.claims, gone.claims),
                first_alert_id=keep.first_alert_id or gone.first_alert_id,
            )
        self.store.save_story_claims(keep.id, keep.claims)
        self._remember(keep)
        return keep.id, tuple(s.id for s in stories[1:])

    def _remember(self, story: Story) -> None:
        self._open[story.id] = story
        self._open.move_to_end(story.id)
        while len(self._open) > MAX_OPEN_STORIES:
            self._open.popitem(last=False)

    def _join(
        self,
        story_id: str,
        member: StoryMember,
        doc: Doc,
        analysis: ArticleAnalysis,
        now: datetime,
        similarity: float,
        reason: str,
        *,
        new: bool = False,
        edited: bool = False,
        absorbed: tuple[str, ...] = (),
    ) -> tuple[StoryDecision, Story]:
        """Persist the membership and the merged claims; compute what the article added."""
        before = self._story(story_id)
        assert before is not None  # assign() made or found it in this transaction
        before_claims = before.claims
        findings = analysis.findings
        self.store.save_member(
            story_id,
            member,
            findings,
            numbers=doc.numbers,
            shingles=doc.shingles.tobytes(),
            signature=doc.signature.tobytes(),
            now=now,
            lede=analysis.lede,
            terms=doc.terms,
            event=encode_development(doc.event, self.index.places),
        )
        at = _position(before.members, member.article_key) if edited else None
        if at is not None:  # edited in place: its old claims go, so merge every member again
            merged = merge_claims(
                (m.outlet, f) for m, f in self.store.story_member_findings(story_id)
            )
            kept = dataclasses.replace(member, first_seen=before.members[at].first_seen)
            members = (*before.members[:at], kept, *before.members[at + 1 :])
        else:
            merged = extend_claims(before_claims, member.outlet, findings)
            members = (*before.members, member)
        if at is not None:  # rare, and its tags may go: rewrite them all
            self.store.save_story_claims(story_id, merged)
        else:
            self.store.update_story_claims(story_id, before_claims, merged)
        self.index.add(story_id, member.article_key, doc.signature, doc.event, terms=doc.terms)
        story = dataclasses.replace(before, members=members, claims=merged)
        self._remember(story)
        if new:
            added: tuple[Finding, ...] = ()
            conflicts = tuple(f for f in findings if f.verdict.verdict == "conflicting")
        else:
            added = added_findings(before_claims, findings)
            conflicts = conflicting_findings(before_claims, findings)
        decision = StoryDecision(
            story_id=story_id,
            is_new=new,
            similarity=round(similarity, 4),
            reason=reason,
            added=added,
            conflicts=conflicts,
            absorbed=absorbed,
        )
        return decision, story


def _position(members: Sequence[StoryMember], article_key: str) -> int | None:
    """Where the article already is among the members (an edit in place), if it is."""
    return next((i for i, m in enumerate(members) if m.article_key == article_key), None)
