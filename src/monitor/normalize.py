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
8. ``fold_persian_letters``: Persian/Urdu ک → ك, ە ھ → ه (copy from Persian keyboards).
9. ``fold_digits``: Arabic-Indic ٠-٩ and Persian ۰-۹ → 0-9; ٫ → ``.``; ٬ → ``,``; ٪ → ``%``.
10. ``unify_punctuation``: « » “ ” „ ″ → ``"``; ‘ ’ ‚ → ``'``; ، → ``,``; ؛ → ``;``; ؟ → ``?``;
    ۔ → ``.``; dashes – — → ``-``; no-break and other spaces → a plain space.
11. ``fold_case``: Latin letters are lower-cased.

Every config keyword, gazetteer entry and pattern goes through the same ``normalize_text``,
so config and text always meet in the same form.
"""

from __future__ import annotations

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


def fold_persian_letters(s: str) -> str:
    """Persian keheh, ae and heh doachashmee to their Arabic letters."""
    return s.replace("ک", "ك").replace("ە", "ه").replace("ھ", "ه")


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


def normalize(text: str) -> NormText:
    """Normalise ``text`` and keep, for every output character, its index in ``text``."""
    out: list[str] = []
    offsets: list[int] = []
    cache = _CACHE
    for i, c in enumerate(text):
        m = cache.get(c)
        if m is None:
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
    cache = _CACHE
    return "".join(cache[c] if c in cache else _map_char(c) for c in text)
