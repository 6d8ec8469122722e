"""stories: the same-event decision, merged claims, and group_batch (``monitor analyze``)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from tests.quality_metrics import build_analyzer
from tests.support.story_corpus import BY_ID, REPORTS, Report, hand_analysis, pairs

from monitor.models import (
    ArticleAnalysis,
    Claim,
    ClaimKind,
    DateSpan,
    Finding,
    Granularity,
    Quantity,
    Relevance,
    StoryClaim,
    Verdict,
)
from monitor.settings import StorySettings
from monitor.stories import dedup
from monitor.stories.batch import group_batch
from monitor.stories.claims import (
    added_findings,
    conflicting_findings,
    extend_claims,
    merge_claims,
)
from monitor.stories.match import (
    Event,
    compare,
    event_of,
    numbers_in,
    title_words,
)

PAIRS = Path(__file__).parent / "fixtures" / "stories" / "pairs.jsonl"
SETTINGS = StorySettings()
T0 = datetime(2026, 1, 17, 12, 0, tzinfo=UTC)


def event(report: Report, analysis: ArticleAnalysis | None = None) -> tuple[Event, dedup.Hashes]:
    analysis = analysis or hand_analysis(report)
    text = dedup.dedup_text(analysis.body)
    ev = event_of(report.title, report.published, analysis.findings, numbers_in(text))
    return ev, dedup.shingles(text)


def decide(a: Report, b: Report) -> tuple[bool, str]:
    (ea, sa), (eb, sb) = event(a), event(b)
    match = compare(ea, eb, dedup.jaccard(sa, sb), dedup.teaser_containment(sa, sb), SETTINGS)
    return match.same, match.reason


# ----------------------------------------------------------------------------- pairs

CORPUS_PAIRS = pairs()


@pytest.mark.parametrize(
    ("a", "b", "same"),
    CORPUS_PAIRS,
    ids=[f"{a}~{b}:{'same' if s else 'diff'}" for a, b, s in CORPUS_PAIRS],
)
def test_corpus_pairs(a: str, b: str, same: bool) -> None:
    """Every pair of our reports: one story exactly when they report one event."""
    got, reason = decide(BY_ID[a], BY_ID[b])
    assert got == same, reason


@pytest.mark.parametrize(
    ("a", "b", "why"),
    [
        ("ain_asad_wire", "shaddadi", "different places"),
        ("ain_asad_wire", "ain_asad_2", "different dates"),
        ("ain_asad_copy", "ain_asad_2", "different dates"),  # a copy-level Jaccard, vetoed
        ("victory_a", "taji", "different sites"),  # same template, same day, two bases
        ("cut_2000_a", "syria_500", "different countries"),
        ("ain_asad_wire", "harir", "different sites"),
    ],
    ids=["syrian-base", "same-base-next-week", "template-next-week", "two-bases",
         "iraq-vs-syria", "anbar-vs-erbil"],
)  # fmt: skip
def test_vetoes_name_the_reason(a: str, b: str, why: str) -> None:
    same, reason = decide(BY_ID[a], BY_ID[b])
    assert not same
    assert reason == why


def _shift(report: Report, hours: float) -> Report:
    return dataclasses.replace(report, published=report.published + timedelta(hours=hours))


def test_independent_reports_need_to_be_close_in_time() -> None:
    a, b = BY_ID["victory_a"], BY_ID["victory_b"]
    assert decide(a, b)[0]
    assert decide(a, _shift(b, SETTINGS.event_window_hours + 1)) == (
        False,
        "published too far apart",
    )


def test_copies_may_be_days_apart_but_not_beyond_the_window() -> None:
    a, b = BY_ID["ain_asad_wire"], BY_ID["ain_asad_copy"]
    assert decide(a, _shift(b, 24 * 5))[0]
    assert not decide(a, _shift(b, 24 * (SETTINGS.window_days + 1)))[0]


def _fixture_pairs() -> list[dict[str, object]]:
    if not PAIRS.exists():
        return []
    return [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]


def _published(value: str) -> datetime:
    at = datetime.fromisoformat(value)
    if len(value) == 10:
        at = at.replace(hour=12)  # the fixtures' convention for a bare date
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def test_fixture_pairs_with_the_analyzer() -> None:
    """The labelled pairs of tests/fixtures/stories, analysed for real.

    Floors: every different-story pair stays apart (a wrong merge hides an alert), and at
    least 85% of same-story pairs merge. Pairs where the analyzer finds a side irrelevant
    never reach the stories stage and are left out.
    """
    rows = _fixture_pairs()
    if not rows:
        pytest.skip("needs tests/fixtures/stories/pairs.jsonl")
    analyzer = build_analyzer()
    merged = same_total = apart = diff_total = 0
    wrong: list[str] = []
    for row in rows:
        sides = []
        for side in ("a", "b"):
            x = row[side]
            assert isinstance(x, dict)
            at = _published(x["published"])
            analysis = analyzer.analyze(x["title"], x["text"], at)
            text = dedup.dedup_text(analysis.body, normalized=True)
            sides.append(
                (
                    analysis.relevance.relevant,
                    dedup.shingles(text),
                    event_of(x["title"], at, analysis.findings, numbers_in(text)),
                )
            )
        if not (sides[0][0] and sides[1][0]):
            continue
        (_, sa, ea), (_, sb, eb) = sides
        match = compare(ea, eb, dedup.jaccard(sa, sb), dedup.teaser_containment(sa, sb), SETTINGS)
        if row["same_story"]:
            same_total += 1
            merged += match.same
        else:
            diff_total += 1
            apart += not match.same
        if match.same != row["same_story"]:
            wrong.append(f"{row['id']}: {match.reason}")
    assert apart == diff_total, wrong
    assert merged >= 0.85 * same_total, wrong


# ----------------------------------------------------------------------------- signatures


def test_event_signature_reads_the_lede() -> None:
    ev, _ = event(BY_ID["ain_asad_wire"])
    assert ev.lead_places == {"ain_al_asad", "anbar"}
    assert "baghdad" in ev.places  # named further down: background, not the lead
    assert ev.primary_dates == ((date(2026, 1, 17), date(2026, 1, 17)),)
    assert ev.countries == {"iraq"}
    agreement, _ = event(BY_ID["two_phases_rewrite"])
    assert agreement.lead_places == frozenset()  # leads with an agreement: phases, not a place


@pytest.mark.parametrize(
    ("title", "words"),
    [
        ("الدفاع العراقية تعلن انسحاب القوات الأمريكية من قاعدة عين الأسد - الجزيرة نت",
         ("اسد", "تعلن", "دفاع", "عين", "قاعده")),
        ("العراق يتسلم قاعدة التاجي من التحالف", ("تاجي", "قاعده", "يتسلم")),
    ],
    ids=["outlet-suffix-and-topic-words", "clitics"],
)  # fmt: skip
def test_title_words(title: str, words: tuple[str, ...]) -> None:
    assert set(words) <= set(title_words(title))
    assert "التحالف" not in title_words(title)
    assert "تحالف" not in title_words(title)


def test_numbers_in_body_leave_years_out() -> None:
    assert numbers_in("غادر 2500 جندي في 2025 و 12 مستشارا و 300 عنصر") == (300, 2500)


# ----------------------------------------------------------------------------- merged claims


def finding(
    kind: ClaimKind = "withdrawal",
    *,
    day: str | None = None,
    gran: Granularity = "day",
    places: tuple[str, ...] = (),
    number: int | None = None,
    negated: bool = False,
    verdict: str = "new",
) -> Finding:
    span = None
    if day:
        start = date.fromisoformat(day)
        end = start if gran == "day" else start.replace(day=28)
        span = DateSpan(day, start, end, gran)
    claim = Claim(
        kind,
        "جملة",
        span,
        places,
        Quantity(number) if number else None,
        negated=negated,
    )
    return Finding(claim, Verdict(verdict, None, ""))  # type: ignore[arg-type]


def test_merge_claims_counts_outlets_once() -> None:
    a = finding(day="2026-01-17", places=("ain_al_asad",))
    b = finding(day="2026-01-17", places=("ain_al_asad", "anbar"))  # nested places: same
    c = finding("troop_count", number=2500)
    d = finding("troop_count", number=2510)  # within 2%: the same figure
    merged = merge_claims([("واع", [a, c]), ("المدى", [b]), ("المدى", [d]), ("الخليج", [a])])
    assert [(m.finding.claim.kind, m.outlets) for m in merged] == [
        ("withdrawal", ("واع", "المدى", "الخليج")),
        ("troop_count", ("واع", "المدى")),
    ]


STORY = (
    StoryClaim(finding(day="2026-01-17", places=("ain_al_asad",)), ("واع",)),
    StoryClaim(finding("troop_count", number=2500, places=("iraq",)), ("واع",)),
    StoryClaim(finding("mission_end", day="2025-09-01", gran="month"), ("واع",)),
)


@pytest.mark.parametrize(
    ("new", "added", "conflict"),
    [
        (finding(day="2026-01-17", places=("ain_al_asad",)), False, False),
        (finding("troop_count", number=2500, places=("iraq",)), False, False),
        (finding("troop_count", number=1500, places=("iraq",)), True, True),
        (finding(day="2026-01-18", places=("ain_al_asad",)), False, False),  # a day's tolerance
        (finding(day="2026-01-20", places=("ain_al_asad",)), True, True),
        (finding(places=("joint_operations_command",)), True, False),
        (finding(day="2026-01-17", places=("ain_al_asad",), negated=True), False, True),
        (finding("handover", verdict="conflicting"), False, True),
        (finding("handover"), False, False),
    ],
    ids=["same-claim", "same-number", "new-number", "next-day", "new-date", "new-place",
         "denial", "timeline-conflict", "nothing-new"],
)  # fmt: skip
def test_added_and_conflicting(new: Finding, added: bool, conflict: bool) -> None:
    assert bool(added_findings(STORY, [new])) == added
    assert bool(conflicting_findings(STORY, [new])) == conflict


def test_a_timeline_conflict_the_story_already_carries_is_not_news() -> None:
    old = finding(day="2026-01-17", places=("ain_al_asad",), verdict="conflicting")
    story = (StoryClaim(old, ("واع",)),)
    assert conflicting_findings(story, [old]) == ()
    assert conflicting_findings((), [old]) == (old,)


# ----------------------------------------------------------------------------- group_batch


def test_group_batch_groups_events_in_input_order() -> None:
    items = [(r.id, r.title, r.published, hand_analysis(r)) for r in REPORTS]
    stories = group_batch(items)
    by_event: dict[str, set[str | None]] = {}
    for report, story in zip(REPORTS, stories, strict=True):
        by_event.setdefault(report.event, set()).add(story)
    assert all(len(v) == 1 for v in by_event.values()), by_event
    assert len({next(iter(v)) for v in by_event.values()}) == len(by_event)
    # a story is named after its first article in input order
    assert stories[0] == "ain_asad_wire"


def test_group_batch_leaves_irrelevant_articles_out_and_takes_bare_dates() -> None:
    wire, copy = BY_ID["ain_asad_wire"], BY_ID["ain_asad_copy"]
    irrelevant = ArticleAnalysis(Relevance(False, 0.0), (), "نص")
    day = datetime(2026, 1, 17)  # no zone: taken as UTC
    items = [
        ("x", wire.title, day, hand_analysis(wire)),
        ("y", "عنوان", None, irrelevant),
        ("z", copy.title, None, hand_analysis(copy)),  # undated: meets every story
    ]
    assert group_batch(items) == ["x", None, "x"]


def test_group_batch_eight_outlets_of_one_aggregator_are_one_story() -> None:
    wire = BY_ID["ain_asad_wire"]
    analysis = hand_analysis(wire)
    datelines = ["بغداد - واع", "الأنبار/ المدى", "متابعة", "بغداد (رويترز) -", "كتب: المحرر",
                 "شفق نيوز/", "بغداد - السومرية", "الرمادي -"]  # fmt: skip
    items = []
    for i, line in enumerate(datelines):
        body = wire.text.replace("بغداد - واع", line)
        if i % 2:
            body = body.replace("أ", "ا").replace("2025", "٢٠٢٥")
        if i % 3 == 2:
            body = body.replace("أيلول/سبتمبر", "سبتمبر")
        items.append(
            (f"agg-{i}", wire.title, wire.published + timedelta(minutes=7 * i),
             dataclasses.replace(analysis, body=body))
        )  # fmt: skip
    assert len(set(group_batch(items))) == 1


def test_group_batch_duplicate_ids_still_make_distinct_stories() -> None:
    a, b = BY_ID["ain_asad_wire"], BY_ID["victory_a"]
    items = [("same", a.title, a.published, hand_analysis(a)),
             ("same", b.title, b.published, hand_analysis(b))]  # fmt: skip
    first, second = group_batch(items)
    assert first != second


def test_extending_a_story_gives_the_same_claims_as_merging_every_member() -> None:
    members = [
        ("وكالة أ", [finding(places=("ain_al_asad",)), finding(day="2026-01-18")]),
        ("صحيفة ب", [finding(places=("ain_al_asad",)), finding("troop_count", number=2500)]),
        ("شبكة ج", [finding(day="2026-01-18"), finding("handover", places=("taji",))]),
    ]
    merged: tuple = ()
    for outlet, findings in members:
        merged = extend_claims(merged, outlet, findings)
    assert merged == merge_claims(members)
