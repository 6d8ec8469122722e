"""Stories for a batch in memory (``monitor analyze``, ``monitor eval``): the daemon's logic
without a store; and, for ``monitor eval``, why two reports were or were not one story."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from monitor.models import ArticleAnalysis, Terms
from monitor.settings import StorySettings
from monitor.stories import dedup
from monitor.stories.decide import Match, Similarity, decide
from monitor.stories.dedup import Hashes
from monitor.stories.index import StoryIndex
from monitor.stories.match import Development, PlaceItems
from monitor.stories.model import StoryModel


def group_batch(
    items: Sequence[tuple[str, str | None, datetime | date | None, ArticleAnalysis]],
    settings: StorySettings | None = None,
    model: StoryModel | None = None,
    places: PlaceItems = (),
) -> list[str | None]:
    """Group a batch of analysed articles into stories, in memory (``monitor analyze``).

    Articles are taken in order of publication (undated ones last) with the daemon's logic,
    stories a later article shows to be one included; a story is named after the id of its
    first article in input order.

    Args:
        items: (id, title, published, analysis) per article.
        settings: thresholds (the defaults when None).
        model: the evidence weights (the packaged model when None).
        places: the configured place hierarchy (``Timeline.places``; () the built-in one).

    Returns:
        The story id of each item, in input order; None for irrelevant articles.
    """
    settings = settings or StorySettings()
    kept: dict[str, tuple[Hashes, Terms]] = {}
    index = StoryIndex(
        settings, lambda keys: {k: kept[k] for k in keys if k in kept}, model, places
    )
    story_of: dict[int, str] = {}
    for i in sorted(range(len(items)), key=lambda i: _batch_order(items[i][2], i)):
        _, title, published, analysis = items[i]
        if not analysis.relevance.relevant:
            continue
        doc = index.make_doc(
            str(i),
            analysis.body or title or "",
            title,
            _aware(published),
            analysis.findings,
            lede=analysis.lede,
            normalized=bool(analysis.body),
        )
        choice = index.choose(doc)
        story_id = choice.story_id or doc.key
        for gone in choice.also:  # one development after all: the older story keeps it
            index.merge_stories(story_id, gone)
            story_of = {j: story_id if s == gone else s for j, s in story_of.items()}
        index.add(story_id, doc.key, doc.signature, doc.event, terms=doc.terms)
        kept[doc.key] = (doc.shingles, doc.terms)
        story_of[i] = story_id
    names: dict[str, str] = {}
    used: set[str] = set()
    for i in sorted(story_of):  # the first member in input order names the story
        story_id = story_of[i]
        if story_id not in names:
            name = items[i][0]
            names[story_id] = name if name not in used else f"{name}#{i}"
            used.add(names[story_id])
    return [names[story_of[i]] if i in story_of else None for i in range(len(items))]


def _batch_order(published: datetime | date | None, i: int) -> tuple[bool, float, int]:
    at = _aware(published)
    return (at is None, at.timestamp() if at else 0.0, i)


def _aware(at: datetime | date | None) -> datetime | None:
    """``monitor analyze`` accepts bare dates (taken as noon UTC) and times without a zone (UTC)."""
    if at is None:
        return None
    if not isinstance(at, datetime):
        return datetime(at.year, at.month, at.day, 12, tzinfo=UTC)
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


# ----------------------------------------------------------------------------- explanations

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class PairWhy:
    """Why two reports are, or are not, one story: both signatures and the deciding rule."""

    a: str  # the signature of the first report, in words
    b: str
    match: Match  # ``decide`` on the pair (the later report against the earlier)


def explain_pairs(
    items: Sequence[tuple[str, str | None, datetime | date | None, ArticleAnalysis]],
    pairs: Iterable[tuple[str, str]],
    settings: StorySettings | None = None,
    model: StoryModel | None = None,
    places: PlaceItems = (),
) -> dict[tuple[str, str], PairWhy]:
    """``decide`` on each pair of ids, with the batch's relevant articles as the IDF window.

    A pair with an irrelevant side is left out (it never reached the stories stage).
    """
    settings = settings or StorySettings()
    index = StoryIndex(settings, lambda keys: {}, model, places)
    docs = {}
    for i in sorted(range(len(items)), key=lambda i: _batch_order(items[i][2], i)):
        aid, title, published, analysis = items[i]
        if analysis.relevance.relevant:
            docs[aid] = (i, index.make_doc(
                aid, analysis.body or title or "", title, _aware(published), analysis.findings,
                lede=analysis.lede, normalized=bool(analysis.body),
            ))  # fmt: skip
            index.terms.add(docs[aid][1].terms)
    out = {}
    for a, b in pairs:
        if a not in docs or b not in docs:
            continue
        (ia, da), (ib, db) = docs[a], docs[b]
        later, earlier = (da, db) if ia > ib else (db, da)
        sim = Similarity(
            dedup.jaccard(later.shingles, earlier.shingles),
            dedup.teaser_containment(later.shingles, earlier.shingles),
            index.terms.cosine(later.terms, earlier.terms),
        )
        match = decide(later.event, earlier.event, sim, settings, index.model)
        out[(a, b)] = PairWhy(signature_text(da.event), signature_text(db.event), match)
    return out


def signature_text(d: Development) -> str:
    """A development signature in one line: who, what, where, when."""
    who = ", ".join(sorted(d.actors)) or "-"
    day = f"{d.stated} ({_WEEKDAYS[d.stated.weekday()]})" if d.stated else "-"
    if d.stated is None and d.weekday is not None:
        day = f"a {_WEEKDAYS[d.weekday]}, date unknown"
    placed = d.placed.date().isoformat() if d.placed else "unplaced"
    what = ", ".join(sorted(d.lead_families)) or "-"
    return f"speaker {who}; action {what}; site {d.site or '-'}; statement {day}; placed {placed}"
