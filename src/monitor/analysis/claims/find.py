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
- A troop count right after a ``movers`` word ("نقل 300 مستشار"، "وصول 500 جندي") counts
  those who moved, not the force: with no cue it makes a relocation claim, not a troop_count.
- ``number``: the first troop count of the segment; ``places`` and ``destinations``: gazetteer
  ids in the segment, split by ``claimplaces`` (where it happens, where forces go; a clause that
  makes no claim hands its places to the claim before it; a claim naming none may take the
  foreign country the sentences before it speak of); ``negated``, ``hedged``, ``reports_done``
  and ``phase``: see ``claimflags``.
- A troop count that names no place and refers back to the claim before it in its sentence
  ("… انتقل الفريق إلى قاعدة حرير، وأن الفريق يتألف من أكثر من 200 استشاري"، "… وعددهم نحو
  300") counts the forces of that claim: it takes that claim's places and destinations.
- ``reported``: the date right after a reporting verb and its subject ("أعلنت وزارة الدفاع
  العراقية أمس السبت"، "كشف مصدر، اليوم الأحد، عن"), for the claims after that verb in its
  sentence; never a date after أنّ/إنّ or a cue (that one is the event's), never a year, and
  never after the publication day.
- ``sentence`` is the original text of the segment and ``span`` its place in it.
- A range of two dates ("بين أيلول 2025 وأيلول 2026") dates a claim as one interval.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace
from datetime import date

from monitor.analysis import lexicon as lx
from monitor.analysis.claims.clauses import (
    UNTIL_ONLY,
    Cue,
    DateAt,
    Segment,
    SentenceView,
    claim_cues,
    clauses_of,
    segments_of,
    until,
)
from monitor.analysis.claims.flags import is_hedged, is_negated, phase_of, reports_done
from monitor.analysis.claims.places import (
    TOWARDS,
    destination_tokens,
    foreign_focus,
    is_move,
    split_places,
)
from monitor.analysis.keywords import KeywordRules, veto_for
from monitor.analysis.numerals import Count, find_counts
from monitor.models import POLITICAL_KINDS, Claim, ClaimKind, DateSpan, NormText, Quantity
from monitor.normalize import normalize_text

_UNTIL_KIND: dict[str, ClaimKind] = {"stay": "withdrawal", "continue": "mission_end"}
_OWN_KIND: dict[str, ClaimKind] = {"complete": "mission_end"}  # cue kinds that are no claim kind
# Kinds whose one-word cues make a claim even when the sentence names no actor ("الانسحاب").
_SELF_ANCHORED = frozenset({"withdrawal", "handover", "relocation", "presence_end"})
_CLAIM_ROLES = frozenset({"cue", "pverb", "unit"})
_COUNT_DATE_GAP = 2  # words between a count and its date (the unit noun, a preposition)
_RELATIVE = frozenset({"الذي", "التي", "الذين", "اللذين", "اللتين", "اللواتي"})
# words from a mover to the count it moves ("نقل نحو 300"، "أرسلت وزارة الدفاع الأمريكية 1500")
_MOVER_REACH = 5
_TOTAL = ("عدد", "وعدد", "بعدد")  # "وصل عدد الجنود إلى 2500": a total, not who moved
_AFTER_MOVE = 20  # words from a moved count to the date of the move
_GOES_ON_REACH = 2  # words from "تتواصل" to the move that goes on ("تتواصل عمليات انسحاب")
# Ending presence at a base (a presence_end cue followed by one of these) hands the base over.
_BASE_NOUNS = frozenset(
    {"قاعده", "القاعده", "قواعد", "القواعد", "معسكر", "المعسكر", "مقر", "المقر", "مقرات", "المقرات"}
)
_BASE_REACH = 6
_RANGE_AND = re.compile(r"\s*و\s*")  # between two dates of a range: و stays outside the second
_GRAINS = ("day", "week", "part_of_month", "month", "part_of_year", "year")
_CONTRAST_NOUNS = frozenset({"حين", "المقابل", "وقت"})  # في حين، في المقابل، في وقت
_REPORT_REACH = 8  # words between a reporting verb and its date (the subject: "وزارة الدفاع…")
# "أعلن أن القوات ستنسحب الشهر المقبل": a date after أنّ/إنّ is what was reported, not when
_THAT = re.compile(r"^[وفبل]?(ان|انه|انها|انهم)$")
# words of a count clause that point back at the forces named before: a pronoun on the count
# noun, or a group noun with the article ("الفريق" after "فريق الاستشاريين")
_BACK_REF = re.compile(
    r"(?<!\w)(?:[وف]?(?:عدد|قوام)(?:هم|ها|ه)|[وفب]?ال(?:فريق|قوه|وحده|رتل|دفعه|مجموعه|كتيبه))(?!\w)"
)


def extract_claims(
    norm: NormText, dates: list[DateSpan], rules: KeywordRules, published: date | None = None
) -> list[Claim]:
    """Find the claims of an article body.

    Args:
        norm: the normalised body (furniture removed); spans point into ``norm.original``.
        dates: every date of the body (``dates.find_dates``), spans in the original text.
        rules: the compiled keyword rules (cues, flags, places, exclusions).
        published: the publication day; a reporting date after it is no reporting date.

    Returns:
        The claims in text order.
    """
    scan = rules.lexicon.scan(norm.text)
    dates = join_ranges(norm.original, dates)
    date_at: list[DateAt] = [(*_token_range(scan, norm, d.span), d) for d in dates]
    counts = find_counts(scan, [(a, b) for a, b, _ in date_at])
    by_sentence: dict[int, list[lx.Hit]] = {}
    for h in scan.hits:
        by_sentence.setdefault(h.sentence, []).append(h)
    abroad = any(h.term.role == "place" and h.term.tag in rules.foreign for h in scan.hits)
    claims: list[Claim] = []
    for sid, (start, end) in enumerate(scan.sentences):
        hits = by_sentence.get(sid, [])
        reports = _reports(scan, hits, [d for d in date_at if scan.sentence_of[d[0]] == sid])
        reports = tuple(r for r in reports if published is None or r[1].start <= published)
        sv = SentenceView(scan, hits, rules, abroad, reports)
        here = [c for c in counts if scan.sentence_of[c.first] == sid]
        cues = _sentence_cues(sv, bool(here))
        if not cues and not here:
            continue
        clauses = clauses_of(scan, start, end, cues, date_at, {c.first for c in here})
        claims.extend(_sentence_claims(sv, norm, segments_of(sv, clauses), here))
    return claims


def join_ranges(original: str, dates: list[DateSpan]) -> list[DateSpan]:
    """ "بين أيلول 2025 وأيلول 2026": a claim dated by a range happens over the whole of it,
    from the first date's start to the second's end, as coarse as the coarser of the two (the
    date finder keeps the two dates apart; a claim needs the interval)."""
    out: list[DateSpan] = []
    for d in dates:
        a = out[-1] if out else None
        if (
            a is not None
            and a.preposition == "بين"
            and _RANGE_AND.fullmatch(original, a.span[1], d.span[0])
            and a.start <= d.start
            and a.end <= d.end
        ):
            grain = max(a.granularity, d.granularity, key=_GRAINS.index)
            text = original[a.span[0] : d.span[1]]
            out[-1] = DateSpan(text, a.start, d.end, grain, a.preposition, (a.span[0], d.span[1]))
            continue
        out.append(d)
    return out


def claim_sentences(norm: NormText, rules: KeywordRules) -> list[tuple[int, int]]:
    """Spans of the sentences of ``norm.text`` that may hold a claim (a cue word, the verb of a
    cue pair or a troop unit): the only ones whose dates ``extract_claims`` reads."""
    scan = rules.lexicon.scan(norm.text)
    wanted = {h.sentence for h in scan.hits if h.term.role in _CLAIM_ROLES}
    return [span for i, span in enumerate(scan.sentences) if i in wanted]


def _reports(
    scan: lx.Scan, hits: list[lx.Hit], dates: list[DateAt]
) -> tuple[tuple[int, DateSpan], ...]:
    """Each reporting verb of a sentence with the date right after it and its subject."""
    blockers = [h.first for h in hits if h.term.role in ("cue", "pverb")]
    found = []
    for verb in (h for h in hits if h.term.role == "report"):
        # only the first date after the verb can be its own
        first, _, d = min((x for x in dates if x[0] > verb.last), default=(0, 0, None))
        if d is None or first - verb.last - 1 > _REPORT_REACH:
            continue
        between = scan.tokens[verb.last + 1 : first]
        if (
            d.granularity not in ("year", "part_of_year")
            and not any(_THAT.match(t) for t in between)
            and not any(verb.last < b < first for b in blockers)
        ):
            found.append((verb.first, d))
    return tuple(found)


def _reported(sv: SentenceView, anchor: int) -> DateSpan | None:
    """The reporting date of a claim whose cue starts at token ``anchor``: the last reporting
    verb before it in its sentence."""
    before = [d for first, d in sv.reports if first < anchor]
    return before[-1] if before else None


def _token_range(scan: lx.Scan, norm: NormText, span: tuple[int, int]) -> tuple[int, int]:
    """Token range ``[first, last]`` of an original-text span."""
    start = bisect_left(norm.offsets, span[0])
    end = bisect_left(norm.offsets, span[1])
    first = scan.token_at(start)
    return first, max(first, scan.token_at(max(start, end - 1)))


def _sentence_cues(sv: SentenceView, has_counts: bool) -> list[Cue]:
    """The cues of one sentence that may make claims, in text order."""
    anchored = has_counts or any(h.term.role in ("actor", "subject") for h in sv.hits)
    found = [
        (h, h.term.tag)
        for h in sv.hits
        if h.term.role == "cue" and not (h.term.tag in UNTIL_ONLY and _goes_on(sv.hits, h))
    ] + _pair_cues(sv)
    found = [
        (h, k)
        for h, k in sorted(found, key=lambda c: c[0].first)
        # the Iraqi side receiving a base is no one else's move ("ستتسلم البيشمركة المواقع")
        if veto_for(h, sv.hits, sv.rules, sv.scan.tokens, nearer_actor=k != "handover") is None
    ]
    cues = [(h, k) for h, k in found if anchored or len(h.term.tokens) > 1 or k in _SELF_ANCHORED]
    if any(k in _SELF_ANCHORED for _, k in cues):
        # a move anchors staying in the same sentence ("خفضتا عدد مدربيهما، مع الإبقاء على
        # وجود في كردستان"): where they stay is another claim than where they leave
        cues = [(h, k) for h, k in found if (h, k) in cues or k in UNTIL_ONLY]
    if all(k == "agreement" for _, k in cues):
        return []  # an agreement about something else ("بعد اتفاق مع التحالف")
    return cues


def _goes_on(hits: list[lx.Hit], cue: lx.Hit) -> bool:
    """A continuing cue says that something else goes on: a preparation ("تتواصل استعدادات
    بغداد لإعلان…") or a move right after it ("تتواصل عمليات انسحاب القوات")."""
    for h in hits:
        gap = h.first - cue.last
        if 0 < gap <= _GOES_ON_REACH and (
            (h.term.role == "prepare" and gap == 1) or (h.term.role == "cue" and is_move(h))
        ):
            return True
    return False


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
        if _opens_contrast(sv.scan, seg):
            continue  # "…، فيما تواصل القوات مهامها في العراق": another subject, not its place
        claims[k] = _hand_places(sv, claims[k], seg)
    for i in range(1, len(claims)):
        claims[i] = _count_refers_back(claims[i], claims[i - 1])
    return [_focus(sv, c) for c in claims]


def _opens_contrast(scan: lx.Scan, seg: Segment) -> bool:
    """The clause opens with "while" or "whereas" (فيما، بينما، في حين، في المقابل): it speaks of
    something else beside the claim before it, so its places are not that claim's."""
    toks = scan.tokens_in(seg.start, seg.end)
    words = scan.tokens[toks.start : min(toks.stop, toks.start + 2)]
    if not words:
        return False
    first = words[0][1:] if words[0][:1] == "و" and len(words[0]) > 3 else words[0]
    second = words[1] if len(words) > 1 else ""
    if first == "فيما":
        return second not in ("يتعلق", "يخص")  # "فيما يتعلق بـ": about, not while
    return first == "بينما" or (first == "في" and second in _CONTRAST_NOUNS)


def _count_refers_back(claim: Claim, before: Claim) -> Claim:
    """A troop count naming no place that points back at the claim before it counts the forces
    of that claim, where they are and where they went."""
    if claim.kind != "troop_count" or claim.places or claim.destinations:
        return claim
    if not _BACK_REF.search(normalize_text(claim.sentence)):
        return claim
    return replace(claim, places=tuple(dict.fromkeys(before.places + before.destinations)))


def _hand_places(sv: SentenceView, claim: Claim, seg: Segment) -> Claim:
    """A clause with no claim of its own adds its places to the claim before it; where it
    sends forces (", متجها إلى أربيل") they are destinations, and a withdrawal a relocation."""
    start = sv.scan.token_at(sv.scan.text.rfind(",", 0, seg.start) + 1)
    toks = sv.scan.tokens_in(seg.start, seg.end)
    # the claim's own words are what moves ("غادر الرتل القاعدة، متجها إلى أربيل")
    places, dest = split_places(sv.scan, sv.hits, range(min(start, toks.start), toks.stop))
    here = {h.term.tag for h in sv.hits if h.term.role == "place" and h.first in toks}
    dest = tuple(p for p in dest if p in here)
    kind = claim.kind
    if (
        dest
        and kind == "withdrawal"
        and TOWARDS.intersection(lx.prefix_forms(sv.scan.tokens[toks.start]))
    ):
        kind = "relocation"
    return replace(
        claim,
        kind=kind,
        places=tuple(dict.fromkeys(claim.places + tuple(p for p in places if p in here))),
        destinations=tuple(dict.fromkeys(claim.destinations + dest)),
    )


def _focus(sv: SentenceView, claim: Claim) -> Claim:
    """A claim naming no place, in a sentence naming none, takes the foreign country in focus."""
    if claim.places or claim.destinations or not sv.abroad:
        return claim
    return replace(claim, places=foreign_focus(sv.scan, sv.hits[0].sentence, sv.rules))


def _claims(sv: SentenceView, norm: NormText, seg: Segment, counts: list[Count]) -> list[Claim]:
    """The claims of one segment: its main cue's, one per other cue with a date of its own, or
    a troop count's."""
    toks = sv.scan.tokens_in(seg.start, seg.end)
    count = next((c for c in counts if c.first in toks), None)
    cues = claim_cues(seg, sv) if seg.cues or seg.inherited else []
    if not cues and count is not None:
        mover = _mover(sv, count)
        if mover is None:
            cues = [(None, "troop_count", _count_date(sv.scan, seg, count))]
        else:
            cues = [(mover, "relocation", _mover_date(seg, mover, count))]
    return [_claim(sv, norm, seg, toks, count, *c) for c in cues]


def _mover(sv: SentenceView, count: Count) -> lx.Hit | None:
    """A word moving people just before a count ("نقل 300 مستشار"، "وصول نحو 500 جندي")."""
    movers = [
        h
        for h in sv.hits
        if h.term.role in ("mover", "pverb")
        and 0 < count.first - h.last <= _MOVER_REACH
        and "," not in sv.scan.text[sv.scan.ends[h.last] : sv.scan.starts[count.first]]
        and not any(t.startswith(_TOTAL) for t in sv.scan.tokens[h.last + 1 : count.first])
    ]
    return movers[-1] if movers else None


def _mover_date(seg: Segment, mover: lx.Hit, count: Count) -> DateSpan | None:
    """The date of a move: the nearest after the count, else one just before the mover."""
    after = [(f - count.last, d) for _, f, _, d in seg.dates if 0 < f - count.last <= _AFTER_MOVE]
    before = [(mover.first - la, d) for _, _, la, d in seg.dates if 0 < mover.first - la <= 3]
    found = min(after or before, key=lambda x: x[0], default=None)
    return found[1] if found else None


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
    negated = is_negated(scan, seg_hits, cue)
    start, end = norm.original_span(*_trim(scan.text, seg.start, seg.end))
    dest_at = destination_tokens(scan, seg_hits, toks)
    kind = _refine_kind(scan, seg_hits, toks, cue, _resolve_kind(kind, date), dest_at)
    # between governments' agreements "بغداد وواشنطن" is where it was agreed, as the judge reads it
    places, destinations = split_places(scan, seg_hits, toks, dest_at, kind in POLITICAL_KINDS)
    return Claim(
        kind=kind,
        sentence=norm.original[start:end],
        date=date,
        places=places,
        number=_quantity(norm, count) if count else None,
        negated=negated,
        hedged=is_hedged(scan, sv.hits, toks, cue),
        reports_done=reports_done(scan, norm, seg_hits, cue, negated),
        span=(start, end),
        destinations=destinations,
        phase=phase_of(scan, seg_hits, cue),
        reported=_reported(sv, cue.first if cue else toks.start),
    )


def _resolve_kind(kind: str, date: DateSpan | None) -> ClaimKind:
    """Staying until a date is leaving then; staying somewhere with no end date is a timetable."""
    if kind in UNTIL_ONLY:
        return _UNTIL_KIND[kind] if date is not None and until(date) else "timetable"
    if kind in _OWN_KIND:
        return _OWN_KIND[kind]
    return kind  # type: ignore[return-value]  # presence_end is settled by _refine_kind


def _refine_kind(
    scan: lx.Scan,
    seg_hits: list[lx.Hit],
    toks: range,
    cue: lx.Hit | None,
    kind: str,
    dest_at: set[int],
) -> ClaimKind:
    """Ending presence at a base is a handover; leaving towards a place is a relocation."""
    if cue is None:
        return kind  # type: ignore[return-value]
    if kind == "presence_end":
        near = scan.tokens[cue.last + 1 : min(toks.stop, cue.last + 1 + _BASE_REACH)]
        return (
            "handover"
            if any(_BASE_NOUNS.intersection(lx.prefix_forms(t)) for t in near)
            else "withdrawal"
        )
    if kind == "withdrawal":
        # "غادر الرتل الأنبار متجها إلى أربيل"; but in "وتيرة الانسحاب، مع نقل المعدات إلى
        # أربيل" what goes to Erbil goes with another move
        others = [
            h.first
            for h in seg_hits
            if is_move(h) and h.first > cue.last and scan.tokens[h.first - 1] in ("مع", "ومع")
        ]
        for t in dest_at:
            if t > cue.last and not any(o < t for o in others):
                return "relocation"
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
