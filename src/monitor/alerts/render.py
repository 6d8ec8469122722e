"""Render an alert for people: plain text (console, email) and HTML (email), Arabic first.

Every alert explains itself: the story title, its outlets (count, names, links, times), and for
each claim the original Arabic sentence, its verdict in Arabic and English, the timeline event
and the reason, the date interval, places and number; times in Asia/Baghdad and UTC.

Rules:
- Titles and sentences come from strangers: control characters (CR, LF, ESC, C1) and explicit
  bidi controls are removed before anything else, so they cannot break lines, smuggle header
  lines or terminal escapes, or unbalance our own isolates.
- Inside Arabic, Latin names, numbers, dates and URLs are isolated (``<bdi>`` in HTML, Unicode
  FSI…PDI in the email's plain text) so they keep their order on right-to-left screens; each
  field's value is isolated as a whole too, so an English reason reads left to right. The
  console gets no isolates: most terminals print them as visible junk.
- One line per field in text, so the console output stays readable and greppable.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from monitor.models import Alert, Claim, DateSpan, Finding, Quantity, StoryMember

DISPLAY_TZ = ZoneInfo("Asia/Baghdad")

VERDICT_WORDS = {
    "conflicting": "متعارض / conflicting",
    "completed": "مكتمل / completed",
    "new": "جديد / new",
    "consistent": "متسق / consistent",
}
_VERDICT_ORDER = ("conflicting", "completed", "new", "consistent")  # most urgent first
ALERT_KIND_WORDS = {
    "new_story": "خبر جديد / new story",
    "story_update": "تحديث لخبر سابق / story update",
    "operator": "تنبيه تشغيلي / operator alert",
    "digest": "ملخص / digest",
}
CLAIM_KIND_WORDS = {
    "withdrawal": "انسحاب / withdrawal",
    "mission_end": "انتهاء المهمة / mission end",
    "handover": "تسليم / handover",
    "relocation": "إعادة تموضع / relocation",
    "troop_count": "عدد القوات / troop count",
    "agreement": "اتفاق / agreement",
    "timetable": "جدول زمني / timetable",
    "other": "أخرى / other",
}
_GRANULARITY_WORDS = {
    "day": "يوم / day",
    "week": "أسبوع / week",
    "month": "شهر / month",
    "part_of_year": "جزء من السنة / part of year",
    "year": "سنة / year",
}
_QUALIFIER_WORDS = {
    "exact": "",
    "about": "نحو / about",
    "more_than": "أكثر من / more than",
    "less_than": "أقل من / less than",
    "at_least": "ما لا يقل عن / at least",
}

FSI, PDI = "\u2068", "\u2069"
# C0/C1 controls, DEL, line/paragraph separators and every explicit bidi embedding, override
# or isolate (U+202A-202E, U+2066-2069, LRM/RLM/ALM are harmless marks and are kept).
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")
_DIGITS = "0-9\u0660-\u0669\u06f0-\u06f9"
_LATIN = f"A-Za-z\u00c0-\u024f{_DIGITS}"
# URLs whole; otherwise a run that starts and ends with a Latin letter or a digit and may hold
# spaces and the punctuation of names, dates and figures ("Ain al-Asad", "2026-09-30", "2,500").
_LTR_RUN = re.compile(
    r"https?://[^\s<>\"'\u060c\u061b)\]]+[^\s<>\"'\u060c\u061b)\].,;:!?]"
    rf"|[{_LATIN}](?:[{_LATIN} .,:/_%+#@&'\-]*[{_LATIN}%])?"
)


def clean(text: str) -> str:
    """Stranger text on one line: controls and bidi overrides out, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text)
    return " ".join(_UNSAFE.sub(" ", text).split())


def safe_header(text: str, limit: int = 200) -> str:
    """A value fit for a mail header: one clean line, no RFC 2047 encoded-word openers.

    ``=?`` is what starts an encoded word; a title carrying ``=?UTF-8?Q?=0A?=Bcc:`` would be
    decoded by a header parser into a line break. A zero-width space between the two
    characters keeps the text readable and makes it inert.
    """
    value = clean(text).replace("=?", "=\u200b?").replace("?=", "?\u200b=")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def fmt_time(value: datetime | None) -> str:
    """``2026-09-30 11:00 بتوقيت بغداد | 2026-09-30 08:00 UTC``."""
    if value is None:
        return "غير معروف / unknown"
    local = value.astimezone(DISPLAY_TZ)
    utc = value.astimezone(ZoneInfo("UTC"))
    return f"{local:%Y-%m-%d %H:%M} بتوقيت بغداد | {utc:%Y-%m-%d %H:%M} UTC"


def headline_verdict(alert: Alert) -> str | None:
    """The most urgent verdict of the alert's findings (a story without claims is new)."""
    if alert.kind in ("operator", "digest"):
        return None
    found = {f.verdict.verdict for f in alert.findings} or {"new"}
    return next(v for v in _VERDICT_ORDER if v in found)


def subject(alert: Alert, parts: Sequence[Alert] = ()) -> str:
    """A one-line subject: ``[متعارض] title``, ``Re: [تحديث] title``, digests and operator."""
    title = clean(alert.title) or "(بلا عنوان)"
    if alert.kind == "digest":
        return f"ملخص التنبيهات / digest: {len(parts)} — {title}"
    if alert.kind == "operator":
        return f"[تنبيه تشغيلي / operator] {title}"
    verdict = VERDICT_WORDS[headline_verdict(alert) or "new"].split(" / ")[0]
    if alert.kind == "story_update":
        return f"Re: [تحديث: {verdict}] {title}"
    return f"[{verdict}] {title}"


# ---------------------------------------------------------------------- the shared structure


@dataclass(frozen=True, slots=True)
class Field:
    """One line: an Arabic label and a value (stranger text unless ``ours``), maybe a link."""

    label: str
    value: str
    url: str | None = None
    quote: bool = False
    indent: int = 0


def fields(alert: Alert) -> list[Field]:
    """The lines that explain one (non-digest) alert, in reading order."""
    out = [
        Field("نوع التنبيه", ALERT_KIND_WORDS.get(alert.kind, alert.kind)),
        Field("الوقت", fmt_time(alert.created_at)),
    ]
    if alert.text:
        out += [Field("التفاصيل", clean(ln)) for ln in alert.text.splitlines() if ln.strip()]
    if alert.members:
        names = "، ".join(clean(o) for o in alert.outlets)
        out.append(Field(f"المنافذ ({len(alert.outlets)})", names))
        out += [_member(m) for m in alert.members]
    for number, finding in enumerate(alert.findings, start=1):
        out += _claim(number, finding)
    if alert.terms:
        out.append(Field("الكلمات المطابقة", "، ".join(clean(t) for t in alert.terms)))
    if alert.story_id:
        out.append(Field("القصة / story", alert.story_id))
    if alert.follows:
        out.append(Field("يتبع التنبيه / follows", alert.follows))
    if alert.absorbed:  # stories found to be this development: their alerts belong here now
        out.append(Field("ضمّت القصص / absorbed", "، ".join(alert.absorbed)))
    out.append(Field("التنبيه / alert", alert.id))
    return out


def _member(m: StoryMember) -> Field:
    when = fmt_time(m.published or m.first_seen)
    value = f"{clean(m.title)} — {when}" if m.title else when
    return Field(clean(m.outlet), value, url=clean(m.url) if m.url else None, indent=1)


# Arabic names of the default gazetteer's places; a place added in config shows its id.
PLACE_WORDS = {
    "iraq": "العراق",
    "baghdad": "بغداد",
    "anbar": "الأنبار",
    "ain_al_asad": "قاعدة عين الأسد",
    "joint_operations_command": "قيادة العمليات المشتركة",
    "victory": "قاعدة فيكتوري",
    "taji": "التاجي",
    "kurdistan": "إقليم كردستان",
    "erbil": "أربيل",
    "harir": "قاعدة حرير",
    "syria": "سوريا",
}


def _place(place_id: str) -> str:
    name = PLACE_WORDS.get(place_id)
    return f"{name} ({place_id})" if name else clean(place_id)


def _claim(number: int, finding: Finding) -> list[Field]:
    claim, verdict = finding.claim, finding.verdict
    out = [
        Field(f"الادعاء {number}", clean(claim.sentence), quote=True),
        Field("الحكم / verdict", VERDICT_WORDS.get(verdict.verdict, verdict.verdict), indent=1),
        Field("النوع / kind", CLAIM_KIND_WORDS.get(claim.kind, claim.kind), indent=1),
    ]
    event = verdict.timeline_event or "لا حدث مطابق / no matching event"
    out.append(Field("الحدث في الجدول الزمني", event, indent=1))
    if verdict.reason:
        out.append(Field("السبب / reason", clean(verdict.reason), indent=1))
    if claim.date:
        out.append(Field("التاريخ / date", _date(claim.date), indent=1))
    if claim.places:
        names = "، ".join(_place(p) for p in claim.places)
        out.append(Field("الأماكن / places", names, indent=1))
    if claim.number:
        out.append(Field("العدد / number", _number(claim.number), indent=1))
    flags = _flags(claim)
    if flags:
        out.append(Field("ملاحظات / notes", flags, indent=1))
    return out


def _date(d: DateSpan) -> str:
    span = f"{d.start.isoformat()}" if d.start == d.end else f"{d.start} … {d.end}"
    text = f"«{clean(d.text)}» → " if d.text else ""
    return f"{text}{span} ({_GRANULARITY_WORDS.get(d.granularity, d.granularity)})"


def _number(q: Quantity) -> str:
    qualifier = _QUALIFIER_WORDS.get(q.qualifier, q.qualifier)
    parts = [qualifier, f"{q.value:,}", clean(q.unit or "")]
    text = " ".join(p for p in parts if p)
    return f"{text} («{clean(q.text)}»)" if q.text else text


def _flags(claim: Claim) -> str:
    words = []
    if claim.negated:
        words.append("منفي / negated")
    if claim.hedged:
        words.append("غير مؤكد / hedged")
    if claim.reports_done:
        words.append("يُبلغ عن الإنجاز / reports done")
    return "، ".join(words)


# ---------------------------------------------------------------------- plain text


def isolate(text: str) -> str:
    """Wrap each Latin/number/URL run of ``text`` in FSI…PDI."""
    return _LTR_RUN.sub(lambda m: f"{FSI}{m.group(0)}{PDI}", text)


def render_text(alert: Alert, parts: Sequence[Alert] = (), *, isolates: bool = False) -> str:
    """Plain text, one line per field; ``isolates`` for email (not for terminals)."""
    if alert.kind == "digest":
        blocks = [_text_block(p, isolates) for p in parts]
        head = _text_lines([Field("الوقت", fmt_time(alert.created_at))], isolates)
        rule = "\n" + "─" * 40 + "\n"
        return "\n".join([f"■ {subject(alert, parts)}", *head]) + rule + rule.join(blocks) + "\n"
    return _text_block(alert, isolates) + "\n"


def _text_block(alert: Alert, isolates: bool) -> str:
    title = f"■ {subject(alert)}"
    return "\n".join([isolate(title) if isolates else title, *_text_lines(fields(alert), isolates)])


def _text_lines(items: Iterable[Field], isolates: bool) -> list[str]:
    lines = []
    for f in items:
        value = f"«{f.value}»" if f.quote else f.value
        if f.url:
            value = f"{value} — {f.url}" if value else f.url
        if isolates:  # the whole value takes its direction from its own first strong letter
            value = f"{FSI}{isolate(value)}{PDI}"
        lines.append(f"{'  ' * f.indent}{f.label}: {value}")
    return lines


# ---------------------------------------------------------------------- HTML

_STYLE = (
    "font-family:Tahoma,'Segoe UI','Noto Naskh Arabic',Arial,sans-serif;line-height:1.7;"
    "text-align:right;font-size:16px;max-width:720px"
)


def bdi_html(text: str) -> str:
    """Escape ``text`` and wrap its Latin/number/URL runs in ``<bdi>`` (URLs become links)."""
    out, pos = [], 0
    for m in _LTR_RUN.finditer(text):
        out.append(html.escape(text[pos : m.start()]))
        run = m.group(0)
        if run.startswith(("http://", "https://")):
            out.append(_link(run))
        else:
            out.append(f"<bdi>{html.escape(run)}</bdi>")
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _link(url: str) -> str:
    """A clickable link for http(s) URLs only (a stranger's ``javascript:`` stays text)."""
    text = html.escape(url)
    if not url.lower().startswith(("http://", "https://")):
        return f'<bdi dir="ltr">{text}</bdi>'
    return f'<bdi dir="ltr"><a href="{html.escape(url, quote=True)}">{text}</a></bdi>'


def render_html(alert: Alert, parts: Sequence[Alert] = ()) -> str:
    """A complete HTML document, ``dir="rtl" lang="ar"``, UTF-8, inline styles only."""
    title = subject(alert, parts)
    if alert.kind == "digest":
        head = _html_fields([Field("الوقت", fmt_time(alert.created_at))])
        body = head + "".join(f"<hr>{_html_block(p)}" for p in parts)
    else:
        body = _html_fields(fields(alert))
    return (
        '<!DOCTYPE html>\n<html dir="rtl" lang="ar">\n<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>\n"
        f'<body dir="rtl" lang="ar" style="{_STYLE}">\n'
        f'<h2 style="margin:0 0 8px 0">{bdi_html(title)}</h2>\n{body}</body>\n</html>\n'
    )


def _html_block(alert: Alert) -> str:
    return (
        f'<h3 style="margin:8px 0">{bdi_html(subject(alert))}</h3>\n{_html_fields(fields(alert))}'
    )


def _html_fields(items: Iterable[Field]) -> str:
    rows = []
    for f in items:
        if f.quote:
            value = (
                '<blockquote style="margin:4px 0;padding:4px 12px;border-right:3px solid #888">'
                f"{bdi_html(f.value)}</blockquote>"
            )
        else:  # <bdi>: the value takes its own direction (an English reason reads LTR)
            value = f"<bdi>{bdi_html(f.value)}</bdi>"
        if f.url:
            value += f" — {_link(f.url)}"
        pad = f"margin:2px {f.indent * 16}px 2px 0"
        rows.append(f'<div style="{pad}"><b>{html.escape(f.label)}:</b> {value}</div>\n')
    return "".join(rows)
