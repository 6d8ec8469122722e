"""Stranger text made safe to show, and a claim's sentence with its date, place and number marked.

Rules:
- Titles, outlets and sentences go through ``alerts.render.clean``: control characters and every
  explicit bidi embedding, override and isolate (U+202A-202E, U+2066-2069) are removed, so a
  right-to-left override in a title cannot reverse what follows it. Autoescape does the rest.
- A link is kept only when it is an absolute http(s) URL with a host and no whitespace, quote
  or angle bracket; anything else (``javascript:``, ``data:``, relative) is shown as text.
- Reasons (ours, quoting strangers' titles) as ``reason_html``: the runs of the other direction
  isolated with their own direction (as the email does, ``alerts.bidi``), and ISO dates, ranges
  and ids (``2025-09-30``, ``us-troops-iraq``) never broken across lines at their hyphens. A
  class does what the email's inline style does: the pages' CSP allows no inline style.
- Marks: the date and number spans the analysis recorded (offsets into the article; the claim's
  own span says where its sentence starts), else the first place where their text occurs in
  the sentence; places by scanning the sentence with the gazetteer for the claim's places.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from monitor.alerts.bidi import LTR_RUN, RTL_RUN, Direction
from monitor.alerts.render import clean
from monitor.analysis.keyrules import KeywordRules
from monitor.models import Claim
from monitor.normalize import normalize

MarkKind = Literal["date", "place", "number"]
_URL_BAD = re.compile(r"[\s<>\"'`\\]")
# As in alerts.render: C0/C1 controls, DEL, line/paragraph separators, bidi embeddings,
# overrides and isolates.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a sentence: plain (``mark`` None) or a marked date, place or number."""

    text: str
    mark: MarkKind | None = None


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL fit for an ``href``, else None."""
    if not url:
        return None
    url = url.strip()
    if _URL_BAD.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def local_time(value: datetime | None, zone: ZoneInfo) -> str:
    """``2026-01-18 21:10`` in the configured time zone; empty for an unknown time."""
    return "" if value is None else f"{value.astimezone(zone):%Y-%m-%d %H:%M}"


def marked_sentence(claim: Claim, rules: KeywordRules | None) -> list[Segment]:
    """The claim's sentence cut into segments, its date, places and number marked."""
    sentence = claim.sentence
    spans: list[tuple[int, int, MarkKind]] = []
    offset = claim.span[0]
    if claim.date:
        spans += _locate(sentence, claim.date.span, offset, claim.date.text, "date")
    if claim.number:
        spans += _locate(sentence, claim.number.span, offset, claim.number.text, "number")
    if rules is not None:
        spans += _place_spans(sentence, (*claim.places, *claim.destinations), rules)
    return [Segment(inline(s.text), s.mark) for s in _cut(sentence, _disjoint(spans))]


def inline(text: str) -> str:
    """Like ``clean`` for a piece of a line: a space at either end is kept (marks sit between
    words), runs of space and control characters become one space."""
    return _SPACES.sub(" ", _UNSAFE.sub(" ", unicodedata.normalize("NFC", text)))


def _locate(
    sentence: str, span: tuple[int, int], offset: int, text: str, kind: MarkKind
) -> list[tuple[int, int, MarkKind]]:
    start, end = span[0] - offset, span[1] - offset
    if 0 <= start < end <= len(sentence) and (not text or sentence[start:end] == text):
        return [(start, end, kind)]
    if text:
        at = sentence.find(text)
        if at >= 0:
            return [(at, at + len(text), kind)]
    return []


def _place_spans(
    sentence: str, places: Sequence[str], rules: KeywordRules
) -> list[tuple[int, int, MarkKind]]:
    if not places:
        return []
    norm = normalize(sentence)
    scan = rules.lexicon.scan(norm.text)
    out: list[tuple[int, int, MarkKind]] = []
    for hit in scan.hits:
        if hit.term.role in ("place", "x_place") and hit.term.tag in places:
            start, end = norm.original_span(scan.starts[hit.first], scan.ends[hit.last])
            out.append((start, end, "place"))
    return out


def _disjoint(spans: list[tuple[int, int, MarkKind]]) -> list[tuple[int, int, MarkKind]]:
    """Spans in order, a span that overlaps an earlier one dropped."""
    out: list[tuple[int, int, MarkKind]] = []
    for start, end, kind in sorted(spans):
        if not out or start >= out[-1][1]:
            out.append((start, end, kind))
    return out


def _cut(text: str, spans: list[tuple[int, int, MarkKind]]) -> list[Segment]:
    out: list[Segment] = []
    pos = 0
    for start, end, kind in spans:
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], kind))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


# a token a line must not break at its hyphens or dots: a date, a range of dates, an id
_UNBROKEN = re.compile(r"[A-Za-z0-9_]+(?:(?:[-.]|\.\.)[A-Za-z0-9_]+)+")


def reason_html(text: str | None, base: Direction) -> Markup:
    """A reason in direction ``base``: runs of the other direction in ``<bdi>`` with theirs,
    dates and ids in ``<span class="nobr">`` (see the module rules)."""
    text = clean(text or "")
    other: Direction = "ltr" if base == "rtl" else "rtl"
    pattern = LTR_RUN if base == "rtl" else RTL_RUN
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(_unbroken(text[pos : m.start()]))
        out.append(Markup('<bdi dir="{}">{}</bdi>').format(other, _unbroken(m.group(0))))
        pos = m.end()
    out.append(_unbroken(text[pos:]))
    return Markup("").join(out)


def _unbroken(text: str) -> Markup:
    out, pos = [], 0
    for m in _UNBROKEN.finditer(text):
        out.append(escape(text[pos : m.start()]))
        out.append(Markup('<span class="nobr">{}</span>').format(m.group(0)))
        pos = m.end()
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def title(text: str | None) -> str:
    """A stranger's title on one line, bidi controls out (empty stays empty)."""
    return clean(text or "")
