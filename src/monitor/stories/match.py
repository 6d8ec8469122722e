"""Stories: do two articles report the same event?

A story is an *event*, not a text. Each article gets an event signature from its claims:
the lead places (the first action claim of the lede that names one), the main date (the
first dated claim of the lede), all specific dates, the numbers in its claims and body,
the action kinds, the title's content words and the publication time. Rules (issue 6),
checked in this order by ``compare``:

1. Vetoes, whatever the text similarity (a wrong merge hides an alert, which is worse than
   a duplicate): places in different countries (Iraq vs Syria only); lead sites that differ
   (two bases, even in one city); lead places that are not the same or one inside the
   other (Ain al-Asad vs a Syrian base); main dates of the same granularity that do not
   overlap (the same base on two different dates); disjoint action families.
2. Published more than ``window_days`` apart: never one story.
3. Copies: char-5 Jaccard at or above ``merge_threshold`` (re-edits, new datelines, month
   swaps, reordered clauses, Arabic-Indic digits).
4. Beyond here, published within ``event_window_hours`` only. Teasers: a much smaller text
   mostly contained in the larger (``containment_threshold``) with a shared fact or title.
5. Grey zone (``grey_threshold`` ≤ Jaccard < merge) and independent reports (below): the
   evidence of shared facts decides (``grey_evidence``, ``event_evidence``; more when
   published over a day apart), and a shared place, date or number is required.

``batch.group_batch`` runs the same logic in memory for ``monitor analyze``; ``claims``
merges a story's claims; ``index`` finds the candidates.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from monitor.models import Finding
from monitor.normalize import normalize_text
from monitor.settings import StorySettings
from monitor.timeline.load import DEFAULT_PLACES

# The subject country says nothing about which event it is: every article names Iraq.
GENERIC_PLACES = frozenset({"iraq"})
# Sites (bases, headquarters): the leaves of the place hierarchy, and gazetteer places it
# does not know (Habbaniyah, Balad). Two reports about two different sites are two events
# even when both also name the province or city around them.
_LEAVES = frozenset(
    p for p, parent in DEFAULT_PLACES.items() if parent and p not in DEFAULT_PLACES.values()
)


def is_site(place: str) -> bool:
    return place in _LEAVES or place not in DEFAULT_PLACES


FAMILIES = {
    "withdrawal": "move",
    "mission_end": "move",
    "handover": "move",
    "relocation": "move",
    "agreement": "plan",
    "timetable": "plan",
    "troop_count": "count",
    "other": "other",
}
SPECIFIC = frozenset({"day", "week", "month"})
# Shared facts that tie two texts to one event: any of them in the grey zone; below it, a
# report in other words must share one that is specific to the event (the base, the day or
# a figure), not only the city and the topic's months ("September 2026" is in every story).
CONCRETE = frozenset({"site", "place", "day", "date", "number"})
STRONG = frozenset({"site", "day", "number"})
LATE_REPORT = timedelta(hours=24)  # independent reports of one event: mostly within a day
LEDE_CLAIMS = 2  # the main event's date and place are in one of the first two claims
_NONE: frozenset[str] = frozenset()
MIN_EVIDENCE_NUMBER = 20  # "two phases" and "three countries" are in every story
_SMALL = frozenset(range(MIN_EVIDENCE_NUMBER))
_STOP_WORDS = (
    "في من على إلى الى عن أن إن مع بعد قبل حول ضد بين خلال عبر بشأن حتى منذ هذا هذه ذلك"
    " التي الذي و أو ثم قد لا لم لن ما"
    # the topic's own words are in every title of the window
    " التحالف الدولي الدولية قوات القوات انسحاب الانسحاب سحب العراق العراقي العراقية"
    " الأمريكية الأمريكي الأميركية الامريكية أمريكا واشنطن بغداد مهمة المهمة"
)
_TITLE_TAIL = re.compile(r"\s+[-|]\s+[^-|]{1,40}$")  # "… - الجزيرة نت": the outlet, not the story
_WORD = re.compile(r"\w+")


def _stem(word: str) -> str:
    """Drop a leading conjunction, preposition and article (وال، بال، ال، و)."""
    for prefix in ("وال", "بال", "فال", "لل", "ال", "و"):
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            return word[len(prefix) :]
    return word


_TITLE_STOP = frozenset(_stem(normalize_text(w)) for w in _STOP_WORDS.split())
_NUMBER = re.compile(r"(?<![\w.])\d{2,7}(?![\w.])")


# ----------------------------------------------------------------------------- signatures


@dataclass(frozen=True, slots=True)
class Event:
    """The event signature of one article: what its claims say happened, where and when."""

    at: datetime | None
    families: frozenset[str]
    kinds: frozenset[str]
    places: frozenset[str]
    lead_places: frozenset[str]
    countries: frozenset[str]  # the countries of all its places
    primary_dates: tuple[tuple[date, date], ...]  # the main event's date (at most one)
    primary_class: str  # "day" (days and weeks) or "month"
    dates: tuple[tuple[date, date], ...]  # day, week and month dates
    fuzzy_dates: tuple[tuple[date, date], ...]  # also parts of years
    numbers: frozenset[int]
    title_words: tuple[str, ...]  # sorted content words of the title
    title_key: str

    @property
    def has_facts(self) -> bool:
        return bool(self.places or self.dates or self.numbers)


def event_of(
    title: str | None,
    at: datetime | None,
    findings: Sequence[Finding],
    body_numbers: Iterable[int] = (),
) -> Event:
    """Build the event signature of an article.

    Args:
        title: the headline.
        at: publication time (else first seen); None when unknown.
        findings: the article's claims.
        body_numbers: the numbers in its body (``numbers_in``), beside the claims' own.
    """
    claims = [f.claim for f in findings]
    # The lede says where the event happened: its first action claim that names a place. A
    # place named further down is background ("phase two continues in Syria"), and a story
    # that leads with an agreement lists the places of its phases, not of one event.
    places = frozenset(p for c in claims for p in c.places if p not in GENERIC_PLACES)
    lede = claims[:LEDE_CLAIMS]
    placed = [c for c in lede if FAMILIES.get(c.kind) == "move" and set(c.places) - GENERIC_PLACES]
    plan_first = bool(lede) and FAMILIES.get(lede[0].kind) == "plan"
    lead = _NONE
    if placed and not plan_first:
        lead = frozenset(p for p in placed[0].places if p not in GENERIC_PLACES)
    # The main event's date: the first dated claim of the lede.
    lede_dates = [c.date for c in claims[:LEDE_CLAIMS] if c.date]
    primary = tuple((d.start, d.end) for d in lede_dates[:1] if d.granularity in SPECIFIC)
    primary_class = "month" if lede_dates and lede_dates[0].granularity == "month" else "day"
    words = title_words(title or "")
    return Event(
        at=at,
        families=frozenset(FAMILIES.get(c.kind, "other") for c in claims if not c.negated),
        kinds=frozenset(c.kind for c in claims if not c.negated),
        places=places,
        lead_places=lead,
        countries=frozenset(
            country for c in claims for p in c.places if (country := _country(p)) is not None
        ),
        primary_dates=primary,
        primary_class=primary_class,
        dates=tuple(
            (c.date.start, c.date.end) for c in claims if c.date and c.date.granularity in SPECIFIC
        ),
        fuzzy_dates=tuple(
            (c.date.start, c.date.end) for c in claims if c.date and c.date.granularity != "year"
        ),
        numbers=frozenset(
            # a claim's number is a quantity (the analyzer read its unit); a bare number in
            # the body between 1900 and 2100 may be a year, so numbers_in leaves those out
            [*body_numbers, *(c.number.value for c in claims if c.number)]
        )
        - _SMALL,
        title_words=words,
        title_key=" ".join(words),
    )


def numbers_in(text: str) -> tuple[int, ...]:
    """The distinct numbers written in digits in a cleaned body (``dedup.dedup_text``)."""
    values = {int(m) for m in _NUMBER.findall(text)}
    return tuple(sorted(n for n in values if n >= MIN_EVIDENCE_NUMBER and not _is_year(n)))


def _is_year(n: int) -> bool:
    return 1900 <= n <= 2100


def region(place: str) -> str:
    """The top-level place (under the generic country) that ``place`` lies in."""
    parent = DEFAULT_PLACES.get(place)
    while parent is not None and parent not in GENERIC_PLACES:
        place, parent = parent, DEFAULT_PLACES.get(parent)
    return place


def _country(place: str) -> str | None:
    """The country a known place lies in (None for places the built-in hierarchy lacks)."""
    if place not in DEFAULT_PLACES:
        return None
    parent = DEFAULT_PLACES[place]
    while parent is not None:
        place, parent = parent, DEFAULT_PLACES.get(parent)
    return place


def compatible_places(a: str, b: str) -> bool:
    """Same place, or one inside the other (Ain al-Asad in Anbar); two bases never are."""
    return a == b or a in _ancestors(b) or b in _ancestors(a)


@functools.cache
def _ancestors(place: str) -> frozenset[str]:
    out = set()
    parent = DEFAULT_PLACES.get(place)
    while parent is not None and parent not in GENERIC_PLACES:
        out.add(parent)
        parent = DEFAULT_PLACES.get(parent)
    return frozenset(out)


@functools.lru_cache(maxsize=4096)
def title_words(title: str) -> tuple[str, ...]:
    """Content words of a title, sorted: outlet suffix, stop words and topic words removed."""
    text = _TITLE_TAIL.sub("", normalize_text(title))
    words = {_stem(w) for w in _WORD.findall(text)}
    return tuple(
        sorted(
            sys.intern(w) for w in words if w not in _TITLE_STOP and len(w) > 1 and not w.isdigit()
        )
    )


# ----------------------------------------------------------------------------- the decision


@dataclass(frozen=True, slots=True)
class Match:
    """Whether an article joins a story member, with a score to rank candidates."""

    same: bool
    score: float
    reason: str


def compare(a: Event, b: Event, jac: float, teaser: float, settings: StorySettings) -> Match:
    """Decide whether the articles with events ``a`` and ``b`` report the same event.

    Args:
        a, b: the two event signatures.
        jac: exact char-5 Jaccard of their cleaned bodies.
        teaser: containment of a much smaller body in the larger (``dedup.teaser_containment``).
        settings: thresholds.

    Returns:
        The decision; ``score`` orders candidates (higher is closer).
    """
    veto = vetoed(a, b)
    if veto:
        return Match(False, 0.0, veto)
    gap = _gap(a, b)
    if gap > timedelta(days=settings.window_days):
        return Match(False, 0.0, "published too far apart")
    if jac >= settings.merge_threshold:
        return Match(True, 10.0 + jac, f"copy (jaccard {jac:.2f})")
    if gap > timedelta(hours=settings.event_window_hours):
        return Match(False, 0.0, "published too far apart")
    evidence, shared = _evidence(a, b)
    if gap > LATE_REPORT:  # the further apart, the more two reports must share
        evidence -= settings.late_evidence
    concrete = bool(shared & CONCRETE)
    if teaser >= settings.containment_threshold and (concrete or a.title_key == b.title_key):
        return Match(True, 5.0 + teaser, f"teaser (containment {teaser:.2f})")
    if jac >= settings.grey_threshold and evidence >= settings.grey_evidence and concrete:
        return Match(True, evidence + jac, f"grey zone (jaccard {jac:.2f}) with {_names(shared)}")
    if evidence >= settings.event_evidence and shared & STRONG:
        return Match(True, evidence, f"same event: {_names(shared)}")
    return Match(False, evidence, f"too little shared (jaccard {jac:.2f}, {_names(shared)})")


def vetoed(a: Event, b: Event) -> str | None:
    """Why ``a`` and ``b`` cannot be one event, or None."""
    if a.countries and b.countries and not a.countries & b.countries:
        return "different countries"
    sites_a = {p for p in a.lead_places if is_site(p)}
    sites_b = {p for p in b.lead_places if is_site(p)}
    if sites_a and sites_b and not sites_a & sites_b:
        return "different sites"
    if a.lead_places and b.lead_places and not _places_meet(a.lead_places, b.lead_places):
        return "different places"
    if (
        a.primary_dates
        and b.primary_dates
        and a.primary_class == b.primary_class  # an announcement's day vs a deadline's month
        and not (overlaps(a.primary_dates, b.dates) or overlaps(b.primary_dates, a.dates))
    ):
        return "different dates"
    if a.families and b.families and not a.families & b.families:
        return "different actions"
    return None


def _evidence(a: Event, b: Event) -> tuple[float, set[str]]:
    """Points for each fact two signatures share, and which facts they share.

    Facts: "site" (a base both lead with), "place" (a lead place, or one inside another),
    "day" (the main event's date), "date" (any other date), "number", "title". Shared
    actions and publication within a day add a little; they are in every story.
    """
    score, shared = 0.0, set()
    if any(is_site(p) for p in a.lead_places & b.lead_places):
        score, shared = score + 2.0, {"site"}  # one base, one day: rarely two events
    elif _places_meet(a.lead_places, b.lead_places):
        score, shared = score + 1.0, {"place"}
    elif _places_meet(a.places, b.places):
        score, shared = score + 0.5, {"place"}
    if overlaps(a.primary_dates, b.primary_dates):
        score += 1.5
        shared.add("day")
    elif overlaps(a.fuzzy_dates, b.fuzzy_dates):
        score += 0.5
        shared.add("date")
    numbers = sum(1 for x in a.numbers if any(near(x, y) for y in b.numbers))
    if numbers:
        score += min(numbers, 2)
        shared.add("number")
    title = _overlap(a.title_words, b.title_words)
    if title >= 0.5:
        score += 1.5
        shared.add("title")
    elif title >= 0.25:
        score += 0.75
        shared.add("title")
    if a.kinds & b.kinds:
        score += 0.5
    if a.at and b.at and abs(a.at - b.at) <= timedelta(hours=24):
        score += 0.5
    return score, shared


def _places_meet(a: frozenset[str], b: frozenset[str]) -> bool:
    return any(compatible_places(x, y) for x in a for y in b)


def _names(shared: set[str]) -> str:
    return ", ".join(sorted(shared)) or "nothing"


def _gap(a: Event, b: Event) -> timedelta:
    """Time between the publications (zero when either is unknown)."""
    if a.at is None or b.at is None:
        return timedelta(0)
    return abs(a.at - b.at)


def _overlap(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    if not a or not b:
        return 0.0
    return len(set(a).intersection(b)) / min(len(a), len(b))


def overlaps(xs: Iterable[tuple[date, date]], ys: Sequence[tuple[date, date]]) -> bool:
    """Intervals overlap, with a day's tolerance ("yesterday" across a time zone)."""
    day = timedelta(days=1)
    return any(s1 - day <= e2 and s2 - day <= e1 for s1, e1 in xs for s2, e2 in ys)


def near(x: int, y: int) -> bool:
    return abs(x - y) <= 0.02 * max(x, y)
