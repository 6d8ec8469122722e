"""Big and oddly ordered feeds (issue 13): new items are found by key whatever their place in
the feed and however long it is; the figure for a 50,000-item feed is ``python -m bench``'s
``bigfeed_*``.

Before: a feed listed oldest first with more than 1,000 items never showed its new items (a
relevant item appended to a 1,500-item feed was never processed), and a 50,000-item feed cost
6-11 s of parsing a poll.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from tests.support.feeds import load_articles, read_alerts, write_config
from tests.support.httpserver import HttpServer, Request, Response

from monitor.config.load import load_config
from monitor.pipeline.cycle import run_cycle
from monitor.pipeline.runtime import Runtime
from monitor.sources.parse import MAX_ENTRIES
from monitor.store import Store

START = datetime(2026, 1, 1, tzinfo=UTC)


def item(i: int, title: str, summary: str, link: str) -> str:
    when = format_datetime(START + timedelta(minutes=i))
    return (
        f"<item><title>{escape(title)}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{when}</pubDate><description>{escape(summary)}</description></item>"
    )


def oldest_first(server: HttpServer, count: int, extra: str = "") -> bytes:
    filler = "".join(
        item(i, f"أسعار الخضار في السوق رقم {i}", "ارتفاع طفيف", server.url(f"/n/{i}"))
        for i in range(count)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>قديم أولاً'
        f"</title><link>{server.url('/')}</link>{filler}{extra}</channel></rss>"
    ).encode()


def test_a_new_item_appended_to_a_long_oldest_first_feed_is_processed(
    tmp_path: Path, server: HttpServer
) -> None:
    count = MAX_ENTRIES + 500
    body = {"feed": oldest_first(server, count)}
    conditional: list[str | None] = []

    def answer(request: Request) -> Response:
        conditional.append(request.headers.get("if-none-match"))
        return Response(200, body["feed"], content_type="application/rss+xml")

    server.route("/feed.xml", answer)
    config = write_config(
        tmp_path, [("old", "old", server.url("/feed.xml"))], source_options="fetch_pages = false"
    )
    rt = Runtime(config=load_config(config), store=Store.open(tmp_path / "state"))
    try:
        seeded = run_cycle(rt)
        assert seeded.seeded and seeded.alerts == 0
        assert rt.store.count_entries() == count  # every item seen, parsed or only scanned

        news = load_articles()["victory-wire"]
        appended = item(count, news.title, news.body, server.url("/n/new"))
        body["feed"] = oldest_first(server, count, extra=appended)
        report = run_cycle(rt)
        assert report.sources[0].entries == count + 1
        assert report.articles == 1 and report.alerts == 1  # the new one, and only it
        assert [a["title"] for a in read_alerts(tmp_path)] == [news.title]
        assert run_cycle(rt).articles == 0  # seen now
    finally:
        rt.store.close()
