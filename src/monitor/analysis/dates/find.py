"""Dates (issue 4): every date expression in normalised Arabic text, as an interval.

Rule-based, no dateparser at run time. Each family of expressions is one compiled regex with
a resolver (``date_rules`` for absolute dates, ``date_relative`` for ones that need the
publication date); all families scan the text, overlapping candidates are settled longest
first, and what is left is returned in text order with spans into the original text.

Families: day-month-year with Levantine, Egyptian/Gulf, Maghrebi and English month names and
twin forms (أيلول/سبتمبر، سبتمبر (أيلول)); d/m/yyyy and yyyy-mm-dd; month-year; year
(1900–2100, never a count: "2500 جندي"); parts of a year (مطلع/بداية → Jan–Mar, منتصف →
Apr–Sep, أواخر/نهاية → Oct–Dec; quarters; halves); a month with الحالي/الجاري/الماضي/المقبل;
الشهر/العام/الأسبوع + modifier; weekdays; أمس/اليوم/غدا/بعد غد; fuzzy spans (خلال الأشهر
المقبلة، في غضون ثلاثة أشهر); Hijri dates (a Gregorian date given next to one, e.g. after
الموافق, is preferred and the Hijri one dropped).

Choices a reader should know:
- A month without a year is in the publication year; after منذ it is the latest such month on
  or before publication, after بحلول/حتى/لغاية the earliest on or after it. A bare month name
  needs a preposition or شهر before it, and words that are also month names (آب، مارس، ماي)
  need a day, a year, a twin or a modifier unless a preposition other than من precedes them.
- A weekday is the latest such day on or before publication; المقبل/القادم → strictly after,
  الماضي → strictly before. Weeks run Saturday to Friday.
- ``preposition`` is the word before the date (بحلول، حتي، في، منذ، قبل، بعد، مع، خلال، لغايه،
  بين، الي، من...), normalised, skipping شهر/يوم/نهايه/مطلع; "في موعد أقصاه" is reported as
  بحلول and "بتاريخ" as في, a clitic ب/ل on the date as "ب"/"ل", "في غضون" as itself. A
  Gregorian date that replaces a Hijri one inherits the Hijri one's preposition.
- A number after a month that is a count ("في أيلول 2000 جندي") is left out of the date.
- Durations ("ستة أشهر من المحادثات", "نحو عامين") and decades are not dates.
- With ``published=None`` relative expressions are skipped; absolute ones still resolve.

Speed: every match of a family holds one of its *anchors* (a month name, four digits, a
weekday, الماضي/المقبل…), found by cheap literal scans. Each family regex then runs only over
windows of ``_REACH`` characters around its anchors (cut at spaces, merged), not over the
whole article; no date is longer than that on either side of its anchor.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from monitor.analysis.dates.relative import RELATIVE_FAMILIES
from monitor.analysis.dates.rules import ABSOLUTE_FAMILIES, Family, Hit, preposition_before
from monitor.analysis.dates.words import (
    GREGORIAN_MONTHS,
    HIJRI_MONTHS,
    QUARTERS,
    REL,
    WEEKDAYS,
    YEAR_PARTS,
    alternation,
)
from monitor.models import DateSpan, NormText
from monitor.normalize import normalize_text

# Order breaks ties between candidates of the same length (earlier wins).
FAMILIES = (*ABSOLUTE_FAMILIES[:4], *RELATIVE_FAMILIES, ABSOLUTE_FAMILIES[4])

# What may stand between a Hijri date and its Gregorian equivalent.
_EQUIVALENT_GAP = re.compile(
    r"\s*[,(/-]?\s*(?:(?:و|الذي\s+|التي\s+)?(?:الموافق|يوافق|توافق|المصادف|الموافقه)"
    r"(?:\s*ل)?\s*)?[(/-]?\s*"
)


# Anchors: at least one of a family's anchors lies inside each of its matches.
_ANCHOR_SOURCES = {
    "month": alternation(GREGORIAN_MONTHS) + r"|شهر\s+\d",
    "hijri_month": alternation(HIJRI_MONTHS),
    "year_digits": r"\d{4}",
    "numeric": r"\d[/.-]\d",
    "part": alternation([*YEAR_PARTS, *QUARTERS]),
    "relative": alternation([*REL, "هذا", "هذه", "الاخيره", "غضون"]),
    "day": alternation([*WEEKDAYS, "امس", "اليوم", "غد", "البارحه", "الليله"]),
}
_ANCHORS = {name: re.compile(src) for name, src in _ANCHOR_SOURCES.items()}
_FAMILY_ANCHORS = {
    "gregorian": ("month",),
    "numeric": ("numeric",),
    "hijri": ("hijri_month", "year_digits"),
    "part_of_year": ("part",),
    "relative_noun": ("relative", "part"),  # "نهاية الشهر" has no modifier to anchor on
    "days": ("day", "relative"),
    "fuzzy": ("relative",),
    "year": ("year_digits",),
}
_REACH = 100  # characters a date may extend from its anchor, on either side
_SPACE = re.compile(r"\s")


def _windows(text: str, family: Family, anchors: dict[str, list[tuple[int, int]]]) -> list[range]:
    """Merged character windows of ``text`` that hold every match of ``family``."""
    spans = sorted(s for name in _FAMILY_ANCHORS[family.name] for s in anchors[name])
    out: list[range] = []
    for a, b in spans:
        lo = max(0, a - _REACH)  # the regexes' lookbehinds see past the window's start
        m = _SPACE.search(text, min(len(text), b + _REACH))  # end on a space: lookaheads
        hi = m.start() if m else len(text)  # at the window's end then see what the text has
        if out and lo <= out[-1].stop:
            out[-1] = range(out[-1].start, max(hi, out[-1].stop))
        else:
            out.append(range(lo, hi))
    return out


def _anchor_spans(
    rx: re.Pattern[str], text: str, within: Sequence[tuple[int, int]] | None
) -> list[tuple[int, int]]:
    if within is None:
        return [m.span() for m in rx.finditer(text)]
    return [m.span() for lo, hi in within for m in rx.finditer(text, lo, hi)]


class _Candidate(NamedTuple):
    start: int
    end: int
    rank: int
    hit: Hit
    clitic: str  # و ف ب ل stuck to the date (outside its span, except a fused لل)
    lead: int  # where the word holding the date begins


def find_dates(
    norm: NormText, published: date | None, within: Sequence[tuple[int, int]] | None = None
) -> list[DateSpan]:
    """Find and resolve every date expression in ``norm``.

    Args:
        norm: the text after ``normalize.normalize`` (offsets map back to the original).
        published: the article's publication date; relative expressions need it.
        within: spans of ``norm.text`` (sentences) where dates are wanted; None for all. Dates
            elsewhere may still be returned, but none inside these spans is missed.

    Returns:
        One ``DateSpan`` per date, in text order, with ``text``/``span`` in the original text.
    """
    text = norm.text
    anchors = {name: _anchor_spans(rx, text, within) for name, rx in _ANCHORS.items()}
    found: list[_Candidate] = []
    for rank, family in enumerate(FAMILIES):
        for window in _windows(text, family, anchors):
            for m in family.regex.finditer(text, window.start, window.stop):
                hit = family.resolve(m, published)
                if hit is not None:
                    found.append(_candidate(m, rank, hit))
    chosen = _select(found)
    preps = [_preposition(text, c) for c in chosen]
    chosen, preps = _drop_hijri_equivalents(text, chosen, preps)
    return [_date_span(norm, c, p) for c, p in zip(chosen, preps, strict=True)]


def _candidate(m: re.Match[str], rank: int, hit: Hit) -> _Candidate:
    text, (start, end) = m.string, m.span("b")
    end = end if hit.cut is None else hit.cut
    clitic = text[m.start() : start]
    if clitic.endswith("لل"):
        start -= 2  # "للعام المقبل": ل + العام, fused; the date's text keeps the whole word
    while end > start and text[end - 1].isspace():
        end -= 1
    return _Candidate(start, end, rank, hit, clitic, m.start())


def _select(found: list[_Candidate]) -> list[_Candidate]:
    """Non-overlapping candidates, longest first, then by family order; in text order."""
    chosen: list[_Candidate] = []
    taken = bytearray(max((c.end for c in found), default=0))  # 1 where a chosen date lies
    for c in sorted(found, key=lambda c: (c.start - c.end, c.rank, c.start)):
        if taken.find(1, c.start, c.end) == -1:
            chosen.append(c)
            taken[c.start : c.end] = b"\x01" * (c.end - c.start)
    return sorted(chosen, key=lambda c: c.start)


def _preposition(text: str, c: _Candidate) -> str | None:
    if c.hit.preposition:
        return c.hit.preposition
    word = preposition_before(text, c.lead)
    if word:
        return word
    if "ب" in c.clitic:
        return "ب"
    return "ل" if "ل" in c.clitic else None


def _drop_hijri_equivalents(
    text: str, chosen: list[_Candidate], preps: list[str | None]
) -> tuple[list[_Candidate], list[str | None]]:
    """Where a Hijri date and a Gregorian one name the same day, keep the Gregorian one."""
    keep = [True] * len(chosen)
    for i in range(len(chosen) - 1):
        a, b = chosen[i], chosen[i + 1]
        if a.hit.hijri == b.hit.hijri or not _EQUIVALENT_GAP.fullmatch(text, a.end, b.start):
            continue
        if a.hit.hijri:
            keep[i] = False
            preps[i + 1] = preps[i] or preps[i + 1]  # "في 15 ربيع الأول ... الموافق 18 أيلول"
        else:
            keep[i + 1] = False
    return (
        [c for c, k in zip(chosen, keep, strict=True) if k],
        [p for p, k in zip(preps, keep, strict=True) if k],
    )


def _date_span(norm: NormText, c: _Candidate, prep: str | None) -> DateSpan:
    start, end = norm.original_span(c.start, c.end)
    original = norm.original
    while end < len(original) and not normalize_text(original[end]):
        end += 1  # marks the normalisation dropped after the last letter: غداً، هـ
    return DateSpan(
        text=original[start:end],
        start=c.hit.start,
        end=c.hit.end,
        granularity=c.hit.granularity,
        preposition=prep,
        span=(start, end),
    )
