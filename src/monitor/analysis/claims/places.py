"""Where a claim happens and where forces go (used by ``claims``).

Rules:

- A claim's ``places`` are the gazetteer places of its segment, except its destinations.
- A destination is a place after إلى/باتجاه/نحو/صوب/متجهة… that follows a word of movement in
  the same segment (a cue of a move, the verb of a cue pair, a mover such as وصول): "غادرت
  القوات عين الأسد باتجاه إقليم كردستان" happens at ain_al_asad and goes to kurdistan. Places
  chained right after a destination ("إلى قاعدة حرير في أربيل") are destinations too; a comma,
  من or عن ends the chain ("إلى أربيل من قاعدة عين الأسد": ain_al_asad is where they leave).
- A capital paired with another government's ("بغداد وواشنطن تبحثان"، "بين واشنطن وبغداد")
  names the two governments, not where forces leave or a mission ends (an agreement keeps
  them: the judge reads an agreement's places as its parties). So is a bare capital right
  after a verb of saying, demanding or denying, or right before one ("طالبت بغداد بانسحاب
  القوات من عين الأسد"، "واشنطن تنفي"): the government speaks; "قال مسؤول في بغداد" keeps it.
- A place's ``back_ref`` word ("الإقليم" for the Kurdistan Region) names it once the text has
  named it before: "لا تشمل انسحاب القوات من الإقليم" after "إقليم كوردستان".
- A claim that names no place, in a sentence that names none, takes the foreign places of the
  nearest sentence before it that names a place (up to ``FOCUS_REACH`` sentences back), when
  all of that sentence's places are outside Iraq: "وقال البنتاغون إن الانسحاب اكتمل" after a
  paragraph on Niger is about Niger, and must not be read as news about Iraq.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from monitor.analysis import lexicon as lx
from monitor.analysis.keyrules import PLACE_REF
from monitor.analysis.keywords import KeywordRules

# Words that send forces somewhere (normalised).
TOWARDS = frozenset(
    {"الي", "باتجاه", "نحو", "صوب", "متجها", "متجهه", "متجهين", "متوجها", "متوجهه", "قاصده"}
)
# (not mission_end: "الانتقال إلى علاقات ثنائية"، "قسم إنهاء المهمة إلى مرحلتين")
_MOVE_KINDS = frozenset({"withdrawal", "presence_end", "relocation", "handover"})
# إلى that does not send anywhere: "إلى جانب" (alongside), "إضافة إلى" (besides).
_NOT_TOWARDS_AFTER = frozenset({"جانب", "جوار"})
_NOT_TOWARDS_BEFORE = frozenset({"اضافه", "بالاضافه", "اضافتا"})
_MOVE_ROLES = frozenset({"pverb", "mover"})
_PLACE_ROLES = frozenset({"place", "x_place", PLACE_REF})
_TOWARDS_REACH = 4  # words from إلى to the first destination ("إلى مقر قيادة … في أربيل")
_CHAIN_REACH = 3  # words between two chained destinations ("إلى أربيل وقاعدة حرير")
_CHAIN_STOP = frozenset({"من", "عن", "منذ"})
FOCUS_REACH = 3
# Words after which a capital is where something happens.
_PLACE_WORDS = frozenset({"في", "من", "الي", "عن", "داخل", "خارج", "نحو", "باتجاه"})
# Verbs after (or before) which a capital is the government that speaks (roles of keywords.toml)
_SPEECH_ROLES = frozenset({"report", "say", "demand", "negation"})
# Telling a government (its capital the object): kept as a place, since the report goes on to
# name the forces there by "العاصمة" alone, which the gazetteer does not read as Baghdad
# ("أبلغ الجانب الأمريكي بغداد … نقل مستشاريه في العاصمة إلى حرير").
_TELL_VERBS = frozenset({"ابلغ", "ابلغت", "اخطر", "اخطرت"})
# Capitals that stand for their governments when paired by و with another of them (normalised).
_CAPITALS = frozenset(
    {
        "واشنطن", "طهران", "انقره", "لندن", "باريس", "برلين", "موسكو", "الرياض", "روما",
        "مدريد", "كانبرا", "اوتاوا", "كوبنهاغن", "بغداد",
    }
)  # fmt: skip


def is_move(h: lx.Hit) -> bool:
    """A hit that moves forces somewhere: a cue of a move, a cue pair's verb or a mover."""
    role = h.term.role
    return role in _MOVE_ROLES or (role == "cue" and h.term.tag in _MOVE_KINDS)


def destination_tokens(scan: lx.Scan, hits: list[lx.Hit], toks: range) -> set[int]:
    """First tokens of the place hits in ``toks`` that are destinations."""
    places = sorted(
        (h for h in hits if h.term.role in _PLACE_ROLES and h.first in toks),
        key=lambda h: h.first,
    )
    if not places or not any(
        scan.tokens[t] in TOWARDS for t in range(toks.start, min(places[-1].first, toks.stop))
    ):
        return set()  # most claims send nobody anywhere
    moves = [h.first for h in hits if is_move(h) and h.first in toks]
    out: set[int] = set()
    last = -1  # last token of the latest destination
    for h in places:
        if last >= 0 and _chained(scan, last, h.first):
            out.add(h.first)
            last = max(last, h.last)
            continue
        lo = max(toks.start, h.first - _TOWARDS_REACH)
        towards = [t for t in range(lo, h.first) if _sends(scan, t, h.first)]
        if towards and any(m < towards[-1] for m in moves) and _chained(scan, towards[-1], h.first):
            out.add(h.first)
            last = h.last
        else:
            last = -1
    return out


def _sends(scan: lx.Scan, t: int, place: int) -> bool:
    """Token ``t`` sends forces to the place starting at token ``place``."""
    tok = scan.tokens[t]
    if tok not in TOWARDS:
        return False
    between = scan.tokens[t + 1 : place]
    if any(w.isdigit() for w in between) or (tok == "نحو" and len(between) > 1):
        return False  # "نحو 2500 جندي في العراق": نحو is "about"
    before = scan.tokens[t - 1] if t > 0 else ""
    return not (between[:1] and between[0] in _NOT_TOWARDS_AFTER) and before not in (
        _NOT_TOWARDS_BEFORE
    )


def _chained(scan: lx.Scan, a: int, b: int) -> bool:
    """Tokens ``a`` and ``b`` are close, in one clause, with no من/عن between them."""
    if b - a > _CHAIN_REACH + 1:
        return False
    if any(c in scan.text[scan.ends[a] : scan.starts[b]] for c in ",:;"):
        return False
    return not any(scan.tokens[t] in _CHAIN_STOP for t in range(a + 1, b))


def split_places(
    scan: lx.Scan,
    hits: list[lx.Hit],
    toks: range,
    dest: set[int] | None = None,
    governments: bool = False,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The place ids of ``toks`` where the claim happens, and those forces go to (``dest``:
    the first tokens of the destinations, when already known). ``governments``: keep a
    capital paired with another's (an agreement's parties)."""
    if dest is None:
        dest = destination_tokens(scan, hits, toks)
    moves = {h.last for h in hits if is_move(h)}
    speaks = _speech_edges(hits)
    places = [
        h
        for h in hits
        if (h.term.role == "place" or (h.term.role == PLACE_REF and _named_before(scan, h)))
        and h.first in toks
        and (governments or not (_government(scan.tokens, h, moves) or _speaker(scan, h, speaks)))
    ]
    if not places:
        return (), ()
    # the longest name counts once: "كردستان العراق" is kurdistan, not also iraq
    spans = [(h.first, h.last) for h in places if h.last > h.first]
    if spans:
        places = [
            h
            for h in places
            if not any(a <= h.first and h.last <= b and b - a > h.last - h.first for a, b in spans)
        ]
    here = tuple(dict.fromkeys(h.term.tag for h in places if h.first not in dest))
    if not dest:
        return here, ()
    return here, tuple(dict.fromkeys(h.term.tag for h in places if h.first in dest))


def _government(tokens: Sequence[str], h: lx.Hit, moves: set[int]) -> bool:
    """A one-word capital paired by و with another ("بغداد وواشنطن"، "واشنطن وبغداد"), the
    pair not governed by a move or a preposition of place ("غادروا بغداد وواشنطن تراقب"،
    "في بغداد وواشنطن": places). ``moves``: the last tokens of the move hits."""
    if h.first != h.last:
        return False
    word = tokens[h.first]
    after = tokens[h.first + 1] if h.first + 1 < len(tokens) else ""
    if word in _CAPITALS and _and_capital(after):
        first = h.first  # the pair's first capital
    elif _and_capital(word) and h.first > 0 and tokens[h.first - 1] in _CAPITALS:
        first = h.first - 1
    else:
        return False
    governor = tokens[first - 1] if first > 0 else ""
    return first - 1 not in moves and governor.removeprefix("و") not in _PLACE_WORDS


def _named_before(scan: lx.Scan, ref: lx.Hit) -> bool:
    """The place a ``back_ref`` word stands for ("الإقليم") is named earlier in the text."""
    tag = ref.term.tag
    return any(
        h.term.role == "place" and h.term.tag == tag and h.first < ref.first for h in scan.hits
    )


def _speech_edges(hits: list[lx.Hit]) -> tuple[set[int], set[int]]:
    """First and last tokens of the verbs of saying, demanding and denying."""
    verbs = [
        h for h in hits if h.term.role in _SPEECH_ROLES and h.term.tokens[0] not in _TELL_VERBS
    ]
    return {h.first for h in verbs}, {h.last for h in verbs}


def _speaker(scan: lx.Scan, h: lx.Hit, speaks: tuple[set[int], set[int]]) -> bool:
    """A bare capital that says, asks or denies ("طالبت بغداد بانسحاب…"، "واشنطن تنفي…") is
    its government speaking, not where forces are: right after such a verb, or right before
    one with no preposition of place before it ("قال مسؤول في بغداد" keeps Baghdad)."""
    if h.first != h.last or scan.tokens[h.first] not in _CAPITALS:
        return False  # "وبغداد"، "لبغداد": not a subject
    firsts, lasts = speaks
    gap = (scan.ends[h.first - 1], scan.starts[h.first]) if h.first > 0 else (0, 0)
    if h.first - 1 in lasts and not any(c in scan.text[gap[0] : gap[1]] for c in ",:;"):
        return True
    if h.first + 1 not in firsts or any(
        c in scan.text[scan.ends[h.first] : scan.starts[h.first + 1]] for c in ",:;"
    ):
        return False
    before = scan.tokens[h.first - 1] if h.first > 0 else ""
    return before.removeprefix("و") not in _PLACE_WORDS


def _and_capital(token: str) -> bool:
    """و + a capital ("وواشنطن")."""
    return token.startswith("و") and token[1:] in _CAPITALS


def foreign_focus(scan: lx.Scan, sentence: int, rules: KeywordRules) -> tuple[str, ...]:
    """The foreign places a place-less sentence speaks of (see the module docstring)."""
    for sid in range(sentence, max(-1, sentence - FOCUS_REACH - 1), -1):
        named = [h.term.tag for h in _sentence_hits(scan, sid) if h.term.role == "place"]
        if named:
            if sid == sentence or not all(p in rules.foreign for p in named):
                return ()
            return tuple(dict.fromkeys(named))
    return ()


def _sentence_hits(scan: lx.Scan, sid: int) -> list[lx.Hit]:
    toks = scan.tokens_in(*scan.sentences[sid])
    out = []
    for h in scan.hits[bisect_left(scan.hits, toks.start, key=lambda h: h.first) :]:
        if h.first >= toks.stop:
            break
        out.append(h)
    return out
