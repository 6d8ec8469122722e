"""analysis.py: the stages together, and the ``monitor analyze`` contract."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import UTC, date, datetime
from typing import Any

import pytest

from monitor.analysis.analyzer import Analyzer, publication_day
from monitor.analysis.keywords import default_rules_path, load_rules
from monitor.confkit import Problems
from monitor.errors import InputError
from monitor.ops.analyze import run_analyze
from monitor.timeline import load as timeline

CLAIM_KEYS = {
    "kind", "sentence", "date", "places", "number", "negated", "hedged", "verdict",
    "timeline_event", "reason", "reason_ar", "reported", "destinations",
}  # fmt: skip
VERDICTS = {"consistent", "conflicting", "completed", "new"}

RELEVANT_TEXT = (
    "أخبار العراق\n"
    "بغداد - واع: أعلنت قيادة العمليات المشتركة، مساء الأحد، مغادرة آخر مستشاري التحالف "
    "الدولي قاعدة عين الأسد الجوية في الأنبار، وتسلم الجيش العراقي إدارة القاعدة بالكامل.\n"
    "وأوضحت القيادة أن نحو ٢٬٥٠٠ جندي أمريكي ما زالوا في البلاد، على أن تغادر البقية قبل "
    "نهاية أيلول/سبتمبر المقبل.\n"
    "وأكدت السفارة الأمريكية أن ذلك لا يعني انتهاء عمل التحالف في العراق.\n"
    "كلمات دلالية: العراق التحالف\n"
    "اقرأ أيضاً:\n"
    "فصائل مسلحة تنسحب من بلدات في ديالى\n"
    "بدأت فصائل مسلحة الانسحاب من بلدات في ديالى بعد اتفاق مع بغداد.\n"
)
ECONOMY_WITH_TEASER = (
    "ارتفعت صادرات العراق النفطية خلال الشهر الماضي إلى أعلى مستوى منذ عامين، وفق بيان "
    "لوزارة النفط.\n"
    "اقرأ أيضاً\n"
    "قوات التحالف الدولي تنسحب من قاعدة عين الأسد في الأنبار\n"
    "واشنطن تعلن خفض عدد قواتها في العراق\n\n"
    "وأضاف البيان أن الإيرادات ستخصص لمشاريع البنى التحتية في المحافظات الجنوبية.\n"
)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    problems = Problems()
    rules = load_rules(default_rules_path(), problems)
    tl = timeline.load_timeline(timeline.default_timeline_path(), problems)
    assert not problems.items
    return Analyzer(rules, tl)


def record(id_: str, text: str, **kw: Any) -> str:
    base = {"id": id_, "url": None, "outlet": "وكالة", "published": "2026-01-20", "title": None}
    return json.dumps(base | kw | {"text": text}, ensure_ascii=False)


def run(lines: list[str], analyzer: Analyzer, fmt: str = "json", **kw: Any) -> str:
    out = io.StringIO()
    assert run_analyze(io.StringIO("\n".join(lines) + "\n"), out, analyzer, fmt, **kw) == 0
    return out.getvalue()


# --------------------------------------------------------------------------- Analyzer


def test_relevant_article_end_to_end(analyzer: Analyzer) -> None:
    result = analyzer.analyze(None, RELEVANT_TEXT, date(2026, 1, 20))
    assert result.relevance.relevant
    claims = result.claims
    assert claims, result
    first = claims[0]
    assert first.kind == "withdrawal" and first.reports_done
    assert first.date is not None and first.date.start == date(2026, 1, 18)
    assert {"ain_al_asad", "anbar"} <= set(first.places)
    assert not first.sentence.startswith("بغداد - واع")
    counts = [c for c in claims if c.number is not None]
    assert counts and counts[0].number is not None and counts[0].number.value == 2500
    assert any(c.negated and c.kind == "mission_end" for c in claims)
    for c in claims:
        assert RELEVANT_TEXT[c.span[0] : c.span[1]] == c.sentence
        assert "فصائل" not in c.sentence and "ديالى" not in c.sentence  # furniture
    for f in result.findings:
        assert f.verdict.verdict in VERDICTS and f.verdict.reason


# What a timeline review traced back to the claims, in one wire rewrite of our own: an outlet
# named "… اليوم" is no date, a passive past is done, preparations and a background clause
# (بعد انسحاب) are not, a start is marked as one, and a count of arrivals is a relocation.
REVIEWED_TEXT = (
    "متابعة - الغد برس\n"
    "ونقلت صحيفة «العراق اليوم» عن مصدر أمني أن مستشاري التحالف الدولي نُقلوا خلال الأيام "
    "الماضية من قاعدة عين الأسد إلى أربيل.\n"
    "وتتواصل استعدادات الحكومة لإعلان انتهاء المرحلة الأولى من مهمة التحالف في بغداد.\n"
    "وكانت القوات الأمريكية قد بدأت سحب معداتها الثقيلة من قاعدة عين الأسد في آب/أغسطس "
    "الماضي.\n"
    "وقال المصدر إن الهدوء يسود الأنبار بعد انسحاب التحالف الدولي من عين الأسد.\n"
    "كما أكد وصول نحو 400 جندي أمريكي إلى أربيل الأسبوع الماضي.\n"
)


def test_reviewed_traps_end_to_end(analyzer: Analyzer) -> None:
    result = analyzer.analyze(
        "مستشارو التحالف يغادرون عين الأسد", REVIEWED_TEXT, date(2025, 10, 12)
    )
    got = [
        (c.kind, c.places, c.destinations, c.phase, c.reports_done, c.date and c.date.start)
        for c in result.claims
    ]
    assert got == [
        ("relocation", ("ain_al_asad",), ("erbil",), None, True, date(2025, 10, 5)),
        ("mission_end", ("baghdad",), (), None, False, None),
        ("withdrawal", ("ain_al_asad",), (), "start", False, date(2025, 8, 1)),
        ("withdrawal", ("anbar", "ain_al_asad"), (), None, False, None),
        ("relocation", (), ("erbil",), None, False, date(2025, 10, 4)),
    ]
    assert result.claims[-1].number is not None and result.claims[-1].number.value == 400
    assert all(f.verdict.verdict != "completed" for f in result.findings[1:])


def test_body_is_normalised_and_furniture_free(analyzer: Analyzer) -> None:
    body = analyzer.analyze(None, RELEVANT_TEXT, date(2026, 1, 20)).body
    assert "قاعده عين الاسد" in body
    assert "كلمات دلاليه" not in body and "ديالي" not in body and "اخبار العراق" not in body
    assert "  " not in body


def test_teaser_does_not_make_an_article_relevant(analyzer: Analyzer) -> None:
    result = analyzer.analyze("صادرات النفط العراقية ترتفع", ECONOMY_WITH_TEASER, None)
    assert not result.relevance.relevant and result.findings == ()


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (datetime(2026, 1, 18, 22, 30, tzinfo=UTC), date(2026, 1, 19)),
        (datetime(2026, 1, 18, 22, 30), date(2026, 1, 18)),
        (date(2026, 1, 18), date(2026, 1, 18)),
        (None, None),
    ],
    ids=["utc-after-baghdad-midnight", "naive", "date", "none"],
)
def test_publication_day(published: datetime | date | None, expected: date | None) -> None:
    assert publication_day(published) == expected


def test_relative_dates_resolve_against_publication(analyzer: Analyzer) -> None:
    text = "وقالت مصادر إن قوات التحالف الدولي ستغادر قاعدة حرير في أربيل نهاية الشهر الجاري."
    result = analyzer.analyze(None, text, datetime(2026, 3, 31, 22, 0, tzinfo=UTC))
    (claim,) = result.claims
    assert claim.date is not None and claim.date.start.month == 4  # already April in Baghdad


# --------------------------------------------------------------------------- run_analyze


def test_output_follows_the_contract_in_input_order(analyzer: Analyzer) -> None:
    lines = [
        record("a", RELEVANT_TEXT),
        record("b", ECONOMY_WITH_TEASER, published=None, title="نفط"),
        record("c", RELEVANT_TEXT, published="2026-01-20T09:00:00+03:00"),
    ]
    out = [json.loads(line) for line in run(lines, analyzer).splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c"]
    for o in out:
        assert set(o) == {"id", "relevant", "score", "terms", "story", "claims"}
        assert isinstance(o["score"], float) and isinstance(o["terms"], list)
    a, b, _ = out
    assert a["relevant"] and a["story"] == "a" and a["claims"]
    assert not b["relevant"] and b["story"] is None and b["claims"] == []
    claim = a["claims"][0]
    assert set(claim) == CLAIM_KEYS
    assert claim["date"] == {
        "text": "مساء الأحد",
        "start": "2026-01-18",
        "end": "2026-01-18",
        "granularity": "day",
    }
    counted = next(c for c in a["claims"] if c["number"])
    assert counted["number"] == {"value": 2500, "qualifier": "about"}
    assert all(c["verdict"] in VERDICTS for c in a["claims"])


def test_text_format_is_a_readable_report(analyzer: Analyzer) -> None:
    text = run([record("a", RELEVANT_TEXT), record("b", ECONOMY_WITH_TEASER)], analyzer, "text")
    assert "1. a" in text and "relevant, score" in text and "2. b" in text
    assert "not relevant" in text and "claim 1 [withdrawal]" in text
    assert "«" in text and "ain_al_asad" in text


def test_html_goes_through_the_extractor(analyzer: Analyzer) -> None:
    seen: list[tuple[str, str | None]] = []

    def extract(html: str, url: str | None) -> str:
        seen.append((html, url))
        return RELEVANT_TEXT

    line = json.dumps({"id": "h", "url": "https://x.example/a", "html": "<p>x</p>"})
    out = json.loads(run([line], analyzer, extract_html=extract))
    assert seen == [("<p>x</p>", "https://x.example/a")] and out["relevant"]


def test_html_without_an_extractor_uses_the_page_text(analyzer: Analyzer) -> None:
    html = "<html><body><script>var x;</script><p>" + RELEVANT_TEXT + "</p></body></html>"
    out = json.loads(run([json.dumps({"id": "h", "html": html}, ensure_ascii=False)], analyzer))
    assert out["relevant"]


def test_blank_lines_are_skipped(analyzer: Analyzer) -> None:
    out = run(["", record("a", "نص قصير"), "   "], analyzer)
    assert len(out.splitlines()) == 1


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([record("a", "نص"), "{not json"], "line 2: invalid JSON"),
        (["", '{"text": "نص"}'], "line 2: missing field 'id'"),
        (['{"id": "x"}'], "line 1: missing field 'text'"),
        (['{"id": "x", "text": 5}'], "line 1: field 'text' must be a string"),
        (['{"id": "x", "text": "نص", "published": "next week"}'], "line 1: field 'published'"),
        (["[1, 2]"], "line 1: expected a JSON object"),
    ],
    ids=["bad-json", "missing-id", "missing-text", "text-not-string", "bad-date", "not-object"],
)
def test_bad_input_names_the_line(analyzer: Analyzer, lines: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        run(lines, analyzer)


def test_unknown_format_is_refused(analyzer: Analyzer) -> None:
    with pytest.raises(InputError, match="unknown format"):
        run([record("a", "نص")], analyzer, "xml")


def test_cli_analyze_reads_stdin() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "monitor", "analyze", "--input", "-"],
        input=record("a", RELEVANT_TEXT) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["id"] == "a" and out["relevant"] and out["claims"]


def test_claim_output_lists_reported_day_and_destinations(analyzer: Analyzer) -> None:
    text = (
        "أعلنت قيادة العمليات المشتركة أمس السبت أن قوات التحالف الدولي ستنسحب من بغداد "
        "إلى قواعد في أربيل نهاية الشهر المقبل."
    )
    lines = run([record("r", text, published="2026-01-18")], analyzer).splitlines()
    (out,) = [json.loads(line) for line in lines]
    (claim,) = out["claims"]
    assert claim["reported"]["start"] == "2026-01-17" and claim["reported"]["text"] == "أمس السبت"
    assert claim["destinations"] == ["erbil"]
    assert set(claim["places"]) >= {"baghdad", "erbil"}
    assert claim["date"]["start"] > claim["reported"]["start"]


def test_federal_areas_evacuated_completes_phase_one(analyzer: Analyzer) -> None:
    text = (
        "أعلنت اللجنة العسكرية العليا اليوم الأحد إكمال إخلاء جميع القواعد العسكرية في "
        "المناطق الاتحادية من مستشاري التحالف الدولي."
    )
    result = analyzer.analyze(None, text, date(2026, 1, 18))
    done = [f for f in result.findings if f.verdict.verdict == "completed"]
    assert done and done[0].verdict.timeline_event == "phase-one-end"
    assert "federal_areas" in done[0].claim.places
