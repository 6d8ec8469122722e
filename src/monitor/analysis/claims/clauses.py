"""Clauses, segments and the date each claim cue owns (used by ``claims``).

Rules:

- A sentence is cut into clauses at commas (not inside numbers). Clauses are grouped into
  segments, one claim each: a clause with a cue (or a troop count) starts a new segment when the
  segment so far has one too and either brings a date, or one is a bare troop count and the
  other a cue, or both are bare troop counts (a list of counts, each with its place), or it
  only stays (يبقى، الإبقاء) after a move. A clause that is only a date ("، والبقية بحلول نهاية 2026") becomes a segment of
  its own that inherits the kind of the segment before, when that one has a dated cue.
- A date belongs to the nearest cue before it (within 20 words, unless words of another event
  such as الانتخابات or إجراء stand between), else to a cue shortly after it that is not in the
  future ("أعلنت الشهر الماضي أن المهام ستتحول" is the date of the announcement). A date in
  another clause than the cue counts only when its clause is just a date or starts with one.
  A cue left without a date may take the date of an earlier clause. In a demand or a call
  (طالبت، دعا) only dates after the cue count. A schedule word
  ("وفق الموعد المحدد في أيلول") hands its date to the move before it. Staying cues own only
  until-dates (حتى، لغاية). A date right after a ``signed`` word ("الموقع في"، "الصادر في")
  belongs to the agreement before it: "اتفاق إنهاء المهمة الموقع في 2024" was signed then.
- The main cue is a cue right after a denial ("… لا يعني انتهاء الوجود"، "ولن تغادرها"، "لا
  تشمل انسحاب"), else the most
  specific kind among the cues that own a date, else the first cue; a cue right after بعد/عقب/
  قبل… ("سيتم تسليم القاعدة بعد انسحاب القوات منها في أيلول") is the background of the others
  and is main only when all are such; when dated, it stays a claim of its own.
  A staying cue without an until-date counts only when a place more precise than a country
  follows it ("يحتفظ الأمريكيون بقوة في أربيل", not "بقاء القوات في العراق").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.analysis import lexicon as lx
from monitor.analysis.keywords import KeywordRules
from monitor.models import DateSpan

PRIORITY = {
    "withdrawal": 7,
    "presence_end": 7,
    "mission_end": 7,
    "handover": 6,
    "relocation": 5,
    "stay": 5,
    "continue": 5,
    "troop_count": 4,
    "timetable": 3,
    "complete": 3,
    "agreement": 3,
    "other": 1,
}
UNTIL_ONLY = frozenset({"stay", "continue"})
_UNTIL = frozenset({"حتي", "لغايه", "الي", "غايه"})
_MOVES = frozenset({"withdrawal", "presence_end", "mission_end", "handover", "relocation"})
# "تنتهي المرحلة وفق الاتفاق في أيلول": an agreement named after these words is the schedule
# the move follows, and the date after it is the move's.
_FOLLOWING = frozenset({"وفق", "وفقا", "بموجب", "طبقا", "حسب", "بحسب", "تنفيذا", "تطبيقا"})
_SCHEDULE_DATE_GAP = 2
_AFTER_CUE = 20  # words from a cue to a later date it owns
_BEFORE_CUE = 10  # words from an earlier date to its cue...
_BEFORE_DONE_CUE = 15  # ...when the segment reports something done (the date is the event's)
_DATE_CLAUSE_WORDS = 3
_STAY_PLACE_REACH = 8
_DENIAL_REACH = 4
_SIGNED_GAP = 2  # words from "الموقع" to its date ("الموقع في 2024"، "الموقعة بتاريخ")
# Between a cue and a later date, these words bring in another event the date belongs to
# ("ستنتهي المرحلة الأولى قبل شهر من إجراء الانتخابات المقرر إجراؤها في أكتوبر").
_OTHER_EVENT = frozenset(
    {"اجراء", "اجراؤها", "الانتخابات", "انتخابات", "زياره", "اجتماع", "مؤتمر", "قمه"}
)
# "لن تغادر"، "لم تنسحب"، "لا تشمل انسحاب": the move denied, the particle at most two words
# before it
_NOT_DONE = frozenset({"لن", "لم", "لا"})
_PARTICLE_REACH = 2
_TEMPORAL_WORDS = frozenset({"بعد", "عقب", "اثر", "بعيد", "فور", "قبل", "قبيل"})
_IMMINENT = frozenset({"قرب", "اقتراب", "وشك", "قريبا"})
_FUTURE_VERB = re.compile(r"^[وف]?س[يتنا]")
_CLAUSE_END = re.compile(r",(?!\d)|(?<!\d),")

Cue = tuple[lx.Hit, str]  # the hit and its kind
DateAt = tuple[int, int, DateSpan]  # first and last token, the date


@dataclass(frozen=True, slots=True)
class SentenceView:
    """What the clause logic needs of one sentence."""

    scan: lx.Scan
    hits: list[lx.Hit]
    rules: KeywordRules
    abroad: bool = False  # the text names a place outside Iraq (see ``claimplaces``)
    # reporting verbs with their dates: (first token of the verb, the day it reports)
    reports: tuple[tuple[int, DateSpan], ...] = ()


@dataclass(slots=True)
class Clause:
    """A comma-separated piece of a sentence with what it holds."""

    start: int  # character span in the normalised text
    end: int
    cues: list[Cue]
    dates: list[DateAt]
    troop: bool  # has a number followed by a troop unit
    date_only: bool  # a date and at most three other words ("، والبقية بحلول نهاية 2026")
    date_led: bool  # starts with a date ("، حتى سبتمبر 2026 من أجل دعم…")


@dataclass(slots=True)
class Segment:
    """Consecutive clauses that make one claim."""

    clauses: list[Clause]
    inherited: str | None = None  # kind of the segment before (an elliptical clause)

    @property
    def start(self) -> int:
        return self.clauses[0].start

    @property
    def end(self) -> int:
        return self.clauses[-1].end

    @property
    def cues(self) -> list[tuple[int, lx.Hit, str]]:
        return [(ci, h, k) for ci, c in enumerate(self.clauses) for h, k in c.cues]

    @property
    def dates(self) -> list[tuple[int, int, int, DateSpan]]:
        return [(ci, f, la, d) for ci, c in enumerate(self.clauses) for f, la, d in c.dates]

    @property
    def has_cue(self) -> bool:
        return any(c.cues or c.troop for c in self.clauses) or self.inherited is not None


def clauses_of(
    scan: lx.Scan, start: int, end: int, cues: list[Cue], dates: list[DateAt], troops: set[int]
) -> list[Clause]:
    """The clauses of the sentence ``[start, end)``; ``troops`` are first tokens of counts."""
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
        c_dates = [d for d in dates if d[0] in toks]
        dated_words = sum(min(dl, toks.stop - 1) - df + 1 for df, dl, _ in c_dates)
        clauses.append(
            Clause(
                start=s,
                end=e,
                cues=[(h, k) for h, k in cues if h.first in toks],
                dates=c_dates,
                troop=any(t in toks for t in troops),
                date_only=bool(c_dates) and len(toks) - dated_words <= _DATE_CLAUSE_WORDS,
                date_led=bool(c_dates) and c_dates[0][0] - toks.start <= 2,
            )
        )
    return clauses


def segments_of(sv: SentenceView, clauses: list[Clause]) -> list[Segment]:
    """Group clauses into segments (rules in the module docstring)."""
    segments: list[Segment] = []
    for c in clauses:
        cur = segments[-1] if segments else None
        if cur is None:
            segments.append(Segment([c]))
            continue
        if (
            (c.cues or c.troop)
            and cur.has_cue
            and (
                c.dates
                or cur.dates
                or _differ(c, cur)
                or _stays_apart(c, cur)
                or _another_count(c, cur)
            )
        ):
            segments.append(Segment([c]))
            continue
        if not c.cues and not c.troop and c.date_only and c.dates[0][2].preposition != "منذ":
            main = main_cue(cur, sv)
            if main is not None and main[2] is not None:
                segments.append(Segment([c], inherited=main[1]))
                continue
        cur.clauses.append(c)
    return segments


def _stays_apart(c: Clause, seg: Segment) -> bool:
    """Staying somewhere is another claim than leaving: "خفضتا عدد مدربيهما في العراق، مع
    الإبقاء على وجود محدود في إقليم كردستان" does not reduce anything in Kurdistan."""
    kinds = {k for _, k in c.cues}
    return bool(kinds) and kinds <= UNTIL_ONLY and any(k in _MOVES for *_, k in seg.cues)


def _another_count(c: Clause, seg: Segment) -> bool:
    """Troop counts listed clause by clause, with no cue ("نحو 2500 جندي في العراق، وحوالي 900
    في سوريا"), are one count each, each with its own place."""
    return c.troop and not c.cues and not any(x.cues for x in seg.clauses) and seg.inherited is None


def _differ(c: Clause, seg: Segment) -> bool:
    """A troop count and a cue in separate clauses are separate claims."""
    seg_cued = any(x.cues for x in seg.clauses) or seg.inherited is not None
    return bool(c.cues) != seg_cued


MainCue = tuple[lx.Hit | None, str, DateSpan | None]


def main_cue(seg: Segment, sv: SentenceView) -> MainCue | None:
    """The cue that decides the segment's claim (None when inherited), its kind and date."""
    if seg.inherited:
        return None, seg.inherited, seg.dates[0][3] if seg.dates else None
    return _main_cue(seg, sv, _owners(seg, sv))


def claim_cues(seg: Segment, sv: SentenceView) -> list[MainCue]:
    """The main cue, then every other cue that owns a date of its own after it: "اتفق الجانبان
    في 27 أيلول 2024 على انسحاب القوات بحلول أيلول 2025" is an agreement and a withdrawal."""
    if seg.inherited:
        main = main_cue(seg, sv)
        return [main] if main else []
    owned = _owners(seg, sv)
    main = _main_cue(seg, sv, owned)
    if main is None:
        return []
    out = [main]
    for i, dates in sorted(owned.items()):
        (rank, d), (_, hit, kind) = dates[0], seg.cues[i]
        # an undated main cue keeps a dated background move apart
        same = not _background(sv.scan, hit) if main[2] is None else d.span == main[2].span
        if rank == 0 and hit is not main[0] and not same and kind not in UNTIL_ONLY:
            out.append((hit, kind, d))
    return out


def _main_cue(
    seg: Segment, sv: SentenceView, owned: dict[int, list[tuple[int, DateSpan]]]
) -> MainCue | None:
    cues = seg.cues
    toks = sv.scan.tokens_in(seg.start, seg.end)
    sites = [
        h.first
        for h in sv.hits
        if h.term.role == "place" and h.term.tag in sv.rules.sites and h.first in toks
    ]
    usable = [
        i
        for i, (_, h, kind) in enumerate(cues)
        if kind not in UNTIL_ONLY
        or i in owned
        or any(0 < p - h.last <= _STAY_PLACE_REACH for p in sites)
    ]
    if not usable:
        return None
    # "سيتم تسليم القاعدة بعد انسحاب القوات منها": the move after بعد is the background
    foreground = [i for i in usable if not _background(sv.scan, cues[i][1])]
    usable = foreground or usable
    denied = [i for i in usable if _is_denied(cues[i][1], sv.hits, sv.scan)]
    if denied:  # "إعلان انتهاء المرحلة لا يعني انتهاء الوجود": the point is what is denied
        i = denied[0]
        return cues[i][1], cues[i][2], owned[i][0][1] if i in owned else None
    dated = [i for i in usable if i in owned]
    if dated:
        i = max(dated, key=lambda k: (PRIORITY[cues[k][2]], -k))
        return cues[i][1], cues[i][2], owned[i][0][1]
    return cues[usable[0]][1], cues[usable[0]][2], None


def _background(scan: lx.Scan, cue: lx.Hit) -> bool:
    """The cue is the verbal noun of a temporal clause ("بعد انسحاب"، "عقب مغادرة"): what
    the sentence tells happens around it."""
    before = scan.tokens[cue.first - 1] if cue.first > 0 else ""
    return bool(_TEMPORAL_WORDS.intersection(lx.prefix_forms(before)))


def _is_denied(cue: lx.Hit, hits: list[lx.Hit], scan: lx.Scan) -> bool:
    """A denial ("لا يعني"، "نفى") ends at most ``_DENIAL_REACH`` words before the cue, or
    لن/لم/لا stands just before it ("باقية في أربيل ولن تغادرها"، "لا تشمل انسحاب القوات")."""
    for t in range(max(0, cue.first - _PARTICLE_REACH), cue.first):
        nxt = scan.tokens[t + 1]
        if scan.tokens[t].removeprefix("و") in _NOT_DONE and nxt != "سيما":  # لا سيما: especially
            return True
    return any(h.term.role == "negation" and 0 < cue.first - h.last <= _DENIAL_REACH for h in hits)


def until(d: DateSpan) -> bool:
    """The date says until (حتى، لغاية): staying until then is leaving then."""
    return (d.preposition or "") in _UNTIL


def is_future(scan: lx.Scan, cue: lx.Hit) -> bool:
    """The cue is a future-tense verb (ستغادر) or follows سيتم/سوف or a word of imminence
    (قرب، اقتراب، وشك)."""
    tok = scan.tokens[cue.first]
    if _FUTURE_VERB.match(tok) and not _FUTURE_VERB.match(cue.term.tokens[0]):
        return True
    before = scan.tokens[max(0, cue.first - 2) : cue.first]
    if before and _IMMINENT.intersection(lx.prefix_forms(before[-1])):
        return True  # "عن قرب انسحاب القوات"، "على وشك مغادرة": still ahead
    return any(t in ("سيتم", "ستتم", "سوف") for t in before)


def _owners(seg: Segment, sv: SentenceView) -> dict[int, list[tuple[int, DateSpan]]]:
    """For each cue (by index in ``seg.cues``), the dates it owns, best first, each with its
    rank: 0 after the cue (the action's own date), 1 or 2 before it (often an announcement)."""
    scan, cues = sv.scan, seg.cues
    toks = scan.tokens_in(seg.start, seg.end)
    done = any(h.term.role == "completion" and h.first in toks for h in sv.hits)
    # after a demand ("طالبت، اليوم الاثنين، بإعلان جدول زمني") an earlier date is the demand's
    reach_before = (
        0
        if any(h.term.role == "demand" and h.first in toks for h in sv.hits)
        else (_BEFORE_DONE_CUE if done else _BEFORE_CUE)
    )
    owned: dict[int, list[tuple[int, int, DateSpan]]] = {}
    loose: list[tuple[int, int, DateSpan]] = []
    for dci, df, dl, d in seg.dates:
        signed = _signing_agreement(sv, cues, df)
        if signed is not None:
            owned.setdefault(signed, []).append((0, df, d))
            continue
        clause = seg.clauses[dci]
        near = [
            (i, h)
            for i, (ci, h, kind) in enumerate(cues)
            if (kind not in UNTIL_ONLY or until(d))
            and (
                ci == dci or clause.date_only or (clause.date_led and ci < dci and not clause.cues)
            )
        ]
        before = [  # a date inside a gapped cue ("طوت الحكومة، مساء الأحد، صفحة") counts too
            (max(df - h.last, 0), i)
            for i, h in near
            if h.first < df
            and df - h.last <= _AFTER_CUE
            and not _OTHER_EVENT.intersection(scan.tokens[h.last + 1 : df])
        ]
        after = [
            (h.first - dl, i)
            for i, h in near
            if h.first > dl and h.first - dl <= reach_before and not is_future(scan, h)
        ]
        if before:  # the date follows its cue: the date of the action itself
            owned.setdefault(min(before)[1], []).append((0, df, d))
        elif after:  # the date precedes the cue: often the day it was announced
            owned.setdefault(min(after)[1], []).append((1, df, d))
        else:
            loose.append((df, dl, d))
    # Last resort, for a cue left without a date: the date of a clause before it, when the cue
    # is not in the future ("قال في مؤتمر عقده مساء الإثنين، إن التقارير… غير دقيقة").
    for df, dl, d in loose:
        after = [
            (h.first - dl, i)
            for i, (_, h, kind) in enumerate(cues)
            if i not in owned
            and kind not in UNTIL_ONLY
            and 0 < h.first - dl <= reach_before
            and not is_future(scan, h)
        ]
        if after:
            owned[min(after)[1]] = [(2, df, d)]
    _credit_moves(scan, cues, owned)
    return {
        i: [(r, d) for r, _, d in sorted(ds, key=lambda x: (x[0], x[1]))] for i, ds in owned.items()
    }


def _signing_agreement(
    sv: SentenceView, cues: list[tuple[int, lx.Hit, str]], df: int
) -> int | None:
    """The agreement cue a date starting at token ``df`` dates, when a ``signed`` word stands
    just before the date and after the agreement ("الاتفاق … الموقع في 2024")."""
    signed = [h for h in sv.hits if h.term.role == "signed" and 0 < df - h.last <= _SIGNED_GAP]
    if not signed:
        return None
    deals = [
        i for i, (_, h, kind) in enumerate(cues) if kind == "agreement" and h.last < signed[0].first
    ]
    return deals[-1] if deals else None


def _credit_moves(
    scan: lx.Scan,
    cues: list[tuple[int, lx.Hit, str]],
    owned: dict[int, list[tuple[int, int, DateSpan]]],
) -> None:
    """ "ستغادر القاعدة وفق الموعد المحدد في أيلول": the date is the move's, not the schedule's."""
    for i in [i for i in owned if _is_schedule(scan, cues[i][1], cues[i][2], owned[i])]:
        until_dates = all(until(d) for *_, d in owned[i])
        movers = [
            j
            for j, (ci, _, kind) in enumerate(cues)
            if j < i
            and ci == cues[i][0]
            and (kind in _MOVES or (kind in UNTIL_ONLY and until_dates))
            and j not in owned
        ]
        if movers:
            owned[movers[-1]] = owned.pop(i)


def _is_schedule(
    scan: lx.Scan, cue: lx.Hit, kind: str, dates: list[tuple[int, int, DateSpan]]
) -> bool:
    """A timetable cue, or an agreement cue right after وفق/بموجب whose date follows it at once
    ("وفق الاتفاق في أيلول المقبل"; not "تطبيقا لاتفاق أبرمته بغداد في أيلول 2024")."""
    if kind in ("timetable", "complete"):
        return True
    if kind != "agreement" or any(df - cue.last > _SCHEDULE_DATE_GAP for _, df, _ in dates):
        return False
    before = scan.tokens[max(0, cue.first - 2) : cue.first]
    return any(_FOLLOWING.intersection(lx.prefix_forms(t)) for t in before)
