"""Stories for a batch in memory (``monitor analyze``, ``monitor eval``): the daemon's logic
without a store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from monitor.models import ArticleAnalysis, Terms
from monitor.settings import StorySettings
from monitor.stories.dedup import Hashes
from monitor.stories.index import StoryIndex
from monitor.stories.model import StoryModel


def group_batch(
    items: Sequence[tuple[str, str | None, datetime | date | None, ArticleAnalysis]],
    settings: StorySettings | None = None,
    model: StoryModel | None = None,
) -> list[str | None]:
    """Group a batch of analysed articles into stories, in memory (``monitor analyze``).

    Articles are taken in order of publication (undated ones last) with the daemon's logic,
    stories a later article shows to be one included; a story is named after the id of its
    first article in input order.

    Args:
        items: (id, title, published, analysis) per article.
        settings: thresholds (the defaults when None).
        model: the evidence weights (the packaged model when None).

    Returns:
        The story id of each item, in input order; None for irrelevant articles.
    """
    settings = settings or StorySettings()
    kept: dict[str, tuple[Hashes, Terms]] = {}
    index = StoryIndex(settings, lambda keys: {k: kept[k] for k in keys if k in kept}, model)
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
