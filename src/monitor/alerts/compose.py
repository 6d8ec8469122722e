"""What a story's new member tells the readers: a new-story alert, an update, or nothing.

Pure: the pipeline passes the story stage's decision and the story as it now stands.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from monitor.models import Alert, Story, StoryDecision


def story_alert(
    decision: StoryDecision, story: Story, terms: tuple[str, ...], now: datetime
) -> Alert | None:
    """The alert an article's story decision calls for, if any.

    A new story (or one that never alerted) gets every merged claim; a later copy gets an
    update, referring to the first alert, with only what it added or contradicted, and the
    stories it showed to be the same development (absorbed into this one).
    """
    if not (decision.is_new or decision.needs_update_alert):
        return None
    first = decision.is_new or story.first_alert_id is None
    if first:
        findings = tuple(c.finding for c in story.claims)
    else:
        extra = tuple(f for f in decision.conflicts if f not in decision.added)
        findings = decision.added + extra
    return Alert(
        id=uuid.uuid4().hex,
        kind="new_story" if first else "story_update",
        title=story.title,
        created_at=now,
        story_id=story.id,
        follows=None if first else story.first_alert_id,
        members=story.members,
        findings=findings,
        # "!rule" markers (exclusions that fired) help tuning in `monitor analyze`;
        # readers of an alert need the matched terms only.
        terms=tuple(t for t in terms if not t.startswith("!")),
        absorbed=decision.absorbed,
    )


def merge_updates(earlier: Alert, later: Alert) -> Alert:
    """One update alert from two of the same story queued in one cycle (neither sent yet).

    It keeps the earlier alert's id and time (the outbox, the milestones and a later
    ``follows`` may name it) and carries both alerts' findings, the earlier ones first, and
    the story as the later one saw it (its title and members).
    """
    findings = earlier.findings + tuple(f for f in later.findings if f not in earlier.findings)
    return replace(
        later,
        id=earlier.id,
        created_at=earlier.created_at,
        follows=earlier.follows,
        findings=findings,
        terms=tuple(dict.fromkeys(earlier.terms + later.terms)),
    )
