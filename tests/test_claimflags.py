"""claimflags.py and claimplaces.py: where a claim happens, where forces go, whether it reports
something done, which part of a move it speaks of, and counts of people moved.

Each table answers one wrong verdict a timeline review traced back to the claims. The sentences
are ours, in the style of news copy.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from monitor.analysis.claims.find import extract_claims
from monitor.analysis.dates.find import find_dates
from monitor.analysis.keywords import KeywordRules
from monitor.models import Claim
from monitor.normalize import normalize

PUBLISHED = date(2026, 1, 20)  # a Tuesday


def claims_of(text: str, rules: KeywordRules) -> list[Claim]:
    norm = normalize(text)
    return extract_claims(norm, find_dates(norm, PUBLISHED), rules)


def summary(c: Claim, keys: tuple[str, ...]) -> dict[str, Any]:
    full = {
        "kind": c.kind,
        "date": (c.date.start.isoformat(), c.date.end.isoformat()) if c.date else None,
        "places": list(c.places),
        "dest": list(c.destinations),
        "number": (c.number.value, c.number.qualifier) if c.number else None,
        "negated": c.negated,
        "done": c.reports_done,
        "phase": c.phase,
        "sentence": " ".join(c.sentence.split()[:2]),  # its first two words
    }
    return {k: full[k] for k in keys}


def check(rules: KeywordRules, text: str, expected: list[dict[str, Any]]) -> None:
    keys = tuple(expected[0]) if expected else ("kind",)
    assert [summary(c, keys) for c in claims_of(text, rules)] == expected


# --------------------------------------------------------------------------- destinations

DESTINATIONS = {
    "convoy-heading-for-kurdistan": (
        "غادرت قافلة لقوات التحالف الدولي قاعدة عين الأسد فجر الخميس متجهة نحو إقليم كردستان.",
        [{"kind": "relocation", "places": ["ain_al_asad"], "dest": ["kurdistan"], "done": True}],
    ),
    "from-a-city-to-a-base-in-another": (
        "ونقلت قوات التحالف مستشاريها من بغداد إلى قاعدة حرير في أربيل الشهر الماضي.",
        [{"kind": "relocation", "places": ["baghdad"], "dest": ["harir", "erbil"], "done": True}],
    ),
    "cut-here-moved-there-is-a-relocation": (
        "وقلصت إيطاليا عدد مدربيها في بغداد، ونقلت قسما منهم إلى أربيل.",
        [{"kind": "relocation", "places": ["baghdad"], "dest": ["erbil"], "done": True}],
    ),
    "towards-across-a-comma": (
        "وغادرت القوات الأمريكية القاعدة الجوية في الأنبار، باتجاه إقليم كردستان.",
        [{"kind": "relocation", "places": ["anbar"], "dest": ["kurdistan"], "done": True}],
    ),
    "a-denied-move-keeps-its-destination": (
        "ونفت الوزارة نقل قوات أمريكية إضافية إلى الأنبار.",
        [{"kind": "relocation", "places": [], "dest": ["anbar"], "negated": True}],
    ),
    "alongside-is-not-towards": (
        "وغادرت القوات الأمريكية قاعدة عين الأسد إلى جانب مقر قيادة العمليات المشتركة.",
        [
            {
                "kind": "withdrawal",
                "places": ["ain_al_asad", "joint_operations_command"],
                "dest": [],
            }
        ],
    ),
    "nahw-before-a-number-is-about": (
        "وسحبت واشنطن نحو 800 جندي من قاعدة عين الأسد في الأنبار.",
        [
            {
                "kind": "withdrawal",
                "places": ["ain_al_asad", "anbar"],
                "dest": [],
                "number": (800, "about"),
            }
        ],
    ),
    "the-longest-place-name-counts-once": (
        "وستنقل مهام المستشارين إلى إقليم كردستان العراق خلال العام الجاري.",
        [{"places": [], "dest": ["kurdistan"]}],
    ),
    "staying-elsewhere-is-another-claim": (
        "وخفضت ألمانيا عدد مدربيها في العراق، مع الإبقاء على فريق صغير في أربيل.",
        [
            {"kind": "withdrawal", "places": ["iraq"], "dest": []},
            {"kind": "timetable", "places": ["erbil"], "dest": []},
        ],
    ),
}


@pytest.mark.parametrize(("text", "expected"), list(DESTINATIONS.values()), ids=list(DESTINATIONS))
def test_destinations_are_not_places(
    rules: KeywordRules, text: str, expected: list[dict[str, Any]]
) -> None:
    check(rules, text, expected)


# --------------------------------------------------------------------------- reported as done

DONE = {
    "preparing-to-announce-is-not-done": (
        "وتتسارع استعدادات الحكومة لإعلان انتهاء مهمة التحالف الدولي في بغداد.",
        [{"kind": "mission_end", "done": False}],
    ),
    "preparations-going-on-are-no-mission": (
        "وتتواصل تحضيرات بغداد لإعلان انتهاء المرحلة الأولى من مهمة التحالف الدولي.",
        [{"kind": "mission_end", "done": False, "phase": None}],
    ),
    "on-the-eve-of-leaving": (
        "وقبيل مغادرة آخر المستشارين قاعدة عين الأسد، زار وفد عسكري القاعدة.",
        [{"kind": "withdrawal", "done": False}],
    ),
    "in-preparation-for-handing-over": (
        "وأخلت القوات الأمريكية مخازنها تمهيدا لتسليم قاعدة حرير.",
        [{"kind": "withdrawal", "done": True}],
    ),
    "insisting-on-the-last-soldier-leaving": (
        "وتصر قوى سياسية على خروج آخر جندي أمريكي من البلاد قبل نهاية 2026.",
        [{"kind": "withdrawal", "done": False}],
    ),
    "passive-past-with-its-damma": (
        "وقال المسؤول إن مستشاري التحالف نُقلوا خلال الأسبوع الماضي إلى قاعدة حرير.",
        [{"kind": "relocation", "dest": ["harir"], "done": True}],
    ),
    "passive-withdrawn": (
        "وسُحب آخر الجنود الأمريكيين من قاعدة عين الأسد.",
        [{"kind": "withdrawal", "done": True, "phase": "end"}],
    ),
    "passive-handed-over": (
        "وسُلّم معسكر التاجي إلى الجيش العراقي بحضور قادة التحالف.",
        [{"kind": "handover", "done": True}],
    ),
    "passive-form-four-evacuated": (
        "وأُخليت قاعدة عين الأسد من مستشاري التحالف الدولي.",
        [{"kind": "withdrawal", "done": True}],
    ),
    "passive-form-four-accomplished": (
        "وأُنجزت عملية نقل معدات التحالف إلى أربيل بالكامل.",
        [{"kind": "relocation", "done": True}],
    ),
    "imperfect-passive-is-not-done": (
        "ويُنقل مستشارو التحالف إلى أربيل خلال الأسابيع المقبلة.",
        [{"kind": "relocation", "done": False}],
    ),
    "after-the-withdrawal-is-background": (
        "وقال إن الأوضاع في الأنبار هادئة بعد انسحاب التحالف الدولي من قاعدة عين الأسد.",
        [{"kind": "withdrawal", "done": False}],
    ),
    "right-after-the-last-soldier-left": (
        "وعقب مغادرة آخر جندي أمريكي قاعدة حرير، رفع الجيش العراقي علمه فوقها.",
        [{"kind": "withdrawal", "done": False}],
    ),
    "after-they-had-left-is-background": (
        "وجاءت الزيارة بعد أن غادرت القوات الأمريكية قاعدة فكتوريا.",
        [{"kind": "withdrawal", "done": False}],
    ),
    "announced-after-the-last-left-is-done": (
        "وأعلنت الحكومة انتهاء المرحلة الأولى بعد مغادرة آخر المستشارين بغداد.",
        [{"kind": "mission_end", "done": True}],
    ),
}


@pytest.mark.parametrize(("text", "expected"), list(DONE.values()), ids=list(DONE))
def test_reports_done(rules: KeywordRules, text: str, expected: list[dict[str, Any]]) -> None:
    check(rules, text, expected)


# --------------------------------------------------------------------------- start, course, end

PHASES = {
    "began-moving-equipment": (
        "وبدأت القوات الأمريكية نقل معداتها من قاعدة عين الأسد إلى أربيل في آب 2025.",
        [
            {
                "kind": "relocation",
                "date": ("2025-08-01", "2025-08-31"),
                "phase": "start",
                "done": False,
            }
        ],
    ),
    "will-start-leaving-early-next-year": (
        "وأوضح أن المستشارين سيبدأون مغادرة قاعدة حرير مطلع 2026.",
        [{"kind": "withdrawal", "date": ("2026-01-01", "2026-03-31"), "phase": "start"}],
    ),
    "start-verb-after-the-move": (
        "وقال إن المرحلة الثانية من انسحاب قوات التحالف ستنطلق في آذار المقبل.",
        [{"kind": "withdrawal", "date": ("2026-03-01", "2026-03-31"), "phase": "start"}],
    ),
    "embarking-on": (
        "وأعلنت الوزارة الشروع في سحب القوات الأمريكية من معسكر فكتوريا.",
        [{"kind": "withdrawal", "phase": "start"}],
    ),
    "going-on": (
        "وتتواصل عمليات انسحاب القوات الأمريكية من قاعدة عين الأسد.",
        [{"kind": "withdrawal", "phase": "during"}],
    ),
    "completed": (
        "وأكملت القوات الأمريكية انسحابها من قاعدة حرير أمس.",
        [{"kind": "withdrawal", "phase": "end", "done": True}],
    ),
    "seemed-is-not-began": (
        "وبدا أن انسحاب القوات الأمريكية من أربيل سيتأخر.",
        [{"kind": "withdrawal", "phase": None}],
    ),
    "the-start-of-something-else": (
        "وستتحول مهمة التحالف الدولي إلى علاقات ثنائية مع بدء عمل اللجنة العسكرية.",
        [{"kind": "mission_end", "phase": None}],
    ),
    "starting-before-another-deadline": (
        "وأشار إلى أن الخفض سيبدأ قبل الموعد المحدد لانتهاء مهمة التحالف في أيلول المقبل.",
        [{"kind": "mission_end", "phase": None}],
    ),
}


@pytest.mark.parametrize(("text", "expected"), list(PHASES.values()), ids=list(PHASES))
def test_phase(rules: KeywordRules, text: str, expected: list[dict[str, Any]]) -> None:
    check(rules, text, expected)


# --------------------------------------------------------------------------- dates of agreements

AGREEMENTS = {
    "signed-in-dates-the-agreement": (
        "وتواصل بغداد تنفيذ اتفاق إنهاء مهمة التحالف الدولي الموقع في أيلول 2024.",
        [{"kind": "agreement", "date": ("2024-09-01", "2024-09-30")}],
    ),
    "issued-on-dates-the-statement": (
        "ونص البيان المشترك الصادر في 27 أيلول 2024 على انسحاب قوات التحالف الدولي.",
        [{"kind": "agreement", "date": ("2024-09-27", "2024-09-27")}],
    ),
    "a-site-is-not-a-signature": (
        "وستسلم القوات الأمريكية الموقع في أيلول المقبل.",
        [{"kind": "handover", "date": ("2026-09-01", "2026-09-30")}],
    ),
}


@pytest.mark.parametrize(("text", "expected"), list(AGREEMENTS.values()), ids=list(AGREEMENTS))
def test_agreement_dates(rules: KeywordRules, text: str, expected: list[dict[str, Any]]) -> None:
    check(rules, text, expected)


# --------------------------------------------------------------------------- people moved

MOVED = {
    "transferred-advisers": (
        "ونقلت واشنطن 300 مستشار من الكويت إلى العراق.",
        [{"kind": "relocation", "number": (300, "exact"), "dest": ["iraq"]}],
    ),
    "arrival-of-troops": (
        "وأكدت الوزارة وصول نحو 500 جندي أمريكي إلى قاعدة عين الأسد الأسبوع الماضي.",
        [
            {
                "kind": "relocation",
                "number": (500, "about"),
                "dest": ["ain_al_asad"],
                "date": ("2026-01-10", "2026-01-16"),
            }
        ],
    ),
    "deployed-reinforcements": (
        "وأرسلت وزارة الدفاع الأمريكية 1500 جندي إضافي إلى العراق.",
        [{"kind": "relocation", "number": (1500, "exact"), "dest": ["iraq"]}],
    ),
    "deployed-there-is-the-standing-force": (
        "وتنشر الولايات المتحدة نحو 2500 جندي في العراق.",
        [{"kind": "troop_count", "number": (2500, "about"), "dest": []}],
    ),
    "the-number-reached-is-a-total": (
        "ووصل عدد الجنود الأمريكيين في العراق إلى 2500 جندي.",
        [{"kind": "troop_count", "number": (2500, "exact")}],
    ),
    "a-force-standing-is-a-troop-count": (
        "وينتشر في قاعدة حرير نحو 900 جندي أمريكي.",
        [{"kind": "troop_count", "number": (900, "about"), "dest": []}],
    ),
}


@pytest.mark.parametrize(("text", "expected"), list(MOVED.values()), ids=list(MOVED))
def test_people_moved(rules: KeywordRules, text: str, expected: list[dict[str, Any]]) -> None:
    check(rules, text, expected)


# --------------------------------------------------------------------------- foreign focus

FOCUS = {
    # (a sentence that names only a foreign place makes no claim at all)
    "a-niger-paragraph-stays-in-niger": (
        "أكملت القوات الأمريكية انسحابها من النيجر.\n"
        "وقال البنتاغون إن آخر جندي غادر البلاد وفق الاتفاق المبرم مع السلطات.",
        [{"places": ["niger"], "sentence": "وقال البنتاغون"}],
    ),
    "a-chad-city-names-chad": (
        "وغادرت القوات الخاصة الأمريكية قاعدة في نجامينا.\n"
        "وأضاف المتحدث أن الانسحاب اكتمل خلال أسبوعين.",
        [{"places": ["chad"], "sentence": "وأضاف المتحدث"}],
    ),
    "only-the-nearest-sentences-count": (
        "وانسحبت القوات الأمريكية من النيجر العام الماضي.\nوتابع الوزير جولته.\n"
        "والتقى المسؤولين.\nوأشاد بالتعاون.\nوقال إن الانسحاب اكتمل.",
        [{"places": [], "sentence": "وقال إن"}],
    ),
    "an-iraq-paragraph-adds-nothing": (
        "وانسحبت القوات الأمريكية من قاعدة عين الأسد.\nوقال المسؤول إن آخر جندي غادر يوم الأحد.",
        [{"places": ["ain_al_asad"]}, {"places": []}],
    ),
}


@pytest.mark.parametrize(("text", "expected"), list(FOCUS.values()), ids=list(FOCUS))
def test_foreign_focus(rules: KeywordRules, text: str, expected: list[dict[str, Any]]) -> None:
    check(rules, text, expected)
