"""Claim details by class of text: probes of our own writing, judged field by field.

Each probe is a short news item in the wordings of Iraqi, Gulf and Levantine outlets and of
translated wire copy, run through the whole analysis as ``monitor analyze`` does (furniture,
relevance, dates, claims, the shipped timeline's verdicts), and read through the same JSON
shape. Beside it stands what a careful reader of the sentence expects of the claim it makes:
its date (the event's, resolved against the publication day as ``set1/claims.json``'s
conventions say), number, places, kind, negation, hedging and verdict. A value the text does
not give must stay unknown.

A probe holds when ANY claim whose sentence contains ``where`` (every claim when no ``where``
is given) has every expected field; with ``absent`` it holds when none has them.

The classes: dates in their written forms, troop numbers, places and bases, milestones done
or planned, denials, hedges, leaders' quoted statements and the traps of
``shared/reference/timeline-facts.md``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from monitor.analysis.analyzer import Analyzer
from monitor.ops.analyze import finding_json

_UNSET = object()


def probe(
    pid: str,
    published: str | None,
    text: str,
    *,
    where: str | None = None,
    title: str | None = None,
    xfail: str | None = None,
    **expect: Any,
) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(published, title, text, where, expect, id=pid, marks=marks)


def differences(claim: dict[str, Any], expect: dict[str, Any]) -> list[str]:
    """The expected fields ``claim`` (an ``analyze`` claim object) does not have."""
    out = []
    span = claim["date"] or {}
    number = claim["number"] or {}
    simple = {
        "start": span.get("start"),
        "end": span.get("end"),
        "granularity": span.get("granularity"),
        "value": number.get("value"),
        "qualifier": number.get("qualifier"),
        "reported": (claim["reported"] or {}).get("start"),
        "kind": claim["kind"],
        "negated": claim["negated"],
        "hedged": claim["hedged"],
        "verdict": claim["verdict"],
        "date": claim["date"],
        "number": claim["number"],
    }
    for key, want in expect.items():
        if key in ("absent",):
            continue
        if key == "places":
            if not set(want) <= set(claim["places"]):
                out.append(f"places {claim['places']} lack {want}")
        elif key == "not_places":
            if set(want) & set(claim["places"]):
                out.append(f"places {claim['places']} hold {want}")
        elif key == "destinations":
            if not set(want) <= set(claim["destinations"]):
                out.append(f"destinations {claim['destinations']} lack {want}")
        else:
            got = simple[key]
            ok = got in want if isinstance(want, (list, tuple)) else got == want
            if not ok:
                out.append(f"{key}: want {want!r}, got {got!r}")
    return out


# ----------------------------------------------------------------------------- dates
DATES = [
    # a Levantine month paired with the Gregorian name, with a year
    probe(
        "paired-month-year",
        "2025-03-04",
        "بغداد - أعلنت قيادة العمليات المشتركة أن قوات التحالف الدولي ستغادر قاعدة عين الأسد "
        "في محافظة الأنبار بحلول أيلول/سبتمبر 2025، وفق الجدول المتفق عليه مع واشنطن.",
        where="ستغادر",
        kind="withdrawal",
        start="2025-09-01",
        end="2025-09-30",
        granularity="month",
    ),
    # the Iraqi pair for December with المقبل
    probe(
        "paired-month-next",
        "2025-10-05",
        "أفاد مسؤول عراقي بأن المستشارين الأمريكيين في بغداد سينتقلون إلى أربيل خلال كانون "
        "الأول/ديسمبر المقبل، ضمن ترتيبات إنهاء مهمة التحالف الدولي في العراق.",
        where="سينتقلون",
        start="2025-12-01",
        end="2025-12-31",
        granularity="month",
    ),
    # a paired month last year, with الماضي
    probe(
        "paired-month-last",
        "2025-03-10",
        "وكانت الحكومة العراقية قد أعلنت أن التحالف الدولي أنهى وجوده في قاعدة فيكتوريا في "
        "تموز/يوليو الماضي، في إطار الاتفاق على إنهاء مهمة التحالف في العراق.",
        where="أنهى",
        start="2024-07-01",
        end="2024-07-31",
    ),
    # a day written as an ordinal word before a paired month
    probe(
        "ordinal-day",
        "2025-08-20",
        "قالت وزارة الدفاع العراقية إن آخر جندي من قوات التحالف الدولي سيغادر قاعدة عين الأسد "
        "في الثلاثين من أيلول/سبتمبر 2025.",
        where="سيغادر",
        start="2025-09-30",
        end="2025-09-30",
        granularity="day",
    ),
    # the end of next year, after بحلول
    probe(
        "end-of-next-year",
        "2025-03-10",
        "ذكر بيان للحكومة العراقية أن ما تبقى من قوات التحالف الدولي سينسحب من إقليم كردستان "
        "بحلول نهاية العام المقبل.",
        where="سينسحب",
        start="2026-10-01",
        end="2026-12-31",
        granularity="part_of_year",
    ),
    # the start of next year
    probe(
        "start-of-next-year",
        "2025-11-02",
        "وأوضح المتحدث أن المرحلة الثانية من انسحاب قوات التحالف الدولي من العراق ستبدأ مطلع "
        "العام المقبل.",
        where="ستبدأ",
        start="2026-01-01",
        end="2026-03-31",
        granularity="part_of_year",
    ),
    # the middle of a month named with المقبل
    probe(
        "mid-next-month",
        "2025-07-01",
        "أكد مصدر في وزارة الدفاع أن تسليم قاعدة عين الأسد إلى الجيش العراقي سيتم منتصف أيلول "
        "المقبل، بعد انسحاب قوات التحالف الدولي منها.",
        where="تسليم",
        start="2025-09-11",
        end="2025-09-20",
        granularity="part_of_month",
    ),
    # a weekday with الماضي: the last such day before publication
    probe(
        "weekday-last",
        "2025-09-03",
        "غادرت آخر دفعة من جنود التحالف الدولي قاعدة عين الأسد في الأنبار الأحد الماضي، "
        "بحسب ما أعلنت قيادة العمليات المشتركة.",
        where="غادرت",
        start="2025-08-31",
        end="2025-08-31",
        granularity="day",
    ),
    # a bare weekday: the latest such day on or before publication
    probe(
        "weekday-bare",
        "2026-01-20",
        "أعلنت اللجنة العسكرية العليا مساء الأحد انسحاب آخر مستشاري التحالف الدولي من قاعدة "
        "عين الأسد وتسليمها إلى القوات العراقية.",
        where="انسحاب",
        start="2026-01-18",
        end="2026-01-18",
    ),
    # a year only
    probe(
        "year-only",
        "2025-02-11",
        "قال وزير الخارجية العراقي إن وجود قوات التحالف الدولي في إقليم كردستان سينتهي خلال "
        "عام 2026.",
        title="الخارجية العراقية: انسحاب التحالف الدولي من كردستان خلال 2026",
        where="سينتهي",
        start="2026-01-01",
        end="2026-12-31",
        granularity="year",
    ),
    # the current year
    probe(
        "current-year-end",
        "2025-06-12",
        "وأكد المسؤول أن انسحاب قوات التحالف الدولي من بغداد سيكتمل قبل نهاية العام الجاري.",
        where="انسحاب",
        start="2025-10-01",
        end="2025-12-31",
        granularity="part_of_year",
    ),
    # a range between two months
    probe(
        "range-months",
        "2025-02-01",
        "وينص الاتفاق على انسحاب قوات التحالف الدولي من العراق على مرحلتين تمتدان بين "
        "أيلول/سبتمبر 2025 وأيلول/سبتمبر 2026.",
        where="انسحاب",
        start="2025-09-01",
        end="2026-09-30",
    ),
    # the next month, relative
    probe(
        "next-month",
        "2025-08-15",
        "قال مصدر حكومي إن قوات التحالف الدولي ستخلي مقر قيادة العمليات المشتركة في بغداد "
        "الشهر المقبل.",
        where="ستخلي",
        start="2025-09-01",
        end="2025-09-30",
        granularity="month",
    ),
    # a reporting day kept apart from the event's date
    probe(
        "reported-apart",
        "2025-04-13",
        "أعلنت وزارة الدفاع العراقية، اليوم الأحد، أن قوات التحالف الدولي ستغادر قاعدة عين "
        "الأسد في أيلول المقبل.",
        where="ستغادر",
        start="2025-09-01",
        end="2025-09-30",
        reported="2025-04-13",
    ),
    # Eastern Arabic digits in a year
    probe(
        "eastern-digits-year",
        "2025-05-02",
        "وأشار البيان إلى أن مهمة التحالف الدولي في أربيل ستنتهي في أيلول/سبتمبر ٢٠٢٦.",
        where="ستنتهي",
        start="2026-09-01",
        end="2026-09-30",
    ),
    # a Hijri date beside the Gregorian one (الموافق)
    probe(
        "hijri-with-gregorian",
        "2025-09-28",
        "أعلنت اللجنة العسكرية العليا انتهاء المرحلة الأولى من مهمة التحالف الدولي في بغداد "
        "يوم السبت 5 ربيع الآخر 1447 هـ الموافق 27 أيلول/سبتمبر 2025.",
        where="انتهاء",
        start="2025-09-27",
        end="2025-09-27",
        granularity="day",
    ),
    # no date in the sentence: unknown, not the publication day
    probe(
        "no-date",
        "2025-04-20",
        "وقال مسؤول في وزارة الدفاع الأمريكية إن قوات التحالف الدولي ستنسحب من قاعدة عين "
        "الأسد في الأنبار وفق الجدول المتفق عليه.",
        where="ستنسحب",
        date=None,
    ),
    # a relative date with no publication date: unknown
    probe(
        "relative-without-publication",
        None,
        "قال مصدر عسكري إن قوات التحالف الدولي ستغادر قاعدة عين الأسد الشهر المقبل.",
        where="ستغادر",
        date=None,
    ),
    # an Egyptian/Gulf month name alone with a year, after the verb
    probe(
        "gulf-month",
        "2025-01-14",
        "أكد رئيس الوزراء العراقي أن قوات التحالف الدولي ستنهي مهمتها في المناطق الاتحادية "
        "في سبتمبر 2025.",
        where="ستنهي",
        start="2025-09-01",
        end="2025-09-30",
        places=["federal_areas"],
    ),
    # the end of a named year
    probe(
        "end-of-named-year",
        "2025-01-14",
        "وأوضح أن بقية قوات التحالف الدولي ستغادر العراق نهاية عام 2026.",
        where="ستغادر",
        start="2026-10-01",
        end="2026-12-31",
        granularity="part_of_year",
    ),
]

# ----------------------------------------------------------------------------- numbers
NUMBERS = [
    probe(
        "dual-thousand-words",
        "2025-05-02",
        "قال مستشار الأمن القومي العراقي إن عدد مستشاري التحالف الدولي في العراق انخفض إلى "
        "ألفي مستشار بعد انسحاب دفعات من قاعدة عين الأسد.",
        where="ألفي",
        value=2000,
    ),
    probe(
        "about-digits",
        "2024-09-07",
        "وتنشر الولايات المتحدة نحو 2500 جندي في العراق ضمن التحالف الدولي، بحسب وزارة الدفاع "
        "الأمريكية.",
        title="واشنطن وبغداد تتفقان على جدول انسحاب قوات التحالف الدولي",
        where="2500",
        value=2500,
        qualifier="about",
        places=["iraq"],
    ),
    probe(
        "eastern-digits-count",
        "2024-09-07",
        "وأكد البنتاغون أن ٢٥٠٠ جندي أمريكي ما زالوا في العراق ضمن التحالف الدولي.",
        value=2500,
        qualifier="exact",
    ),
    probe(
        "hundreds-at-least",
        "2025-03-01",
        "وذكرت وزارة الدفاع العراقية أن مئات الجنود من قوات التحالف الدولي سيغادرون قاعدة عين "
        "الأسد بحلول أيلول/سبتمبر 2025.",
        where="سيغادرون",
        qualifier="at_least",
    ),
    probe(
        "more-than-thousands",
        "2025-03-01",
        "كشف مسؤول أمريكي أن أكثر من 3 آلاف جندي من قوات التحالف الدولي ما زالوا منتشرين في "
        "العراق.",
        value=3000,
        qualifier="more_than",
    ),
    probe(
        "at-least",
        "2025-03-01",
        "وقال المتحدث إن ما لا يقل عن 500 مستشار من التحالف الدولي سيبقون في أربيل حتى أيلول 2026.",
        value=500,
        qualifier="at_least",
    ),
    probe(
        "about-thousand-word",
        "2025-03-01",
        "وأشار إلى أن قرابة ألف جندي من قوات التحالف الدولي انتقلوا من بغداد إلى قاعدة حرير.",
        value=1000,
        qualifier="about",
    ),
    probe(
        "less-than-dual",
        "2025-03-01",
        "قالت الوزارة إن عدد قوات التحالف الدولي في العراق سينخفض إلى أقل من ألفين بحلول نهاية "
        "العام.",
        value=2000,
        qualifier="less_than",
    ),
    probe(
        "hundreds-word",
        "2025-03-01",
        "وأوضح أن خمسمئة جندي من قوات التحالف الدولي غادروا قاعدة عين الأسد الأسبوع الماضي.",
        value=500,
    ),
    probe(
        "thousands-word",
        "2025-03-01",
        "وكان نحو ثلاثة آلاف جندي من قوات التحالف الدولي ينتشرون في العراق نهاية 2021.",
        title="تقليص عدد قوات التحالف الدولي في العراق",
        value=3000,
        qualifier="about",
    ),
    probe(
        "syria-count",
        "2024-09-07",
        "وتنشر واشنطن نحو 2500 جندي في العراق ضمن التحالف الدولي، وحوالي 900 جندي في سوريا.",
        title="واشنطن وبغداد تتفقان على جدول انسحاب قوات التحالف الدولي",
        where="900",
        value=900,
        qualifier="about",
        places=["syria"],
    ),
]

# ----------------------------------------------------------------------------- places
PLACES = [
    probe(
        "base-to-erbil",
        "2025-09-10",
        "غادر رتل من قوات التحالف الدولي قاعدة عين الأسد في الأنبار متجهاً إلى أربيل، وفق "
        "مصدر أمني.",
        kind="relocation",
        places=["ain_al_asad", "anbar", "erbil"],
        destinations=["erbil"],
    ),
    probe(
        "harir-kurdistan",
        "2025-10-01",
        "قال مسؤول كردي إن قوات التحالف الدولي ستبقى في قاعدة حرير بإقليم كوردستان حتى "
        "أيلول/سبتمبر 2026.",
        places=["harir", "kurdistan"],
    ),
    probe(
        "victory-baghdad",
        "2025-09-10",
        "سلّمت قوات التحالف الدولي قاعدة فيكتوريا قرب مطار بغداد الدولي إلى الجيش العراقي.",
        kind="handover",
        places=["victory"],
    ),
    probe(
        "capitals-agree",
        "2024-09-28",
        "اتفقت بغداد وواشنطن على إنهاء مهمة التحالف الدولي في الأنبار بحلول أيلول/سبتمبر 2025.",
        where="إنهاء",
        kind="mission_end",
        places=["anbar"],
        not_places=["baghdad"],
    ),
    probe(
        "capital-as-government",
        "2025-02-01",
        "طالبت بغداد بانسحاب قوات التحالف الدولي من قاعدة عين الأسد قبل الموعد المحدد.",
        where="انسحاب",
        places=["ain_al_asad"],
        not_places=["baghdad"],
    ),
    probe(
        "federal-and-baghdad",
        "2025-02-01",
        "وبموجب الاتفاق تنتهي مهمة التحالف الدولي في بغداد والمناطق الاتحادية في أيلول 2025.",
        places=["baghdad", "federal_areas"],
        start="2025-09-01",
    ),
    probe(
        "harir-definite",
        "2025-10-01",
        "وصل رتل من قوات التحالف الدولي إلى قاعدة الحرير شمال أربيل قادماً من الأنبار.",
        title="رتل للتحالف الدولي ينسحب من الأنبار إلى أربيل",
        places=["harir", "anbar"],
        destinations=["harir"],
    ),
    probe(
        "kurdistan-region",
        "2025-10-01",
        "وذكر البيان أن مستشاري التحالف الدولي في إقليم كردستان سينقلون إلى خارج العراق خلال "
        "عام 2026.",
        places=["kurdistan"],
        start="2026-01-01",
        end="2026-12-31",
    ),
]

# ----------------------------------------------------------------------------- milestones
MILESTONES = [
    probe(
        "done-base-left",
        "2026-01-20",
        "أنجزت القوات الأمريكية انسحابها من قاعدة عين الأسد في الأنبار، وسلّمت القاعدة إلى "
        "القوات العراقية، بحسب بيان لوزارة الدفاع.",
        where="أنجزت",
        kind=["withdrawal", "handover", "mission_end"],
        places=["ain_al_asad"],
        verdict="completed",
    ),
    probe(
        "planned-base",
        "2025-03-01",
        "ستنسحب قوات التحالف الدولي من قاعدة عين الأسد في أيلول/سبتمبر 2025 بحسب وزارة الدفاع "
        "العراقية.",
        kind="withdrawal",
        verdict="consistent",
    ),
    probe(
        "scheduled-erbil",
        "2025-05-05",
        "ومن المقرر أن تنتهي مهمة التحالف الدولي في أربيل في أيلول 2026.",
        kind="mission_end",
        places=["erbil"],
        verdict="consistent",
    ),
    probe(
        "later-than-timeline",
        "2025-05-05",
        "أعلن مسؤول كردي أن قوات التحالف الدولي ستبقى في أربيل حتى نهاية عام 2027.",
        places=["erbil"],
        verdict="conflicting",
    ),
    probe(
        "handover-done",
        "2025-10-02",
        "تسلّمت القوات العراقية قاعدة عين الأسد بالكامل من قوات التحالف الدولي، يوم أمس.",
        kind="handover",
        places=["ain_al_asad"],
        verdict="completed",
    ),
    probe(
        "handover-planned",
        "2025-06-02",
        "وسيتم تسليم قاعدة عين الأسد إلى القوات العراقية بعد انسحاب قوات التحالف الدولي منها "
        "في أيلول المقبل.",
        where="تسليم",
        kind="handover",
        verdict=["consistent", "new"],
    ),
    probe(
        "phase-one-done",
        "2025-10-05",
        "أعلنت اللجنة العسكرية العليا اكتمال المرحلة الأولى من إنهاء مهمة التحالف الدولي في "
        "بغداد والمناطق الاتحادية.",
        title="انتهاء المرحلة الأولى من انسحاب التحالف الدولي من العراق",
        verdict="completed",
    ),
]

# ----------------------------------------------------------------------------- negation
NEGATION = [
    probe(
        "denied-by-ministry",
        "2025-05-05",
        "نفت وزارة الدفاع الأمريكية سحب قواتها المنتشرة ضمن التحالف الدولي من أربيل.",
        negated=True,
    ),
    probe(
        "will-not-withdraw",
        "2025-05-05",
        "أكد مسؤول أمريكي أن قوات التحالف الدولي لن تنسحب من أربيل قبل أيلول/سبتمبر 2026.",
        negated=True,
    ),
    probe(
        "no-intention",
        "2025-05-05",
        "قال المتحدث باسم البنتاغون إنه لا نية لدى واشنطن لسحب قواتها من العراق في الوقت الحالي.",
        negated=True,
    ),
    probe(
        "has-not-left",
        "2025-10-05",
        "وقال مصدر محلي إن قوات التحالف الدولي لم تغادر قاعدة حرير حتى الآن.",
        negated=True,
    ),
    probe(
        "does-not-mean-end",
        "2025-09-28",
        "وقالت السفارة الأمريكية إن انتهاء المرحلة الأولى لا يعني انتهاء عمل التحالف الدولي "
        "في العراق.",
        where="لا يعني",
        kind="mission_end",
        negated=True,
    ),
    probe(
        "not-negated-especially",
        "2025-09-28",
        "وتتواصل عمليات انسحاب قوات التحالف الدولي من الأنبار، لا سيما من قاعدة عين الأسد.",
        where="انسحاب",
        negated=False,
    ),
    probe(
        "no-delay",
        "2025-05-05",
        "أكدت الحكومة العراقية عدم وجود أي تأجيل لانسحاب قوات التحالف الدولي من بغداد.",
        where="انسحاب",
        negated=False,
    ),
]

# ----------------------------------------------------------------------------- hedging
HEDGES = [
    probe(
        "informed-sources",
        "2025-05-05",
        "قالت مصادر مطلعة إن قوات التحالف الدولي ستغادر قاعدة عين الأسد قبل الموعد المحدد.",
        hedged=True,
    ),
    probe(
        "may",
        "2025-05-05",
        "وقد تنسحب القوات الأمريكية من أربيل قبل أيلول 2026 إذا تحسن الوضع الأمني في سوريا.",
        hedged=True,
    ),
    probe(
        "expected-passive",
        "2025-05-05",
        "ويُتوقع أن تكتمل عملية انسحاب قوات التحالف الدولي من بغداد نهاية الصيف.",
        hedged=True,
    ),
    probe(
        "press-reports",
        "2025-05-05",
        "وذكرت تقارير صحفية أن واشنطن ستسحب قواتها من العراق بالكامل بحلول نهاية 2026.",
        hedged=True,
    ),
    probe(
        "official-statement",
        "2025-05-05",
        "أعلنت وزارة الدفاع العراقية في بيان رسمي انسحاب قوات التحالف الدولي من قاعدة فيكتوريا.",
        hedged=False,
    ),
    probe(
        "may-past",
        "2025-10-05",
        "وكانت قوات التحالف الدولي قد غادرت قاعدة عين الأسد الشهر الماضي.",
        hedged=False,
    ),
    probe(
        "security-source",
        "2025-05-05",
        "أفاد مصدر أمني بأن رتلاً لقوات التحالف الدولي انسحب من قاعدة عين الأسد فجر اليوم.",
        hedged=True,
    ),
    probe(
        "not-excluded",
        "2025-05-05",
        "ومن غير المستبعد أن تنسحب قوات التحالف الدولي من أربيل قبل الموعد المعلن.",
        hedged=True,
        negated=False,
    ),
    probe(
        "likely",
        "2025-05-05",
        "ورجّح مسؤول عراقي أن تغادر قوات التحالف الدولي قاعدة حرير خلال الأشهر المقبلة.",
        hedged=True,
    ),
]

# ----------------------------------------------------------------------------- quotes
QUOTES = [
    probe(
        "pm-quote-none-stays",
        "2025-07-07",
        'وقال رئيس الوزراء محمد شياع السوداني: "لن يبقى أي جندي من قوات التحالف الدولي في '
        'العراق بعد عام 2026".',
        kind="withdrawal",
        negated=False,
    ),
    probe(
        "president-quote-date",
        "2025-04-10",
        'وقال الرئيس الأمريكي للصحفيين إن "قواتنا ستغادر العراق بحلول أيلول المقبل، وستبقى قوة '
        'صغيرة في أربيل".',
        where="ستغادر",
        kind="withdrawal",
        start="2025-09-01",
        end="2025-09-30",
    ),
    probe(
        "minister-quote-number",
        "2025-04-10",
        "أكد وزير الدفاع الأمريكي في مؤتمر صحفي أن عدد قوات التحالف الدولي في العراق سينخفض "
        "إلى أقل من ألفي جندي.",
        value=2000,
        qualifier="less_than",
    ),
    probe(
        "quote-done",
        "2025-10-01",
        'وقال قائد القوة الجوية العراقية: "تسلمنا قاعدة عين الأسد بالكامل، ولم يعد فيها أي '
        'جندي من التحالف الدولي".',
        title="انسحاب التحالف الدولي من قاعدة عين الأسد",
        kind="handover",
        places=["ain_al_asad"],
    ),
]

# ----------------------------------------------------------------------------- traps
TRAPS = [
    probe(
        "syria-only-move",
        "2025-05-05",
        "وفي سياق متصل، انسحبت القوات الأمريكية من قاعدة في ريف دير الزور شرقي سوريا، فيما "
        "تواصل قوات التحالف الدولي مهامها في العراق.",
        where="انسحبت",
        places=["syria"],
        not_places=["iraq"],
    ),
    probe(
        "past-force-2011",
        "2025-05-05",
        "أعلنت وزارة الدفاع العراقية انسحاب قوات التحالف الدولي من قاعدة عين الأسد. وكانت "
        "القوات الأمريكية قد انسحبت من العراق نهاية عام 2011، قبل أن تعود ضمن التحالف الدولي "
        "عام 2014.",
        where="انسحبت",
        absent=True,
        verdict="conflicting",
    ),
    probe(
        "factions-withdraw",
        "2025-05-05",
        "وأعلنت قوات التحالف الدولي إنهاء مهمتها في بغداد. من جهة أخرى، أعلنت الفصائل المسلحة "
        "انسحابها من مدينة سامراء.",
        where="الفصائل",
        absent=True,
        kind=["withdrawal", "relocation", "mission_end", "handover"],
    ),
    probe(
        "count-not-year",
        "2025-05-05",
        "وقال المسؤول إن قوات التحالف الدولي ستسحب 2000 جندي من العراق في أيلول المقبل.",
        value=2000,
        start="2025-09-01",
        end="2025-09-30",
    ),
    probe(
        "teaser-furniture",
        "2025-05-05",
        "أكدت الحكومة العراقية أن انسحاب قوات التحالف الدولي من بغداد يسير وفق الجدول.\n"
        "إقرأ أيضاً: انسحاب القوات التركية من قاعدة بعشيقة\nالتعليقات (0)",
        where="التركية",
        absent=True,
        kind=["withdrawal", "relocation", "mission_end", "handover"],
    ),
    probe(
        "current-month",
        "2025-09-14",
        "وأوضح المصدر أن قوات التحالف الدولي ستكمل مغادرة قاعدة عين الأسد نهاية الشهر الجاري.",
        start="2025-09-21",
        end="2025-09-30",
        granularity="part_of_month",
    ),
]

# ----------------------------------------------------------------------------- second round
# More of each class, written after the first round was fixed.
DATES += [
    probe(
        "ordinal-day-current-month",
        "2025-09-03",
        "وقال مصدر عسكري إن قوات التحالف الدولي ستسلّم قاعدة عين الأسد إلى الجيش العراقي في "
        "التاسع من أيلول الجاري.",
        where="ستسل",
        start="2025-09-09",
        end="2025-09-09",
    ),
    probe(
        "late-current-year",
        "2025-06-12",
        "ويُنتظر أن تغادر قوات التحالف الدولي قاعدة فيكتوريا في بغداد أواخر العام الجاري.",
        where="تغادر",
        start="2025-10-01",
        end="2025-12-31",
        granularity="part_of_year",
    ),
    probe(
        "reverse-pair-day",
        "2025-09-01",
        "وأكدت الوزارة أن انسحاب قوات التحالف الدولي من بغداد سينتهي في 30 سبتمبر/أيلول 2025.",
        where="انسحاب",
        start="2025-09-30",
        end="2025-09-30",
    ),
    probe(
        "month-of-next-year",
        "2025-02-10",
        "وأوضح أن مهمة التحالف الدولي في إقليم كردستان ستنتهي في أيلول من العام المقبل.",
        where="ستنتهي",
        start="2026-09-01",
        end="2026-09-30",
    ),
    probe(
        "weekday-next",
        "2025-10-15",
        "وقال المتحدث إن رتلاً من قوات التحالف الدولي سيغادر قاعدة عين الأسد الخميس المقبل.",
        where="سيغادر",
        start="2025-10-16",
        end="2025-10-16",
    ),
    probe(
        "yesterday-named",
        "2025-10-15",
        "وكانت آخر دفعة من مستشاري التحالف الدولي قد غادرت بغداد أمس الثلاثاء متجهة إلى أربيل.",
        where="غادرت",
        start="2025-10-14",
        end="2025-10-14",
    ),
    probe(
        "first-of-month",
        "2025-11-20",
        "وقالت الحكومة العراقية إن العلاقة مع دول التحالف الدولي ستتحول إلى علاقات أمنية ثنائية في "
        "الأول من كانون الثاني/يناير 2026.",
        title="العراق والتحالف الدولي: من إنهاء المهمة إلى علاقات ثنائية",
        where="ستتحول",
        start="2026-01-01",
        end="2026-01-01",
    ),
    probe(
        "next-year-bare",
        "2025-05-20",
        "وقال النائب إن قوات التحالف الدولي ستغادر العراق العام المقبل بموجب الاتفاق.",
        where="ستغادر",
        start="2026-01-01",
        end="2026-12-31",
        granularity="year",
    ),
    probe(
        "early-next-month-named",
        "2025-08-10",
        "وأفاد البيان بأن تسليم قاعدة عين الأسد من التحالف الدولي للقوات العراقية سيجري مطلع "
        "أيلول/سبتمبر المقبل.",
        where="تسليم",
        start="2025-09-01",
        end="2025-09-10",
        granularity="part_of_month",
    ),
    probe(
        "stay-until-end-of-month",
        "2025-03-01",
        "وأكد المسؤول أن قوات التحالف الدولي ستبقى في أربيل حتى نهاية أيلول 2026.",
        kind="withdrawal",
        start="2026-09-21",
        end="2026-09-30",
    ),
    probe(
        "by-year",
        "2025-03-01",
        "وقالت الخارجية الأمريكية إن القوات الأمريكية ستنهي وجودها العسكري في العراق بحلول 2026.",
        where="ستنهي",
        start="2026-01-01",
        end="2026-12-31",
    ),
    probe(
        "signed-then-due",
        "2025-03-01",
        "وينص الاتفاق الموقع في أيلول 2024 على انسحاب قوات التحالف الدولي من عين الأسد بحلول "
        "أيلول 2025.",
        where="انسحاب",
        kind="withdrawal",
        start="2025-09-01",
        end="2025-09-30",
    ),
]

NUMBERS += [
    probe(
        "comma-thousands",
        "2025-03-01",
        "وقال البنتاغون إن 2,500 جندي من قوات التحالف الدولي سيغادرون العراق على مراحل.",
        value=2500,
    ),
    probe(
        "strength-of",
        "2025-03-01",
        "وستبقى في قاعدة حرير قوة أمريكية قوامها 350 جندياً حتى أيلول 2026 ضمن التحالف الدولي.",
        value=350,
    ),
    probe(
        "thousand-and-five-hundred",
        "2025-03-01",
        "وأشار إلى أن ألفاً وخمسمئة جندي من قوات التحالف الدولي غادروا قاعدة عين الأسد.",
        value=1500,
    ),
    probe(
        "more-than-dual",
        "2025-03-01",
        "وأكد أن أكثر من ألفي جندي من قوات التحالف الدولي سينسحبون من العراق قبل نهاية العام.",
        value=2000,
        qualifier="more_than",
    ),
    probe(
        "nearly",
        "2025-03-01",
        "ويبلغ عدد قوات التحالف الدولي في العراق ما يقارب 2500 عسكري، وفق المتحدث.",
        value=2500,
        qualifier="about",
    ),
    probe(
        "tens",
        "2025-03-01",
        "وغادر عشرات المستشارين من التحالف الدولي قاعدة عين الأسد باتجاه أربيل.",
        value=20,
        qualifier="at_least",
    ),
    probe(
        "percentage-no-count",
        "2025-03-01",
        "وقررت واشنطن خفض عدد قوات التحالف الدولي في العراق إلى 40 في المئة من حجمها الحالي.",
        number=None,
    ),
    probe(
        "member-states-no-count",
        "2025-03-01",
        "وأعلن التحالف الدولي الذي يضم 86 دولة إنهاء مهمته العسكرية في بغداد.",
        where="إنهاء",
        number=None,
    ),
    probe(
        "total-reaches",
        "2025-03-01",
        "وبلغ عدد المستشارين الأمريكيين في أربيل نحو 1500 بعد انتقالهم من بغداد ضمن التحالف "
        "الدولي.",
        value=1500,
        qualifier="about",
    ),
]

PLACES += [
    probe(
        "ain-al-asad-west-anbar",
        "2025-09-10",
        "انسحبت قوات التحالف الدولي من قاعدة عين الأسد الجوية غربي الأنبار.",
        places=["ain_al_asad", "anbar"],
    ),
    probe(
        "harir-north-erbil",
        "2025-09-10",
        "نقلت قوات التحالف الدولي معداتها إلى قاعدة حرير الجوية شمالي أربيل.",
        kind="relocation",
        destinations=["harir"],
    ),
    probe(
        "joc-in-baghdad",
        "2025-09-10",
        "أخلت قوات التحالف الدولي مقر قيادة العمليات المشتركة في بغداد.",
        places=["joint_operations_command", "baghdad"],
    ),
    probe(
        "taji-north-of-baghdad",
        "2025-09-10",
        "وسلّم التحالف الدولي قاعدة التاجي شمال بغداد إلى القوات العراقية.",
        places=["taji"],
    ),
    probe(
        "to-kuwait",
        "2025-09-10",
        "وانسحب جزء من قوات التحالف الدولي من العراق إلى الكويت خلال الأيام الماضية.",
        kind="relocation",
        destinations=["kuwait"],
    ),
    probe(
        "to-syria",
        "2025-09-10",
        "ونقلت القوات الأمريكية العاملة ضمن التحالف الدولي مئات الجنود من العراق إلى سوريا.",
        destinations=["syria"],
    ),
    probe(
        "kurdistan-of-iraq",
        "2025-09-10",
        "وستبقى قوات التحالف الدولي في كردستان العراق حتى أيلول 2026.",
        places=["kurdistan"],
        not_places=["iraq"],
    ),
    probe(
        "iraqi-territory",
        "2025-09-10",
        "وأكد البيان انسحاب جميع قوات التحالف الدولي من الأراضي العراقية بحلول نهاية 2026.",
        where="انسحاب",
        places=["iraq"],
    ),
]

MILESTONES += [
    probe(
        "completed-passive",
        "2026-01-20",
        "اكتمل انسحاب قوات التحالف الدولي من قاعدة عين الأسد وتسليمها إلى القوات العراقية.",
        where="اكتمل",
        verdict="completed",
    ),
    probe(
        "last-soldier-erbil",
        "2025-03-01",
        "وقال المسؤول إن آخر جندي من قوات التحالف الدولي سيغادر أربيل في أيلول 2026.",
        places=["erbil"],
        verdict="consistent",
    ),
    probe(
        "phase-one-place-late",
        "2025-03-01",
        "وقال مسؤول أمريكي إن قوات التحالف الدولي ستبقى في قاعدة عين الأسد حتى أيلول 2026.",
        places=["ain_al_asad"],
        verdict="conflicting",
    ),
    probe(
        "all-by-end-2026",
        "2025-03-01",
        "وأكد البنتاغون أن القوات الأمريكية ستنسحب بالكامل من العراق بحلول نهاية 2026.",
        verdict="consistent",
    ),
    probe(
        "combat-mission-2021",
        "2025-03-01",
        "أعلنت بغداد انتهاء مهمة التحالف الدولي في المناطق الاتحادية. وكانت المهمة القتالية "
        "لقوات التحالف الدولي في العراق قد انتهت نهاية عام 2021.",
        where="القتالية",
        kind="mission_end",
        verdict=["consistent", "completed"],
    ),
]

NEGATION += [
    probe(
        "denied-reports",
        "2025-05-05",
        "ونفى المتحدث باسم التحالف الدولي صحة الأنباء عن انسحاب قواته من قاعدة حرير.",
        where="انسحاب",
        negated=True,
        hedged=False,
    ),
    probe(
        "no-decision",
        "2025-05-05",
        "وقال وزير الدفاع الأمريكي إنه ليس هناك أي قرار بسحب القوات الأمريكية من أربيل.",
        negated=True,
    ),
    probe(
        "will-not-leave-it",
        "2025-05-05",
        "وأكد أن قوات التحالف الدولي باقية في أربيل ولن تغادرها قبل انتهاء المهمة.",
        where="تغادر",
        negated=True,
    ),
    probe(
        "affirmed-not-negated",
        "2025-05-05",
        "وجدد رئيس الوزراء التأكيد على انسحاب قوات التحالف الدولي من العراق في الموعد المحدد.",
        negated=False,
    ),
]

HEDGES += [
    probe(
        "unnamed-official",
        "2025-05-05",
        "وقال مسؤول عراقي طلب عدم الكشف عن اسمه إن قوات التحالف الدولي ستغادر قاعدة عين الأسد "
        "قبل الموعد.",
        # the project's convention (tests/fixtures quality labels): an official who asks not
        # to be named speaks for his office; only sources, reports and "may" hedge
        hedged=False,
    ),
    probe(
        "local-media",
        "2025-05-05",
        "وأفادت وسائل إعلام محلية بأن رتلاً لقوات التحالف الدولي غادر قاعدة حرير.",
        hedged=True,
    ),
    probe(
        "expected-awaited",
        "2025-05-05",
        "ومن المنتظر أن تنسحب قوات التحالف الدولي من قاعدة عين الأسد خلال الأسابيع المقبلة.",
        hedged=True,
    ),
    probe(
        "seems",
        "2025-05-05",
        "ويبدو أن انسحاب قوات التحالف الدولي من بغداد سيتأخر إلى ما بعد الموعد المحدد.",
        hedged=True,
    ),
    probe(
        "perhaps",
        "2025-05-05",
        "وربما تنقل الولايات المتحدة قواتها من العراق إلى الكويت ضمن التحالف الدولي.",
        hedged=True,
    ),
    probe(
        "named-minister-not-hedged",
        "2025-05-05",
        "أعلن وزير الدفاع العراقي ثابت العباسي انسحاب قوات التحالف الدولي من قاعدة عين الأسد.",
        hedged=False,
    ),
]

QUOTES += [
    probe(
        "pm-quote-done",
        "2025-10-10",
        'وقال رئيس الوزراء في كلمة متلفزة: "أنجزنا إنهاء مهمة التحالف الدولي في بغداد والمناطق '
        'الاتحادية".',
        places=["federal_areas"],
        verdict="completed",
    ),
    probe(
        "spokesman-quote-future",
        "2025-04-10",
        'وقال المتحدث باسم البنتاغون: "سننقل قواتنا من قاعدة عين الأسد إلى أربيل الشهر المقبل".',
        title="البنتاغون: قواتنا تنتقل من عين الأسد إلى أربيل الشهر المقبل",
        kind="relocation",
        destinations=["erbil"],
        start="2025-05-01",
        end="2025-05-31",
    ),
]

TRAPS += [
    probe(
        "turkish-forces",
        "2025-05-05",
        "وأعلنت قوات التحالف الدولي إنهاء مهمتها في بغداد. وفي شأن آخر، انسحبت القوات التركية "
        "من قاعدة بعشيقة شمالي العراق.",
        title="التحالف الدولي ينهي مهمته في بغداد",
        where="التركية",
        absent=True,
        kind=["withdrawal", "relocation", "mission_end", "handover"],
    ),
    probe(
        "embassy-staff",
        "2025-05-05",
        "وأكدت واشنطن التزامها بإنهاء مهمة التحالف الدولي في العراق. وفي سياق آخر، قررت "
        "الخارجية الأمريكية سحب موظفي السفارة غير الأساسيين من بغداد.",
        where="موظفي",
        absent=True,
        kind=["withdrawal", "relocation", "mission_end", "handover"],
    ),
]

# ----------------------------------------------------------------------------- whole articles
# Third round: whole items as pages give them (headline, dateline, body, page furniture), each
# read for several claims.
_ARTICLE_ANBAR = (
    "الأنبار (الغد برس) - أفاد مصدر أمني في محافظة الأنبار، اليوم الاثنين، بأن رتلاً كبيراً من "
    "آليات التحالف الدولي غادر قاعدة عين الأسد الجوية فجراً، متجهاً إلى إقليم كردستان عبر طريق "
    "كركوك.\nوأوضح المصدر أن الرتل ضم نحو 60 آلية، وأن ما تبقى من المستشارين سيغادرون القاعدة "
    "قبل نهاية الشهر الجاري.\nوكانت الحكومة العراقية قد أعلنت في وقت سابق أن المرحلة الأولى من "
    "إنهاء مهمة التحالف ستنتهي في أيلول/سبتمبر 2025.\nاقرأ أيضاً\nالتحالف الدولي يسلم معسكر "
    "التاجي للقوات العراقية\nالتعليقات (0)"
)
_ARTICLE_PENTAGON = (
    "واشنطن - (أ ف ب): قال مسؤول في وزارة الدفاع الأمريكية، الثلاثاء، إن الولايات المتحدة "
    "ستخفض عدد قواتها في العراق إلى أقل من ألفي جندي بحلول نهاية أيلول/سبتمبر المقبل، على أن "
    "تبقى قوة صغيرة في أربيل حتى أيلول 2026 لدعم العمليات ضد داعش في سوريا.\nوأضاف المسؤول، "
    "الذي طلب عدم ذكر اسمه، أن القرار لا يعني انسحاباً كاملاً من المنطقة.\nولم يعلّق مكتب رئيس "
    "الوزراء العراقي على هذه التصريحات حتى الآن."
)
_ARTICLE_DENIAL = (
    "نفت قيادة العمليات المشتركة، اليوم السبت، ما تداولته مواقع التواصل الاجتماعي بشأن تأجيل "
    "انسحاب قوات التحالف الدولي من بغداد.\nوقال المتحدث باسم القيادة في بيان إن الانسحاب يسير "
    "وفق الجدول الزمني المتفق عليه، وإن آخر مستشاري التحالف سيغادرون العاصمة قبل أيلول 2025.\n"
    "وأشار إلى أن الحديث عن بقاء قوات أمريكية في قاعدة فيكتوريا بعد هذا الموعد عارٍ عن الصحة."
)
_ARTICLE_KURDISTAN = (
    "أربيل / كوردستان 24 - أعلن المتحدث باسم وزارة البيشمركة، الأحد، أن قوات التحالف الدولي "
    "ستواصل عملها في إقليم كوردستان حتى أيلول/سبتمبر 2026، وأن نحو 1500 مستشار انتقلوا خلال "
    "الأشهر الماضية من بغداد والأنبار إلى قاعدة حرير.\nوأضاف أن المرحلة الثانية من الاتفاق "
    "بين بغداد وواشنطن لا تشمل انسحاب القوات من الإقليم قبل هذا الموعد."
)
ARTICLES = [
    probe(
        "anbar-convoy-left",
        "2025-09-15",
        _ARTICLE_ANBAR,
        where="غادر قاعدة",
        title="رتل للتحالف الدولي يغادر عين الأسد باتجاه كردستان",
        kind="relocation",
        places=["ain_al_asad"],
        destinations=["kurdistan"],
        start="2025-09-15",
        hedged=True,
    ),
    probe(
        "anbar-vehicles",
        "2025-09-15",
        _ARTICLE_ANBAR,
        where="60",
        title="رتل للتحالف الدولي يغادر عين الأسد باتجاه كردستان",
        value=60,
        qualifier="about",
    ),
    probe(
        "anbar-rest-leave",
        "2025-09-15",
        _ARTICLE_ANBAR,
        where="سيغادرون",
        title="رتل للتحالف الدولي يغادر عين الأسد باتجاه كردستان",
        kind="withdrawal",
        start="2025-09-21",
        end="2025-09-30",
    ),
    probe(
        "anbar-phase-one",
        "2025-09-15",
        _ARTICLE_ANBAR,
        where="المرحلة الأولى",
        title="رتل للتحالف الدولي يغادر عين الأسد باتجاه كردستان",
        kind="mission_end",
        start="2025-09-01",
        end="2025-09-30",
        verdict="consistent",
    ),
    probe(
        "anbar-teaser-no-claim",
        "2025-09-15",
        _ARTICLE_ANBAR,
        where="التاجي",
        title="رتل للتحالف الدولي يغادر عين الأسد باتجاه كردستان",
        absent=True,
        places=["taji"],
    ),
    probe(
        "pentagon-cut",
        "2025-04-08",
        _ARTICLE_PENTAGON,
        where="ستخفض",
        title="البنتاغون: خفض القوات الأمريكية في العراق إلى أقل من ألفين",
        kind="withdrawal",
        value=2000,
        qualifier="less_than",
        start="2025-09-21",
        end="2025-09-30",
        reported="2025-04-08",
    ),
    probe(
        "pentagon-erbil-stay",
        "2025-04-08",
        _ARTICLE_PENTAGON,
        where="تبقى",
        title="البنتاغون: خفض القوات الأمريكية في العراق إلى أقل من ألفين",
        places=["erbil"],
        start="2026-09-01",
        end="2026-09-30",
        verdict="consistent",
    ),
    probe(
        "pentagon-not-full",
        "2025-04-08",
        _ARTICLE_PENTAGON,
        where="لا يعني",
        title="البنتاغون: خفض القوات الأمريكية في العراق إلى أقل من ألفين",
        negated=True,
    ),
    probe(
        "denial-postponement",
        "2025-06-14",
        _ARTICLE_DENIAL,
        where="آخر مستشاري",
        title="العمليات المشتركة تنفي تأجيل انسحاب التحالف من بغداد",
        kind="withdrawal",
        negated=False,
        start="2025-09-01",
        verdict="consistent",
    ),
    probe(
        "denial-victory-stay",
        "2025-06-14",
        _ARTICLE_DENIAL,
        where="فيكتوريا",
        title="العمليات المشتركة تنفي تأجيل انسحاب التحالف من بغداد",
        places=["victory"],
        negated=True,
    ),
    probe(
        "kurdistan-continue",
        "2025-11-02",
        _ARTICLE_KURDISTAN,
        where="ستواصل",
        title="التحالف الدولي باق في كوردستان حتى أيلول 2026",
        places=["kurdistan"],
        start="2026-09-01",
        end="2026-09-30",
        verdict="consistent",
    ),
    probe(
        "kurdistan-moved",
        "2025-11-02",
        _ARTICLE_KURDISTAN,
        where="1500",
        title="التحالف الدولي باق في كوردستان حتى أيلول 2026",
        value=1500,
        qualifier="about",
        destinations=["harir"],
        places=["baghdad", "anbar"],
    ),
    probe(
        "kurdistan-not-before",
        "2025-11-02",
        _ARTICLE_KURDISTAN,
        where="لا تشمل",
        title="التحالف الدولي باق في كوردستان حتى أيلول 2026",
        negated=True,
        places=["kurdistan"],
    ),
]

# ----------------------------------------------------------------------------- fourth round
DATES += [
    probe(
        "mid-next-year",
        "2025-11-02",
        "وقال المتحدث إن قوات التحالف الدولي ستغادر قاعدة حرير منتصف العام المقبل.",
        where="ستغادر",
        start="2026-04-01",
        end="2026-09-30",
        granularity="part_of_year",
    ),
    probe(
        "deadline-at-most",
        "2025-02-02",
        "ونص الاتفاق على إنهاء مهمة التحالف الدولي في أربيل في موعد أقصاه أيلول 2026.",
        where="إنهاء",
        start="2026-09-01",
        end="2026-09-30",
    ),
    probe(
        "last-year",
        "2025-02-02",
        "وكانت قوات التحالف الدولي قد أخلت قاعدة التاجي في العراق العام الماضي.",
        start="2024-01-01",
        end="2024-12-31",
    ),
    probe(
        "until-further-notice",
        "2025-02-02",
        "وقال المسؤول إن انسحاب قوات التحالف الدولي من أربيل أُرجئ حتى إشعار آخر.",
        where="انسحاب",
        date=None,
    ),
    probe(
        "from-to-range",
        "2025-02-02",
        "ويمتد انسحاب قوات التحالف الدولي من العراق من أيلول/سبتمبر 2025 إلى نهاية 2026.",
        where="انسحاب",
        start="2025-09-01",
        end="2026-12-31",
        xfail="a range 'من <date> إلى <date>' is read as two dates; only 'بين … و…' is joined, "
        "since 'من … إلى/حتى' also opens a stay until a date",
    ),
]

NUMBERS += [
    probe(
        "thousands-plural",
        "2025-02-02",
        "وغادر آلاف الجنود من قوات التحالف الدولي العراق منذ توقيع الاتفاق.",
        value=2000,
        qualifier="at_least",
    ),
    probe(
        "at-most",
        "2025-02-02",
        "وقال المتحدث إن عدد مستشاري التحالف الدولي في أربيل لن يتجاوز 500 مستشار حتى أيلول 2026.",
        where="500",
        value=500,
    ),
    probe(
        "third-no-count",
        "2025-02-02",
        "وتستعد الولايات المتحدة لسحب ثلث قواتها من العراق ضمن التحالف الدولي خلال أسابيع.",
        number=None,
    ),
]

PLACES += [
    probe(
        "erbil-airport",
        "2025-09-10",
        "ووصلت طائرات تقل جنوداً من التحالف الدولي إلى مطار أربيل الدولي قادمة من بغداد.",
        title="وصول جنود من التحالف الدولي إلى أربيل بعد انسحابهم من بغداد",
        places=["erbil"],
    ),
    probe(
        "balad",
        "2025-09-10",
        "وانسحبت آخر قوة للتحالف الدولي من قاعدة بلد الجوية في صلاح الدين.",
        places=["balad"],
    ),
    probe(
        "iraq-to-syria-relocation",
        "2025-09-10",
        "وتنقل القوات الأمريكية جزءاً من قواتها العاملة ضمن التحالف الدولي من العراق إلى "
        "شمال شرق سوريا.",
        kind="relocation",
        places=["iraq"],
        destinations=["syria"],
    ),
]

NEGATION += [
    probe(
        "no-plans-any",
        "2025-05-05",
        "وقال البنتاغون إنه لا توجد أي خطط لسحب قوات التحالف الدولي من أربيل في الوقت الراهن.",
        negated=True,
    ),
    probe(
        "we-have-no-plans",
        "2025-05-05",
        "وقال السفير الأمريكي: ليس لدينا خطط لسحب قواتنا من العراق قبل الموعد المتفق عليه.",
        negated=True,
    ),
    probe(
        "no-date-set",
        "2025-05-05",
        "وأكد مصدر حكومي أنه لم يتم تحديد موعد نهائي لانسحاب قوات التحالف الدولي من أربيل.",
        where="انسحاب",
        date=None,
    ),
]

HEDGES += [
    probe(
        "newspaper-officials",
        "2025-05-05",
        "ونقلت صحيفة أمريكية عن مسؤولين أمريكيين أن واشنطن ستسحب قواتها من قاعدة عين الأسد "
        "ضمن التحالف الدولي قبل أيلول.",
        xfail="the ignore phrase 'نقلت … عن' (so that نقلت is no move) also hides the officials quoted after عن, and an ignore hides every hit it overlaps",
        hedged=True,
    ),
    probe(
        "according-to-officials",
        "2025-05-05",
        "وبحسب مسؤولين عراقيين، فإن قوات التحالف الدولي ستنهي انسحابها من بغداد خلال أسابيع.",
        hedged=True,
    ),
]

# ----------------------------------------------------------------------------- fifth round
DATES += [
    probe(
        "day-month-no-year",
        "2025-09-20",
        "وقال المتحدث إن قوات التحالف الدولي ستنهي انسحابها من قاعدة عين الأسد يوم 27 أيلول.",
        where="انسحاب",
        start="2025-09-27",
        end="2025-09-27",
    ),
    probe(
        "day-of-current-month",
        "2025-09-20",
        "وأضاف أن تسليم مقر قيادة العمليات المشتركة من التحالف الدولي سيجري في 27 من الشهر الجاري.",
        where="تسليم",
        start="2025-09-27",
        end="2025-09-27",
    ),
    probe(
        "last-month",
        "2025-10-12",
        "وكانت قوات التحالف الدولي قد غادرت بغداد الشهر الماضي باتجاه أربيل.",
        start="2025-09-01",
        end="2025-09-30",
    ),
    probe(
        "day-before-yesterday",
        "2025-10-12",
        "وغادر آخر رتل للتحالف الدولي قاعدة عين الأسد أمس الأول متجهاً إلى إقليم كردستان.",
        start="2025-10-10",
        end="2025-10-10",
    ),
    probe(
        "dawn-today",
        "2025-10-12",
        "وانسحبت قوة من التحالف الدولي من قاعدة فيكتوريا في بغداد فجر اليوم.",
        start="2025-10-12",
        end="2025-10-12",
    ),
    probe(
        "evening-yesterday",
        "2025-10-12",
        "وسلّمت قوات التحالف الدولي مساء أمس قاعدة عين الأسد إلى القوات العراقية.",
        start="2025-10-11",
        end="2025-10-11",
    ),
]

NUMBERS += [
    probe(
        "two-thousand-and-500",
        "2025-02-02",
        "وتضم قوات التحالف الدولي في العراق نحو ألفين و500 جندي أمريكي.",
        title="تقليص عدد قوات التحالف الدولي في العراق",
        value=2500,
        qualifier="about",
    ),
    probe(
        "force-of",
        "2025-02-02",
        "وستبقى في أربيل قوة من 300 جندي من التحالف الدولي حتى أيلول 2026.",
        value=300,
    ),
]

MILESTONES += [
    probe(
        "passive-diacritics-done",
        "2025-10-02",
        "وسُلِّمت قاعدة عين الأسد إلى القوات العراقية بعد انسحاب قوات التحالف الدولي منها.",
        where="سُلِّمت",
        kind="handover",
        verdict="completed",
    ),
    probe(
        "was-handed",
        "2025-10-02",
        "وتم تسليم مقر قيادة العمليات المشتركة في بغداد إلى الجانب العراقي بعد مغادرة "
        "مستشاري التحالف الدولي.",
        where="تسليم",
        verdict="completed",
    ),
    probe(
        "ongoing-move",
        "2025-09-02",
        "ويجري حالياً نقل معدات التحالف الدولي من قاعدة عين الأسد إلى أربيل.",
        kind="relocation",
        destinations=["erbil"],
        verdict=["consistent", "new"],
    ),
]

NEGATION += [
    probe(
        "denied-that-left",
        "2025-05-05",
        "ونفى المتحدث أن تكون قوات التحالف الدولي قد انسحبت من قاعدة حرير.",
        negated=True,
    ),
    probe(
        "not-yet",
        "2025-10-05",
        "ولم تنسحب قوات التحالف الدولي بعد من قاعدة فيكتوريا في بغداد.",
        negated=True,
    ),
]

QUOTES += [
    probe(
        "guillemets-quote",
        "2025-04-10",
        "وقال وزير الخارجية العراقي: «ستغادر قوات التحالف الدولي بغداد بحلول أيلول المقبل».",
        kind="withdrawal",
        places=["baghdad"],
        start="2025-09-01",
        end="2025-09-30",
    ),
    probe(
        "colon-headline-speaker",
        "2025-04-10",
        "السوداني: انسحاب التحالف الدولي من المناطق الاتحادية سيكتمل في أيلول/سبتمبر 2025",
        kind="withdrawal",
        places=["federal_areas"],
        start="2025-09-01",
    ),
]

# ----------------------------------------------------------------------------- sixth round
DATES += [
    probe(
        "next-month-across-year",
        "2025-12-10",
        "وقال المتحدث إن آخر مستشاري التحالف الدولي سيغادرون قاعدة حرير في كانون الثاني/يناير "
        "المقبل.",
        where="سيغادرون",
        start="2026-01-01",
        end="2026-01-31",
    ),
    probe(
        "last-month-across-year",
        "2026-01-15",
        "وكانت قوات التحالف الدولي قد سلّمت قاعدة عين الأسد في تشرين الثاني/نوفمبر الماضي.",
        start="2025-11-01",
        end="2025-11-30",
    ),
    probe(
        "by-month-no-year",
        "2025-12-10",
        "وأكد أن نقل مستشاري التحالف الدولي من بغداد إلى أربيل سيكتمل بحلول شباط.",
        title="انسحاب مستشاري التحالف الدولي من بغداد إلى أربيل",
        where="نقل",
        start="2026-02-01",
        end="2026-02-28",
    ),
    probe(
        "first-quarter",
        "2025-10-10",
        "وأوضح أن المرحلة الأخيرة من انسحاب قوات التحالف الدولي من العراق ستنفذ في الربع الأول "
        "من 2026.",
        where="انسحاب",
        start="2026-01-01",
        end="2026-03-31",
    ),
    probe(
        "second-half-next-year",
        "2025-10-10",
        "ويتوقع مسؤولون أن تنسحب قوات التحالف الدولي من إقليم كردستان في النصف الثاني من العام "
        "المقبل.",
        where="تنسحب",
        start="2026-07-01",
        end="2026-12-31",
        hedged=True,
    ),
]

NUMBERS += [
    probe(
        "dot-thousands",
        "2025-02-02",
        "وقال البنتاغون إن 2.500 جندي أمريكي ما زالوا في العراق ضمن التحالف الدولي.",
        title="تقليص عدد قوات التحالف الدولي في العراق",
        value=2500,
    ),
    probe(
        "eastern-digits-words",
        "2025-02-02",
        "وغادر ١٥٠٠ مستشار من التحالف الدولي قاعدة عين الأسد خلال أسبوع.",
        value=1500,
    ),
]

MILESTONES += [
    probe(
        "accomplished-withdrawal",
        "2025-10-02",
        "وأتمّت قوات التحالف الدولي انسحابها من قاعدة عين الأسد في الأنبار.",
        verdict="completed",
    ),
    probe(
        "passive-future-handover",
        "2025-06-02",
        "وستُنقل مهام قاعدة عين الأسد إلى القوات العراقية بعد مغادرة قوات التحالف الدولي.",
        where="ستُنقل",
        verdict=["consistent", "new"],
    ),
    probe(
        "erbil-end-of-2026",
        "2025-02-02",
        "وقال مسؤول أمريكي إن القوات المتبقية من التحالف الدولي ستغادر أربيل بحلول نهاية 2026.",
        places=["erbil"],
        verdict="consistent",
    ),
]

# ----------------------------------------------------------------------------- seventh round
MILESTONES += [
    probe(
        "next-september-after-phase-one",
        "2025-11-05",
        "وقال مسؤول عسكري إن قوات التحالف الدولي ستنسحب من قاعدة عين الأسد في أيلول المقبل.",
        start="2026-09-01",
        verdict="conflicting",
    ),
    probe(
        "erbil-earlier-than-timeline",
        "2025-03-05",
        "وأعلن المتحدث أن قوات التحالف الدولي ستغادر أربيل نهاية العام الجاري.",
        places=["erbil"],
        start="2025-10-01",
        verdict="conflicting",
    ),
    probe(
        "joint-statement-date",
        "2025-03-05",
        "وكان البيان المشترك الصادر في 27 أيلول/سبتمبر 2024 قد حدد إنهاء مهمة التحالف الدولي "
        "في العراق على مرحلتين.",
        where="البيان",
        kind="agreement",
        start="2024-09-27",
        verdict="consistent",
    ),
]

KINDS = [
    probe(
        "agreed-timetable",
        "2025-03-05",
        "اتفق العراق والولايات المتحدة على جدول زمني لانسحاب قوات التحالف الدولي من البلاد.",
        kind=["agreement", "timetable"],
    ),
    probe(
        "mission-to-partnership",
        "2025-03-05",
        "وقال المتحدث إن مهمة التحالف الدولي في العراق ستتحول إلى شراكة أمنية ثنائية مع "
        "الدول الأعضاء.",
        kind="mission_end",
    ),
    probe(
        "phase-one-ends",
        "2025-03-05",
        "وتنتهي المرحلة الأولى من مهمة التحالف الدولي في بغداد والأنبار في أيلول 2025.",
        kind="mission_end",
        places=["baghdad", "anbar"],
    ),
    probe(
        "reduce-number",
        "2025-03-05",
        "وقررت واشنطن خفض عدد قواتها العاملة ضمن التحالف الدولي في العراق.",
        kind="withdrawal",
    ),
    probe(
        "repositioning",
        "2025-03-05",
        "وتجري قوات التحالف الدولي إعادة تموضع لقواتها في أربيل بعد مغادرة بغداد.",
        where="تموضع",
        kind="relocation",
    ),
    probe(
        "security-file-handover",
        "2025-03-05",
        "وأعلن التحالف الدولي تسليم الملف الأمني في قاعدة عين الأسد إلى القوات العراقية.",
        kind="handover",
    ),
    probe(
        "reinforcements-arrive",
        "2025-03-05",
        "ووصلت تعزيزات من قوات التحالف الدولي إلى قاعدة حرير قادمة من الأنبار في العراق.",
        title="قوات التحالف الدولي تنتقل من الأنبار إلى حرير",
        kind="relocation",
        destinations=["harir"],
    ),
    probe(
        "bare-count",
        "2025-03-05",
        "ويبلغ عدد القوات الأمريكية في العراق ضمن التحالف الدولي 2500 جندي.",
        title="تقليص عدد قوات التحالف الدولي في العراق",
        kind="troop_count",
        value=2500,
    ),
]

DATES += [
    probe(
        "bare-end-of-month",
        "2025-09-15",
        "وقال المتحدث باسم القائد العام للقوات المسلحة إن قوات التحالف الدولي ستغادر العاصمة "
        "بغداد نهاية الشهر.",
        where="ستغادر",
        start="2025-09-21",
        end="2025-09-30",
        granularity="part_of_month",
    ),
    probe(
        "imminent-not-report-day",
        "2025-09-15",
        "كشف مصدر حكومي، أمس الأحد، عن قرب انسحاب قوات التحالف الدولي من قاعدة عين الأسد.",
        where="انسحاب",
        date=None,
        reported="2025-09-14",
    ),
]

# ----------------------------------------------------------------------------- eighth round
DATES += [
    probe(
        "postponed-to-month",
        "2025-10-05",
        "وكان من المقرر أن تغادر قوات التحالف الدولي قاعدة عين الأسد في أيلول 2025، إلا أن "
        "الموعد أُرجئ إلى كانون الثاني.",
        where="أُرجئ",
        start="2026-01-01",
        end="2026-01-31",
        xfail="a month with no year after إلى is in the publication year; after a verb of "
        "postponing (أُرجئ، تأجيل … إلى) it is the next such month, but the date finder sees only "
        "the preposition, and 'من تموز إلى أيلول' in the past needs the publication year",
    ),
]
NEGATION += [
    probe(
        "none-after-date",
        "2025-10-05",
        "وأكد السوداني أن حكومته لن تقبل ببقاء أي قوات أجنبية بعد أيلول 2026.",
        title="انسحاب التحالف الدولي من العراق",
        start="2026-09-01",
        xfail="staying owns only until-dates (حتى، لغاية); 'no forces stay after <date>' is a "
        "withdrawal by that date, but the stay cue with 'بعد' makes no claim",
    ),
]


ALL = DATES + NUMBERS + PLACES + MILESTONES + NEGATION + HEDGES + QUOTES + TRAPS + ARTICLES + KINDS


@pytest.mark.parametrize(("published", "title", "text", "where", "expect"), ALL)
def test_claim_probe(
    analyzer: Analyzer,
    published: str | None,
    title: str | None,
    text: str,
    where: str | None,
    expect: dict[str, Any],
) -> None:
    day = date.fromisoformat(published) if published else None
    analysis = analyzer.analyze(title, text, day)
    assert analysis.relevance.relevant, (analysis.relevance.score, analysis.relevance.terms)
    claims = [finding_json(f) for f in analysis.findings]
    chosen = [c for c in claims if where is None or where in c["sentence"]]
    found = [(c, differences(c, expect)) for c in chosen]
    hits = [c for c, diff in found if not diff]
    if expect.get("absent"):
        assert not hits, hits
        return
    assert hits, [(c["sentence"], diff) for c, diff in found] or claims
