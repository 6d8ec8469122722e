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
- An article that leads with another country's withdrawal (its title, or else its first
  sentence that counts, is cancelled by a foreign place: "واشنطن تنهي وجودها العسكري في
  النيجر") is about that country: its sentences that name no Iraqi context are about it too
  and are cancelled the same way ("وقال البنتاغون إن الانسحاب اكتمل").
- Exclusions weigh what the article is about. An article about Iraq (Iraqi context in at least
  two sentences, and in at least twice as many sentences as name only foreign places; the title
  counts as two sentences) names other countries in passing: there a foreign place cancels a
  sentence only when it stands within a few words of the action ("انسحاب … من أفغانستان", not
  "… مع بقاء قوات حتى 2026 لدعم المهمة في سوريا"), such a sentence costs nothing, and the
  foreign-lede rule above does not apply.
- Generic actors ("القوات الأجنبية", an actor group an exclusion lists as ``generic``) in a
  sentence that names that exclusion's forces ("القوات التركية") are those forces: when they
  are the sentence's only actors, the sentence is cancelled by that exclusion.
- An Iraqi place that is where forces go ("… من قاعدة في سوريا باتجاه العراق") does not lift a
  foreign-place exclusion, in the title as in the body.
- Relevant = score ≥ threshold and an Iraqi context term outside cancelled sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from monitor.analysis import lexicon as lx
from monitor.analysis.keyrules import KeywordRules, Place, build_rules
from monitor.confkit import Problems, Section, read_toml
from monitor.errors import ConfigError
from monitor.models import NormText, Relevance
from monitor.normalize import normalize_text

__all__ = ["KeywordRules", "Place", "default_rules_path", "load_rules", "score", "veto_for"]

_TOWARDS = frozenset({"الي", "نحو", "باتجاه", "صوب"})
_TARGET_WINDOW = 5
_FOREIGN_NEAR = 6  # words from the action to a foreign place that cancels it (Iraqi article)
_MAX_TERMS = 12  # the terms of the best sentences are enough to see what decided  # "انسحاب نواب الكتلة الصدرية من البرلمان": the target follows within 5 words


def default_rules_path() -> Path:
    """The packaged default ``keywords.toml`` (identical to ``config/keywords.toml``)."""
    return Path(__file__).parent.parent / "defaults" / "keywords.toml"


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
    return build_rules(Section(data, str(path), problems), str(path))


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True, slots=True)
class _Unit:
    """One sentence's contribution: its value, the terms behind it, or what cancelled it."""

    value: float
    terms: tuple[str, ...]
    excluded_by: str | None
    sentence: int
    iraqi: bool = False  # an Iraqi context term is in the sentence


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
    head = rules.lexicon.scan(normalize_text(title)) if title else None
    iraqi = about_iraq(body, head)
    units = _units(body, rules, 1.0, iraqi)
    head_units: list[_Unit] = []
    if head is not None:
        head_units = _units(head, rules, rules.title_weight, iraqi)
    foreign = None
    if not iraqi:
        foreign = _foreign_lede(head_units or sorted(units, key=lambda u: u.sentence)[:1], rules)
    if foreign is not None:
        units = [_as_foreign(u, foreign) for u in units]
        head_units = [_as_foreign(u, foreign) for u in head_units]
    context = _has_context(body, units)
    if head is not None:
        context = context or _has_context(head, head_units)
    units += head_units
    valid = sorted((u for u in units if u.excluded_by is None), key=lambda u: -u.value)
    cancelled = sorted((u for u in units if u.excluded_by is not None), key=lambda u: -u.value)
    # background (penalty = false) and, in an article about Iraq, another country named in
    # passing are no evidence against the article
    free = rules.no_penalty | (frozenset(rules.foreign_unless) if iraqi else frozenset())
    costly = [u for u in cancelled if u.excluded_by not in free]
    total = sum(u.value * rules.decay**i for i, u in enumerate(valid))
    total -= rules.exclusion_penalty * sum(u.value * rules.decay**i for i, u in enumerate(costly))
    terms = [t for u in valid for t in u.terms][:_MAX_TERMS]
    terms += [f"!{u.excluded_by}" for u in cancelled]
    if rules.require_context and not context:
        terms.append("!no_context")
    relevant = total >= rules.threshold and (context or not rules.require_context)
    return Relevance(relevant, round(total, 2), tuple(dict.fromkeys(terms)))


def about_iraq(body: lx.Scan, head: lx.Scan | None = None) -> bool:
    """Is the article about Iraq, whatever other countries it names in passing? Iraq as where
    forces go ("… من سوريا إلى العراق") does not make an article about Iraq."""

    def iraqi(scan: lx.Scan) -> set[int]:
        return {
            h.sentence
            for h in scan.hits
            if h.term.role == "context" and not _is_destination(h, scan.tokens, 2)
        }

    iraq = iraqi(body)
    foreign = {h.sentence for h in body.hits if h.term.role == "x_place"} - iraq
    n_iraq, n_foreign = len(iraq), len(foreign)
    if head is not None:
        head_iraq = bool(iraqi(head))
        n_iraq += 2 * head_iraq
        n_foreign += 2 * (any(h.term.role == "x_place" for h in head.hits) and not head_iraq)
    return n_iraq >= 2 and n_iraq >= 2 * n_foreign


def _units(scan: lx.Scan, rules: KeywordRules, factor: float, iraqi: bool = False) -> list[_Unit]:
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
        unit = _sentence_unit(sent, hits, near, rules, factor, scan.tokens, iraqi)
        if unit is not None:
            units.append(unit)
    return units


def _sentence_unit(
    sent: int,
    hits: list[lx.Hit],
    actors: list[lx.Hit],
    rules: KeywordRules,
    factor: float,
    tokens: Sequence[str],
    iraqi: bool = False,
) -> _Unit | None:
    best: tuple[float, lx.Hit, lx.Hit] | None = None
    best_cancelled: tuple[float, str] | None = None
    for action in (h for h in hits if h.term.role == "action"):
        actor = _best_actor(action, actors, rules)
        if actor is None:
            continue
        value = actor.term.weight + action.term.weight
        reason = veto_for(action, hits, rules, tokens, foreign_near=iraqi)
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
    return _Unit((value + bonus) * factor, terms, None, sent, bool(ctx))


def _foreign_lede(lede: list[_Unit], rules: KeywordRules) -> str | None:
    """The foreign-place exclusion that cancels the article's lede (all of the title's units,
    or its first counted sentence), if one does."""
    tags = {u.excluded_by for u in lede}
    if len(tags) == 1 and (tag := tags.pop()) in rules.foreign_unless:
        return tag
    return None


def _as_foreign(unit: _Unit, tag: str) -> _Unit:
    """In an article about another country, a sentence naming nothing Iraqi is about it too."""
    if unit.excluded_by is not None or unit.iraqi:
        return unit
    return _Unit(unit.value, (), tag, unit.sentence)


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


def veto_for(
    action: lx.Hit,
    sentence_hits: list[lx.Hit],
    rules: KeywordRules,
    tokens: Sequence[str] = (),
    nearer_actor: bool = True,
    foreign_near: bool = False,
) -> str | None:
    """The id of the exclusion that cancels ``action`` in its sentence, or None.

    ``sentence_hits`` are all hits of the action's sentence; ``tokens`` the text's tokens. A
    foreign place or another party after إلى/نحو/باتجاه is where forces go or who receives a
    base ("نقلها إلى الكويت"، "تُسلَّم إلى قوات البيشمركة"), not who leaves or where from.
    ``nearer_actor=False`` skips the nearer-actor exclusions (for a handover, the other party
    near the verb is the one receiving). ``foreign_near=True`` (an article about Iraq): a
    foreign place cancels only within ``_FOREIGN_NEAR`` words of the action.
    """
    positives = [h for h in sentence_hits if h.term.role == "actor"]
    near_pos = min((distance(p, action) for p in positives), default=None)
    if nearer_actor and (tag := _generic_only(positives, sentence_hits, rules, tokens)):
        return tag
    for h in sentence_hits:
        role = h.term.role
        if role == "x_sentence":
            return h.term.tag
        window = rules.target_windows.get(h.term.tag, _TARGET_WINDOW)
        if role == "x_target" and 1 <= h.first - action.last <= window:
            return h.term.tag
        if role == "x_actor" and _is_destination(h, tokens, 2):
            continue
        if role == "x_actor" and nearer_actor and not any(_overlaps(h, p) for p in positives):
            d = distance(h, action)
            if d <= rules.sentence_window_words and (near_pos is None or d < near_pos):
                return h.term.tag
    for h in sentence_hits:
        if h.term.role != "x_place" or _is_destination(h, tokens, 5):
            continue
        if foreign_near and distance(h, action) > _FOREIGN_NEAR:
            continue
        lifting = rules.foreign_unless.get(h.term.tag, frozenset())
        if not any(
            c.term.role == "context" and c.term.tag in lifting and not _is_destination(c, tokens, 2)
            for c in sentence_hits
        ):
            return h.term.tag
    return None


def _generic_only(
    positives: list[lx.Hit], sentence_hits: list[lx.Hit], rules: KeywordRules, tokens: Sequence[str]
) -> str | None:
    """The exclusion whose forces the sentence names while its only actors are generic ones
    that then mean those forces ("مطالبات بغداد بإخراج القوات الأجنبية" beside "القوات
    التركية"), or None."""
    if not positives or not rules.generic_actors:
        return None
    for h in sentence_hits:
        groups = rules.generic_actors.get(h.term.tag) if h.term.role == "x_actor" else None
        if (
            groups
            and not _is_destination(h, tokens, 2)
            and all(p.term.tag in groups for p in positives)
        ):
            return h.term.tag
    return None


def _is_destination(h: lx.Hit, tokens: Sequence[str], reach: int) -> bool:
    before = tokens[max(0, h.first - reach) : h.first]
    return any(t in _TOWARDS for t in before)


def _overlaps(a: lx.Hit, b: lx.Hit) -> bool:
    return a.first <= b.last and b.first <= a.last


def _has_context(scan: lx.Scan, units: list[_Unit]) -> bool:
    cancelled = {u.sentence for u in units if u.excluded_by is not None}
    return any(h.term.role == "context" and h.sentence not in cancelled for h in scan.hits)
