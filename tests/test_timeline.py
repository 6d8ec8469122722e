"""Timeline loading and verdicts: table-driven, claims built directly from the models."""

from __future__ import annotations

import dataclasses
import json
import re
from calendar import monthrange
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from monitor.analysis import keywords
from monitor.analysis.analyzer import Analyzer
from monitor.confkit import Problems
from monitor.errors import ConfigError
from monitor.models import (
    Claim,
    ClaimKind,
    DateSpan,
    MilestoneState,
    Quantity,
    Timeline,
    TimelineEvent,
)
from monitor.timeline import load as timeline
from monitor.timeline.fit import is_demand, numbers_agree
from monitor.timeline.judge import effective_status, judge
from monitor.timeline.table import milestone_json, milestone_rows, milestone_table

REPO = Path(__file__).resolve().parent.parent
DEFAULT = timeline.load_timeline(timeline.default_timeline_path(), Problems())


# --------------------------------------------------------------------------- helpers


def day(text: str) -> DateSpan:
    d = date.fromisoformat(text)
    return DateSpan(text, d, d, "day")


def month(text: str) -> DateSpan:
    y, m = (int(x) for x in text.split("-"))
    return DateSpan(text, date(y, m, 1), date(y, m, monthrange(y, m)[1]), "month")


def year(y: int) -> DateSpan:
    return DateSpan(str(y), date(y, 1, 1), date(y, 12, 31), "year")


def part(y: int, first: int, last: int) -> DateSpan:
    end = date(y, last, monthrange(y, last)[1])
    return DateSpan(f"{y}/{first}-{last}", date(y, first, 1), end, "part_of_year")


def week(monday: str) -> DateSpan:
    d = date.fromisoformat(monday)
    return DateSpan(monday, d, date.fromordinal(d.toordinal() + 6), "week")


def claim(
    kind: ClaimKind = "withdrawal",
    when: DateSpan | None = None,
    places: tuple[str, ...] = (),
    number: Quantity | None = None,
    *,
    done: bool = False,
    negated: bool = False,
    hedged: bool = False,
    sentence: str = "جملة للاختبار",
) -> Claim:
    return Claim(
        kind=kind,
        sentence=sentence,
        date=when,
        places=places,
        number=number,
        negated=negated,
        hedged=hedged,
        reports_done=done,
    )


def event(
    span: DateSpan,
    *,
    kind: ClaimKind = "mission_end",
    places: tuple[str, ...] = ("baghdad",),
    number: Quantity | None = None,
    status: str = "planned",
    ev_id: str = "ev",
) -> TimelineEvent:
    return TimelineEvent(
        id=ev_id,
        title_ar="حدث للاختبار",
        title_en="test event",
        kind=kind,
        start=span.start,
        end=span.end,
        granularity=span.granularity,
        places=places,
        number=number,
        status=status,  # type: ignore[arg-type]
    )


def one(ev: TimelineEvent) -> Timeline:
    return Timeline(version="t", events=(ev,))


def verdict_cases(cases: list[tuple[Any, ...]]) -> pytest.MarkDecorator:
    """Parametrize a test with one ``case`` (the tuple without its id) per verdict case."""
    return pytest.mark.parametrize("case", [c[1:] for c in cases], ids=[c[0] for c in cases])


def check_verdict(case: tuple[Any, ...], *, any_event: bool = False) -> None:
    """Judge the case's claim against the default timeline; check verdict, event and reason.

    A case is (claim, published, milestones, verdict, event, words the reason must contain).

    ``any_event``: a case whose event is None accepts any event (unless its verdict is new).
    """
    the_claim, published, milestones, verdict, event_id, words = case
    result = judge(the_claim, DEFAULT, published, milestones)
    assert result.verdict == verdict, result.reason
    if not any_event or event_id is not None or verdict == "new":
        assert result.timeline_event == event_id, result.reason
    for word in words:
        assert word in result.reason


# --------------------------------------------------------------------------- the default timeline

# (id, claim, published, milestones, verdict, event, words the reason must contain)
DEFAULT_CASES = [
    (
        "consistent-phase-one",
        claim("withdrawal", month("2025-09"), ("ain_al_asad",)),
        date(2025, 1, 10),
        None,
        "consistent",
        "phase-one-end",
        ["phase-one-end", "date", "places"],
    ),
    (
        "framing-country-dropped",
        claim("withdrawal", year(2026), ("ain_al_asad", "anbar", "iraq")),
        date(2025, 1, 10),
        None,
        "conflicting",
        "phase-one-end",
        ["puts the withdrawal at 2026; timeline: 2025-09 (phase-one-end)"],
    ),
    (
        "agreement-date-conflicts",
        claim("agreement", month("2025-09")),
        date(2025, 10, 5),
        None,
        "conflicting",
        "joint-statement",
        ["says the agreement was signed 2025-09; timeline: 2024-09-27 (joint-statement)"],
    ),
    (
        "agreement-deadline-after-publication",  # "agree to withdraw the forces in 2025"
        claim("agreement", year(2025), ("iraq",)),
        date(2024, 9, 6),
        None,
        "consistent",
        "understanding-reported",
        ["deadline after publication"],
    ),
    (
        "agreement-baghdad-is-a-metonym",
        claim("agreement", day("2024-09-27"), ("baghdad",)),
        date(2024, 9, 28),
        None,
        "consistent",
        "joint-statement",
        ["joint-statement"],
    ),
    (
        "erbil-end-2026-agrees-with-reuters-and-names-the-other",
        claim("withdrawal", part(2026, 10, 12), ("erbil",)),
        date(2025, 1, 10),
        None,
        "consistent",
        "rest-leave-end-2026",
        ["end of 2026", "another report in the timeline gives erbil-mission-end (2026-09)"],
    ),
    (
        "erbil-september-2026-agrees-with-joint-statement",
        claim("mission_end", month("2026-09"), ("harir",)),
        date(2025, 1, 10),
        None,
        "consistent",
        "erbil-mission-end",
        ["another report in the timeline gives rest-leave-end-2026 (end of 2026)"],
    ),
    (
        "iraq-by-2027-conflicts",
        claim("withdrawal", year(2027), ("iraq",)),
        date(2025, 1, 10),
        None,
        "conflicting",
        "rest-leave-end-2026",
        ["2027", "end of 2026"],
    ),
    (
        "completed-dated",
        claim("withdrawal", day("2026-01-17"), ("ain_al_asad",), done=True),
        date(2026, 1, 18),
        None,
        "completed",
        "phase-one-end",
        ["reports as done", "later than planned", "«"],
    ),
    (
        "completed-undated-country-actor",
        claim("mission_end", None, ("iraq",), done=True),
        date(2025, 9, 21),
        None,
        "completed",
        "phase-one-end",
        ["planned 2025-09"],
    ),
    (
        "completed-ahead-of-plan",
        claim("handover", day("2025-07-01"), ("joint_operations_command",), done=True),
        date(2025, 7, 2),
        None,
        "completed",
        "phase-one-end",
        ["ahead of plan"],
    ),
    (
        "done-far-too-early-conflicts",
        claim("withdrawal", None, ("erbil",), done=True),
        date(2025, 10, 1),
        None,
        "conflicting",
        "rest-leave-end-2026",
        ["reports as done by 2025-10-01", "end of 2026"],
    ),
    (
        "hedged-done-is-not-completed",
        claim("withdrawal", None, ("ain_al_asad",), done=True, hedged=True),
        date(2025, 9, 20),
        None,
        "consistent",
        "phase-one-end",
        ["hedged: ", "not counted"],
    ),
    (
        "negated-done-on-planned",
        claim("withdrawal", None, ("ain_al_asad",), done=True, negated=True),
        date(2025, 9, 20),
        None,
        "consistent",
        "phase-one-end",
        ["negated: ", "not done yet"],
    ),
    (
        "negated-denies-what-timeline-holds",
        claim("withdrawal", month("2025-09"), ("ain_al_asad",), negated=True),
        date(2025, 1, 1),
        None,
        "conflicting",
        "phase-one-end",
        ["negated: denies what the timeline holds"],
    ),
    (
        "negated-denies-a-wrong-date",
        claim("withdrawal", year(2026), ("ain_al_asad",), negated=True),
        date(2025, 1, 1),
        None,
        "consistent",
        "phase-one-end",
        ["does not hold either"],
    ),
    (
        "negated-nothing-specific",  # "لا يعني انتهاء عمل التحالف"
        claim("mission_end", negated=True),
        date(2024, 9, 28),
        None,
        "consistent",
        "phase-one-end",
        ["nothing specific to deny"],
    ),
    (
        "kind-only-is-consistent",
        claim("withdrawal"),
        date(2025, 6, 1),
        None,
        "consistent",
        "rest-leave-end-2026",
        ["names no date, place or number"],
    ),
    (
        "recollection-of-2011",
        claim("withdrawal", year(2011), ("iraq",), done=True),
        date(2025, 6, 1),
        None,
        "consistent",
        "us-withdrawal-2011",
        ["confirms"],
    ),
    (
        "new-taji-2020",
        claim("handover", year(2020), ("taji",), done=True),
        date(2020, 8, 25),
        None,
        "new",
        None,
        ["no timeline event", "taji", "2020"],
    ),
    (
        "new-withdrawal-from-syria",
        claim("withdrawal", None, ("syria",)),
        date(2025, 1, 1),
        None,
        "new",
        None,
        ["syria"],
    ),
    (
        "troops-consistent",
        claim("troop_count", None, ("iraq",), Quantity(2500, "about")),
        date(2025, 1, 1),
        None,
        "consistent",
        "us-troops-iraq",
        ["number"],
    ),
    (
        "troops-conflicting",
        claim("troop_count", None, ("iraq",), Quantity(5000, "more_than")),
        date(2025, 1, 1),
        None,
        "conflicting",
        "us-troops-iraq",  # the figure standing at publication, not the nearest one
        ["says more than 5,000; timeline: about 2,500"],
    ),
    (
        "troops-syria",
        claim("troop_count", None, ("syria",), Quantity(900)),
        date(2025, 1, 1),
        None,
        "consistent",
        "us-troops-syria",
        ["900"],
    ),
    # a story completed phase one: later claims that it is still ahead are flagged
    (
        "milestone-still-ahead",
        claim("withdrawal", month("2025-09"), ("ain_al_asad",)),
        date(2025, 8, 15),
        {"phase-one-end": "story-7"},
        "conflicting",
        "phase-one-end",
        ["still ahead", "completed, reported by story story-7"],
    ),
    (
        "milestone-still-ahead-next-month",
        claim("relocation", month("2026-03"), ("baghdad",)),
        date(2026, 2, 10),
        {"phase-one-end": "story-7"},
        "conflicting",
        "phase-one-end",
        ["still ahead", "story-7"],
    ),
    (
        "milestone-denied",
        claim("withdrawal", None, ("ain_al_asad",), done=True, negated=True),
        date(2025, 10, 15),
        {"phase-one-end": "story-7"},
        "conflicting",
        "phase-one-end",
        ["denies that it is done", "story-7"],
    ),
    (
        "milestone-confirmed",
        claim("withdrawal", None, ("ain_al_asad",), done=True),
        date(2026, 2, 15),
        {"phase-one-end": "story-7"},
        "consistent",
        "phase-one-end",
        ["confirms", "story-7"],
    ),
    (
        "milestone-background-dated-before-publication",
        claim("withdrawal", month("2025-09"), ("ain_al_asad",)),
        date(2026, 2, 15),
        {"phase-one-end": "story-7"},
        "consistent",
        "phase-one-end",
        ["agrees"],
    ),
]


@verdict_cases(DEFAULT_CASES)
def test_default_timeline_verdicts(case: tuple[Any, ...]) -> None:
    check_verdict(case)


def test_completion_then_still_planned_claim_is_flagged() -> None:
    report = claim("mission_end", day("2026-01-17"), ("ain_al_asad",), done=True)
    first = judge(report, DEFAULT, date(2026, 1, 18))
    assert (first.verdict, first.timeline_event) == ("completed", "phase-one-end")
    milestones = {first.timeline_event: "story-1"}
    # the same report again only confirms it
    again = judge(report, DEFAULT, date(2026, 1, 19), milestones)
    assert again.verdict == "consistent"
    later = claim("withdrawal", month("2026-04"), ("ain_al_asad",))
    flagged = judge(later, DEFAULT, date(2026, 3, 1), milestones)
    assert (flagged.verdict, flagged.timeline_event) == ("conflicting", "phase-one-end")
    assert "story-1" in flagged.reason
    # without the store's record the same claim would just disagree on the date
    unrecorded = judge(later, DEFAULT, date(2026, 3, 1))
    assert "still ahead" not in unrecorded.reason


@pytest.mark.parametrize(
    "flags",
    [{"negated": True}, {"hedged": True}, {"negated": True, "hedged": True}],
    ids=["negated", "hedged", "both"],
)
def test_negated_and_hedged_are_never_completed_and_keep_flags(flags: dict[str, bool]) -> None:
    the_claim = claim("withdrawal", day("2025-09-20"), ("ain_al_asad",), done=True, **flags)
    result = judge(the_claim, DEFAULT, date(2025, 9, 21))
    assert result.verdict != "completed"
    assert the_claim.negated == flags.get("negated", False)
    assert the_claim.hedged == flags.get("hedged", False)
    for flag in flags:
        assert flag in result.reason.split(":")[0]


def test_published_may_be_a_datetime() -> None:
    the_claim = claim("withdrawal", None, ("ain_al_asad",), done=True)
    when = datetime(2025, 9, 21, 22, 30, tzinfo=UTC)
    assert judge(the_claim, DEFAULT, when).verdict == "completed"


_REF = re.compile(r"\b\d{4}-\d{2}(?:-\d{2})?\b|\b[a-z][a-z0-9]*(?:-[a-z0-9]+)+\b|\bstory-\w+")
# What an English reason says that its Arabic twin must say too: the negation and hedging
# flags, done/completed, a denial, a step, "only broadly", "by kind", "still ahead".
_SAME_SENSE = [
    ("negated", "منفي"),
    ("hedged", "غير"),
    ("denies", "ينفي"),
    ("still ahead", "لم يقع بعد"),
    ("only broadly", "على نحو عام"),
    ("by kind", "من حيث النوع"),
    ("a step towards", "خطوة نحو"),
    ("a demand or a call", "مطالبة أو دعوة"),
    ("not done yet", "لم يُنجز بعد"),
    ("is completed", "مكتمل"),
]


@pytest.mark.parametrize("flags", [{}, {"reports_done": True}, {"negated": True}, {"hedged": True}])
def test_the_arabic_reason_says_what_the_english_one_says(flags: dict[str, bool]) -> None:
    """Every English reason's event ids, ISO dates, story ids and sense words reach the Arabic
    reason (a reader of ``alert_language = "ar"`` is told the same thing)."""
    cases = [c for table in (DEFAULT_CASES, DEMO_CASES) for c in table]
    seen_cases = 0
    for _name, the_claim, published, milestones, *_ in cases:
        the_claim = dataclasses.replace(the_claim, **flags)
        for done in (None, milestones, {"phase-one-end": "story-1"}):
            result = judge(the_claim, DEFAULT, published, done)
            english, arabic = result.reason, result.reason_ar
            assert arabic, english
            assert set(_REF.findall(english)) <= set(_REF.findall(arabic)), (english, arabic)
            for en, ar in _SAME_SENSE:
                if en in english:
                    assert ar in arabic, (en, english, arabic)
            seen_cases += 1
    assert seen_cases > 100


def test_every_verdict_names_an_event_and_a_reason() -> None:
    for _name, the_claim, published, milestones, *_ in DEFAULT_CASES:
        result = judge(the_claim, DEFAULT, published, milestones)
        assert result.reason
        assert (result.timeline_event is None) == (result.verdict == "new")


# --------------------------------------------------------------------------- the demo set, item by item
# The claims the analysis gives for each relevant item of src/monitor/demo/manifest.json (kind,
# date resolved against the item's publication day, places, figure, flags; a sentence only
# where its words matter), judged before and after a story completed phase one ("DONE"), as
# the demo's later copies are. Intents: a conflicting item gets a conflicting verdict; a
# completed item completes phase-one-end, or confirms it is completed once a story has; no
# other item (consistent, new, or a copy of the completion) gets a conflicting verdict.

DONE = {"phase-one-end": "story-1"}
LAST_DAYS = DateSpan("خلال الأيام الماضية", date(2026, 1, 8), date(2026, 1, 15), "week")
TODAY_0117 = day("2026-01-17")  # "اليوم" read in the newspaper's name «الخليج اليوم»

# (item id, intent, publication day, claims)
DEMO = [
    (
        "raf-78342",
        "completed",
        date(2026, 1, 18),
        (
            claim("withdrawal", None, ("ain_al_asad", "joint_operations_command"), done=True),
            claim(
                "withdrawal",
                day("2026-01-18"),
                ("ain_al_asad", "anbar", "joint_operations_command", "baghdad"),
                done=True,
            ),
            claim("mission_end"),
            claim("handover", done=True),
            claim("timetable", None, ("erbil", "syria")),
            claim("withdrawal", None, ("ain_al_asad",)),
            claim("agreement", day("2024-09-27"), ("baghdad",)),
            claim("mission_end", None, ("kurdistan",)),
        ),
    ),
    (
        "raf-78251",
        "new",
        date(2026, 1, 15),
        (
            claim("relocation", None, ("harir", "erbil"), hedged=True),
            claim("relocation", LAST_DAYS, ("baghdad", "harir", "erbil"), hedged=True),
            claim("relocation", hedged=True),
            claim("troop_count", None, (), Quantity(300, "about", unit="مستشار"), hedged=True),
        ),
    ),
    (
        "raf-78203",
        "consistent",
        date(2026, 1, 14),
        (
            claim("mission_end", month("2026-09"), ("kurdistan", "erbil")),
            claim("mission_end", None, ("baghdad", "anbar")),
        ),
    ),
    (
        "kh-report-5000-us-troops-iraq",
        "conflicting",
        date(2026, 1, 20),
        (
            claim("troop_count", None, ("iraq",), Quantity(5000, "about")),
            claim("mission_end", None, ("ain_al_asad",), done=True),
            claim("troop_count", None, ("iraq",), Quantity(2500, "about"), hedged=True),
        ),
    ),
    (
        "kh-iraq-closes-phase-one-ain-al-asad",
        "completed",
        date(2026, 1, 19),
        (
            claim(
                "withdrawal", None, ("ain_al_asad", "anbar", "joint_operations_command"), done=True
            ),
            claim("handover", day("2026-01-18"), ("baghdad",), done=True),
            claim("withdrawal", month("2026-09"), ("kurdistan", "syria")),
            claim("withdrawal", None, ("ain_al_asad",), done=True),
        ),
    ),
    (
        "kh-sources-erbil-mission-ends-march",
        "conflicting",
        date(2026, 1, 17),
        (
            claim("mission_end", month("2026-03"), ("kurdistan",), hedged=True),
            claim("timetable", None, ("erbil",), hedged=True),
            claim("timetable", TODAY_0117),
            claim("mission_end", None, ("baghdad",)),
        ),
    ),
    (
        "ma-4421",
        "consistent",
        date(2026, 1, 19),
        (
            claim("mission_end", None, ("baghdad",)),
            claim("mission_end", None, ("baghdad", "iraq")),
            claim("mission_end", month("2026-09"), ("erbil", "syria")),
            claim("agreement"),
            claim("handover", done=True),
        ),
    ),
    (
        "ma-4417",
        "completed",
        date(2026, 1, 19),
        (
            claim("mission_end", None, ("iraq", "ain_al_asad")),
            claim(
                "withdrawal",
                day("2026-01-18"),
                ("iraq", "ain_al_asad", "joint_operations_command"),
                done=True,
            ),
            claim("mission_end"),
            claim("handover", day("2026-01-17"), ("anbar",), done=True),
        ),
    ),
    (
        "ma-4405",
        "conflicting",
        date(2026, 1, 15),
        (
            claim("mission_end", year(2025)),
            claim("agreement", sentence="طالب نواب الحكومة بالكشف عن نص البيان المشترك"),
            claim("agreement", month("2025-09")),
            claim(
                "withdrawal",
                None,
                ("iraq",),
                done=True,
                sentence="قال نائب إن الالتزامات بعد انسحاب التحالف غير معروفة، داعياً إلى جلسة",
            ),
            claim("timetable", None, ("baghdad", "anbar", "erbil")),
        ),
    ),
]


def _demo_params() -> list[Any]:
    return [
        pytest.param(intent, published, claims, milestones, id=f"{item}-{label}")
        for item, intent, published, claims in DEMO
        for label, milestones in (("planned", None), ("done", DONE))
    ]


@pytest.mark.parametrize(("intent", "published", "claims", "milestones"), _demo_params())
def test_demo_items_get_their_intended_verdicts(
    intent: str,
    published: date,
    claims: tuple[Claim, ...],
    milestones: dict[str, str] | None,
) -> None:
    results = [judge(c, DEFAULT, published, milestones) for c in claims]
    verdicts = [(r.verdict, r.timeline_event, r.reason[:100]) for r in results]
    conflicting = [r for r in results if r.verdict == "conflicting"]
    if intent == "conflicting":
        assert conflicting, verdicts
    else:
        assert conflicting == [], verdicts
    if intent == "completed":
        on_phase_one = [r for r in results if r.timeline_event == "phase-one-end"]
        if milestones is None:
            assert any(r.verdict == "completed" for r in on_phase_one), verdicts
        else:
            assert any("is completed" in r.reason for r in on_phase_one), verdicts
            assert all(r.verdict == "consistent" for r in on_phase_one), verdicts


# (id, claim, published, milestones, verdict, event, words the reason must contain)
DEMO_CASES = [
    (
        "5000-troops-vs-2500",
        DEMO[3][3][0],
        date(2026, 1, 20),
        DONE,
        "conflicting",
        "us-troops-iraq",
        ["says about 5,000; timeline: about 2,500 (us-troops-iraq)"],
    ),
    (
        "kurdistan-march-vs-erbil-september",
        DEMO[5][3][0],
        date(2026, 1, 17),
        None,
        "conflicting",
        "erbil-mission-end",
        [
            "hedged: ",
            "2026-03; timeline: 2026-09 (erbil-mission-end)",
            "kurdistan-advisers-transfer",
        ],
    ),
    (
        "joint-statement-misdated",
        DEMO[8][3][2],
        date(2026, 1, 15),
        None,
        "conflicting",
        "joint-statement",
        ["says the agreement was signed 2025-09; timeline: 2024-09-27 (joint-statement)"],
    ),
    (
        "harir-move-fits-kurdistan-not-baghdad",
        DEMO[1][3][1],
        date(2026, 1, 15),
        None,
        "consistent",
        "kurdistan-advisers-transfer",
        ["places (partly)"],
    ),
    (
        "harir-move-after-completion",
        DEMO[1][3][1],
        date(2026, 1, 15),
        DONE,
        "consistent",
        "kurdistan-advisers-transfer",
        ["kurdistan-advisers-transfer (2026)"],
    ),
    (
        "300-advisers-no-place-is-new",
        DEMO[1][3][3],
        date(2026, 1, 15),
        None,
        "new",
        None,
        ["troop count", "about 300"],
    ),
    (
        "newspaper-today-is-not-an-agreement-date",
        DEMO[5][3][2],
        date(2026, 1, 17),
        None,
        "consistent",
        "timetable-agreement",
        ["the week it was published"],
    ),
    (
        "completion-report",
        DEMO[7][3][1],
        date(2026, 1, 19),
        None,
        "completed",
        "phase-one-end",
        ["reports as done", "later than planned"],
    ),
    (
        "completion-copy-confirms",
        DEMO[0][3][1],
        date(2026, 1, 18),
        DONE,
        "consistent",
        "phase-one-end",
        ["confirms phase-one-end (2025-09) is completed, reported by story story-1"],
    ),
]


@verdict_cases(DEMO_CASES)
def test_demo_claims(case: tuple[Any, ...]) -> None:
    check_verdict(case)


# --------------------------------------------------------------------------- found end to end
# Wrong "conflicting" verdicts found by tests/test_pipeline.py and tests/test_demo.py, each with
# the case next to it that must still conflict. (id, claim, published, milestones, verdict,
# event or None for any, words the reason must contain)
END_TO_END_CASES = [
    # 1. a troop figure names its place, and a count of those who moved is not the force
    (
        "figure-without-place-not-vs-syria",
        claim("troop_count", None, (), Quantity(300, "about")),
        date(2026, 2, 2),
        None,
        "new",
        None,
        [],
    ),
    (
        "figure-at-a-base-not-vs-country",
        claim("troop_count", None, ("harir",), Quantity(300, "about")),
        date(2026, 2, 2),
        None,
        "new",
        None,
        [],
    ),
    (
        "figure-in-a-country-still-conflicts",
        claim("troop_count", None, ("iraq",), Quantity(300, "about")),
        date(2026, 2, 2),
        None,
        "conflicting",
        "us-troops-iraq",
        ["says about 300; timeline: about 2,500"],
    ),
    (
        "figure-of-another-period",
        claim("troop_count", year(2027), ("iraq",), Quantity(1500)),
        date(2027, 3, 1),
        None,
        "new",
        None,
        [],
    ),
    (
        "count-of-leavers-is-a-step",  # "350 advisers left the base over the past weeks"
        claim("withdrawal", LAST_DAYS, (), Quantity(350, "about"), done=True),
        date(2026, 1, 15),
        None,
        "consistent",
        None,
        [],
    ),
    # 2. a move that names a place outside a milestone is not a date for it
    (
        "move-from-baghdad-to-harir-after-completion",
        claim("relocation", month("2026-01"), ("baghdad", "harir")),
        date(2026, 2, 10),
        None,
        "consistent",
        "kurdistan-advisers-transfer",
        [],
    ),
    (
        "move-to-harir-before-the-rest-leave",
        claim("relocation", month("2026-01"), ("harir",)),
        date(2026, 2, 10),
        None,
        "consistent",
        "kurdistan-advisers-transfer",
        [],
    ),
    (
        "baghdad-and-erbil-in-one-claim",
        claim("mission_end", month("2026-09"), ("baghdad", "anbar", "erbil")),
        date(2025, 1, 10),
        None,
        "consistent",
        "erbil-mission-end",
        [],
    ),
    (
        "move-out-of-baghdad-still-ahead",
        claim("relocation", month("2026-03"), ("baghdad",)),
        date(2026, 2, 10),
        DONE,
        "conflicting",
        "phase-one-end",
        ["still ahead", "story-1"],
    ),
    # 3. after a story completed phase one, other copies' dated claims without a cue of completion
    (
        "announced-sunday-without-a-cue",
        claim("withdrawal", day("2026-01-18"), ("ain_al_asad", "joint_operations_command")),
        date(2026, 1, 19),
        DONE,
        "consistent",
        "phase-one-end",
        ["dated 2026-01-18, after the plan", "is completed, reported by story story-1"],
    ),
    (
        "committee-named-after-the-ending",  # "اللجنة المكلفة بإنهاء مهمة التحالف، مساء الأحد"
        claim("mission_end", day("2026-01-18")),
        date(2026, 1, 19),
        DONE,
        "consistent",
        "phase-one-end",
        ["is completed"],
    ),
    (
        "committee-named-before-completion",
        claim("mission_end", day("2026-01-18")),
        date(2026, 1, 19),
        None,
        "consistent",
        None,
        ["the week it was published"],
    ),
    (
        "dated-weeks-after-the-plan-without-a-story",
        claim("mission_end", month("2025-12"), ("baghdad",)),
        date(2026, 1, 19),
        None,
        "conflicting",
        "phase-one-end",
        ["2025-12; timeline: 2025-09"],
    ),
    (
        "still-ahead-after-completion",
        claim("mission_end", month("2026-02"), ("ain_al_asad",)),
        date(2026, 1, 26),
        DONE,
        "conflicting",
        "phase-one-end",
        ["still ahead (2026-02, after publication 2026-01-26)"],
    ),
    (
        "end-of-this-month-is-not-ahead",  # "which officially ends at the end of this month"
        claim("mission_end", month("2025-09")),
        date(2025, 9, 28),
        {"phase-one-end": "story-1"},
        "consistent",
        "phase-one-end",
        [],
    ),
    (
        "by-the-end-of-the-year-was-right-then",  # July 2021, of the combat mission
        claim("mission_end", part(2021, 10, 12), ("iraq",)),
        date(2021, 7, 26),
        None,
        "consistent",
        "combat-mission-end",
        [],
    ),
    (
        "a-mission-ending-next-month-years-later-is-another",
        claim("mission_end", month("2025-11")),
        date(2025, 10, 5),
        None,
        "new",
        None,
        [],
    ),
    (
        "declared-over-weeks-before-the-deadline",  # 2021-12-09 for "by 2021-12-31"
        claim("mission_end", day("2021-12-09"), ("iraq",), done=True),
        date(2021, 12, 9),
        None,
        "consistent",
        "combat-mission-end",
        ["confirms"],
    ),
    (
        "dated-the-day-of-the-joint-statement",  # "announced on 27 September the end of ..."
        claim("mission_end", day("2024-09-27"), ("baghdad",), done=True),
        date(2024, 10, 1),
        None,
        "consistent",
        "joint-statement",
        [],
    ),
    (
        "denying-an-immediate-withdrawal-denies-no-date",
        claim("withdrawal", None, ("iraq", "baghdad"), negated=True),
        date(2025, 3, 18),
        None,
        "consistent",
        "phase-one-end",
        ["nothing specific to deny"],
    ),
    (
        "dozens-of-vehicles-left-is-not-the-phase",
        claim("withdrawal", None, ("ain_al_asad",), Quantity(20, "at_least"), done=True),
        date(2025, 9, 10),
        None,
        "consistent",
        "phase-one-end",
        ["a step towards phase-one-end", "not counted as completed"],
    ),
    (
        "a-2020-figure-is-not-the-2021-figure",
        claim("troop_count", None, ("iraq",), Quantity(5200, "about")),
        date(2020, 8, 23),
        None,
        "new",
        None,
        [],
    ),
    (
        "a-source-asking-not-to-be-named-demands-nothing",
        claim(
            "withdrawal",
            part(2025, 10, 12),
            ("iraq",),
            sentence="وقال المسؤول طالباً عدم الكشف عن هويته إن القوات ستنسحب قبل نهاية العام",
        ),
        date(2025, 3, 1),
        None,
        "conflicting",
        "rest-leave-end-2026",
        [],
    ),
    # 4. a demand is not an agreement
    (
        "demand-for-a-timetable-today",
        claim("timetable", day("2026-02-02"), ("iraq",), sentence="طالبت اللجنة اليوم بجدول زمني"),
        date(2026, 2, 2),
        None,
        "consistent",
        "timetable-agreement",
        [],
    ),
    (
        "demand-to-leave-earlier",
        claim(
            "withdrawal",
            part(2025, 10, 12),
            ("iraq",),
            sentence="دعا النائب إلى انسحاب القوات الأجنبية من العراق قبل نهاية العام",
        ),
        date(2025, 3, 1),
        None,
        "new",
        None,
        ["a demand or a call", "end of 2026"],
    ),
    (
        "the-same-as-a-plan-conflicts",
        claim(
            "withdrawal",
            part(2025, 10, 12),
            ("iraq",),
            sentence="أكد المسؤول أن القوات الأجنبية ستنسحب من العراق قبل نهاية العام",
        ),
        date(2025, 3, 1),
        None,
        "conflicting",
        "rest-leave-end-2026",
        ["end of 2025; timeline: end of 2026"],
    ),
]


@verdict_cases(END_TO_END_CASES)
def test_wrong_conflicts_found_end_to_end(case: tuple[Any, ...]) -> None:
    check_verdict(case, any_event=True)


# --------------------------------------------------------------------------- dates: granularity pairs

# (id, event date, claim date, agrees)
DATE_CASES = [
    ("day-same", day("2024-09-27"), day("2024-09-27"), True),
    ("day-next-day", day("2024-09-27"), day("2024-09-28"), True),
    ("day-day-before", day("2024-09-27"), day("2024-09-26"), True),
    ("day-two-days-off", day("2024-09-27"), day("2024-09-29"), False),
    ("day-vs-its-month", day("2024-09-27"), month("2024-09"), True),
    ("day-vs-next-month", day("2024-09-27"), month("2024-10"), False),
    ("day-vs-its-year", day("2024-09-27"), year(2024), True),
    ("day-vs-next-year", day("2024-12-31"), year(2025), False),
    ("month-last-day-inside", month("2025-09"), day("2025-09-30"), True),
    ("month-first-day-after", month("2025-09"), day("2025-10-01"), False),
    ("month-day-before", month("2025-09"), day("2025-08-31"), False),
    ("month-same", month("2025-09"), month("2025-09"), True),
    ("month-adjacent", month("2025-09"), month("2025-10"), False),
    ("month-vs-end-of-year", month("2026-09"), part(2026, 10, 12), False),
    ("october-vs-end-of-year", month("2026-10"), part(2026, 10, 12), True),
    ("month-vs-mid-year", month("2025-09"), part(2025, 4, 9), True),
    ("month-vs-early-year", month("2025-09"), part(2025, 1, 3), False),
    ("year-vs-month-inside", year(2026), month("2026-09"), True),
    ("year-vs-first-day", year(2026), day("2026-01-01"), True),
    ("year-vs-day-before", year(2026), day("2025-12-31"), False),
    ("year-adjacent", year(2026), year(2027), False),
    ("end-of-year-vs-year", part(2026, 10, 12), year(2026), True),
    ("week-vs-day-after", week("2024-09-23"), day("2024-09-30"), True),
    ("week-vs-two-days-after", week("2024-09-23"), day("2024-10-01"), False),
    ("week-vs-its-month", week("2024-09-23"), month("2024-09"), True),
]


@pytest.mark.parametrize(
    ("event_date", "claim_date", "agrees"),
    [c[1:] for c in DATE_CASES],
    ids=[c[0] for c in DATE_CASES],
)
def test_date_tolerance_by_coarser_granularity(
    event_date: DateSpan, claim_date: DateSpan, agrees: bool
) -> None:
    the_timeline = one(event(event_date))
    result = judge(claim("mission_end", claim_date, ("baghdad",)), the_timeline, None)
    assert result.verdict == ("consistent" if agrees else "conflicting"), result.reason
    assert result.timeline_event == "ev"


# --------------------------------------------------------------------------- numbers and qualifiers

# (id, timeline figure, claim figure, agrees)
NUMBER_CASES = [
    ("about-upper-edge", Quantity(2500, "about"), Quantity(2875), True),
    ("about-past-upper", Quantity(2500, "about"), Quantity(2876), False),
    ("about-lower-edge", Quantity(2500, "about"), Quantity(2125), True),
    ("about-past-lower", Quantity(2500, "about"), Quantity(2124), False),
    ("claim-about-widens", Quantity(2500), Quantity(2800, "about"), True),
    ("exact-edge", Quantity(2500), Quantity(2625), True),
    ("exact-past-edge", Quantity(2500), Quantity(2626), False),
    ("more-than-below-reach", Quantity(2500, "about"), Quantity(2874, "more_than"), True),
    ("more-than-at-reach", Quantity(2500, "about"), Quantity(2875, "more_than"), False),
    ("at-least-at-reach", Quantity(2500, "about"), Quantity(2875, "at_least"), True),
    ("at-least-past-reach", Quantity(2500, "about"), Quantity(2876, "at_least"), False),
    ("less-than-above-floor", Quantity(2500, "about"), Quantity(2126, "less_than"), True),
    ("less-than-at-floor", Quantity(2500, "about"), Quantity(2125, "less_than"), False),
    ("more-than-exact-same", Quantity(2500), Quantity(2500, "more_than"), True),
    ("timeline-bound-vs-figure", Quantity(2000, "more_than"), Quantity(1900), False),
    ("timeline-bound-vs-about", Quantity(2000, "more_than"), Quantity(1800, "about"), True),
    ("bounds-leave-room", Quantity(2000, "more_than"), Quantity(3000, "less_than"), True),
    ("bounds-exclude", Quantity(2000, "more_than"), Quantity(2000, "less_than"), False),
    ("bounds-same-way", Quantity(2000, "at_least"), Quantity(9000, "more_than"), True),
]


@pytest.mark.parametrize(
    ("theirs", "ours", "agrees"),
    [c[1:] for c in NUMBER_CASES],
    ids=[c[0] for c in NUMBER_CASES],
)
def test_numbers_respect_qualifiers(theirs: Quantity, ours: Quantity, agrees: bool) -> None:
    the_timeline = one(event(year(2024), kind="troop_count", places=("iraq",), number=theirs))
    result = judge(claim("troop_count", None, ("iraq",), ours), the_timeline, None)
    assert result.verdict == ("consistent" if agrees else "conflicting"), result.reason


def test_numbers_compare_only_within_a_kind() -> None:
    the_timeline = one(event(year(2024), kind="withdrawal", places=("iraq",), number=Quantity(500)))
    the_claim = claim("mission_end", year(2024), ("iraq",), Quantity(9000))
    assert judge(the_claim, the_timeline, None).verdict == "consistent"


# --------------------------------------------------------------------------- places and kinds

# (id, event places, event kind, claim kind, claim places, verdict) with a 2-year date mismatch
PLACE_CASES = [
    ("exact-conflicts", ("erbil",), "mission_end", "mission_end", ("erbil",), "conflicting"),
    ("nested-conflicts", ("kurdistan",), "mission_end", "mission_end", ("harir",), "conflicting"),
    (
        "outer-claim-conflicts",
        ("ain_al_asad",),
        "mission_end",
        "mission_end",
        ("anbar",),
        "conflicting",
    ),
    ("victory-in-baghdad", ("baghdad",), "mission_end", "mission_end", ("victory",), "conflicting"),
    ("taji-not-baghdad", ("baghdad",), "mission_end", "mission_end", ("taji",), "new"),
    ("specific-in-country", ("iraq",), "withdrawal", "withdrawal", ("erbil",), "new"),
    ("country-same-kind", ("erbil",), "withdrawal", "withdrawal", ("iraq",), "conflicting"),
    ("country-family-kind", ("erbil",), "withdrawal", "handover", ("iraq",), "new"),
    # a claim naming no place may agree with an event, never conflict with one on a date
    ("unplaced-same-kind", ("erbil",), "withdrawal", "withdrawal", (), "new"),
    ("unplaced-family-kind", ("erbil",), "withdrawal", "relocation", (), "new"),
    ("disjoint", ("erbil",), "mission_end", "mission_end", ("anbar",), "new"),
    ("syria-vs-iraq", ("iraq",), "withdrawal", "withdrawal", ("syria",), "new"),
    ("family-placed-conflicts", ("erbil",), "mission_end", "withdrawal", ("erbil",), "conflicting"),
    ("cross-kind-never-conflicts", ("erbil",), "mission_end", "agreement", ("erbil",), "new"),
    ("troops-vs-withdrawal", ("erbil",), "withdrawal", "troop_count", ("erbil",), "new"),
    ("other-never-conflicts", ("erbil",), "other", "other", ("erbil",), "new"),
]


@pytest.mark.parametrize(
    ("ev_places", "ev_kind", "claim_kind", "claim_places", "verdict"),
    [c[1:] for c in PLACE_CASES],
    ids=[c[0] for c in PLACE_CASES],
)
def test_places_and_kinds_decide_whether_a_date_conflicts(
    ev_places: tuple[str, ...],
    ev_kind: ClaimKind,
    claim_kind: ClaimKind,
    claim_places: tuple[str, ...],
    verdict: str,
) -> None:
    the_timeline = one(event(month("2026-09"), kind=ev_kind, places=ev_places))
    the_claim = claim(claim_kind, year(2028), claim_places)
    assert judge(the_claim, the_timeline, None).verdict == verdict


@pytest.mark.parametrize(
    ("claim_kind", "done", "verdict"),
    [
        ("relocation", False, "conflicting"),
        ("withdrawal", False, "new"),
        ("withdrawal", True, "new"),
        ("handover", False, "new"),
    ],
    ids=["own-kind-conflicts", "withdrawal-not", "withdrawal-done-not", "handover-not"],
)
def test_a_relocation_event_meets_only_its_own_kind(
    claim_kind: ClaimKind, done: bool, verdict: str
) -> None:
    """ "A convoy left for Kurdistan" (2025-06) is not "advisers transferred in Kurdistan" (2026)."""
    the_timeline = one(event(year(2026), kind="relocation", places=("kurdistan",)))
    the_claim = claim(claim_kind, month("2025-06"), ("kurdistan",), done=done)
    assert judge(the_claim, the_timeline, date(2025, 6, 30)).verdict == verdict


@pytest.mark.parametrize(
    ("claim_kind", "verdict"),
    [("agreement", "consistent"), ("other", "consistent"), ("troop_count", "new")],
    ids=["cross-kind-on-a-shared-date", "other-on-a-shared-date", "troops-never-cross"],
)
def test_loose_kinds_agree_only_on_a_shared_date(claim_kind: ClaimKind, verdict: str) -> None:
    the_timeline = one(event(month("2026-09"), kind="mission_end", places=("erbil",)))
    if claim_kind == "other":
        the_timeline = one(event(month("2026-09"), kind="other", places=("erbil",)))
    dated = claim(claim_kind, month("2026-09"), ("erbil",))
    undated = claim(claim_kind, None, ("erbil",))
    assert judge(dated, the_timeline, None).verdict == verdict
    assert judge(undated, the_timeline, None).verdict == "new"


def test_best_event_prefers_specific_places_over_a_broad_agreement() -> None:
    events = (
        event(month("2025-09"), ev_id="base", kind="mission_end", places=("ain_al_asad",)),
        event(part(2026, 10, 12), ev_id="country", kind="withdrawal", places=("iraq",)),
    )
    the_timeline = Timeline(version="t", events=events)
    result = judge(claim("withdrawal", year(2026), ("ain_al_asad",)), the_timeline, None)
    assert (result.verdict, result.timeline_event) == ("conflicting", "base")
    assert "note: agrees with country" in result.reason


def test_added_place_is_usable(tmp_path: Path) -> None:
    path = write(tmp_path, EVENT.replace('["baghdad"]', '["mosul"]') + '[places]\nmosul = "iraq"\n')
    problems = Problems()
    loaded = timeline.load_timeline(path, problems)
    assert not problems
    result = judge(claim("mission_end", month("2025-09"), ("mosul",)), loaded, None)
    assert (result.verdict, result.timeline_event) == ("consistent", "a")


# --------------------------------------------------------------------------- loading

HEADER = 'version = "1"\n'
EVENT = (
    HEADER
    + """
[[events]]
id = "a"
title_ar = "حدث"
title_en = "event"
kind = "mission_end"
date = "2025-09"
places = ["baghdad"]
"""
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "timeline.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load_problems(tmp_path: Path, text: str) -> list[str]:
    problems = Problems()
    timeline.load_timeline(write(tmp_path, text), problems)
    return problems.items


def test_default_files_are_identical_and_valid() -> None:
    shipped = (REPO / "config" / "timeline.toml").read_bytes()
    assert shipped == timeline.default_timeline_path().read_bytes()
    problems = Problems()
    loaded = timeline.load_timeline(timeline.default_timeline_path(), problems)
    assert not problems.items
    ids = {ev.id for ev in loaded.events}
    assert {"phase-one-end", "erbil-mission-end", "rest-leave-end-2026"} <= ids
    planned = {ev.id for ev in loaded.events if ev.status == "planned"}
    assert "phase-one-end" in planned


def test_two_reports_are_two_events() -> None:
    by_id = {ev.id: ev for ev in DEFAULT.events}
    erbil, rest = by_id["erbil-mission-end"], by_id["rest-leave-end-2026"]
    assert (erbil.start, erbil.end) == (date(2026, 9, 1), date(2026, 9, 30))
    assert (rest.start, rest.end, rest.granularity) == (
        date(2026, 10, 1),
        date(2026, 12, 31),
        "part_of_year",
    )


@pytest.mark.parametrize(
    ("text", "date_range", "granularity"),
    [
        ('date = "2024-09-27"', (date(2024, 9, 27), date(2024, 9, 27)), "day"),
        ('date = "2025-09"', (date(2025, 9, 1), date(2025, 9, 30)), "month"),
        ('date = "2024-02"', (date(2024, 2, 1), date(2024, 2, 29)), "month"),
        ('date = "2026"', (date(2026, 1, 1), date(2026, 12, 31)), "year"),
        ("date = 2026", (date(2026, 1, 1), date(2026, 12, 31)), "year"),
        ("date = 2024-09-27", (date(2024, 9, 27), date(2024, 9, 27)), "day"),
        (
            'start = "2026-10"\nend = "2026-12"\ngranularity = "part_of_year"',
            (date(2026, 10, 1), date(2026, 12, 31)),
            "part_of_year",
        ),
        (
            'start = "2024-09-23"\nend = "2024-09-29"\ngranularity = "week"',
            (date(2024, 9, 23), date(2024, 9, 29)),
            "week",
        ),
        (
            'start = "2025-12"\ngranularity = "month"',
            (date(2025, 12, 1), date(2025, 12, 31)),
            "month",
        ),
    ],
    ids=[
        "day",
        "month",
        "leap-february",
        "year",
        "bare-year",
        "toml-date",
        "range",
        "week",
        "start-only",
    ],
)
def test_date_forms(
    tmp_path: Path, text: str, date_range: tuple[date, date], granularity: str
) -> None:
    problems = Problems()
    loaded = timeline.load_timeline(
        write(tmp_path, EVENT.replace('date = "2025-09"', text)), problems
    )
    assert not problems.items
    ev = loaded.events[0]
    assert ((ev.start, ev.end), ev.granularity) == (date_range, granularity)


# (id, text to load, words that one problem must contain)
ERROR_CASES = [
    ("unknown-key", EVENT + 'colour = "red"\n', ["#1 (a)", "unknown key 'colour'"]),
    ("duplicate-id", EVENT + EVENT.replace(HEADER, ""), ["#2 (a)", "duplicate id 'a'", "#1 (a)"]),
    (
        "missing-id",
        EVENT.replace('id = "a"\n', ""),
        ["[[events]] #1:", "missing required key 'id'"],
    ),
    ("bad-id", EVENT.replace('id = "a"', 'id = "Phase One"'), ["#1 (Phase One)", "key 'id'"]),
    (
        "unknown-place",
        EVENT.replace('["baghdad"]', '["mosul"]'),
        ["#1 (a)", "key 'places'", "mosul"],
    ),
    (
        "unknown-kind",
        EVENT.replace('"mission_end"', '"retreat"'),
        ["#1 (a)", "key 'kind'", "retreat"],
    ),
    ("bad-date", EVENT.replace('"2025-09"', '"2025-13"'), ["#1 (a)", "key 'date'", "2025-13"]),
    ("bad-date-text", EVENT.replace('"2025-09"', '"September 2025"'), ["#1 (a)", "key 'date'"]),
    (
        "end-before-start",
        EVENT.replace(
            'date = "2025-09"', 'start = "2026-12"\nend = "2026-10"\ngranularity = "month"'
        ),
        ["#1 (a)", "key 'end'", "before 'start'"],
    ),
    (
        "bad-end",
        EVENT.replace('date = "2025-09"', 'start = "2026-10"\nend = "soon"\ngranularity = "month"'),
        ["#1 (a)", "key 'end'"],
    ),
    (
        "date-and-range",
        EVENT.replace('date = "2025-09"', 'date = "2025-09"\nstart = "2025-09"'),
        ["#1 (a)", "not both"],
    ),
    ("no-date", EVENT.replace('date = "2025-09"\n', ""), ["#1 (a)", "missing the date"]),
    (
        "range-without-granularity",
        EVENT.replace('date = "2025-09"', 'start = "2025-09"'),
        ["#1 (a)", "missing required key 'granularity'"],
    ),
    (
        "bad-granularity",
        EVENT.replace('date = "2025-09"', 'start = "2025-09"\ngranularity = "season"'),
        ["#1 (a)", "key 'granularity'"],
    ),
    ("bad-status", EVENT + 'status = "done"\n', ["#1 (a)", "key 'status'"]),
    (
        "bad-qualifier",
        EVENT + 'number = { value = 2500, qualifier = "roughly" }\n',
        ["#1 (a) [number]", "key 'qualifier'"],
    ),
    ("zero-number", EVENT + "number = { value = 0 }\n", ["#1 (a) [number]", "key 'value'"]),
    (
        "number-unknown-key",
        EVENT + "number = { value = 5, unit = 1 }\n",
        ["[number]", "unknown key 'unit'"],
    ),
    ("number-not-table", EVENT + "number = 2500\n", ["#1 (a) [number]", "expected a table"]),
    ("sources-not-strings", EVENT + "sources = [1]\n", ["#1 (a)", "key 'sources'"]),
    (
        "empty-title",
        EVENT.replace('title_en = "event"', 'title_en = " "'),
        ["#1 (a)", "key 'title_en'"],
    ),
    ("missing-title", EVENT.replace('title_ar = "حدث"\n', ""), ["#1 (a)", "'title_ar'"]),
    ("missing-version", EVENT.replace(HEADER, ""), ["missing required key 'version'"]),
    ("no-events", HEADER, ["'events'"]),
    ("unknown-top-key", "colour = 1\n" + EVENT, ["unknown key 'colour'"]),
    (
        "place-unknown-parent",
        EVENT + '[places]\nmosul = "nineveh"\n',
        ["[places]", "mosul", "nineveh"],
    ),
    ("place-cycle", EVENT + '[places]\niraq = "baghdad"\n', ["[places]", "cycle"]),
]


@pytest.mark.parametrize(
    ("text", "words"), [c[1:] for c in ERROR_CASES], ids=[c[0] for c in ERROR_CASES]
)
def test_loader_errors_name_the_event_and_the_key(
    tmp_path: Path, text: str, words: list[str]
) -> None:
    problems = load_problems(tmp_path, text)
    assert any(all(w in p for w in words) for p in problems), problems


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = EVENT.replace('"mission_end"', '"retreat"').replace('["baghdad"]', '["mosul"]')
    text += 'colour = "red"\n'
    problems = load_problems(tmp_path, text)
    assert len(problems) == 3
    with pytest.raises(ConfigError) as info:
        p = Problems()
        timeline.load_timeline(write(tmp_path, text), p)
        p.raise_if_any()
    assert len(info.value.problems) == 3


def test_syntax_error_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"timeline\.toml"):
        timeline.load_timeline(write(tmp_path, "version = \n"), Problems())


# --------------------------------------------------------------------------- the milestone table


def test_milestone_table_and_json() -> None:
    statuses = {
        "phase-one-end": MilestoneState(
            "phase-one-end",
            "completed",
            completed_by="s9",
            supporting=("s1", "s2", "s3", "s4"),
            contradicting=("s5",),
        )
    }
    text = milestone_table(DEFAULT, statuses, width=None)  # --wide: one line per milestone
    lines = text.splitlines()
    assert lines[0] == f"timeline version {DEFAULT.version}"
    row = next(line for line in lines if "phase-one-end" in line)
    assert "completed (story s9)" in row
    assert "s1, s2, s3 +1" in row and "s5" in row
    assert "انتهاء المرحلة الأولى" in row
    erbil = next(line for line in lines if "erbil-mission-end" in line)
    assert "planned" in erbil
    # rows come in date order
    starts = [r["start"] for r in milestone_rows(DEFAULT, statuses)]
    assert starts == sorted(starts)

    doc = milestone_json(DEFAULT, statuses)
    json.dumps(doc)  # JSON-able
    rows = {r["id"]: r for r in doc["milestones"]}
    assert doc["version"] == DEFAULT.version
    assert rows["phase-one-end"]["status"] == "completed"
    assert rows["phase-one-end"]["status_in_timeline"] == "planned"
    assert rows["phase-one-end"]["completed_by"] == "s9"
    assert rows["phase-one-end"]["contradicting"] == ["s5"]
    assert rows["rest-leave-end-2026"]["date"] == "end of 2026"
    assert rows["us-troops-iraq"]["number"] == {"value": 2500, "qualifier": "about"}
    assert rows["erbil-mission-end"]["completed_by"] is None


def test_effective_status() -> None:
    by_id = {ev.id: ev for ev in DEFAULT.events}
    assert effective_status(by_id["phase-one-end"], None) == "planned"
    assert effective_status(by_id["phase-one-end"], {"phase-one-end": "s"}) == "completed"
    assert effective_status(by_id["joint-statement"], {}) == "completed"


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (day("2024-09-27"), "2024-09-27"),
        (month("2025-09"), "2025-09"),
        (year(2026), "2026"),
        (part(2026, 10, 12), "end of 2026"),
        (part(2026, 1, 3), "early 2026"),
        (part(2025, 4, 9), "mid 2025"),
        (week("2024-09-23"), "week of 2024-09-23"),
    ],
    ids=["day", "month", "year", "end-of-year", "early", "mid", "week"],
)
def test_dates_read_as_a_reader_writes_them(span: DateSpan, text: str) -> None:
    result = judge(claim("mission_end", span, ("erbil",)), one(event(year(2030))), None)
    assert result.verdict == "new" and text in result.reason


def test_milestone_table_marks_overdue_plans_and_names_stories() -> None:
    from datetime import date as _date

    from monitor.models import MilestoneState
    from monitor.timeline.table import milestone_table

    timeline = _default_timeline_for_table()
    states = {"joint-statement": MilestoneState("joint-statement", supporting=("abcdef0123",))}
    text = milestone_table(timeline, states, {"abcdef0123": "عنوان القصة"}, _date(2026, 11, 24))
    erbil = next(line for line in text.splitlines() if " erbil-mission-end " in line)
    assert "planned (overdue)" in erbil
    assert "  abcdef01  عنوان القصة" in text.splitlines()


def _default_timeline_for_table() -> Timeline:
    from monitor.confkit import Problems
    from monitor.timeline.load import default_timeline_path, load_timeline

    return load_timeline(default_timeline_path(), Problems())


@pytest.mark.parametrize(
    ("day", "expected"),
    [("2025-08-10", "consistent"), ("2027-03-01", "conflicting")],
    ids=["starts-before-the-end", "starts-after-the-planned-end"],
)
def test_a_start_is_a_step_not_a_completion(day: str, expected: str) -> None:
    from monitor.timeline.judge import judge

    timeline = _default_timeline_for_table()
    start = date.fromisoformat(day)
    claim = Claim(
        "withdrawal",
        "بدأت قوات التحالف سحب معداتها من قاعدة عين الأسد",
        DateSpan(day, start, start, "day"),
        ("ain_al_asad",),
        reports_done=True,
        phase="start",
    )
    verdict = judge(claim, timeline, start)
    assert verdict.verdict == expected, verdict.reason


def test_an_undated_agreement_is_never_one_reached_after_publication() -> None:
    from monitor.timeline.judge import judge

    timeline = _default_timeline_for_table()
    claim = Claim(
        "agreement", "أعلن العراق توصله إلى اتفاق مع واشنطن بشأن مستقبل التحالف", places=("iraq",)
    )
    verdict = judge(claim, timeline, date(2024, 1, 26))
    later = {e.id for e in timeline.events if e.start > date(2024, 1, 27)}
    assert verdict.timeline_event not in later, verdict.reason


# --------------------------------------------------------------------------- reasons in Arabic


@pytest.mark.parametrize(
    ("the_claim", "published", "verdict", "words"),
    [
        (
            claim(
                "withdrawal",
                DateSpan("آذار 2026", date(2026, 3, 1), date(2026, 3, 31), "month"),
                ("erbil",),
            ),
            date(2026, 1, 10),
            "conflicting",
            ["يخالف الجدول الزمني", "يحدد الانسحاب في 2026-03", "(rest-leave-end-2026)"],
        ),
        (
            claim(
                "handover",
                DateSpan("2010", date(2010, 1, 1), date(2010, 12, 31), "year"),
                ("syria",),
            ),
            date(2026, 1, 10),
            "new",
            ["لا حدث في الجدول الزمني يطابق", "تسليم", "2010"],
        ),
        (
            claim(
                "mission_end",
                DateSpan("أيلول 2025", date(2025, 9, 1), date(2025, 9, 30), "month"),
                ("baghdad",),
            ),
            date(2025, 8, 10),
            "consistent",
            ["يتفق مع phase-one-end", "في التاريخ والأماكن"],
        ),
        # nothing to check but the kind: the Arabic says so, as the English does
        (
            claim("agreement"),
            date(2026, 1, 10),
            "consistent",
            ["لا يذكر تاريخًا أو مكانًا أو عددًا", "يوافق joint-statement", "من حيث النوع فقط"],
        ),
        # places it names that the event cannot be checked by (an agreement's capitals): it
        # does not say it names none
        (
            claim("agreement", None, ("baghdad",)),
            date(2026, 1, 10),
            "consistent",
            ["لا شيء مما يذكره يمكن مطابقته مع الحدث", "من حيث النوع فقط"],
        ),
    ],
    ids=["conflicting", "new", "consistent", "consistent-by-kind", "by-kind-with-places"],
)
def test_every_verdict_has_an_arabic_reason_from_the_same_parts(
    the_claim: Claim, published: date, verdict: str, words: list[str]
) -> None:
    result = judge(the_claim, DEFAULT, published)
    assert result.verdict == verdict, result.reason
    for word in words:
        assert word in result.reason_ar, result.reason_ar
    if result.timeline_event:
        event = next(e for e in DEFAULT.events if e.id == result.timeline_event)
        assert f"«{event.title_ar}»" in result.reason_ar  # the event's own Arabic title


@pytest.mark.parametrize(
    ("claim", "event", "agree"),
    [
        ((5, "at_most"), (2500, "about"), False),  # "لا يتجاوز خمسة" never agrees with 2,500
        ((3000, "at_most"), (2500, "about"), True),
        ((2500, "at_most"), (2500, "at_least"), True),  # both inclusive: 2,500 fits
        ((2500, "less_than"), (2500, "at_least"), False),
        ((2000, "at_least"), (3000, "at_most"), True),
    ],
)
def test_at_most_is_an_inclusive_ceiling(
    claim: tuple[int, str], event: tuple[int, str], agree: bool
) -> None:
    c = Quantity(claim[0], claim[1])  # type: ignore[arg-type]
    e = Quantity(event[0], event[1])  # type: ignore[arg-type]
    assert numbers_agree(c, e) is agree


def test_a_story_written_before_a_completion_was_reported_does_not_contradict_it() -> None:
    # August 2025: "the mission in Baghdad ends next month"; the completion was first reported
    # in January 2026 by story s1.
    plan = claim("mission_end", month("2025-09"), ("baghdad",))
    milestones = {"phase-one-end": "s1"}
    first = {"phase-one-end": date(2026, 1, 17)}
    before = judge(plan, DEFAULT, date(2025, 8, 17), milestones, first)
    assert before.verdict == "consistent"
    # not knowing when it was reported, the completion would count against it
    assert judge(plan, DEFAULT, date(2025, 8, 17), milestones).verdict == "conflicting"
    # the same words after the completion was reported speak of it as still ahead
    late = claim("mission_end", month("2026-03"), ("baghdad",))
    after = judge(late, DEFAULT, date(2026, 2, 1), milestones, first)
    assert after.verdict == "conflicting" and after.timeline_event == "phase-one-end"
    # without the day of the completion the rule stays as it was
    assert judge(late, DEFAULT, date(2026, 2, 1), milestones).verdict == "conflicting"


def test_an_undated_article_never_makes_a_claim_late_or_ahead() -> None:
    late = claim("mission_end", month("2026-03"), ("baghdad",))
    verdict = judge(
        late, DEFAULT, None, {"phase-one-end": "s1"}, {"phase-one-end": date(2026, 1, 17)}
    )
    assert verdict.verdict != "conflicting" or "still ahead" not in verdict.reason


def test_the_milestone_table_fits_100_columns_and_loses_nothing() -> None:
    """Issue 14: ``monitor timeline`` was 290 columns wide; now a block per milestone within
    100, every id, status, story and both titles whole (words kept in order); ``--wide`` keeps
    one line per milestone."""
    statuses = {
        "phase-one-end": MilestoneState(
            "phase-one-end",
            "completed",
            completed_by="s9" * 8,
            supporting=tuple(f"{i}" * 16 for i in range(1, 6)),
            contradicting=("c" * 16, "d" * 16),
        )
    }
    titles = {"s9" * 8: "عنوان " * 30}  # a story title longer than a line
    text = milestone_table(DEFAULT, statuses, titles)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 100
    words = text.split()
    for ev in DEFAULT.events:
        assert ev.id in words
        for title in (ev.title_en, ev.title_ar or ""):
            assert " ".join(title.split()) in " ".join(words), title
    block = text.split("\n\n")
    phase = next(b for b in block if " phase-one-end " in b)
    assert "completed (story s9s9s9s9)" in phase
    assert "supported by 11111111, 22222222, 33333333 +2" in phase
    assert "contradicted by cccccccc, dddddddd" in phase
    # No line mixes the directions: the Arabic title has its own line(s).
    arabic = next(line for line in phase.splitlines() if "انتهاء المرحلة الأولى" in line)
    assert not any("a" <= ch <= "z" for ch in arabic.lower())

    wide = milestone_table(DEFAULT, statuses, titles, width=None).splitlines()
    assert len(wide) > 0 and max(len(line) for line in wide) > 100
    assert sum(1 for line in wide if " phase-one-end " in line) == 1


def test_a_new_claims_reason_names_its_places_in_each_language() -> None:
    """The gazetteer's names, not the ids: «في الموصل», "at Mosul" (an analyst read «في mosul»)."""
    rules = keywords.load_rules(keywords.default_rules_path(), Problems())
    analyzer = Analyzer(rules, DEFAULT)
    the_claim = claim("troop_count", None, ("mosul", "kirkuk"), Quantity(2000, "about"))
    verdict = analyzer.judge(the_claim, date(2026, 12, 1), None)
    assert verdict.verdict == "new"
    assert "الموصل" in verdict.reason_ar and "mosul" not in verdict.reason_ar
    assert "Mosul" in verdict.reason and "at mosul" not in verdict.reason


# --------------------------------------------------------------------------- stale fits by kind


def test_an_undated_claim_fits_the_event_of_its_time_before_an_old_one_of_its_kind() -> None:
    # "Baghdad and Washington agree …" with nothing to check, written in January 2024: the
    # timetable agreement of that month, not the 2021 agreement a same-kind fit would name
    agreed = claim("agreement", places=("iraq",))
    result = judge(agreed, DEFAULT, date(2024, 1, 26), {})
    assert result.verdict == "consistent"
    assert result.timeline_event == "timetable-agreement", result.reason
    # the same words in 2021 are the 2021 agreement
    assert judge(agreed, DEFAULT, date(2021, 7, 27), {}).timeline_event == (
        "combat-withdrawal-agreement"
    )


def test_an_old_event_still_fits_when_it_is_the_only_one_of_its_kind() -> None:
    timeline = one(event(day("2014-09-10"), kind="agreement", places=("iraq",), status="completed"))
    result = judge(claim("agreement", places=("iraq",)), timeline, date(2025, 1, 5), {})
    assert result.verdict == "consistent"
    assert result.timeline_event == "ev"


def test_a_milestone_done_since_was_still_next_for_an_article_written_before_it() -> None:
    # "Baghdad and Washington discuss ending the combat missions", July 2021: the combat
    # mission's end (done at the end of 2021 in the file) was the next milestone then
    ending = claim("mission_end", places=("iraq",))
    assert judge(ending, DEFAULT, date(2021, 7, 20), {}).timeline_event == "combat-mission-end"


@pytest.mark.parametrize(
    "sentence",
    [
        "ودفع القصف النواب للدعوة إلى خروج قوات التحالف الدولي قبل نهاية العام",
        "وخرج المتظاهرون للمطالبة بانسحاب القوات الأجنبية من البلاد",
    ],
)
def test_a_call_written_as_a_noun_after_lil_is_a_demand(sentence: str) -> None:
    assert is_demand(sentence)
