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
- parts of a year: مطلع/بداية → Jan–Mar, منتصف → Apr–Sep, أواخر/نهاية → Oct–Dec;
- parts of a month (granularity part_of_month): مطلع/بداية/أوائل → days 1–10, منتصف/أواسط →
  11–20, أواخر/نهاية/آخر → 21 to the month's end ("منتصف أيلول المقبل"، "نهاية الشهر الجاري").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from monitor.analysis.dates import hijri as cal
from monitor.analysis.dates.words import (
    AMBIGUOUS_MONTHS,
    COUNT_CUES,
    COUNT_NOUNS,
    FILLERS,
    GENERAL_NOUNS,
    GREGORIAN_MONTHS,
    HIJRI_MONTHS,
    MONTH_PARTS,
    ORDINAL_DAYS,
    PREPOSITIONS,
    QUARTERS,
    REL,
    SITE_NOUNS,
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
    cut: int | None = None  # where the date ends when the match ran on past it


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
MPART_ALT = alternation(MONTH_PARTS)
CL = r"(?<!\w)(?:[وف]?(?:لل|[بل])?)"  # clitics: وفي، بنهاية، لعام، للعام
_YEAR_WORD = r"(?:ال)?(?:عام|سنه)"
YEAR4 = r"(?<!\d)\d{4}(?!\d)(?:\s?م(?!\w))?"  # 2024 / 2024م
DAYNUM = r"(?<!\d)[0-3]?\d(?!\d)(?:st|nd|rd|th)?"


# "الأحد 14 أيلول"، "يوم الخميس الموافق 18 أيلول": a weekday naming the same day as the date.
_WD_PREFIX = (
    rf"(?:(?:(?:يوم|صباح|مساء|ليله)\s+)?{WD_ALT}\s*,?\s*(?:\(\s*)?(?:و?الموافق\s+(?:ل\s*)?)?)?"
)


# One month name, optionally twinned: أيلول/سبتمبر, سبتمبر (أيلول), سبتمبر - أيلول, and the
# wire agencies' "سبتمبر أيلول" with a plain space (then both names must be the same month).
_MONTH = rf"(?P<m1>{_MON})(?:(?P<twin>\s*[/(-]\s*|\s+)(?P<m2>{_MON})(?:\s*\))?)?"


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
    {_WD_PREFIX}
    (?:(?:(?P<d0>{DAYNUM})\s*(?:-|و|الي|حتي)\s*)?(?:(?P<d>{DAYNUM})|(?P<od>{ORD_ALT}))
       \s*,?\s*(?:من\s+)?)?
    (?:(?P<mpart>{MPART_ALT})\s+)?
    (?P<shahr>(?:ال)?شهر\s+)?
    (?:{_MONTH}|(?<=شهر\s)(?P<mnum>1[0-2]|0?[1-9])(?!\d))
    (?:(?P<yall>\s*,?\s*(?P<ypre>(?:من\s+)?(?:ال|ل)?(?:عام|سنه)\s*)?(?P<y>{YEAR4}))
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


def _explicit_year(m: re.Match[str]) -> int | None:
    """The year written after the month, or ``None`` when that number is a count or absent."""
    if not m["y"]:
        return None
    year = int(m["y"].rstrip("م "))
    if not 1800 <= year <= 2200:
        return None
    if not m["ypre"] and is_count(m.string, m.start("y"), m.end("y")):
        return None  # "غادر في أيلول 2000 جندي": the month, then a count
    return year


def _implied_year(
    m: re.Match[str], month: int, day: int | None, pub: date, prep: str | None
) -> int:
    """The year of a month written without one (الحالي، من العام المقبل، or nothing)."""
    if m["yrel"]:
        return year_of_rel(m["yrel"], pub)
    if m["ythis"]:
        return pub.year
    tense = REL[squash(m["mrel"])] if m["mrel"] else _bare_tense(prep)
    return _pick_year(month, day, pub, tense)


def month_part(year: int, month: int, word: str) -> tuple[date, date]:
    """The days of a month that a part word names (أوائل، منتصف، أواخر…)."""
    first, last = MONTH_PARTS[squash(word)]
    end = cal.month_end(year, month)
    return date(year, month, first), min(end, date(year, month, min(last, end.day)))


def _resolve_greg(m: re.Match[str], pub: date | None) -> Hit | None:
    name = squash(m["m1"] or "")
    month = GREGORIAN_MONTHS[name] if name else int(m["mnum"])  # "شهر 9 المقبل"
    if m["m2"] and not m["twin"].strip() and GREGORIAN_MONTHS[squash(m["m2"])] != month:
        # two different months side by side are not one date: keep the first one alone
        alone = _GREG_RE.match(m.string, m.start(), m.end("m1"))
        hit = _resolve_greg(alone, pub) if alone else None
        return hit._replace(cut=m.end("m1")) if hit else None
    first, last = _greg_day(m)
    if first == 0 or (m["mnum"] and is_count(m.string, m.start("mnum"), m.end("mnum"))):
        return None
    year = _explicit_year(m)
    cut = m.start("yall") if m["y"] and year is None else None
    anchored = year is not None or any(
        m[g] for g in ("yrel", "ythis", "mrel", "m2", "shahr", "d", "od", "mpart")
    )
    prep = preposition_before(m.string, m.start("b"))
    if not anchored and (prep is None or (name in AMBIGUOUS_MONTHS and prep == "من")):
        return None  # a bare month name needs a preposition or شهر before it ("من مارس" = who)
    if year is None:
        if pub is None:
            return None
        year = _implied_year(m, month, last, pub, prep)
    if first is None or last is None:
        if m["mpart"]:
            return Hit(*month_part(year, month, m["mpart"]), "part_of_month", cut=cut)
        return Hit(*cal.month_interval(year, month), "month", cut=cut)
    d1, d2 = cal.day_or_none(year, month, first), cal.day_or_none(year, month, last)
    return Hit(d1, d2, "day", cut=cut) if d1 and d2 else None


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
    r"(?<!\w)(?<!\d[.,/:])(?:[وف]?(?:لل|[بل])?)"
    r"(?P<b>(?P<pre>(?:ال)?(?:عام|عامي|سنه|سنتي)\s*)?(?P<y>\d{4})(?:\s?م(?!\w))?)"
    r"(?!\d|[.,:/]\d|\w)"
)
_COUNT_CUE_RE = re.compile(rf"(?<!\w)(?:{alternation(COUNT_CUES)})\s*$")
# Digit groups next to a number: "0770 2014 555", "0770-123-2014" (a dash between two 4-digit
# numbers is a range of years, "2014-2017").
_GROUP_BEFORE = re.compile(r"(?<!\d)(\d+)(?:[ \t]+|[ \t]*-[ \t]*)$")
_GROUP_AFTER = re.compile(r"(?:[ \t]+|[ \t]*-[ \t]*)(\d+)(?!\d)")


def _in_digit_run(text: str, start: int, end: int) -> bool:
    before = _GROUP_BEFORE.search(text, max(0, start - 16), start)
    after = _GROUP_AFTER.match(text, end)
    return any(m is not None and (len(m[1]) != 4 or "-" not in m[0]) for m in (before, after))


def is_count(text: str, start: int, end: int) -> bool:
    """The number in ``text[start:end]`` counts something ("2500 جندي", "نحو 2000 من الجنود")."""
    after = words_after(text, end, 3)
    if text[end : end + 2].strip().startswith(("%", "$")):
        return True
    if after and after[0] in ("من", "الف") and len(after) > 1:
        noun = after[1][2:] if after[1].startswith("ال") else after[1]
        if after[0] == "الف" or (noun in COUNT_NOUNS and noun not in SITE_NOUNS):
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
    elif _in_digit_run(text, start, end):
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
    {_WD_PREFIX}(?:(?:(?P<d>{DAYNUM})|(?P<od>{ORD_ALT}))\s+(?:من\s+)?)?(?:شهر\s+)?
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
