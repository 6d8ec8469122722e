"""Fit the story model (``src/monitor/defaults/story_model.toml``) and report its held-out figure.

    .venv/bin/python scripts/fit_story_model.py [--corpus DIR] [--write] [--folds 5]

Labelled pairs come from three places, each a set of articles with story labels:
- our own fixtures: ``tests/support/story_corpus.py`` (reports of a few events), the pairs
  of ``tests/fixtures/stories/pairs.jsonl``, and the articles of
  ``tests/fixtures/analysis/articles.jsonl`` that carry a ``story_group`` (the others are not
  labelled for stories and are left out), and the demo site's items (``monitor/demo``, each
  with its story);
- the real articles of ``../shared/corpus/set1`` (relevant ones; ``neutral_groups`` pairs
  that are not gold pairs are left out, as the scoring does).

Each set is replayed as the daemon meets it: articles in order of publication (undated
last), the window's term counts (IDF) growing as they arrive, and each article compared
with every earlier one of its set by ``decide``: pairs a rule decides are not fitted, the
others give one feature row. The logistic model (each weight of its expected sign, the ridge
penalty chosen by an inner cross-validation over the training stories) is then
cross-validated over stories (a story's articles, and every pair touching them, are held out
together: K folds; the penalty is chosen inside each) and the held-out pairwise precision
and recall are printed, rules included; so are the grouping
figures on set1 through ``group_batch`` (each fold's model on the whole set, scored on the
pairs touching that fold's stories). ``--write`` fits on everything and rewrites the model
file, the figures in its header.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.story_corpus import REPORTS  # noqa: E402  (our fixture reports)

from monitor.analysis.analyzer import Analyzer  # noqa: E402
from monitor.analysis.keywords import default_rules_path, load_rules  # noqa: E402
from monitor.confkit import Problems  # noqa: E402
from monitor.models import ArticleAnalysis  # noqa: E402
from monitor.settings import StorySettings  # noqa: E402
from monitor.stories import dedup  # noqa: E402
from monitor.stories.batch import group_batch  # noqa: E402
from monitor.stories.decide import AGAINST, FEATURES, Similarity, by_rule, features  # noqa: E402
from monitor.stories.index import Doc, StoryIndex  # noqa: E402
from monitor.stories.model import MODEL_FILE, StoryModel, fit_signed, write_model  # noqa: E402
from monitor.timeline.load import default_timeline_path, load_timeline  # noqa: E402

NAMES = list(FEATURES)
# Ridge penalties tried: a dozen weights on a few hundred pairs, most of them one large set's.
# Each fit takes the one that predicts best the stories it was not fitted on (an inner
# cross-validation over the training stories), so the held-out figure includes that choice.
L2_GRID = (0.1, 0.3, 1.0, 3.0)


@dataclass
class Item:
    """One labelled article: its set, id, story label and analysis."""

    dataset: str
    id: str
    story: str
    title: str | None
    published: datetime | date | None
    analysis: ArticleAnalysis


@dataclass
class Pair:
    dataset: str
    a: Item
    b: Item
    same: bool
    rule: str | None  # the rule that decided, None: the model
    rule_same: bool
    x: list[float]


# ----------------------------------------------------------------------------- data


def corpus_dir(given: str | None) -> Path | None:
    if given:
        return Path(given)
    for up in (ROOT.parent, ROOT.parent.parent):
        if (up / "shared" / "corpus" / "set1").is_dir():
            return up / "shared" / "corpus"
    return None


def parse_time(value: str | None) -> datetime | date | None:
    if not value:
        return None
    if len(value) == 10:
        return date.fromisoformat(value)
    at = datetime.fromisoformat(value)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def load_items(analyzer: Analyzer, corpus: Path | None) -> tuple[list[Item], list[set[str]]]:
    """Every labelled, relevant article of every set; and set1's neutral groups."""

    rows: list[tuple[str, str, str, str | None, datetime | date | None, str]] = []
    for r in REPORTS:
        rows.append(("fixture-reports", r.id, r.event, r.title, r.published, r.text))
    pairs = ROOT / "tests" / "fixtures" / "stories" / "pairs.jsonl"
    for line in pairs.read_text(encoding="utf-8").splitlines():
        p = json.loads(line)
        for side in ("a", "b"):
            story = p["id"] + ("a" if side == "a" or p["same_story"] else "b")
            x = p[side]
            rows.append((f"fixture-pair-{p['id']}", p["id"] + side, story, x["title"],
                         parse_time(x["published"]), x["text"]))  # fmt: skip
    analysis = ROOT / "tests" / "fixtures" / "analysis" / "articles.jsonl"
    for line in analysis.read_text(encoding="utf-8").splitlines():
        a = json.loads(line)
        if a["expected"]["relevant"] and a["story_group"]:
            rows.append(("fixture-analysis", a["id"], a["story_group"], a["title"],
                         parse_time(a["published"]), a["text"]))  # fmt: skip
    demo = ROOT / "src" / "monitor" / "demo"
    manifest = json.loads((demo / "manifest.json").read_text(encoding="utf-8"))
    for it in manifest["items"]:
        if it.get("relevant") and it.get("story"):
            body = BeautifulSoup((demo / it["body"]).read_text(encoding="utf-8"), "html.parser")
            rows.append(("fixture-demo", it["id"], it["story"], it["title"],
                         parse_time(it.get("published")), body.get_text("\n", strip=True)))  # fmt: skip
    neutral: list[set[str]] = []
    if corpus is not None:
        set1 = corpus / "set1"
        for line in (set1 / "articles.jsonl").read_text(encoding="utf-8").splitlines():
            a = json.loads(line)
            if a["label"] == "relevant":
                rows.append(("set1", a["id"], a["story"] or f"alone:{a['id']}", a["title"],
                             parse_time(a["published"]), a["text"]))  # fmt: skip
        scoring = json.loads((set1 / "scoring.json").read_text(encoding="utf-8"))
        neutral = [set(g) for g in scoring.get("neutral_groups", [])]
    items = []
    for dataset, aid, story, title, published, text in rows:
        result = analyzer.analyze(title, text, published)
        if result.relevance.relevant:  # the others never reach the stories stage
            items.append(Item(dataset, aid, story, title, published, result))
    return items, neutral


# ----------------------------------------------------------------------------- pairs


def replay(items: Sequence[Item], settings: StorySettings, neutral: list[set[str]]) -> list[Pair]:
    """Each set in arrival order, IDF growing; every later article against every earlier one."""
    out: list[Pair] = []
    by_set: dict[str, list[Item]] = {}
    for item in items:
        by_set.setdefault(item.dataset, []).append(item)
    for dataset, group in by_set.items():
        index = StoryIndex(settings, lambda keys: {})
        docs: list[tuple[Item, Doc]] = []
        for item in sorted(group, key=_arrival):
            doc = index.make_doc(
                item.id,
                item.analysis.body,
                item.title,
                _aware(item.published),
                item.analysis.findings,
                lede=item.analysis.lede,
                normalized=True,
            )
            for other, odoc in docs:
                same = item.story == other.story
                if not same and any(item.id in g and other.id in g for g in neutral):
                    continue  # neither required nor wrong (scoring.json)
                sim = Similarity(
                    dedup.jaccard(doc.shingles, odoc.shingles),
                    dedup.teaser_containment(doc.shingles, odoc.shingles),
                    index.terms.cosine(doc.terms, odoc.terms),
                )
                ruled = by_rule(doc.event, odoc.event, sim, settings)
                x = features(doc.event, odoc.event, sim)
                out.append(
                    Pair(dataset, item, other, same, ruled.rule if ruled else None,
                         bool(ruled and ruled.same), [x[n] for n in NAMES])
                )  # fmt: skip
            index.terms.add(doc.terms)
            docs.append((item, doc))
    return out


def _arrival(item: Item) -> tuple[bool, float, str]:
    at = _aware(item.published)
    return (at is None, at.timestamp() if at else 0.0, item.id)


def _aware(at: datetime | date | None) -> datetime | None:
    if at is None or isinstance(at, datetime):
        return at
    return datetime(at.year, at.month, at.day, 12, tzinfo=UTC)


# ----------------------------------------------------------------------------- fitting


def to_model(bias: float, w: np.ndarray) -> StoryModel:
    return StoryModel(bias, dict(zip(NAMES, w.tolist(), strict=True)))


def fit(pairs: Sequence[Pair], l2: float) -> StoryModel:
    """The logistic model on the pairs no rule decides, each weight of its expected sign
    (``decide.AGAINST``; ``model.fit_signed``)."""
    modelled = [p for p in pairs if p.rule is None]
    x = np.array([p.x for p in modelled], dtype=np.float64)
    y = np.array([1.0 if p.same else 0.0 for p in modelled])
    bias, w = fit_signed(x, y, [n in AGAINST for n in NAMES], l2)
    return to_model(bias, w)


def fit_chosen(
    pairs: Sequence[Pair], fold: dict[tuple[str, str], int], folds: Sequence[int]
) -> tuple[StoryModel, float]:
    """``fit`` with the ridge penalty of ``L2_GRID`` that an inner cross-validation over
    ``folds`` (the folds the pairs' stories lie in) finds best: (model, penalty)."""
    l2 = max(L2_GRID, key=lambda v: (_f1(_inner_counts(pairs, fold, folds, v)), v))
    return fit(pairs, l2), l2


def _inner_counts(
    pairs: Sequence[Pair], fold: dict[tuple[str, str], int], folds: Sequence[int], l2: float
) -> list[int]:
    """(tp, fp, fn) over all sets, each pair predicted by a model fitted without the stories of
    the lower fold it touches."""
    c = [0, 0, 0]
    for k in folds:
        model = fit([p for p in pairs if k not in (_fold(p.a, fold), _fold(p.b, fold))], l2)
        for p in pairs:
            if min(_fold(p.a, fold), _fold(p.b, fold)) == k:
                _tally(c, p.same, predict(model, p))
    return c


def _f1(c: Sequence[int]) -> float:
    tp, fp, fn = c
    return 2 * tp / max(1, 2 * tp + fp + fn)


def folds_of(items: Iterable[Item], k: int) -> dict[tuple[str, str], int]:
    """Stories dealt into k folds, the largest first, so each fold holds some pairs."""
    sizes: dict[tuple[str, str], int] = {}
    for item in items:
        key = (item.dataset, item.story)
        sizes[key] = sizes.get(key, 0) + 1
    order = sorted(sizes, key=lambda s: (-sizes[s], s))
    return {s: i % k for i, s in enumerate(order)}


def predict(model: StoryModel, pair: Pair) -> bool:
    if pair.rule is not None:
        return pair.rule_same
    return model.probability(dict(zip(NAMES, pair.x, strict=True))) >= model.threshold


def cross_validate(
    pairs: Sequence[Pair], fold: dict[tuple[str, str], int], k: int
) -> dict[str, list[int]]:
    """Held-out pairwise counts (tp, fp, fn) per set: each pair predicted by a model fitted
    without the stories of either of its articles."""
    counts: dict[str, list[int]] = {}
    models: dict[tuple[int, int], StoryModel] = {}
    for i, j in itertools.combinations_with_replacement(range(k), 2):
        train = [
            p for p in pairs if _fold(p.a, fold) not in (i, j) and _fold(p.b, fold) not in (i, j)
        ]
        rest = [f for f in range(k) if f not in (i, j)]
        models[(i, j)] = models[(j, i)] = fit_chosen(train, fold, rest)[0]
    for p in pairs:
        got = predict(models[(_fold(p.a, fold), _fold(p.b, fold))], p)
        _tally(counts.setdefault(p.dataset if p.dataset == "set1" else "fixtures", [0, 0, 0]),
               p.same, got)  # fmt: skip
    return counts


def _fold(item: Item, fold: dict[tuple[str, str], int]) -> int:
    return fold[(item.dataset, item.story)]


def grouping(
    items: Sequence[Item], model: StoryModel, neutral: list[set[str]]
) -> tuple[list[int], list[tuple[str, str, bool]]]:
    """set1 through ``group_batch``: (tp, fp, fn) and the wrong and missed pairs."""
    c = [0, 0, 0]
    errors = []
    for a, b, gold, got in _grouped_pairs(items, model, neutral):
        _tally(c, gold, got)
        if gold != got:
            errors.append((a.id, b.id, gold))
    return c, errors


def _grouped_pairs(
    items: Sequence[Item], model: StoryModel, neutral: list[set[str]]
) -> Iterator[tuple[Item, Item, bool, bool]]:
    """Each pair of set1 grouped by ``group_batch``: (a, b, same gold story, grouped together);
    a merge the corpus scores as neutral is left out."""
    set1 = [i for i in items if i.dataset == "set1"]
    stories = group_batch([(i.id, i.title, i.published, i.analysis) for i in set1], model=model)
    for (a, sa), (b, sb) in itertools.combinations(zip(set1, stories, strict=True), 2):
        gold, got = a.story == b.story, sa is not None and sa == sb
        if not (got and not gold and any(a.id in g and b.id in g for g in neutral)):
            yield a, b, gold, got


def _tally(c: list[int], gold: bool, got: bool) -> None:
    c[0] += gold and got
    c[1] += got and not gold
    c[2] += gold and not got


def pr(c: Sequence[int]) -> str:
    tp, fp, fn = c
    return f"P={tp / max(1, tp + fp):.2f} R={tp / max(1, tp + fn):.2f} (tp {tp}, fp {fp}, fn {fn})"


# ----------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", help="the corpus folder holding set1 (default: ../shared/corpus)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--write", action="store_true", help=f"rewrite {MODEL_FILE.name}")
    args = ap.parse_args(argv)
    problems = Problems()
    analyzer = Analyzer(
        load_rules(default_rules_path(), problems), load_timeline(default_timeline_path(), problems)
    )
    problems.raise_if_any()
    corpus = corpus_dir(args.corpus)
    if corpus is None:
        print("no ../shared/corpus/set1: fitting on our fixtures only", file=sys.stderr)
    settings = StorySettings()
    items, neutral = load_items(analyzer, corpus)
    pairs = replay(items, settings, neutral)
    modelled = [p for p in pairs if p.rule is None]
    print(f"articles {len(items)}, pairs {len(pairs)} ({sum(p.same for p in pairs)} same story);"
          f" the model decides {len(modelled)} ({sum(p.same for p in modelled)} same)")  # fmt: skip
    rules: dict[str, list[int]] = {}
    for p in pairs:
        if p.rule is not None:
            r = rules.setdefault(p.rule, [0, 0])
            r[0 if p.same == p.rule_same else 1] += 1
    for rule, (right, wrong) in sorted(rules.items()):
        print(f"  rule {rule:9s} decides {right + wrong:4d} pairs, {wrong} wrongly")
    fold = folds_of(items, args.folds)
    held = cross_validate(pairs, fold, args.folds)
    for name, c in sorted(held.items()):
        print(f"held-out pairs ({args.folds}-fold by story), {name}: {pr(c)}")
    model, l2 = fit_chosen(pairs, fold, range(args.folds))
    print(f"weights (log-odds per unit), ridge penalty {l2} by cross-validation:")
    print(f"  {'bias':12s} {model.bias:+.2f}")
    for name in NAMES:
        print(f"  {name:12s} {model.weights[name]:+.2f}  {FEATURES[name]}")
    grouped: list[str] = []
    if corpus is not None:
        cv_group = [0, 0, 0]
        for k in range(args.folds):
            train = [p for p in pairs if _fold(p.a, fold) != k and _fold(p.b, fold) != k]
            rest = [f for f in range(args.folds) if f != k]
            c, _ = grouping_touching(items, fit_chosen(train, fold, rest)[0], neutral, fold, k)
            cv_group = [x + y for x, y in zip(cv_group, c, strict=True)]
        print(f"set1 grouping, held-out stories (group_batch): {pr(cv_group)}")
        c, errors = grouping(items, model, neutral)
        print(f"set1 grouping, fitted on all (group_batch): {pr(c)}")
        grouped = [
            f"set1 grouped by group_batch, stories held out: {pr(cv_group)};",
            f"  with this model (fitted on set1 too): {pr(c)}",
        ]
        for a, b, gold in errors:
            print(f"  {'missed' if gold else 'wrong'} {a} {b}")
    if args.write:
        header = [
            "The story model: weights of the evidence two reports share (stories/decide.py).",
            "Written by scripts/fit_story_model.py; edit by re-running it, not by hand.",
            f"Fitted on {len(modelled)} pairs that no rule decides ({sum(p.same for p in modelled)}"
            f" same-story) from our fixtures{' and ../shared/corpus/set1' if corpus else ''},",
            f"ridge penalty {l2} (of {', '.join(str(v) for v in L2_GRID)}, by cross-validation over"
            " stories); each weight of its expected sign.",
            f"Held out by story ({args.folds} folds; penalty chosen inside each), pairwise, rules"
            " included:",
            *(f"  {name}: {pr(c)}" for name, c in sorted(held.items())),
            *grouped,
            "A weight is the change in log-odds per unit of its feature; the probability is",
            "1 / (1 + exp(-(bias + sum of weight x feature))), one story from `threshold`.",
        ]
        weights = [(n, model.weights[n], FEATURES[n]) for n in NAMES]
        write_model(MODEL_FILE, model.bias, weights, model.threshold, header)
        print(f"wrote {MODEL_FILE}")
    return 0


def grouping_touching(
    items: Sequence[Item], model: StoryModel, neutral: list[set[str]],
    fold: dict[tuple[str, str], int], k: int,
) -> tuple[list[int], list[tuple[str, str, bool]]]:  # fmt: skip
    """``grouping`` counted only on the pairs that touch fold ``k``'s stories, each once."""
    c = [0, 0, 0]
    for a, b, gold, got in _grouped_pairs(items, model, neutral):
        if min(_fold(a, fold), _fold(b, fold)) == k:  # counted in the lower fold it touches
            _tally(c, gold, got)
    return c, []


if __name__ == "__main__":
    raise SystemExit(main())
