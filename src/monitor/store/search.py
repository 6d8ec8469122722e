"""Search terms for the stories page: normalised Arabic, clitics and letter variants folded.

A story is indexed under every form of every word of its titles and claim sentences: the
``normalize_text`` form (letter variants, diacritics, digits), then each form with its
proclitics (و ف ب ل ك س ال) or its pronoun, dual or plural suffix taken off, by the same rules
as keyword matching (``lexicon.prefix_forms`` / ``suffix_forms``). A query word matches when
any of its own forms is among the story's: "بالانسحاب" finds "انسحابها" (both have انسحاب),
"القاعدة" finds "القاعدتان". Every query word must match (AND).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from monitor.analysis.lexicon import TOKEN_RE, prefix_forms, suffix_forms
from monitor.normalize import normalize_text

MAX_QUERY_WORDS = 8  # a pasted paragraph is not a search
# Words too common to narrow a search (normalised: على -> علي, إلى -> الي); a query made of
# them alone still searches for them.
_STOP_WORDS = frozenset(
    normalize_text(w)
    for w in ("من", "في", "على", "إلى", "عن", "أن", "إن", "مع", "أو", "ثم", "قد", "ما", "لا", "و")
)


@lru_cache(maxsize=65536)  # a story's titles and claims repeat their words join after join
def word_forms(word: str) -> tuple[str, ...]:
    """The forms under which one normalised word is indexed and searched."""
    forms: dict[str, None] = {}
    for head in prefix_forms(word) or (word,):
        forms.update(dict.fromkeys(suffix_forms(head)))
    return tuple(forms)


def search_terms(texts: Iterable[str]) -> str:
    """The index text of a story: its distinct word forms, space-separated."""
    return " ".join(_add_forms({}, texts))


def extend_terms(terms: str, texts: Iterable[str]) -> str | None:
    """``terms`` with the word forms of ``texts`` added; None when they add none (a join
    costs the new texts only, not the story's size: each form is looked for in ``terms``
    as it is, which is not split into the story's thousands of words)."""
    padded = f" {terms} "
    added = " ".join(f for f in _add_forms({}, texts) if f" {f} " not in padded)
    if not added:
        return None
    return f"{terms} {added}" if terms else added


def _add_forms(seen: dict[str, None], texts: Iterable[str]) -> dict[str, None]:
    for text in texts:
        for word in TOKEN_RE.findall(normalize_text(text)):
            seen.update(dict.fromkeys(word_forms(word)))
    return seen


def match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression for ``query`` (None when it has no word).

    Each word becomes ``("form" OR "form" ...)``; the words are joined with AND. Forms are
    ``\\w`` runs, so quoting them cannot break out of the expression.
    """
    words = TOKEN_RE.findall(normalize_text(query))[:MAX_QUERY_WORDS]
    words = [w for w in words if w not in _STOP_WORDS] or words
    groups = []
    for word in dict.fromkeys(words):
        forms = word_forms(word) or (word,)
        groups.append("(" + " OR ".join(f'"{f}"' for f in forms) + ")")
    return " AND ".join(groups) or None
