"""Which phase of a plan in phases a sentence names by its ordinal ("المرحلة الأولى").

The timeline's milestones of a plan in phases carry their number (``phase`` in
``timeline.toml``: the 2024 joint statement ends the mission in two). A claim whose sentence
names a phase by its ordinal is about that phase: judged against that milestone and never
against its neighbour, even when its date or place would fit the neighbour better ("the first
phase ends in September 2026" contradicts phase one; it does not agree with phase two).

Ordinals, on normalised text (hamzas folded, ة -> ه, ى -> ي): feminine after the noun
("المرحلة الأولى"، "بمرحلتها الثانية"، "المرحلتين الأولى والثانية"), masculine ("مرحلته
الثاني"), and before a plural ("أولى مراحل"، "ثاني مراحل"); "الأخيرة"/"النهائية"/"آخر مراحل"
name the last phase the timeline has. A sentence naming no phase, or one the timeline does
not number, selects nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache

from monitor.normalize import normalize_text

LAST = 0  # "the last phase": resolved against the timeline's highest phase

_ORDINALS = {
    "اولي": 1,
    "اول": 1,
    "ثانيه": 2,
    "ثاني": 2,
    "ثالثه": 3,
    "ثالث": 3,
    "رابعه": 4,
    "رابع": 4,
    "خامسه": 5,
    "خامس": 5,
    "اخيره": LAST,
    "نهائيه": LAST,
    "ختاميه": LAST,
}
_ORD = "|".join(sorted(_ORDINALS, key=len, reverse=True))
# the noun with its clitics and suffixes: مرحله، المرحله، بمرحلتها، مرحلته، المرحلتين
_NOUN = r"(?<!\w)[وفبل]?(?:ال)?مرحل(?:ه|ت(?:ها|ه|هما|نا|ين|يها)?|تي(?:ن|ها))"
_AFTER = re.compile(
    rf"{_NOUN}\s+(?:ال)?(?P<a>{_ORD})(?!\w)(?:\s*(?:و|ثم)\s*(?:ال)?(?P<b>{_ORD})(?!\w))?"
)
# "أولى مراحل الانسحاب"، "ثاني مراحل"، "آخر مراحل"
_BEFORE = re.compile(rf"(?<!\w)[وفبل]?(?:ال)?(?P<a>{_ORD}|اخر)\s+مراحل(?!\w)")


@lru_cache(maxsize=4096)
def named_phases(sentence: str) -> frozenset[int]:
    """The phase numbers the sentence names by ordinal (``LAST`` for "the last phase")."""
    text = normalize_text(sentence)
    found: set[int] = set()
    for pattern in (_AFTER, _BEFORE):
        for m in pattern.finditer(text):
            for group in ("a", "b"):
                word = m.groupdict().get(group)
                if word:
                    found.add(LAST if word == "اخر" else _ORDINALS[word])
    return frozenset(found)


def phases_meant(sentence: str, numbered: frozenset[int]) -> frozenset[int]:
    """``named_phases`` with "the last" read as the highest of ``numbered`` (the timeline's
    phases); empty when the timeline numbers no phase."""
    if not numbered:
        return frozenset()
    named = named_phases(sentence)
    return frozenset(max(numbered) if p == LAST else p for p in named)
