"""Clitic-aware matching of many Arabic terms in one pass over normalised text.

Shared by relevance (``keywords``), places and claims (``claims``). Rules:

- Text and terms meet in the ``normalize_text`` form and are cut into ``\\w+`` tokens, so
  punctuation between the words of a term (``أيلول/سبتمبر``) does not matter.
- Before the first word of a term the text may carry proclitics: و ف (conjunctions), then ب ل ك
  (prepositions, never before a word of two letters: "بحث" is not ب + حث) or س (future, only
  before ي ت ن ا), then the article ال; ``لل`` is ل + ال.
  So ``وللتحالف`` matches ``التحالف`` and ``بالانسحاب`` matches ``انسحاب``.
- After the last word the text may carry a pronoun suffix (ه ها هم هما هن ك كم نا), the
  plural past ending وا (غادروا → غادر), the accusative alef of tanween (جنديا → جندي) or a
  dual or plural ending ين/ان (معسكرين → معسكر, القاعدتان → القاعده);
  a ت left before the suffix is a teh marbuta (``مهمتها`` → ``مهمه``). The other words of a
  term may carry the accusative alef too ("بيانا مشتركا" is "بيان مشترك").
- All words of a term must lie in one sentence. Words in the middle may carry proclitics; a
  ``*`` stands for up to five words ("أعلن * انتهاء" matches "أعلن العراق، مساء الأحد، انتهاء"),
  not counting the words of a date inside it (digits, month and weekday names, يوم، الموافق…:
  "أنهت القوات يوم السبت 5 ربيع الآخر 1447هـ الموافق 27 سبتمبر 2025م وجودها").
- ``ignore`` terms (``خفض التصعيد``) hide every other hit they overlap, but for the lede's
  speakers and reporting verbs (``UNMASKED``): "اللجنة العسكرية العليا لإنهاء مهمة التحالف"
  is no withdrawal, and still the committee speaking.

One dictionary lookup per candidate form of each token replaces a regex scan per term;
config regex ``patterns`` are joined into one alternation and scanned once.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from monitor.analysis.dates.words import GREGORIAN_MONTHS, HIJRI_MONTHS, REL, WEEKDAYS
from monitor.normalize import normalize_text

# Letters and digits are separate tokens: "بـ2500" is ب and 2500.
TOKEN_RE = re.compile(r"[^\W\d_]+|\d+")
# A sentence ends at a line break, ! ? ; … or a full stop that is not inside a number (2.500);
# closing quotes and brackets right after the stop stay with the sentence they close.
# (Written to start with a character class, which the regex engine scans for fast; the
# lookbehind then checks that a dot is not inside a number.)
SENTENCE_END_RE = re.compile(
    r"[\n!?;….](?<=[\n!?;…]|(?<!\d)\.|\.(?!\d))(?:\n|[!?;…]+|\.(?!\d)|(?<!\d)\.)*[\"')\]]*"
)

_CONJ = ("و", "ف")
_PREP = ("ب", "ل", "ك")
# No ي: it would turn the adjective العراقي into the place العراق.
_SUFFIXES = ("هما", "هم", "هن", "ها", "كم", "كن", "نا", "وا", "ه", "ك")
_MIN_STEM = 2
_ACC_MIN_STEM = 3  # "جنديا" → "جندي", but not "ما" → "م"
GAP = 5  # a "*" in a term stands for up to this many words...
_GAP_LIMIT = 24  # ...plus date words, up to this many tokens in all
# Words of a date, free inside a "*" gap (digits are free too).
_GAP_FREE = frozenset(
    w
    for table in (GREGORIAN_MONTHS, HIJRI_MONTHS, WEEKDAYS, REL)
    for name in table
    for w in name.split()
) | frozenset(
    normalize_text(w)
    for w in ("يوم", "صباح", "مساء", "فجر", "ظهر", "ليلة", "اليوم", "أمس", "غدا", "الموافق", "ه",
              "م", "هـ", "هجري", "هجرية", "ميلادي", "ميلادية")
)  # fmt: skip
_CACHE_LIMIT = 200_000  # distinct tokens remembered per lexicon
UNMASKED = frozenset({"who", "say"})  # roles that ignore terms do not hide
_NO_TERMS: tuple[tuple[Term, ...], tuple[Term, ...]] = ((), ())


@dataclass(frozen=True, slots=True)
class Term:
    """One configured term: its spelling in config, its tokens, and what it stands for."""

    text: str
    tokens: tuple[str, ...]
    role: str  # actor, action, context, ignore, x_actor, x_place, x_sentence, place, cue, ...
    tag: str = ""  # group name, exclusion id, place id or claim kind
    weight: float = 0.0


@dataclass(frozen=True, slots=True)
class Hit:
    """A term found in text: token range ``[first, last]`` (inclusive) and its sentence."""

    term: Term
    first: int
    last: int
    sentence: int


@dataclass(frozen=True, slots=True)
class Scan:
    """Tokens, sentences and term hits of one normalised text."""

    text: str
    tokens: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    sentence_of: tuple[int, ...]
    sentences: tuple[tuple[int, int], ...]  # character spans in ``text``
    hits: tuple[Hit, ...]

    def token_at(self, pos: int) -> int:
        """Index of the first token that ends after character ``pos``."""
        return bisect_right(self.ends, pos)

    def tokens_in(self, start: int, end: int) -> range:
        """Token indexes lying inside the character span ``[start, end)``."""
        return range(bisect_left(self.starts, start), bisect_left(self.starts, end))


def tokenize(text: str) -> list[str]:
    """Tokens of an already normalised config term (``*`` is a gap, see the module doc)."""
    return re.findall(r"[^\W\d_]+|\d+|\*", text)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (blank ones dropped)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in SENTENCE_END_RE.finditer(text):
        if m.end() > pos:
            _add_span(text, pos, m.end(), spans)
            pos = m.end()
    _add_span(text, pos, len(text), spans)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start] in " \t\r\n\"'":
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if any(c.isalnum() for c in text[start:end]):
        spans.append((start, end))


@lru_cache(maxsize=65536)
def prefix_forms(tok: str) -> tuple[str, ...]:
    """The token and what is left after each admissible chain of proclitics."""
    forms = [tok]
    conj_rests = [tok] + [tok[1:] for c in _CONJ if tok.startswith(c) and len(tok) > 2]
    for rest in conj_rests:
        candidates = [rest]
        if len(rest) > 3 and rest[0] in _PREP:  # "بحث" is not ب + "حث"
            if rest.startswith("لل"):
                candidates.append("ال" + rest[2:])  # ل + ال with the alef dropped
            candidates.append(rest[1:])
        if len(rest) > 3 and rest[0] == "س" and rest[1] in "يتنا":
            candidates.append(rest[1:])
        for cand in candidates:
            forms.append(cand)
            if cand.startswith("ال") and len(cand) - 2 >= _MIN_STEM:
                forms.append(cand[2:])
    return tuple(dict.fromkeys(f for f in forms if len(f) >= _MIN_STEM))


@lru_cache(maxsize=65536)
def suffix_forms(tok: str) -> tuple[str, ...]:
    """The token and its stems without a pronoun suffix."""
    forms = [tok]
    for suf in _SUFFIXES:
        if tok.endswith(suf) and len(tok) - len(suf) >= _MIN_STEM:
            stem = tok[: -len(suf)]
            forms.append(stem)
            if stem.endswith("ت") and len(stem) > _MIN_STEM:
                forms.append(stem[:-1] + "ه")
    if tok.endswith("ا") and len(tok) > _ACC_MIN_STEM:
        forms.append(tok[:-1])  # accusative tanween: جنديا، عسكريا
    for dual in ("ين", "ان"):  # duals and plurals: معسكرين، القاعدتان، يغادران
        if tok.endswith(dual) and len(tok) - 2 >= _ACC_MIN_STEM:
            stem = tok[:-2]
            forms.append(stem[:-1] + "ه" if stem.endswith("ت") else stem)
    return tuple(dict.fromkeys(forms))


@lru_cache(maxsize=65536)
def inner_forms(tok: str) -> tuple[str, ...]:
    """Forms of a first or middle word of a term: proclitics off, and the accusative alef."""
    forms = prefix_forms(tok)
    acc = [f[:-1] for f in forms if f.endswith("ا") and len(f) > _ACC_MIN_STEM]
    return tuple(dict.fromkeys([*forms, *acc])) if acc else forms


@dataclass(frozen=True, eq=False)  # identity hash: a Lexicon is a cache key
class Lexicon:
    """All terms of a rule set, indexed by their first token, plus the joined patterns."""

    terms: tuple[Term, ...]
    patterns: tuple[tuple[Term, re.Pattern[str]], ...] = ()
    _index: dict[str, tuple[Term, ...]] = field(default_factory=dict, compare=False, repr=False)
    _joined: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    _cache: dict[str, tuple[tuple[Term, ...], tuple[Term, ...]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def build(cls, terms: Iterable[Term], patterns: Sequence[tuple[Term, str]] = ()) -> Lexicon:
        """Index ``terms``; ``patterns`` are (term, already-validated regex source) pairs."""
        index: dict[str, list[Term]] = {}
        all_terms = tuple(terms)
        for term in all_terms:
            index.setdefault(term.tokens[0], []).append(term)
        joined = None
        if patterns:
            joined = re.compile("|".join(f"(?P<p{i}>{src})" for i, (_, src) in enumerate(patterns)))
        return cls(
            terms=all_terms,
            patterns=tuple((t, re.compile(src)) for t, src in patterns),
            _index={k: tuple(v) for k, v in index.items()},
            _joined=joined,
        )

    def candidates(self, tok: str) -> tuple[tuple[Term, ...], tuple[Term, ...]]:
        """Terms of one word that ``tok`` matches, and terms of several words it may start.

        Cached per token: news vocabulary repeats, so most tokens cost one dict lookup.
        """
        found = self._cache.get(tok)
        if found is None:
            singles: dict[int, Term] = {}
            multis: dict[int, Term] = {}
            for form in prefix_forms(tok):
                for stem in suffix_forms(form):
                    for term in self._index.get(stem, ()):
                        if len(term.tokens) == 1:
                            singles[id(term)] = term
            for form in inner_forms(tok):
                for term in self._index.get(form, ()):
                    if len(term.tokens) > 1:
                        multis[id(term)] = term
            found = (tuple(singles.values()), tuple(multis.values()))
            if len(self._cache) > _CACHE_LIMIT:
                self._cache.clear()
            self._cache[tok] = found
        return found

    def scan(self, text: str) -> Scan:
        """Tokenise ``text``, split it into sentences and find every term in it."""
        return _scan_cached(self, text)


@lru_cache(maxsize=8)
def _scan_cached(lexicon: Lexicon, text: str) -> Scan:
    # Relevance and claims both scan the same body; the small cache makes that one pass.
    return _scan(lexicon, text)


def _scan(lexicon: Lexicon, text: str) -> Scan:
    toks: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in TOKEN_RE.finditer(text):
        toks.append(m.group())
        starts.append(m.start())
        ends.append(m.end())
    sentences = split_sentences(text)
    sentence_of = _sentence_of(starts, sentences)
    hits = _find_terms(lexicon, toks, sentence_of)
    if lexicon._joined is not None:
        hits.extend(_find_patterns(lexicon, text, starts, ends, sentence_of))
    hits = _apply_ignore(hits)
    hits.sort(key=lambda h: (h.first, -h.last))
    return Scan(
        text=text,
        tokens=tuple(toks),
        starts=tuple(starts),
        ends=tuple(ends),
        sentence_of=tuple(sentence_of),
        sentences=tuple(sentences),
        hits=tuple(hits),
    )


def _sentence_of(starts: list[int], sentences: list[tuple[int, int]]) -> list[int]:
    """Sentence index of each token (the last sentence starting at or before it)."""
    out: list[int] = []
    for sid in range(len(sentences)):
        nxt = bisect_left(starts, sentences[sid + 1][0]) if sid + 1 < len(sentences) else None
        out.extend([sid] * ((len(starts) if nxt is None else nxt) - len(out)))
    out.extend([0] * (len(starts) - len(out)))  # no sentence at all: one blank text
    return out


def _find_terms(lexicon: Lexicon, toks: list[str], sentence_of: list[int]) -> list[Hit]:
    hits: list[Hit] = []
    append = hits.append
    n = len(toks)
    # Most words of an article start no term: look each distinct word up once, then visit only
    # the positions of those that do.
    starting = {tok for tok in set(toks) if lexicon.candidates(tok) != _NO_TERMS}
    cache = lexicon._cache
    for i in [i for i, tok in enumerate(toks) if tok in starting]:
        tok = toks[i]
        singles, multis = cache.get(tok) or lexicon.candidates(tok)
        for term in singles:
            append(Hit(term, i, i, sentence_of[i]))
        if not multis:
            continue
        nxt = toks[i + 1] if i + 1 < n else ""
        for term in multis:
            second = term.tokens[1]
            if (
                second != "*"
                and second != nxt
                and second not in suffix_forms(nxt)
                and second not in inner_forms(nxt)
            ):
                continue  # cheap test of the second word before the full match
            last = _rest_matches(term.tokens, toks, i, sentence_of)
            if last is not None:
                append(Hit(term, i, last, sentence_of[i]))
    return hits


def _rest_matches(
    want: tuple[str, ...], toks: list[str], i: int, sentence_of: list[int], k: int = 1
) -> int | None:
    """Index of the last token when ``want[k:]`` matches from token ``i + 1``, else None.

    ``*`` in a term skips up to ``GAP`` tokens; the last word may carry a pronoun suffix.
    """
    j = i + 1
    while k < len(want):
        if want[k] == "*":
            return _gap_matches(want, toks, j, sentence_of, k)
        if j >= len(toks) or sentence_of[j] != sentence_of[i]:
            return None
        if k == len(want) - 1:
            return j if want[k] in suffix_forms(toks[j]) else None
        if toks[j] != want[k] and want[k] not in inner_forms(toks[j]):
            return None
        j += 1
        k += 1
    return j - 1


def _gap_matches(
    want: tuple[str, ...], toks: list[str], j: int, sentence_of: list[int], k: int
) -> int | None:
    """``want[k]`` is a ``*``: try the rest of the term after 0..GAP words (dates are free)."""
    counted = 0
    for nxt in range(j, min(j + _GAP_LIMIT, len(toks)) + 1):
        end = _rest_matches(want, toks, nxt - 1, sentence_of, k + 1)
        if end is not None:
            return end
        if nxt >= len(toks) or sentence_of[nxt] != sentence_of[j - 1]:
            return None
        tok = toks[nxt]
        if not (tok.isdigit() or tok in _GAP_FREE):
            counted += 1
            if counted > GAP:
                return None
    return None


def _find_patterns(
    lexicon: Lexicon, text: str, starts: list[int], ends: list[int], sentence_of: list[int]
) -> list[Hit]:
    assert lexicon._joined is not None
    hits: list[Hit] = []
    for m in lexicon._joined.finditer(text):
        if m.lastgroup is None or m.end() == m.start():
            continue
        term = lexicon.patterns[int(m.lastgroup[1:])][0]
        first = bisect_right(ends, m.start())
        last = bisect_left(starts, m.end()) - 1
        if 0 <= first <= last:
            hits.append(Hit(term, first, last, sentence_of[first]))
    return hits


# Roles of the words that make news: a name's "*" gap never holds one of them.
_NEWS_ROLES = frozenset({"cue", "action"})


def _apply_ignore(hits: list[Hit]) -> list[Hit]:
    ignores = [h for h in hits if h.term.role == "ignore" and not _gap_holds_news(h, hits)]
    masked = {t for h in ignores for t in range(h.first, h.last + 1)}
    if not masked:
        return hits
    return [
        h
        for h in hits
        if h.term.role != "ignore"
        and (h.term.role in UNMASKED or not any(t in masked for t in range(h.first, h.last + 1)))
    ]


def _gap_holds_news(ignore: Hit, hits: list[Hit]) -> bool:
    """An ignore term's "*" gap spans a cue or an action of its own: the words are no name.

    "اللجنة * إنهاء مهمة التحالف" names the committee in "اللجنة العسكرية العليا المعنية
    بإنهاء مهمة التحالف", not in "اللجنة العسكرية العليا اكتمال المرحلة الأولى من إنهاء مهمة
    التحالف", where the committee announces that a phase is complete.
    """
    toks = ignore.term.tokens
    if "*" not in toks:
        return False
    head = toks.index("*")
    tail = len(toks) - 1 - max(i for i, t in enumerate(toks) if t == "*")
    lo, hi = ignore.first + head, ignore.last - tail
    return any(
        h.term.role in _NEWS_ROLES and lo <= h.first and h.last <= hi and h is not ignore
        for h in hits
    )
