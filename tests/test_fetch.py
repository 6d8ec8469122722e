"""Fetcher against a real HTTP server on 127.0.0.1: caching, redirects, caps, deadlines, limits."""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc
import zlib
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any, TypeVar

import brotli
import pytest
from tests.support.httpserver import HttpServer, Request, Response

from monitor.errors import FetchError, TooLargeError
from monitor.models import FetchResult, HttpCache, Source
from monitor.net.wire import retry_after_seconds
from monitor.settings import HttpSettings
from monitor.sources.fetch import Fetcher
from monitor.sources.parse import parse_feed

T = TypeVar("T")
MiB = 1 << 20
SETTINGS = HttpSettings(
    user_agent="monitor-test/1.0 (+https://example.org/monitor)",
    connect_timeout_seconds=1.0,
    read_timeout_seconds=1.0,
    total_timeout_seconds=1.5,
    max_redirects=3,
    allow_private_addresses=True,
)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def fetch_one(url: str, settings: HttpSettings = SETTINGS, **kw: Any) -> FetchResult:
    kw.setdefault("max_bytes", MiB)
    async with Fetcher(settings) as fetcher:
        return await fetcher.fetch(url, **kw)


# --------------------------------------------------------------------------- basics


def test_get_sends_user_agent_and_returns_body(server: HttpServer) -> None:
    server.route("/feed", Response(200, b"<rss/>", content_type="application/rss+xml"))
    result = run(fetch_one(server.url("/feed")))
    assert (result.status, result.content, result.not_modified) == (200, b"<rss/>", False)
    assert result.headers["content-type"] == "application/rss+xml"
    assert result.final_url == server.url("/feed")
    request = server.requests[0]
    assert request.headers["user-agent"] == SETTINGS.user_agent
    assert "gzip" in request.headers["accept-encoding"]
    assert "rss" in request.headers["accept"]


def _conditional(request: Request) -> Response:
    validators = {"ETag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024 10:00:00 GMT"}
    if request.headers.get("if-none-match") == '"v1"':
        # RFC 9111 4.3.4: a 304 may carry a newer Last-Modified, which must be stored
        return Response(
            304, headers={"ETag": '"v1"', "Last-Modified": "Tue, 02 Jan 2024 10:00:00 GMT"}
        )
    return Response(200, b"<rss>v1</rss>", headers=validators)


def test_conditional_get_and_304_keeps_validators(server: HttpServer) -> None:
    server.route("/feed", _conditional)
    first = run(fetch_one(server.url("/feed")))
    assert first.etag == '"v1"' and first.last_modified == "Mon, 01 Jan 2024 10:00:00 GMT"
    cache = HttpCache(first.etag, first.last_modified)
    second = run(fetch_one(server.url("/feed"), cache=cache))
    assert second.not_modified and second.status == 304 and second.content == b""
    assert second.etag == '"v1"'
    assert second.last_modified == "Tue, 02 Jan 2024 10:00:00 GMT"
    sent = server.requests[1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Mon, 01 Jan 2024 10:00:00 GMT"


def test_304_without_validators_keeps_the_cached_ones(server: HttpServer) -> None:
    server.route("/feed", Response(304))
    cache = HttpCache('"old"', "Mon, 01 Jan 2024 10:00:00 GMT")
    result = run(fetch_one(server.url("/feed"), cache=cache))
    assert result.not_modified and (result.etag, result.last_modified) == (
        cache.etag,
        cache.last_modified,
    )


def test_a_304_leaves_its_connection_for_the_next_request(server: HttpServer) -> None:
    """An unchanged feed's poll reuses the kept-alive connection: a dropped one would cost
    every 304 a new TCP (and TLS) handshake, on every feed of every cycle."""
    server.route("/feed", Response(304, headers={"ETag": '"v1"'}))

    async def three() -> list[FetchResult]:
        async with Fetcher(SETTINGS) as fetcher:
            return [
                await fetcher.fetch(server.url("/feed"), cache=HttpCache('"v1"'), max_bytes=MiB)
                for _ in range(3)
            ]

    assert all(r.not_modified for r in run(three()))
    assert len({r.peer for r in server.requests}) == 1


# --------------------------------------------------------------------------- redirects


def test_redirects_are_followed(server: HttpServer) -> None:
    server.redirect("/old", "/moved", status=301)
    server.redirect("/moved", server.url("/feed#frag"), status=307)
    server.route("/feed", Response(200, b"ok"))
    result = run(fetch_one(server.url("/old")))
    assert result.content == b"ok"
    assert result.url == server.url("/old") and result.final_url == server.url("/feed")


@pytest.mark.parametrize(
    ("routes", "message"),
    [
        ({"/a": "/b", "/b": "/a"}, "redirect loop"),
        ({"/a": "/a"}, "redirect loop"),
        ({"/a": "/b", "/b": "/c", "/c": "/d", "/d": "/e", "/e": "/f"}, "more than 3 redirects"),
    ],
    ids=["two-step-loop", "self-loop", "too-many"],
)
def test_redirect_loops_and_chains_are_cut(
    server: HttpServer, routes: dict[str, str], message: str
) -> None:
    for path, target in routes.items():
        server.redirect(path, target)
    with pytest.raises(FetchError, match=message):
        run(fetch_one(server.url("/a")))
    assert len(server.requests) <= SETTINGS.max_redirects + 1


# --------------------------------------------------------------------------- size caps and bombs


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_oversized_body_is_refused(server: HttpServer, chunked: bool) -> None:
    server.route("/big", Response(200, b"x" * (200_000), chunked=chunked))
    with pytest.raises(TooLargeError, match="larger than 100000 bytes"):
        run(fetch_one(server.url("/big"), max_bytes=100_000))


def test_body_exactly_at_the_cap_is_accepted(server: HttpServer) -> None:
    server.route("/big", Response(200, b"x" * 100_000, chunked=True))
    assert len(run(fetch_one(server.url("/big"), max_bytes=100_000)).content) == 100_000


def _gzip_members(data: bytes) -> bytes:
    half = len(data) // 2
    return gzip.compress(data[:half]) + gzip.compress(data[half:])


def _raw_deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


ENCODERS = {
    "gzip": ("gzip", gzip.compress),
    "gzip-multi-member": ("gzip", _gzip_members),
    "deflate-zlib": ("deflate", zlib.compress),
    "deflate-raw": ("deflate", _raw_deflate),
    "br": ("br", brotli.compress),
}


@pytest.mark.parametrize("name", list(ENCODERS), ids=list(ENCODERS))
def test_compressed_bodies_are_decoded(server: HttpServer, name: str) -> None:
    coding, encode = ENCODERS[name]
    body = ("خبر عاجل عن انسحاب القوات " * 20_000).encode()  # ~900 KB, many 64 KiB pieces
    server.route("/z", Response(200, encode(body), headers={"Content-Encoding": coding}))
    result = run(fetch_one(server.url("/z"), max_bytes=2 * MiB))
    assert result.content == body
    assert "content-encoding" not in result.headers  # content is decoded: do not claim otherwise


def _bomb(coding: str, size: int) -> bytes:
    zeros = bytes(MiB)
    if coding == "br":
        c = brotli.Compressor(quality=5)
        return b"".join(c.process(zeros) for _ in range(size // MiB)) + c.finish()
    wbits = 31 if coding == "gzip" else zlib.MAX_WBITS
    z = zlib.compressobj(1, zlib.DEFLATED, wbits)
    return b"".join(z.compress(zeros) for _ in range(size // MiB)) + z.flush()


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
def test_compression_bombs_stop_at_the_cap_with_bounded_memory(
    server: HttpServer, coding: str
) -> None:
    bomb = _bomb(coding, 256 * MiB)  # 256 MiB of zeros in a few hundred KB (or bytes, for br)
    server.route("/bomb", Response(200, bomb, headers={"Content-Encoding": coding}))
    tracemalloc.start()
    try:
        with pytest.raises(TooLargeError):
            run(fetch_one(server.url("/bomb"), max_bytes=2 * MiB))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 24 * MiB, f"peak {peak / MiB:.1f} MiB"


@pytest.mark.parametrize(
    ("coding", "body"),
    [("gzip", b"not gzip at all"), ("br", b"\xff\xfe garbage"), ("zstd", b"x"), ("gzip, br", b"x")],
    ids=["corrupt-gzip", "corrupt-br", "unknown-coding", "stacked-codings"],
)
def test_undecodable_bodies_are_fetch_errors(server: HttpServer, coding: str, body: bytes) -> None:
    server.route("/z", Response(200, body, headers={"Content-Encoding": coding}))
    with pytest.raises(FetchError):
        run(fetch_one(server.url("/z")))


# --------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize(
    "response",
    [
        Response(200, b"x" * 200, drip_s=0.05),  # status line and headers drip too
        Response(200, b"x" * 200, drip_s=0.05, drip_bytes=1, delay_s=0.0, chunked=True),
    ],
    ids=["drip-from-first-byte", "drip-chunked"],
)
def test_a_dripping_server_is_cut_at_the_total_deadline(
    server: HttpServer, response: Response
) -> None:
    # every byte arrives well within the 1 s read timeout: only the total deadline can stop it
    server.route("/drip", response)
    with pytest.raises(FetchError, match="deadline"):
        run(fetch_one(server.url("/drip")))


def test_a_silent_server_hits_the_read_timeout(server: HttpServer) -> None:
    server.route("/slow", Response(200, b"late", delay_s=5))
    settings = HttpSettings(
        read_timeout_seconds=0.3, total_timeout_seconds=3, allow_private_addresses=True
    )
    with pytest.raises(FetchError, match="ReadTimeout"):
        run(fetch_one(server.url("/slow"), settings))


def test_connection_refused_is_a_fetch_error(server: HttpServer) -> None:
    url = server.url("/x")
    server.stop()
    with pytest.raises(FetchError, match="ConnectError"):
        run(fetch_one(url))


# --------------------------------------------------------------------------- status codes


def _http_date(delta: timedelta) -> str:
    return format_datetime(datetime.now(UTC) + delta, usegmt=True)


@pytest.mark.parametrize(
    ("status", "retry_after", "low", "high"),
    [
        (429, "120", 120, 120),
        (503, None, None, None),
        (503, "later", None, None),
        (429, "__date+90s__", 80, 90),
        (503, "__date-90s__", 0, 0),
    ],
    ids=["429-seconds", "503-no-header", "503-garbage", "429-http-date", "503-date-in-past"],
)
def test_429_and_503_carry_retry_after(
    server: HttpServer, status: int, retry_after: str | None, low: float | None, high: float | None
) -> None:
    if retry_after == "__date+90s__":
        retry_after = _http_date(timedelta(seconds=90))
    elif retry_after == "__date-90s__":
        retry_after = _http_date(timedelta(seconds=-90))
    headers = {"Retry-After": retry_after} if retry_after else {}
    server.route("/feed", Response(status, b"busy", headers=headers))
    with pytest.raises(FetchError) as info:
        run(fetch_one(server.url("/feed")))
    assert info.value.status == status
    if low is None:
        assert info.value.retry_after_s is None
    else:
        assert info.value.retry_after_s is not None and low <= info.value.retry_after_s <= high


@pytest.mark.parametrize("status", [400, 403, 404, 410, 500, 502])
def test_other_error_statuses_raise_with_the_status(server: HttpServer, status: int) -> None:
    server.route("/feed", Response(status, b"no"))
    with pytest.raises(FetchError) as info:
        run(fetch_one(server.url("/feed")))
    assert info.value.status == status and info.value.retry_after_s is None


def test_retry_after_parser() -> None:
    now = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("Mon, 01 Jan 2024 12:00:30 GMT", now) == 30
    assert retry_after_seconds(" 5 ", now) == 5
    assert retry_after_seconds("-5", now) is None
    assert retry_after_seconds("", now) is None


# --------------------------------------------------------------------------- concurrency


def test_per_host_and_global_limits_are_honoured(server: HttpServer) -> None:
    server.route("/slow", Response(200, b"ok", delay_s=0.15))
    settings = HttpSettings(per_host_concurrency=2, concurrency=3, allow_private_addresses=True)
    hosts = [server.url("/slow"), server.url("/slow").replace("127.0.0.1", "localhost")]

    async def many() -> list[FetchResult]:
        async with Fetcher(settings) as fetcher:
            jobs = [fetcher.fetch(hosts[i % 2], max_bytes=100) for i in range(12)]
            return await asyncio.gather(*jobs)

    assert all(r.content == b"ok" for r in run(many()))
    assert 2 <= server.max_in_flight <= 3


def test_one_host_never_gets_more_than_its_share(server: HttpServer) -> None:
    server.route("/slow", Response(200, b"ok", delay_s=0.1))
    settings = HttpSettings(per_host_concurrency=2, concurrency=16, allow_private_addresses=True)

    async def many() -> list[FetchResult]:
        async with Fetcher(settings) as fetcher:
            return await asyncio.gather(
                *(fetcher.fetch(server.url("/slow"), max_bytes=100) for _ in range(8))
            )

    run(many())
    assert server.max_in_flight == 2


def test_time_queued_behind_the_limits_does_not_count_against_the_deadline(
    server: HttpServer,
) -> None:
    # 6 fetches of 0.3 s through one slot take 1.8 s, past the 1.5 s deadline of each fetch
    server.route("/slow", Response(200, b"ok", delay_s=0.3))
    settings = HttpSettings(
        per_host_concurrency=1, total_timeout_seconds=1.5, allow_private_addresses=True
    )

    async def many() -> list[FetchResult]:
        async with Fetcher(settings) as fetcher:
            return await asyncio.gather(
                *(fetcher.fetch(server.url("/slow"), max_bytes=100) for _ in range(6))
            )

    assert len(run(many())) == 6


# --------------------------------------------------------------------------- end to end


def test_a_windows_1256_feed_fetched_and_parsed(server: HttpServer) -> None:
    feed = (Path(__file__).parent / "fixtures" / "feeds" / "windows-1256.xml").read_bytes()
    headers = {"Content-Type": "text/xml; charset=windows-1256", "Content-Encoding": "gzip"}
    server.route("/ar.xml", Response(200, gzip.compress(feed), headers=headers))
    result = run(fetch_one(server.url("/ar.xml")))
    source = Source(id="mada", url=server.url("/ar.xml"), name="المدى")
    parsed = parse_feed(source, result)
    assert parsed.title == "جريدة المدى العربية" and parsed.warnings == ()
    assert parsed.entries[0].title == "التحالف الدولي يسلم قاعدة التاجي إلى القوات العراقية"
    assert parsed.entries[0].url == "https://mada.example/news/تسليم-التاجي"


def test_pages_ask_for_html(server: HttpServer) -> None:
    server.route("/page", Response(200, b"<html></html>", content_type="text/html"))
    run(fetch_one(server.url("/page"), kind="page"))
    assert server.requests[0].headers["accept"].startswith("text/html")
