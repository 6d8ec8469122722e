"""How much of one article the analysis reads: a bound on time, memory and claims (issue 13).

A news article runs to a few thousand characters; a page of 2.9 MB of plain prose made one
article cost two minutes, 400 MB and 4,600 claims. The analysis reads at most ``MAX_CHARS``
characters and ``MAX_SENTENCES`` sentences of a text, cut at the end of a sentence, so every
claim it reports is still a sentence exactly as it stands in the input. The cut is linear and
stops scanning as soon as the budget is reached.
"""

from __future__ import annotations

import re

MAX_CHARS = 50_000  # ten times a long news article
MAX_SENTENCES = 400
# the end of a sentence: Latin and Arabic stops, or a line break (headings, lists)
_SENTENCE_END = re.compile(r"[.!?؟…\n]+")


def within_budget(text: str) -> str:
    """``text`` cut to the budget (``text`` itself when it fits)."""
    if len(text) <= MAX_CHARS // 8:  # too short to hold MAX_SENTENCES sentences of 16+ chars
        return text
    window = text[:MAX_CHARS]
    end = None
    for count, match in enumerate(_SENTENCE_END.finditer(window), start=1):
        end = match.end()
        if count >= MAX_SENTENCES:
            return text[:end]
    if len(text) <= MAX_CHARS:
        return text
    # Cut at the last sentence end inside the window; a text without one is cut at the limit.
    return text[:end] if end else window
