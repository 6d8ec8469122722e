"""The reasons of timeline verdicts in Arabic: ``AR`` words each ``words.Case`` from the same
``Facts`` as the English ``words.EN``, so an Arabic-only reader is told what the English says.

The parts are the claim's values (its date, number, places and kind), the verdict, and the
timeline event's id, interval, figure and Arabic title (every event has one). ISO dates and ids
stay as they are (the alerts isolate them left to right). Pure functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from monitor.models import Claim, Quantity, TimelineEvent
from monitor.timeline.fit import describe_when
from monitor.timeline.words import Case, Facts, checked_facts, names_anything

_QUALIFIERS = {
    "exact": "",
    "about": "نحو ",
    "more_than": "أكثر من ",
    "less_than": "أقل من ",
    "at_least": "ما لا يقل عن ",
    "at_most": "ما لا يزيد على ",
}
_KINDS = {
    "withdrawal": "انسحاب",
    "mission_end": "انتهاء المهمة",
    "handover": "تسليم",
    "relocation": "إعادة تموضع",
    "troop_count": "عدد القوات",
    "agreement": "اتفاق",
    "timetable": "جدول زمني",
    "other": "أخرى",
}
# What a dated claim puts at its date (``words._DATE_PHRASE`` in English).
_DATE_PHRASE = {
    "agreement": "يذكر أن الاتفاق وُقّع في",
    "timetable": "يذكر أن الجدول الزمني أُقرّ في",
    "withdrawal": "يحدد الانسحاب في",
    "mission_end": "يحدد انتهاء المهمة في",
    "handover": "يحدد التسليم في",
    "relocation": "يحدد الانتقال في",
    "troop_count": "يذكر عدد القوات في",
    "other": "يؤرخه بـ",
}
_CHECKED = {
    "date": "التاريخ",
    "phase": "المرحلة",
    "places": "الأماكن",
    "places (broadly)": "الأماكن (على نحو عام)",
    "places (partly)": "الأماكن (جزئيًا)",
    "number": "العدد",
}


def when_ar(start: date, end: date, granularity: str) -> str:
    """An interval as an Arabic reader writes it, ISO dates kept: ``نهاية 2026``, ``2025-09``."""
    return describe_when(start, end, granularity, "ar")


def number_ar(q: Quantity) -> str:
    return f"{_QUALIFIERS.get(q.qualifier, '')}{q.value:,}"


def _when(ev: TimelineEvent) -> str:
    return when_ar(ev.start, ev.end, ev.granularity)


def _claim_when(claim: Claim) -> str:
    assert claim.date is not None
    return when_ar(claim.date.start, claim.date.end, claim.date.granularity)


def _ref(ev: TimelineEvent) -> str:
    figure = f"، {number_ar(ev.number)}" if ev.number is not None else ""
    return f"{ev.id} ({_when(ev)}{figure})"


def _title(ev: TimelineEvent) -> str:
    return f" «{ev.title_ar}»"


def _event(ev: TimelineEvent) -> str:
    return _ref(ev) + _title(ev)


def _by(f: Facts) -> str:
    return f"، بحسب القصة {f.completed_by}" if f.completed_by else ""


def _reported_on(f: Facts) -> date | None:
    return f.claim.date.end if f.claim.date is not None else f.published


def _mismatches(f: Facts) -> str:
    """Both values of each disagreement, as ``words.mismatches`` gives them in English."""
    claim, ev = f.claim, f.event
    parts = []
    if f.date_ok is False and claim.date is not None:
        parts.append(
            f"{_DATE_PHRASE[claim.kind]} {_claim_when(claim)}؛ الجدول الزمني: {_when(ev)} ({ev.id})"
        )
    if f.number_ok is False and claim.number is not None and ev.number is not None:
        parts.append(
            f"يذكر {number_ar(claim.number)}؛ الجدول الزمني: {number_ar(ev.number)} ({ev.id})"
        )
    return "؛ ".join(parts) + (_title(ev) if parts else "")


def _agrees(f: Facts) -> str:
    """A consistent verdict: what was checked and agreed, or why a date was not checked."""
    ev = f.event
    if f.late:
        after = (
            "، بعد الموعد المخطط"
            if f.claim.date is not None and f.claim.date.start > ev.end
            else ""
        )
        return (
            f"مؤرخ {_claim_when(f.claim)}{after}: يوافق {_ref(ev)}، وهو مكتمل{_by(f)}{_title(ev)}"
        )
    lead = ""
    if f.unchecked == "deadline":
        lead = f"تاريخه ({_claim_when(f.claim)}) موعد نهائي بعد النشر، لا يوم الاتفاق؛ "
    elif f.unchecked == "peg":
        lead = f"تاريخه ({_claim_when(f.claim)}) أسبوع نشره: متى قيل الكلام، لا موعد الحدث؛ "
    checked = checked_facts(f)
    status = f"؛ وهو مكتمل{_by(f)}" if f.completed_by else ""
    if not checked:
        what = "" if lead else f"{_unchecked(f.claim)}؛ "
        return f"{lead}{what}يوافق {_ref(ev)} من حيث النوع فقط{status}{_title(ev)}"
    on = " و".join(_CHECKED.get(c, c) for c in checked)
    return f"{lead}يتفق مع {_ref(ev)} في {on}{status}{_title(ev)}"


def _unchecked(claim: Claim) -> str:
    if names_anything(claim):
        return "لا شيء مما يذكره يمكن مطابقته مع الحدث"
    return "لا يذكر تاريخًا أو مكانًا أو عددًا يمكن التحقق منه"


def _still_ahead(f: Facts) -> str:
    ev = f.event
    return (
        f"يتحدث عنه كأنه لم يقع بعد ({_claim_when(f.claim)}، بعد النشر في {f.published})؛ "
        f"الجدول الزمني: {ev.id} ({_when(ev)}) مكتمل{_by(f)}{_title(ev)}"
    )


def _done_planned(f: Facts) -> str:
    ev, ref = f.event, _reported_on(f)
    timing = ""
    if ref is not None and ref > ev.end:
        timing = "، متأخرًا عن الموعد"
    elif ref is not None and ref < ev.start:
        timing = "، قبل الموعد"
    return (
        f"يُبلغ عن إنجاز ما يعدّه الجدول الزمني مخططًا: {ev.id} (مخطط {_when(ev)}{timing}){_title(ev)}"
    )


def _step(f: Facts) -> str:
    gone = number_ar(f.claim.number) if f.claim.number is not None else "بعضهم"
    return f"يُبلغ عن مغادرة {gone}: خطوة نحو {_ref(f.event)}، لا تُحتسب إنجازًا له{_title(f.event)}"


AR: dict[Case, Callable[[Facts], str]] = {
    "still_ahead": _still_ahead,
    "differs": lambda f: f"يخالف الجدول الزمني: {_mismatches(f)}",
    "denies_unheld": lambda f: f"ينفي ما لا يقوله الجدول الزمني أيضًا: {_mismatches(f)}",
    "denies_held": lambda f: f"ينفي ما يقوله الجدول الزمني: {_event(f.event)}",
    "nothing_to_deny": lambda f: f"لا شيء محددًا فيه يُنفى؛ انظر {_event(f.event)}",
    "agrees": _agrees,
    "denies_done": lambda f: (
        f"ينفي إنجازه؛ الجدول الزمني: {f.event.id} ({_when(f.event)}) مكتمل{_by(f)}"
        f"{_title(f.event)}"
    ),
    "confirms": lambda f: f"يؤكد أن {_ref(f.event)} مكتمل{_by(f)}{_title(f.event)}",
    "not_yet": lambda f: f"يقول إنه لم يُنجز بعد؛ الجدول الزمني يعدّه مخططًا: {_event(f.event)}",
    "too_early": lambda f: (
        f"يُبلغ عن إنجازه بحلول {_reported_on(f)} وهو ما يخطط له الجدول الزمني في "
        f"{_when(f.event)} ({f.event.id}){_title(f.event)}"
    ),
    "broadly": lambda f: f"يُبلغ عن إنجاز يوافق {_ref(f.event)} على نحو عام فقط{_title(f.event)}",
    "hedged": lambda f: (
        f"يُبلغ عن إنجاز {_ref(f.event)} بصيغة غير جازمة: لا يُحتسب مكتملًا{_title(f.event)}"
    ),
    "step": _step,
    "done_planned": _done_planned,
}


def prefix_ar(claim: Claim, demand: bool) -> str:
    """The flags before a reason (``negated, hedged: `` in English)."""
    flags = [w for w, on in (("منفي", claim.negated), ("غير مؤكد", claim.hedged)) if on]
    if demand:
        flags.append("مطالبة أو دعوة")
    return f"{'، '.join(flags)}: " if flags else ""


def note_ar(conflicting: bool, other: TimelineEvent) -> str:
    """A second event that tells a different story (``rank._note``)."""
    lead = "يتفق مع" if conflicting else "تقرير آخر في الجدول الزمني يذكر"
    return f"؛ ملاحظة: {lead} {_ref(other)}"


def demand_ar(claim: Claim, differs: str) -> str:
    """A demand that differs from the timeline: recorded, not held against it."""
    return (
        f"{prefix_ar(claim, True)}لا تقرير عما اتُّفق عليه أو نُفّذ، فلا يُقاس بالجدول الزمني "
        f"(يختلف: {differs})"
    )


def start_ar(claim: Claim, event: TimelineEvent, *, late: bool) -> str:
    """A move that begins: after the milestone's end it conflicts, before it is a step."""
    assert claim.date is not None or not late
    if late and claim.date is not None:
        return (
            f"يذكر أنه يبدأ {claim.date.start.isoformat()}؛ الجدول الزمني: {event.id} ينتهي "
            f"بحلول {event.end.isoformat()}{_title(event)}"
        )
    return (
        f"يُبلغ عن بدء، قبل النهاية المخططة لـ {event.id} ({event.end.isoformat()}): "
        f"خطوة نحوه لا إنجازه{_title(event)}"
    )


def new_ar(claim: Claim, names: Mapping[str, tuple[str, str]]) -> str:
    """Why nothing matched, naming what the claim said (places by their Arabic names)."""
    parts = [_KINDS.get(claim.kind, claim.kind)]
    if claim.places:
        parts.append("في " + "، ".join(names.get(p, (p, p))[0] for p in claim.places))
    if claim.date is not None:
        parts.append(_claim_when(claim))
    if claim.number is not None:
        parts.append(number_ar(claim.number))
    return "لا حدث في الجدول الزمني يطابق هذا الادعاء (" + "؛ ".join(parts) + ")"
