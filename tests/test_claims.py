"""claims.py and numbers.py: claims with kind, date, places, number and flags."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from tests import quality_metrics as qm

from monitor.analysis.claims.find import claim_sentences, extract_claims
from monitor.analysis.dates.find import find_dates
from monitor.analysis.keywords import KeywordRules
from monitor.analysis.numerals import find_numbers
from monitor.models import Claim
from monitor.normalize import normalize, normalize_text

PUBLISHED = date(2026, 1, 20)  # a Tuesday


def claims_of(text: str, rules: KeywordRules, published: date = PUBLISHED) -> list[Claim]:
    norm = normalize(text)
    return extract_claims(norm, find_dates(norm, published), rules, published)


def summary(c: Claim) -> dict[str, Any]:
    return {
        "kind": c.kind,
        "date": (c.date.start.isoformat(), c.date.end.isoformat()) if c.date else None,
        "places": list(c.places),
        "number": (c.number.value, c.number.qualifier) if c.number else None,
        "negated": c.negated,
        "hedged": c.hedged,
        "done": c.reports_done,
        "dest": list(c.destinations),
        "phase": c.phase,
    }


def want(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "date": None,
        "places": [],
        "number": None,
        "negated": False,
        "hedged": False,
        "done": False,
        "dest": [],
        "phase": None,
    }
    return base | kw


CASES: dict[str, tuple[str, list[dict[str, Any]]]] = {
    "done-with-weekday": (
        "انسحبت القوات الأمريكية من قاعدة عين الأسد الجوية يوم الأحد.",
        [
            want(
                kind="withdrawal",
                date=("2026-01-18", "2026-01-18"),
                places=["ain_al_asad"],
                done=True,
            )
        ],
    ),
    "troop-count-arabic-indic-digits": (
        "وينتشر في العراق نحو ٢٬٥٠٠ جندي أمريكي ضمن التحالف الدولي.",
        [want(kind="troop_count", places=["iraq"], number=(2500, "about"))],
    ),
    "number-words-at-least-and-future": (
        "وقال المسؤول إن ما لا يقل عن خمسمائة مستشار من التحالف الدولي سيغادرون أربيل بحلول "
        "أيلول/سبتمبر 2026.",
        [
            want(
                kind="withdrawal",
                date=("2026-09-01", "2026-09-30"),
                places=["erbil"],
                number=(500, "at_least"),
            )
        ],
    ),
    "dotted-thousands-more-than": (
        "خفضت واشنطن عدد قواتها في العراق إلى أكثر من 2.500 عسكري.",
        [want(kind="withdrawal", places=["iraq"], number=(2500, "more_than"), done=True)],
    ),
    "count-is-not-a-year": (
        "ويشمل الاتفاق الانسحاب الكامل لـ 2026 جنديا من قوات التحالف بحلول عام 2026.",
        [want(kind="withdrawal", date=("2026-01-01", "2026-12-31"), number=(2026, "exact"))],
    ),
    "denial": (
        "نفت وزارة الدفاع الأمريكية الأنباء عن انسحاب قواتها من قاعدة حرير.",
        [want(kind="withdrawal", places=["harir"], negated=True)],
    ),
    "negated-future-verb": (
        "ولن تنسحب قوات التحالف الدولي من أربيل قبل نهاية 2026.",
        [
            want(
                kind="withdrawal", date=("2026-10-01", "2026-12-31"), places=["erbil"], negated=True
            )
        ],
    ),
    "does-not-mean-the-end": (
        "وأكدت السفارة أن تحول المهمة لا يعني انتهاء عمل التحالف الدولي في العراق.",
        [want(kind="mission_end", places=["iraq"], negated=True)],
    ),
    "asserted-before-does-not-mean": (
        "وقالت السفارة إن إنهاء مهمة التحالف في بغداد لا يعني نهاية التعاون الأمني.",
        [want(kind="mission_end", places=["baghdad"])],
    ),
    "denied-after-does-not-mean": (
        "وإعلان انتهاء المرحلة الأولى لا يعني انتهاء الوجود العسكري الأمريكي في العراق.",
        [want(kind="withdrawal", places=["iraq"], negated=True)],
    ),
    "no-presence-by-a-date-is-a-withdrawal": (
        "وأكد الجانبان أنه لن يكون هناك أي وجود لقوات قتالية أجنبية في العراق بحلول 31 "
        "كانون الأول 2026.",
        [want(kind="withdrawal", date=("2026-12-31", "2026-12-31"), places=["iraq"])],
    ),
    "a-negation-after-the-cue-is-about-something-else": (
        "وقال إن تقليص عدد القوات الأمريكية لن يضعف التزام واشنطن تجاه العراق.",
        [want(kind="withdrawal", places=["iraq"])],
    ),
    "expected-is-hedged": (
        "ومن المتوقع أن تغادر قوات التحالف الدولي قاعدة فكتوريا في شهر آذار المقبل.",
        [
            want(
                kind="withdrawal",
                date=("2026-03-01", "2026-03-31"),
                places=["victory"],
                hedged=True,
            )
        ],
    ),
    "qad-before-present-tense-is-hedged": (
        "وقد تنسحب القوات الأمريكية من معسكر التاجي خلال أسابيع.",
        [want(kind="withdrawal", places=["taji"], hedged=True)],
    ),
    "qad-before-past-tense-is-not": (
        "وكانت القوات الأمريكية قد انسحبت من معسكر التاجي.",
        [want(kind="withdrawal", places=["taji"], done=True)],
    ),
    "informed-sources-are-hedged": (
        "وقالت مصادر مطلعة إن قوات التحالف ستغادر بغداد بحلول أيلول 2025.",
        [
            want(
                kind="withdrawal",
                date=("2025-09-01", "2025-09-30"),
                places=["baghdad"],
                hedged=True,
            )
        ],
    ),
    "two-clauses-two-dates": (
        "واتفقت بغداد وواشنطن في 27 أيلول 2024، على إنهاء مهمة التحالف الدولي بحلول أيلول 2025.",
        [
            want(kind="agreement", date=("2024-09-27", "2024-09-27"), places=["baghdad"]),
            want(kind="mission_end", date=("2025-09-01", "2025-09-30")),
        ],
    ),
    "elliptical-rest-by-a-later-date": (
        "وتقضي الخطة بمغادرة مئات الجنود من قوات التحالف بحلول أيلول 2025، والبقية بحلول "
        "نهاية 2026.",
        [
            want(kind="withdrawal", date=("2025-09-01", "2025-09-30"), number=(200, "at_least")),
            want(kind="withdrawal", date=("2026-10-01", "2026-12-31")),
        ],
    ),
    "stay-until-is-a-withdrawal-date": (
        "وستبقى قوات التحالف في أربيل حتى نهاية عام 2026.",
        [want(kind="withdrawal", date=("2026-10-01", "2026-12-31"), places=["erbil"])],
    ),
    "stay-without-until-is-no-claim": (
        "وأيدت لجنة الأمن النيابية بقاء قوات التحالف في العراق.",
        [],
    ),
    "armed-factions-are-not-the-coalition": (
        "وانسحبت الفصائل المسلحة من مواقع قرب بغداد أمس بعد اتفاق مع التحالف الدولي.",
        [],
    ),
    "date-of-the-move-not-of-the-announcement": (
        "أعلنت وزارة الدفاع في 5 آذار أن القوات الأمريكية ستغادر قاعدة عين الأسد بحلول أيلول 2026.",
        [want(kind="withdrawal", date=("2026-09-01", "2026-09-30"), places=["ain_al_asad"])],
    ),
    "announcement-day-between-commas": (
        "وكانت وزارة الدفاع العراقية قد أعلنت، السبت، انسحاب القوات الأمريكية من قاعدة عين الأسد.",
        [
            want(
                kind="withdrawal",
                date=("2026-01-17", "2026-01-17"),
                places=["ain_al_asad"],
                done=True,
            )
        ],
    ),
    "handover-needs-a-base": (
        "وتسلمت الخارجية العراقية رسالة من واشنطن بشأن التحالف الدولي.",
        [],
    ),
    "handover-of-the-base": (
        "وتسلم الجيش العراقي إدارة قاعدة حرير من قوات التحالف الدولي.",
        [want(kind="handover", places=["harir"], done=True)],
    ),
    "agreement-governs-an-undated-move": (
        "وتوصلت الحكومتان إلى تفاهم بشأن خطط انسحاب قوات التحالف من العراق.",
        [want(kind="agreement", places=["iraq"])],
    ),
    "no-actor-no-claim": (
        "وانتهت الزيارة يوم الأحد بمؤتمر صحفي في بغداد.",
        [],
    ),
    "gapped-cue-holds-the-date": (
        "وطوت الحكومة العراقية، مساء الأحد، صفحة المرحلة الأولى من مهمة التحالف الدولي.",
        [want(kind="mission_end", date=("2026-01-18", "2026-01-18"))],
    ),
    "committee-name-is-not-a-claim": (
        "وعقدت اللجنة العسكرية العليا لإنهاء مهمة التحالف اجتماعها الدوري في بغداد أمس.",
        [],
    ),
    "date-of-another-event-is-not-taken": (
        "وستنتهي المرحلة الأولى من انسحاب قوات التحالف قبل شهر من إجراء الانتخابات المقرر "
        "إجراؤها في تشرين الأول 2026.",
        [want(kind="mission_end")],
    ),
    "current-month-resolves-against-publication": (
        "وقال المتحدث إن مستشاري التحالف سيغادرون مقر قيادة العمليات المشتركة خلال كانون الثاني "
        "الجاري.",
        [
            want(
                kind="withdrawal",
                date=("2026-01-01", "2026-01-31"),
                places=["joint_operations_command"],
            )
        ],
    ),
    "reports-called-inaccurate-are-not-a-hedge": (
        "وقال المتحدث إن التقارير التي تحدثت عن تأجيل انسحاب قوات التحالف غير دقيقة.",
        [want(kind="withdrawal", negated=True)],
    ),
    "news-agency-is-not-a-hedge": (
        "وذكرت وكالة الأنباء العراقية أن قوات التحالف أخلت معسكر فكتوريا بالكامل.",
        [want(kind="withdrawal", places=["victory"], done=True)],
    ),
    "foreign-destination-is-not-syria-only": (
        "ومن المحتمل أن يتم نقل بعض القوات الأمريكية إلى الكويت أو الأردن.",
        [want(kind="relocation", hedged=True, dest=["kuwait", "jordan"])],
    ),
    "recipient-is-not-the-actor": (
        "وأضاف أن قاعدة حرير ستُسلَّم إلى قوات البيشمركة بعد مغادرة قوات التحالف.",
        [want(kind="handover", places=["harir"])],
    ),
    "the-rest-leave-later": (
        "وقال إن خروج ما تبقى من قوات التحالف سيتم قبل نهاية العام المقبل.",
        [want(kind="withdrawal", date=("2027-10-01", "2027-12-31"))],
    ),
    "staying-at-a-named-base-is-a-timetable": (
        "ويحتفظ الأمريكيون وشركاؤهم في التحالف بقوة صغيرة في أربيل لدعم العمليات في سوريا.",
        [want(kind="timetable", places=["erbil", "syria"])],
    ),
    "clitic-place": (
        "وغادر آخر جنود التحالف الدولي قاعدتهم وبأربيل بقي فريق صغير.",
        [want(kind="withdrawal", places=["erbil"], done=True)],
    ),
    "leaving-towards-a-place-is-a-relocation": (
        "وقال مصدر أمني إن آخر رتل لقوات التحالف غادر الأنبار متجها إلى أربيل.",
        [
            want(
                kind="relocation",
                places=["anbar"],
                dest=["erbil"],
                hedged=True,
                done=True,
                phase="end",
            )
        ],
    ),
    "ending-presence-at-a-base-is-a-handover": (
        "وأنهت القوات الأمريكية يوم السبت 5 ربيع الآخر 1447هـ الموافق 27 سبتمبر 2025م وجودها "
        "في قاعدة فيكتوري قرب مطار بغداد.",
        [
            want(
                kind="handover",
                date=("2025-09-27", "2025-09-27"),
                places=["victory", "baghdad"],
                done=True,
            )
        ],
    ),
    "ending-presence-in-a-country-is-a-withdrawal": (
        "وأنهت القوات الأمريكية وجودها في العراق.",
        [want(kind="withdrawal", places=["iraq"], done=True)],
    ),
    "the-peshmerga-receiving-is-a-handover": (
        "وأوضح أن قوات البيشمركة ستتسلم المواقع التي تخليها قوات التحالف في حرير تباعا.",
        [want(kind="handover", places=["harir"])],
    ),
    "the-date-after-according-to-the-agreement-is-the-moves": (
        "حيث تنتهي المرحلة الثانية وفق الاتفاق في أيلول المقبل.",
        [want(kind="mission_end", date=("2026-09-01", "2026-09-30"))],
    ),
    "two-capitals-are-two-governments-not-a-place": (
        # "بغداد وواشنطن" discuss: the parties, not where the mission ends (an agreement keeps
        # them as its places, above)
        "وبحثت واشنطن وبغداد أمس إنهاء مهام قوات التحالف الدولي القتالية في العراق.",
        [want(kind="mission_end", places=["iraq"])],
    ),
    "a-capital-after-a-move-is-a-place-though-another-follows": (
        "وقال المسؤول إن آخر مستشاري التحالف الدولي غادروا بغداد وواشنطن تراقب الوضع عن كثب.",
        [want(kind="withdrawal", places=["baghdad"], done=True)],
    ),
    "the-date-of-a-signed-agreement-stays-its-own": (
        "ويأتي الانسحاب تطبيقا لاتفاق أبرمته بغداد وواشنطن في أيلول/سبتمبر 2024.",
        [want(kind="agreement", date=("2024-09-01", "2024-09-30"), places=["baghdad"])],
    ),
    "a-troop-count-takes-the-date-of-its-clause": (
        "وكان عدد القوات الأمريكية قد بلغ نحو خمسة آلاف ومئتي جندي مطلع عام 2020.",
        [want(kind="troop_count", date=("2020-01-01", "2020-03-31"), number=(5200, "about"))],
    ),
    "a-date-further-on-is-not-the-counts": (
        "ولواشنطن نحو 2500 جندي في العراق و900 في سوريا ضمن التحالف الذي تشكل عام 2014.",
        [want(kind="troop_count", places=["iraq", "syria"], number=(2500, "about"))],
    ),
    "two-actions-with-two-dates-make-two-claims": (
        "نص الاتفاق المعلن في 27 أيلول/سبتمبر 2024 على إنهاء مهمة التحالف الدولي في بغداد "
        "بحلول أيلول/سبتمبر 2025.",
        [
            want(kind="mission_end", date=("2025-09-01", "2025-09-30"), places=["baghdad"]),
            want(kind="agreement", date=("2024-09-27", "2024-09-27"), places=["baghdad"]),
        ],
    ),
    "completed-by-a-date-is-the-moves-date": (
        "وأشار إلى أن مغادرة قوات التحالف ستكتمل قبل نهاية 2026.",
        [want(kind="withdrawal", date=("2026-10-01", "2026-12-31"), phase="end")],
    ),
    "a-phase-completed-by-a-date-ends-the-mission": (
        "وأكد المسؤول أن المرحلة الأولى من مهمة التحالف ستكتمل في سبتمبر (أيلول) المقبل.",
        [want(kind="mission_end", date=("2026-09-01", "2026-09-30"), phase="end")],
    ),
    "a-denied-report-far-from-the-denial-is-no-hedge": (
        "نفت وزارة شؤون البيشمركة في حكومة إقليم كوردستان، الثلاثاء، الأنباء التي تحدثت عن "
        "انسحاب مفاجئ لقوات التحالف الدولي من مطار أربيل.",
        [
            want(
                kind="withdrawal",
                date=("2026-01-20", "2026-01-20"),
                places=["kurdistan", "erbil"],
                negated=True,
            )
        ],
    ),
    "a-source-denying-is-still-a-hedge": (
        "ونفى مصدر عسكري نقل القوات الأمريكية المنسحبة من العراق إلى قواعد في الأردن.",
        [want(kind="relocation", places=["iraq"], dest=["jordan"], negated=True, hedged=True)],
    ),
    "a-dual-noun-still-matches": (
        "وأشار إلى أن الوزارة تسلمت خلال الشهر الجاري معسكرين كانت تستخدمهما قوات التحالف في "
        "أربيل.",
        [want(kind="handover", date=("2026-01-01", "2026-01-31"), places=["erbil"], done=True)],
    ),
    "a-destination-in-the-next-clause-is-another-move": (
        "ويرجح مراقبون أن تتسارع وتيرة انسحاب القوات الأمريكية، مع نقل المعدات من عين الأسد "
        "إلى أربيل.",
        [want(kind="withdrawal", places=["ain_al_asad"], dest=["erbil"], hedged=True)],
    ),
    "official-figures-are-not-a-hedge": (
        "وينتشر في العراق حاليا نحو 2500 جندي أمريكي، بحسب أرقام البنتاغون.",
        [want(kind="troop_count", places=["iraq"], number=(2500, "about"))],
    ),
    "the-source-referred-back-to-is-a-hedge": (
        "وأوضح المصدر أن نحو ستمئة جندي أمريكي ما زالوا في حرير.",
        [want(kind="troop_count", places=["harir"], number=(600, "about"), hedged=True)],
    ),
    "nothing-to-do-with-is-a-denial": (
        "وقال إن الطائرات لا علاقة لها بأي انتشار عسكري جديد للقوات الأمريكية في الأنبار.",
        [want(kind="relocation", places=["anbar"], negated=True)],
    ),
    "discussing-is-not-urging": (
        "ومن المتوقع أن تبدأ اللجنة مطلع العام المقبل بحث نقل المهام في أربيل إلى البيشمركة.",
        [want(kind="handover", date=("2027-01-01", "2027-03-31"), places=["erbil"], hedged=True)],
    ),
    "missions-cut-down-are-a-withdrawal": (
        "وأكد البيان أن الشركاء يخفضون حاليا مهامهم التدريبية في العراق.",
        [want(kind="withdrawal", places=["iraq"])],
    ),
}


@pytest.mark.parametrize(("text", "expected"), list(CASES.values()), ids=list(CASES))
def test_claims(rules: KeywordRules, text: str, expected: list[dict[str, Any]]) -> None:
    got = [summary(c) for c in claims_of(text, rules)]
    assert got == expected


@pytest.mark.parametrize("text", [t for t, _ in CASES.values()], ids=list(CASES))
def test_sentence_is_the_original_slice(rules: KeywordRules, text: str) -> None:
    for claim in claims_of(text, rules):
        assert text[claim.span[0] : claim.span[1]] == claim.sentence


def test_sentence_keeps_diacritics_and_tatweel(rules: KeywordRules) -> None:
    text = "مقدمة الخبر.\nانسحَبت القواتُ الأمريكيـــة من قاعدة عين الأسد. خاتمة."
    (claim,) = claims_of(text, rules)
    assert claim.sentence == "انسحَبت القواتُ الأمريكيـــة من قاعدة عين الأسد."


def test_a_clause_without_a_claim_before_one_gives_it_its_places(rules: KeywordRules) -> None:
    text = (
        "وأيدت لجنة في بغداد بقاء القوات في أيار 2025، وغادرت قوات التحالف قاعدة التاجي في "
        "حزيران 2025."
    )
    (claim,) = claims_of(text, rules)
    assert claim.kind == "withdrawal" and claim.date is not None and claim.date.start.month == 6
    assert set(claim.places) == {"baghdad", "taji"}


def test_one_claim_per_sentence_with_a_cue(rules: KeywordRules) -> None:
    text = (
        "غادرت قوات التحالف قاعدة التاجي. وقال محافظ بغداد إن الطقس حار.\n"
        "وتنسحب القوات الأمريكية من عين الأسد العام المقبل؛ ويبقى الوضع هادئا."
    )
    got = claims_of(text, rules)
    assert [c.places for c in got] == [("taji",), ("ain_al_asad",)]


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("text", "value", "qualifier"),
    [
        ("2,500 جندي", 2500, "exact"),
        ("٢٬٥٠٠ جندي", 2500, "exact"),
        ("2.500 جندي", 2500, "exact"),
        ("2.5 ألف جندي", 2500, "exact"),
        ("3 آلاف جندي", 3000, "exact"),
        ("ثلاثة آلاف جندي", 3000, "exact"),
        ("ألفين وخمسمائة جندي", 2500, "exact"),
        ("خمسة مئة جندي", 500, "exact"),
        ("خمسمائة جندي", 500, "exact"),
        ("ألف جندي", 1000, "exact"),
        ("مئات الجنود", 200, "at_least"),
        ("آلاف الجنود", 2000, "at_least"),
        ("عشرات الآلاف", 20000, "at_least"),
        ("نحو 900 جندي", 900, "about"),
        ("لنحو 150 هجوما", 150, "about"),
        ("حوالي 300 مستشار", 300, "about"),
        ("قرابة 400 جندي", 400, "about"),
        ("ما يقارب 700 جندي", 700, "about"),
        ("ما يقرب من 2500 جندي", 2500, "about"),
        ("أكثر من 60 دولة", 60, "more_than"),
        ("أقل من 500 جندي", 500, "less_than"),
        ("ما لا يقل عن 100 جندي", 100, "at_least"),
        ("2500 جندي تقريبا", 2500, "about"),
        ("خمسة وعشرون جنديا", 25, "exact"),
        ("نحو خمسة آلاف ومئتي جندي", 5200, "about"),
        ("ستمئة جندي", 600, "exact"),
        ("يتجاوز ثلاثمئة مستشار", 300, "more_than"),
        ("أقل من ألف وخمسمئة عنصر", 1500, "less_than"),
    ],
)
def test_numbers(text: str, value: int, qualifier: str) -> None:
    (number,) = find_numbers(normalize_text(text))
    assert (number.value, number.qualifier) == (value, qualifier)


def test_number_spans_point_at_the_number() -> None:
    text = normalize_text("انسحب نحو 2,500 جندي")
    (number,) = find_numbers(text)
    assert text[number.start : number.end] == "2,500"


def test_dates_of_claim_sentences_only_change_nothing(rules: KeywordRules) -> None:
    # the analyzer looks for dates only in sentences that may hold a claim (a speed-up)
    for art in qm.load_articles() + qm.load_articles(qm.HOLDOUT_FILE):
        norm = normalize(art["text"])
        day = qm.parse_published(art["published"]).date()
        everywhere = extract_claims(norm, find_dates(norm, day), rules)
        spans = claim_sentences(norm, rules)
        assert extract_claims(norm, find_dates(norm, day, spans), rules) == everywhere, art["id"]


# --------------------------------------------------------------------------- reported


def reported(c: Claim) -> str | None:
    return c.reported.start.isoformat() if c.reported else None


def test_reporting_day_is_kept_apart_from_the_event_date(rules: KeywordRules) -> None:
    text = (
        "قال مسؤول عسكري عراقي، اليوم الثلاثاء، إن القوات الأمريكية ستغادر قاعدة عين الأسد "
        "في آذار المقبل."
    )
    (c,) = claims_of(text, rules)
    assert reported(c) == "2026-01-20"
    assert c.date is not None and c.date.start == date(2026, 3, 1)


def test_reporting_day_covers_every_claim_after_the_verb(rules: KeywordRules) -> None:
    text = (
        "أعلنت وزارة الدفاع العراقية أمس الاثنين انسحاب القوات الأمريكية من قاعدة عين الأسد، "
        "على أن تبقى قوات التحالف في أربيل حتى أيلول 2026."
    )
    found = claims_of(text, rules)
    assert len(found) == 2
    assert [reported(c) for c in found] == ["2026-01-19", "2026-01-19"]
    assert found[1].date is not None and found[1].date.start == date(2026, 9, 1)


@pytest.mark.parametrize(
    "text",
    [
        # the date follows أنّ: it is what was said, not when
        "أعلن المتحدث باسم التحالف أن القوات الأمريكية ستغادر قاعدة حرير يوم الخميس المقبل.",
        # no date after the verb; the one before it is the move's
        "انسحبت القوات الأمريكية من قاعدة التاجي في آب 2020 كما أعلن البنتاغون.",
        # a year is no reporting day
        "أعلن التحالف الدولي عام 2021 انتهاء مهمته القتالية في العراق.",
        # a reporting date cannot fall after publication
        "سيعلن التحالف الدولي في أيلول المقبل انتهاء مهمته في العراق.",
    ],
)
def test_no_reporting_day_where_the_text_gives_none(rules: KeywordRules, text: str) -> None:
    found = claims_of(text, rules)
    assert found and all(c.reported is None for c in found)


@pytest.mark.parametrize(
    ("text", "value", "qualifier"),
    [
        ("لا يتجاوز عدد المستشارين خمسة مستشارين", 5, "at_most"),
        ("بقوة لا تتجاوز 300 جندي", 300, "at_most"),
        ("ما لا يزيد على 400 عسكري", 400, "at_most"),
        ("900 جندي على الأكثر", 900, "at_most"),
        ("يتجاوز عددهم 2000 جندي", 2000, "more_than"),
        ("يسمح بنشر ما يصل إلى 500 جندي", 500, "at_most"),
        ("بحد أقصى 250 مستشارا", 250, "at_most"),
    ],
)
def test_a_negated_more_than_is_a_ceiling(text: str, value: int, qualifier: str) -> None:
    (n,) = [n for n in find_numbers(normalize_text(text)) if n.value == value]
    assert n.qualifier == qualifier


@pytest.mark.parametrize(
    ("text", "value", "qualifier"),
    [
        # the qualifier after the unit (and an adjective) belongs to the count
        ("وسيبقى ألفا جندي أمريكي على الأقل في العراق حتى أيلول المقبل.", 2000, "at_least"),
        ("وخفضت القوات الأمريكية عددها إلى 300 جندي كحد أقصى في العراق.", 300, "at_most"),
        ("ونشرت القوات الألمانية 120 عسكريا كحد أدنى في أربيل.", 120, "at_least"),
        ("وانسحبت القوات الأمريكية بعد أن نقلت 400 جندي إلى أربيل.", 400, "exact"),
    ],
)
def test_a_qualifier_after_the_unit_qualifies_the_count(
    rules: KeywordRules, text: str, value: int, qualifier: str
) -> None:
    counts = [c.number for c in claims_of(text, rules) if c.number is not None]
    assert [(n.value, n.qualifier) for n in counts] == [(value, qualifier)]


# --------------------------------------------------------------------------- real-text classes


def test_closing_a_base_is_a_withdrawal_with_its_date(rules: KeywordRules) -> None:
    text = "ومن المقرر إغلاق قاعدة حرير بشكل نهائي يوم 20 آذار المقبل، بحسب مسؤول كردي."
    found = [c for c in claims_of(text, rules) if c.kind == "withdrawal"]
    assert found and found[0].date is not None
    assert found[0].date.start == date(2026, 3, 20) and "harir" in found[0].places


def test_a_count_that_points_back_takes_the_places_of_the_claim_before(
    rules: KeywordRules,
) -> None:
    text = (
        "وقالت مصادر إن فريق المستشارين انتقل إلى قاعدة حرير، وإن الفريق يضم أكثر من 150 "
        "استشاريا وخبيرا."
    )
    counts = [c for c in claims_of(text, rules) if c.number is not None]
    count = counts[-1].number
    assert count is not None and (count.value, count.qualifier) == (150, "more_than")
    assert "harir" in counts[-1].places


def test_a_count_that_does_not_point_back_keeps_no_place(rules: KeywordRules) -> None:
    text = "انسحبت القوات الأمريكية من قاعدة التاجي، فيما ينتشر 2500 جندي أمريكي."
    counts = [c for c in claims_of(text, rules) if c.number is not None]
    assert counts and "taji" not in counts[-1].places


def test_at_least_before_the_figure(rules: KeywordRules) -> None:
    text = 'وقال المتحدث إنه يوجد "على الأقل 1800" من أفراد القوات الأمريكية في العراق.'
    numbers = [c.number for c in claims_of(text, rules) if c.number is not None]
    assert numbers and (numbers[0].value, numbers[0].qualifier) == (1800, "at_least")


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("أكدت مصادر أن قوات التحالف الدولي انسحبت من بغداد متجهة لكردستان.", {"kurdistan"}),
        ("ستنتقل القوات الأمريكية إلى قاعدة بديلة بإقليم كوردستان.", {"kurdistan"}),
        ("القوات الأمريكية تنسحب من الأنبار وتتجه صوب كردستان.", {"anbar", "kurdistan"}),
        ("سينسحب التحالف الدولي من عين الأسد ومطار بغداد باتجاه أربيل.", {"ain_al_asad", "erbil"}),
    ],
)
def test_places_with_clitics_spellings_and_bare_base_names(
    rules: KeywordRules, text: str, places: set[str]
) -> None:
    named = {p for c in claims_of(text, rules) for p in (*c.places, *c.destinations)}
    assert places <= named


def test_each_clause_keeps_its_own_date(rules: KeywordRules) -> None:
    text = (
        "ستغادر قوات التحالف الدولي بغداد في أيلول المقبل، في حين تبقى القوات في أربيل "
        "لغاية أيلول 2027."
    )
    found = claims_of(text, rules, date(2026, 3, 1))
    by_place = {p: c.date for c in found for p in c.places if c.date is not None}
    assert by_place["baghdad"] is not None and by_place["baghdad"].start == date(2026, 9, 1)
    assert by_place["erbil"] is not None and by_place["erbil"].start == date(2027, 9, 1)
