"""Relative date families: الشهر/العام/الأسبوع + modifier, days (أمس، غدا، الأحد المقبل), and
fuzzy spans (خلال الأشهر المقبلة، في غضون ثلاثة أشهر). All need the publication date.

- الأسبوع الماضي/الحالي/المقبل is a Saturday-to-Friday calendar week (``hijri.week_interval``).
- A part of "الشهر" with no modifier ("نهاية الشهر"، "منتصف الشهر") is that part of the month
  of publication, as a bare "نهاية العام" is the end of its year; not before another word of
  the article's or a number ("نهاية الشهر الفضيل"، "نهاية الشهر الثالث").
- A weekday alone is the latest such day on or before publication (the same day counts);
  with المقبل/القادم the next one strictly after; with الماضي/المنصرم the last one strictly before.
  A weekday right after أمس/اليوم/غدا/بعد غد names that day and adds nothing. أول أمس and
  أمس الأول are the day before yesterday.
- اليوم/الغد in an outlet's name is no date: after an outlet noun and a country or region
  ("صحيفة الخليج اليوم"، "موقع العراق اليوم"), closing a quoted title ("«العراق اليوم»"), or
  before another word of the name ("اليوم السابع"، "الغد برس"; "الغد" alone is "the future").
- Fuzzy spans start (future) or end (past) at publication. Without a count: hours 2 days,
  days 7 days, weeks 6 weeks, months 6 months, years 3 years. Granularity follows the length:
  up to 2 days "day", up to 10 days "week", under a year "month", else "year".
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from monitor.analysis.dates import hijri as cal
from monitor.analysis.dates.rules import (
    CL,
    DAYNUM,
    MPART_ALT,
    ORD_ALT,
    REL_ALT,
    WD_ALT,
    YEAR4,
    Family,
    Hit,
    is_count,
    is_title_adjective,
    month_part,
    word_before,
    words_after,
    year_of_rel,
)
from monitor.analysis.dates.words import (
    DURATION_UNITS,
    NAME_WORDS,
    NUMBER_WORDS,
    ORDINAL_DAYS,
    OUTLET_NOUNS,
    REL,
    WEEKDAYS,
    alternation,
    squash,
)
from monitor.models import Granularity

# --------------------------------------------------------------------------- relative nouns

_RELNOUN_RE = re.compile(
    rf"""{CL}(?P<b>
    (?:(?:(?P<d>{DAYNUM})|(?P<od>{ORD_ALT}))\s+(?:من\s+)?|(?P<mpart>{MPART_ALT})\s+)?
      (?:(?:ال)?شهر\s+(?P<mrel>{REL_ALT})|(?P<mthis>هذا\s+الشهر))
    |(?P<mbare>{MPART_ALT})\s+الشهر(?!\s*(?:ال|\d|من(?!\w)))
    |(?:ال)?(?:عام|سنه)\s+(?P<yrel>{REL_ALT})(?:\s*(?P<y>{YEAR4}))?
    |(?P<ythis>هذا\s+العام|هذه\s+السنه)
    |(?:ال)?اسبوع\s+(?P<wrel>{REL_ALT})|(?P<wthis>هذا\s+الاسبوع)
    )(?!\w)""",
    re.VERBOSE,
)
_SHIFT = {"current": 0, "past": -1, "next": 1}


def _resolve_relnoun(m: re.Match[str], pub: date | None) -> Hit | None:
    if m["yrel"] and is_title_adjective(m):
        return None
    cut = None
    if m["y"]:  # "العام الجاري 2021": the written year wins, unless it is a count
        year = int(m["y"].rstrip("م "))
        if 1900 <= year <= 2100 and not is_count(m.string, m.start("y"), m.end("y")):
            return Hit(*cal.year_interval(year), "year")
        cut = m.start("y")
    if pub is None:
        return None
    if m["yrel"] or m["ythis"]:
        year = year_of_rel(m["yrel"], pub) if m["yrel"] else pub.year
        return Hit(*cal.year_interval(year), "year", cut=cut)
    if m["wrel"] or m["wthis"]:
        shift = _SHIFT[REL[squash(m["wrel"])]] if m["wrel"] else 0
        return Hit(*cal.week_interval(pub, shift), "week")
    if m["mbare"]:  # "نهاية الشهر" alone: the month of publication, as "نهاية العام" its year
        return Hit(*month_part(pub.year, pub.month, m["mbare"]), "part_of_month")
    shift = _SHIFT[REL[squash(m["mrel"])]] if m["mrel"] else 0
    year, month = cal.shift_month(pub.year, pub.month, shift)
    if m["d"] or m["od"]:
        day = ORDINAL_DAYS[squash(m["od"])] if m["od"] else int(m["d"].rstrip("stndrh"))
        d = cal.day_or_none(year, month, day)
        return Hit(d, d, "day") if d else None
    if m["mpart"]:  # "منتصف الشهر الماضي"
        return Hit(*month_part(year, month, m["mpart"]), "part_of_month")
    return Hit(*cal.month_interval(year, month), "month")


# --------------------------------------------------------------------------- days and weekdays

_RD_OFFSETS = {"امس": -1, "الامس": -1, "البارحه": -1, "اول امس": -2, "اول من امس": -2}
_RD_OFFSETS |= {"امس الاول": -2}  # the Levantine and Iraqi order of "أول أمس"
_RD_OFFSETS |= {"اليوم": 0, "غدا": 1, "غد": 1, "الغد": 1, "بعد غد": 2, "بعد الغد": 2}
_TOD = r"يوم|صباح|مساء|ظهر|ظهيره|عصر|فجر|ليل|ليله|صبيحه"
_DAYS_RE = re.compile(
    rf"""{CL}(?P<b>(?:(?P<tod>{_TOD})\s+)?
    (?:(?P<rd>{alternation(_RD_OFFSETS)})(?:\s*,?\s*(?P<wd1>{WD_ALT}))?
      |(?P<night>الليله\s+الماضيه)
      |(?P<wd>{WD_ALT})(?:\s+(?P<wrel>{REL_ALT}))?)
    )(?!\w)""",
    re.VERBOSE,
)
# Words starting with ال that are not adjectives ("وصلنا اليوم إلى" is still today).
_FUNCTION_WORDS = frozenset({"الي", "التي", "الذي", "الذين", "اللذين", "اللتين", "الا", "الان"})
_NOT_MONDAY_BEFORE = frozenset({"كلا", "بين", "هذين", "هذان"})
_NOT_MONDAY_AFTER = frozenset({"معا", "منهما", "منهم", "كليهما"})


def _weekday(m: re.Match[str], pub: date) -> date | None:
    """The date of a weekday name relative to ``pub`` (see the module docstring)."""
    name = squash(m["wd"])
    after = words_after(m.string, m.end("b"), 1)
    if name == "الاحد" and after[:1] == ["عشر"]:
        return None  # الأحد عشر: eleven
    if name == "الاثنين" and (
        word_before(m.string, m.start("b")) in _NOT_MONDAY_BEFORE
        or (after[:1] and after[0] in _NOT_MONDAY_AFTER)
    ):
        return None  # "كلا الاثنين": both
    index = WEEKDAYS[name]
    tense = REL[squash(m["wrel"])] if m["wrel"] else "current"
    if tense == "next":
        return pub + timedelta(days=(index - pub.weekday()) % 7 or 7)
    back = (pub.weekday() - index) % 7
    return pub - timedelta(days=back or 7 if tense == "past" else back)


def _resolve_days(m: re.Match[str], pub: date | None) -> Hit | None:
    if pub is None:
        return None
    if m["night"]:
        d = pub - timedelta(days=1)
        return Hit(d, d, "day")
    if m["wd"]:
        found = _weekday(m, pub)
        return Hit(found, found, "day") if found else None
    rd = squash(m["rd"])
    if rd in ("غد", "الغد") and not m["tod"]:
        return None  # "الغد" alone is "the future" (and an outlet's name)
    if rd in ("اليوم", "الغد") and not (m["tod"] or m["wd1"]) and _outlet_name(m):
        return None
    if rd == "اليوم" and not (m["tod"] or m["wd1"]):
        after = words_after(m.string, m.end("b"), 1)
        if after and after[0].startswith("ال") and after[0] not in _FUNCTION_WORDS:
            return None  # اليوم الأول / اليوم التالي / اليوم العالمي
        if after[:1] in (["نفسه"], ["ذاته"]) or word_before(m.string, m.start("b")) == "ذات":
            return None  # "في اليوم نفسه": the day just mentioned, not today
    d = pub + timedelta(days=_RD_OFFSETS[rd])
    return Hit(d, d, "day")


_WORD = re.compile(r"\w+")


def _outlet_name(m: re.Match[str]) -> bool:
    """اليوم/الغد ends an outlet's name: "صحيفة الخليج اليوم"، "«العراق اليوم»"."""
    text, start, end = m.string, m.start("b"), m.end("b")
    words = _WORD.findall(text, max(0, start - 40), start)[-2:]
    if len(words) == 2 and words[0] in OUTLET_NOUNS and squash(words[1]) in NAME_WORDS:
        return True
    # a quoted title: a quote closes right after it and opens at most three words before
    if text[end : end + 2].lstrip()[:1] != '"':
        return False
    opening = text.rfind('"', max(0, start - 40), start)
    return opening >= 0 and len(_WORD.findall(text, opening, start)) <= 3


# --------------------------------------------------------------------------- fuzzy spans

_PLURALS = [form for form, (_, count) in DURATION_UNITS.items() if count == 0]
_DIRS = {w: k for w, k in REL.items() if k != "current"} | {"الاخيره": "past"}
_NUMW = alternation(NUMBER_WORDS)
_FUZZY_RE = re.compile(
    rf"""{CL}(?P<b>
    (?P<ghd>في\s+غضون|غضون)\s+(?:(?P<n>\d{{1,3}})\s*|(?P<nw>{_NUMW})\s+)?
      (?P<u>{alternation(DURATION_UNITS)})
    |ال(?P<pu>{alternation(_PLURALS)})(?:\s+(?:ال)?(?P<nw2>{_NUMW}))?
      (?:\s+(?:القليله|المعدوده|القليلات))?\s+(?P<dir>{alternation(_DIRS)})
    |ال\s*(?P<n3>\d{{1,3}})\s+(?P<u3>{alternation(DURATION_UNITS)})\s+(?P<dir3>{alternation(_DIRS)})
    )(?!\w)""",
    re.VERBOSE,
)
_DEFAULT_COUNT = {"hour": 48, "day": 7, "week": 6, "month": 6, "year": 3}


def _span_end(pub: date, unit: str, count: int, sign: int) -> date:
    """``pub`` moved by ``count`` units in direction ``sign``."""
    if unit == "hour":
        return pub + timedelta(days=sign * max(1, -(-count // 24)))
    if unit in ("day", "week"):
        return pub + timedelta(days=sign * count * (7 if unit == "week" else 1))
    return cal.add_months(pub, sign * count * (12 if unit == "year" else 1))


def _granularity(days: int) -> Granularity:
    return "day" if days <= 2 else "week" if days <= 10 else "month" if days < 365 else "year"


def _resolve_fuzzy(m: re.Match[str], pub: date | None) -> Hit | None:
    if pub is None:
        return None
    form = squash(m["u"] or m["pu"] or m["u3"])
    unit, count = DURATION_UNITS[form]
    number = m["n"] or m["n3"]
    words = m["nw"] or m["nw2"]
    if number:
        count = int(number)
    elif words:
        count = NUMBER_WORDS[squash(words)]
    if count == 0:
        count = _DEFAULT_COUNT[unit]
    sign = -1 if _DIRS.get(squash(m["dir"] or m["dir3"] or ""), "next") == "past" else 1
    other = _span_end(pub, unit, count, sign)
    start, end = (pub, other) if sign > 0 else (other, pub)
    prep = "في غضون" if m["ghd"] else None
    return Hit(start, end, _granularity((end - start).days), preposition=prep)


RELATIVE_FAMILIES = (
    Family("relative_noun", _RELNOUN_RE, _resolve_relnoun),
    Family("days", _DAYS_RE, _resolve_days),
    Family("fuzzy", _FUZZY_RE, _resolve_fuzzy),
)
