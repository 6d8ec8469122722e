"""Right-to-left and left-to-right text side by side, laid out the way it is meant to read.

The rule (issue 14): every value gets an explicit direction by its script, never the first
strong character's guess. An English reason that quotes an Arabic title is left to right; an
Arabic sentence that names "Ain al-Asad" is right to left. Inside a value, the runs of the other
direction are isolated with their own explicit direction: Latin names, numbers, ISO dates, ids
and URLs in an Arabic value (``dir="ltr"``), Arabic words and «quotes» in an English value
(``dir="rtl"``). HTML uses ``<bdi dir=…>``; plain text uses the Unicode isolates LRI/RLI…PDI
(UAX #9), which do not leak into the line around them.

``clean`` runs first on stranger text, so no stranger's own bidi control survives to unbalance
ours.
"""

from __future__ import annotations

import html
import re
from typing import Literal

Direction = Literal["rtl", "ltr"]

LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
LRM = "\u200e"
_ARABIC = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
_ARABIC_LETTER = re.compile(f"[{_ARABIC}]")
_DIGITS = "0-9\u0660-\u0669\u06f0-\u06f9"
_LATIN = f"A-Za-z\u00c0-\u024f{_DIGITS}"
# URLs whole; otherwise a run that starts and ends with a Latin letter or a digit and may hold
# spaces and the punctuation of names, dates and figures ("Ain al-Asad", "2026-09-30", "2,500").
LTR_RUN = re.compile(
    r"https?://[^\s<>\"'\u060c\u061b)\]]+[^\s<>\"'\u060c\u061b)\].,;:!?]"
    rf"|[{_LATIN}](?:[{_LATIN} .,:/_%+#@&'\-\u2026]*[{_LATIN}%])?"
)
# A date, a date and time or a range of them is never broken across lines.
ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}")
# In an English value: a «quote» holding Arabic, or a run of Arabic words (with the digits,
# spaces and Arabic punctuation between them).
RTL_RUN = re.compile(
    rf"«[^»]*[{_ARABIC}][^»]*»"
    rf"|[{_ARABIC}](?:[{_ARABIC}{_DIGITS} \u060c\u061b\u061f\-]*[{_ARABIC}])?"
)
# ISO dates and times (and a range of them) that terminals must not flip; ids are fields of
# their own and are isolated whole by the renderer.
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?(?:\s*…\s*\d{4}-\d{2}-\d{2})?")


def direction(text: str) -> Direction:
    """A value's direction by its script: Arabic outside «quotes» makes it right to left."""
    outside = re.sub(r"«[^»]*»", "", text)
    return "rtl" if _ARABIC_LETTER.search(outside) else "ltr"


def has_arabic(text: str) -> bool:
    return _ARABIC_LETTER.search(text) is not None


# ---------------------------------------------------------------------- HTML


def html_runs(text: str, base: Direction) -> str:
    """Escape ``text`` and isolate its runs of the other direction (URLs become links)."""
    if base == "ltr":
        return _html_rtl_runs(text)
    out, pos = [], 0
    for m in LTR_RUN.finditer(text):
        out.append(html.escape(text[pos : m.start()]))
        run = m.group(0)
        if run.startswith(("http://", "https://")):
            out.append(link(run))
        elif ISO_START.match(run):
            out.append(f'<bdi dir="ltr" style="white-space:nowrap">{html.escape(run)}</bdi>')
        else:
            out.append(_bdi(run, "ltr"))
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _html_rtl_runs(text: str) -> str:
    out, pos = [], 0
    for m in RTL_RUN.finditer(text):
        out.append(_html_links(text[pos : m.start()]))
        out.append(f'<bdi dir="rtl">{html_runs(m.group(0), "rtl")}</bdi>')
        pos = m.end()
    out.append(_html_links(text[pos:]))
    return "".join(out)


def _html_links(text: str) -> str:
    """Escape LTR text, making its http(s) URLs links."""
    out, pos = [], 0
    for m in re.finditer(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]", text):
        out.append(html.escape(text[pos : m.start()]))
        out.append(link(m.group(0)))
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return "".join(out)


def html_value(text: str, base: Direction | None = None) -> str:
    """One value as an element with its explicit direction, its inner runs isolated."""
    d = base or direction(text)
    return f'<bdi dir="{d}" class="v">{html_runs(text, d)}</bdi>'


def _bdi(text: str, d: Direction) -> str:
    return f'<bdi dir="{d}">{html.escape(text)}</bdi>'


def link(url: str) -> str:
    """A clickable link for http(s) URLs only (a stranger's ``javascript:`` stays text)."""
    text = html.escape(url)
    if not url.lower().startswith(("http://", "https://")):
        return f'<bdi dir="ltr">{text}</bdi>'
    href = html.escape(url, quote=True)
    return f'<bdi dir="ltr"><a href="{href}" style="word-break:break-all">{text}</a></bdi>'


# ---------------------------------------------------------------------- plain text


def text_runs(text: str, base: Direction) -> str:
    """Plain text with the runs of the other direction in LRI/RLI…PDI."""
    if base == "rtl":
        return LTR_RUN.sub(lambda m: f"{LRI}{m.group(0)}{PDI}", text)
    return RTL_RUN.sub(lambda m: f"{RLI}{text_runs(m.group(0), 'rtl')}{PDI}", text)


def text_value(text: str, base: Direction | None = None) -> str:
    """One value isolated with its explicit direction (email's plain-text part)."""
    d = base or direction(text)
    return f"{RLI if d == 'rtl' else LRI}{text_runs(text, d)}{PDI}"


def pin_ltr(text: str) -> str:
    """ISO dates and times in LRI…PDI: a terminal with bidi keeps them in order, and one
    without shows the isolates as nothing (console, ``monitor timeline``, ``monitor story``)."""
    return _ISO.sub(lambda m: f"{LRI}{m.group(0)}{PDI}", text)


def pin_id(value: str) -> str:
    """An id (a digits-only one too) isolated whole, left to right."""
    return f"{LRI}{value}{PDI}"
