"""``monitor story ID``: one story as the store knows it, for the command line and the web pages.

``story_view(store, id)`` returns a typed record (the story's members, its merged claims with
their verdicts, and every alert it caused with each channel's delivery); ``story_text``
renders it for a terminal in the reader's language. A web page renders the same record.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.alerts.bidi import pin_id, pin_ltr
from monitor.alerts.render import DEFAULT, claim_fields, clean, fmt_time, subject
from monitor.alerts.words import ALERT_KINDS, LABELS, Presentation, Words, word
from monitor.models import Absorption, Alert, Delivery, Story
from monitor.normalize import strip_invisible
from monitor.store import Store

_STATUS = {
    "sent": Words("أُرسل", "sent"),
    "pending": Words("في الانتظار", "pending"),
    "failed": Words("فشل، سيُعاد", "failed, will retry"),
    "dead": Words("متروك", "given up"),
    "digest": Words("محجوز للملخص", "held for the digest"),
    "bundled": Words("أُرسل ضمن ملخص", "sent in a digest"),
}


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """One alert a story caused, and what became of it on each channel."""

    alert: Alert
    deliveries: tuple[Delivery, ...]


@dataclass(frozen=True, slots=True)
class StoryView:
    """A story with its members, merged claims (``story.claims``) and alerts."""

    story: Story
    alerts: tuple[AlertRecord, ...]
    absorbed: tuple[Absorption, ...] = ()  # stories joined into this one after the fact
    absorbed_by: Absorption | None = None  # the story this one was joined into


def resolve_story_id(store: Store, given: str) -> str | list[str]:
    """The story a user means: the id as copied from an alert (its bidi isolates and spaces
    dropped), or the one story whose id starts with it. A list names the candidates when the
    prefix matches none or several."""
    wanted = strip_invisible(given).strip()
    if not wanted:
        return []
    if store.load_story(wanted) is not None:
        return wanted
    matches = store.stories_by_prefix(wanted)
    return matches[0] if len(matches) == 1 else matches


def story_view(store: Store, story_id: str) -> StoryView | None:
    """The story ``story_id`` (or the one its prefix names), or None when there is none."""
    resolved = resolve_story_id(store, story_id)
    if isinstance(resolved, list):
        return None
    story = store.load_story(resolved)
    if story is None:
        return None
    story_id = resolved
    alerts = tuple(
        AlertRecord(a, tuple(store.alert_deliveries(a.id))) for a in store.story_alerts(story_id)
    )
    absorbed = tuple(store.absorbed_stories(story_id))
    return StoryView(story, alerts, absorbed, store.absorber(story_id))


def _absorptions(view: StoryView, pres: Presentation) -> list[str]:
    """Which story this one joined, and which stories joined it (as the web page says)."""
    lang, lines = pres.lang, []

    def line(a: Absorption) -> str:
        when = f" — {pin_ltr(fmt_time(a.at, pres))}" if a.at else ""
        return f"  {pin_id(a.story_id)} {clean(a.title)}{when}"

    if view.absorbed_by is not None:
        lines.append(f"{Words('ضُمّت إلى القصة', 'joined into story').pick(lang)}:")
        lines.append(line(view.absorbed_by))
    if view.absorbed:
        label = Words("قصص ضُمّت إليها", "stories it absorbed").pick(lang)
        lines.append(f"{label} ({len(view.absorbed)}):")
        lines += [line(a) for a in view.absorbed]
    return lines


def story_text(view: StoryView, pres: Presentation = DEFAULT) -> str:
    """The story for a terminal: ISO dates and ids kept in LTR isolates, one line per fact."""
    story, lang = view.story, pres.lang
    lines = [
        f"■ {clean(story.title)}",
        f"{Words('القصة', 'story').pick(lang)}: {pin_id(story.id)}",
        f"{Words('أول ظهور', 'first seen').pick(lang)}: {pin_ltr(fmt_time(story.first_seen, pres))}",
        f"{LABELS['outlets'].pick(lang)} ({len(story.outlets)}):",
    ]
    for m in story.members:
        when = pin_ltr(fmt_time(m.published or m.first_seen, pres))
        lines.append(f"  {clean(m.outlet)}: {clean(m.title)} — {when}")
        if m.url:
            lines.append(f"    {pin_id(clean(m.url))}")
    if not story.claims:
        lines.append(Words("لا ادعاءات", "no claims").pick(lang))
    for number, sc in enumerate(story.claims, start=1):
        for f in claim_fields(number, sc.finding, pres):
            value = f"«{f.value}»" if f.quote else f.value
            value = pin_id(value) if f.dir == "ltr" else pin_ltr(value)
            lines.append(f"{'  ' * f.indent}{f.label}: {value}")
        outlets = "، ".join(clean(o) for o in sc.outlets)
        lines.append(f"  {LABELS['outlets'].pick(lang)}: {outlets}")
    lines.append(f"{Words('التنبيهات', 'alerts').pick(lang)} ({len(view.alerts)}):")
    if not view.alerts:
        lines.append("  " + Words("لم يُرسل أي تنبيه", "none sent").pick(lang))
    lines += _absorptions(view, pres)
    for record in view.alerts:
        a = record.alert
        kind = word(ALERT_KINDS, a.kind, lang)
        lines.append(f"  {pin_id(a.id)} {kind} — {pin_ltr(fmt_time(a.created_at, pres))}")
        lines.append(f"    {subject(a, pres=pres)}")
        for d in record.deliveries:
            status = _STATUS[d.status].pick(lang) if d.status in _STATUS else d.status
            at = pin_ltr(f" {d.updated_at:%Y-%m-%d %H:%M} UTC") if d.updated_at else ""
            error = f" ({clean(d.last_error)})" if d.last_error and d.status != "sent" else ""
            lines.append(f"    {d.channel}: {status}{at}{error}")
    return "\n".join(lines)
