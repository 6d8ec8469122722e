"""What a story's new member tells the readers: a new-story alert, an update, or nothing.

Pure: the pipeline passes the story stage's decision and the story as it now stands.

Bounds (issue 13), so that neither a huge article nor a flood of copies makes a huge alert or
a huge state:
- an alert carries at most ``MAX_FINDINGS`` claims: past that, the most telling (conflicting,
  completed, new, consistent) in their order; the others are counted in ``omitted_findings``;
- a claim's sentence is cut at ``MAX_SENTENCE_CHARS`` in the alert (the story keeps it whole);
- an update carries the copy that brought the change, not every copy of the story again (the
  story's outlets are named in ``story_outlets``), so its size does not grow with the story;
- ``merge_updates`` folds a later update into one not yet sent (``updates`` counts them).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from monitor.models import Alert, Finding, Story, StoryDecision, StoryMember

MAX_FINDINGS = 30
MAX_SENTENCE_CHARS = 1000
MAX_MEMBERS = 20  # copies named in one (merged) update
_PRIORITY = {"conflicting": 0, "completed": 1, "new": 2, "consistent": 3}


def story_alert(
    decision: StoryDecision,
    story: Story,
    terms: tuple[str, ...],
    now: datetime,
    *,
    article_key: str | None = None,
) -> Alert | None:
    """The alert an article's story decision calls for, if any.

    A new story (or one that never alerted) gets every merged claim; a later copy gets an
    update, referring to the first alert, with only what it added or contradicted, only that
    copy (``article_key``) among its members, and the stories it showed to be the same
    development (absorbed into this one).
    """
    if not (decision.is_new or decision.needs_update_alert):
        return None
    first = decision.is_new or story.first_alert_id is None
    if first:
        findings = tuple(c.finding for c in story.claims)
        members = story.members
    else:
        extra = tuple(f for f in decision.conflicts if f not in decision.added)
        findings = decision.added + extra
        members = tuple(m for m in story.members if m.article_key == article_key)
        members = members or story.members[-1:]
    kept, omitted = bounded(findings)
    return Alert(
        id=uuid.uuid4().hex,
        kind="new_story" if first else "story_update",
        title=story.title,
        created_at=now,
        story_id=story.id,
        follows=None if first else story.first_alert_id,
        members=members,
        findings=kept,
        # "!rule" markers (exclusions that fired) help tuning in `monitor analyze`;
        # readers of an alert need the matched terms only.
        terms=tuple(t for t in terms if not t.startswith("!")),
        absorbed=decision.absorbed,
        story_outlets=story.outlets,
        omitted_findings=omitted,
    )


def bounded(findings: Sequence[Finding], omitted: int = 0) -> tuple[tuple[Finding, ...], int]:
    """At most ``MAX_FINDINGS`` distinct findings, the most telling first, sentences cut;
    and how many were left out (``omitted`` are those already left out before)."""
    unique = list(dict.fromkeys(findings))
    if len(unique) > MAX_FINDINGS:  # keep the most telling, in their order
        order = sorted(
            range(len(unique)), key=lambda i: (_PRIORITY.get(unique[i].verdict.verdict, 4), i)
        )
        chosen = sorted(order[:MAX_FINDINGS])
        omitted += len(unique) - MAX_FINDINGS
        unique = [unique[i] for i in chosen]
    return tuple(_short(f) for f in unique), omitted


def merge_updates(earlier: Alert, later: Alert) -> Alert:
    """One update alert from two of the same story, the earlier not tried by any channel yet.

    It keeps the earlier alert's id and time (the outbox, the milestones and a later
    ``follows`` may name it) and carries both alerts' findings, the earlier ones first (within
    the bound), the copies of both, and the story as the later one saw it (its title and
    outlets); ``updates`` adds up.
    """
    findings, omitted = bounded(
        earlier.findings + later.findings, earlier.omitted_findings + later.omitted_findings
    )
    members = _union_members(earlier.members, later.members)
    return replace(
        later,
        id=earlier.id,
        created_at=earlier.created_at,
        follows=earlier.follows,
        members=members[-MAX_MEMBERS:],
        findings=findings,
        omitted_findings=omitted,
        terms=tuple(dict.fromkeys(earlier.terms + later.terms)),
        story_outlets=tuple(dict.fromkeys(earlier.story_outlets + later.story_outlets)),
        updates=earlier.updates + later.updates,
    )


def _union_members(a: Sequence[StoryMember], b: Sequence[StoryMember]) -> tuple[StoryMember, ...]:
    seen = {m.article_key: m for m in a}
    for m in b:
        seen.setdefault(m.article_key, m)
    return tuple(seen.values())


def _short(finding: Finding) -> Finding:
    sentence = finding.claim.sentence
    if len(sentence) <= MAX_SENTENCE_CHARS:
        return finding
    claim = replace(finding.claim, sentence=sentence[: MAX_SENTENCE_CHARS - 1] + "…")
    return replace(finding, claim=claim)
