"""wraps.py: line breaks inside sentences of hard-wrapped copy become spaces; others stay."""

from __future__ import annotations

from monitor.analysis.wraps import unwrap
from monitor.normalize import normalize

# our own text, wrapped at a fixed width as a forum repost of wire copy would be
WRAPPED = (
    "قال مسؤولون عراقيون وأمريكيون في بيان مشترك اليوم إن قوات التحالف الدولي التي\n"
    "تقودها واشنطن ستغادر القواعد في بغداد والأنبار بحلول أيلول المقبل، على أن تبقى\n"
    "قوة صغيرة في أربيل حتى نهاية العام التالي لدعم العمليات ضد التنظيم في المنطقة\n"
    "بحسب البيان.\n"
    "وأضاف البيان أن اللجنة العسكرية العليا ستواصل اجتماعاتها الدورية لمتابعة تنفيذ\n"
    "الجدول الزمني المتفق عليه بين الطرفين."
)


def lines_of(text: str) -> list[str]:
    return unwrap(normalize(text)).text.split("\n")


def test_a_fixed_width_wrap_is_joined_into_sentences() -> None:
    norm = normalize(WRAPPED)
    out = unwrap(norm)
    assert len(out.text) == len(norm.text) and out.offsets == norm.offsets
    lines = out.text.split("\n")
    assert len(lines) == 2  # two paragraphs, each ending with a stop
    assert "التي تقودها واشنطن" in lines[0]


def test_a_line_ending_with_a_preposition_goes_on() -> None:
    text = "أعلنت الحكومة أن القوات ستنتقل إلى\nقاعدة حرير في أربيل الشهر المقبل."
    assert len(lines_of(text)) == 1


def test_headlines_and_tickers_stay_apart() -> None:
    ticker = "\n".join(
        f"{h:02d}:15 | خبر عاجل عن تطورات الأوضاع الأمنية والسياسية في المنطقة اليوم رقم {h}"
        for h in range(8, 14)
    )
    assert len(lines_of(ticker)) == 6
    headlines = (
        "انسحاب آخر المستشارين من قاعدة عين الأسد\n"
        "الحكومة تبحث موازنة العام المقبل\n"
        "ارتفاع أسعار النفط في الأسواق العالمية"
    )
    assert len(lines_of(headlines)) == 3
