"""Bounds on what one article can cost (issue 13): the text the analysis reads, the claims an
alert carries, the size of email and webhook bodies, the parts of a digest.

Before: one 2.9 MB page of plain prose cost 124 s and 426 MB and made one alert with 4,616
claims, a 15 MB email that mail servers reject.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

from tests.support.feeds import FeedItem, load_articles, rss, write_config
from tests.support.httpserver import HttpServer, Response
from tests.support.sample_alerts import channel, finding, make_alert

from monitor.alerts.channel import Outgoing
from monitor.alerts.compose import MAX_FINDINGS, MAX_SENTENCE_CHARS, bounded
from monitor.alerts.digest import MAX_PARTS
from monitor.alerts.dispatch import Dispatcher
from monitor.alerts.email import build_message
from monitor.alerts.webhook import encode_payload
from monitor.analysis.budget import MAX_CHARS, MAX_SENTENCES, within_budget
from monitor.config.load import load_config
from monitor.models import Alert
from monitor.pipeline.cycle import run_cycle
from monitor.pipeline.runtime import Runtime
from monitor.settings import DeliverySettings
from monitor.store import Store, utcnow

GUARD_S = 120.0  # wall-clock guard only; before the bound this took minutes


def prose(size: int) -> str:
    """Distinct sentences about the withdrawal, each with its own figure and year."""
    paragraphs = [p for a in load_articles().values() for p in a.paragraphs]
    out, total, i = [], 0, 0
    while total < size:
        p = paragraphs[i % len(paragraphs)].replace("350", str(100 + i))
        p = p.replace("2026", str(1990 + i % 60)) + f" ({i})"
        out.append(p)
        total += len(p.encode())
        i += 1
    return "\n".join(out)


def test_the_analysis_reads_a_bounded_prefix_cut_at_a_sentence_end() -> None:
    text = prose(400_000)
    cut = within_budget(text)
    assert text.startswith(cut) and len(cut) <= MAX_CHARS
    assert cut.endswith((".", "\n", ")", "؟", "!")) or cut[-1] in ".\n"
    assert within_budget("قصير. جداً.") == "قصير. جداً."
    lines = "\n".join(f"سطر {i}" for i in range(2 * MAX_SENTENCES))
    assert within_budget(lines).count("\n") == MAX_SENTENCES  # newlines end sentences too
    assert within_budget("ع" * (MAX_CHARS * 2)) == "ع" * MAX_CHARS  # no sentence end at all


def test_a_huge_page_of_prose_makes_one_bounded_alert(tmp_path: Path, server: HttpServer) -> None:
    article = load_articles()["victory-wire"]
    page = f"<html><body><article><p>{prose(2_900_000)}</p></article></body></html>"
    server.route("/big/1", Response(200, page.encode(), content_type="text/html; charset=utf-8"))
    item = FeedItem(article.title, server.url("/big/1"), article.published, article.description)
    server.route("/big/feed.xml", Response(200, rss("big", server.url("/big/"), [item])))
    path = write_config(
        tmp_path,
        [("big", "كبير", server.url("/big/feed.xml"))],
        monitor="alert_on_first_run = true",
    )
    text = path.read_text(encoding="utf-8").replace(
        "total_timeout_seconds = 5", "total_timeout_seconds = 60"
    )
    path.write_text(text, encoding="utf-8")
    rt = Runtime(config=load_config(path), store=Store.open(tmp_path / "state"))
    try:
        t0 = time.monotonic()
        report = run_cycle(rt)
        took = time.monotonic() - t0
    finally:
        rt.store.close()
    assert took < GUARD_S
    assert report.alerts == 1
    lines = (tmp_path / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    payload = json.loads(lines[0])
    assert len(payload["claims"]) <= MAX_FINDINGS and payload["claims_omitted"] > 0
    assert all(len(c["sentence"]) <= MAX_SENTENCE_CHARS for c in payload["claims"])
    assert len(lines[0].encode()) < 256_000  # the webhook body is the same payload


def test_claims_and_sentences_are_capped_the_most_telling_kept() -> None:
    many = [finding("consistent", f"جملة متسقة رقم {i}") for i in range(40)]
    many += [finding("conflicting", "ج" * 5000)]
    kept, omitted = bounded(many)
    assert len(kept) == MAX_FINDINGS and omitted == 11
    assert kept[-1].verdict.verdict == "conflicting"  # kept, in its place
    assert len(kept[-1].claim.sentence) == MAX_SENTENCE_CHARS
    alert = make_alert(verdicts=())
    alert = Alert(**{**_fields(alert), "findings": kept, "omitted_findings": omitted})
    body = encode_payload(alert)
    assert len(body.encode()) < 256_000
    message = build_message(Outgoing(alert, "msg_1"), "m@example.org", ["d@example.org"])
    assert len(message.as_bytes()) < 1_000_000
    assert "11" in message.as_string() or "11" in body


def test_a_digest_gathers_at_most_max_parts_alerts(tmp_path: Path) -> None:
    store = Store.memory()
    now = utcnow()
    for i in range(2 * MAX_PARTS + 5):
        store.enqueue_alert(
            make_alert(f"c{i}", verdicts=("consistent",)),
            [("file", "digest")],
            now=now - timedelta(days=1),
        )
    file = channel("file", "jsonl", path=str(tmp_path / "d.jsonl"), digest=("consistent",))
    report = Dispatcher(store, [file], DeliverySettings()).dispatch(now)
    assert report.digests == 3 and report.sent == 3
    lines = [json.loads(x) for x in (tmp_path / "d.jsonl").read_text().splitlines()]
    assert [len(d["alerts"]) for d in lines] == [MAX_PARTS, MAX_PARTS, 5]
    assert len({d["alert_id"] for d in lines}) == 3


def _fields(alert: Alert) -> dict[str, object]:
    return {name: getattr(alert, name) for name in alert.__slots__}  # type: ignore[attr-defined]
