"""Big feeds (issue 13): the parse of a 50,000-item, ~5 MB feed, first on an empty state and
then as a poll finds one new item appended at its end (oldest-first order), the way the
pipeline does it: scan (sandboxed), look the keys up in the store, parse the chosen items.

Figures: ``bigfeed_items``, ``bigfeed_bytes``, ``bigfeed_first_parse`` (every item new:
``parse.CHOSEN_ITEMS`` parsed in full), ``bigfeed_poll_parse`` (all known but the appended one),
both wall time through the sandbox (a busy machine inflates them), ``bigfeed_poll_parse_cpu``
(the same steps in one process, CPU time: what the work costs), and ``bigfeed_poll_found_new``
(1 when the appended item was among the parsed entries).
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from monitor.models import FeedEntry, FetchResult, Source
from monitor.sources import feedscan, parse
from monitor.store import Store

Figure = tuple[str, float, str]
SOURCE = Source(id="big", url="https://big.example/feed.xml", name="big")
ITEMS = 50_000


def feed(count: int) -> bytes:
    """An RSS feed listed oldest first, about 100 bytes per item."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    items = "".join(
        f"<item><title>خبر {i}</title><link>https://big.example/n/{i}</link>"
        f"<pubDate>{format_datetime(start + timedelta(minutes=i))}</pubDate></item>"
        for i in range(count)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>b</title>'
        f"<link>https://big.example/</link>{items}</channel></rss>"
    ).encode()


def parse_as_the_pipeline(store: Store, body: bytes) -> tuple[float, list[FeedEntry]]:
    """Seconds to the parsed entries of one poll, and the entries."""
    result = FetchResult(SOURCE.url, SOURCE.url, 200, body, {"content-type": "application/xml"})
    t0 = time.perf_counter()
    parsed = parse.parse_feed(SOURCE, result)
    if parsed.scan is not None:
        known = store.known_keys(k for k in parsed.scan.keys if k)
        chosen = feedscan.choose(parsed.scan, known, parse.CHOSEN_ITEMS)
        parsed = parse.parse_chosen(SOURCE, result, parsed.scan, chosen)
    return time.perf_counter() - t0, list(parsed.entries)


def cpu_of_a_poll(store: Store, body: bytes) -> float:
    """CPU seconds of the same steps without the sandbox (one process, no pickling)."""
    result = FetchResult(SOURCE.url, SOURCE.url, 200, body, {"content-type": "application/xml"})
    t0 = time.process_time()
    parsed = parse.parse_or_scan(SOURCE, result)
    assert parsed.scan is not None
    known = store.known_keys(k for k in parsed.scan.keys if k)
    chosen = feedscan.choose(parsed.scan, known, parse.CHOSEN_ITEMS)
    content = feedscan.document(parsed.scan, chosen)
    parse.parse_in_process(SOURCE, replace(result, content=content))
    return time.process_time() - t0


def bench_bigfeed(quick: bool) -> list[Figure]:
    del quick  # the figure is defined at 50,000 items; it takes a few seconds either way
    store = Store.memory()
    body = feed(ITEMS)
    parse_as_the_pipeline(store, feed(3))  # start the sandbox's workers, as a daemon has them
    first, _ = parse_as_the_pipeline(store, body)
    result = FetchResult(SOURCE.url, SOURCE.url, 200, body, {"content-type": "application/xml"})
    scanned = parse.parse_feed(SOURCE, result).scan
    assert scanned is not None
    with store.transaction():  # the state after the first polls: every item seen
        for i in range(len(scanned.keys)):
            store.record_entry(feedscan.entry(scanned, i, SOURCE), feed_hash="")
    newer = feed(ITEMS + 1)  # one new item, appended at the end
    poll, entries = parse_as_the_pipeline(store, newer)
    found = any(e.url == f"https://big.example/n/{ITEMS}" for e in entries)
    cpu = cpu_of_a_poll(store, newer)
    store.close()
    return [
        ("bigfeed_items", float(ITEMS + 1), "items"),
        ("bigfeed_bytes", round(len(newer) / 1e6, 2), "MB"),
        ("bigfeed_first_parse", round(first, 2), "s"),
        ("bigfeed_poll_parse", round(poll, 2), "s"),
        ("bigfeed_poll_parse_cpu", round(cpu, 2), "s"),
        ("bigfeed_poll_found_new", float(found), "bool"),
    ]
