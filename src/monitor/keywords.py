"""Relevance: is an article about the coalition's withdrawal from Iraq? (``keywords.toml``)

Rules (the file's comments say the same to users):

- Terms come in weighted groups with a role: actors (التحالف الدولي، القوات الأمريكية…), actions
  (انسحاب، مغادرة، إنهاء مهمة…), Iraqi context (العراق and the Iraqi places of the gazetteer) and
  ignore phrases. Matching is clitic-aware and done in one pass (``lexicon``).
- A sentence counts when an actor and an action co-occur in it, or across neighbouring sentences
  within a short window. Its value is actor weight + action weight (+ context weight when an
  Iraqi term is in the sentence); the title counts ``title_weight`` times; values add best first
  with a ``decay``.
- Exclusions cancel a sentence: someone else is nearer the action (armed factions, a party,
  another army), the action leaves parliament or a treaty, the sentence names only foreign
  places (Syria), or a veto word. A cancelled sentence subtracts a penalty.
- Relevant = score ≥ threshold and an Iraqi context term outside cancelled sentences.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from monitor import lexicon as lx
from monitor.confkit import Problems, Section, read_toml
from monitor.errors import ConfigError
from monitor.models import NormText, Relevance
from monitor.normalize import normalize_text

__all__ = ["KeywordRules", "Place", "default_rules_path", "load_rules", "score", "veto_for"]

_TARGET_WINDOW = 5  # "انسحاب نواب الكتلة الصدرية من البرلمان": the target follows within 5 words


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry: canonical id, English name, Arabic spellings."""

    id: str
    en: str
    ar: tuple[str, ...]
    iraqi: bool = True


@dataclass(frozen=True, eq=False)
class KeywordRules:
    """Everything ``keywords.toml`` says, with its terms compiled into one ``Lexicon``."""

    threshold: float = 4.0
    window_words: int = 8
    sentence_window_words: int = 30
    title_weight: float = 1.5
    decay: float = 0.6
    exclusion_penalty: float = 0.5
    require_context: bool = True
    places: tuple[Place, ...] = ()
    lexicon: lx.Lexicon = field(default_factory=lambda: lx.Lexicon.build(()))
    # foreign_place exclusion id -> context tags that lift it
    foreign_unless: Mapping[str, frozenset[str]] = field(default_factory=dict)
    source: str = ""

    @property
    def place_names(self) -> dict[str, str]:
        return {p.id: p.en for p in self.places}


def default_rules_path() -> Path:
    """The packaged default ``keywords.toml`` (identical to ``config/keywords.toml``)."""
    return Path(__file__).parent / "defaults" / "keywords.toml"


def load_rules(path: Path, problems: Problems) -> KeywordRules:
    """Read and compile ``keywords.toml``; every problem is added to ``problems``.

    Args:
        path: the TOML file.
        problems: collects invalid values, unknown keys and bad regexes, naming the key.

    Returns:
        The compiled rules (possibly incomplete when ``problems`` is not empty).
    """
    try:
        data = read_toml(path)
    except ConfigError as exc:
        problems.items.extend(exc.problems)
        return KeywordRules(source=str(path))
    return _build(Section(data, str(path), problems), str(path))


# --------------------------------------------------------------------------- loading

_ROLES = ("actor", "action", "context", "ignore")
_RULES = {
    "nearer_actor": "x_actor",
    "action_target": "x_target",
    "foreign_place": "x_place",
    "sentence": "x_sentence",
}
CUE_KINDS = (
    "withdrawal",
    "mission_end",
    "handover",
    "relocation",
    "agreement",
    "timetable",
    "other",
    "stay",
    "continue",
)
_FLAG_LISTS = {
    "negation": "negation",
    "hedge": "hedge",
    "completion": "completion",
    "future": "future",
    "troop_units": "unit",
    "subjects": "subject",
}
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class _Builder:
    """Collects terms and patterns while the sections are read."""

    def __init__(self) -> None:
        self.terms: list[lx.Term] = []
        self.patterns: list[tuple[lx.Term, str]] = []

    def add_terms(
        self,
        sec: Section,
        key: str,
        role: str,
        tag: str,
        weight: float = 0.0,
        texts: tuple[str, ...] | None = None,
    ) -> None:
        for text in sec.str_list(key) if texts is None else texts:
            tokens = tuple(lx.tokenize(normalize_text(text)))
            if not tokens or "*" in (tokens[0], tokens[-1]):
                sec.problems.add(
                    sec.where, f"key '{key}': term {text!r} must start and end with a word"
                )
                continue
            self.terms.append(lx.Term(text, tokens, role, tag, weight))

    def add_patterns(self, sec: Section, role: str, tag: str, weight: float = 0.0) -> None:
        for src in sec.str_list("patterns"):
            norm = normalize_pattern(src)
            if sec.regex("patterns", norm) is not None:
                self.patterns.append((lx.Term(src, (src,), role, tag, weight), norm))


def normalize_pattern(src: str) -> str:
    """``normalize_text`` for a regex: escapes (``\\S``, ``\\d``) keep their case."""
    out: list[str] = []
    i = 0
    while i < len(src):
        if src[i] == "\\" and i + 1 < len(src):
            out.append(src[i : i + 2])
            i += 2
            continue
        out.append(normalize_text(src[i]))
        i += 1
    return "".join(out)


def _build(root: Section, source: str) -> KeywordRules:
    b = _Builder()
    defaults = KeywordRules()
    params = {
        "threshold": root.positive("threshold", float, defaults.threshold),
        "window_words": root.positive("window_words", int, defaults.window_words),
        "sentence_window_words": root.positive(
            "sentence_window_words", int, defaults.sentence_window_words
        ),
        "title_weight": root.positive("title_weight", float, defaults.title_weight),
        "decay": root.positive("decay", float, defaults.decay),
        "exclusion_penalty": root.get("exclusion_penalty", float, defaults.exclusion_penalty),
        "require_context": root.get("require_context", bool, defaults.require_context),
    }
    context_tags = _read_groups(root.sub("groups", required=True), b)
    places = _read_places(root, b)
    unless = _read_exclusions(root.sub("exclusions"), b, context_tags, places)
    _read_claims(root.sub("claims"), b)
    root.done()
    roles = {t.role for t in b.terms}
    for needed in ("actor", "action"):
        if needed not in roles:
            root.problems.add(root.where, f"no [groups] table has role = '{needed}'")
    return KeywordRules(
        **params,  # type: ignore[arg-type]
        places=tuple(places),
        lexicon=lx.Lexicon.build(b.terms, b.patterns),
        foreign_unless=unless,
        source=source,
    )


def _read_groups(groups: Section, b: _Builder) -> set[str]:
    context_tags = set()
    for name in list(groups.table):
        sec = groups.sub(name)
        role = sec.choice("role", _ROLES)
        weight = 0.0 if role == "ignore" else sec.positive("weight", float, 1.0)
        b.add_terms(sec, "terms", role, name, weight)
        b.add_patterns(sec, role, name, weight)
        if role == "context":
            context_tags.add(name)
        sec.done()
    return context_tags


def _read_places(root: Section, b: _Builder) -> list[Place]:
    places: list[Place] = []
    for sec in root.tables("places"):
        pid = sec.get("id", str)
        if pid and not _ID_RE.match(pid):
            sec.problems.add(
                sec.where, f"key 'id' must be lower-case letters, digits and _: {pid!r}"
            )
        if any(p.id == pid for p in places):
            sec.problems.add(sec.where, f"duplicate place id {pid!r}")
        place = Place(
            pid, sec.get("en", str, pid), sec.str_list("ar"), sec.get("iraqi", bool, True)
        )
        b.add_terms(sec, "ar", "place", pid, texts=place.ar)
        if place.iraqi:
            b.add_terms(sec, "ar", "context", "places", 1.0, texts=place.ar)
        places.append(place)
        sec.done()
    return places


def _read_exclusions(
    excl: Section, b: _Builder, context_tags: set[str], places: list[Place]
) -> dict[str, frozenset[str]]:
    unless: dict[str, frozenset[str]] = {}
    for name in list(excl.table):
        sec = excl.sub(name)
        role = _RULES[sec.choice("rule", tuple(_RULES))]
        b.add_terms(sec, "terms", role, name)
        b.add_patterns(sec, role, name)
        if role == "x_place":
            groups = sec.str_list("unless", tuple(sorted(context_tags)))
            for g in groups:
                if g not in context_tags:
                    sec.problems.add(sec.where, f"key 'unless': {g!r} is not a context group")
            unless[name] = frozenset(groups) | {"places"}  # an Iraqi place always lifts it
            for place in (p for p in places if not p.iraqi):
                b.add_terms(sec, "terms", role, name, texts=place.ar)
        sec.done()
    return unless


def _read_claims(claims: Section, b: _Builder) -> None:
    cues = claims.sub("cues")
    for kind in CUE_KINDS:
        b.add_terms(cues, kind, "cue", kind)
    cues.done()
    for key, role in _FLAG_LISTS.items():
        b.add_terms(claims, key, role, key)
    claims.done()


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True, slots=True)
class _Unit:
    """One sentence's contribution: its value, the terms behind it, or what cancelled it."""

    value: float
    terms: tuple[str, ...]
    excluded_by: str | None
    sentence: int


def score(norm: NormText, title: str | None, rules: KeywordRules) -> Relevance:
    """Score an article.

    Args:
        norm: the normalised body (page furniture already removed).
        title: the headline, or None.
        rules: compiled keyword rules.

    Returns:
        The decision, the score (rounded to 2 places) and the terms that decided it.
    """
    body = rules.lexicon.scan(norm.text)
    units = _units(body, rules, 1.0)
    context = _has_context(body, units)
    if title:
        head = rules.lexicon.scan(normalize_text(title))
        head_units = _units(head, rules, rules.title_weight)
        units += head_units
        context = context or _has_context(head, head_units)
    valid = sorted((u for u in units if u.excluded_by is None), key=lambda u: -u.value)
    cancelled = sorted((u for u in units if u.excluded_by is not None), key=lambda u: -u.value)
    total = sum(u.value * rules.decay**i for i, u in enumerate(valid))
    total -= rules.exclusion_penalty * sum(
        u.value * rules.decay**i for i, u in enumerate(cancelled)
    )
    terms = [t for u in valid for t in u.terms]
    terms += [f"!{u.excluded_by}" for u in cancelled]
    if rules.require_context and not context:
        terms.append("!no_context")
    relevant = total >= rules.threshold and (context or not rules.require_context)
    return Relevance(relevant, round(total, 2), tuple(dict.fromkeys(terms)))


def _units(scan: lx.Scan, rules: KeywordRules, factor: float) -> list[_Unit]:
    by_sentence: dict[int, list[lx.Hit]] = {}
    for h in scan.hits:
        by_sentence.setdefault(h.sentence, []).append(h)
    units = []
    for sent, hits in by_sentence.items():
        near = [
            h
            for s in (sent - 1, sent, sent + 1)
            for h in by_sentence.get(s, ())
            if h.term.role == "actor"
        ]
        unit = _sentence_unit(sent, hits, near, rules, factor)
        if unit is not None:
            units.append(unit)
    return units


def _sentence_unit(
    sent: int, hits: list[lx.Hit], actors: list[lx.Hit], rules: KeywordRules, factor: float
) -> _Unit | None:
    best: tuple[float, lx.Hit, lx.Hit] | None = None
    best_cancelled: tuple[float, str] | None = None
    for action in (h for h in hits if h.term.role == "action"):
        actor = _best_actor(action, actors, rules)
        if actor is None:
            continue
        value = actor.term.weight + action.term.weight
        reason = veto_for(action, hits, rules)
        if reason is None:
            if best is None or value > best[0]:
                best = (value, actor, action)
        elif best_cancelled is None or value > best_cancelled[0]:
            best_cancelled = (value, reason)
    if best is None and best_cancelled is None:
        return None
    ctx = [h for h in hits if h.term.role == "context"]
    bonus = max((h.term.weight for h in ctx), default=0.0)
    if best is None:
        assert best_cancelled is not None
        return _Unit((best_cancelled[0] + bonus) * factor, (), best_cancelled[1], sent)
    value, actor, action = best
    terms = (actor.term.text, action.term.text, *tuple(h.term.text for h in ctx[:1]))
    return _Unit((value + bonus) * factor, terms, None, sent)


def distance(a: lx.Hit, b: lx.Hit) -> int:
    """Words between two hits (0 when they overlap, 1 when adjacent)."""
    if a.last < b.first:
        return b.first - a.last
    if b.last < a.first:
        return a.first - b.last
    return 0


def _best_actor(action: lx.Hit, actors: list[lx.Hit], rules: KeywordRules) -> lx.Hit | None:
    """The heaviest (then nearest) actor close enough to ``action``."""
    best: lx.Hit | None = None
    for actor in actors:
        d = distance(actor, action)
        limit = (
            rules.sentence_window_words if actor.sentence == action.sentence else rules.window_words
        )
        if d > limit or (actor.first <= action.first and actor.last >= action.last):
            continue  # an action inside an actor term ("مهمة التحالف") is not an action
        if best is None or (actor.term.weight, -d) > (best.term.weight, -distance(best, action)):
            best = actor
    return best


def veto_for(action: lx.Hit, sentence_hits: list[lx.Hit], rules: KeywordRules) -> str | None:
    """The id of the exclusion that cancels ``action`` in its sentence, or None.

    ``sentence_hits`` are all hits of the action's sentence (claims pass a clause's hits).
    """
    positives = [h for h in sentence_hits if h.term.role == "actor"]
    near_pos = min((distance(p, action) for p in positives), default=None)
    for h in sentence_hits:
        role = h.term.role
        if role == "x_sentence":
            return h.term.tag
        if role == "x_target" and 1 <= h.first - action.last <= _TARGET_WINDOW:
            return h.term.tag
        if role == "x_actor" and not any(_overlaps(h, p) for p in positives):
            d = distance(h, action)
            if d <= rules.sentence_window_words and (near_pos is None or d < near_pos):
                return h.term.tag
    for h in sentence_hits:
        if h.term.role == "x_place":
            lifting = rules.foreign_unless.get(h.term.tag, frozenset())
            if not any(c.term.role == "context" and c.term.tag in lifting for c in sentence_hits):
                return h.term.tag
    return None


def _overlaps(a: lx.Hit, b: lx.Hit) -> bool:
    return a.first <= b.last and b.first <= a.last


def _has_context(scan: lx.Scan, units: list[_Unit]) -> bool:
    cancelled = {u.sentence for u in units if u.excluded_by is not None}
    return any(h.term.role == "context" and h.sentence not in cancelled for h in scan.hits)
