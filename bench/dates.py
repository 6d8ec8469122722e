"""Benchmark: our ``dates.find_dates`` against ``dateparser.search.search_dates``.

Run ``python -m bench.dates`` (dateparser is a dev dependency, imported only here and
only when the comparison runs). ``SENTENCES`` are our own sentences in the style of Arabic
news, each with its publication date and the one interval a reader takes from it.

Scoring: ours is right when one of its dates has exactly the expected interval; dateparser
is right when one datetime it finds falls inside the expected interval (the looser test, as
it returns instants, not intervals). Times are wall-clock per sentence after a warm-up call.
"""

from __future__ import annotations

import time
import warnings
from datetime import date, datetime

from monitor.analysis.dates.find import find_dates
from monitor.normalize import normalize

Labelled = tuple[str, date, tuple[date, date]]

_D = date
SENTENCES: list[Labelled] = [
    ("وأعلنت وزارة الدفاع في 14 كانون الأول/ديسمبر 2024 إخلاء المعسكر بالكامل.",
     _D(2025, 1, 5), (_D(2024, 12, 14), _D(2024, 12, 14))),
    ("وقال مصدر عسكري إن آخر دفعة من المستشارين غادرت القاعدة الأحد.",
     _D(2025, 9, 3), (_D(2025, 8, 31), _D(2025, 8, 31))),
    ("ويقضي الاتفاق بخروج القوات من بغداد بحلول أيلول/سبتمبر 2025.",
     _D(2024, 9, 6), (_D(2025, 9, 1), _D(2025, 9, 30))),
    ("وتستمر مهمة الدعم من أربيل حتى نهاية عام 2026 بحسب مسؤولين.",
     _D(2024, 9, 6), (_D(2026, 10, 1), _D(2026, 12, 31))),
    ("ينتشر حاليا نحو 2500 جندي أمريكي في مواقع عدة داخل البلاد منذ عام 2014.",
     _D(2024, 9, 6), (_D(2014, 1, 1), _D(2014, 12, 31))),
    ("وستنتهي المرحلة الأولى في أيلول/سبتمبر الحالي وفق الجدول المعلن.",
     _D(2025, 9, 3), (_D(2025, 9, 1), _D(2025, 9, 30))),
    ("وكانت السفارة قد أصدرت بيانا الشهر الماضي حول مستقبل التعاون الأمني.",
     _D(2025, 9, 3), (_D(2025, 8, 1), _D(2025, 8, 31))),
    ("ويزور وفد من القيادة المركزية بغداد الأربعاء المقبل لبحث الترتيبات.",
     _D(2024, 1, 26), (_D(2024, 1, 31), _D(2024, 1, 31))),
    ("وأكد المتحدث أمس أن الجدول الزمني موثق لدى وزارتي الخارجية.",
     _D(2024, 1, 26), (_D(2024, 1, 25), _D(2024, 1, 25))),
    ("وتسلمت القوات العراقية إدارة القاعدة الجوية مساء السبت.",
     _D(2026, 1, 18), (_D(2026, 1, 17), _D(2026, 1, 17))),
    ("وتحدد الوثيقة المشتركة الموقعة في 2 تشرين الأول/أكتوبر 2024 مراحل الانتقال.",
     _D(2026, 1, 18), (_D(2024, 10, 2), _D(2024, 10, 2))),
    ("ومن المتوقع أن تبدأ اللجنة العسكرية العليا عملها خلال الأسابيع المقبلة.",
     _D(2024, 1, 26), (_D(2024, 1, 26), _D(2024, 3, 8))),
    ("وتوافق الوفدان في 12 حزيران/يونيو الماضي على تمديد عمل اللجان الفنية.",
     _D(2021, 8, 19), (_D(2021, 6, 12), _D(2021, 6, 12))),
    ("وانطلقت الجولة الأولى من التفاوض في شباط الماضي بمشاركة خبراء عسكريين.",
     _D(2024, 9, 6), (_D(2024, 2, 1), _D(2024, 2, 29))),
    ("وتجرى الانتخابات البرلمانية في أكتوبر 2025 بحسب المفوضية.",
     _D(2024, 9, 6), (_D(2025, 10, 1), _D(2025, 10, 31))),
    ("وهُزم التنظيم عسكريا في العراق نهاية عام 2017 بعد معارك طويلة.",
     _D(2024, 9, 6), (_D(2017, 10, 1), _D(2017, 12, 31))),
    ("وانطلقت عمليات تحرير الموصل في السابع عشر من شهر أكتوبر/ تشرين الأول عام 2016.",
     _D(2024, 9, 6), (_D(2016, 10, 17), _D(2016, 10, 17))),
    ("وتعرضت المواقع الأمريكية لنحو 150 هجوما منذ مطلع العام الحالي.",
     _D(2024, 1, 26), (_D(2024, 1, 1), _D(2024, 3, 31))),
    ("ويتوقع أن يعلن الاتفاق رسميا في غضون أسبوعين.",
     _D(2024, 9, 6), (_D(2024, 9, 6), _D(2024, 9, 20))),
    ("وقال الوزير إن المستشارين في إقليم كردستان سينقلون عام 2026.",
     _D(2025, 9, 3), (_D(2026, 1, 1), _D(2026, 12, 31))),
    ("وأقيمت مراسم التسليم في 15 ربيع الأول 1446 هـ الموافق 18 أيلول 2024.",
     _D(2024, 9, 20), (_D(2024, 9, 18), _D(2024, 9, 18))),
    ("وذكرت وكالة الأنباء الرسمية اليوم أن الاجتماع انتهى بالاتفاق.",
     _D(2025, 3, 15), (_D(2025, 3, 15), _D(2025, 3, 15))),
    ("ويصل وزير الخارجية إلى طهران بعد غد لإجراء مباحثات.",
     _D(2025, 3, 15), (_D(2025, 3, 17), _D(2025, 3, 17))),
    ("ونشرت الجريدة الرسمية القرار بتاريخ 12/3/2024 بعد المصادقة عليه.",
     _D(2024, 3, 20), (_D(2024, 3, 12), _D(2024, 3, 12))),
    ("وستستضيف بغداد الجولة المقبلة من الحوار الاستراتيجي العام المقبل.",
     _D(2025, 9, 3), (_D(2026, 1, 1), _D(2026, 12, 31))),
    ("ويغادر الوفد العسكري إلى واشنطن الأسبوع المقبل لاستكمال المشاورات.",
     _D(2025, 9, 3), (_D(2025, 9, 6), _D(2025, 9, 12))),
    ("وأفاد مصدر أمني بأن الهجوم وقع يوم الثلاثاء قرب مطار أربيل.",
     _D(2024, 1, 26), (_D(2024, 1, 23), _D(2024, 1, 23))),
    ("ومن المقرر أن تكتمل عملية النقل في منتصف 2025 وفق التقديرات.",
     _D(2024, 9, 6), (_D(2025, 4, 1), _D(2025, 9, 30))),
    ("وقال النائب إن لجنته ستستضيف القادة العسكريين في العاشر من الشهر الجاري.",
     _D(2025, 9, 3), (_D(2025, 9, 10), _D(2025, 9, 10))),
    ("وكانت لجنة الأمن النيابية قد طالبت في تموز/يوليو بجدول واضح لخروج المستشارين.",
     _D(2025, 9, 3), (_D(2025, 7, 1), _D(2025, 7, 31))),
    ("وانعقد مجلس الأمن الوطني في 3 من شهر آذار من العام 2024 برئاسة السوداني.",
     _D(2024, 9, 6), (_D(2024, 3, 3), _D(2024, 3, 3))),
    ("ويشمل الجدول الجديد تقليص الوجود العسكري بين عامي 2024 و2026.",
     _D(2024, 9, 6), (_D(2024, 1, 1), _D(2024, 12, 31))),
    ("وسيُنقل مقر القيادة إلى أربيل أواخر العام المقبل بحسب المصادر.",
     _D(2024, 9, 6), (_D(2025, 10, 1), _D(2025, 12, 31))),
    ("وشهدت الأيام الماضية تحركات مكثفة لوفود التحالف في الأنبار.",
     _D(2024, 9, 6), (_D(2024, 8, 30), _D(2024, 9, 6))),
]  # fmt: skip


def _time_ours(sentences: list[Labelled], repeat: int) -> tuple[float, int]:
    """Mean seconds per sentence over ``repeat`` passes, and how many we got right."""
    right = 0
    for text, pub, expected in sentences:
        spans = find_dates(normalize(text), pub)
        right += any((d.start, d.end) == expected for d in spans)
    started = time.perf_counter()
    for _ in range(repeat):
        for text, pub, _expected in sentences:
            find_dates(normalize(text), pub)
    return (time.perf_counter() - started) / (repeat * len(sentences)), right


def _time_dateparser(sentences: list[Labelled], arabic_only: bool) -> tuple[float, int]:
    """Mean seconds per sentence for ``search_dates``, and how many it got right.

    ``arabic_only`` passes ``languages=["ar"]``; otherwise dateparser detects the language
    itself, as a caller who does not know the feed's language would let it.
    """
    from dateparser.search import search_dates  # type: ignore[import-untyped]  # noqa: PLC0415  # dev-only: the runtime never needs it

    languages = ["ar"] if arabic_only else None

    def search(text: str, pub: date) -> list[datetime]:
        base = datetime(pub.year, pub.month, pub.day, 12)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = search_dates(text, languages=languages, settings={"RELATIVE_BASE": base})
        return [dt for _, dt in found or []]

    search(sentences[0][0], sentences[0][1])  # warm-up: loads the language data
    right = 0
    started = time.perf_counter()
    for text, pub, (first, last) in sentences:
        right += any(first <= dt.date() <= last for dt in search(text, pub))
    return (time.perf_counter() - started) / len(sentences), right


def _article_ms(repeat: int = 20) -> float:
    """Our milliseconds for 3,000 characters of news copy made of the labelled sentences."""
    text, pub = "", SENTENCES[0][1]
    while len(text) < 3000:
        text += " ".join(s for s, _, _ in SENTENCES) + "\n"
    text = text[:3000]
    started = time.perf_counter()
    for _ in range(repeat):
        find_dates(normalize(text), pub)
    return (time.perf_counter() - started) / repeat * 1000


def compare_with_dateparser(sentences: list[Labelled]) -> dict[str, float]:
    """Run both date finders on ``sentences`` and compare speed and accuracy.

    Args:
        sentences: ``(text, publication date, expected inclusive interval)`` triples.

    Returns:
        ``sentences``, ``ours_ms_per_sentence``, ``dateparser_ms_per_sentence``, ``speedup``
        (dateparser time / ours), ``ours_right_share``, ``dateparser_right_share`` (both with
        ``languages=["ar"]``), the same two for dateparser left to detect the language
        (``dateparser_autodetect_*``), and ``ours_ms_per_3000_chars`` (normalisation included).
    """
    if not sentences:
        raise ValueError("bench: no sentences to compare")
    ours_s, ours_right = _time_ours(sentences, repeat=50)
    theirs_s, theirs_right = _time_dateparser(sentences, arabic_only=True)
    auto_s, auto_right = _time_dateparser(sentences, arabic_only=False)
    n = len(sentences)
    return {
        "sentences": float(n),
        "ours_ms_per_sentence": ours_s * 1000,
        "dateparser_ms_per_sentence": theirs_s * 1000,
        "speedup": theirs_s / ours_s if ours_s else float("inf"),
        "ours_right_share": ours_right / n,
        "dateparser_right_share": theirs_right / n,
        "dateparser_autodetect_ms_per_sentence": auto_s * 1000,
        "dateparser_autodetect_right_share": auto_right / n,
        "ours_ms_per_3000_chars": _article_ms(),
    }


def main() -> None:
    for key, value in compare_with_dateparser(SENTENCES).items():
        print(f"{key:40} {value:10.3f}")


if __name__ == "__main__":
    main()
