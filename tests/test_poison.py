"""Dates at the edges and poison articles (issue 13).

Before: an item dated ``Mon, 01 Jan 0001`` (a default many feeds emit) failed its article every
cycle ("year 0 is out of range") and never alerted; ``analyze`` with published 0001 or 9999
printed a traceback; ``+1400`` on year 0001 was read as the year 1400. An article that always
raised was retried every cycle without end, and its source's HTTP validators were then never
saved, so the source never got a 304 again.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from tests.support.feeds import load_articles, write_config
from tests.support.httpserver import HttpServer, Request, Response
from tests.support.procs import run_monitor

from monitor.analysis.analyzer import Analyzer
from monitor.config.load import load_config
from monitor.models import ArticleAnalysis, ArticleReading, FetchResult, Source
from monitor.pipeline.cycle import QUARANTINE_AFTER, run_cycle
from monitor.pipeline.runtime import Runtime
from monitor.sources.extract import parse_datetime
from monitor.sources.parse import parse_feed
from monitor.store import Store
from monitor.timebounds import plausible

ODD_DATES = (
    "Mon, 01 Jan 0001 00:00:00 +0000",
    "Mon, 01 Jan 0001 00:00:00 +1400",  # feedparser reads this as the year 1400
    "Fri, 31 Dec 9999 23:59:59 +0000",
    "Sat, 01 Jan 1972 00:00:00 GMT",
)


def feed(items: list[tuple[str, str, str]]) -> bytes:
    """RSS with the given (title, link, pubDate) items."""
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{when}</pubDate><description>{t}</description></item>"
        for t, link, when in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"<link>https://x.example/</link>{body}</channel></rss>"
    ).encode()


def test_dates_outside_1990_to_tomorrow_are_missing_not_errors() -> None:
    article = load_articles()["victory-wire"]
    items = [(article.title, f"https://x.example/{i}", d) for i, d in enumerate(ODD_DATES)]
    source = Source(id="odd", url="https://x.example/feed", name="odd")
    result = FetchResult(url=source.url, final_url=source.url, status=200, content=feed(items))
    parsed = parse_feed(source, result)
    assert [e.published for e in parsed.entries] == [None] * len(ODD_DATES)
    assert any("before 1990 or in the future" in w for w in parsed.warnings)
    assert parse_datetime("0001-01-01T00:00:00+14:00") is None  # no OverflowError
    assert parse_datetime("9999-12-31T23:59:59Z") is None
    assert plausible(date(1, 1, 1)) is None and plausible(date(2026, 1, 18)) == date(2026, 1, 18)
    now = datetime(2026, 1, 18, tzinfo=UTC)
    assert plausible(datetime(2026, 1, 18, 23, tzinfo=UTC), now) is not None  # within a day
    assert plausible(datetime(2026, 1, 19, 1, tzinfo=UTC), now) is None


def test_an_item_dated_year_1_is_processed_and_alerts(tmp_path: Path, server: HttpServer) -> None:
    article = load_articles()["victory-wire"]
    page = f"<html><body><article><p>{article.body}</p></article></body></html>"
    server.route("/a/1", Response(200, page.encode(), content_type="text/html; charset=utf-8"))
    items = [(article.title, server.url("/a/1"), ODD_DATES[1])]
    server.route("/feed.xml", Response(200, feed(items), content_type="application/rss+xml"))
    config = write_config(tmp_path, [("odd", "odd", server.url("/feed.xml"))])
    done = run_monitor(config, "once", "--alert-on-first-run")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "alerts=1" in done.stdout


def test_analyze_takes_year_1_and_9999_as_unknown() -> None:
    text = load_articles()["victory-wire"].body
    lines = [
        {"id": str(i), "url": "https://x.example/a", "outlet": "x", "published": p,
         "title": None, "text": text}
        for i, p in enumerate(["0001-01-01", "9999-12-31", "0001-01-01T00:00:00+14:00"])
    ]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "analyze"],
        input="\n".join(json.dumps(x, ensure_ascii=False) for x in lines),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert [json.loads(x)["id"] for x in done.stdout.splitlines()] == ["0", "1", "2"]


class PoisonAnalyzer(Analyzer):
    """A simulated hostile input we did not foresee: this one article always raises."""

    def analyze(self, title: str | None, text: str, *args: object, **kw: object) -> ArticleAnalysis:
        if title and "سمّ" in title:
            raise ValueError("year 0 is out of range")
        return super().analyze(title, text, *args, **kw)  # type: ignore[arg-type]

    def finish(self, reading: ArticleReading, *args: object, **kw: object) -> ArticleAnalysis:
        # the cycle reads pages in a worker and only finishes here: the poison item (its summary)
        if "لا يمر" in reading.body:
            raise ValueError("year 0 is out of range")
        return super().finish(reading, *args, **kw)  # type: ignore[arg-type]


def test_a_poison_article_is_quarantined_after_3_failures_and_the_304s_come_back(
    tmp_path: Path, server: HttpServer
) -> None:
    good = load_articles()["victory-wire"]
    items = [
        (good.title, server.url("/a/good"), "Tue, 03 Feb 2026 07:15:00 GMT"),
        ("خبر سمّ لا يمر", server.url("/a/poison"), "Tue, 03 Feb 2026 08:00:00 GMT"),
    ]
    body = feed(items)
    conditional: list[str | None] = []

    def answer(request: Request) -> Response:
        conditional.append(request.headers.get("if-none-match"))
        if request.headers.get("if-none-match") == '"v1"':
            return Response(304, b"", headers={"ETag": '"v1"'})
        return Response(200, body, headers={"ETag": '"v1"'}, content_type="application/rss+xml")

    server.route("/feed.xml", answer)
    for path, text in (("/a/good", good.body), ("/a/poison", "نص")):
        page = f"<html><body><article><p>{text}</p></article></body></html>"
        server.route(path, Response(200, page.encode(), content_type="text/html; charset=utf-8"))
    path = write_config(
        tmp_path, [("src", "src", server.url("/feed.xml"))], monitor="alert_on_first_run = true"
    )
    config = load_config(path)
    rt = Runtime(config=config, store=Store.open(tmp_path / "state"))
    rt.analyzer = PoisonAnalyzer(config.rules, config.timeline)
    try:
        reports = [run_cycle(rt) for _ in range(QUARANTINE_AFTER + 1)]
        quarantined = rt.store.article_failures(quarantined=True)
    finally:
        rt.store.close()
    # Retried without validators until the third failure quarantined it; then a 304.
    assert conditional == [None] * QUARANTINE_AFTER + ['"v1"']
    assert [r.alerts for r in reports] == [1, 0, 0, 0]  # the good article alerted once
    assert [q.url for q in quarantined] == [server.url("/a/poison")]
    assert quarantined[0].failures == QUARANTINE_AFTER
    assert "year 0 is out of range" in quarantined[0].last_error
    status = json.loads(run_monitor(path, "status", "--json").stdout)
    assert status["quarantined"]["count"] == 1
    assert status["quarantined"]["latest"][0]["url"] == server.url("/a/poison")
    assert "quarantined articles: 1" in run_monitor(path, "status").stdout
