"""Render an alert for people: plain text (console, email) and HTML (email), in their language.

Every alert explains itself: the story title, its outlets (count, names, links, times), and for
each claim the original Arabic sentence, its verdict, the timeline event and the reason, the
date interval, places and number; times in the configured ``[monitor] timezone`` and UTC.
``Presentation.lang`` (``alert_language``) chooses Arabic, English or both for our words and
the reasons (``words.py``); the sentences and titles stay as the outlets wrote them.

Rules:
- Titles and sentences come from strangers: control characters (CR, LF, ESC, C1) and explicit
  bidi controls are removed before anything else, so they cannot break lines, smuggle header
  lines or terminal escapes, or unbalance our own isolates.
- Each value has an explicit direction by its script (``bidi.py``): an English reason reads
  left to right even when it quotes an Arabic title; inside a value the other direction's runs
  are isolated. The console keeps ISO dates and ids in LTR isolates only (``bidi.pin_ltr``).
- One line per field in text, so the console output stays readable and greppable.
- ``fields`` is the one structure behind every rendering (console, email, web pages).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.alerts.bidi import (
    LRI,
    PDI,
    Direction,
    direction,
    html_runs,
    html_value,
    link,
    pin_ltr,
    text_value,
)
from monitor.alerts.words import (
    ALERT_KINDS,
    CLAIM_KINDS,
    DEMO_MARK,
    DEMO_NOTE,
    GRANULARITIES,
    LABELS,
    NOTES,
    QUALIFIERS,
    VERDICTS,
    Lang,
    Presentation,
    word,
)
from monitor.models import Alert, Claim, DateSpan, Finding, Quantity, StoryMember

DEFAULT = Presentation()
_VERDICT_ORDER = ("conflicting", "completed", "new", "consistent")  # most urgent first
# C0/C1 controls, DEL, line/paragraph separators and every explicit bidi embedding, override
# or isolate (U+202A-202E, U+2066-2069, LRM/RLM/ALM are harmless marks and are kept).
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")


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


def fmt_time(value: datetime | None, pres: Presentation = DEFAULT) -> str:
    """``2026-09-30 11:00 بتوقيت بغداد | 2026-09-30 08:00 UTC`` in the configured zone."""
    if value is None:
        return LABELS["unknown"].pick(pres.lang)
    local = value.astimezone(pres.zone)
    utc = f"{value.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    if pres.timezone in ("UTC", "Etc/UTC"):
        return utc
    zone = _ZONE_NAMES.get(pres.timezone, pres.timezone)
    names = {"ar": f"بتوقيت {zone}", "en": pres.timezone}
    label = names["en"] if pres.lang == "en" else names["ar"]
    return f"{local:%Y-%m-%d %H:%M} {label} | {utc}"


_ZONE_NAMES = {"Asia/Baghdad": "بغداد"}


def headline_verdict(alert: Alert) -> str | None:
    """The most urgent verdict of the alert's findings (a story without claims is new)."""
    if alert.kind in ("operator", "digest"):
        return None
    found = {f.verdict.verdict for f in alert.findings} or {"new"}
    return next(v for v in _VERDICT_ORDER if v in found)


def subject(alert: Alert, parts: Sequence[Alert] = (), pres: Presentation = DEFAULT) -> str:
    """A one-line subject: ``[متعارض] title``, ``Re: [تحديث: …] title``, digests, operator.

    Demo alerts start with «[تجريبي / DEMO]» whatever the language: they must never pass for
    real ones in a real mailbox.
    """
    lang = pres.lang
    title = clean(alert.title) or LABELS["untitled"].pick(lang)
    demo = f"[{DEMO_MARK}] " if pres.demo else ""
    if alert.kind == "digest":
        return f"{demo}{LABELS['digest'].pick(lang)}: {len(parts)} — {title}"
    if alert.kind == "operator":
        return f"{demo}[{LABELS['operator'].pick('ar+en' if lang == 'ar+en' else lang)}] {title}"
    # one word in the subject: Arabic unless the reader asked for English only
    short: Lang = "en" if lang == "en" else "ar"
    verdict = word(VERDICTS, headline_verdict(alert) or "new", short)
    if alert.kind == "story_update":
        return f"{demo}Re: [{LABELS['update'].pick(short)}: {verdict}] {title}"
    return f"{demo}[{verdict}] {title}"


# ---------------------------------------------------------------------- the shared structure


@dataclass(frozen=True, slots=True)
class Field:
    """One line: a label and a value (stranger text unless ours), maybe a link.

    ``dir`` is the value's direction when we know it (our English reason, an Arabic reason);
    None: by the value's script (``bidi.direction``).
    """

    label: str
    value: str
    url: str | None = None
    quote: bool = False
    indent: int = 0
    dir: Direction | None = None


def fields(alert: Alert, pres: Presentation = DEFAULT) -> list[Field]:
    """The lines that explain one (non-digest) alert, in reading order."""
    lang = pres.lang
    out = [
        Field(_label("kind", pres), word(ALERT_KINDS, alert.kind, lang)),
        Field(_label("time", pres), fmt_time(alert.created_at, pres)),
    ]
    if pres.demo:
        out.insert(0, Field(_label("demo", pres), DEMO_NOTE.pick(lang)))
    if alert.text:
        details = _label("details", pres)
        out += [Field(details, clean(ln)) for ln in alert.text.splitlines() if ln.strip()]
    if alert.members:
        names = "، ".join(clean(o) for o in alert.outlets)
        out.append(Field(f"{_label('outlets', pres)} ({len(alert.outlets)})", names))
        out += [_member(m, pres) for m in alert.members]
    for number, finding in enumerate(alert.findings, start=1):
        out += claim_fields(number, finding, pres)
    if alert.omitted_findings:  # an alert carries at most 30 claims (compose.MAX_FINDINGS)
        see = f" (monitor story {alert.story_id})" if alert.story_id else ""
        out.append(Field(_label("omitted", pres), f"{alert.omitted_findings}{see}"))
    if alert.updates > 1:  # folded updates, or the hourly summary of a story that keeps moving
        out.append(Field(_label("moves", pres), str(alert.updates)))
    if alert.terms:
        out.append(Field(_label("terms", pres), "، ".join(clean(t) for t in alert.terms)))
    if alert.story_id:
        out.append(Field(_label("story", pres, both=True), alert.story_id, dir="ltr"))
    if alert.follows:
        out.append(Field(_label("follows", pres, both=True), alert.follows, dir="ltr"))
    if alert.absorbed:  # stories found to be this development: their alerts belong here now
        absorbed = ", ".join(alert.absorbed)
        out.append(Field(_label("absorbed", pres, both=True), absorbed, dir="ltr"))
    out.append(Field(_label("alert", pres, both=True), alert.id, dir="ltr"))
    return out


def _label(key: str, pres: Presentation, *, both: bool = False) -> str:
    """A label; ``both``: bilingual in "ar+en" (ids, verdicts), else Arabic-only there too."""
    if pres.lang == "ar+en" and not both and key in _ARABIC_ONLY_LABELS:
        return LABELS[key].ar
    return LABELS[key].pick(pres.lang)


# labels that were Arabic only in the bilingual alert (short, obvious beside their value)
_ARABIC_ONLY_LABELS = {"kind", "time", "details", "outlets", "event", "terms", "claim", "demo"}


def _member(m: StoryMember, pres: Presentation) -> Field:
    when = fmt_time(m.published or m.first_seen, pres)
    value = f"{clean(m.title)} — {when}" if m.title else when
    return Field(clean(m.outlet), value, url=clean(m.url) if m.url else None, indent=1)


def place_name(place_id: str, pres: Presentation = DEFAULT) -> str:
    """``قاعدة عين الأسد (ain_al_asad)``; a place nobody named shows its id."""
    name = pres.places.get(place_id)
    if name is None:
        return clean(place_id)
    return f"{name.pick('en' if pres.lang == 'en' else 'ar')} ({place_id})"


def claim_fields(number: int, finding: Finding, pres: Presentation = DEFAULT) -> list[Field]:
    """The lines of one claim: sentence, verdict, kind, event, reason(s), date, places, notes."""
    claim, verdict = finding.claim, finding.verdict
    lang = pres.lang
    out = [
        Field(f"{_label('claim', pres)} {number}", clean(claim.sentence), quote=True),
        Field(_label("verdict", pres), word(VERDICTS, verdict.verdict, lang), indent=1),
        Field(_label("claim_kind", pres), word(CLAIM_KINDS, claim.kind, lang), indent=1),
    ]
    if verdict.timeline_event:
        out.append(Field(_label("event", pres), verdict.timeline_event, indent=1, dir="ltr"))
    else:
        out.append(Field(_label("event", pres), LABELS["no_event"].pick(lang), indent=1))
    out += _reasons(verdict.reason, verdict.reason_ar, pres)
    if claim.date:
        out.append(Field(_label("date", pres), _date(claim.date, pres), indent=1))
    # Where forces go is part of the claim ("from Baghdad to Harir"): shown on its own line.
    origins = [p for p in claim.places if p not in claim.destinations]
    if origins:
        names = "، ".join(place_name(p, pres) for p in origins)
        out.append(Field(_label("places", pres), names, indent=1))
    if claim.destinations:
        names = "، ".join(place_name(p, pres) for p in claim.destinations)
        out.append(Field(_label("destinations", pres), names, indent=1))
    if claim.number:
        out.append(Field(_label("number", pres), _number(claim.number, pres), indent=1))
    flags = _flags(claim, pres)
    if flags:
        out.append(Field(_label("notes", pres), flags, indent=1))
    return out


def _reasons(reason: str, reason_ar: str, pres: Presentation) -> list[Field]:
    """The reason in each language asked for; an Arabic reason missing shows the English one."""
    out = []
    if pres.arabic and reason_ar:
        out.append(Field(LABELS["reason"].ar, clean(reason_ar), indent=1, dir="rtl"))
    if reason and (pres.english or not reason_ar):
        label = LABELS["reason"].en if pres.lang == "ar+en" else LABELS["reason"].pick(pres.lang)
        out.append(Field(label, clean(reason), indent=1, dir="ltr"))
    return out


def _date(d: DateSpan, pres: Presentation) -> str:
    span = f"{d.start.isoformat()}" if d.start == d.end else f"{d.start} … {d.end}"
    arrow = "→" if pres.lang == "en" else "←"  # points the way the line reads
    text = f"«{clean(d.text)}» {arrow} " if d.text else ""
    return f"{text}{span} ({word(GRANULARITIES, d.granularity, pres.lang)})"


def _number(q: Quantity, pres: Presentation) -> str:
    qualifier = word(QUALIFIERS, q.qualifier, pres.lang)
    parts = [qualifier, f"{q.value:,}", clean(q.unit or "")]
    text = " ".join(p for p in parts if p)
    return f"{text} («{clean(q.text)}»)" if q.text else text


def _flags(claim: Claim, pres: Presentation) -> str:
    on = [k for k, v in (("negated", claim.negated), ("hedged", claim.hedged)) if v]
    if claim.reports_done:
        on.append("reports_done")
    return "، ".join(word(NOTES, k, pres.lang) for k in on)


# ---------------------------------------------------------------------- plain text


def render_text(
    alert: Alert,
    parts: Sequence[Alert] = (),
    *,
    isolates: bool = False,
    pres: Presentation = DEFAULT,
) -> str:
    """Plain text, one line per field.

    ``isolates`` (email): each value in LRI/RLI…PDI by its script, the other direction's runs
    isolated inside. Without (console): ISO dates and ids only in LTR isolates.
    """
    if alert.kind == "digest":
        blocks = [_text_block(p, isolates, pres) for p in parts]
        head = _text_lines(
            [Field(_label("time", pres), fmt_time(alert.created_at, pres))], isolates
        )
        rule = "\n" + "─" * 40 + "\n"
        top = f"■ {subject(alert, parts, pres)}"
        return "\n".join([top, *head]) + rule + rule.join(blocks) + "\n"
    return _text_block(alert, isolates, pres) + "\n"


def _text_block(alert: Alert, isolates: bool, pres: Presentation) -> str:
    title = f"■ {subject(alert, pres=pres)}"
    title = text_value(title) if isolates else pin_ltr(title)
    return "\n".join([title, *_text_lines(fields(alert, pres), isolates)])


def _text_lines(items: Iterable[Field], isolates: bool) -> list[str]:
    lines = []
    for f in items:
        value = f"«{f.value}»" if f.quote else f.value
        if f.url:
            value = f"{value} — {f.url}" if value else f.url
        if isolates:
            value = text_value(value, f.dir)
        elif f.dir == "ltr":  # ids (a digits-only one too) and English reasons, whole
            value = f"{LRI}{value}{PDI}"
        else:
            value = pin_ltr(value)
        lines.append(f"{'  ' * f.indent}{f.label}: {value}")
    return lines


# ---------------------------------------------------------------------- HTML

_STYLE = (
    "font-family:Tahoma,'Segoe UI','Noto Naskh Arabic','DejaVu Sans',Arial,sans-serif;"
    "line-height:1.7;font-size:16px;max-width:720px;margin:0 auto;padding:8px;"
    "overflow-wrap:break-word"
)


def render_html(alert: Alert, parts: Sequence[Alert] = (), pres: Presentation = DEFAULT) -> str:
    """A complete HTML document, UTF-8, inline styles only; right to left unless English only.

    Each value is a ``<bdi dir=…>`` with its own direction, so a line reads the same on a phone
    and on a desktop, whatever the mail client's default.
    """
    title = subject(alert, parts, pres)
    page_dir = "ltr" if pres.lang == "en" else "rtl"
    lang = "en" if pres.lang == "en" else "ar"
    if alert.kind == "digest":
        head = _html_fields([Field(_label("time", pres), fmt_time(alert.created_at, pres))])
        body = head + "".join(f"<hr>{_html_block(p, pres)}" for p in parts)
    else:
        body = _html_fields(fields(alert, pres))
    return (
        f'<!DOCTYPE html>\n<html dir="{page_dir}" lang="{lang}">\n<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>\n"
        f'<body dir="{page_dir}" lang="{lang}" style="{_STYLE}">\n'
        f'<h2 style="margin:0 0 8px 0;font-size:20px">{html_value(title)}</h2>\n'
        f"{body}</body>\n</html>\n"
    )


def _html_block(alert: Alert, pres: Presentation) -> str:
    head = html_value(subject(alert, pres=pres))
    return f'<h3 style="margin:8px 0">{head}</h3>\n{_html_fields(fields(alert, pres))}'


def _html_fields(items: Iterable[Field]) -> str:
    rows = []
    for f in items:
        d = f.dir or direction(f.value)
        if f.quote:
            value = (
                f'<blockquote dir="{d}" class="v" style="margin:4px 0;padding:4px 12px;'
                f'border-inline-start:3px solid #888">{html_runs(f.value, d)}</blockquote>'
            )
        else:
            value = html_value(f.value, d)
        if f.url:
            value += f" — {link(f.url)}"
        pad = f"margin-block:2px;margin-inline-start:{f.indent * 16}px"
        # an English label with an English value ("reason" beside "السبب") is a left-to-right
        # line; an outlet named in Latin letters beside an Arabic title is not
        row: Direction = "ltr" if direction(f.label) == d == "ltr" else "rtl"
        label = html_value(f.label)
        rows.append(f'<div dir="{row}" style="{pad}"><b>{label}:</b> {value}</div>\n')
    return "".join(rows)
