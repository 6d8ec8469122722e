"""A phase named by its ordinal selects that phase of the plan, never its neighbour.

The 2024 joint statement ends the coalition mission in two phases (``phase = 1`` and ``2`` in
``timeline.toml``). A sentence about "the first phase" whose date fits phase two better was
judged against phase two ("agrees"); it is about phase one, and its date contradicts it.
The sentences below are our own writing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from monitor.analysis.analyzer import Analyzer
from monitor.confkit import Problems
from monitor.errors import ConfigError
from monitor.models import Finding
from monitor.timeline import load as timeline
from monitor.timeline.phases import LAST, named_phases, phases_meant


@pytest.mark.parametrize(
    ("text", "phases"),
    [
        ("أعلنت بغداد انتهاء المرحلة الأولى من مهمة التحالف", {1}),
        ("قال إن المرحله الاولى انتهت", {1}),
        ("وستُستكمل المهمة بمرحلتها الثانية في العام المقبل", {2}),
        ("في مرحلته الثاني", {2}),
        ("وتتضمن المرحلة الثالثة تقليص عدد المستشارين", {3}),
        ("أولى مراحل الانسحاب بدأت من عين الأسد", {1}),
        ("ثاني مراحل إنهاء المهمة", {2}),
        ("في المرحلة الأخيرة من الانسحاب", {LAST}),
        ("آخر مراحل خروج القوات", {LAST}),
        ("المرحلتين الأولى والثانية من الاتفاق", {1, 2}),
        # an ordinal day, or a phase with no ordinal, names no phase
        ("في الأول من أيلول المقبل", set()),
        ("الانتقال إلى مرحلة العلاقة الأمنية الثنائية", set()),
        ("على مرحلتين", set()),
    ],
)
def test_ordinals_naming_a_phase(text: str, phases: set[int]) -> None:
    assert named_phases(text) == phases


def test_the_last_phase_is_the_timelines_highest() -> None:
    assert phases_meant("في المرحلة النهائية", frozenset({1, 2})) == {2}
    assert phases_meant("في المرحلة الأولى", frozenset()) == set()  # a timeline without phases


def _findings(analyzer: Analyzer, text: str, published: date) -> list[Finding]:
    result = analyzer.analyze("التحالف الدولي في العراق", text, published)
    assert result.relevance.relevant, text
    return list(result.findings)


@pytest.mark.parametrize(
    ("text", "published", "verdict", "event"),
    [
        # phase one named, September 2026 stated: phase one's date (2025-09) is contradicted;
        # this used to "agree with" phase two (erbil-mission-end, 2026-09)
        (
            "قال مسؤول عراقي إن المرحلة الأولى من انسحاب قوات التحالف الدولي من العراق"
            " ستنتهي في أيلول 2026.",
            date(2026, 3, 1),
            "conflicting",
            "phase-one-end",
        ),
        # phase two named, September 2025 stated: not phase one's date "agreeing"
        (
            "أعلن مسؤول أن المرحلة الثانية لانسحاب قوات التحالف الدولي من العراق ستنتهي في"
            " أيلول 2025.",
            date(2025, 2, 1),
            "conflicting",
            "erbil-mission-end",
        ),
        # the last phase is phase two
        (
            "أكدت الحكومة العراقية أن المرحلة الأخيرة من إنهاء مهمة التحالف الدولي في العراق"
            " ستكتمل في أيلول 2026.",
            date(2025, 11, 1),
            "consistent",
            "erbil-mission-end",
        ),
        # named and dated as the timeline has them: agreement, as before
        (
            "قال المتحدث إن المرحلة الأولى من إنهاء مهمة التحالف الدولي في العراق ستنتهي في"
            " أيلول 2025.",
            date(2025, 3, 1),
            "consistent",
            "phase-one-end",
        ),
        (
            "وتستكمل الحكومة العراقية إنهاء مهام التحالف الدولي بمرحلتها الثانية في أيلول 2026.",
            date(2025, 12, 1),
            "consistent",
            "erbil-mission-end",
        ),
    ],
)
def test_a_named_phase_is_judged_against_that_phase(
    analyzer: Analyzer, text: str, published: date, verdict: str, event: str
) -> None:
    findings = _findings(analyzer, text, published)
    judged = [(f.verdict.verdict, f.verdict.timeline_event) for f in findings]
    assert (verdict, event) in judged, judged
    neighbour = {"phase-one-end": "erbil-mission-end", "erbil-mission-end": "phase-one-end"}
    assert all(e != neighbour[event] for _, e in judged), judged


def test_the_reason_says_the_phase_was_checked(analyzer: Analyzer) -> None:
    (finding,) = [
        f
        for f in _findings(
            analyzer,
            "قال المتحدث إن المرحلة الأولى من إنهاء مهمة التحالف الدولي في العراق ستنتهي في"
            " أيلول 2025.",
            date(2025, 3, 1),
        )
        if f.verdict.timeline_event == "phase-one-end"
    ]
    assert "on date and phase" in finding.verdict.reason
    assert "المرحلة" in finding.verdict.reason_ar


def test_two_phases_named_select_neither_over_the_other(analyzer: Analyzer) -> None:
    """ "After phase one, phase two ends in September 2026": the date decides, as before."""
    findings = _findings(
        analyzer,
        "بعد انتهاء المرحلة الأولى ستنتهي المرحلة الثانية من مهمة التحالف الدولي في العراق"
        " في أيلول 2026.",
        date(2025, 11, 1),
    )
    judged = {(f.verdict.verdict, f.verdict.timeline_event) for f in findings}
    assert ("consistent", "erbil-mission-end") in judged, judged


def test_the_timeline_numbers_its_two_phases() -> None:
    loaded = timeline.load_timeline(timeline.default_timeline_path(), Problems())
    phases = {e.id: e.phase for e in loaded.events if e.phase is not None}
    assert phases == {"phase-one-end": 1, "erbil-mission-end": 2}


def test_a_phase_must_be_a_whole_number_from_one(tmp_path: Path) -> None:
    path = tmp_path / "timeline.toml"
    path.write_text(
        'version = "t"\n[[events]]\nid = "a"\ntitle_ar = "أ"\ntitle_en = "a"\n'
        'kind = "mission_end"\ndate = "2025-09"\nphase = 0\n',
        encoding="utf-8",
    )
    problems = Problems()
    timeline.load_timeline(path, problems)
    with pytest.raises(ConfigError, match="key 'phase' must be a whole number from 1"):
        problems.raise_if_any()
