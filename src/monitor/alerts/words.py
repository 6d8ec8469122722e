"""The words of an alert in the reader's language: ``alert_language = "ar" | "en" | "ar+en"``.

Every phrase of ours exists in both languages (``Words``); a verdict's reason comes from the
timeline stage in both (``Verdict.reason_ar`` and ``reason``), composed there from the values and
the timeline event's two titles. ``Presentation`` is what a renderer needs to know about its
reader: the language(s) and the time zone of the times shown. Pure data, no I/O; the CLI, the
channels and the web pages all take their words from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo

from monitor.analysis.keyrules import Place

Lang = Literal["ar", "en", "ar+en"]
LANGUAGES: tuple[Lang, ...] = ("ar", "en", "ar+en")
DEFAULT_TIMEZONE = "Asia/Baghdad"


@dataclass(frozen=True, slots=True)
class Words:
    """One phrase of ours in Arabic and English."""

    ar: str
    en: str

    def pick(self, lang: Lang) -> str:
        """The phrase as one line: Arabic, English, or ``Arabic / English``."""
        if lang == "ar":
            return self.ar
        if lang == "en":
            return self.en
        return self.ar if self.ar == self.en else f"{self.ar} / {self.en}"


@dataclass(frozen=True, slots=True)
class Presentation:
    """How alerts are shown to their readers (``[monitor] alert_language`` and ``timezone``)."""

    lang: Lang = "ar+en"
    timezone: str = DEFAULT_TIMEZONE
    demo: bool = False  # alerts of ``monitor demo``: marked as such everywhere
    # place id -> its names: the configured gazetteer's (``place_names``), else the built-in
    places: Mapping[str, Words] = field(default_factory=lambda: PLACE_NAMES)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def arabic(self) -> bool:
        return self.lang != "en"

    @property
    def english(self) -> bool:
        return self.lang != "ar"


VERDICTS = {
    "conflicting": Words("متعارض", "conflicting"),
    "completed": Words("مكتمل", "completed"),
    "new": Words("جديد", "new"),
    "consistent": Words("متسق", "consistent"),
}
ALERT_KINDS = {
    "new_story": Words("خبر جديد", "new story"),
    "story_update": Words("تحديث لخبر سابق", "story update"),
    "operator": Words("تنبيه تشغيلي", "operator alert"),
    "digest": Words("ملخص", "digest"),
}
CLAIM_KINDS = {
    "withdrawal": Words("انسحاب", "withdrawal"),
    "mission_end": Words("انتهاء المهمة", "mission end"),
    "handover": Words("تسليم", "handover"),
    "relocation": Words("إعادة تموضع", "relocation"),
    "troop_count": Words("عدد القوات", "troop count"),
    "agreement": Words("اتفاق", "agreement"),
    "timetable": Words("جدول زمني", "timetable"),
    "other": Words("أخرى", "other"),
}
GRANULARITIES = {
    "day": Words("يوم", "day"),
    "week": Words("أسبوع", "week"),
    "month": Words("شهر", "month"),
    "part_of_month": Words("جزء من الشهر", "part of month"),
    "part_of_year": Words("جزء من السنة", "part of year"),
    "year": Words("سنة", "year"),
}
QUALIFIERS = {
    "exact": Words("", ""),
    "about": Words("نحو", "about"),
    "more_than": Words("أكثر من", "more than"),
    "less_than": Words("أقل من", "less than"),
    "at_least": Words("ما لا يقل عن", "at least"),
    "at_most": Words("ما لا يزيد على", "at most"),
}
NOTES = {
    "negated": Words("منفي", "negated"),
    "hedged": Words("غير مؤكد", "hedged"),
    "reports_done": Words("يُبلغ عن الإنجاز", "reports done"),
}
LABELS = {
    "kind": Words("نوع التنبيه", "alert kind"),
    "time": Words("الوقت", "time"),
    "details": Words("التفاصيل", "details"),
    "outlets": Words("وسائل الإعلام", "outlets"),
    "claim": Words("الادعاء", "claim"),
    "verdict": Words("الحكم", "verdict"),
    "claim_kind": Words("النوع", "kind"),
    "event": Words("الحدث في الجدول الزمني", "timeline event"),
    "reason": Words("السبب", "reason"),
    "date": Words("التاريخ", "date"),
    "places": Words("الأماكن", "places"),
    "destinations": Words("الوجهة", "going to"),
    "number": Words("العدد", "number"),
    "notes": Words("ملاحظات", "notes"),
    "terms": Words("الكلمات المطابقة", "matched terms"),
    "story": Words("القصة", "story"),
    "follows": Words("يتبع التنبيه", "follows"),
    "absorbed": Words("ضمّت القصص", "absorbed stories"),
    "alert": Words("التنبيه", "alert"),
    "demo": Words("تجريبي", "DEMO"),
    "no_event": Words("لا حدث مطابق", "no matching event"),
    "unknown": Words("غير معروف", "unknown"),
    "untitled": Words("(بلا عنوان)", "(untitled)"),
    "update": Words("تحديث", "update"),
    "operator": Words("تنبيه تشغيلي", "operator"),
    "digest": Words("ملخص التنبيهات", "digest"),
    "local_time": Words("بتوقيت", "time in"),
    "omitted": Words("ادعاءات أخرى لم تُعرض", "more claims not shown"),
    "moves": Words("عدد تحديثات القصة", "story moved (times)"),
}
DEMO_MARK = Words("تجريبي", "DEMO").pick("ar+en")  # «تجريبي / DEMO» whatever the language
DEMO_NOTE = Words(
    "أخبار مختلقة للعرض، لا أخبار حقيقية", "invented stories of the demo, not real news"
)

# Names of the default gazetteer's places as an alert writes them (with "base" where the
# gazetteer spells only the name); every other place takes its names from the gazetteer.
PLACE_NAMES: dict[str, Words] = {
    "iraq": Words("العراق", "Iraq"),
    "baghdad": Words("بغداد", "Baghdad"),
    "anbar": Words("الأنبار", "Anbar"),
    "ain_al_asad": Words("قاعدة عين الأسد", "Ain al-Asad air base"),
    "joint_operations_command": Words("قيادة العمليات المشتركة", "Joint Operations Command"),
    "victory": Words("قاعدة فيكتوري", "Victory base"),
    "taji": Words("التاجي", "Taji"),
    "kurdistan": Words("إقليم كردستان", "Kurdistan Region"),
    "erbil": Words("أربيل", "Erbil"),
    "harir": Words("قاعدة حرير", "Harir base"),
    "federal_areas": Words("المناطق الاتحادية", "federal areas"),
    "syria": Words("سوريا", "Syria"),
}


def place_names(gazetteer: Iterable[Place]) -> dict[str, Words]:
    """Every configured place's names: ours where we have them, else its first Arabic
    spelling and its English name (a place added in keywords.toml is named, not shown as
    its id)."""
    names = dict(PLACE_NAMES)
    for place in gazetteer:
        if place.id not in names and place.ar:
            names[place.id] = Words(place.ar[0], place.en or place.id)
    return names


def word(table: Mapping[str, Words], key: str, lang: Lang) -> str:
    """``table[key]`` in ``lang``; an unknown key shows as itself."""
    found = table.get(key)
    return found.pick(lang) if found is not None else key
