"""Claims: the sentences of a relevant article that assert something about the withdrawal.

Rules (cue lists and flags live in ``[claims]`` of ``keywords.toml``):

- Sentences end at line breaks and . ! ? ; … (normalised, so ؟ ؛ count); ``clauses`` cuts them
  at commas into segments, one claim each, and picks each claim's date and main cue.
- A segment is a claim when it has a cue or, with no cue, a number followed by a troop unit
  (troop_count). Cues are terms of ``[claims.cues]`` and verb + object pairs of
  ``[[claims.pairs]]``. No exclusion may cancel a cue (armed factions nearer the action, Syria
  only...). One-word cues of the vaguer kinds (mission_end, timetable, agreement, stay,
  continue: "تنتهي"، "موعد") need an actor, a ``subjects`` term or a troop count in the
  sentence; agreement cues need a cue of another kind in the sentence.
- ``number``: the first troop count of the segment; ``places``: gazetteer ids in the segment
  (a clause that makes no claim hands its places to the claim before it); ``negated``: a denial
  term before the cue (``negation``: نفى، لا يعني) or after it (``negation_after``: غير دقيقة),
  or لم لن لا ليس عدم دون غير up to three words before the cue; ``hedged``: a hedge term
  in the sentence that no denial covers ("نفى الأنباء"), or قد before a present-tense verb;
  ``reports_done``: a completion term with no negation and no future marker.
- ``sentence`` is the original text of the segment and ``span`` its place in it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace

from monitor import lexicon as lx
from monitor.clauses import (
    UNTIL_ONLY,
    Cue,
    DateAt,
    Segment,
    SentenceView,
    claim_cues,
    clauses_of,
    is_future,
    segments_of,
    until,
)
from monitor.keywords import KeywordRules, distance, veto_for
from monitor.models import Claim, ClaimKind, DateSpan, NormText, Quantity
from monitor.numbers import Count, find_counts

_NEGATION_REACH = 3
_DENIED_REACH = 12  # "نفت وزارة الدفاع الأمريكية الأنباء": a denial is near what it denies
# Hedges that are what a denial denies ("نفت الأنباء"); a source ("نفى مصدر") still hedges.
_REPORTS = frozenset({"تقارير", "انباء", "تسريبات", "شائعات"})
_PARTICLES = frozenset({"لم", "لن", "لا", "ليس", "ليست", "عدم", "دون", "بدون", "غير"})
_UNTIL_KIND: dict[str, ClaimKind] = {"stay": "withdrawal", "continue": "mission_end"}
_OWN_KIND: dict[str, ClaimKind] = {"complete": "mission_end"}  # cue kinds that are no claim kind
# Kinds whose one-word cues make a claim even when the sentence names no actor ("الانسحاب").
_SELF_ANCHORED = frozenset({"withdrawal", "handover", "relocation", "presence_end"})
_IMPERFECT = re.compile(r"^[يتن]")
_CLAIM_ROLES = frozenset({"cue", "pverb", "unit"})
_COUNT_DATE_GAP = 2  # words between a count and its date (the unit noun, a preposition)
_RELATIVE = frozenset({"الذي", "التي", "الذين", "اللذين", "اللتين", "اللواتي"})
# Where forces go: a withdrawal cue followed by one of these and a place is a relocation.
_TOWARDS = frozenset(
    {"الي", "باتجاه", "نحو", "صوب", "متجها", "متجهه", "متجهين", "متوجها", "متوجهه"}
)
_DESTINATION_REACH = 12
# Ending presence at a base (a presence_end cue followed by one of these) hands the base over.
_BASE_NOUNS = frozenset(
    {"قاعده", "القاعده", "قواعد", "القواعد", "معسكر", "المعسكر", "مقر", "المقر", "مقرات", "المقرات"}
)
_BASE_REACH = 6


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
    date_at: list[DateAt] = [(*_token_range(scan, norm, d.span), d) for d in dates]
    counts = find_counts(scan, [(a, b) for a, b, _ in date_at])
    by_sentence: dict[int, list[lx.Hit]] = {}
    for h in scan.hits:
        by_sentence.setdefault(h.sentence, []).append(h)
    claims: list[Claim] = []
    for sid, (start, end) in enumerate(scan.sentences):
        sv = SentenceView(scan, by_sentence.get(sid, []), rules)
        here = [c for c in counts if scan.sentence_of[c.first] == sid]
        cues = _sentence_cues(sv, bool(here))
        if not cues and not here:
            continue
        clauses = clauses_of(scan, start, end, cues, date_at, {c.first for c in here})
        claims.extend(_sentence_claims(sv, norm, segments_of(sv, clauses), here))
    return claims


def claim_sentences(norm: NormText, rules: KeywordRules) -> list[tuple[int, int]]:
    """Spans of the sentences of ``norm.text`` that may hold a claim (a cue word, the verb of a
    cue pair or a troop unit): the only ones whose dates ``extract_claims`` reads."""
    scan = rules.lexicon.scan(norm.text)
    wanted = {h.sentence for h in scan.hits if h.term.role in _CLAIM_ROLES}
    return [span for i, span in enumerate(scan.sentences) if i in wanted]


def _token_range(scan: lx.Scan, norm: NormText, span: tuple[int, int]) -> tuple[int, int]:
    """Token range ``[first, last]`` of an original-text span."""
    start = bisect_left(norm.offsets, span[0])
    end = bisect_left(norm.offsets, span[1])
    first = scan.token_at(start)
    return first, max(first, scan.token_at(max(start, end - 1)))


def _sentence_cues(sv: SentenceView, has_counts: bool) -> list[Cue]:
    """The cues of one sentence that may make claims, in text order."""
    anchored = has_counts or any(h.term.role in ("actor", "subject") for h in sv.hits)
    found = [(h, h.term.tag) for h in sv.hits if h.term.role == "cue"] + _pair_cues(sv)
    cues = [
        (h, k)
        for h, k in sorted(found, key=lambda c: c[0].first)
        if (anchored or len(h.term.tokens) > 1 or k in _SELF_ANCHORED)
        # the Iraqi side receiving a base is no one else's move ("ستتسلم البيشمركة المواقع")
        and veto_for(h, sv.hits, sv.rules, sv.scan.tokens, nearer_actor=k != "handover") is None
    ]
    if all(k == "agreement" for _, k in cues):
        return []  # an agreement about something else ("بعد اتفاق مع التحالف")
    return cues


def _pair_cues(sv: SentenceView) -> list[Cue]:
    """Cues made of a verb with its object nearby (``[[claims.pairs]]``): "سلّم … قاعدة"."""
    objects = [h for h in sv.hits if h.term.role == "pobject"]
    found = []
    for verb in (h for h in sv.hits if h.term.role == "pverb"):
        pair = sv.rules.pairs[int(verb.term.tag)]
        if any(
            o.term.tag == verb.term.tag
            and (0 < o.first - verb.last <= pair.after or 0 < verb.first - o.last <= pair.before)
            for o in objects
        ):
            found.append((verb, pair.kind))
    return found


def _sentence_claims(
    sv: SentenceView, norm: NormText, segments: list[Segment], counts: list[Count]
) -> list[Claim]:
    """The claims of one sentence; places of clauses that make no claim go to a neighbour."""
    found = [(_claims(sv, norm, seg, counts), seg) for seg in segments]
    claims = [c for made, _ in found for c in made]
    k = 0  # index in ``claims`` of the last claim seen
    seen = 0
    for made, seg in found:
        if made:
            k, seen = seen + len(made) - 1, seen + len(made)
            continue
        if not claims:
            break
        toks = sv.scan.tokens_in(seg.start, seg.end)
        extra = tuple(h.term.tag for h in sv.hits if h.term.role == "place" and h.first in toks)
        claims[k] = replace(claims[k], places=tuple(dict.fromkeys(claims[k].places + extra)))
    return claims


def _claims(sv: SentenceView, norm: NormText, seg: Segment, counts: list[Count]) -> list[Claim]:
    """The claims of one segment: its main cue's, one per other cue with a date of its own, or
    a troop count's."""
    toks = sv.scan.tokens_in(seg.start, seg.end)
    count = next((c for c in counts if c.first in toks), None)
    cues = claim_cues(seg, sv) if seg.cues or seg.inherited else []
    if not cues and count is not None:
        cues = [(None, "troop_count", _count_date(sv.scan, seg, count))]
    return [_claim(sv, norm, seg, toks, count, *c) for c in cues]


def _claim(
    sv: SentenceView,
    norm: NormText,
    seg: Segment,
    toks: range,
    count: Count | None,
    cue: lx.Hit | None,
    kind: str,
    date: DateSpan | None,
) -> Claim:
    scan = sv.scan
    seg_hits = [h for h in sv.hits if h.first in toks]
    negated = _is_negated(scan, seg_hits, cue)
    start, end = norm.original_span(*_trim(scan.text, seg.start, seg.end))
    return Claim(
        kind=_refine_kind(scan, seg_hits, toks, cue, _resolve_kind(kind, date)),
        sentence=norm.original[start:end],
        date=date,
        places=tuple(dict.fromkeys(h.term.tag for h in seg_hits if h.term.role == "place")),
        number=_quantity(norm, count) if count else None,
        negated=negated,
        hedged=_is_hedged(scan, sv.hits, toks, cue),
        reports_done=_reports_done(scan, seg_hits, cue, negated),
        span=(start, end),
    )


def _resolve_kind(kind: str, date: DateSpan | None) -> ClaimKind:
    """Staying until a date is leaving then; staying somewhere with no end date is a timetable."""
    if kind in UNTIL_ONLY:
        return _UNTIL_KIND[kind] if date is not None and until(date) else "timetable"
    if kind in _OWN_KIND:
        return _OWN_KIND[kind]
    return kind  # type: ignore[return-value]  # presence_end is settled by _refine_kind


def _refine_kind(
    scan: lx.Scan, seg_hits: list[lx.Hit], toks: range, cue: lx.Hit | None, kind: str
) -> ClaimKind:
    """Ending presence at a base is a handover; leaving towards a place is a relocation."""
    if cue is None:
        return kind  # type: ignore[return-value]
    after = range(cue.last + 1, min(toks.stop, cue.last + 1 + _DESTINATION_REACH))
    if kind == "presence_end":
        near = (scan.tokens[t] for t in after[:_BASE_REACH])
        return (
            "handover"
            if any(_BASE_NOUNS.intersection(lx.prefix_forms(t)) for t in near)
            else "withdrawal"
        )
    if kind == "withdrawal":
        places = {h.first for h in seg_hits if h.term.role in ("place", "x_place")}
        for t in after:
            if "," in scan.text[scan.ends[cue.last] : scan.starts[t]]:
                break  # another clause: "وتيرة الانسحاب، مع نقل المعدات إلى أربيل"
            if scan.tokens[t] in _TOWARDS and places.intersection(range(t + 1, t + 4)):
                return "relocation"  # "غادر الرتل الأنبار متجها إلى أربيل"
    return kind  # type: ignore[return-value]


def _count_date(scan: lx.Scan, seg: Segment, count: Count) -> DateSpan | None:
    """A troop count with no cue takes a date right next to it ("بلغ نحو 5200 جندي مطلع عام
    2020"), not one further on ("… جندي في العراق ضمن التحالف الذي تشكل عام 2014")."""
    for _, first, last, d in seg.dates:
        gap = range(count.last + 1, first) if first > count.last else range(last + 1, count.first)
        words = scan.tokens[gap.start : gap.stop]
        if len(words) <= _COUNT_DATE_GAP and not _RELATIVE.intersection(words):
            return d
    return None


def _quantity(norm: NormText, count: Count) -> Quantity:
    num = count.number
    start, end = norm.original_span(num.start, num.end)
    return Quantity(num.value, num.qualifier, norm.original[start:end], count.unit, (start, end))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t,;:-\"'":
        start += 1
    while end > start and text[end - 1] in " \t,;:-":
        end -= 1
    return start, end


def _is_negated(scan: lx.Scan, seg_hits: list[lx.Hit], cue: lx.Hit | None) -> bool:
    first = cue.first if cue is not None else len(scan.tokens)
    last = cue.last if cue is not None else -1
    for h in seg_hits:
        if h.term.role == "negation" and h.first <= first:
            return True
        if h.term.role == "negation_after" and h.first > last:
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
    denials = [h for h in hits if h.term.role in ("negation", "negation_after")]
    for h in hits:
        # "نفت الأنباء عن…"، "التقارير… غير دقيقة": the reports are what is denied
        if h.term.role != "hedge":
            continue
        if h.term.tokens[0] not in _REPORTS or not any(
            distance(h, d) <= _DENIED_REACH for d in denials
        ):
            return True
    stop = min(cue.first if cue is not None else toks.stop, len(scan.tokens) - 1)
    for t in range(toks.start, stop):
        if scan.tokens[t] in ("قد", "وقد", "فقد"):  # قد + present tense: "may"
            nxt = scan.tokens[t + 1]
            if _IMPERFECT.match(nxt) and not nxt.endswith("ت") and not nxt.startswith("تم"):
                return True
    return False


def _reports_done(scan: lx.Scan, seg_hits: list[lx.Hit], cue: lx.Hit | None, negated: bool) -> bool:
    if negated or not any(h.term.role == "completion" for h in seg_hits):
        return False
    if any(h.term.role == "future" for h in seg_hits):
        return False
    return cue is None or not is_future(scan, cue)
