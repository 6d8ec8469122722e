"""Hard-wrapped text: line breaks inside a sentence (forum reposts, e-mailed wire copy).

A line break normally ends a sentence: headlines, tickers and teasers stand on lines of their
own with no final stop. Copy pasted from a fixed-width source breaks lines inside sentences
instead ("… إن المهمة العسكرية للتحالف الذي\\nتقوده الولايات المتحدة …"), which cuts a claim from
its date. A break is read as a space when the line before it has no final punctuation and

- ends with a word that cannot end a sentence (a preposition, a conjunction, a relative
  pronoun, أنّ/إنّ); or
- follows a full line of a fixed-width wrap: most lines of the text that are not short have
  nearly the same length (within ``_WRAP_SPREAD`` of the longest, which is 60–120
  characters), at least three of them end with no final stop, and they start with words (a
  ticker's items start with their times). Headlines, tickers and paragraphs do not look like
  that;

and the next line starts with a letter (a ticker's next item starts with its time or a mark).

The text keeps its length (the break becomes a space), so every offset still holds.
"""

from __future__ import annotations

import re

from monitor.models import NormText

_WRAP_MIN = 60  # a fixed-width wrap is 60 to 120 characters wide
_WRAP_MAX = 120
_WRAP_SPREAD = 0.2
_LONG = 40  # lines shorter than this (headlines, captions, a paragraph's last words) don't vote
_BLOCK = 3
_FINAL = re.compile(r"[.!?;:…\"')\]»”]\s*$")
# normalised: ى → ي, ة → ه, hamzas folded
_CANNOT_END = frozenset(
    {
        "في", "من", "الي", "علي", "عن", "مع", "بين", "حول", "حتي", "منذ", "نحو", "لدي", "عند",
        "ضد", "خلال", "بعد", "قبل", "عبر", "دون", "لكن", "ثم", "او", "ام", "و", "ف", "ان",
        "انه", "انها", "الذي", "التي", "الذين", "اللذين", "اللتين", "اللواتي", "ما", "لا", "لم",
        "لن", "قد", "كما", "حيث", "اذ", "اذا", "بان", "وان", "لان", "كي",
    }
)  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+|\d+")
# a continued sentence goes on with a word; a ticker's next item starts with its time or a mark
_LETTER = re.compile(r"[^\W\d_]")


def unwrap(norm: NormText) -> NormText:
    """``norm`` with the line breaks inside sentences turned into spaces."""
    lines = norm.text.split("\n")
    if len(lines) < 2:
        return norm
    joins = _soft_breaks(lines)
    if not joins:
        return norm
    chars = list(norm.text)
    pos = 0
    for i, line in enumerate(lines[:-1]):
        pos += len(line)
        if i in joins:
            chars[pos] = " "
        pos += 1
    return NormText("".join(chars), norm.offsets, norm.original)


def _soft_breaks(lines: list[str]) -> set[int]:
    """Indexes ``i`` of the lines whose break (after line ``i``) is inside a sentence."""
    out = set()
    stripped = [line.strip() for line in lines]
    for i in range(len(lines) - 1):
        here, nxt = stripped[i], stripped[i + 1]
        if not here or not nxt or _FINAL.search(here):
            continue
        words = _WORD.findall(here)
        if words and _LETTER.match(nxt) and words[-1] in _CANNOT_END:
            out.add(i)
    return out | _wrapped_blocks(stripped)


def _wrapped_blocks(lines: list[str]) -> set[int]:
    """Breaks after the full lines of a fixed-width wrap: most lines of 40 characters or more
    are within ``_WRAP_SPREAD`` of the longest (itself ``_WRAP_MIN``..``_WRAP_MAX``)."""
    long = [i for i, line in enumerate(lines) if len(line) >= _LONG]
    if not long:
        return set()
    width = max(len(lines[i]) for i in long)
    if not _WRAP_MIN <= width <= _WRAP_MAX:
        return set()
    full = [i for i in long if len(lines[i]) >= width * (1 - _WRAP_SPREAD)]
    open_ = [i for i in full if not _FINAL.search(lines[i]) and i + 1 < len(lines)]
    if len(open_) < _BLOCK or 2 * len(full) < len(long):
        return set()
    if 3 * sum(not _LETTER.match(lines[i]) for i in full) > len(full):
        return set()  # items that start with a time or a mark: a ticker, not a paragraph
    return {i for i in open_ if _LETTER.match(lines[i + 1])}
