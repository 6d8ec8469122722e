"""Claims: the sentences of a relevant article that assert something about the withdrawal.

Rules:

- Sentences end at line breaks and . ! ? ; … (normalised, so ؟ ؛ count). A sentence is cut
  into clauses at commas; a clause with a cue starts a new segment when the segment so far
  already has one, and a clause with only a date ("، والبقية بحلول نهاية 2026") becomes its own
  segment of the same kind when the segment so far already has a dated cue.
- A segment is a claim when it has a cue (``[claims.cues]`` of ``keywords.toml``) or, with no
  cue, a number followed by a troop unit (troop_count); its sentence must name an actor (or a
  ``subjects`` term such as قواتها, or a troop count) and no exclusion may cancel the cue (armed factions nearer
  the action, Syria only...). Agreement cues need a cue of another kind in the sentence.
- A date belongs to the nearest cue before it (within 15 words), else to a cue right after it
  (within 6 words, not a future-tense cue: "أعلنت الشهر الماضي أن المهام ستتحول" is the date of
  the announcement). The claim's kind is the most specific kind among the cues that own a date,
  else the kind of the first cue; its date is the first date that cue owns.
- ``number``: the first number followed by a troop unit; ``places``: gazetteer ids in the
  segment; ``negated``: a denial term, or لم لن لا ليس عدم دون غير up to three words before
  the cue; ``hedged``: a hedge term in the sentence or قد before a present-tense verb;
  ``reports_done``: a completion term with no negation and no future marker.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from monitor import lexicon as lx
from monitor.keywords import KeywordRules, veto_for
from monitor.models import Claim, ClaimKind, DateSpan, NormText, Quantity
from monitor.numbers import Number, find_numbers

PRIORITY = {
    "withdrawal": 7,
    "mission_end": 7,
    "handover": 6,
    "relocation": 5,
    "stay": 5,
    "continue": 5,
    "troop_count": 4,
    "timetable": 3,
    "agreement": 3,
    "other": 1,
}
_AFTER_CUE = 15  # words from a cue to a date it owns
_BEFORE_CUE = 6
_NEGATION_REACH = 3
_DENIED_REACH = 6  # "نفت وزارة الدفاع الأمريكية الأنباء": what a denial denies follows it
_PARTICLES = frozenset({"لم", "لن", "لا", "ليس", "ليست", "عدم", "دون", "بدون", "غير"})
_UNTIL = frozenset({"حتي", "لغايه", "الي", "غايه"})
_UNTIL_ONLY: dict[str, ClaimKind] = {"stay": "withdrawal", "continue": "mission_end"}
_DATE_CLAUSE_WORDS = 3
_NUMBER_CONTEXT = 8  # words before a unit given to the number parser (qualifier included)
_FUTURE_VERB = re.compile(r"^[وف]?س[يتنا]")
_IMPERFECT = re.compile(r"^[يتن]")
_CLAUSE_END = re.compile(r",(?!\d)|(?<!\d),")


@dataclass(slots=True)
class _Clause:
    """A comma-separated piece of a sentence with what it holds."""

    start: int  # character span in the normalised text
    end: int
    cues: list[tuple[lx.Hit, str]]
    dates: list[tuple[int, int, DateSpan]]  # token range and the date
    troop: bool  # has a number followed by a troop unit
    date_only: bool  # a date and at most three other words ("، والبقية بحلول نهاية 2026")


@dataclass(slots=True)
class _Segment:
    clauses: list[_Clause]
    inherited: str | None = None  # kind of the segment before (an elliptical clause)

    @property
    def cues(self) -> list[tuple[int, lx.Hit, str]]:
        return [(ci, h, k) for ci, c in enumerate(self.clauses) for h, k in c.cues]

    @property
    def dates(self) -> list[tuple[int, int, int, DateSpan]]:
        return [(ci, f, la, d) for ci, c in enumerate(self.clauses) for f, la, d in c.dates]

    @property
    def has_cue(self) -> bool:
        return any(c.cues or c.troop for c in self.clauses) or self.inherited is not None


def extract_claims(norm: NormText, dates: list[DateSpan], rules: KeywordRules) -> list[Claim]:
    """Find the claims of an article body.

    Args:
        norm: the normalised body (furniture removed); spans point into ``norm.original``.
        dates: every date of the body (``dates.find_dates``), spans in the original text.
        rules: the compiled keyword rules (cues, flags, places, exclusions).

    Returns:
        The claims in text order.
    """
    scan = rules.lexicon.scan(norm.text)
    date_tokens = [(*_token_range(scan, norm, d.span), d) for d in dates]
    troops = _troop_numbers(scan, date_tokens)
    by_sentence: dict[int, list[lx.Hit]] = {}
    for h in scan.hits:
        by_sentence.setdefault(h.sentence, []).append(h)
    claims: list[Claim] = []
    for sid, (start, end) in enumerate(scan.sentences):
        hits = by_sentence.get(sid, [])
        has_troops = any(scan.sentence_of[f] == sid for f, _, _ in troops)
        if not has_troops and not any(h.term.role in ("actor", "subject") for h in hits):
            continue
        cues = [(h, h.term.tag) for h in hits if h.term.role == "cue"]
        cues = [(h, k) for h, k in cues if veto_for(h, hits, rules) is None]
        if all(k == "agreement" for _, k in cues):
            cues = []  # an agreement about something else ("بعد اتفاق مع التحالف")
        clauses = _clauses(scan, start, end, cues, date_tokens, troops)
        for seg in _segments(scan, clauses):
            claim = _claim(scan, norm, seg, hits, troops)
            if claim is not None:
                claims.append(claim)
    return claims


def _token_range(scan: lx.Scan, norm: NormText, span: tuple[int, int]) -> tuple[int, int]:
    """Token range ``[first, last]`` of an original-text span."""
    start = bisect_left(norm.offsets, span[0])
    end = bisect_left(norm.offsets, span[1])
    first = scan.token_at(start)
    last = max(first, scan.token_at(max(start, end - 1)))
    return first, last


@dataclass(frozen=True, slots=True)
class Troops:
    """A number followed by a troop unit."""

    number: Number
    unit: str


def _troop_numbers(
    scan: lx.Scan, date_tokens: list[tuple[int, int, DateSpan]]
) -> list[tuple[int, int, Troops]]:
    """Numbers right before a troop unit, with their token ranges; parts of dates are skipped.

    Only the few words before each unit are parsed: a number must end where the unit starts.
    """
    found: list[tuple[int, int, Troops]] = []
    for unit in (h for h in scan.hits if h.term.role == "unit" and h.first > 0):
        base = scan.starts[max(0, unit.first - _NUMBER_CONTEXT)]
        nums = find_numbers(scan.text[base : scan.starts[unit.first]])
        if not nums:
            continue
        num = nums[-1]
        num = Number(num.value, num.qualifier, num.start + base, num.end + base)
        first, last = scan.token_at(num.start), scan.token_at(num.end - 1)
        if last + 1 != unit.first or any(df <= first <= dl for df, dl, _ in date_tokens):
            continue
        if not found or found[-1][0] != first:
            found.append((first, last, Troops(num, unit.term.text)))
    return found


def _clauses(
    scan: lx.Scan,
    start: int,
    end: int,
    cues: list[tuple[lx.Hit, str]],
    date_tokens: list[tuple[int, int, DateSpan]],
    troops: list[tuple[int, int, Troops]],
) -> list[_Clause]:
    spans, pos = [], start
    for m in _CLAUSE_END.finditer(scan.text, start, end):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, end))
    clauses = []
    for s, e in spans:
        toks = scan.tokens_in(s, e)
        if not toks:
            continue
        c_dates = [d for d in date_tokens if d[0] in toks]
        dated_words = sum(min(dl, toks.stop - 1) - df + 1 for df, dl, _ in c_dates)
        clauses.append(
            _Clause(
                start=s,
                end=e,
                cues=[(h, k) for h, k in cues if h.first in toks],
                dates=c_dates,
                troop=any(f in toks for f, _, _ in troops),
                date_only=bool(c_dates) and len(toks) - dated_words <= _DATE_CLAUSE_WORDS,
            )
        )
    return clauses


def _segments(scan: lx.Scan, clauses: list[_Clause]) -> list[_Segment]:
    """Group clauses: a new segment starts where a new cue brings its own date."""
    segments: list[_Segment] = []
    for c in clauses:
        cur = segments[-1] if segments else None
        if cur is None:
            segments.append(_Segment([c]))
            continue
        if (c.cues or c.troop) and cur.has_cue and (c.dates or cur.dates):
            segments.append(_Segment([c]))
            continue
        if not c.cues and not c.troop and c.date_only and c.dates[0][2].preposition != "منذ":
            main = _main(cur, scan)
            if main is not None and main[2] is not None:
                segments.append(_Segment([c], inherited=main[1]))
                continue
        cur.clauses.append(c)
    return segments


def _owners(seg: _Segment, scan: lx.Scan) -> dict[int, list[DateSpan]]:
    """For each cue (by index in ``seg.cues``), the dates it owns, in text order.

    A date in another clause than the cue is owned only when its clause is just a date.
    """
    cues = seg.cues
    owned: dict[int, list[DateSpan]] = {}
    for dci, df, dl, d in seg.dates:
        reach = seg.clauses[dci].date_only
        before = [
            (df - h.last, i)
            for i, (ci, h, _) in enumerate(cues)
            if h.last < df and df - h.last <= _AFTER_CUE and (ci == dci or reach)
        ]
        after = [
            (h.first - dl, i)
            for i, (ci, h, _) in enumerate(cues)
            if h.first > dl
            and h.first - dl <= _BEFORE_CUE
            and (ci == dci or reach)
            and not _is_future(scan, h)
        ]
        if before or after:
            owned.setdefault(min(before or after)[1], []).append(d)
    return owned


def _main(seg: _Segment, scan: lx.Scan) -> tuple[lx.Hit | None, str, DateSpan | None] | None:
    """The cue that decides the claim (None when inherited), its kind and date."""
    if seg.inherited:
        return None, seg.inherited, seg.dates[0][3] if seg.dates else None
    cues = seg.cues
    owned = _owners(seg, scan)
    usable = [
        i
        for i, (_, _, kind) in enumerate(cues)
        if kind not in _UNTIL_ONLY or any(_until(d) for d in owned.get(i, ()))
    ]
    if not usable:
        return None
    dated = [i for i in usable if i in owned]
    if dated:
        i = max(dated, key=lambda k: (PRIORITY[cues[k][2]], -k))
        return cues[i][1], cues[i][2], owned[i][0]
    return cues[usable[0]][1], cues[usable[0]][2], None


def _until(d: DateSpan) -> bool:
    return (d.preposition or "") in _UNTIL


def _claim(
    scan: lx.Scan,
    norm: NormText,
    seg: _Segment,
    hits: list[lx.Hit],
    troops: list[tuple[int, int, Troops]],
) -> Claim | None:
    start, end = seg.clauses[0].start, seg.clauses[-1].end
    toks = scan.tokens_in(start, end)
    seg_hits = [h for h in hits if h.first in toks]
    number = next((n for f, _, n in troops if f in toks), None)
    main = _main(seg, scan) if seg.cues or seg.inherited else None
    if main is not None:
        cue, kind, date = main
    elif number is not None:
        cue, kind, date = None, "troop_count", None
    else:
        return None
    negated = _is_negated(scan, seg_hits, cue)
    ostart, oend = norm.original_span(*_trim(scan.text, start, end))
    return Claim(
        kind=_resolve_kind(kind, date),
        sentence=norm.original[ostart:oend],
        date=date,
        places=tuple(dict.fromkeys(h.term.tag for h in seg_hits if h.term.role == "place")),
        number=_quantity(norm, number) if number else None,
        negated=negated,
        hedged=_is_hedged(scan, hits, toks, cue),
        reports_done=_reports_done(scan, seg_hits, cue, negated),
        span=(ostart, oend),
    )


def _resolve_kind(kind: str, date: DateSpan | None) -> ClaimKind:
    """stay/continue cues only count with an until-date: leaving / the mission ending then."""
    if kind in _UNTIL_ONLY:
        return _UNTIL_ONLY[kind]
    return kind  # type: ignore[return-value]


def _quantity(norm: NormText, troops: Troops) -> Quantity:
    num = troops.number
    start, end = norm.original_span(num.start, num.end)
    return Quantity(num.value, num.qualifier, norm.original[start:end], troops.unit, (start, end))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t,;:-\"'":
        start += 1
    while end > start and text[end - 1] in " \t,;:-":
        end -= 1
    return start, end


def _is_future(scan: lx.Scan, cue: lx.Hit) -> bool:
    tok = scan.tokens[cue.first]
    if _FUTURE_VERB.match(tok) and not _FUTURE_VERB.match(cue.term.tokens[0]):
        return True
    return any(
        scan.tokens[t] in ("سيتم", "ستتم", "سوف") for t in range(max(0, cue.first - 2), cue.first)
    )


def _is_negated(scan: lx.Scan, seg_hits: list[lx.Hit], cue: lx.Hit | None) -> bool:
    if any(h.term.role == "negation" for h in seg_hits):
        return True
    if cue is None:
        return False
    for t in range(max(0, cue.first - _NEGATION_REACH), cue.first):
        tok = scan.tokens[t]
        bare = tok[1:] if tok[0] in "وف" and len(tok) > 2 else tok
        if scan.sentence_of[t] != cue.sentence or not {tok, bare} & _PARTICLES:
            continue
        nxt = scan.tokens[t + 1] if t + 1 < len(scan.tokens) else ""
        if not (bare == "لا" and nxt == "سيما"):  # لا سيما: "especially"
            return True
    return False


def _is_hedged(scan: lx.Scan, hits: list[lx.Hit], toks: range, cue: lx.Hit | None) -> bool:
    denials = [h.last for h in hits if h.term.role == "negation"]
    for h in hits:
        # "نفت الأنباء عن…": the reports are what is denied, the denial itself is not hedged
        if h.term.role == "hedge" and not any(0 < h.first - d <= _DENIED_REACH for d in denials):
            return True
    stop = min(cue.first if cue is not None else toks.stop, len(scan.tokens) - 1)
    for t in range(toks.start, stop):
        if scan.tokens[t] in ("قد", "وقد", "فقد"):
            nxt = scan.tokens[t + 1]
            if _IMPERFECT.match(nxt) and not nxt.endswith("ت") and not nxt.startswith("تم"):
                return True
    return False


def _reports_done(scan: lx.Scan, seg_hits: list[lx.Hit], cue: lx.Hit | None, negated: bool) -> bool:
    if negated or not any(h.term.role == "completion" for h in seg_hits):
        return False
    if any(h.term.role == "future" for h in seg_hits):
        return False
    return cue is None or not _is_future(scan, cue)
