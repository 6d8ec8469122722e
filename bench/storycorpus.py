"""The synthetic corpus of the story benchmark: our own templates, no network, nothing downloaded.

Events happen at 6,720 sites over the window, each reported by one to eight outlets: the wire
copy, re-edited copies (new dateline, month-system swap, Arabic-Indic digits, dropped hamzas,
a sentence cut) and reports in an outlet's own words. Random sentences mix the templates'
words with pseudo-words, so unrelated reports share about as much text as real ones do
(char-5 Jaccard ~0.07-0.1, char-8 ~0.03, measured against our analysis fixtures).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from monitor.models import (
    Article,
    ArticleAnalysis,
    Claim,
    DateSpan,
    FeedEntry,
    Finding,
    Lede,
    Quantity,
    Relevance,
    Verdict,
)
from monitor.normalize import normalize_text

END = datetime(2026, 1, 24, 12, 0, tzinfo=UTC)  # the end of the benchmark's window
SITE_NUMBERS = 40

_KINDS = ("قاعدة", "معسكر", "مطار", "مقر")
_NAMES = [
    "الحبانية",
    "بسماية",
    "بلد",
    "القيارة",
    "التقدم",
    "الرشيد",
    "المنصورية",
    "الصقر",
    "النهروان",
    "الخضراء",
    "السليمانية",
    "دهوك",
    "زاخو",
    "سنجار",
    "تلعفر",
    "الرطبة",
    "القائم",
    "حديثة",
    "هيت",
    "الفلوجة",
    "سامراء",
    "تكريت",
    "بيجي",
    "الشرقاط",
    "مخمور",
    "كويسنجق",
    "رانية",
    "حلبجة",
    "خانقين",
    "مندلي",
    "بدرة",
    "الكوت",
    "العمارة",
    "الناصرية",
    "السماوة",
    "الديوانية",
    "الحلة",
    "كربلاء",
    "النجف",
    "البصرة",
]
_PROVINCES = ("الأنبار", "بغداد", "أربيل", "إقليم كردستان")
_PROVINCE_IDS = ("anbar", "baghdad", "erbil", "kurdistan")  # areas of the built-in hierarchy
_DAYS = ("السبت", "الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة")
_MONTHS = (("أيلول", "سبتمبر"), ("تشرين الأول", "أكتوبر"), ("كانون الأول", "ديسمبر"))
_ACTORS = (
    "وزارة الدفاع العراقية", "قيادة العمليات المشتركة", "اللجنة العسكرية العليا",
    "خلية الإعلام الأمني", "الناطق باسم القائد العام للقوات المسلحة", "قيادة القوة الجوية",
)  # fmt: skip
_ANNOUNCE = ("أعلنت", "أكدت", "كشفت", "ذكرت", "أفادت")
_ACTION = ("انسحاب", "خروج", "مغادرة", "إخلاء", "رحيل")
_FORCES = ("قوات التحالف الدولي", "القوات الأمريكية", "مستشاري التحالف", "آخر وحدات التحالف")
_WHERE = ("في محافظة {p}", "غربي {p}", "شمال {p}", "قرب مركز محافظة {p}", "جنوب شرقي {p}")
_AFTER = (
    "وتسلم الجيش العراقي إدارة الموقع بشكل كامل",
    "لتصبح المنشأة تحت السيطرة العراقية الكاملة",
    "بعد أشهر من التحضيرات اللوجستية",
    "في خطوة وصفها مسؤولون بأنها تاريخية",
    "وسط إجراءات أمنية مشددة في محيط المكان",
)
_PEOPLE = (
    "اللواء {f} {l}",
    "العميد {f} {l}",
    "الفريق {f} {l}",
    "المتحدث {f} {l}",
    "النائب {f} {l}",
)
_FIRST = [
    "أحمد",
    "علي",
    "حسين",
    "كريم",
    "سعد",
    "عباس",
    "حيدر",
    "ماجد",
    "رعد",
    "جبار",
    "قاسم",
    "ناظم",
    "يحيى",
    "صباح",
    "فاضل",
]
_LAST = [
    "الجبوري",
    "الدليمي",
    "العبيدي",
    "الساعدي",
    "الربيعي",
    "الخفاجي",
    "الزيدي",
    "الشمري",
    "الكعبي",
    "التميمي",
]
_DETAIL = (
    "وقال {who} إن {n} آلية عسكرية غادرت الموقع على {k} دفعات خلال {d} أيام.",
    "وأضاف {who} أن الفرقة {u} ستتولى حماية الموقع ومحيطه اعتبارا من الأسبوع المقبل.",
    "وأوضح {who} أن نحو {number} عسكري غادروا المكان منذ بدء العملية.",
    "وبين {who} أن فرقا فنية أنهت جرد {n} مبنى ومخزنا قبل التسليم.",
    "ولفت {who} إلى أن الطيران المسير للتحالف توقف عن استخدام المدرج منذ {d} أيام.",
    "وأشار {who} إلى أن الموقع سيخصص لتدريب {n} منتسب من القوات العراقية سنويا.",
)
_TITLES = (
    "انسحاب التحالف من {place} وتسلم الجيش العراقي الموقع",
    "الجيش العراقي يتسلم {place} بعد مغادرة المستشارين",
    "{place} تحت السيطرة العراقية الكاملة",
    "مغادرة آخر رتل للتحالف من {place}",
    "مصادر: القوات الأجنبية تخلي {place}",
    "إخلاء {place} وسط إجراءات أمنية مشددة",
)
_OWN = (
    "تسلمت القوات العراقية، {day}، السيطرة الكاملة على {place}، إثر {action} آخر دفعة من"
    " المستشارين التابعين للتحالف الدولي.",
    "وذكر مصدر أمني لمراسلنا أن {number} عسكري غادروا {place} على دفعات، فيما رفع العلم"
    " العراقي فوق مبنى القيادة.",
)
_BACKGROUND = tuple(
    f"{opening} {subject} {tail}"
    for opening in ("ويشار إلى أن", "وكان مسؤولون قد أكدوا أن", "وتقول مصادر سياسية إن")
    for subject in (
        "التحالف الدولي ضد داعش",
        "الوجود العسكري الأمريكي في العراق",
        "الحوار الاستراتيجي بين بغداد وواشنطن",
        "ملف القواعد العسكرية",
    )
    for tail in (
        "شهد تحولات كبيرة منذ عام 2014 حين تشكل التحالف بمشاركة عشرات الدول.",
        "يخضع لضغوط سياسية متزايدة من القوى البرلمانية التي تطالب بجدول زمني واضح.",
        "سينتقل إلى علاقات أمنية ثنائية تركز على التدريب وتبادل المعلومات الاستخبارية.",
    )
)


_STEMS = sorted(
    {
        w
        for text in (*_ACTORS, *_ACTION, *_FORCES, *_AFTER, *_DETAIL, *_OWN, *_BACKGROUND, *_NAMES)
        for w in text.split()
        if len(w) > 2 and "{" not in w
    }
)
# Random sentences mix the template words with 6,000 pseudo-words (Arabic letters drawn at
# random): unrelated reports then share about as much text as real ones do (char-5
# Jaccard ~0.1, char-8 ~0.03 between the relevant articles of our analysis fixtures).
_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
_PSEUDO = [
    "".join(random.Random(i).choices(_LETTERS, k=3 + i % 5)) for i in range(6000)
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Event:
    number: int
    site: int
    province: int
    day: date
    at: datetime
    size: int
    lines: tuple[str, ...]  # the wire copy's own sentences (copies re-edit them)
    title: str


@dataclass(frozen=True, slots=True)
class Report:
    article: Article
    analysis: ArticleAnalysis


class Corpus:
    """A deterministic stream of synthetic reports, event after event."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.count = 0

    def event(self, start: datetime, span: timedelta) -> Event:
        rng = self.rng
        at = start + span * rng.random()
        day = (at + timedelta(hours=3)).date()
        site = rng.randrange(len(_KINDS) * len(_NAMES) * SITE_NUMBERS)
        province = _PROVINCES[site % len(_PROVINCES)]
        number = rng.randrange(100, 5000, 50)
        place = _place(site)
        lead = (
            f"{rng.choice(_ANNOUNCE)} {rng.choice(_ACTORS)}، اليوم {_DAYS[(day.toordinal() + 1) % 7]}،"
            f" {rng.choice(_ACTION)} {rng.choice(_FORCES)} من {place}"
            f" {rng.choice(_WHERE).format(p=province)}، {rng.choice(_AFTER)}."
        )
        months = "/".join(rng.choice(_MONTHS))
        details = [
            t.format(
                who=rng.choice(_PEOPLE).format(f=rng.choice(_FIRST), l=rng.choice(_LAST)),
                n=rng.randrange(12, 400),
                k=rng.randrange(2, 9),
                d=rng.randrange(2, 30),
                u=rng.choice(("الأولى", "الثامنة", "السابعة", "الرابعة", "العاشرة")),
                number=number,
            )
            for t in rng.sample(_DETAIL, 1)
        ]
        closing = f"وكانت اللجنة العسكرية العليا قد حددت {months} موعدا لاستكمال هذه المرحلة."
        body = [self._sentence() for _ in range(rng.randint(5, 9))]
        return Event(
            number=number,
            site=site,
            province=_PROVINCES.index(province),
            day=day,
            at=at,
            size=min(8, 1 + int(rng.expovariate(0.45))),
            lines=(lead, *details, *body, *([closing] if rng.random() < 0.3 else [])),
            title=rng.choice(_TITLES).format(place=place),
        )

    def reports(self, event: Event, count: int | None = None) -> Iterator[Report]:
        """Reports of ``event``: the first is the wire copy, then copies and own words."""
        for i in range(event.size if count is None else count):
            own = i > 0 and self.rng.random() < 0.3
            yield self._report(event, own, copy=i > 0)

    def _report(self, ev: Event, own: bool, *, copy: bool) -> Report:
        rng = self.rng
        self.count += 1
        place = _place(ev.site)
        if own:
            slots = {
                "day": _DAYS[(ev.day.toordinal() + 1) % 7],
                "place": place,
                "action": rng.choice(_ACTION),
                "number": str(ev.number),
            }
            lines = [t.format(**slots) for t in _OWN]
            lines += [self._sentence() for _ in range(rng.randint(3, 6))]
        else:
            lines = self._reedit(list(ev.lines)) if copy else list(ev.lines)
        lines += rng.sample(_BACKGROUND, rng.randint(0, 1))
        dateline = rng.choice(("بغداد - واع", "الأنبار/ المدى", "متابعة", "بغداد (رويترز) -"))
        text = "\n".join([dateline, *lines, "اقرأ أيضاً", "التعليقات (0)"])
        published = ev.at + timedelta(hours=rng.random() * 20 if copy else 0)
        title = rng.choice(_TITLES).format(place=place) if own else ev.title
        key = f"bench-{self.count}"
        entry = FeedEntry("bench", key, f"outlet-{rng.randrange(400)}", title, f"https://b/{key}")
        article = Article(entry, title, text, "input", published, "feed", key)
        return Report(article, analysis_of(ev, normalize_text(text)))

    def _sentence(self) -> str:
        rng = self.rng
        words = [
            rng.choice(_STEMS) if rng.random() < 0.35 else rng.choice(_PSEUDO)
            for _ in range(rng.randint(10, 20))
        ]
        return " ".join(words) + "."

    def _reedit(self, lines: list[str]) -> list[str]:
        rng = self.rng
        if rng.random() < 0.5:
            lines = lines[:-1]
        out = []
        for line in lines:
            if rng.random() < 0.3:
                line = line.replace("أ", "ا").replace("إ", "ا")
            if rng.random() < 0.3:
                line = line.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
            for a, b in _MONTHS:
                line = line.replace(f"{a}/{b}", rng.choice((a, b, f"{b} ({a})")))
            out.append(line)
        return out


def _place(site: int) -> str:
    """One of 6,720 synthetic sites ("معسكر الحبانية 17"): events rarely share a site and day."""
    kind, rest = site % len(_KINDS), site // len(_KINDS)
    return f"{_KINDS[kind]} {_NAMES[rest % len(_NAMES)]} {rest // len(_NAMES) + 1}"


# who speaks in an event's lede (``[[actors]]`` ids), one per event as the lead sentence names one
_ACTOR_IDS = ("iraq_defence", "iraq_joc", "iraq_committee", "iraq", "iraq_military_spokesman")


def analysis_of(ev: Event, body: str) -> ArticleAnalysis:
    site, province = f"site{ev.site}", _PROVINCE_IDS[ev.province]
    actor = _ACTOR_IDS[ev.number % len(_ACTOR_IDS)]
    lede = Lede(
        actors=(actor,),
        within=("iraq",) if actor != "iraq" else (),
        sites=(site, province),
        weekday=ev.day.weekday(),
        stated=ev.day,
        countries=("iraq",),
    )
    verdict = Verdict("new", None, "")
    claims = (
        Claim("withdrawal", "", DateSpan("", ev.day, ev.day, "day"), (site, province)),
        Claim("handover", "", None, (site,), reports_done=True),
        Claim("troop_count", "", None, (), Quantity(ev.number, "about")),
    )
    return ArticleAnalysis(
        Relevance(True, 5.0, ("التحالف", "انسحاب")),
        tuple(Finding(c, verdict) for c in claims),
        body,
        lede,
    )
