"""The lede: who speaks (``[[actors]]``), about which sites, on which day."""

from __future__ import annotations

from datetime import date

import pytest
from tests.quality_metrics import build_analyzer

from monitor.analysis.furniture import blank_furniture
from monitor.analysis.lede import read_lede
from monitor.models import Lede
from monitor.normalize import normalize

RULES = build_analyzer().rules
TUESDAY = date(2025, 9, 30)


def lede(text: str, title: str | None = None, published: date | None = TUESDAY) -> Lede:
    return read_lede(title, blank_furniture(normalize(text)).text, (), published, RULES)


@pytest.mark.parametrize(
    ("text", "actors"),
    [
        ("أعلنت وزارة الدفاع الأمريكية أمس الاثنين أن الجيش سيقلص وجوده في العراق خلال الأشهر المقبلة.",
         ("us_defence",)),  # the longer spelling, not the bare ministry
        ("أعلن العراق، مساء الأحد، أن مهمة التحالف الدولي في بغداد ستنتهي في أيلول المقبل.",
         ("iraq",)),  # after أن comes what was said, not who said it
        ("قال المتحدث باسم السفارة الأمريكية في بغداد إن الأنباء عن رحيل القوات غير دقيقة.",
         ("us_embassy",)),
        ("أعلنت اللجنة العسكرية العليا لإنهاء مهمة التحالف الدولي اليوم إكمال إخلاء القواعد.",
         ("iraq_committee",)),  # an ignore phrase of the relevance rules does not hide it
        ("غادرت القوات الأمريكية قاعدة عين الأسد بعد سنوات من الوجود في المحافظة الغربية.", ()),
    ],
    ids=["pentagon", "speaker-before-an", "spokesman", "committee", "no-speaker"],
)  # fmt: skip
def test_the_speaker_of_the_lede(text: str, actors: tuple[str, ...]) -> None:
    assert lede(text).actors == actors


@pytest.mark.parametrize(
    ("text", "actors"),
    [
        ("أعلن العراق، اليوم الأحد، إكمال إخلاء القواعد العسكرية في المناطق الاتحادية من المستشارين.\n"
         "وقالت اللجنة العسكرية العليا في بيان إن المواقع أصبحت تحت إدارة القوات العراقية بالكامل.",
         ("iraq_committee",)),  # the body that made the announcement for the state
        ("أعلن العراق، اليوم الأحد، أن مهمة التحالف الدولي في بغداد ستنتهي في أيلول المقبل.\n"
         "وقال مصدر حكومي في تصريح صحفي إن القوات ستنتقل إلى أربيل خلال الأسابيع المقبلة.",
         ("iraq",)),  # a source of the state is not who made its statement
    ],
    ids=["state-then-body", "state-then-source"],
)  # fmt: skip
def test_a_state_speaking_gives_way_to_the_body_that_speaks_for_it(
    text: str, actors: tuple[str, ...]
) -> None:
    assert lede(text).actors == actors


@pytest.mark.parametrize(
    ("text", "actors"),
    [
        ("أعلن رئيس الوزراء العراقي مصطفى الكاظمي، اليوم الأربعاء، انتهاء المهام القتالية للتحالف.",
         ("iraq_pm_kadhimi",)),
        ("أكد رئيس الوزراء العراقي محمد شياع السوداني، اليوم الثلاثاء، أن التحالف سيغادر البلاد.",
         ("iraq_pm_sudani",)),
        ("قال رئيس الوزراء العراقي في مؤتمر صحفي ببغداد إن القوات الأجنبية ستغادر العام المقبل.",
         ("iraq_pm",)),  # no name: the office, which either holder may fill
        ("قال الرئيس الأمريكي دونالد ترامب في مؤتمر صحفي إن بلاده ستسحب جنودها من العراق قريبا.",
         ("us_president_trump",)),
        ("أعلن الرئيس جو بايدن ورئيس الوزراء العراقي مصطفى الكاظمي اتفاقهما على إنهاء المهمة القتالية.",
         ("us_president_biden", "iraq_pm_kadhimi")),  # joined by "و": both spoke
    ],
    ids=["kadhimi", "sudani", "office-only", "trump", "joint"],
)  # fmt: skip
def test_an_office_named_with_its_holder_is_the_holder_speaking(
    text: str, actors: tuple[str, ...]
) -> None:
    assert lede(text).actors == actors


def test_one_statement_quoted_by_two_reports_shares_a_mark() -> None:
    said = (
        "لقد اتفقنا على جدول زمني واضح وسنعلن عنه خلال الأيام القليلة المقبلة بعد موافقة القيادتين"
    )
    a = lede(f"قال مسؤول أمريكي رفيع لوكالة أنباء: «{said}».")
    # another outlet: other quote marks, a shorter cut, a quoted name before it that must not
    # pair with the statement's marks
    cut = " ".join(said.split()[:12])
    b = lede(f'وتحدث مسؤولون عن موقف لـ"التحالف" ثم قال مسؤول أمريكي: "{cut}" في إشارة إلى الخطة.')
    assert a.quotes and b.quotes
    assert set(a.quotes) & set(b.quotes)
    other = lede(
        "وقال المتحدث: «إن القوات ستبقى في قواعدها حتى نهاية العام المقبل ولن تغادر قبل ذلك»."
    )
    assert not set(a.quotes) & set(other.quotes)
    assert lede("وقال إن «داعش» لم يعد يشكل تهديدا للمدن العراقية الكبرى اليوم.").quotes == ()


def test_a_title_speaker_comes_before_its_verb_and_ministries_speak_for_governments() -> None:
    got = lede("نص قصير.", title="البنتاغون يعلن بدء تقليص وجود التحالف الدولي في العراق")
    assert got.actors == ("us_defence",)
    assert set(got.within) == {"us", "defence_ministry"}


def test_sites_of_the_opening_and_of_the_context() -> None:
    text = (
        "أصبحت قاعدة الحرير في أربيل مركزا رئيسيا للقوات الأمريكية بعد انسحابها من العراق الاتحادي.\n"
        "وكانت القوات قد غادرت قاعدة عين الأسد في محافظة الأنبار خلال الأسابيع الماضية بالكامل."
    )
    got = lede(text)
    assert got.sites[:2] == ("harir", "erbil")
    assert "ain_al_asad" in got.more_sites and "ain_al_asad" not in got.sites
    assert got.countries == ("iraq",)


@pytest.mark.parametrize(
    ("text", "published", "weekday", "stated"),
    [
        ("صرحت وزارة الدفاع الأمريكية أمس الثلاثاء بأن الجيش سيبدأ تقليص وجوده في العراق.",
         date(2025, 10, 1), 1, date(2025, 9, 30)),
        ("أعلنت وزارة الدفاع العراقية، اليوم السبت، تسلم قاعدة عين الأسد من التحالف الدولي.",
         date(2026, 1, 22), 5, date(2026, 1, 17)),  # a copy reposted days later: the weekday wins
        ("أعلنت وزارة الدفاع الأمريكية يوم الثلاثاء أن الجيش سيبدأ تقليص وجوده في العراق.",
         None, 1, None),  # no publication day: the weekday only
        ("قال مسؤول أمريكي إن الجيش سيبدأ تقليص وجوده في العراق خلال الأشهر المقبلة.",
         TUESDAY, None, None),
    ],
    ids=["yesterday-tuesday", "stale-today", "undated-weekday", "no-day"],
)  # fmt: skip
def test_the_statement_day(
    text: str, published: date | None, weekday: int | None, stated: date | None
) -> None:
    got = lede(text, published=published)
    assert (got.weekday, got.stated) == (weekday, stated)


def test_repeated_headlines_do_not_use_up_the_search_for_the_day() -> None:
    # two short headline lines with a reporting verb, then the full sentence that has the day
    text = (
        "وزارة الدفاع العراقية تعلن خروج آخر المستشارين من قاعدة عين الأسد\n"
        "الجيش يعلن تسلم قاعدة عين الأسد بالكامل من التحالف الدولي\n"
        "أعلنت وزارة الدفاع العراقية، الأحد، أن آخر المستشارين غادروا قاعدة عين الأسد في"
        " محافظة الأنبار وأن الجيش تسلم إدارتها بالكامل."
    )
    assert lede(text, published=None).weekday == 6


def test_a_day_inside_a_quotation_is_the_speakers_not_the_reporters() -> None:
    # the quoted "today" may be the day before the report: it does not date the statement
    text = (
        "أعلن مستشار الأمن القومي العراقي انتهاء المهام القتالية لقوات التحالف الدولي في البلاد"
        " بصورة رسمية.\n"
        'وقال المستشار في تغريدة على حسابه: "اليوم أتممنا الجولة الأخيرة من الحوار مع التحالف'
        ' الدولي بعد عام من المفاوضات".'
    )
    assert (lede(text).weekday, lede(text).stated) == (None, None)
    said = text.replace("أعلن مستشار", "أعلن اليوم مستشار")
    assert lede(said).stated == TUESDAY  # the reporter's own "today" does


def test_furniture_lines_do_not_use_up_the_lede() -> None:
    text = "spot_img\nالأربعاء 18 فبراير 2026\nspot_img\n" + (
        "أعلنت وزارة الدفاع الأميركية الثلاثاء أن الجيش الأميركي سيبدأ تقليص وجوده في العراق."
    )
    assert lede(text, published=None).actors == ("us_defence",)


def test_a_quotation_running_past_the_sentence_end_is_still_the_speakers() -> None:
    # the quoted "today" opens a quotation of two sentences: the first one has no closing mark
    text = (
        "أعلن مستشار الأمن القومي العراقي انتهاء المهام القتالية لقوات التحالف الدولي في البلاد"
        " بصورة رسمية.\n"
        'وقال المستشار في تغريدة على حسابه: "اليوم أتممنا الجولة الأخيرة من الحوار مع التحالف'
        ' الدولي. وسنبدأ مرحلة جديدة من العلاقات".'
    )
    assert (lede(text).weekday, lede(text).stated) == (None, None)
