"""Word tables for the date finder, written readably and normalised once at import.

Every table is plain Arabic as a reader writes it (hamzas, ة, ى); ``normalize_text`` folds it
into the same form as the text the patterns run on, so a spelling added here matches every
written variant (أيلول / ايلول, السنة / السنه, حتى / حتي). ``alternation`` turns a table into
a regex alternation (longest first, inner spaces as ``\\s+``). Used by ``date_rules``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from monitor.normalize import normalize_text

# Gregorian months: Levantine/Iraqi names, Egyptian/Gulf transliterations, Maghrebi (Algerian,
# Tunisian, Moroccan) spellings and English (seen in page furniture such as bylines).
_GREGORIAN: dict[int, tuple[str, ...]] = {
    1: ("كانون الثاني", "يناير", "جانفي", "january"),
    2: ("شباط", "فبراير", "فيفري", "february"),
    3: ("آذار", "مارس", "march"),
    4: ("نيسان", "أبريل", "إبريل", "أفريل", "april"),
    5: ("أيار", "مايو", "ماي", "may"),
    6: ("حزيران", "يونيو", "يونيه", "جوان", "june"),
    7: ("تموز", "يوليو", "يوليه", "جويلية", "يوليوز", "july"),
    8: ("آب", "أغسطس", "أوت", "غشت", "august"),
    9: ("أيلول", "سبتمبر", "شتنبر", "september"),
    10: ("تشرين الأول", "أكتوبر", "october"),
    11: ("تشرين الثاني", "نوفمبر", "نونبر", "november"),
    12: ("كانون الأول", "ديسمبر", "دجنبر", "december"),
}

# Month names that are also everyday words (أب father, مارس he practised, ماي, جوان names,
# may/march in English): alone they are never a date; a day, a year, a twin name, a modifier,
# "شهر" or a preposition before them is needed.
AMBIGUOUS_MONTHS = frozenset(
    normalize_text(w) for w in ("آب", "مارس", "ماي", "جوان", "may", "march")
)

_HIJRI: dict[int, tuple[str, ...]] = {
    1: ("محرم",),
    2: ("صفر",),
    3: ("ربيع الأول",),
    4: ("ربيع الثاني", "ربيع الآخر"),
    5: ("جمادى الأولى", "جمادى الأول"),
    6: ("جمادى الثانية", "جمادى الآخرة", "جمادى الآخر", "جمادى الثاني"),
    7: ("رجب",),
    8: ("شعبان",),
    9: ("رمضان",),
    10: ("شوال",),
    11: ("ذو القعدة", "ذي القعدة"),
    12: ("ذو الحجة", "ذي الحجة"),
}

# Python's weekday(): Monday is 0.
_WEEKDAYS: dict[int, tuple[str, ...]] = {
    0: ("الاثنين", "الإثنين"),
    1: ("الثلاثاء",),
    2: ("الأربعاء",),
    3: ("الخميس",),
    4: ("الجمعة",),
    5: ("السبت",),
    6: ("الأحد",),
}

_UNITS = ("الأول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن", "التاسع")
_UNIT_IN_COMPOUND = ("الحادي", *_UNITS[1:])


def _ordinal_days() -> dict[int, tuple[str, ...]]:
    """Ordinal day words 1..31 (العاشر، الحادي عشر، الخامس والعشرين، الحادي والثلاثين)."""
    table: dict[int, tuple[str, ...]] = {i + 1: (w,) for i, w in enumerate(_UNITS)}
    table[10] = ("العاشر",)
    for i, w in enumerate(_UNIT_IN_COMPOUND):
        table[11 + i] = (f"{w} عشر",)
    table[20] = ("العشرين",)
    table[30] = ("الثلاثين",)
    for tens, word in ((20, "العشرين"), (30, "الثلاثين")):
        for i, w in enumerate(_UNIT_IN_COMPOUND):
            if tens + 1 + i <= 31:
                extra = ("الواحد و" + word,) if i == 0 else ()
                table[tens + 1 + i] = (f"{w} و{word}", *extra)
    return table


# Words that count the units of "في غضون ثلاثة أشهر" / "الأشهر الستة المقبلة".
_NUMBER_WORDS: dict[int, tuple[str, ...]] = {
    1: ("واحد", "واحدة"),
    2: ("اثنين", "اثنتين"),
    3: ("ثلاثة", "ثلاث"),
    4: ("أربعة", "أربع"),
    5: ("خمسة", "خمس"),
    6: ("ستة", "ست"),
    7: ("سبعة", "سبع"),
    8: ("ثمانية", "ثماني", "ثمان"),
    9: ("تسعة", "تسع"),
    10: ("عشرة", "عشر"),
    11: ("أحد عشر", "إحدى عشرة"),
    12: ("اثني عشر", "اثنا عشر", "اثنتي عشرة"),
}

# Duration units: canonical unit -> (singular/accusative forms, dual forms, plural forms).
_DURATION_UNITS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "hour": (("ساعة",), ("ساعتين",), ("ساعات",)),
    "day": (("يوم", "يوما", "يوماً"), ("يومين",), ("أيام",)),
    "week": (("أسبوع", "أسبوعا", "أسبوعاً"), ("أسبوعين",), ("أسابيع",)),
    "month": (("شهر", "شهرا", "شهراً"), ("شهرين",), ("أشهر", "شهور")),
    "year": (("عام", "عاما", "عاماً", "سنة"), ("عامين", "سنتين"), ("أعوام", "سنوات", "سنين")),
}

# Relative modifiers, masculine and feminine (العام الماضي / السنة الماضية).
_REL: dict[str, tuple[str, ...]] = {
    "current": ("الحالي", "الجاري", "الحالية", "الجارية"),
    "past": ("الماضي", "المنصرم", "الفائت", "السابق", "الماضية", "المنصرمة", "الفائتة", "السابقة"),
    "next": ("المقبل", "القادم", "المقبلة", "القادمة"),
}

# Parts of a year: (first month, last month). Convention of issue 4: مطلع/بداية → Jan–Mar,
# منتصف → Apr–Sep, أواخر/نهاية → Oct–Dec. Seasons follow the northern meteorological ones.
_YEAR_PARTS: dict[tuple[int, int], tuple[str, ...]] = {
    (1, 3): ("مطلع", "بداية", "بدايات", "أوائل", "مستهل", "أول", "بدء", "مطالع"),
    (4, 9): ("منتصف", "أواسط", "وسط", "منتصفات"),
    (10, 12): ("أواخر", "نهاية", "نهايات", "ختام", "آخر", "أخر"),
    (3, 5): ("ربيع",),
    (6, 8): ("صيف",),
    (9, 11): ("خريف",),
}
# Parts of a month: (first day, last day; 31 = the month's last). "منتصف أيلول المقبل" is
# mid-September, not the whole month: early 1–10, mid 11–20, late 21–end.
_MONTH_PARTS: dict[tuple[int, int], tuple[str, ...]] = {
    (1, 10): (
        "مطلع",
        "بداية",
        "أوائل",
        "مستهل",
        "بدايات",
        "مطالع",
    ),  # not أول: "أول أيلول" = the 1st
    (11, 20): ("منتصف", "أواسط", "وسط", "منتصفات"),
    (21, 31): ("أواخر", "نهاية", "آخر", "أخر", "ختام", "نهايات"),
}
_QUARTERS: dict[tuple[int, int], tuple[str, ...]] = {
    (1, 3): ("الربع الأول",),
    (4, 6): ("الربع الثاني",),
    (7, 9): ("الربع الثالث",),
    (10, 12): ("الربع الرابع", "الربع الأخير"),
    (1, 6): ("النصف الأول",),
    (7, 12): ("النصف الثاني", "النصف الأخير"),
}

# Prepositions kept on a date, as {reported form: written forms}. Output is normalised; a few
# phrases mean "no later than" and are reported as بحلول, and بتاريخ ("dated") as في.
_PREPOSITIONS: dict[str, tuple[str, ...]] = {
    "بحلول": ("بحلول", "في موعد أقصاه", "موعد أقصاه", "في موعد لا يتجاوز", "موعد لا يتجاوز"),
    "اعتبارا من": ("اعتباراً من", "اعتبارا من"),
    "ابتداء من": ("ابتداءً من", "ابتداء من", "بدءاً من", "بدءا من", "بداية من"),
    "في": ("في", "بتاريخ"),
    "بين": ("بين",),
    "حتى": ("حتى",),
    "لغاية": ("لغاية",),
    "منذ": ("منذ",),
    "قبل": ("قبل",),
    "بعد": ("بعد",),
    "مع": ("مع",),
    "خلال": ("خلال",),
    "طوال": ("طوال", "طيلة"),
    "إلى": ("إلى",),
    "من": ("من",),
    "عند": ("عند",),
}

# Words allowed between a preposition and the date ("حتى نهاية أيلول", "في يوم 10 أيار").
_FILLERS = (
    "شهر", "يوم", "تاريخ", "نهاية", "مطلع", "بداية", "منتصف", "أواخر", "أوائل", "مستهل",
    "أواسط", "خلال", "غضون", "وقت سابق من", "وقت لاحق من", "موعد",
)  # fmt: skip

# Nouns that make a preceding number a count, not a year ("2500 جندي", "2000 دولار").
_COUNT_NOUNS = (
    "جندي", "جنود", "جندياً", "عسكري", "عسكريين", "عسكرياً", "مستشار", "مستشارين", "مستشاراً",
    "مقاتل", "مقاتلين", "مقاتلاً", "عنصر", "عناصر", "ضابط", "ضباط", "فرد", "أفراد", "شخص",
    "أشخاص", "شخصاً", "قتيل", "قتلى", "جريح", "جرحى", "مدني", "مدنيين", "لاجئ", "نازح",
    "هجوم", "هجمات", "هجوماً", "غارة", "غارات", "صاروخ", "صواريخ", "طائرة", "طائرات", "عملية",
    "دولار", "دولاراً", "دينار", "يورو", "ريال", "جنيه", "درهم", "ليرة", "برميل", "طن",
    "كيلومتر", "كيلومترات", "كيلومتراً", "كم", "كلم", "متر", "مترا", "ميل", "هكتار", "دونم",
    "ألف", "آلاف", "مليون", "ملايين", "مليار", "نسمة", "موظف", "عامل", "عائلة", "أسرة", "منزل",
    "ساعة", "دقيقة", "يوم", "يوماً", "أيام", "أسبوع", "شهر", "أشهر", "عام", "عاماً", "سنة",
    "قطعة", "آلية", "آليات", "مركبة", "مركبات", "دبابة", "سيارة", "صفحة", "كلمة", "مقعد", "صوت",
    "أمريكي", "أميركي", "أمريكيين", "أميركيين", "بريطاني", "فرنسي", "تركي", "إيراني", "عراقي",
    "منهم", "منها", "بينهم",
    "متظاهر", "نازح", "نازحين", "معتقل", "سجين", "مواطن", "طفل", "امرأة", "مسلح", "مسلحين",
    "إرهابي", "إرهابيين", "متعاقد", "متعاقدين", "خبير", "خبراء", "منتسب", "منتسبين", "مهاجر",
    "ضحية", "إصابة", "حالة", "وفاة", "قذيفة", "قذائف", "ضربة", "طلعة", "موقع", "مواقع", "قاعدة",
    "نقطة", "منشأة", "مبنى", "شاحنة", "شاحنات", "عربة", "مدرعة", "مسيرة", "سلاح", "قنبلة",
    "عبوة", "لغم", "ألغام", "لتر", "ميغاواط", "كيلوغرام", "غرام", "فدان", "وظيفة", "مشروع",
    "عقد", "دولة", "مدينة", "قرية", "مرشح", "ناخب", "حاج", "زائر", "مسافر", "رحلة", "آخرين",
)  # fmt: skip

# Words before a bare number that make it a quantity or a reference number, not a year.
_COUNT_CUES = (
    "نحو", "حوالي", "حوالى", "قرابة", "زهاء", "يقارب", "يقرب من", "أكثر من", "أقل من", "يقل عن",
    "يزيد عن", "يزيد على", "بينهم", "منهم", "قوامها", "قوامه", "عددهم", "عددها", "رقم", "القرار",
    "قرار", "المادة", "بلغ", "يبلغ", "بلغت", "تبلغ", "أصل", "مجموع", "مجموعه", "إجمالي", "عدد",
    "بعدد", "الرقم", "نسبة", "بنسبة", "قيمة", "بقيمة", "بمبلغ", "مبلغ", "بواقع", "قتل", "مقتل",
    "إصابة", "اعتقال", "نشر", "إرسال", "أرسلت", "أرسل", "قرابه",
)  # fmt: skip

# Singular place nouns: after a year and من they say where from ("مطلع 2026 من قاعدة حرير"),
# where "2000 من الجنود" counts (a partitive takes a plural).
_SITE_NOUNS = (
    "قاعدة", "مدينة", "محافظة", "موقع", "قرية", "مطار", "معسكر", "مقر", "منطقة", "دولة",
    "إقليم", "العاصمة", "البلاد",
)  # fmt: skip

# "صحيفة الخليج اليوم"، "قناة روسيا اليوم": an outlet noun, then a country, region or أخبار,
# then اليوم (or الغد) is the outlet's name, not a date. A foreign name ("وكالة رويترز اليوم")
# is left a date: there اليوم is "today".
_OUTLET_NOUNS = (
    "صحيفة", "جريدة", "موقع", "وكالة", "قناة", "مجلة", "شبكة", "إذاعة", "تلفزيون", "فضائية",
    "منصة", "نشرة", "برنامج", "مركز", "صحيفتا", "موقعا",
)  # fmt: skip
_NAME_WORDS = (
    "أخبار", "الخليج", "العراق", "عراق", "مصر", "روسيا", "فلسطين", "سوريا", "لبنان", "تركيا",
    "ليبيا", "السودان", "اليمن", "الأردن", "الكويت", "المغرب", "الجزائر", "تونس", "عمان",
    "البحرين", "قطر", "السعودية", "الإمارات", "أفريقيا", "إفريقيا", "أوروبا", "آسيا", "العرب",
    "العربي", "الشرق", "الغرب", "العالم", "كردستان", "كوردستان", "بغداد", "البصرة", "الأنبار",
    "الموصل", "أربيل", "النجف", "كربلاء", "الشام", "القدس", "الجنوب", "الشمال", "الوطن",
    "الرافدين", "دجلة", "الفرات", "بيروت", "دمشق", "عمّان", "القاهرة", "الرياض",
)  # fmt: skip

# Nouns that "العام" qualifies as an adjective (الأمين العام الحالي is a person, not a year).
_GENERAL_NOUNS = (
    "الأمين", "المدعي", "القائد", "المدير", "النائب", "الرأي", "المفتش", "المراقب", "الاتحاد",
    "الشأن", "الصالح", "المال", "القطاع", "النفع", "العفو", "الإضراب", "المؤتمر", "الحق", "الأمن",
    "النظام", "الإطار", "التعليم", "المنسق", "المشرف", "الطابع", "الذوق", "الوكيل", "الموظف",
    "المفوض", "المستشار", "المرشد", "الادعاء", "الدين", "الاكتتاب", "الوضع", "المزاج",
)  # fmt: skip


def norm_table(table: Mapping[int, Iterable[str]]) -> dict[str, int]:
    """``{number: spellings}`` to ``{normalised spelling: number}``."""
    return {normalize_text(w): k for k, words in table.items() for w in words}


_Trie = dict[str, "_Trie"]


def alternation(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, inner spaces as ``\\s+``.

    Built as a trie (``اب(?:ريل)?``) rather than ``a|b|c``: the regex engine then reads each
    character once instead of trying every word at every word start, and a greedy optional
    tail still prefers the longest word, as a longest-first alternation would.
    """
    root: _Trie = {}
    for word in words:
        node = root
        for ch in " ".join(word.split()):
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here
    return _trie_regex(root, top=True)


def _trie_regex(node: _Trie, top: bool = False) -> str:
    branches = [
        (r"\s+" if ch == " " else re.escape(ch)) + _trie_regex(child)
        for ch, child in sorted(node.items())
        if ch
    ]
    ends = "" in node
    if not branches:
        return ""
    if len(branches) == 1 and not ends and not top:
        return branches[0]
    return "(?:" + "|".join(branches) + ")" + ("?" if ends else "")


def squash(s: str) -> str:
    """Collapse inner whitespace so a matched phrase can be looked up in a table."""
    return " ".join(s.split())


GREGORIAN_MONTHS = norm_table(_GREGORIAN)
HIJRI_MONTHS = norm_table(_HIJRI)
WEEKDAYS = norm_table(_WEEKDAYS)
ORDINAL_DAYS = norm_table(_ordinal_days())
NUMBER_WORDS = norm_table(_NUMBER_WORDS)
REL = {normalize_text(w): k for k, words in _REL.items() for w in words}
YEAR_PARTS = {normalize_text(w): k for k, words in _YEAR_PARTS.items() for w in words}
QUARTERS = {normalize_text(w): k for k, words in _QUARTERS.items() for w in words}
MONTH_PARTS = {normalize_text(w): k for k, words in _MONTH_PARTS.items() for w in words}
PREPOSITIONS = {normalize_text(w): normalize_text(k) for k, ws in _PREPOSITIONS.items() for w in ws}
FILLERS = tuple(normalize_text(w) for w in _FILLERS)
COUNT_NOUNS = frozenset(normalize_text(w) for w in _COUNT_NOUNS)
COUNT_CUES = tuple(normalize_text(w) for w in _COUNT_CUES)
GENERAL_NOUNS = frozenset(normalize_text(w) for w in _GENERAL_NOUNS)
SITE_NOUNS = frozenset(normalize_text(w) for w in _SITE_NOUNS)
OUTLET_NOUNS = frozenset(normalize_text(w) for w in _OUTLET_NOUNS)
NAME_WORDS = frozenset(normalize_text(w) for w in _NAME_WORDS)
# form -> (unit, count): "يومين" is two days, "ايام" a plural with no count of its own.
DURATION_UNITS: dict[str, tuple[str, int]] = {}
for _unit, (_sing, _dual, _plur) in _DURATION_UNITS.items():
    for _count, _forms in ((1, _sing), (2, _dual), (0, _plur)):
        DURATION_UNITS.update({normalize_text(f): (_unit, _count) for f in _forms})
