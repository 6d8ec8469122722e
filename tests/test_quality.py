"""Analysis quality gate (issue 4): the analyzer against labelled articles written by us.

The fixtures (``fixtures/analysis/articles.jsonl``, documented in its README) are checked for
consistency first, so a broken label fails on its own line rather than as a lower score. The gate
then runs ``monitor.analysis.Analyzer`` through its public API, prints the summary table (also
without ``-s``) and asserts the floors in ``fixtures/analysis/floors.json``. The floors can only
go up: ``MINIMUM_FLOORS`` pins what issue 4 requires. For the per-article misses run
``python -m tests.quality_metrics``.

A second gate runs the same scoring on ``fixtures/analysis/holdout.jsonl``: 34 articles written
without tuning the rules to them first, in styles the main set under-represents (wire translations, Kurdish outlets, live
blogs, RSS summaries, Hijri dates, hard negatives), with floors in ``holdout_floors.json``
(``python -m tests.quality_metrics --file holdout.jsonl``).

A third gate scores ``fixtures/analysis/holdout2.jsonl`` (61 articles in outlets' styles and hard
negatives of every off-topic class, with destinations and verdicts labelled) against
``holdout2_floors.json``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from typing import Any

import pytest
from tests import quality_metrics as qm

ARTICLES = qm.load_articles()
HOLDOUT = qm.load_articles(qm.HOLDOUT_FILE)
HOLDOUT2 = qm.load_articles(qm.HOLDOUT2_FILE)
MINIMUM_FLOORS = {
    "relevance_precision": 0.95,
    "relevance_recall": 0.95,
    "dates": 0.95,
    "numbers": 0.95,
    "places": 0.95,
    "furniture_clean": 1.0,
}
# The holdout's floors may sit lower than the main set's (24 articles: one miss costs more).
MINIMUM_HOLDOUT_FLOORS = {
    "relevance_precision": 0.9,
    "relevance_recall": 0.9,
    "dates": 0.9,
    "numbers": 0.9,
    "places": 0.9,
    "furniture_clean": 1.0,
}
# The second holdout's figures after its first round of fixes (README): floors only go up.
MINIMUM_HOLDOUT2_FLOORS = {
    "relevance_precision": 0.97,
    "relevance_recall": 0.97,
    "dates": 0.85,
    "numbers": 0.94,
    "places": 0.93,
    "furniture_clean": 1.0,
}
WEEKDAYS = {
    "الاثنين": 0,
    "الإثنين": 0,
    "الثلاثاء": 1,
    "الأربعاء": 2,
    "الخميس": 3,
    "الجمعة": 4,
    "السبت": 5,
    "الأحد": 6,
}


# --------------------------------------------------------------------------- the fixtures themselves


def test_fixture_set_has_the_required_mix() -> None:
    relevant = sum(a["expected"]["relevant"] for a in ARTICLES)
    assert len(ARTICLES) >= 64
    assert relevant >= 40
    assert len(ARTICLES) - relevant >= 24
    assert len({a["id"] for a in ARTICLES}) == len(ARTICLES), "article ids must be unique"
    groups = Counter(a["story_group"] for a in ARTICLES if a["story_group"])
    assert groups and all(3 <= n <= 4 for n in groups.values()), groups


def _check_claim(text: str, claim: dict[str, Any]) -> None:
    frag = claim["sentence_contains"]
    assert text.count(frag) == 1, f"fragment must occur once in the text: {frag}"
    assert claim["kind"] in qm.KINDS
    assert set(claim["places"]) <= qm.PLACE_IDS, claim["places"]
    assert isinstance(claim["negated"], bool) and isinstance(claim["hedged"], bool)
    assert set(claim.get("destinations", ())) <= set(claim["places"]), "a destination is a place"
    assert claim.get("verdict", "consistent") in qm.VERDICTS
    if claim["number"] is not None:
        assert isinstance(claim["number"]["value"], int)
        assert claim["number"]["qualifier"] in qm.QUALIFIERS
    d = claim["date"]
    if d is None:
        return
    start, end = date.fromisoformat(d["start"]), date.fromisoformat(d["end"])
    assert start <= end and d["granularity"] in qm.GRANULARITIES
    if d["granularity"] == "day":
        # a weekday named alone in the sentence must be the weekday of the labelled day
        i = text.index(frag)
        sentence = text[slice(*qm.sentence_span(text, i, i + len(frag)))]
        named = {n for w, n in WEEKDAYS.items() if re.search(rf"(?<!\w){w}(?!\w)", sentence)}
        if len(named) == 1:
            assert start.weekday() in named, f"{d} is not the weekday named in: {sentence}"


@pytest.mark.parametrize("art", ARTICLES, ids=[a["id"] for a in ARTICLES])
def test_fixture_article_is_consistent(art: dict[str, Any]) -> None:
    _check_article(art, min_words=80)


def test_holdout_set_has_the_required_mix() -> None:
    relevant = sum(a["expected"]["relevant"] for a in HOLDOUT)
    assert len(HOLDOUT) >= 24 and relevant >= 12 and len(HOLDOUT) - relevant >= 8
    ids = {a["id"] for a in HOLDOUT}
    assert len(ids) == len(HOLDOUT) and not ids & {a["id"] for a in ARTICLES}


@pytest.mark.parametrize("art", HOLDOUT, ids=[a["id"] for a in HOLDOUT])
def test_holdout_article_is_consistent(art: dict[str, Any]) -> None:
    _check_article(art, min_words=20)  # RSS summaries are short


def test_second_holdout_set_has_the_required_mix() -> None:
    relevant = sum(a["expected"]["relevant"] for a in HOLDOUT2)
    assert len(HOLDOUT2) >= 50 and relevant >= 30 and len(HOLDOUT2) - relevant >= 15
    ids = {a["id"] for a in HOLDOUT2}
    assert len(ids) == len(HOLDOUT2)
    assert not ids & ({a["id"] for a in ARTICLES} | {a["id"] for a in HOLDOUT})


@pytest.mark.parametrize("art", HOLDOUT2, ids=[a["id"] for a in HOLDOUT2])
def test_second_holdout_article_is_consistent(art: dict[str, Any]) -> None:
    _check_article(art, min_words=20)  # tickers, RSS summaries and reposts are short


def _check_article(art: dict[str, Any], min_words: int) -> None:
    assert set(art) >= {"id", "url", "outlet", "published", "title", "text", "story_group"}
    assert min_words <= len(art["text"].split()) <= 600
    qm.parse_published(art["published"])
    expected = art["expected"]
    assert bool(expected["claims"]) == expected["relevant"], "claims iff relevant"
    for claim in expected["claims"]:
        _check_claim(art["text"], claim)
    for frag in expected.get("no_claim", []):
        assert art["text"].count(frag) == 1, f"no_claim fragment must occur once: {frag}"


@pytest.mark.parametrize(
    ("path", "minimums"),
    [
        (qm.FLOORS_FILE, MINIMUM_FLOORS),
        (qm.HOLDOUT_FLOORS_FILE, MINIMUM_HOLDOUT_FLOORS),
        (qm.HOLDOUT2_FLOORS_FILE, MINIMUM_HOLDOUT2_FLOORS),
    ],
    ids=["main", "holdout", "holdout2"],
)
def test_floors_only_go_up(path: Any, minimums: dict[str, float]) -> None:
    floors = qm.load_floors(path)
    assert set(floors) == set(qm.METRICS)
    for metric, minimum in minimums.items():
        assert floors[metric] >= minimum, f"{metric} floor lowered below {minimum}"


def test_story_pairs_are_well_formed() -> None:
    pairs = [json.loads(line) for line in qm.PAIRS_FILE.read_text(encoding="utf-8").splitlines()]
    assert len(pairs) >= 30
    assert len({p["id"] for p in pairs}) == len(pairs)
    for p in pairs:
        assert isinstance(p["same_story"], bool) and p["why"]
        for side in (p["a"], p["b"]):
            assert {"title", "text", "published", "outlet"} <= set(side)
            qm.parse_published(side["published"])
    assert sum(p["same_story"] for p in pairs) >= 10
    assert sum(not p["same_story"] for p in pairs) >= 6


# --------------------------------------------------------------------------- the gate


@pytest.fixture(scope="module")
def report() -> qm.Report:
    analyzer = qm.build_analyzer()
    return qm.score(ARTICLES, qm.analyze_all(analyzer, ARTICLES))


def test_analysis_quality_meets_floors(
    report: qm.Report, capsys: pytest.CaptureFixture[str]
) -> None:
    _assert_floors(report, qm.load_floors(), capsys)


def test_holdout_quality_meets_floors(capsys: pytest.CaptureFixture[str]) -> None:
    report = qm.score(HOLDOUT, qm.analyze_all(qm.build_analyzer(), HOLDOUT))
    _assert_floors(report, qm.load_floors(qm.HOLDOUT_FLOORS_FILE), capsys)


def test_second_holdout_quality_meets_floors(capsys: pytest.CaptureFixture[str]) -> None:
    report = qm.score(HOLDOUT2, qm.analyze_all(qm.build_analyzer(), HOLDOUT2))
    _assert_floors(report, qm.load_floors(qm.HOLDOUT2_FLOORS_FILE), capsys)


def _assert_floors(
    report: qm.Report, floors: dict[str, float], capsys: pytest.CaptureFixture[str]
) -> None:
    table = qm.format_table(report, floors)
    with capsys.disabled():
        print("\n" + table)
    below = [m for m in qm.METRICS if report.rate(m) < floors[m]]
    details = "\n".join(qm.format_misses(report, metric=m, limit=12) for m in below)
    assert not below, f"below floor: {', '.join(below)}\n{table}\n{details}"
