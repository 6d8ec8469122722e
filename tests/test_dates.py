"""Dates (issue 4): table-driven cases in ``fixtures/dates/cases.jsonl`` plus lexicon sweeps.

Each case is a sentence in the style of Arabic news copy, its publication date, and every date
expected in it, in text order: original text slice, interval, granularity and preposition.
Every case goes through ``normalize`` first, so digits, tatweel and diacritics are exercised.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from monitor.analysis.dates import hijri as cal
from monitor.analysis.dates.find import find_dates
from monitor.normalize import normalize

CASES_FILE = Path(__file__).parent / "fixtures" / "dates" / "cases.jsonl"
CASES: list[dict[str, Any]] = [json.loads(line) for line in CASES_FILE.read_text().splitlines()]


def _found(text: str, published: date | None) -> list[dict[str, Any]]:
    norm = normalize(text)
    out = []
    for d in find_dates(norm, published):
        assert text[d.span[0] : d.span[1]] == d.text, "span must point at the original text"
        out.append(
            {
                "text": d.text,
                "start": d.start.isoformat(),
                "end": d.end.isoformat(),
                "granularity": d.granularity,
                "preposition": d.preposition,
            }
        )
    return out


def test_case_table_is_large_and_ids_unique() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) >= 80
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    published = date.fromisoformat(case["published"]) if case["published"] else None
    assert _found(case["text"], published) == case["expect"]


# --------------------------------------------------------------------------- lexicon sweeps

MONTH_SPELLINGS = [
    ("كانون الثاني", 1), ("يناير", 1), ("جانفي", 1),
    ("شباط", 2), ("فبراير", 2), ("فيفري", 2),
    ("آذار", 3), ("مارس", 3), ("اذار", 3),
    ("نيسان", 4), ("أبريل", 4), ("إبريل", 4), ("ابريل", 4), ("أفريل", 4),
    ("أيار", 5), ("مايو", 5), ("ماي", 5),
    ("حزيران", 6), ("يونيو", 6), ("يونيه", 6), ("جوان", 6),
    ("تموز", 7), ("يوليو", 7), ("يوليه", 7), ("جويلية", 7),
    ("آب", 8), ("أغسطس", 8), ("اغسطس", 8), ("أوت", 8), ("غشت", 8),
    ("أيلول", 9), ("ايلول", 9), ("سبتمبر", 9), ("شتنبر", 9),
    ("تشرين الأول", 10), ("أكتوبر", 10), ("اكتوبر", 10),
    ("تشرين الثاني", 11), ("نوفمبر", 11), ("نونبر", 11),
    ("كانون الأول", 12), ("ديسمبر", 12), ("دجنبر", 12),
]  # fmt: skip


@pytest.mark.parametrize(("name", "month"), MONTH_SPELLINGS, ids=[n for n, _ in MONTH_SPELLINGS])
def test_every_month_spelling(name: str, month: int) -> None:
    text = f"وأعلنت الوزارة في 7 {name} 2023 عن خطتها."
    (found,) = find_dates(normalize(text), date(2025, 1, 1))
    assert (found.start, found.granularity, found.text) == (
        date(2023, month, 7),
        "day",
        f"7 {name} 2023",
    )


WEEKDAYS = [
    ("الاثنين", 0), ("الإثنين", 0), ("الثلاثاء", 1), ("الأربعاء", 2), ("الخميس", 3),
    ("الجمعة", 4), ("السبت", 5), ("الأحد", 6),
]  # fmt: skip


@pytest.mark.parametrize(("name", "weekday"), WEEKDAYS, ids=[n for n, _ in WEEKDAYS])
def test_every_weekday_latest_on_or_before(name: str, weekday: int) -> None:
    published = date(2025, 9, 3)  # a Wednesday
    (found,) = find_dates(normalize(f"وقال المتحدث يوم {name} إن القوات انسحبت."), published)
    assert found.start.weekday() == weekday
    assert 0 <= (published - found.start).days <= 6


ORDINALS = [
    ("الأول", 1), ("الثاني", 2), ("الثالث", 3), ("التاسع", 9), ("العاشر", 10),
    ("الحادي عشر", 11), ("الثاني عشر", 12), ("التاسع عشر", 19), ("العشرين", 20),
    ("الحادي والعشرين", 21), ("الواحد والعشرين", 21), ("الخامس والعشرين", 25),
    ("الثلاثين", 30), ("الحادي والثلاثين", 31),
]  # fmt: skip


@pytest.mark.parametrize(("word", "day"), ORDINALS, ids=[w for w, _ in ORDINALS])
def test_ordinal_day_words(word: str, day: int) -> None:
    (found,) = find_dates(normalize(f"وتنتهي المهلة في {word} من كانون الثاني 2026."), None)
    assert found.start == date(2026, 1, day)


def test_unknown_publication_keeps_only_absolute_dates() -> None:
    text = "وفي 3 آذار 2024 أعلن الوزير أمس أن الانسحاب يبدأ الشهر المقبل عام 2025."
    found = find_dates(normalize(text), None)
    assert [d.text for d in found] == ["3 آذار 2024", "عام 2025"]


def test_empty_and_dateless_text() -> None:
    assert find_dates(normalize(""), date(2025, 1, 1)) == []
    assert find_dates(normalize("لا تواريخ في هذه الجملة إطلاقا."), date(2025, 1, 1)) == []


def test_spans_hold_in_a_long_article_with_furniture() -> None:
    text = (
        "اظهار أخبار متعلقة\n\nوقال المتحدث باسم التحالف إن مستشاري التحالف سيغادرون "
        "قاعدة عين الأسد في أيلول/سبتمبر المقبل، على أن تنتقل المهمة إلى أربيل حتى نهاية "
        "عام 2026.\nالتعليقات (0)\n" * 20
    )
    found = find_dates(normalize(text), date(2025, 8, 1))
    assert len(found) == 40
    assert all(text[d.span[0] : d.span[1]] == d.text for d in found)
    assert [d.span for d in found] == sorted(d.span for d in found)


# --------------------------------------------------------------------------- calendar helpers

WEEKS = [
    (date(2025, 9, 3), 0, date(2025, 8, 30)),  # Wednesday -> the Saturday before
    (date(2025, 8, 30), 0, date(2025, 8, 30)),  # a Saturday starts its own week
    (date(2025, 8, 29), 0, date(2025, 8, 23)),  # a Friday ends one
    (date(2025, 9, 3), -1, date(2025, 8, 23)),
    (date(2025, 9, 3), 1, date(2025, 9, 6)),
]


@pytest.mark.parametrize(("day", "shift", "start"), WEEKS, ids=[f"{d}{s:+d}" for d, s, _ in WEEKS])
def test_week_interval_runs_saturday_to_friday(day: date, shift: int, start: date) -> None:
    first, last = cal.week_interval(day, shift)
    assert (first, (last - first).days, last.weekday()) == (start, 6, 4)


def test_add_months_clamps_the_day() -> None:
    assert cal.add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert cal.add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)


def test_hijri_out_of_range_is_none() -> None:
    assert cal.hijri_to_gregorian(1300, 1, 1) is None
    assert cal.hijri_to_gregorian(1446, 13, 1) is None
    assert cal.hijri_month_interval(1600, 1) is None


# --------------------------------------------------------------------------- benchmark module


def test_bench_sentences_are_labelled_and_resolved() -> None:
    from bench.dates import SENTENCES

    assert len(SENTENCES) >= 30
    for text, published, expected in SENTENCES:
        found = [(d.start, d.end) for d in find_dates(normalize(text), published)]
        assert expected in found, text


def test_compare_with_dateparser_reports_every_figure() -> None:
    pytest.importorskip("dateparser")
    from bench.dates import SENTENCES, compare_with_dateparser

    figures = compare_with_dateparser(SENTENCES[:2])
    assert figures["sentences"] == 2
    for key in ("ours_right_share", "dateparser_right_share", "dateparser_autodetect_right_share"):
        assert 0.0 <= figures[key] <= 1.0
    for key in ("ours_ms_per_sentence", "dateparser_ms_per_sentence", "ours_ms_per_3000_chars"):
        assert figures[key] > 0
