"""Decoding is decided by the BOM and the declared charset, with invalid bytes replaced: a
handful of bad bytes in a small feed does not flip the whole feed to windows-1256 (issue 13).

Before: five invalid bytes in a three-item UTF-8 feed made every title garbled windows-1256.
"""

from __future__ import annotations

import asyncio

import pytest
from tests.support.httpserver import HttpServer, Response

from monitor.models import FetchResult, Source
from monitor.settings import HttpSettings
from monitor.sources.fetch import Fetcher
from monitor.sources.parse import parse_feed

TITLES = ["انسحاب قوات التحالف من قاعدة عين الأسد", "تسليم قاعدة فكتوريا", "مستشارون في أربيل"]
SOURCE = Source(id="s", url="https://s.example/feed", name="s")


def feed(encoding: str, bad: bytes = b"") -> bytes:
    items = "".join(
        f"<item><title>{t}</title><link>https://s.example/{i}</link>"
        f"<description>ملخص {i} BAD</description></item>"
        for i, t in enumerate(TITLES)
    )
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
        f"<title>t</title><link>https://s.example/</link>{items}</channel></rss>"
    )
    return text.encode(encoding).replace(b"BAD", bad)


def fetched(server: HttpServer, body: bytes, content_type: str) -> FetchResult:
    server.route("/feed.xml", Response(200, body, content_type=content_type))

    async def go() -> FetchResult:
        async with Fetcher(HttpSettings(allow_private_addresses=True)) as fetcher:
            return await fetcher.fetch(server.url("/feed.xml"), max_bytes=1_000_000)

    return asyncio.run(go())


@pytest.mark.parametrize(
    "content_type",
    ["application/rss+xml; charset=utf-8", "application/rss+xml", "text/xml; charset=windows-1256"],
)
def test_a_few_invalid_bytes_are_replaced_not_a_reason_to_change_charset(
    server: HttpServer, content_type: str
) -> None:
    body = feed("utf-8", bad=b"\xff\xfe\xc3(\x80")  # 5 bad bytes per item, 15 in all
    parsed = parse_feed(SOURCE, fetched(server, body, content_type))
    assert [e.title for e in parsed.entries] == TITLES
    assert all("\ufffd" in e.summary and e.summary.startswith("ملخص") for e in parsed.entries)
    assert any("invalid UTF-8" in w for w in parsed.warnings)


def test_a_legacy_feed_labelled_utf_8_is_still_read_as_legacy(server: HttpServer) -> None:
    body = feed("cp1256").replace(b'encoding="cp1256"', b'encoding="utf-8"')
    parsed = parse_feed(SOURCE, fetched(server, body, "application/rss+xml; charset=utf-8"))
    assert [e.title for e in parsed.entries] == TITLES
