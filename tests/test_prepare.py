"""Page preparation in the worker processes: the rules go to a worker once, not per page."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.quality_metrics import build_analyzer

from monitor.models import FeedEntry
from monitor.pipeline.prepare import Prepared, prepare, prepare_known, rules_ref

RULES = rules_ref(build_analyzer().rules)
TEXT = (
    "أعلنت قوات التحالف الدولي انسحابها من قاعدة عين الأسد في محافظة الأنبار، "
    "وقال مسؤول عسكري إن الانسحاب سيكتمل بحلول نهاية أيلول 2026."
)


def entry(key: str) -> FeedEntry:
    published = datetime(2026, 1, 18, 9, tzinfo=UTC)
    return FeedEntry("s", key, "منفذ", "انسحاب التحالف من عين الأسد", None, None, TEXT, published)


def test_a_process_given_the_digest_alone_asks_for_the_rules_once() -> None:
    fresh = rules_ref(build_analyzer().rules)  # the same rules: the same digest
    assert fresh.digest == RULES.digest
    other = type(RULES)("0" * 64, b"")  # rules this process never decoded
    assert prepare_known(entry("a"), None, None, other) is None
    first = prepare_known(entry("a"), None, None, RULES)  # with the blob: decoded, kept
    assert isinstance(first, Prepared) and first.reading is not None
    again = prepare_known(entry("b"), None, None, RULES.by_digest())
    assert isinstance(again, Prepared) and again.reading is not None
    assert again.reading.relevance == first.reading.relevance


def test_pages_prepared_in_the_workers_are_read_with_the_rules() -> None:
    results = [prepare(entry(str(i)), None, None, RULES) for i in range(4)]
    assert all(r.reading is not None and r.reading.relevance.relevant for r in results)
