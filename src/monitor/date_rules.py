"""The date finder's pattern families: one compiled regex and one resolver per family.

Each regex runs over normalised text and marks the date itself as group ``b`` (a leading
clitic و ف ب ل stays outside it). Its resolver turns a match into a ``Hit`` (an inclusive
interval with a granularity) against the publication date, or rejects it (``None``): a count
("2500 جندي"), a title ("الأمين العام الحالي"), or a relative date with no publication date.

Rules that need a choice (documented in ``dates.py`` too):
- a month with no year is in the publication year, except after منذ (the latest such month on
  or before publication) and after بحلول/حتى/لغاية (the earliest on or after it);
- a weekday is the latest such day on or before publication; المقبل/القادم: strictly after;
  الماضي/المنصرم: strictly before;
- parts of a year: مطلع/بداية → Jan–Mar, منتصف → Apr–Sep, أواخر/نهاية → Oct–Dec.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import NamedTuple

from monitor import hijri as cal
from monitor.date_lexicon import (
    AMBIGUOUS_MONTHS,
    COUNT_CUES,
    COUNT_NOUNS,
    FILLERS,
    GENERAL_NOUNS,
    GREGORIAN_MONTHS,
    HIJRI_MONTHS,
    NUMBER_WORDS,
    ORDINAL_DAYS,
    PREPOSITIONS,
    QUARTERS,
    REL,
    WEEKDAYS,
    YEAR_PARTS,
    alternation,
    squash,
)
from monitor.models import Granularity


class Hit(NamedTuple):
    """A resolved date: inclusive interval, granularity, and facts the selector needs."""

    start: date
    end: date
    granularity: Granularity
    hijri: bool = False
    preposition: str | None = None  # set when the family itself carries it (في غضون)


Resolver = Callable[[re.Match[str], date | None], Hit | None]


class Family(NamedTuple):
    name: str
    regex: re.Pattern[str]
    resolve: Resolver


# --------------------------------------------------------------------------- shared pieces

_MON = alternation(GREGORIAN_MONTHS)
ORD_ALT = alternation(ORDINAL_DAYS)
WD_ALT = alternation(WEEKDAYS)
REL_ALT = alternation(REL)
CL = r"(?<!\w)(?:[وف]?(?:لل|[بل])?)"  # clitics: وفي، بنهاية، لعام، للعام
_YEAR_WORD = r"(?:ال)?(?:عام|سنه)"
YEAR4 = r"(?<!\d)\d{4}(?!\d)(?:\s?م(?!\w))?"  # 2024 / 2024م
DAYNUM = r"(?<!\d)[0-3]?\d(?!\d)(?:st|nd|rd|th)?"


def _month(tag: str) -> str:
    """One month name, optionally twinned: أيلول/سبتمبر, سبتمبر (أيلول), سبتمبر - أيلول."""
    return rf"(?P<m1{tag}>{_MON})(?:\s*[/(-]\s*(?P<m2{tag}>{_MON})(?:\s*\))?)?"


_PREP_RE = re.compile(
    rf"(?<!\w)(?P<cl>[وف])?(?P<p>{alternation(PREPOSITIONS)})\s+"
    rf"(?:(?:{alternation(FILLERS)})\s+)?$"
)
_WORD_RE = re.compile(r"\w+")


def preposition_before(text: str, pos: int) -> str | None:
    """The preposition (normalised) ending just before ``pos``, skipping شهر/نهاية/يوم."""
    m = _PREP_RE.search(text, max(0, pos - 40), pos)
    return PREPOSITIONS[squash(m["p"])] if m else None


def word_before(text: str, pos: int) -> str:
    words = _WORD_RE.findall(text, max(0, pos - 30), pos)
    return words[-1] if words else ""


def words_after(text: str, pos: int, n: int = 2) -> list[str]:
    return _WORD_RE.findall(text, pos, pos + 40)[:n]


def year_of_rel(rel: str, pub: date) -> int:
    return pub.year + {"current": 0, "past": -1, "next": 1}[REL[squash(rel)]]


def is_title_adjective(m: re.Match[str]) -> bool:
    """``العام`` after الأمين/المدعي/القائد… is an adjective ("general"), not the year."""
    return word_before(m.string, m.start("b")) in GENERAL_NOUNS


# --------------------------------------------------------------------------- Gregorian names

_GREG_RE = re.compile(
    rf"""{CL}(?P<b>
    (?:(?:(?:يوم|صباح|مساء|ليله)\s+)?(?P<wd>{WD_ALT})\s*,?\s*(?:\(\s*)?(?:و?الموافق\s+(?:ل\s*)?)?)?
    (?:(?:(?P<d0>{DAYNUM})\s*(?:-|و|الي|حتي)\s*)?(?:(?P<d>{DAYNUM})|(?P<od>{ORD_ALT}))
       \s*,?\s*(?:من\s+)?)?
    (?P<shahr>(?:ال)?شهر\s+)?
    {_month("")}
    (?:\s*,?\s*(?:(?:من\s+)?(?:ال|ل)?(?:عام|سنه)\s*)?(?P<y>{YEAR4})
      |\s+(?:من\s+)?(?:ال|ل)?(?:عام|سنه)\s+(?P<yrel>{REL_ALT})
      |\s+(?:من\s+)?(?P<ythis>هذا\s+العام|هذه\s+السنه)
      |\s+(?P<mrel>{REL_ALT}))?
    )(?!\w)""",
    re.VERBOSE,
)

_NOT_A_DAY_BEFORE = frozenset({"الاسبوع", "الاسابيع", "النصف", "الربع", "الثلث", "العقد"})


def _pick_year(month: int, day: int | None, pub: date, tense: str) -> int:
    """The year of a month (and day) given relative to ``pub``: past, next, current, or bare."""
    if tense == "current":
        return pub.year
    key = (month, day or 0)
    here = (pub.month, pub.day if day else 0)
    if tense == "past":  # strictly before publication
        return pub.year if key < here else pub.year - 1
    if tense == "next":  # strictly after
        return pub.year if key > here else pub.year + 1
    if tense == "past_or_now":
        return pub.year if key <= here else pub.year - 1
    if tense == "now_or_next":
        return pub.year if key >= here else pub.year + 1
    return pub.year


def _bare_tense(prep: str | None) -> str:
    """Tense implied by the preposition of a month written without a year."""
    if prep == "منذ":
        return "past_or_now"
    if prep in ("بحلول", "حتي", "لغايه"):
        return "now_or_next"
    return "bare"


def _greg_day(m: re.Match[str]) -> tuple[int | None, int | None]:
    """(first day, last day) of the match, ``(None, None)`` for a whole month."""
    if m["od"]:
        if word_before(m.string, m.start("od")) in _NOT_A_DAY_BEFORE:
            return None, None  # "الأسبوع الأول من أيلول": the month, not the 1st
        day = ORDINAL_DAYS[squash(m["od"])]
        return day, day
    if m["d"]:
        last = int(m["d"].rstrip("stndrh"))
        first = int(m["d0"].rstrip("stndrh")) if m["d0"] else last
        return (first, last) if 1 <= first <= last <= 31 else (0, 0)
    return None, None


def _resolve_greg(m: re.Match[str], pub: date | None) -> Hit | None:
    name, ambiguous = squash(m["m1"]), AMBIGUOUS_MONTHS
    month = GREGORIAN_MONTHS[name]
    first, last = _greg_day(m)
    if first == 0:
        return None
    anchored = bool(m["y"] or m["yrel"] or m["ythis"] or m["mrel"] or m["m2"] or m["shahr"])
    prep = preposition_before(m.string, m.start("b"))
    if not anchored and first is None and (prep is None or (name in ambiguous and prep == "من")):
        return None  # a bare month name needs a preposition or شهر before it ("من مارس" = who)
    if m["y"]:
        year = int(m["y"].rstrip("م "))
        if not 1800 <= year <= 2200:
            return None
    elif pub is None:
        return None
    elif m["yrel"]:
        year = year_of_rel(m["yrel"], pub)
    elif m["ythis"]:
        year = pub.year
    else:
        tense = REL[squash(m["mrel"])] if m["mrel"] else _bare_tense(prep)
        year = _pick_year(month, last, pub, tense)
    if first is None or last is None:
        start, end = cal.month_interval(year, month)
        return Hit(start, end, "month")
    d1, d2 = cal.day_or_none(year, month, first), cal.day_or_none(year, month, last)
    return Hit(d1, d2, "day") if d1 and d2 else None


# --------------------------------------------------------------------------- numeric dates

_NUMERIC_RE = re.compile(
    r"(?<![\w./-])(?P<b>(?P<d>[0-3]?\d)(?P<s>[/.-])(?P<m>[01]?\d)(?P=s)(?P<y>\d{4})"
    r"|(?P<y2>\d{4})(?P<s2>[/.-])(?P<m2>[01]?\d)(?P=s2)(?P<d2>[0-3]?\d))(?![\w/-]|\.\d)"
)


def _resolve_numeric(m: re.Match[str], pub: date | None) -> Hit | None:
    y, mo, d = (m["y"], m["m"], m["d"]) if m["y"] else (m["y2"], m["m2"], m["d2"])
    if not 1800 <= int(y) <= 2200:
        return None
    day = cal.day_or_none(int(y), int(mo), int(d)) if 1 <= int(mo) <= 12 else None
    return Hit(day, day, "day") if day else None


# --------------------------------------------------------------------------- bare and named years

_YEAR_RE = re.compile(
    rf"(?<!\w)(?<!\d[.,/:])(?:[وف]?(?:لل|[بل])?)"
    rf"(?P<b>(?P<pre>(?:ال)?(?:عام|عامي|سنه|سنتي)\s*)?(?P<y>\d{{4}})(?:\s?م(?!\w))?)"
    r"(?!\d|[.,:/]\d|\w)"
)
_COUNT_CUE_RE = re.compile(rf"(?<!\w)(?:{alternation(COUNT_CUES)})\s*$")
_DIGIT_NEIGHBOUR_BEFORE = re.compile(r"\d[ \t]+$")
_DIGIT_NEIGHBOUR_AFTER = re.compile(r"[ \t]+\d")


def is_count(text: str, start: int, end: int) -> bool:
    """The number in ``text[start:end]`` counts something ("2500 جندي", "نحو 2000 من الجنود")."""
    after = words_after(text, end, 3)
    if text[end : end + 2].strip().startswith(("%", "$")):
        return True
    if after and after[0] in ("من", "الف") and len(after) > 1:
        noun = after[1][2:] if after[1].startswith("ال") else after[1]
        if noun in COUNT_NOUNS or after[0] == "الف":
            return True
    if after and (after[0] in COUNT_NOUNS or after[0].rstrip("ا") in COUNT_NOUNS):
        return True
    return bool(_COUNT_CUE_RE.search(text, max(0, start - 20), start))


def _resolve_year(m: re.Match[str], pub: date | None) -> Hit | None:
    year = int(m["y"])
    text, start, end = m.string, m.start("y"), m.end("y")
    if m["pre"]:
        if not 1800 <= year <= 2100:
            return None
    elif not 1900 <= year <= 2100 or is_count(text, start, end):
        return None
    elif _DIGIT_NEIGHBOUR_BEFORE.search(text, max(0, start - 4), start) or (
        _DIGIT_NEIGHBOUR_AFTER.match(text, end)
    ):
        return None  # a group in a phone number or a table of figures
    return Hit(*cal.year_interval(year), "year")


# --------------------------------------------------------------------------- parts of a year

_PART_RE = re.compile(
    rf"""{CL}(?P<b>(?:(?P<part>{alternation(YEAR_PARTS)})|(?P<q>{alternation(QUARTERS)}))
    \s+(?:من\s+)?
    (?:(?:(?:ال|ل)?(?:عام|سنه)\s*)?(?P<y>{YEAR4})
      |(?:ال|ل)?(?:عام|سنه)\s+(?P<rel>{REL_ALT})(?:\s*(?P<y2>{YEAR4}))?
      |(?P<this>هذا\s+العام|هذه\s+السنه)
      |(?P<bare>العام|السنه)
    ))(?!\w)""",
    re.VERBOSE,
)


def _resolve_part(m: re.Match[str], pub: date | None) -> Hit | None:
    first, last = YEAR_PARTS[squash(m["part"])] if m["part"] else QUARTERS[squash(m["q"])]
    explicit = m["y"] or m["y2"]
    if explicit:
        year = int(explicit.rstrip("م "))
        if not 1900 <= year <= 2100 or (m["y"] and is_count(m.string, m.start("y"), m.end("y"))):
            return None
    elif pub is None:
        return None
    elif m["rel"]:
        year = year_of_rel(m["rel"], pub)
    elif m["bare"]:
        after = words_after(m.string, m.end("b"), 1)
        if after and after[0].startswith("ال"):
            return None  # "نهاية العام الدراسي": another kind of year
        year = pub.year
    else:
        year = pub.year
    return Hit(*cal.months_interval(year, first, last), "part_of_year")


# --------------------------------------------------------------------------- Hijri dates

_HIJRI_MARK = r"(?:\s*(?:ه(?!\w)|هجريه|هجري|للهجره))"
_HIJRI_RE = re.compile(
    rf"""{CL}(?P<b>
    (?:(?:(?P<d>{DAYNUM})|(?P<od>{ORD_ALT}))\s+(?:من\s+)?)?(?:شهر\s+)?
      (?P<hm>{alternation(HIJRI_MONTHS)})\s*,?\s*(?:(?:من\s+)?{_YEAR_WORD}\s+)?
      (?P<y>1[34]\d\d)(?!\d){_HIJRI_MARK}?
    |(?:{_YEAR_WORD}\s+)?(?P<hy>1[34]\d\d)(?!\d){_HIJRI_MARK}
    )(?!\w)""",
    re.VERBOSE,
)


def _resolve_hijri(m: re.Match[str], pub: date | None) -> Hit | None:
    if m["hy"]:
        span = cal.hijri_year_interval(int(m["hy"]))
        return Hit(*span, "year", hijri=True) if span else None
    year, month = int(m["y"]), HIJRI_MONTHS[squash(m["hm"])]
    if m["d"] or m["od"]:
        day = ORDINAL_DAYS[squash(m["od"])] if m["od"] else int(m["d"].rstrip("stndrh"))
        g = cal.hijri_to_gregorian(year, month, day)
        return Hit(g, g, "day", hijri=True) if g else None
    span = cal.hijri_month_interval(year, month)
    return Hit(*span, "month", hijri=True) if span else None


ABSOLUTE_FAMILIES = (
    Family("gregorian", _GREG_RE, _resolve_greg),
    Family("numeric", _NUMERIC_RE, _resolve_numeric),
    Family("hijri", _HIJRI_RE, _resolve_hijri),
    Family("part_of_year", _PART_RE, _resolve_part),
    Family("year", _YEAR_RE, _resolve_year),
)
