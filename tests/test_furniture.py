"""furniture.py: page furniture goes, the story's sentences stay verbatim."""

from __future__ import annotations

import pytest

from monitor.analysis.furniture import blank_furniture, strip_furniture
from monitor.normalize import normalize

BODY1 = "أعلنت قيادة العمليات المشتركة، اليوم الثلاثاء، تسلم قاعدة التاجي من قوات التحالف الدولي."
BODY2 = "وقال المتحدث باسم القيادة إن القوات العراقية باتت تدير القاعدة بالكامل منذ صباح اليوم."
BODY3 = "وأضاف أن الخطوة تأتي ضمن الجدول الزمني المتفق عليه مع الجانب الأمريكي العام الماضي."

CASES: dict[str, tuple[str, str]] = {
    "read-also-block-mid-article": (
        f"{BODY1}\n\nاقرأ أيضاً\nالسوداني يستقبل وفداً أمريكياً رفيعاً\n"
        f"ارتفاع أسعار النفط في الأسواق العالمية\n\n{BODY2}",
        f"{BODY1}\n{BODY2}",
    ),
    "related-news-glued-to-first-sentence": (
        "أخبار ذات صلة الرئيس الفرنسي يزور بيروت الأسبوع المقبل انطلاق بطولة غرب آسيا"
        f" «للشباب»{BODY1}\n{BODY2}",
        f"{BODY1}\n{BODY2}",
    ),
    "comments-counter-ends-the-article": (
        f"{BODY1}\n{BODY2}\nالتعليقات (3)\nتعليق من قارئ: هذا خبر مهم جدا للعراقيين.",
        f"{BODY1}\n{BODY2}",
    ),
    "tags-then-another-story": (
        f"{BODY1}\n{BODY2}\nكلمات دلالية: العراق التحالف الدولي التاجي\nإقرأ أيضاً:\n"
        "انسحاب فصيل مسلح من مواقعه في ديالى\n"
        "بدأ فصيل مسلح الانسحاب من ثلاث نقاط قرب بعقوبة وتسليمها إلى الشرطة المحلية.",
        f"{BODY1}\n{BODY2}",
    ),
    "leave-a-comment-and-back-to-top": (
        f"{BODY1}\n\nمقالات ذات صلة\n\nاترك تعليقاً\n\n"
        "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *\n\n"
        "زر الذهاب إلى الأعلى",
        BODY1,
    ),
    "share-print-and-font-widgets": (
        f"شارك  فيسبوك  تويتر  واتساب\n+A -A\n{BODY1}\nطباعة\n{BODY2}\nالمزيد",
        f"{BODY1}\n{BODY2}",
    ),
    "date-only-and-published-lines": (
        f"12-03-2025, 09:15\nتاريخ النشر: 3 آذار 2025 - 10:40 ص\n{BODY1}\n{BODY3}",
        f"{BODY1}\n{BODY3}",
    ),
    "bylines": (
        f"بقلم: سامر الجبوري\nرصد الرافدين/ متابعة\nليث كريم (أربيل)\n{BODY1}",
        BODY1,
    ),
    "section-labels-above-the-story": (
        f"أخبار العراق\nعاجل\n{BODY1}\n{BODY2}",
        f"{BODY1}\n{BODY2}",
    ),
    "caption-shown-twice": (
        "جنود عراقيون عند بوابة قاعدة التاجي شمال بغداد - أرشيف\n"
        "جنود عراقيون عند بوابة قاعدة التاجي شمال بغداد - أرشيف\n"
        f"{BODY1}",
        "جنود عراقيون عند بوابة قاعدة التاجي شمال بغداد - أرشيف\n" + BODY1,
    ),
    "teaser-glued-at-the-end-of-a-line": (
        f"{BODY1} اقرأ أيضاً: واشنطن ترحب بالخطوة العراقية\n{BODY2}",
        f"{BODY1}\n{BODY2}",
    ),
    "comment-counter-above-the-story-only-drops-its-line": (
        f"منذ ساعتين | التعليقات (0)\n{BODY1}\n{BODY2}",
        f"{BODY1}\n{BODY2}",
    ),
    "teased-story-appended-after-read-also": (
        f"{BODY1}\n{BODY2}\n\nاقرأ أيضاً:\nمجموعات مسلحة تخلي مواقعها قرب بعقوبة\n"
        "شرعت مجموعات مسلحة بإخلاء مواقعها قرب بعقوبة في ديالى، بحسب مصادر محلية.\n"
        "وأفادت المصادر بأن بعضها انسحب نحو أطراف العاصمة.",
        f"{BODY1}\n{BODY2}",
    ),
    "related-marker-mid-article-keeps-the-rest": (
        f"{BODY1}\n\nاظهار أخبار متعلقة\n\n{BODY2}\n{BODY3}",
        f"{BODY1}\n{BODY2}\n{BODY3}",
    ),
    "a-plain-article-is-untouched": (
        f"{BODY1}\n{BODY2}\n{BODY3}",
        f"{BODY1}\n{BODY2}\n{BODY3}",
    ),
}


@pytest.mark.parametrize(("given", "expected"), list(CASES.values()), ids=list(CASES))
def test_strip_furniture(given: str, expected: str) -> None:
    assert strip_furniture(given) == expected


@pytest.mark.parametrize("given", [c[0] for c in CASES.values()], ids=list(CASES))
def test_kept_lines_are_verbatim_substrings(given: str) -> None:
    for line in strip_furniture(given).split("\n"):
        assert line in given


def test_dateline_is_cut_from_the_first_paragraph() -> None:
    text = f"بغداد - واع:\u00a0{BODY1}\n{BODY2}"
    assert strip_furniture(text) == f"{BODY1}\n{BODY2}"


def test_dateline_after_a_headline_line() -> None:
    text = f"قوات التحالف تغادر قاعدة التاجي شمال العاصمة بغداد\nبغداد - شبكة المشرق: {BODY2}"
    assert strip_furniture(text).split("\n")[1] == BODY2


def test_dateline_with_agency_in_brackets() -> None:
    text = f"أربيل (رووداو) - {BODY2}"
    assert strip_furniture(text) == BODY2


def test_blank_furniture_keeps_offsets() -> None:
    text = f"اقرأ أيضاً\nعنوان خبر آخر عن الاقتصاد\n{BODY1}\nالتعليقات (2)\nتعليق"
    norm = normalize(text)
    blanked = blank_furniture(norm)
    assert blanked.offsets == norm.offsets and blanked.original == text
    assert len(blanked.text) == len(norm.text)
    assert "اقرا" not in blanked.text and "تعليق" not in blanked.text
    start = blanked.text.index("قاعده التاجي")
    ostart, oend = blanked.original_span(start, start + len("قاعده التاجي"))
    assert text[ostart:oend] == "قاعدة التاجي"


def test_a_teased_headline_ending_in_a_question_mark_is_furniture() -> None:
    text = (
        "أعلنت وزارة الدفاع اليوم انتهاء تسليم المواقع في الأنبار إلى القوات العراقية بالكامل.\n"
        "اقرأ أيضاً\n"
        "ما الذي يبقى من التحالف الدولي في أربيل بعد الانسحاب؟\n"
        "تراجع أسعار الذهب في الأسواق المحلية\n"
        "جميع الحقوق محفوظة"
    )
    kept = strip_furniture(text)
    assert "الأنبار" in kept and "أربيل" not in kept


# A news ticker: one wire headline per line, other stories (our own invented items).
TICKER = (
    "عاجل:\n"
    "رويترز عن وزارة الدفاع البرازيلية: تمرين بحري واسع قبالة السواحل الجنوبية\n"
    "أ.ف.ب: الأمطار الغزيرة تغلق طرقا رئيسية في شمال الهند\n"
    "مصادر محلية: انقطاع الكهرباء عن أحياء في مدينة كيب تاون منذ الصباح.\n"
    "التحالف الذي تقوده فرنسا في الساحل يعلن سحب وحداته من قاعدة قرب نيامي\n"
)
HEADLINE = "رئيس الوزراء: لا حاجة بعد اليوم لبقاء قوات التحالف الدولي في قاعدة التاجي"


def test_a_ticker_above_the_story_goes_up_to_the_blank_line() -> None:
    assert strip_furniture(f"{TICKER}\n{HEADLINE}\n{BODY1}") == f"{HEADLINE}\n{BODY1}"


def test_a_ticker_without_blank_line_ends_above_the_headline_and_its_date() -> None:
    # an extraction that keeps no blank line: the date line marks the story's headline
    text = f"{TICKER}{HEADLINE}\nالأحد ٢٨ ديسمبر ٢٠٢٥\n{BODY1}\n{BODY2}"
    assert strip_furniture(text) == f"{HEADLINE}\n{BODY1}\n{BODY2}"


def test_a_breaking_label_over_the_story_keeps_its_short_paragraphs() -> None:
    # the story itself in short lines under "عاجل": they share its words, no ticker
    short1 = "تسلمت القوات العراقية قاعدة التاجي من قوات التحالف الدولي صباح اليوم"
    short2 = "وقالت قيادة العمليات إن قاعدة التاجي باتت بإدارة القوات العراقية"
    short3 = "وأضافت أن قوات التحالف غادرت قاعدة التاجي باتجاه أربيل"
    text = f"عاجل\n{short1}\n{short2}\n{short3}\n\n{BODY2}"
    assert strip_furniture(text) == f"{short1}\n{short2}\n{short3}\n{BODY2}"


def test_a_breaking_label_over_one_headline_is_not_a_ticker() -> None:
    text = f"عاجل:\n{HEADLINE}\n\n{BODY1}"
    assert strip_furniture(text) == f"{HEADLINE}\n{BODY1}"


@pytest.mark.parametrize(
    "after",
    ["", "\n\nشارك الخبر", "\n\nجميع الحقوق محفوظة لموقع الخبر 2026"],
    ids=["end", "share", "copyright"],
)
def test_a_short_breaking_story_with_no_story_below_is_kept(after: str) -> None:
    # a short breaking story in headline-length lines under "عاجل", then only furniture or
    # nothing: no story below for a ticker to stand above
    lines = [
        "تسلمت القوات العراقية قاعدة التاجي من قوات التحالف الدولي صباح اليوم",
        "وقالت قيادة العمليات المشتركة في بيان إن الموقع بات بإدارة عراقية كاملة",
        "وأضافت أن المستشارين غادروا باتجاه أربيل بعد انتهاء مراسم التسليم",
    ]
    kept = strip_furniture("عاجل\n" + "\n".join(lines) + after)
    assert all(line in kept for line in lines)
