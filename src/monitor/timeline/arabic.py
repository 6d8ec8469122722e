"""The reasons of timeline verdicts in Arabic, composed from the same parts as the English ones.

The parts are the claim's values (its date, number, places and kind), the verdict, and the
timeline event's id, interval, figure and Arabic title (every event has one). The English
reason (``words.py``) says which checks agreed in detail; the Arabic one says the verdict, the
values on both sides and the event, in the words an Arabic reader expects. Pure functions.
"""

from __future__ import annotations

from datetime import date

from monitor.models import Claim, Quantity, TimelineEvent, VerdictKind

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
_PARTS = {(1, 3): "أوائل", (4, 9): "منتصف", (10, 12): "نهاية"}


def when_ar(start: date, end: date, granularity: str) -> str:
    """An interval as an Arabic reader writes it, ISO dates kept: ``نهاية 2026``, ``2025-09``."""
    if start == end:
        return start.isoformat()
    whole_months = start.day == 1 and end.month != date.fromordinal(end.toordinal() + 1).month
    if whole_months and start.year == end.year:
        if start.month == end.month:
            return f"{start:%Y-%m}"
        if (start.month, end.month) == (1, 12):
            return str(start.year)
        named = _PARTS.get((start.month, end.month))
        if named:
            return f"{named} {start.year}"
    if granularity == "week":
        return f"أسبوع {start.isoformat()}"
    if granularity == "part_of_month" and start.month == end.month:
        part = "أوائل" if start.day == 1 else "منتصف" if start.day == 11 else "نهاية"
        return f"{part} {start:%Y-%m}"
    if whole_months:
        return f"{start:%Y-%m} إلى {end:%Y-%m}"
    return f"{start.isoformat()} إلى {end.isoformat()}"


def number_ar(q: Quantity) -> str:
    return f"{_QUALIFIERS.get(q.qualifier, '')}{q.value:,}"


_CHECKED = {
    "date": "التاريخ",
    "phase": "المرحلة",
    "places": "الأماكن",
    "places (broadly)": "الأماكن (على نحو عام)",
    "places (partly)": "الأماكن (جزئيًا)",
    "number": "العدد",
}


def _event(ev: TimelineEvent) -> str:
    figure = f"، {number_ar(ev.number)}" if ev.number is not None else ""
    return f"{ev.id} ({when_ar(ev.start, ev.end, ev.granularity)}{figure}) «{ev.title_ar}»"


def _claim_values(claim: Claim) -> str:
    parts = []
    if claim.date is not None:
        parts.append(when_ar(claim.date.start, claim.date.end, claim.date.granularity))
    if claim.number is not None:
        parts.append(number_ar(claim.number))
    return "، ".join(parts)


def _prefix(claim: Claim, demand: bool) -> str:
    flags = [w for w, on in (("منفي", claim.negated), ("غير مؤكد", claim.hedged)) if on]
    if demand:
        flags.append("مطالبة أو دعوة")
    return f"{'، '.join(flags)}: " if flags else ""


def reason_ar(
    verdict: VerdictKind,
    claim: Claim,
    event: TimelineEvent,
    *,
    demand: bool = False,
    note: TimelineEvent | None = None,
    checked: tuple[str, ...] = (),
) -> str:
    """The Arabic reason of ``verdict`` on ``claim`` against ``event``, with an optional note
    naming a second event (one that agrees with a conflicting claim, or a second report).
    ``checked`` says what a consistent verdict found agreeing; empty: it agrees by kind only,
    which the reason must say as the English one does."""
    values = _claim_values(claim)
    said = f"يذكر {values}؛ " if values else ""
    if verdict == "conflicting":
        text = f"يخالف الجدول الزمني: {said}الجدول الزمني: {_event(event)}"
    elif verdict == "completed":
        text = f"يُبلغ عن إنجاز ما يعدّه الجدول الزمني مخططًا: {_event(event)}"
    elif claim.reports_done and event.status == "completed":
        text = f"يؤكد إنجاز {_event(event)}"
    elif checked:
        on = " و".join(_CHECKED.get(c, c) for c in checked)
        text = f"يتفق مع {_event(event)} في {on}" + (f" ({values})" if values else "")
    else:
        text = (
            "لا يذكر تاريخًا أو مكانًا أو عددًا يمكن التحقق منه؛ "
            f"يوافق {_event(event)} من حيث النوع فقط"
        )
    if note is not None:
        lead = "يتفق مع" if verdict == "conflicting" else "تقرير آخر في الجدول الزمني يذكر"
        text += f"؛ ملاحظة: {lead} {_event(note)}"
    return _prefix(claim, demand) + text


def demand_ar(claim: Claim, event: TimelineEvent) -> str:
    """A demand that differs from the timeline: recorded, not held against it."""
    return (
        f"{_prefix(claim, True)}لا تقرير عما اتُّفق عليه أو نُفّذ، فلا يُقاس بالجدول الزمني "
        f"(يختلف عن {_event(event)})"
    )


def start_ar(claim: Claim, event: TimelineEvent, *, late: bool) -> str:
    """A move that begins: after the milestone's end it conflicts, before it is a step."""
    assert claim.date is not None or not late
    if late and claim.date is not None:
        return (
            f"يذكر أنه يبدأ {claim.date.start.isoformat()}؛ الجدول الزمني: {event.id} ينتهي "
            f"بحلول {event.end.isoformat()} «{event.title_ar}»"
        )
    return (
        f"يُبلغ عن بدء، قبل النهاية المخططة لـ {event.id} ({event.end.isoformat()}): "
        f"خطوة نحوه لا إنجازه «{event.title_ar}»"
    )


def new_ar(claim: Claim) -> str:
    """Why nothing matched, naming what the claim said."""
    parts = [_KINDS.get(claim.kind, claim.kind)]
    if claim.places:
        parts.append("في " + "، ".join(claim.places))
    values = _claim_values(claim)
    if values:
        parts.append(values)
    return "لا حدث في الجدول الزمني يطابق هذا الادعاء (" + "؛ ".join(parts) + ")"
