"""``monitor eval``: score the analysis against a user's own labelled articles.

The backtest a user runs before changing ``keywords.toml`` or the timeline. Three scores, each
with the cases behind it:

- Relevance: precision, recall and F1 of ``relevant`` against the label ("relevant" or
  "negative"); every miss and false alarm with its score, the terms that counted and the
  exclusions that cancelled sentences.
- Stories, over pairs of articles: a gold pair is two relevant articles with the same ``story``;
  a predicted pair is two articles the product calls relevant and puts in the same story.
  Precision = correct predicted pairs / predicted pairs, recall = correct / gold pairs. A
  predicted pair that is not gold but lies inside one ``neutral_groups`` entry counts neither
  way. Every wrong merge and missed pair is listed.
- Claims: an expectation holds when ANY claim of its article matches every field of ``match``
  (``date``/``number`` sub-fields exactly, only those given; ``places_include`` a subset of the
  claim's places; ``kind``/``verdict``/``negated``/``hedged`` exactly, a list meaning any of);
  with ``"absent": true`` it holds when NO claim matches. A failed one shows the closest claim
  and the fields that differ.

Each wrong merge and missed pair is shown with both reports' development signatures (speaker,
action, site, statement day, placement) and the rule or model evidence that decided the pair.
``--replay`` takes the stories from the daemon instead (``ops.replay``: the articles as local
feeds through one ``once`` cycle) and scores its new-story alerts too.

Articles listed as ``borderline`` in the scoring file are analysed and reported, never scored.
The scoring is pure functions over the labels and the product's answers (``Outcome``), so any
way of producing the answers (the batch grouping of ``monitor analyze``, a replay through the
daemon's store) is scored the same way. Bad input raises ``InputError`` naming the file.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations
from pathlib import Path
from typing import Any, TextIO

from monitor.analysis.analyzer import Analyzer
from monitor.config.load import Config
from monitor.errors import InputError
from monitor.ops.analyze import (
    BatchItem,
    Record,
    analyze_record,
    group_stories,
    parse_line,
    result_json,
)
from monitor.ops.replay import AlertScore, Replay, replay, score_alerts
from monitor.settings import StorySettings
from monitor.stories.batch import PairWhy, explain_pairs
from monitor.stories.match import PlaceItems

LABELS = ("relevant", "negative")
MATCH_KEYS = frozenset({"date", "number", "places_include", "kind", "verdict", "negated", "hedged"})
FLOOR_KEYS = ("min_f1", "min_story_precision", "min_story_recall", "min_claims")

# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Gold:
    """The label of one article: relevant or not, and its story group (None: no group)."""

    id: str
    relevant: bool
    story: str | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """The product's answer for one article: the ``monitor analyze`` output fields."""

    id: str
    relevant: bool
    score: float
    terms: tuple[str, ...]
    story: str | None
    claims: tuple[Mapping[str, Any], ...]

    @property
    def matched_terms(self) -> tuple[str, ...]:
        return tuple(t for t in self.terms if not t.startswith("!"))

    @property
    def exclusions(self) -> tuple[str, ...]:
        """The exclusions that cancelled sentences ("!" terms of the relevance output)."""
        return tuple(t[1:] for t in self.terms if t.startswith("!"))


@dataclass(frozen=True, slots=True)
class Expectation:
    """One claim expectation of the claims file."""

    article: str
    expect: str
    match: Mapping[str, Any]
    absent: bool = False


@dataclass(frozen=True, slots=True)
class ScoringNotes:
    """``borderline`` ids (never scored) and ``neutral_groups`` (pairs counting neither way)."""

    borderline: frozenset[str] = frozenset()
    neutral_groups: tuple[frozenset[str], ...] = ()


@dataclass(frozen=True, slots=True)
class Floors:
    """Minimums; ``min_claims`` is a count of expectations when ≥ 1, else a share of them."""

    min_f1: float | None = None
    min_story_precision: float | None = None
    min_story_recall: float | None = None
    min_claims: float | None = None


@dataclass(frozen=True, slots=True)
class Prf:
    """Precision, recall and F1 from counts; 0/0 is 1.0 (nothing claimed, nothing wrong)."""

    correct: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class RelevanceScore:
    prf: Prf
    misses: tuple[Outcome, ...]
    false_alarms: tuple[Outcome, ...]
    borderline: tuple[Outcome, ...]


@dataclass(frozen=True, slots=True)
class PairCase:
    """A wrong merge or a missed pair: the two ids, their gold and predicted stories."""

    a: str
    b: str
    gold: tuple[str | None, str | None]
    predicted: tuple[str | None, str | None]


@dataclass(frozen=True, slots=True)
class StoryScore:
    prf: Prf
    wrong_merges: tuple[PairCase, ...]
    missed_pairs: tuple[PairCase, ...]
    neutral: int


@dataclass(frozen=True, slots=True)
class Difference:
    """One field of ``match`` that a claim does not meet."""

    field: str
    expected: Any
    got: Any


@dataclass(frozen=True, slots=True)
class ClaimCheck:
    expectation: Expectation
    held: bool
    closest: Mapping[str, Any] | None = None
    differences: tuple[Difference, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class ClaimScore:
    checks: tuple[ClaimCheck, ...]

    @property
    def held(self) -> int:
        return sum(c.held for c in self.checks)

    @property
    def total(self) -> int:
        return len(self.checks)


@dataclass(frozen=True, slots=True)
class Report:
    relevance: RelevanceScore
    stories: StoryScore
    claims: ClaimScore
    below: tuple[str, ...] = field(default=())
    # why each wrong merge and missed pair was decided so (both signatures, the rule)
    why: Mapping[tuple[str, str], PairWhy] = field(default_factory=dict)
    alerts: AlertScore | None = None  # ``--replay``: the new-story alerts of the daemon


# --------------------------------------------------------------------------- scoring


def score_relevance(
    gold: Mapping[str, Gold], outcomes: Mapping[str, Outcome], notes: ScoringNotes
) -> RelevanceScore:
    """Precision/recall/F1 of ``relevant`` over the labelled articles, borderline ids aside."""
    misses, alarms, border = [], [], []
    correct = predicted = positives = 0
    for aid, g in gold.items():
        out = outcomes[aid]
        if aid in notes.borderline:
            border.append(out)
            continue
        predicted += out.relevant
        positives += g.relevant
        correct += out.relevant and g.relevant
        if g.relevant and not out.relevant:
            misses.append(out)
        elif out.relevant and not g.relevant:
            alarms.append(out)
    return RelevanceScore(
        Prf(correct, predicted, positives), tuple(misses), tuple(alarms), tuple(border)
    )


def same_story_pairs(stories: Mapping[str, str | None]) -> set[tuple[str, str]]:
    """Pairs of ids (sorted) that share a story; ids whose story is None pair with nothing."""
    groups: dict[str, list[str]] = {}
    for aid, story in stories.items():
        if story is not None:
            groups.setdefault(story, []).append(aid)
    return {(a, b) if a < b else (b, a) for ids in groups.values() for a, b in combinations(ids, 2)}


def score_stories(
    gold: Mapping[str, Gold], outcomes: Mapping[str, Outcome], notes: ScoringNotes
) -> StoryScore:
    """Pairwise precision/recall of story grouping (see the module docstring)."""
    scored = [aid for aid in gold if aid not in notes.borderline]
    gold_story = {aid: gold[aid].story if gold[aid].relevant else None for aid in scored}
    pred_story = {aid: outcomes[aid].story if outcomes[aid].relevant else None for aid in scored}
    gold_pairs = same_story_pairs(gold_story)
    pred_pairs = same_story_pairs(pred_story)

    def case(a: str, b: str) -> PairCase:
        return PairCase(a, b, (gold_story[a], gold_story[b]), (pred_story[a], pred_story[b]))

    neutral = {p for p in pred_pairs - gold_pairs if any(set(p) <= g for g in notes.neutral_groups)}
    counted = pred_pairs - neutral
    return StoryScore(
        Prf(len(counted & gold_pairs), len(counted), len(gold_pairs)),
        tuple(case(a, b) for a, b in sorted(counted - gold_pairs)),
        tuple(case(a, b) for a, b in sorted(gold_pairs - pred_pairs)),
        len(neutral),
    )


def claim_differences(match: Mapping[str, Any], claim: Mapping[str, Any]) -> list[Difference]:
    """The fields of ``match`` that ``claim`` (an ``analyze`` claim object) does not meet."""
    diffs = []
    for key in ("date", "number"):
        if key in match:
            got = claim.get(key) or {}
            for sub, want in match[key].items():
                if got.get(sub) != want:
                    diffs.append(Difference(f"{key}.{sub}", want, got.get(sub)))
    if "places_include" in match:
        places = set(claim.get("places", ()))
        missing = [p for p in match["places_include"] if p not in places]
        if missing:
            diffs.append(Difference("places", match["places_include"], claim.get("places", [])))
    for key in ("kind", "verdict", "negated", "hedged"):
        if key in match:
            want = match[key]
            ok = claim.get(key) in want if isinstance(want, list) else claim.get(key) == want
            if not ok:
                diffs.append(Difference(key, want, claim.get(key)))
    return diffs


def check_expectation(exp: Expectation, outcome: Outcome) -> ClaimCheck:
    """Does any claim of the article match (or, with ``absent``, does none)?"""
    ranked = sorted(
        ((claim_differences(exp.match, c), i, c) for i, c in enumerate(outcome.claims)),
        key=lambda t: (len(t[0]), t[1]),
    )
    if exp.absent:
        hit = next((c for d, _, c in ranked if not d), None)
        if hit is None:
            return ClaimCheck(exp, True)
        return ClaimCheck(exp, False, hit, note="a claim matches what should be absent")
    if ranked and not ranked[0][0]:
        return ClaimCheck(exp, True, ranked[0][2])
    if not ranked:
        why = "article not relevant" if not outcome.relevant else "article has no claim"
        return ClaimCheck(exp, False, note=why)
    diffs, _, closest = ranked[0]
    return ClaimCheck(exp, False, closest, tuple(diffs))


def score_claims(
    expectations: Sequence[Expectation], outcomes: Mapping[str, Outcome]
) -> ClaimScore:
    return ClaimScore(tuple(check_expectation(e, outcomes[e.article]) for e in expectations))


def below_floors(report: Report, floors: Floors) -> tuple[str, ...]:
    """A readable line for each floor the report does not meet."""
    out = []
    checks = (
        ("relevance F1", report.relevance.prf.f1, floors.min_f1),
        ("story precision", report.stories.prf.precision, floors.min_story_precision),
        ("story recall", report.stories.prf.recall, floors.min_story_recall),
    )
    for name, value, floor in checks:
        if floor is not None and value < floor:
            out.append(f"{name} {value:.3f} < {floor:g}")
    if floors.min_claims is not None:
        held, total = report.claims.held, report.claims.total
        need = floors.min_claims if floors.min_claims >= 1 else floors.min_claims * total
        if held < need:
            out.append(f"claims {held}/{total} < {floors.min_claims:g}")
    return tuple(out)


def evaluate(
    gold: Mapping[str, Gold],
    outcomes: Mapping[str, Outcome],
    expectations: Sequence[Expectation] = (),
    notes: ScoringNotes | None = None,
    floors: Floors | None = None,
) -> Report:
    """Score the product's answers against the labels (every labelled id needs an outcome)."""
    notes = notes or ScoringNotes()
    report = Report(
        score_relevance(gold, outcomes, notes),
        score_stories(gold, outcomes, notes),
        score_claims(expectations, outcomes),
    )
    if floors is None:
        return report
    return Report(report.relevance, report.stories, report.claims, below_floors(report, floors))


def outcome_from_json(obj: Mapping[str, Any]) -> Outcome:
    """An ``Outcome`` from one ``monitor analyze`` output object."""
    return Outcome(
        id=str(obj["id"]),
        relevant=bool(obj["relevant"]),
        score=float(obj["score"]),
        terms=tuple(obj.get("terms", ())),
        story=obj.get("story"),
        claims=tuple(obj.get("claims", ())),
    )


# --------------------------------------------------------------------------- files


def gold_from_json(raw: Mapping[str, Any], where: str) -> Gold:
    """The labels of one labelled line (its analyze fields are read by ``analysis``)."""
    label = raw.get("label")
    if label not in LABELS:
        raise InputError(f"{where}: field 'label' must be 'relevant' or 'negative'")
    story = raw.get("story")
    if story is not None and not isinstance(story, str | int):
        raise InputError(f"{where}: field 'story' must be a string or null")
    return Gold(str(raw["id"]), label == "relevant", None if story is None else str(story))


def load_expectations(path: Path, known_ids: Iterable[str]) -> list[Expectation]:
    """The claims file: ``{"expectations": [{"id", "expect", "match", "absent"?}]}``."""
    data = _read_json(path)
    items = data.get("expectations") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise InputError(f"{path}: expected an object with an 'expectations' list")
    known = set(known_ids)
    out = []
    for n, item in enumerate(items, 1):
        where = f"{path}: expectation {n}"
        if not isinstance(item, dict) or not isinstance(item.get("match"), dict):
            raise InputError(f"{where}: expected an object with 'id' and a 'match' object")
        if str(item.get("id")) not in known:
            raise InputError(f"{where}: article {item.get('id')!r} is not in the labels")
        unknown = set(item["match"]) - MATCH_KEYS
        if unknown:
            raise InputError(f"{where}: unknown match field {sorted(unknown)[0]!r}")
        for key in ("date", "number"):
            if key in item["match"] and not isinstance(item["match"][key], dict):
                raise InputError(f"{where}: match field {key!r} must be an object")
        if "places_include" in item["match"] and not isinstance(
            item["match"]["places_include"], list
        ):
            raise InputError(f"{where}: match field 'places_include' must be a list")
        absent = item.get("absent", False)
        if not isinstance(absent, bool):
            raise InputError(f"{where}: field 'absent' must be true or false")
        out.append(Expectation(str(item["id"]), str(item.get("expect", "")), item["match"], absent))
    return out


def load_scoring(path: Path) -> ScoringNotes:
    """The scoring file: ``{"borderline": [id], "neutral_groups": [[id]]}`` (both optional)."""
    data = _read_json(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object")
    border = data.get("borderline", [])
    groups = data.get("neutral_groups", [])
    if not isinstance(border, list) or not all(isinstance(x, str) for x in border):
        raise InputError(f"{path}: 'borderline' must be a list of ids")
    if not isinstance(groups, list) or not all(
        isinstance(g, list) and all(isinstance(x, str) for x in g) for g in groups
    ):
        raise InputError(f"{path}: 'neutral_groups' must be a list of lists of ids")
    return ScoringNotes(frozenset(border), tuple(frozenset(g) for g in groups))


def load_floors(path: Path) -> Floors:
    """A TOML file with a ``[floors]`` table of ``min_f1``, ``min_story_precision``, …"""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    table = data.get("floors")
    if not isinstance(table, dict):
        raise InputError(f"{path}: expected a [floors] table")
    values = {}
    for key, value in table.items():
        if key not in FLOOR_KEYS:
            raise InputError(f"{path}: unknown key floors.{key} (use {', '.join(FLOOR_KEYS)})")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise InputError(f"{path}: floors.{key} must be a number ≥ 0")
        values[key] = float(value)
    return Floors(**values)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: invalid JSON ({exc.msg} at line {exc.lineno})") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None


# --------------------------------------------------------------------------- output


def summary_line(report: Report) -> str:
    rel, st, cl = report.relevance.prf, report.stories.prf, report.claims
    verdict = "floors met" if not report.below else "BELOW FLOOR: " + "; ".join(report.below)
    alerts = ""
    if report.alerts is not None:
        a = report.alerts
        alerts = (
            f" · replay alerted {len(a.alerted)}/{a.stories} ({a.alerted_share:.2f}),"
            f" {a.alerts_per_story:.2f} per story, {len(a.false)} false"
        )
    return (
        f"eval: relevance P {rel.precision:.3f} R {rel.recall:.3f} F1 {rel.f1:.3f}"
        f" · stories P {st.precision:.3f} R {st.recall:.3f} F1 {st.f1:.3f}"
        f" · claims {cl.held}/{cl.total}{alerts} · {verdict}"
    )


def report_text(report: Report) -> str:
    """The readable report; the summary line comes last."""
    lines = [*_relevance_text(report.relevance), ""]
    lines += [*_story_text(report.stories, report.why), ""]
    if report.alerts is not None:
        lines += [*_alerts_text(report.alerts), ""]
    lines += [*_claims_text(report.claims), "", summary_line(report)]
    return "\n".join(lines) + "\n"


def _relevance_text(rel: RelevanceScore) -> list[str]:
    p = rel.prf
    lines = [
        f"relevance: P {p.precision:.3f} R {p.recall:.3f} F1 {p.f1:.3f}"
        f" ({p.correct} correct, {p.predicted} called relevant, {p.gold} labelled relevant;"
        f" {len(rel.borderline)} borderline not scored)"
    ]
    for name, cases in (("miss", rel.misses), ("false alarm", rel.false_alarms)):
        for o in cases:
            lines.append(f"  {name} {o.id}: {_decided(o)}")
    for o in rel.borderline:
        lines.append(f"  borderline {o.id}: {'relevant' if o.relevant else 'not relevant'}")
    return lines


def _decided(o: Outcome) -> str:
    terms = "، ".join(o.matched_terms) or "none"
    excl = ", ".join(o.exclusions) or "none"
    return f"score {o.score:g}; terms: {terms}; exclusions: {excl}"


def _story_text(st: StoryScore, why: Mapping[tuple[str, str], PairWhy]) -> list[str]:
    p = st.prf
    lines = [
        f"stories (pairs): P {p.precision:.3f} R {p.recall:.3f} F1 {p.f1:.3f}"
        f" ({p.correct} correct of {p.predicted} predicted, {p.gold} gold;"
        f" {st.neutral} neutral)"
    ]
    for name, cases in (("wrong merge", st.wrong_merges), ("missed pair", st.missed_pairs)):
        for c in cases:
            lines.append(
                f"  {name} {c.a} + {c.b}: gold {_pair(c.gold)}, predicted {_pair(c.predicted)}"
            )
            lines += _why_text(c, why.get((c.a, c.b)), merged=name == "wrong merge")
    return lines


def _why_text(c: PairCase, why: PairWhy | None, *, merged: bool) -> list[str]:
    """Both signatures and the rule that decided the pair (or how else they were joined)."""
    if why is None:
        return ["      (one of them never reached the stories stage: not relevant)"]
    m = why.match
    decided = f"{m.rule}: {m.reason}"
    if merged and not m.same:
        decided += "; joined through other reports of the same predicted story"
    return [f"      {c.a}: {why.a}", f"      {c.b}: {why.b}", f"      decided by {decided}"]


def _alerts_text(a: AlertScore) -> list[str]:
    lines = [
        f"replay (feeds through the daemon's once cycle): {len(a.alerted)} of {a.stories} stories"
        f" alerted ({a.alerted_share:.2f}); {a.alerts} new-story alerts,"
        f" {a.alerts_per_story:.2f} per alerted story; {len(a.false)} false alerts"
    ]
    lines += [f"  no alert: {s}" for s in a.missed]
    lines += [f"  {len(ids)} alerts: {s} (first reports {', '.join(ids)})" for s, ids in a.repeated]
    lines += [f"  false alert: {aid} (a negative article)" for aid in a.false]
    return lines


def _pair(stories: tuple[str | None, str | None]) -> str:
    a, b = (s if s is not None else "none" for s in stories)
    return a if a == b else f"{a} / {b}"


def _claims_text(cl: ClaimScore) -> list[str]:
    lines = [f"claims: {cl.held}/{cl.total} expectations hold"]
    for c in cl.checks:
        if c.held:
            continue
        e = c.expectation
        lines.append(f"  failed {e.article}: {e.expect}")
        if c.note:
            lines.append(f"    {c.note}")
        if c.closest is not None:
            lines.append(f"    closest claim: «{' '.join(str(c.closest.get('sentence')).split())}»")
            lines.append(f"      {_claim_facts(c.closest)}")
        for d in c.differences:
            lines.append(f"    {d.field}: expected {_show(d.expected)}, got {_show(d.got)}")
    return lines


def _claim_facts(claim: Mapping[str, Any]) -> str:
    facts = [f"kind {claim.get('kind')}", f"verdict {claim.get('verdict')}"]
    if claim.get("date"):
        facts.append(f"date {claim['date']['start']}..{claim['date']['end']}")
    if claim.get("places"):
        facts.append("places " + ",".join(claim["places"]))
    if claim.get("number"):
        facts.append(f"number {claim['number']['qualifier']} {claim['number']['value']}")
    facts += [k for k in ("negated", "hedged") if claim.get(k)]
    return " · ".join(facts)


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def report_json(report: Report) -> dict[str, Any]:
    """The report as one JSON object (``--format json``)."""
    rel, st = report.relevance, report.stories

    def prf(p: Prf) -> dict[str, Any]:
        return {
            "precision": round(p.precision, 4),
            "recall": round(p.recall, 4),
            "f1": round(p.f1, 4),
            "correct": p.correct,
            "predicted": p.predicted,
            "gold": p.gold,
        }

    def case(o: Outcome) -> dict[str, Any]:
        return {
            "id": o.id,
            "relevant": o.relevant,
            "score": o.score,
            "terms": list(o.matched_terms),
            "exclusions": list(o.exclusions),
        }

    def pair(c: PairCase) -> dict[str, Any]:
        why = report.why.get((c.a, c.b))
        return {
            "ids": [c.a, c.b],
            "gold": list(c.gold),
            "predicted": list(c.predicted),
            "signatures": [why.a, why.b] if why else None,
            "rule": why.match.rule if why else None,
            "reason": why.match.reason if why else None,
            "evidence": dict(why.match.evidence) if why else None,
        }

    def check(c: ClaimCheck) -> dict[str, Any]:
        return {
            "id": c.expectation.article,
            "expect": c.expectation.expect,
            "held": c.held,
            "note": c.note or None,
            "closest": dict(c.closest) if c.closest is not None else None,
            "differences": [
                {"field": d.field, "expected": d.expected, "got": d.got} for d in c.differences
            ],
        }

    return {
        "relevance": {
            **prf(rel.prf),
            "misses": [case(o) for o in rel.misses],
            "false_alarms": [case(o) for o in rel.false_alarms],
            "borderline": [case(o) for o in rel.borderline],
        },
        "stories": {
            **prf(st.prf),
            "neutral": st.neutral,
            "wrong_merges": [pair(c) for c in st.wrong_merges],
            "missed_pairs": [pair(c) for c in st.missed_pairs],
        },
        "replay": _alerts_json(report.alerts),
        "claims": {
            "held": report.claims.held,
            "total": report.claims.total,
            "failed": [check(c) for c in report.claims.checks if not c.held],
        },
        "below_floors": list(report.below),
        "summary": summary_line(report),
    }


def _alerts_json(a: AlertScore | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {
        "stories": a.stories,
        "alerted": len(a.alerted),
        "alerted_share": round(a.alerted_share, 4),
        "new_story_alerts": a.alerts,
        "alerts_per_story": round(a.alerts_per_story, 4),
        "false_alerts": list(a.false),
        "not_alerted": list(a.missed),
        "repeated": {s: list(ids) for s, ids in a.repeated},
    }


# --------------------------------------------------------------------------- the command


def read_labels(
    path: Path,
    analyzer: Analyzer,
    extract_html: Callable[[str, str | None], str] | None = None,
    records: list[Record] | None = None,
) -> tuple[dict[str, Gold], list[BatchItem]]:
    """Read and analyse the labelled articles (the ``analyze`` input plus ``label``/``story``).

    ``records``, when given, receives each input record (for ``--replay``).
    """
    gold: dict[str, Gold] = {}
    items = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        record = parse_line(line, lineno, source=str(path))
        g = gold_from_json(json.loads(line), f"{path}: line {lineno}")
        if g.id in gold:
            raise InputError(f"{path}: line {lineno}: duplicate id {g.id!r}")
        gold[g.id] = g
        if records is not None:
            records.append(record)
        items.append(analyze_record(record, analyzer, extract_html))
    if not gold:
        raise InputError(f"{path}: no labelled articles")
    return gold, items


def batch_outcomes(
    items: Sequence[BatchItem], settings: StorySettings | None = None, places: PlaceItems = ()
) -> dict[str, Outcome]:
    """The answers of ``monitor analyze`` for a batch (its in-memory story grouping)."""
    stories = group_stories(items, settings, places)
    return {i.id: outcome_from_json(result_json(i, s)) for i, s in zip(items, stories, strict=True)}


def replay_outcomes(outcomes: Mapping[str, Outcome], rp: Replay) -> dict[str, Outcome]:
    """The batch answers with relevance and story as the daemon gave them in the replay (an
    article it never processed counts as not relevant)."""
    out = {}
    for aid, o in outcomes.items():
        got = rp.answers.get(aid)
        relevant, story = (got.relevant, got.story) if got else (False, None)
        out[aid] = replace(o, relevant=relevant, story=story if relevant else None)
    return out


def run_eval(
    out: TextIO,
    analyzer: Analyzer,
    labels: Path,
    claims: Path | None = None,
    scoring: Path | None = None,
    floors: Floors | None = None,
    fmt: str = "text",
    extract_html: Callable[[str, str | None], str] | None = None,
    replay_config: Config | None = None,
    stories: StorySettings | None = None,
    places: PlaceItems = (),
) -> int:
    """``monitor eval``: analyse the labelled articles, score them, print the report.

    With ``replay_config`` the stories are the daemon's: the articles go through one
    ``once`` cycle as local feeds (``ops.replay``), and its new-story alerts are scored too.
    Wrong merges and missed pairs come with both reports' signatures and the deciding rule.
    ``stories`` and ``places``: the configured story settings and place hierarchy (the
    defaults and the built-in hierarchy when not given).

    Returns:
        0, or 1 when a floor is not met.

    Raises:
        InputError: a bad file, naming it.
    """
    records: list[Record] = []
    gold, items = read_labels(labels, analyzer, extract_html, records)
    expectations = load_expectations(claims, gold) if claims else []
    notes = load_scoring(scoring) if scoring else ScoringNotes()
    outcomes = batch_outcomes(items, stories, places)
    alerts = None
    if replay_config is not None:
        rp = replay(records, replay_config)
        outcomes = replay_outcomes(outcomes, rp)
        labelled = {g.id: (g.relevant, g.story) for g in gold.values()}
        alerts = score_alerts(labelled, rp.first_reports, notes.borderline)
    report = evaluate(gold, outcomes, expectations, notes, floors or Floors())
    cases = [(c.a, c.b) for c in (*report.stories.wrong_merges, *report.stories.missed_pairs)]
    rows = [(i.id, i.title, i.published, i.analysis) for i in items]
    why = explain_pairs(rows, cases, stories, places=places)
    report = replace(report, why=why, alerts=alerts)
    if fmt == "json":
        out.write(json.dumps(report_json(report), ensure_ascii=False, indent=1) + "\n")
    else:
        out.write(report_text(report))
    return 1 if report.below else 0
