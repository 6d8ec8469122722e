"""The flags of a claim: negated, hedged, reports_done and phase (used by ``claims``).

Rules (the word lists are in ``[claims]`` of ``keywords.toml``):

- ``negated``: a denial term before the cue (``negation``: نفى، لا يعني) or after it
  (``negation_after``: غير دقيقة), or لم لن لا ليس عدم دون غير up to three words before the cue
  and not inside a hedge term ("لا يستبعد أن تنسحب" hedges).
- ``hedged``: a hedge term in the sentence that no denial covers ("نفى الأنباء"), or قد before
  a present-tense verb.
- ``reports_done``: a completion term (أكملت، انسحبت، تم تسليم…) or a passive past verb
  written with its damma ("نُقلوا"، "سُحب"، "أُخليت"), with no negation, no future marker
  and no preparation before it ("استعدادات … لإعلان انتهاء"، "قبيل"، "تمهيدا"). A completion
  inside a temporal clause (بعد/عقب/إثر/منذ + a verbal noun or أن: "بعد انسحاب التحالف") is
  background, not a report that it happened now.
- ``phase``: "start" when a ``start`` word stands before the cue in its clause ("بدأت القوات
  سحب…") or a start verb shortly after it ("… من الانسحاب ستبدأ مطلع العام"); else "end" for a
  ``finish`` word near the cue (أكملت، اكتمال، آخر جندي); else "during" for an ``ongoing`` word
  (تتواصل، جارية); else None (the move as a whole, or its deadline).
"""

from __future__ import annotations

import re

from monitor.analysis import lexicon as lx
from monitor.analysis.claims.clauses import is_future
from monitor.analysis.keywords import distance
from monitor.models import ClaimPhase, NormText

_NEGATION_REACH = 3
_DENIED_REACH = 12  # "نفت وزارة الدفاع الأمريكية الأنباء": a denial is near what it denies
# Hedges that are what a denial denies ("نفت الأنباء"); a source ("نفى مصدر") still hedges.
_REPORTS = frozenset({"تقارير", "انباء", "تسريبات", "شائعات"})
_PARTICLES = frozenset({"لم", "لن", "لا", "ليس", "ليست", "عدم", "دون", "بدون", "غير"})
_IMPERFECT = re.compile(r"^[يتن]")
# Words that open a temporal clause: what follows them is the background of the news.
_TEMPORAL = frozenset({"بعد", "عقب", "اثر", "بعيد", "فور", "منذ", "قبل", "ابان"})
_TEMPORAL_CLAUSE = _TEMPORAL - {"منذ"}
_PHASE_ROLES = frozenset({"start", "finish", "ongoing"})
_PHASE_BEFORE = 8  # words from a phase word to the cue after it
_PHASE_AFTER = 4  # words from the cue to a start verb or a finish word after it
# Start words that are nouns: only before the action ("بدء الانسحاب"); after it they start
# something else ("ستتحول المهمة مع بدء عمل اللجنة").
_START_NOUNS = frozenset({"بدء", "انطلاق", "الشروع", "شروع"})
# بدا (normalised بدأ) is also "seemed": "بدا أن الانسحاب سيتأخر".
_SEEMED_NEXT = frozenset({"ان", "انه", "انها", "واضحا", "لافتا", "جليا", "كما", "وكان"})
_DAMMA = "\u064f"
_DIACRITICS = re.compile("[\u064b-\u0652\u0670\u0640]")


def is_negated(scan: lx.Scan, seg_hits: list[lx.Hit], cue: lx.Hit | None) -> bool:
    """A denial covers the cue (see the module docstring)."""
    first = cue.first if cue is not None else len(scan.tokens)
    last = cue.last if cue is not None else -1
    for h in seg_hits:
        if h.term.role == "negation" and h.first <= first:
            return True
        if h.term.role == "negation_after" and h.first > last:
            return True
    if cue is None:
        return False
    # "لا يستبعد"، "من غير المستبعد": a particle inside a hedge hedges, it denies nothing
    hedging = {t for h in seg_hits if h.term.role == "hedge" for t in range(h.first, h.last + 1)}
    for t in range(max(0, cue.first - _NEGATION_REACH), cue.first):
        if t in hedging:
            continue
        tok = scan.tokens[t]
        bare = tok[1:] if tok[0] in "وف" and len(tok) > 2 else tok
        if scan.sentence_of[t] != cue.sentence or not {tok, bare} & _PARTICLES:
            continue
        nxt = scan.tokens[t + 1] if t + 1 < len(scan.tokens) else ""
        if not (bare == "لا" and nxt == "سيما"):  # لا سيما: "especially"
            return True
    return False


def is_hedged(scan: lx.Scan, hits: list[lx.Hit], toks: range, cue: lx.Hit | None) -> bool:
    """A hedge in the sentence that is not what a denial denies, or قد + present tense."""
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


def reports_done(
    scan: lx.Scan, norm: NormText, seg_hits: list[lx.Hit], cue: lx.Hit | None, negated: bool
) -> bool:
    """The claim reports its action as done (see the module docstring)."""
    if negated or any(h.term.role == "future" for h in seg_hits):
        return False
    done = _foreground_completions(scan, seg_hits)
    done += [
        h.first
        for h in seg_hits
        if h.term.role in ("cue", "pverb") and is_passive_past(scan, norm, h.first)
    ]
    if not done:
        return False
    prepared = [h.first for h in seg_hits if h.term.role in ("prepare", "demand")]
    if any(p < d for p in prepared for d in done):
        return False  # "استعدادات بغداد لإعلان انتهاء…"، "تصر على خروج آخر جندي": still ahead
    return cue is None or not is_future(scan, cue)


def _foreground_completions(scan: lx.Scan, seg_hits: list[lx.Hit]) -> list[int]:
    """First tokens of the completion terms that are not background. A term overlapping a
    background one is background too ("عقب مغادرة آخر جندي": both "مغادرة آخر" and "آخر
    جندي")."""
    found: list[int] = []
    background_until = -1
    for h in sorted((h for h in seg_hits if h.term.role == "completion"), key=lambda h: h.first):
        if h.first <= background_until or in_temporal_clause(scan, h.first):
            background_until = max(background_until, h.last)
        else:
            found.append(h.first)
    return found


def in_temporal_clause(scan: lx.Scan, t: int) -> bool:
    """Token ``t`` opens the object of بعد/عقب/إثر… ("بعد انسحاب"، "بعد أن غادرت")."""
    before = [lx.prefix_forms(scan.tokens[i]) for i in range(max(0, t - 2), t)]
    if before and _TEMPORAL.intersection(before[-1]):
        return True
    return len(before) == 2 and scan.tokens[t - 1] == "ان" and bool(_TEMPORAL & set(before[0]))


def is_passive_past(scan: lx.Scan, norm: NormText, t: int) -> bool:
    """Token ``t`` is written as a passive past verb: a damma on its first letter (after و/ف),
    on a three-letter stem (نُقل، سُحب، سُلّم) or a form IV one (أُخلي، أُنجز)."""
    start, end = norm.original_span(scan.starts[t], scan.ends[t])
    raw = norm.original[start:end]
    if _DAMMA not in raw:
        return False
    letters: list[tuple[str, bool]] = []  # each letter and whether a damma follows it
    for ch in raw:
        if ch == _DAMMA and letters:
            letters[-1] = (letters[-1][0], True)
        elif not _DIACRITICS.match(ch):
            letters.append((ch, False))
    lead = 1 if len(letters) > 3 and letters[0][0] in "وف" and not letters[0][1] else 0
    if len(letters) <= lead or not letters[lead][1]:
        return False
    stem = scan.tokens[t][lead:]
    for suffix in ("تا", "وا", "ت", "ن"):
        if stem.endswith(suffix) and len(stem) - len(suffix) >= 3:
            stem = stem[: -len(suffix)]
            break
    return len(stem) == 3 or (len(stem) == 4 and stem[0] == "ا")


def phase_of(scan: lx.Scan, seg_hits: list[lx.Hit], cue: lx.Hit | None) -> ClaimPhase | None:
    """Which part of the move the claim speaks of (see the module docstring)."""
    if cue is None:
        return None
    words = [h for h in seg_hits if h.term.role in _PHASE_ROLES]
    if not words and cue.term.tag != "complete":
        return None
    prepared = [h.first for h in seg_hits if h.term.role == "prepare" and h.first < cue.first]
    # "تتواصل استعدادات بغداد لإعلان انتهاء…": what goes on is the preparation
    before = [
        h
        for h in words
        if 0 < cue.first - h.last <= _PHASE_BEFORE
        and not any(h.last < p for p in prepared)
        and _same_clause(scan, h.last, cue.first)
    ]
    after = [
        h
        for h in words
        if 0 < h.first - cue.last <= _PHASE_AFTER and _same_clause(scan, cue.last, h.first)
    ]
    if any(h.term.role == "start" and _is_start(scan, h) for h in before) or any(
        h.term.role == "start" and h.term.tokens[0] not in _START_NOUNS and _is_start(scan, h)
        for h in after
    ):
        return "start"
    if cue.term.tag == "complete" or any(h.term.role == "finish" for h in before + after):
        return "end"
    if any(h.term.role == "ongoing" for h in before + after):
        return "during"
    return None


def _same_clause(scan: lx.Scan, a: int, b: int) -> bool:
    """No comma and no temporal word (قبل، بعد…) between tokens ``a`` and ``b``: "خفضه سيبدأ
    قبل الموعد المحدد لانتهاء المرحلة" starts the cut, not the end of the phase."""
    if "," in scan.text[scan.ends[a] : scan.starts[b]]:
        return False
    # (not منذ: "بدأت منذ مطلع الشهر سحب معداتها" dates the start)
    return not any(
        _TEMPORAL_CLAUSE.intersection(lx.prefix_forms(t)) for t in scan.tokens[a + 1 : b]
    )


def _is_start(scan: lx.Scan, h: lx.Hit) -> bool:
    if scan.tokens[h.first] not in ("بدا", "وبدا", "فبدا"):
        return True
    nxt = scan.tokens[h.first + 1] if h.first + 1 < len(scan.tokens) else ""
    return nxt not in _SEEMED_NEXT
