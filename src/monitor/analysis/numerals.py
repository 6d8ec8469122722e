"""Numbers in normalised Arabic text: digits and number words, with their qualifier.

Rules:

- Digits with thousands separators: ``2,500``, ``2.500`` (a dot before exactly three digits
  is a separator, Arabic copy rarely writes decimals of troop counts), ``2 500`` is two numbers.
  ``٢٬٥٠٠`` arrives here as ``2,500`` (normalisation folds digits and ٬).
- A multiplier word after digits multiplies: ``3 آلاف`` = 3000, ``2.5 ألف`` = 2500.
- Number words: units (ثلاثة، خمس…), tens (عشرون/عشرين…), hundreds (مئة/مائة، مئتين،
  خمسمائة or خمسة مئة), thousands (ألف، ألفين، ثلاثة آلاف), joined by و (ألفين وخمسمائة).
  "ألفا" is the dual ("ألفا جندي") unless و + a number follows: then it is "ألفاً" (one
  thousand, accusative: "ألفاً وخمسمئة" = 1500). Digits may finish a number begun in words
  ("ألفين و500" = 2500).
- Vague plurals: عشرات → 20, مئات → 200, آلاف → 2000 (at least: the plural starts at three
  and counts from two hundred / two thousand), always qualified ``at_least``.
- Qualifiers before the number: نحو، حوالي، قرابة، زهاء، (ما) يقارب، يناهز، ما يقرب من، تقريبا
  (after) → about; أكثر من، (ما) يزيد عن/على، يتجاوز، يفوق، أزيد من → more_than; أقل من، ما دون → less_than;
  ما لا يقل عن، لا يقل عن، على الأقل (before or after) → at_least; (ما) لا يتجاوز، لا يزيد عن/على، لا يفوق،
  على الأكثر، كحد أقصى (after) → at_most (a negated "more than" is a ceiling, not a floor).

``find_counts`` keeps the numbers right before a configured troop or vehicle unit (``troop_units``
in ``keywords.toml``): a number followed by a unit noun is a count, never a year. A total
written as عدد + unit … إلى + number ("سينخفض عدد القوات إلى أقل من ألفين") counts that unit
too, when the number is no date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.analysis.lexicon import Scan
from monitor.models import Qualifier

_UNITS = {
    "واحد": 1, "واحده": 1, "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2,
    "ثلاث": 3, "ثلاثه": 3, "اربع": 4, "اربعه": 4, "خمس": 5, "خمسه": 5, "ست": 6, "سته": 6,
    "سبع": 7, "سبعه": 7, "ثمان": 8, "ثماني": 8, "ثمانيه": 8, "تسع": 9, "تسعه": 9,
    "عشر": 10, "عشره": 10,
}  # fmt: skip
_TENS = {
    "عشرون": 20, "عشرين": 20, "ثلاثون": 30, "ثلاثين": 30, "اربعون": 40, "اربعين": 40,
    "خمسون": 50, "خمسين": 50, "ستون": 60, "ستين": 60, "سبعون": 70, "سبعين": 70,
    "ثمانون": 80, "ثمانين": 80, "تسعون": 90, "تسعين": 90,
}  # fmt: skip
_HUNDRED = {"مئه", "مائه"}
_HUNDREDS = {"مئتان": 200, "مئتين": 200, "مائتان": 200, "مائتين": 200, "مئتا": 200, "مائتا": 200}
_HUNDREDS |= {"مئتي": 200, "مائتي": 200}  # construct state: "خمسة آلاف ومئتي جندي"
for _word, _n in (("ثلاث", 3), ("اربع", 4), ("خمس", 5), ("ست", 6), ("سبع", 7), ("ثمان", 8),
                  ("تسع", 9)):  # fmt: skip
    _HUNDREDS[_word + "مئه"] = _n * 100
    _HUNDREDS[_word + "مائه"] = _n * 100
_THOUSAND = {"الف", "الاف", "الالاف"}
_TWO_THOUSAND = {"الفين", "الفان", "الفي", "الفا"}
_MILLION = {"مليون", "ملايين"}
_VAGUE = {"عشرات": 20, "مئات": 200, "الاف": 2000, "الوف": 2000}
_STARTERS = frozenset(
    [*_UNITS, *_TENS, *_HUNDREDS, *_HUNDRED, *_THOUSAND, *_TWO_THOUSAND, *_MILLION]
)

_PHRASES_BEFORE: tuple[tuple[str, Qualifier], ...] = (
    # negated "more than" first: "لا يتجاوز خمسة" is at most five, never more than five
    ("لا يتجاوز", "at_most"),
    ("لا تتجاوز", "at_most"),
    ("لن يتجاوز", "at_most"),
    ("لن تتجاوز", "at_most"),
    ("لا يزيد عن", "at_most"),
    ("لا يزيد علي", "at_most"),
    ("لا تزيد عن", "at_most"),
    ("لا تزيد علي", "at_most"),
    ("لا يفوق", "at_most"),
    ("لا يتعدي", "at_most"),
    ("لا تتعدي", "at_most"),
    # "up to" is a ceiling: "يسمح بنشر ما يصل إلى 500 جندي" (not "يصل عددهم إلى": a total)
    ("ما يصل الي", "at_most"),
    ("بحد اقصي", "at_most"),
    ("ما لا يقل عن", "at_least"),
    ("لا يقل عن", "at_least"),
    ("علي الاقل", "at_least"),  # also before the figure: "على الأقل 2500"
    ("ما يقرب من", "about"),
    ("ما يقارب", "about"),
    ("ما يزيد عن", "more_than"),
    ("ما يزيد علي", "more_than"),
    ("يزيد عن", "more_than"),
    ("يزيد علي", "more_than"),
    ("يربو علي", "more_than"),
    ("يتجاوز", "more_than"),
    ("تتجاوز", "more_than"),
    ("يفوق", "more_than"),
    ("يقارب", "about"),
    ("تقارب", "about"),
    ("يناهز", "about"),
    ("تناهز", "about"),
    ("اكثر من", "more_than"),
    ("ازيد من", "more_than"),
    ("اقل من", "less_than"),
    ("ما دون", "less_than"),
    ("نحو", "about"),
    ("حوالي", "about"),
    ("قرابه", "about"),
    ("زهاء", "about"),
    ("تقريبا", "about"),
)
_QUALIFIERS_BEFORE = tuple((tuple(p.split()), q) for p, q in _PHRASES_BEFORE)
_QUALIFIERS_AFTER: tuple[tuple[tuple[str, ...], Qualifier], ...] = (
    (("تقريبا",), "about"),
    (("علي", "الاقل"), "at_least"),
    (("علي", "الاكثر"), "at_most"),
    (("كحد", "اقصي"), "at_most"),
    (("بحد", "اقصي"), "at_most"),
    (("كحد", "ادني"), "at_least"),
    (("بحد", "ادني"), "at_least"),
)
_COUNT_NOUN = "عدد"
_CLITICS = re.compile(r"^(?:[وف]?[بل]?)")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_THOUSANDS = re.compile(r"\d{1,3}([.,])\d{3}(?:\1\d{3})*")
_WORD = re.compile(r"[^\W\d_]+|\d+")  # "بـ2500": the clitic and the digits apart
_DEFINITE = re.compile(r"^(?:[وف]?(?:بال|لل|ال|ب|ل))")


@dataclass(frozen=True, slots=True)
class Number:
    """A number in normalised text: value, qualifier and its ``[start, end)`` span there."""

    value: int
    qualifier: Qualifier
    start: int
    end: int


def find_numbers(text: str) -> list[Number]:
    """Every number in normalised ``text``, in order, each with its qualifier."""
    words, parsed = _parse_all(text)
    return [_number(words, p) for p in parsed]


def _last_number(text: str) -> Number | None:
    """The last number of ``text`` (only its qualifier is looked for: counts need no other)."""
    words, parsed = _parse_all(text)
    return _number(words, parsed[-1]) if parsed else None


_Words = list[tuple[str, int, int]]
_Parsed = tuple[int, Qualifier, int, int]  # value, qualifier so far, first and end word


def _parse_all(text: str) -> tuple[_Words, list[_Parsed]]:
    words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]
    found: list[_Parsed] = []
    i = 0
    while i < len(words):
        parsed = (
            _parse_digits(text, words, i) if words[i][0][0].isdigit() else _parse_words(words, i)
        )
        if parsed is None:
            i += 1
            continue
        value, qualifier, j = parsed
        found.append((value, qualifier, i, j))
        i = j
    return words, found


def _number(words: _Words, parsed: _Parsed) -> Number:
    value, qualifier, i, j = parsed
    if qualifier == "exact":
        qualifier = _qualifier(words, i, j)
    return Number(value, qualifier, words[i][1], words[j - 1][2])


def _parse_digits(
    text: str, words: list[tuple[str, int, int]], i: int
) -> tuple[int, Qualifier, int] | None:
    m = _DIGITS.match(text, words[i][1])
    if m is None:
        return None
    raw = m.group()
    if _THOUSANDS.fullmatch(raw):
        number = float(re.sub(r"[.,]", "", raw))
    else:
        parts = re.split(r"[.,]", raw)
        number = float(f"{parts[0]}.{parts[1]}") if len(parts) == 2 else float(parts[0])
    j = i + 1
    while j < len(words) and words[j][1] < m.end():
        j += 1  # separators split the digits into several tokens
    if j < len(words) and (mult := _multiplier(words[j][0])):
        number *= mult
        j += 1
    return round(number), "exact", j


def _parse_words(words: list[tuple[str, int, int]], i: int) -> tuple[int, Qualifier, int] | None:
    first = words[i][0]
    stem = _DEFINITE.sub("", first, count=1) if len(first) > 4 else first
    if first not in _STARTERS and stem not in _VAGUE:
        return None
    if stem in _VAGUE:
        value, j = _VAGUE[stem], i + 1
        if j < len(words) and (mult := _multiplier(_DEFINITE.sub("", words[j][0], count=1))):
            value, j = value * mult, j + 1  # عشرات الآلاف
        return value, "at_least", j
    total = current = 0
    j = i
    while j < len(words):
        word = words[j][0]
        if j > i and _multiplier(word):
            pass  # "خمسة مئة", "ثلاثة آلاف": a multiplier needs no و
        elif j > i and word.startswith("و") and len(word) > 2:
            word = word[1:]
        elif j > i and word == "و" and j + 1 < len(words) and words[j + 1][0].isdigit():
            # "ألفين و500": the digits after و finish a number begun in words
            part = int(words[j + 1][0])
            if total and part < 1000:
                return total + current + part, "exact", j + 2
            break
        elif j > i:
            break
        step = _add_word(word, words[j + 1][0] if j + 1 < len(words) else "", total, current)
        if step is None:
            break
        total, current = step
        j += 1
    if j == i:
        return None
    return total + current, "exact", j


def _add_word(word: str, nxt: str, total: int, current: int) -> tuple[int, int] | None:
    """``total`` and ``current`` after one more number word, or None when it is none."""
    if word in _HUNDRED:
        return total, max(current, 1) * 100
    if word in _THOUSAND or word in _MILLION:
        return total + max(current, 1) * (1000 if word in _THOUSAND else 1_000_000), 0
    if word == "الفا" and _joins_number(nxt):
        return total + 1000, current  # "ألفاً وخمسمئة": one thousand, accusative, not the dual
    if word in _TWO_THOUSAND:
        return total + 2000, current
    v = _UNITS.get(word) or _TENS.get(word) or _HUNDREDS.get(word)
    return None if v is None else (total, current + v)


def _joins_number(word: str) -> bool:
    """و + a number word ("وخمسمئة"، "ومئتان"): the next part of a compound number."""
    return word.startswith("و") and word[1:] in _STARTERS


def _multiplier(word: str) -> int:
    if word in _HUNDRED:
        return 100
    if word in _THOUSAND:
        return 1000
    return 1_000_000 if word in _MILLION else 0


def _qualifier_after(after: Sequence[str]) -> Qualifier | None:
    """A qualifier among the words after a figure ("على الأقل"، "كحد أقصى"), or None."""
    for phrase, qualifier in _QUALIFIERS_AFTER:
        for k in range(len(after) - len(phrase) + 1):
            if tuple(after[k : k + len(phrase)]) == phrase:
                return qualifier
    return None


def _qualifier(words: list[tuple[str, int, int]], i: int, j: int) -> Qualifier:
    before = [w for w, _, _ in words[max(0, i - 6) : i]]
    # the counted noun may stand between the verb and the number: "يتجاوز عددهم 2000"،
    # "لا يتجاوز عدد المستشارين خمسة"
    heads = [before]
    if before and before[-1].startswith(_COUNT_NOUN) and before[-1] != _COUNT_NOUN:
        heads.append(before[:-1])
    if len(before) >= 2 and before[-2] == _COUNT_NOUN:
        heads.append(before[:-2])
    for phrase, qualifier in _QUALIFIERS_BEFORE:
        n = len(phrase)
        for head in heads:
            if len(head) < n:
                continue
            tail = head[-n:]
            head_ok = tail[0] == phrase[0] or _CLITICS.sub("", tail[0], count=1) == phrase[0]
            if head_ok and tuple(tail[1:]) == phrase[1:]:
                return qualifier
    return _qualifier_after([w for w, _, _ in words[j : j + 4]]) or "exact"


# --------------------------------------------------------------------------- troop counts

_NUMBER_CONTEXT = 8  # words before a unit given to the parser (room for the qualifier)
# words after a unit where a qualifier of the count may stand: the unit, maybe an adjective,
# then "على الأقل"/"كحد أقصى" ("ألفا جندي أمريكي على الأقل"، "300 جندي كحد أقصى")
_AFTER_UNIT = 3
# A total: عدد + a unit, then إلى + the number a few words on ("عدد القوات … إلى 2000")
_TOTAL_NOUNS = frozenset({"عدد", "وعدد", "بعدد", "لعدد"})
_TO = frozenset({"الي", "والي"})
_REACHES = frozenset({"بلغ", "يبلغ", "وصل", "يصل", "ناهز", "يناهز", "قارب", "يقارب"})
_APPROX = frozenset({"نحو", "حوالي", "قرابه", "زهاء", "اكثر", "اقل"})
_PERCENT = frozenset({"بالمئه", "بالمائه", "المئه", "بالمئة", "%"})
_TOTAL_REACH = 8  # words from the unit to إلى ("عدد قوات التحالف الدولي في العراق سينخفض إلى")
_TO_NUMBER_REACH = 4  # words from إلى to the end of the number ("إلى أقل من ألفين")


@dataclass(frozen=True, slots=True)
class Count:
    """A number right before a troop (or vehicle) unit, with its token range in a scan."""

    first: int
    last: int
    number: Number
    unit: str


def _ends_number(tok: str) -> bool:
    """Could ``tok`` be the last word of a number ("2500", "وخمسمائة", "آلاف", "المئات")?"""
    if tok.isdigit():
        return True
    bare = tok[1:] if tok.startswith("و") and len(tok) > 2 else tok
    return bare in _STARTERS or _DEFINITE.sub("", tok, count=1) in _VAGUE or tok in _VAGUE


def find_counts(scan: Scan, skip: Sequence[tuple[int, int]] = ()) -> list[Count]:
    """Numbers followed by a ``unit`` term of the scan; token ranges in ``skip`` (dates) are not
    counts. Only the few words before each unit are parsed."""
    found: list[Count] = []
    for unit in (h for h in scan.hits if h.term.role == "unit" and h.first > 0):
        if not _ends_number(scan.tokens[unit.first - 1]):
            continue  # most unit words ("القوات") follow no number: skip the parser
        base = scan.starts[max(0, unit.first - _NUMBER_CONTEXT)]
        n = _last_number(scan.text[base : scan.starts[unit.first]])
        if n is None:
            continue
        qualifier = n.qualifier
        if qualifier == "exact":
            after = scan.tokens[unit.last + 1 : unit.last + 1 + _AFTER_UNIT]
            qualifier = _qualifier_after(after) or "exact"
        num = Number(n.value, qualifier, n.start + base, n.end + base)
        first, last = scan.token_at(num.start), scan.token_at(num.end - 1)
        if last + 1 != unit.first or any(a <= first <= b for a, b in skip):
            continue
        if not found or found[-1].first != first:
            found.append(Count(first, last, num, unit.term.text))
    return _with_totals(scan, skip, found)


def _share(scan: Scan, last: int) -> bool:
    """The number ending at token ``last`` is a percentage ("إلى 40%"، "40 بالمئة")."""
    nxt = scan.tokens[last + 1 : last + 3]
    rest = scan.text[scan.ends[last] : scan.ends[last] + 2]
    return "%" in rest or bool(nxt and (nxt[0] in _PERCENT or nxt[1:2] == ("المئه",)))


def _with_totals(scan: Scan, skip: Sequence[tuple[int, int]], found: list[Count]) -> list[Count]:
    """Add the totals a count noun announces: "سينخفض عدد القوات إلى أقل من ألفين"، "بلغ عدد
    المستشارين في العراق نحو 2500" count the unit named after عدد, written before the number."""
    taken = {c.first for c in found}
    n = len(scan.tokens)
    for unit in (h for h in scan.hits if h.term.role == "unit" and h.first > 0):
        if scan.tokens[unit.first - 1] not in _TOTAL_NOUNS:
            continue
        sentence = scan.sentence_of[unit.first]
        verb = scan.tokens[unit.first - 2] if unit.first > 1 else ""
        # "بلغ عدد المستشارين في أربيل نحو 1500": the verb of a total needs no إلى
        reaches = verb.removeprefix("و") in _REACHES
        for t in range(unit.last + 1, min(n, unit.last + 1 + _TOTAL_REACH)):
            if scan.sentence_of[t] != sentence or scan.tokens[t] in _TOTAL_NOUNS:
                break
            tok = scan.tokens[t]
            if tok in _TO:
                base = scan.ends[t]  # the number follows إلى
            elif reaches and (_ends_number(tok) or tok in _APPROX):
                base = scan.starts[t]  # the number (or its qualifier) starts here
            else:
                continue
            stop = min(n - 1, t + _TO_NUMBER_REACH)
            while scan.sentence_of[stop] != sentence:
                stop -= 1
            nums = find_numbers(scan.text[base : scan.ends[stop]])
            if nums:
                num = nums[0]
                num = Number(num.value, num.qualifier, num.start + base, num.end + base)
                first, last = scan.token_at(num.start), scan.token_at(num.end - 1)
                if (
                    first not in taken
                    and not any(a <= first <= b for a, b in skip)
                    and not _share(scan, last)
                ):
                    found.append(Count(first, last, num, unit.term.text))
                    taken.add(first)
            break
    return sorted(found, key=lambda c: c.first)
