"""How well a claim fits a timeline event: kinds, places, dates and numbers.

The rules are documented in ``timeline.py``'s docstring; ``timeline_judge.py`` turns these
measures into verdicts. Pure functions over the models.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from monitor.models import POLITICAL_KINDS, Claim, DateSpan, Quantity, TimelineEvent
from monitor.normalize import normalize_text

# How well places fit (higher is better). Disjoint places do not fit at all (None).
UNSPECIFIED, BROAD, NESTED, EXACT = 0, 1, 2, 3
# How well kinds fit. CROSS: a forces-leaving claim against an agreement event or the reverse.
CROSS, FAMILY, SAME = 1, 2, 3

MOVEMENT = frozenset({"withdrawal", "mission_end", "handover", "relocation"})
# Steps on the way to a milestone of another kind: moving advisers to Harir or handing over one
# base before "the rest leave by the end of 2026" is not a date for the end itself.
STEPS = frozenset({"relocation", "handover"})

# Days two intervals may lie apart and still agree, by the coarser granularity. Coarse dates
# get none: the coarser interval is itself the tolerance (September 2026 is not "end of 2026").
SLACK_DAYS = {"day": 1, "week": 1, "part_of_month": 1, "month": 0, "part_of_year": 0, "year": 0}
_ORDER = ("day", "week", "part_of_month", "month", "part_of_year", "year")
ABOUT_PERCENT = 15  # "about 2,500" agrees with 2,125..2,875
EXACT_PERCENT = 5  # plain figures in news copy are rounded too

# A date in the week up to publication ("اليوم"، "الأحد"، "أمس") on a claim that does not
# report something done is the day it was said (a statement, a demand), not a new date for the
# event it names.
NEWS_PEG_DAYS = 7

# Words of a demand or a call (normalised: ة -> ه, hamzas folded): "طالبت ... بإعلان جدول
# زمني"، "دعا إلى"، "يجب"، "ضرورة". What someone asks for is not what was agreed or planned.
_DEMAND_RE = re.compile(
    r"(?<!\w)[وف]?(?:لل|[بل]?(?:ال)?)[يت]?"  # لل: ل + ال ("للدعوة إلى"، "للمطالبة ب")
    r"(?:طالب|مطالب|دعا|دعت|دعو|داعي|ناشد|مناشد|حث|يجب|ينبغي|ضروره|طلب)\w*+"
    # "طالباً عدم الكشف عن هويته": a source asking not to be named demands nothing
    r"(?!\s+(?:ب?عدم|الا)\s+(?:الكشف|كشف|نشر|ذكر|الافصاح|الاشاره))"
)

_QUALIFIER_WORDS = {
    "exact": "",
    "about": "about ",
    "more_than": "more than ",
    "less_than": "fewer than ",
    "at_least": "at least ",
    "at_most": "at most ",
}


# --------------------------------------------------------------------------- kinds and places


def kind_fit(claim_kind: str, event_kind: str) -> int:
    """SAME, FAMILY, CROSS or 0 (no fit)."""
    if claim_kind == event_kind:
        return SAME
    pair = {claim_kind, event_kind}
    if pair <= MOVEMENT or pair <= POLITICAL_KINDS:
        return FAMILY
    if pair <= MOVEMENT | POLITICAL_KINDS:
        return CROSS
    return 0


@dataclass(frozen=True, slots=True, eq=False)
class Places:
    """The place hierarchy (child -> parent; None for a country) with every place's ancestors
    worked out once. One instance per hierarchy (``places_of``): the place measures below are
    cached on it, as the same few places meet the same few events claim after claim."""

    parents: Mapping[str, str | None]
    up: Mapping[str, frozenset[str]]  # a place -> all the places around it

    def is_country(self, place: str) -> bool:
        return place in self.parents and self.parents[place] is None


@lru_cache(maxsize=32)
def places_of(items: tuple[tuple[str, str | None], ...]) -> Places:
    """The ``Places`` of a hierarchy given as (place, parent) pairs (``Timeline.places``)."""
    parents = dict(items)
    return Places(parents, {place: frozenset(ancestors(place, parents)) for place in parents})


def place_fit(claim: Claim, event: TimelineEvent, gaz: Places) -> int | None:
    """EXACT, NESTED, BROAD, UNSPECIFIED, or None when the places are disjoint."""
    fit = _overlap(subject_places(claim.places, gaz), event.places, gaz)
    if fit is not None and claim.kind in POLITICAL_KINDS and event.kind in POLITICAL_KINDS:
        return EXACT  # "بغداد وواشنطن" names governments, not where anything happens
    return fit


@lru_cache(maxsize=4096)
def subject_places(places: tuple[str, ...], gaz: Places) -> tuple[str, ...]:
    """Drop a place that only frames a more specific one ("عين الأسد غربي العراق" -> ain_al_asad)."""
    framing = {a for p in places for a in gaz.up.get(p, ())}
    return tuple(p for p in places if p not in framing)


def is_country_claim(claim: Claim, gaz: Places) -> bool:
    """The claim names only countries (or the same as: "العراق" as the actor)."""
    subject = subject_places(claim.places, gaz)
    return bool(subject) and all(gaz.is_country(p) for p in subject)


def covers(claim: Claim, event: TimelineEvent, gaz: Places) -> bool:
    """Every specific place the claim names lies at, inside or around one of the event's.

    Countries are left out (as often the actor or a target, "دعماً للعمليات في سوريا"). A claim
    that also names a place outside the event ("from Baghdad to Harir", "Baghdad and Anbar, then
    Erbil") speaks of more than this event: enough to agree, never to conflict or complete.
    """
    return None not in _each_place(claim.places, event.places, gaz)


def weakest_place(claim: Claim, event: TimelineEvent, gaz: Places) -> int:
    """How well the event fits the claim's least well placed specific place (BROAD at worst).

    Ranks events for a claim naming several places: against "from Baghdad to Harir", the end of
    2026 in Iraq and Erbil fits Baghdad only broadly, as Kurdistan's transfer fits it not at all.
    """
    fits = _each_place(claim.places, event.places, gaz)
    return min((BROAD if f is None else f for f in fits), default=EXACT)


@lru_cache(maxsize=4096)
def _each_place(
    claim_places: tuple[str, ...], event_places: tuple[str, ...], gaz: Places
) -> tuple[int | None, ...]:
    """For each specific (not a country) place of the claim, its best relation to the event's."""
    if not event_places:
        return ()
    out: list[int | None] = []
    for place in subject_places(claim_places, gaz):
        if gaz.is_country(place):
            continue
        fits = [f for e in event_places if (f := _relation(place, e, gaz)) is not None]
        out.append(max(fits) if fits else None)
    return tuple(out)


def ancestors(place: str, parents: Mapping[str, str | None]) -> list[str]:
    out: list[str] = []
    parent = parents.get(place)
    while parent is not None and parent not in out:
        out.append(parent)
        parent = parents.get(parent)
    return out


@lru_cache(maxsize=4096)
def _overlap(
    claim_places: tuple[str, ...], event_places: tuple[str, ...], gaz: Places
) -> int | None:
    if not claim_places or not event_places:
        return UNSPECIFIED
    fits = [_relation(c, e, gaz) for c in claim_places for e in event_places]
    known = [fit for fit in fits if fit is not None]
    return max(known) if known else None


def _relation(a: str, b: str, gaz: Places) -> int | None:
    if a == b:  # a country is broad even against itself: "العراق" is as often the actor
        return BROAD if gaz.is_country(a) else EXACT
    for outer, inner in ((a, b), (b, a)):
        if outer in gaz.up.get(inner, ()):
            return BROAD if gaz.is_country(outer) else NESTED
    return None


# --------------------------------------------------------------------------- dates and numbers


def dates_agree(span: DateSpan, event: TimelineEvent) -> bool:
    """The intervals overlap, give or take the slack of the coarser granularity."""
    coarser = max(span.granularity, event.granularity, key=_ORDER.index)
    return date_gap(span.start, span.end, event.start, event.end) <= SLACK_DAYS[coarser]


def date_gap(a_start: date, a_end: date, b_start: date, b_end: date) -> int:
    """Days from the end of the earlier interval to the start of the later (<= 0: overlap)."""
    return max((b_start - a_end).days, (a_start - b_end).days)


def at_news_peg(span: DateSpan, published: date | None) -> bool:
    """The date lies in the week up to publication (see ``NEWS_PEG_DAYS``)."""
    if published is None:
        return False
    return span.end <= published and (published - span.start).days <= NEWS_PEG_DAYS


def is_demand(sentence: str) -> bool:
    """The sentence asks for something ("طالب"، "دعا إلى"، "يجب") rather than reporting it."""
    return _DEMAND_RE.search(normalize_text(sentence)) is not None


def coarser(a: str, b: str) -> bool:
    """Granularity ``a`` is coarser than ``b`` (a year than a month, a month than a day)."""
    return _ORDER.index(a) > _ORDER.index(b)


def midpoint(start: date, end: date) -> int:
    return (start.toordinal() + end.toordinal()) // 2


def numbers_agree(claim: Quantity, event: Quantity) -> bool:
    """Figures agree within a tolerance that respects both qualifiers.

    Two figures: within ABOUT_PERCENT of the timeline's when either says "about", else
    EXACT_PERCENT. A figure and a bound: the figure, widened by that tolerance, must reach past
    the bound. Two bounds: they must leave room between them. Integer arithmetic (x100) so the
    edges are exact.
    """
    pct = ABOUT_PERCENT if "about" in (claim.qualifier, event.qualifier) else EXACT_PERCENT
    claim_point = claim.qualifier in ("exact", "about")
    event_point = event.qualifier in ("exact", "about")
    if claim_point and event_point:
        return abs(claim.value - event.value) * 100 <= pct * event.value
    if claim_point or event_point:
        point, bound = (claim, event) if claim_point else (event, claim)
        low, high = point.value * (100 - pct), point.value * (100 + pct)
        if bound.qualifier == "more_than":
            return high > bound.value * 100
        if bound.qualifier == "at_least":
            return high >= bound.value * 100
        if bound.qualifier == "at_most":
            return low <= bound.value * 100
        return low < bound.value * 100  # less_than
    lows = [q for q in (claim, event) if q.qualifier in ("more_than", "at_least")]
    highs = [q for q in (claim, event) if q.qualifier in ("less_than", "at_most")]
    if not (lows and highs):
        return True
    floor, ceiling = max(lows, key=lambda q: q.value), min(highs, key=lambda q: q.value)
    if floor.qualifier == "at_least" and ceiling.qualifier == "at_most":
        return floor.value <= ceiling.value
    return floor.value < ceiling.value


# --------------------------------------------------------------------------- wording


# The words of an interval, per language; the shapes are the same in both.
_WHEN_WORDS = {
    "en": {"early": "early", "mid": "mid", "end": "end of", "week": "week of", "to": ".."},
    "ar": {"early": "أوائل", "mid": "منتصف", "end": "نهاية", "week": "أسبوع", "to": " إلى "},
}
_PART_OF_YEAR = {(1, 3): "early", (4, 9): "mid", (10, 12): "end"}


def describe_when(start: date, end: date, granularity: str, lang: str = "en") -> str:
    """An interval as a reader writes it, ISO dates kept: 2024-09-27, 2025-09, 2026, end of
    2026 (``نهاية 2026``), week of … (``lang`` "en" or "ar")."""
    words = _WHEN_WORDS[lang]
    if start == end:
        return start.isoformat()
    whole_months = start.day == 1 and _is_month_end(end)
    if whole_months and start.year == end.year:
        if start.month == end.month:
            return f"{start:%Y-%m}"
        span = (start.month, end.month)
        if span == (1, 12):
            return str(start.year)
        if span in _PART_OF_YEAR:
            return f"{words[_PART_OF_YEAR[span]]} {start.year}"
    if granularity == "week":
        return f"{words['week']} {start.isoformat()}"
    if granularity == "part_of_month" and start.month == end.month:
        part = "early" if start.day == 1 else "mid" if start.day == 11 else "end"
        return f"{words[part]} {start:%Y-%m}"
    if whole_months:
        return f"{start:%Y-%m}{words['to']}{end:%Y-%m}"
    return f"{start.isoformat()}{words['to']}{end.isoformat()}"


def describe_number(q: Quantity) -> str:
    return f"{_QUALIFIER_WORDS[q.qualifier]}{q.value:,}"


def _is_month_end(day: date) -> bool:
    return day.month != date.fromordinal(day.toordinal() + 1).month
