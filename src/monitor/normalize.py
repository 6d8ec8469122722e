"""Arabic text normalisation for matching, with a map back to the original text.

Rules, applied to each character in this order (one small function each):

1. ``fold_presentation_forms``: Arabic presentation forms and other compatibility
   characters (ﻻ, ﺍ, full-width digits) become their plain letters (NFKC).
2. ``strip_invisible``: zero-width and bidi control characters (ZWJ, ZWNJ, LRM, RLM,
   LRE..RLO, LRI..PDI, ALM, BOM, soft hyphen) are removed.
3. ``strip_tatweel``: the kashida ـ is removed.
4. ``strip_diacritics``: harakat, tanween, shadda, sukun, superscript alef and Quranic
   marks are removed.
5. ``fold_alef``: أ إ آ ٱ ٲ ٳ → ا.
6. ``fold_yeh``: ى (alef maqsura) and Persian ی → ي.
7. ``fold_teh_marbuta``: ة → ه (for matching only; the original stays in ``NormText.original``).
8. ``fold_persian_letters``: Persian, Urdu and Kurdish (Sorani) letters to the Arabic letters
   an Arabic writer uses for them: ک گ → ك, ھ → ه, ێ → ي, ۆ → و, ڵ → ل, ڕ → ر, پ → ب, چ → ج,
   ژ → ز, ڤ → ف; the Kurdish vowel ە is dropped, as Arabic spellings of Kurdish names drop it
   (so a Kurdish outlet's "هەولێر" meets "هولير", and "ڤيكتوريا" meets "فيكتوريا").
9. ``fold_digits``: Arabic-Indic ٠-٩ and Persian ۰-۹ → 0-9; ٫ → ``.``; ٬ → ``,``; ٪ → ``%``.
10. ``unify_punctuation``: « » “ ” „ ″ → ``"``; ‘ ’ ‚ → ``'``; ، → ``,``; ؛ → ``;``; ؟ → ``?``;
    ۔ → ``.``; dashes – — → ``-``; no-break and other spaces → a plain space.
11. ``fold_case``: Latin letters are lower-cased.

Every config keyword, gazetteer entry and pattern goes through the same ``normalize_text``,
so config and text always meet in the same form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from monitor.models import NormText

_INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069\u061c\ufeff\u00ad\u2060"
)
_DIACRITICS = frozenset(
    [chr(c) for c in range(0x064B, 0x0660)]
    + ["\u0670"]
    + [chr(c) for c in range(0x06D6, 0x06EE) if c not in (0x06DD, 0x06DE, 0x06E9)]
    + [chr(c) for c in range(0x0610, 0x061B)]
)
_ALEFS = frozenset("أإآٱٲٳ")
_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {
    chr(0x06F0 + i): str(i) for i in range(10)
}
_DIGITS |= {"٫": ".", "٬": ",", "٪": "%"}
_PUNCT = {
    "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "″": '"', "‟": '"',
    "‘": "'", "’": "'", "‚": "'", "‛": "'",
    "،": ",", "؛": ";", "؟": "?", "۔": ".",
    "–": "-", "—": "-", "‒": "-", "―": "-",
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ", "\u3000": " ",
}  # fmt: skip


def fold_presentation_forms(s: str) -> str:
    """Compatibility forms (ﻻ, ﺍ, ﷺ, full-width) to plain characters; others unchanged."""
    if len(s) == 1 and (s < "\ufb50" and not ("\uff00" <= s <= "\uffef")):
        return s
    return unicodedata.normalize("NFKC", s)


def strip_invisible(s: str) -> str:
    """Drop zero-width and bidi control characters."""
    return "".join(c for c in s if c not in _INVISIBLE)


def strip_tatweel(s: str) -> str:
    """Drop the kashida (tatweel) used to stretch words."""
    return s.replace("\u0640", "")


def strip_diacritics(s: str) -> str:
    """Drop harakat, tanween, shadda, sukun and Quranic annotation marks."""
    return "".join(c for c in s if c not in _DIACRITICS)


def fold_alef(s: str) -> str:
    """Hamza-carrying and wasla alef forms to bare alef."""
    return "".join("ا" if c in _ALEFS else c for c in s)


def fold_yeh(s: str) -> str:
    """Alef maqsura and Persian yeh to Arabic yeh."""
    return s.replace("ى", "ي").replace("ی", "ي")


def fold_teh_marbuta(s: str) -> str:
    """Teh marbuta to heh: writers drop its dots as often as not."""
    return s.replace("ة", "ه")


_PERSIAN = str.maketrans("کگھێۆڵڕپچژڤ", "ككهيولربجزف", "ە")


def fold_persian_letters(s: str) -> str:
    """Persian, Urdu and Kurdish letters to the Arabic letters used for the same sounds."""
    return s.translate(_PERSIAN)


def fold_digits(s: str) -> str:
    """Arabic-Indic and Persian digits and separators to ASCII."""
    return "".join(_DIGITS.get(c, c) for c in s)


def unify_punctuation(s: str) -> str:
    """Arabic and typographic punctuation and odd spaces to their ASCII forms."""
    return "".join(_PUNCT.get(c, c) for c in s)


def fold_case(s: str) -> str:
    """Lower-case Latin letters (Arabic has no case)."""
    return s.lower()


RULES: tuple[Callable[[str], str], ...] = (
    fold_presentation_forms,
    strip_invisible,
    strip_tatweel,
    strip_diacritics,
    fold_alef,
    fold_yeh,
    fold_teh_marbuta,
    fold_persian_letters,
    fold_digits,
    unify_punctuation,
    fold_case,
)

_CACHE: dict[str, str] = {}


def _map_char(c: str) -> str:
    """The normalised form of one character (possibly empty or several characters)."""
    out = _CACHE.get(c)
    if out is None:
        out = c
        for rule in RULES:
            out = rule(out)
        _CACHE[c] = out
    return out


def _unchanged_class() -> str:
    """A regex class of the ASCII and Arabic-block characters that no rule changes."""
    blocks = [*range(0x20, 0x7F), 0x0A, 0x09, *range(0x0600, 0x0700)]
    keep = [chr(i) for i in blocks if _map_char(chr(i)) == chr(i)]
    return "".join(re.escape(c) for c in keep)


# Articles are read through here before anything else, so the common case is kept fast: one
# regex pass finds the characters that may change (anything outside the unchanged ASCII and
# Arabic letters), and each distinct one is replaced with ``str.replace`` over the whole text.
_MAY_CHANGE = re.compile(f"[^{_unchanged_class()}]")


def _changes(text: str) -> dict[str, str] | None:
    """Distinct characters of ``text`` that change -> their form; None when one expands."""
    found: dict[str, str] = {}
    for c in set(_MAY_CHANGE.findall(text)):
        m = _CACHE.get(c)
        if m is None:
            m = _map_char(c)
        if len(m) > 1:
            return None  # ﻻ → لا: offsets need the character-by-character path
        if m != c:
            found[c] = m
    return found


def _apply(text: str, changes: dict[str, str]) -> str:
    for c, m in changes.items():
        text = text.replace(c, m)
    return text


def normalize(text: str) -> NormText:
    """Normalise ``text`` and keep, for every output character, its index in ``text``."""
    changes = _changes(text)
    if changes is None:
        return _normalize_slow(text)
    out = _apply(text, changes)
    dropped = [c for c, m in changes.items() if not m]
    if not dropped:
        return NormText(text=out, offsets=tuple(range(len(text))), original=text)
    kept = re.compile("[^" + "".join(map(re.escape, dropped)) + "]+")
    offsets: list[int] = []
    for m in kept.finditer(text):
        offsets.extend(range(m.start(), m.end()))
    return NormText(text=out, offsets=tuple(offsets), original=text)


def _normalize_slow(text: str) -> NormText:
    """Character by character, for texts with characters that expand (ligatures)."""
    out: list[str] = []
    offsets: list[int] = []
    for i, c in enumerate(text):
        m = _map_char(c)
        if len(m) == 1:
            out.append(m)
            offsets.append(i)
        elif m:
            out.append(m)
            offsets.extend([i] * len(m))
    return NormText(text="".join(out), offsets=tuple(offsets), original=text)


def normalize_text(text: str) -> str:
    """Normalise ``text`` without keeping offsets (config terms, titles, comparisons)."""
    changes = _changes(text)
    if changes is None:
        return "".join(_map_char(c) for c in text)
    return _apply(text, changes)
