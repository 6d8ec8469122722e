"""``keywords.toml`` compiled: the rules dataclass and its loader (used by ``keywords``).

Every term, place and pattern goes through ``normalize_text`` (regex escapes keep their case);
terms are indexed into one ``Lexicon``. Problems (bad regexes, unknown keys, bad values) are
added to the caller's ``Problems``, each naming the file and the key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from monitor.analysis import lexicon as lx
from monitor.confkit import Section
from monitor.normalize import normalize_text

PLACE_REF = "place_ref"  # role of a ``back_ref`` word of a place


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry: canonical id, English name, Arabic spellings."""

    id: str
    en: str
    ar: tuple[str, ...]
    iraqi: bool = True
    country: bool = False  # a whole country (often the actor: "العراق يعلن")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who announces or does a development (``[[actors]]``): id, English name, spellings."""

    id: str
    en: str
    ar: tuple[str, ...]
    within: tuple[str, ...] = ()  # the broader actors it speaks for
    anonymous: bool = False  # "sources": no identity, never the actor of a development


@dataclass(frozen=True, slots=True)
class LedeRules:
    """How the lede's actors are found (``[lede]``): near a reporting verb."""

    after: int = 6  # words from a reporting verb to an actor after it
    before: int = 3  # words from an actor before the verb ("البنتاغون يعلن")


@dataclass(frozen=True, slots=True)
class CuePair:
    """A claim cue made of a verb and an object near it (``[[claims.pairs]]``)."""

    kind: str
    after: int = 8  # words from the verb to an object after it
    before: int = 3  # words from an object before the verb


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
    pairs: tuple[CuePair, ...] = ()  # indexed by the tag of "pverb"/"pobject" terms
    actors: tuple[Actor, ...] = ()
    lede: LedeRules = field(default_factory=LedeRules)
    # action_target exclusion id -> words after the action its terms may stand (default 5)
    target_windows: Mapping[str, int] = field(default_factory=dict)
    # exclusion ids whose cancelled sentences cost nothing (``penalty = false``)
    no_penalty: frozenset[str] = frozenset()
    # nearer_actor exclusion id -> actor groups that mean those others in a sentence naming
    # them (``generic``: "القوات الأجنبية" beside "القوات التركية" are the Turkish forces)
    generic_actors: Mapping[str, frozenset[str]] = field(default_factory=dict)
    source: str = ""

    @property
    def place_names(self) -> dict[str, str]:
        return {p.id: p.en for p in self.places}

    @cached_property
    def sites(self) -> frozenset[str]:
        """Iraqi places more precise than the country (cities, regions, bases)."""
        return frozenset(p.id for p in self.places if p.iraqi and not p.country)

    @cached_property
    def anonymous_actors(self) -> frozenset[str]:
        return frozenset(a.id for a in self.actors if a.anonymous)

    @cached_property
    def actor_within(self) -> dict[str, frozenset[str]]:
        """Each actor id and every broader actor it speaks for (transitively)."""
        direct = {a.id: a.within for a in self.actors}
        out: dict[str, frozenset[str]] = {}
        for actor in direct:
            seen: set[str] = set()
            todo = list(direct[actor])
            while todo:
                up = todo.pop()
                if up not in seen:
                    seen.add(up)
                    todo.extend(direct.get(up, ()))
            out[actor] = frozenset(seen)
        return out

    @cached_property
    def foreign(self) -> frozenset[str]:
        """Places outside Iraq (Syria, Niger...)."""
        return frozenset(p.id for p in self.places if not p.iraqi)


_ROLES = ("actor", "action", "context", "ignore")
_RULES = {
    "nearer_actor": "x_actor",
    "action_target": "x_target",
    "foreign_place": "x_place",
    "sentence": "x_sentence",
}
CUE_KINDS = (
    "withdrawal",
    "presence_end",
    "complete",
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
    "negation_after": "negation_after",
    "hedge": "hedge",
    "completion": "completion",
    "future": "future",
    "demand": "demand",
    "troop_units": "unit",
    "subjects": "subject",
    "preparation": "prepare",
    "start": "start",
    "ongoing": "ongoing",
    "finish": "finish",
    "movers": "mover",
    "signed": "signed",
    "reporting": "report",
}
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_BACKREF = re.compile(r"\\[1-9]|\(\?P=")


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
            compiled = sec.regex("patterns", norm)
            if compiled is None:
                continue
            # All patterns run as one alternation of named groups: their own names and
            # back-references would break it (or be misread as ours).
            if compiled.groupindex or _BACKREF.search(norm):
                sec.problems.add(
                    sec.where,
                    f"key 'patterns': {src!r}: named groups and back-references are not"
                    " supported; use (?:...) groups",
                )
                continue
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


def build_rules(root: Section, source: str) -> KeywordRules:
    """Read the root table of ``keywords.toml`` into compiled rules."""
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
    context_tags, actor_tags = _read_groups(root.sub("groups", required=True), b)
    places = _read_places(root, b)
    excl = _read_exclusions(root.sub("exclusions"), b, (context_tags, actor_tags), places)
    pairs = _read_claims(root.sub("claims"), b)
    actors = _read_actors(root, b)
    lede = _read_lede(root.sub("lede"), b)
    root.done()
    roles = {t.role for t in b.terms}
    for needed in ("actor", "action"):
        if needed not in roles:
            root.problems.add(root.where, f"no [groups] table has role = '{needed}'")
    return KeywordRules(
        **params,  # type: ignore[arg-type]
        places=tuple(places),
        lexicon=lx.Lexicon.build(b.terms, b.patterns),
        foreign_unless=excl.unless,
        target_windows=excl.windows,
        no_penalty=frozenset(excl.no_penalty),
        generic_actors=excl.generic,
        pairs=pairs,
        actors=tuple(actors),
        lede=lede,
        source=source,
    )


def _read_groups(groups: Section, b: _Builder) -> tuple[set[str], set[str]]:
    """Read ``[groups.*]``; returns the names of the context groups and of the actor groups."""
    context_tags = set()
    actor_tags = set()
    for name in list(groups.table):
        sec = groups.sub(name)
        role = sec.choice("role", _ROLES)
        weight = 0.0 if role == "ignore" else sec.positive("weight", float, 1.0)
        b.add_terms(sec, "terms", role, name, weight)
        b.add_patterns(sec, role, name, weight)
        if role == "context":
            context_tags.add(name)
        elif role == "actor":
            actor_tags.add(name)
        sec.done()
    return context_tags, actor_tags


def _read_id(sec: Section, what: str, taken: set[str]) -> str:
    """A table's ``id``: lower-case letters, digits and _, not used by an earlier table."""
    tid = sec.get("id", str)
    if tid and not _ID_RE.match(tid):
        sec.problems.add(sec.where, f"key 'id' must be lower-case letters, digits and _: {tid!r}")
    if tid in taken:
        sec.problems.add(sec.where, f"duplicate {what} id {tid!r}")
    return tid


def _read_places(root: Section, b: _Builder) -> list[Place]:
    places: list[Place] = []
    for sec in root.tables("places"):
        pid = _read_id(sec, "place", {p.id for p in places})
        place = Place(
            pid,
            sec.get("en", str, pid),
            sec.str_list("ar"),
            sec.get("iraqi", bool, True),
            sec.get("country", bool, False),
        )
        b.add_terms(sec, "ar", "place", pid, texts=place.ar)
        # words that name the place once the article has named it ("الإقليم" for Kurdistan)
        b.add_terms(sec, "back_ref", PLACE_REF, pid)
        if place.iraqi:
            b.add_terms(sec, "ar", "context", "places", 1.0, texts=place.ar)
        places.append(place)
        sec.done()
    return places


@dataclass(slots=True)
class _Exclusions:
    unless: dict[str, frozenset[str]] = field(default_factory=dict)
    windows: dict[str, int] = field(default_factory=dict)
    no_penalty: set[str] = field(default_factory=set)
    generic: dict[str, frozenset[str]] = field(default_factory=dict)


def _read_exclusions(
    excl: Section, b: _Builder, tags: tuple[set[str], set[str]], places: list[Place]
) -> _Exclusions:
    context_tags, actor_tags = tags
    out = _Exclusions()
    unless = out.unless
    for name in list(excl.table):
        sec = excl.sub(name)
        role = _RULES[sec.choice("rule", tuple(_RULES))]
        b.add_terms(sec, "terms", role, name)
        b.add_patterns(sec, role, name)
        if not sec.get("penalty", bool, True):
            out.no_penalty.add(name)
        if role == "x_target":
            out.windows[name] = sec.positive("window", int, 5)
        if role == "x_actor" and "generic" in sec.table:
            generic = sec.str_list("generic")
            for g in generic:
                if g not in actor_tags:
                    sec.problems.add(sec.where, f"key 'generic': {g!r} is not an actor group")
            out.generic[name] = frozenset(generic)
        if role == "x_place":
            groups = sec.str_list("unless", tuple(sorted(context_tags)))
            for g in groups:
                if g not in context_tags:
                    sec.problems.add(sec.where, f"key 'unless': {g!r} is not a context group")
            unless[name] = frozenset(groups) | {"places"}  # an Iraqi place always lifts it
            for place in (p for p in places if not p.iraqi):
                b.add_terms(sec, "terms", role, name, texts=place.ar)
        sec.done()
    return out


def _read_claims(claims: Section, b: _Builder) -> tuple[CuePair, ...]:
    cues = claims.sub("cues")
    for kind in CUE_KINDS:
        b.add_terms(cues, kind, "cue", kind)
    cues.done()
    for key, role in _FLAG_LISTS.items():
        b.add_terms(claims, key, role, key)
    pairs = []
    for i, sec in enumerate(claims.tables("pairs")):
        kind = sec.choice("kind", CUE_KINDS)
        b.add_terms(sec, "verbs", "pverb", str(i))
        b.add_terms(sec, "objects", "pobject", str(i))
        pairs.append(CuePair(kind, sec.positive("after", int, 8), sec.get("before", int, 3)))
        sec.done()
    claims.done()
    return tuple(pairs)


def _read_actors(root: Section, b: _Builder) -> list[Actor]:
    actors: list[Actor] = []
    for sec in root.tables("actors"):
        aid = _read_id(sec, "actor", {a.id for a in actors})
        actor = Actor(
            aid,
            sec.get("en", str, aid),
            sec.str_list("ar"),
            sec.str_list("within"),
            sec.get("anonymous", bool, False),
        )
        b.add_terms(sec, "ar", "who", aid, texts=actor.ar)
        actors.append(actor)
        sec.done()
    known = {a.id for a in actors}
    for actor in actors:
        for up in actor.within:
            if up not in known or up == actor.id:
                root.problems.add(
                    root.where, f"actor {actor.id!r}: 'within' names {up!r}, not another actor"
                )
    return actors


def _read_lede(sec: Section, b: _Builder) -> LedeRules:
    b.add_terms(sec, "reporting_verbs", "say", "say")
    d = LedeRules()
    rules = LedeRules(sec.get("after", int, d.after), sec.get("before", int, d.before))
    sec.done()
    return rules
