"""Stories: the development signature of one report, and the facts two signatures share.

A story is a development: who (the actor that announced or did it), did what (the action
family of its claims), where (the site), when (the day of the statement, event dates). Each
report gets a ``Development`` from its claims and its lede (``models.Lede``); ``decide``
compares two of them. Helpers here say when places, dates and numbers agree:

- sites (bases, headquarters) are the leaves of the place hierarchy and places it does not
  know; the country of a site is the root above it. The hierarchy is the configured one
  (``StorySettings.places``: the timeline's ``[places]`` over the built-in), read through a
  ``PlaceTree``, so a place a user adds counts for stories as it does for verdicts;
- dates: intervals that overlap with a day's tolerance ("yesterday" across a time zone);
- numbers: within 2% (2,500 and 2,510 are one figure), from 20 up ("two phases" is in
  every story).
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from monitor.models import Claim, Finding, Lede
from monitor.normalize import normalize_text
from monitor.timeline.load import DEFAULT_PLACES

# The subject country says nothing about which event it is: every article names Iraq.
GENERIC_PLACES = frozenset({"iraq"})
PlaceItems = tuple[tuple[str, str | None], ...]  # (place, parent) pairs, as ``Timeline.places``


@dataclass(frozen=True, slots=True, eq=False)
class PlaceTree:
    """The place hierarchy as the story stage reads it (child -> parent; None for a country).

    Sites (bases, headquarters) are its leaves and the gazetteer places it does not know
    (Habbaniyah, Balad): two reports about two different sites are two events even when both
    also name the province or city around them.
    """

    parents: Mapping[str, str | None]
    leaves: frozenset[str]
    digest: str  # of the hierarchy: a stored signature says which one it was derived with

    def is_site(self, place: str) -> bool:
        return place in self.leaves or place not in self.parents

    def region(self, place: str) -> str:
        """The top-level place (under the generic country) that ``place`` lies in."""
        seen = {place}
        parent = self.parents.get(place)
        while parent is not None and parent not in GENERIC_PLACES and parent not in seen:
            seen.add(parent)
            place, parent = parent, self.parents.get(parent)
        return place

    def country(self, place: str) -> str | None:
        """The country a known place lies in (None for a place the hierarchy lacks)."""
        if place not in self.parents:
            return None
        seen = {place}
        parent = self.parents[place]
        while parent is not None and parent not in seen:
            seen.add(parent)
            place, parent = parent, self.parents.get(parent)
        return place


@functools.lru_cache(maxsize=8)
def place_tree(items: PlaceItems = ()) -> PlaceTree:
    """The ``PlaceTree`` of a hierarchy given as (place, parent) pairs; () is the built-in one.

    Cached: every index and desk of one configuration shares one tree.
    """
    parents: dict[str, str | None] = dict(items) if items else dict(DEFAULT_PLACES)
    leaves = frozenset(p for p, parent in parents.items() if parent and p not in parents.values())
    digest = hashlib.sha256(repr(sorted(parents.items())).encode()).hexdigest()[:10]
    return PlaceTree(parents, leaves, digest)


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
LEDE_CLAIMS = 2  # the lede's action: the first two claims
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
# A round-up report turns to another development with a transition phrase ("وفي السياق ذاته،
# أعلنت اللجنة …" after the report of a base's handover): its claims from there on are the
# other development's, so they neither date nor place this report's own.
_TRANSITIONS = tuple(
    normalize_text(t)
    for t in (
        "في السياق ذاته", "في السياق نفسه", "في سياق متصل", "في سياق آخر", "في سياق اخر",
        "في سياق منفصل", "من جهة أخرى", "من جهة اخرى", "من جهة ثانية", "من جانب آخر",
        "من جانب اخر", "على صعيد آخر", "على صعيد اخر", "على صعيد متصل", "في غضون ذلك",
        "إلى ذلك", "الى ذلك", "في هذه الأثناء", "في الأثناء",
    )
)  # fmt: skip
_NUMBER = re.compile(r"(?<![\w.])\d{2,7}(?![\w.])")


# ----------------------------------------------------------------------------- signatures


@dataclass(frozen=True, slots=True)
class Development:
    """The signature of one report: who did what, where and when, as its text says.

    ``at`` is the publication time (None when the page gave none); ``placed`` is where the
    report sits in time: ``at``, else the statement's day when the text states it, else
    None (a report we cannot place). ``seen`` is when the daemon fetched it: an upper bound
    on its publication, used only to close stories, never as evidence.
    """

    at: datetime | None
    places: frozenset[str]  # every place its claims name (but the country)
    countries: frozenset[str]  # where the development is: the opening's countries and sites
    dates: tuple[tuple[date, date, str], ...]  # its claims' day, week and month dates
    numbers: frozenset[int]
    title_words: tuple[str, ...]  # sorted content words of the title
    title_key: str
    lead_families: frozenset[str] = frozenset()  # action families of the lede's claims
    actors: frozenset[str] = frozenset()  # who speaks in the lede ([[actors]] ids)
    within: frozenset[str] = frozenset()  # the broader actors they speak for
    site: str | None = None  # the site it is about: the opening's first, else the lede's
    sites: frozenset[str] = frozenset()  # every site the lede names
    weekday: int | None = None  # of the statement (0 = Monday)
    stated: date | None = None  # the statement's day
    placed: datetime | None = None
    seen: datetime | None = None
    # last, as the stored form's reader builds the fields above by position
    leading: frozenset[str] = frozenset()  # the sites its opening names (title, first sentence)
    quotes: tuple[int, ...] = ()  # marks of the statements it quotes word for word


def development_of(
    title: str | None,
    at: datetime | None,
    findings: Sequence[Finding],
    body_numbers: Iterable[int] = (),
    lede: Lede | None = None,
    seen: datetime | None = None,
    *,
    places: PlaceTree,
) -> Development:
    """Build the development signature of a report.

    Args:
        title: the headline.
        at: publication time; None when unknown (a fetch time is ``seen``, not ``at``).
        findings: the article's claims.
        body_numbers: the numbers in its body (``numbers_in``), beside the claims' own.
        lede: who speaks, about which sites, on which day (``ArticleAnalysis.lede``).
        seen: when it was fetched (the daemon), else None.
        places: the configured place hierarchy (which places are sites, and their country).
    """
    said = lede or Lede()
    claims = own_claims([f.claim for f in findings])
    words = title_words(title or "")
    opening = [p for p in said.sites if places.is_site(p) and p not in GENERIC_PLACES]
    context = [p for p in said.more_sites if places.is_site(p) and p not in GENERIC_PLACES]
    placed = at
    if placed is None and said.stated is not None:  # placed by the day its text states
        placed = datetime(said.stated.year, said.stated.month, said.stated.day, 12, tzinfo=UTC)
    return Development(
        at=at,
        places=frozenset(p for c in claims for p in c.places if p not in GENERIC_PLACES),
        countries=frozenset(said.countries)
        | frozenset(country for p in opening if (country := places.country(p)) is not None),
        dates=tuple(
            (c.date.start, c.date.end, c.date.granularity)
            for c in claims
            if c.date and c.date.granularity in SPECIFIC
        ),
        numbers=frozenset(
            # a claim's number is a quantity (the analyzer read its unit); a bare number in
            # the body between 1900 and 2100 may be a year, so numbers_in leaves those out
            [*body_numbers, *(c.number.value for c in claims if c.number)]
        )
        - _SMALL,
        title_words=words,
        title_key=" ".join(words),
        lead_families=frozenset(
            "deny" if c.negated else FAMILIES.get(c.kind, "other") for c in claims[:LEDE_CLAIMS]
        ),
        actors=frozenset(said.actors),
        within=frozenset(said.within),
        site=next(iter(opening + context), None),
        sites=frozenset(opening) | frozenset(context),
        leading=frozenset(opening),
        quotes=said.quotes,
        weekday=said.weekday,
        stated=said.stated,
        placed=placed,
        seen=seen or at,
    )


def own_claims(claims: Sequence[Claim]) -> list[Claim]:
    """The report's own claims: those before a transition to another development."""
    out: list[Claim] = []
    for claim in sorted(claims, key=lambda c: c.span):
        opening = normalize_text(claim.sentence).lstrip()
        if opening.startswith("و"):  # "وفي السياق ذاته"
            opening = opening[1:]
        if out and opening.startswith(_TRANSITIONS):
            break
        out.append(claim)
    return out


def numbers_in(text: str) -> tuple[int, ...]:
    """The distinct numbers written in digits in a cleaned body (``dedup.dedup_text``)."""
    values = {int(m) for m in _NUMBER.findall(text)}
    return tuple(sorted(n for n in values if n >= MIN_EVIDENCE_NUMBER and not _is_year(n)))


def _is_year(n: int) -> bool:
    return 1900 <= n <= 2100


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


def overlaps(xs: Iterable[tuple[date, date]], ys: Sequence[tuple[date, date]]) -> bool:
    """Intervals overlap, with a day's tolerance ("yesterday" across a time zone)."""
    day = timedelta(days=1)
    return any(s1 - day <= e2 and s2 - day <= e1 for s1, e1 in xs for s2, e2 in ys)


def near(x: int, y: int) -> bool:
    return abs(x - y) <= 0.02 * max(x, y)


# ----------------------------------------------------------------------------- stored form
# A restarted daemon rebuilds the story index from every live member (100,000 in a full
# window): decoding each member's findings and deriving its signature again took most of a
# restart, so each member row keeps its signature in the compact text below (written when the
# member is stored). ``at``, ``placed`` and ``seen`` are not in it: they come from the member's
# publication and fetch times. The text starts with ``event_format``: ``EVENT_FORMAT`` (the
# code) and the digest of the place hierarchy; a row written by another derivation (older
# code, another configured hierarchy) is derived again from its findings.
# Bump the number in ``_FORMAT_CODE`` whenever ``development_of`` changes what it derives.

_FORMAT_CODE = "e4"
_PART = "\x1d"  # between the tag, the shared fields, the numbers and the title
_FIELD = "\x1f"  # between the shared fields
_ITEM = "\x1e"  # between the items of a field
_SEPARATORS = frozenset(_PART + _FIELD + _ITEM)


def _format_digest() -> str:
    """What a stored signature was derived with: the code version and the data it reads (the
    place hierarchy apart: ``event_format``)."""
    data = repr(
        (
            _TRANSITIONS,
            sorted(GENERIC_PLACES),
            sorted(FAMILIES.items()),
            sorted(SPECIFIC),
            LEDE_CLAIMS,
            MIN_EVIDENCE_NUMBER,
            sorted(_TITLE_STOP),
            _TITLE_TAIL.pattern,
        )
    )
    return f"{_FORMAT_CODE}.{hashlib.sha256(data.encode()).hexdigest()[:10]}"


EVENT_FORMAT = _format_digest()
_MISSING = object()


def event_format(places: PlaceTree) -> str:
    """The tag of signatures derived by this code with the hierarchy ``places``."""
    return f"{EVENT_FORMAT}.{places.digest}"


def encode_development(event: Development, places: PlaceTree) -> str | None:
    """The stored form of a signature derived with ``places`` (None when a value holds a
    separator: the row is then derived from its findings at each restart, as before this form
    existed).

    Four parts: the format tag, the fields copies of one report share (places, countries,
    dates, lede), its numbers, its title key; a reader parses each distinct part once.
    """
    shared = [
        _ITEM.join(sorted(event.places)),
        _ITEM.join(sorted(event.countries)),
        _ITEM.join(f"{s.isoformat()},{e.isoformat()},{g}" for s, e, g in event.dates),
        _ITEM.join(sorted(event.lead_families)),
        _ITEM.join(sorted(event.actors)),
        _ITEM.join(sorted(event.within)),
        event.site or "",
        _ITEM.join(sorted(event.sites)),
        "" if event.weekday is None else str(event.weekday),
        event.stated.isoformat() if event.stated else "",
        _ITEM.join(sorted(event.leading)),
        ",".join(str(q) for q in event.quotes),
    ]
    values = [
        *event.places, *event.countries, *event.lead_families, *event.actors, *event.within,
        *event.sites, *event.leading, event.site or "", event.title_key,
        *(g for _, _, g in event.dates),
    ]  # fmt: skip
    if any(_SEPARATORS.intersection(v) for v in values):
        return None
    numbers = ",".join(str(n) for n in sorted(event.numbers))
    return _PART.join((event_format(places), _FIELD.join(shared), numbers, event.title_key))


@dataclass(frozen=True, slots=True)
class _Shared:
    """The shared fields of a stored signature, parsed."""

    places: frozenset[str]
    countries: frozenset[str]
    dates: tuple[tuple[date, date, str], ...]
    lead_families: frozenset[str]
    actors: frozenset[str]
    within: frozenset[str]
    site: str | None
    sites: frozenset[str]
    weekday: int | None
    stated: date | None
    leading: frozenset[str]
    quotes: tuple[int, ...]


class DevelopmentReader:
    """Decodes stored signatures, sharing equal values between members (copies repeat them:
    one object per distinct set of shared fields, numbers, title), which keeps a restart fast
    and the index small."""

    def __init__(self, places: PlaceTree) -> None:
        """``places``: the hierarchy in use; signatures derived with another are not read."""
        self._format = event_format(places)
        self._shared: dict[str, _Shared | None] = {}
        self._names: dict[str, frozenset[str]] = {}  # one set per distinct field value
        self._numbers: dict[str, frozenset[int]] = {}
        self._titles: dict[str, tuple[tuple[str, ...], str]] = {}

    def read(
        self, text: str | None, at: datetime | None, seen: datetime | None
    ) -> Development | None:
        """The signature stored as ``text`` (None when absent or of another derivation).

        ``at``: the member's publication time; ``seen``: when it was fetched.
        """
        if not text:
            return None
        parts = text.split(_PART)
        if len(parts) != 4 or parts[0] != self._format:
            return None
        shared = self._shared.get(parts[1], _MISSING)
        if shared is _MISSING:
            shared = self._shared[parts[1]] = self._parse_shared(parts[1])
        if not isinstance(shared, _Shared):
            return None
        numbers = self._numbers.get(parts[2])
        if numbers is None:
            raw = parts[2]
            numbers = self._numbers[raw] = (
                frozenset(int(v) for v in raw.split(",")) if raw else frozenset()
            )
        title = self._titles.get(parts[3])
        if title is None:  # the key is the words joined by spaces, kept once
            words = tuple(sys.intern(w) for w in parts[3].split(" ")) if parts[3] else ()
            title = self._titles[parts[3]] = (words, parts[3])
        words, title_key = title
        stated = shared.stated
        placed = at
        if placed is None and stated is not None:  # as development_of places it
            placed = datetime(stated.year, stated.month, stated.day, 12, tzinfo=UTC)
        # by position, in the order of the fields (a restart makes 100,000 of them)
        return Development(
            at,
            shared.places,
            shared.countries,
            shared.dates,
            numbers,
            words,
            title_key,
            shared.lead_families,
            shared.actors,
            shared.within,
            shared.site,
            shared.sites,
            shared.weekday,
            stated,
            placed,
            seen or at,
            shared.leading,
            shared.quotes,
        )

    def _parse_shared(self, raw: str) -> _Shared | None:
        """The shared fields of the stored form (None when they do not parse)."""
        fields = raw.split(_FIELD)
        if len(fields) != 12:
            return None
        (
            places,
            countries,
            dates,
            families,
            actors,
            within,
            site,
            sites,
            weekday,
            stated,
            leading,
            quotes,
        ) = fields
        return _Shared(
            places=self._names_of(places),
            countries=self._names_of(countries),
            dates=tuple(_date_item(v) for v in dates.split(_ITEM)) if dates else (),
            lead_families=self._names_of(families),
            actors=self._names_of(actors),
            within=self._names_of(within),
            site=sys.intern(site) if site else None,
            sites=self._names_of(sites),
            weekday=int(weekday) if weekday else None,
            stated=date.fromisoformat(stated) if stated else None,
            leading=self._names_of(leading),
            quotes=tuple(int(q) for q in quotes.split(",")) if quotes else (),
        )

    def _names_of(self, value: str) -> frozenset[str]:
        names = self._names.get(value)
        if names is None:
            items = value.split(_ITEM) if value else ()
            names = self._names[value] = frozenset(sys.intern(v) for v in items)
        return names


def _date_item(raw: str) -> tuple[date, date, str]:
    start, end, granularity = raw.split(",")
    return date.fromisoformat(start), date.fromisoformat(end), sys.intern(granularity)
