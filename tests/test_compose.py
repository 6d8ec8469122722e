"""Which alert a story decision calls for (pure: no store, no channel)."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.alerts.compose import story_alert
from monitor.models import Claim, Finding, Story, StoryClaim, StoryDecision, Verdict

NOW = datetime(2026, 1, 18, 18, tzinfo=UTC)


def finding(sentence: str, verdict: str = "new") -> Finding:
    return Finding(Claim("withdrawal", sentence), Verdict(verdict, None, ""))  # type: ignore[arg-type]


FIRST = finding("غادر آخر المستشارين قاعدة عين الأسد")
ADDED = finding("وبقي نحو 300 مستشار في أربيل")
STORY = Story("s1", "عنوان", NOW, claims=(StoryClaim(FIRST, ("أ",)), StoryClaim(ADDED, ("ب",))))


def test_a_new_story_alerts_with_every_merged_claim() -> None:
    alert = story_alert(
        StoryDecision("s1", True, 1.0, "new"), STORY, ("انسحاب", "!foreign_only"), NOW
    )
    assert alert is not None and alert.kind == "new_story" and alert.follows is None
    assert alert.findings == (FIRST, ADDED)
    assert alert.terms == ("انسحاب",)  # exclusion markers are for tuning, not for readers


def test_a_copy_that_adds_nothing_is_silent() -> None:
    story = Story("s1", "عنوان", NOW, claims=STORY.claims, first_alert_id="a1")
    assert story_alert(StoryDecision("s1", False, 0.8, "copy"), story, (), NOW) is None


def test_a_copy_that_adds_a_claim_updates_the_first_alert() -> None:
    story = Story("s1", "عنوان", NOW, claims=STORY.claims, first_alert_id="a1")
    conflict = finding("تنتهي المهمة في آذار 2026", "conflicting")
    decision = StoryDecision("s1", False, 0.5, "event", added=(ADDED,), conflicts=(conflict, ADDED))
    alert = story_alert(decision, story, (), NOW)
    assert alert is not None and alert.kind == "story_update" and alert.follows == "a1"
    assert alert.findings == (ADDED, conflict)
