"""``monitor eval``: the scoring functions, the command, its files and its floors.

The labelled articles here are our own writing; ``test_corpus_meets_floors`` reads the real
development set from ``../shared/corpus`` when it is there (skipped in a user's clone).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from monitor.cli import main
from monitor.ops import evaluate as ev
from monitor.ops.replay import score_alerts

REPO = Path(__file__).resolve().parents[1]
FLOORS_FILE = REPO / "eval-floors.toml"
# the floors recorded when `make eval` started; the file's may rise, never fall below these
FLOOR_MINIMUMS = {
    "min_f1": 0.99,
    "min_story_precision": 0.95,
    "min_story_recall": 0.93,
    "min_claims": 39,
}


def corpus_dir() -> Path | None:
    for base in (REPO.parent, REPO.parent.parent):
        if (base / "shared" / "corpus" / "set1" / "articles.jsonl").is_file():
            return base / "shared" / "corpus" / "set1"
    return None


def outcome(aid: str, relevant: bool, story: str | None = None, **kw: Any) -> ev.Outcome:
    return ev.Outcome(
        aid, relevant, kw.get("score", 1.0), kw.get("terms", ()), story, kw.get("claims", ())
    )


# --------------------------------------------------------------------------- pure scoring


def test_relevance_counts_misses_and_false_alarms_and_leaves_borderline_out() -> None:
    gold = {
        "a": ev.Gold("a", True, None),
        "b": ev.Gold("b", True, None),
        "c": ev.Gold("c", False, None),
        "d": ev.Gold("d", False, None),
    }
    outs = {
        "a": outcome("a", True),
        "b": outcome("b", False, terms=("!foreign_only",)),
        "c": outcome("c", True),
        "d": outcome("d", True),
    }
    score = ev.score_relevance(gold, outs, ev.ScoringNotes(borderline=frozenset({"d"})))
    assert (score.prf.correct, score.prf.predicted, score.prf.gold) == (1, 2, 2)
    assert score.prf.precision == score.prf.recall == 0.5
    assert [o.id for o in score.misses] == ["b"]
    assert score.misses[0].exclusions == ("foreign_only",)
    assert [o.id for o in score.false_alarms] == ["c"]
    assert [o.id for o in score.borderline] == ["d"]


def test_story_pairs_count_wrong_merges_missed_pairs_and_neutral_groups() -> None:
    gold = {
        "a": ev.Gold("a", True, "g1"),
        "b": ev.Gold("b", True, "g1"),
        "c": ev.Gold("c", True, "g1"),
        "d": ev.Gold("d", True, "g2"),
        "e": ev.Gold("e", True, "g3"),
        "n": ev.Gold("n", False, None),
    }
    outs = {
        "a": outcome("a", True, "s1"),
        "b": outcome("b", True, "s1"),
        "c": outcome("c", True, "s2"),
        "d": outcome("d", True, "s2"),  # c+d: a wrong merge
        "e": outcome("e", True, "s1"),  # a+e, b+e: inside a neutral group
        "n": outcome("n", False, "s1"),  # not called relevant: pairs with nothing
    }
    notes = ev.ScoringNotes(neutral_groups=(frozenset({"a", "b", "e"}),))
    st = ev.score_stories(gold, outs, notes)
    assert st.neutral == 2
    assert (st.prf.correct, st.prf.predicted, st.prf.gold) == (1, 2, 3)
    assert [(c.a, c.b) for c in st.wrong_merges] == [("c", "d")]
    assert [(c.a, c.b) for c in st.missed_pairs] == [("a", "c"), ("b", "c")]
    assert st.wrong_merges[0].gold == ("g1", "g2")


def test_no_predicted_pairs_is_full_precision_and_no_gold_pairs_full_recall() -> None:
    p = ev.Prf(0, 0, 0)
    assert (p.precision, p.recall, p.f1) == (1.0, 1.0, 1.0)
    assert ev.Prf(0, 3, 4).f1 == 0.0


CLAIM = {
    "kind": "withdrawal",
    "sentence": "…",
    "date": {"text": "أيلول", "start": "2025-09-01", "end": "2025-09-30", "granularity": "month"},
    "places": ["baghdad", "erbil"],
    "number": {"value": 500, "qualifier": "less_than"},
    "negated": False,
    "hedged": False,
    "verdict": "consistent",
}


@pytest.mark.parametrize(
    ("match", "fields"),
    [
        ({"date": {"start": "2025-09-01"}, "places_include": ["erbil"]}, []),
        ({"date": {"start": "2025-09-15", "end": "2025-09-15"}}, ["date.start", "date.end"]),
        ({"number": {"value": 500}}, []),
        ({"number": {"value": 500, "qualifier": "about"}}, ["number.qualifier"]),
        ({"places_include": ["erbil", "kurdistan"]}, ["places"]),
        ({"kind": ["handover", "withdrawal"], "negated": False}, []),
        ({"verdict": "completed", "hedged": True}, ["verdict", "hedged"]),
    ],
)
def test_claim_differences_name_each_field_that_differs(
    match: dict[str, Any], fields: list[str]
) -> None:
    assert [d.field for d in ev.claim_differences(match, CLAIM)] == fields


def test_expectation_takes_any_claim_and_reports_the_closest() -> None:
    other = {**CLAIM, "places": ["anbar"], "number": None}
    out = outcome("a", True, claims=(other, CLAIM))
    held = ev.check_expectation(ev.Expectation("a", "", {"places_include": ["erbil"]}), out)
    assert held.held
    failed = ev.check_expectation(
        ev.Expectation("a", "", {"places_include": ["erbil"], "number": {"value": 400}}), out
    )
    assert not failed.held and failed.closest is CLAIM
    assert [(d.field, d.expected, d.got) for d in failed.differences] == [
        ("number.value", 400, 500)
    ]


def test_absent_expectation_fails_when_a_claim_matches() -> None:
    out = outcome("a", True, claims=(CLAIM,))
    exp = ev.Expectation("a", "", {"number": {"value": 500}}, absent=True)
    assert not ev.check_expectation(exp, out).held
    exp = ev.Expectation("a", "", {"number": {"value": 347}}, absent=True)
    assert ev.check_expectation(exp, out).held


def test_an_irrelevant_article_fails_its_expectations_and_says_why() -> None:
    check = ev.check_expectation(ev.Expectation("a", "", {"negated": True}), outcome("a", False))
    assert not check.held and check.note == "article not relevant"


def test_floors_name_each_unmet_minimum() -> None:
    report = ev.Report(
        ev.RelevanceScore(ev.Prf(9, 10, 10), (), (), ()),
        ev.StoryScore(ev.Prf(1, 2, 4), (), (), 0),
        ev.ClaimScore(tuple(ev.ClaimCheck(ev.Expectation("a", "", {}), i < 3) for i in range(4))),
    )
    assert ev.below_floors(report, ev.Floors(min_f1=0.9, min_claims=3)) == ()
    below = ev.below_floors(report, ev.Floors(min_f1=0.95, min_story_recall=0.5, min_claims=0.8))
    assert below == ("relevance F1 0.900 < 0.95", "story recall 0.250 < 0.5", "claims 3/4 < 0.8")


# --------------------------------------------------------------------------- the command

# Our own sentences: two reports of one move, one on another country's troops.
ARTICLES = [
    {
        "id": "r1",
        "published": "2025-09-03",
        "text": "أعلنت قيادة العمليات المشتركة أمس الثلاثاء انسحاب قوات التحالف الدولي من "
        "قاعدة عين الأسد في الأنبار وانتقالها إلى أربيل.",
        "label": "relevant",
        "story": "ain",
    },
    {
        "id": "r2",
        "published": "2025-09-03",
        "text": "قالت مصادر عراقية إن قوات التحالف الدولي انسحبت من قاعدة عين الأسد الجوية "
        "في محافظة الأنبار متجهة إلى أربيل.",
        "label": "relevant",
        "story": "ain",
    },
    {
        "id": "n1",
        "published": "2025-09-03",
        "text": "أعلنت باريس انسحاب آخر جنودها من مالي بعد تسع سنوات من الانتشار.",
        "label": "negative",
        "story": None,
    },
]
CLAIMS = {
    "expectations": [
        {"id": "r1", "expect": "Ain al-Asad named", "match": {"places_include": ["ain_al_asad"]}},
        {"id": "r2", "expect": "a number that is not there", "match": {"number": {"value": 9}}},
    ]
}


def write_set(tmp_path: Path, articles: list[dict[str, Any]] | None = None) -> dict[str, Path]:
    labels = tmp_path / "articles.jsonl"
    labels.write_text(
        "".join(
            json.dumps({"url": None, "outlet": "x", "title": None, **a}, ensure_ascii=False) + "\n"
            for a in (articles or ARTICLES)
        ),
        encoding="utf-8",
    )
    claims = tmp_path / "claims.json"
    claims.write_text(json.dumps(CLAIMS, ensure_ascii=False), encoding="utf-8")
    scoring = tmp_path / "scoring.json"
    scoring.write_text(json.dumps({"borderline": [], "neutral_groups": []}), encoding="utf-8")
    return {"labels": labels, "claims": claims, "scoring": scoring}


def eval_args(files: dict[str, Path], *extra: str) -> list[str]:
    args = ["eval", "--labels", str(files["labels"]), "--claims", str(files["claims"])]
    return [*args, "--scoring", str(files["scoring"]), *extra]


def test_eval_text_report_ends_with_the_summary_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = write_set(tmp_path)
    assert main(eval_args(files)) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("relevance: P 1.000 R 1.000")
    assert "claims: 1/2 expectations hold" in out
    assert "failed r2: a number that is not there" in out
    assert "number.value: expected 9, got null" in out
    last = out.rstrip("\n").splitlines()[-1]
    assert last.startswith("eval: relevance P 1.000 R 1.000 F1 1.000 · stories P 1.000 R 1.000")
    assert last.endswith("claims 1/2 · floors met")


def test_eval_exits_1_below_a_floor_and_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = write_set(tmp_path)
    assert main(eval_args(files, "--min-claims", "2", "--min-f1", "0.9")) == 1
    last = capsys.readouterr().out.rstrip("\n").splitlines()[-1]
    assert last.endswith("BELOW FLOOR: claims 1/2 < 2")


def test_eval_floors_file_and_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = write_set(tmp_path)
    floors = tmp_path / "floors.toml"
    floors.write_text("[floors]\nmin_claims = 2\nmin_f1 = 0.5\n", encoding="utf-8")
    assert main(eval_args(files, "--floors", str(floors))) == 1
    capsys.readouterr()
    # a flag overrides the file
    assert main(eval_args(files, "--floors", str(floors), "--min-claims", "0.5")) == 0


def test_eval_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = write_set(tmp_path)
    assert main(eval_args(files, "--format", "json")) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["relevance"]["precision"] == 1.0 and data["relevance"]["misses"] == []
    assert data["stories"]["gold"] == 1
    assert data["claims"]["held"] == 1 and data["claims"]["total"] == 2
    failed = data["claims"]["failed"][0]
    assert failed["id"] == "r2" and failed["differences"][0]["field"] == "number.value"
    assert data["summary"].startswith("eval: relevance")


def test_eval_lists_a_miss_with_what_decided(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    articles = [*ARTICLES[:2], {**ARTICLES[2], "label": "relevant", "story": "mali"}]
    files = write_set(tmp_path, articles)
    assert main(eval_args(files)) == 0
    out = capsys.readouterr().out
    assert "  miss n1: score " in out and "; terms: " in out and "; exclusions: " in out


@pytest.mark.parametrize(
    ("which", "content", "message"),
    [
        ("labels", '{"id": "x", "text": "t", "label": "maybe"}\n', "field 'label' must be"),
        ("labels", "{not json\n", "line 1: invalid JSON"),
        ("claims", '{"expectations": [{"id": "zz", "match": {}}]}', "'zz' is not in the labels"),
        ("claims", '{"expectations": [{"id": "r1", "match": {"colour": 1}}]}', "'colour'"),
        ("scoring", '{"borderline": "r1"}', "'borderline' must be a list"),
        ("scoring", "[", "invalid JSON"),
    ],
)
def test_a_bad_file_gives_one_line_naming_it(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    which: str,
    content: str,
    message: str,
) -> None:
    files = write_set(tmp_path)
    files[which].write_text(content, encoding="utf-8")
    assert main(eval_args(files)) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert str(files[which]) in err and message in err


def test_a_missing_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = write_set(tmp_path)
    files["claims"] = tmp_path / "nowhere.json"
    assert main(eval_args(files)) == 1
    assert "nowhere.json: file not found" in capsys.readouterr().err


# --------------------------------------------------------------------------- the repo's floors


def test_floors_only_go_up() -> None:
    floors = tomllib.loads(FLOORS_FILE.read_text(encoding="utf-8"))["floors"]
    for key, minimum in FLOOR_MINIMUMS.items():
        assert floors[key] >= minimum, f"{key} floor lowered below {minimum}"
    ev.load_floors(FLOORS_FILE)  # and the command accepts the file


def test_corpus_meets_floors(capsys: pytest.CaptureFixture[str]) -> None:
    corpus = corpus_dir()
    if corpus is None:
        pytest.skip("no ../shared/corpus here")
    argv = ["eval", "--labels", str(corpus / "articles.jsonl"), "--floors", str(FLOORS_FILE)]
    argv += ["--claims", str(corpus / "claims.json"), "--scoring", str(corpus / "scoring.json")]
    code = main(argv)
    out = capsys.readouterr().out
    assert code == 0, out.splitlines()[-1]


# --------------------------------------------------------------------------- --replay and explanations


def test_score_alerts_counts_stories_alerted_repeats_and_false_alerts() -> None:
    labels = {
        "a1": (True, "s1"), "a2": (True, "s1"), "b1": (True, "s2"), "c1": (True, None),
        "n1": (False, None), "x1": (True, "s3"),
    }  # fmt: skip
    score = score_alerts(labels, ["a1", "a2", "c1", "n1", "x1"], borderline=frozenset({"x1"}))
    assert score.stories == 3  # s1, s2 and c1 alone; x1 is borderline
    assert score.alerted == ("alone:c1", "s1") and score.missed == ("s2",)
    assert score.alerts == 3 and score.alerts_per_story == 1.5
    assert score.repeated == (("s1", ("a1", "a2")),)
    assert score.false == ("n1",)


def test_eval_replay_runs_the_daemon_on_local_feeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = write_set(tmp_path)
    assert main(eval_args(files, "--replay")) == 0
    out = capsys.readouterr().out
    assert "replay (feeds through the daemon's once cycle): 1 of 1 stories alerted" in out
    assert "1.00 per alerted story; 0 false alerts" in out
    assert (
        out.rstrip("\n")
        .splitlines()[-1]
        .endswith("replay alerted 1/1 (1.00), 1.00 per story, 0 false · floors met")
    )


def test_a_missed_pair_shows_both_signatures_and_the_deciding_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    apart = [dict(a) for a in ARTICLES]
    apart[1]["published"] = "2025-09-20"  # the same words, seventeen days later
    files = write_set(tmp_path, apart)
    main(eval_args(files, "--format", "text"))
    out = capsys.readouterr().out
    assert "missed pair r1 + r2" in out
    assert "r1: speaker iraq_joc; action move; site ain_al_asad; statement 2025-09-02 (Tue)" in out
    assert "decided by window: published too far apart" in out
