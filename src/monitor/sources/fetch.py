"""Fetch feeds and article pages over HTTP, defensively.

One ``Fetcher`` (one guarded httpx transport and its connection pool) per cycle; callers may
``asyncio.gather`` hundreds of ``fetch`` calls: a global semaphore (``concurrency``) and one
per host (``per_host_concurrency``) keep the load polite.

Rules:

* Conditional GET with the ``HttpCache`` validators; ``304`` gives ``not_modified=True`` and
  keeps the validators (RFC 9111 section 4.3.4: a 304 may carry a newer Last-Modified/ETag).
* Timeouts: connect and read timeouts per socket operation, plus a total deadline per fetch
  (all redirect hops, headers and body) enforced with ``asyncio.timeout``, so a server that
  drips one byte a second is cut off. The deadline starts once the fetch holds its slots, so
  time spent queueing behind the concurrency limits does not count.
* The body is read as a raw stream and decoded (gzip, deflate, brotli) by ``httpwire``'s
  decoders in pieces of at most 64 KiB; the size cap is counted on decoded bytes, so a
  compression bomb stops at the cap with bounded memory (``TooLargeError``). httpx's own
  decoders inflate a whole network chunk at once and are not used.
* Redirects are followed by hand, up to ``max_redirects``; every hop goes through the SSRF
  guard (``netguard``), a loop is an error.
* 429/503 raise ``FetchError`` with ``retry_after_s`` from Retry-After (seconds or HTTP date);
  any other status >= 400 raises ``FetchError`` with the status.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from types import TracebackType

import httpx

from monitor.errors import BlockedAddressError, FetchError, TooLargeError
from monitor.models import FetchResult, HttpCache
from monitor.net import guard as netguard
from monitor.net import wire as httpwire
from monitor.net.wire import retry_after_seconds
from monitor.settings import HttpSettings

log = logging.getLogger(__name__)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ACCEPT = {
    "feed": "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
    "page": "text/html, application/xhtml+xml;q=0.9, */*;q=0.5",
}
_DROPPED_HEADERS = ("content-encoding", "content-length", "transfer-encoding")


# --------------------------------------------------------------------------- the fetcher


@dataclass(frozen=True, slots=True)
class _Redirect:
    location: str


class Fetcher:
    """One HTTP client per cycle, with the limits, guard and decoding rules above.

    Usage::

        async with Fetcher(settings) as fetcher:
            result = await fetcher.fetch(url, cache=cache, max_bytes=settings.max_feed_bytes)

    ``transport`` replaces the guarded default (tests inject a guarded transport with a fake
    resolver); production code passes nothing.
    """

    def __init__(
        self, settings: HttpSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        self._given = transport
        self._transport: httpx.AsyncBaseTransport | None = None
        self._headers: dict[str, str] = {}
        self._timeouts: dict[str, float | None] = {}
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        limits = httpx.Limits(
            max_connections=s.concurrency, max_keepalive_connections=s.concurrency
        )
        self._transport = self._given or netguard.async_transport(
            allow_private=s.private_sources, limits=limits
        )
        self._headers = {
            "User-Agent": s.user_agent,
            "Accept-Encoding": httpwire.accept_encoding(),
            "Connection": "keep-alive",
        }
        self._timeouts = httpx.Timeout(
            connect=s.connect_timeout_seconds,
            read=s.read_timeout_seconds,
            write=s.read_timeout_seconds,
            pool=s.total_timeout_seconds,
        ).as_dict()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._transport is not None:
            await self._transport.aclose()
            self._transport = None

    async def fetch(
        self, url: str, *, cache: HttpCache | None = None, max_bytes: int, kind: str = "feed"
    ) -> FetchResult:
        """GET ``url`` under the rules of the module docstring.

        Args:
            url: an http(s) URL.
            cache: validators from the previous fetch, for a conditional GET.
            max_bytes: the cap on the decoded body.
            kind: ``"feed"`` or ``"page"`` (the Accept header and error messages).

        Returns:
            The result; ``not_modified`` is set on 304 (empty content, validators kept).

        Raises:
            BlockedAddressError: the URL or a redirect hop is refused by the SSRF guard.
            TooLargeError: the decoded body passed ``max_bytes``.
            FetchError: timeouts, transport errors, redirect loops, HTTP errors.
        """
        if self._transport is None:
            raise RuntimeError("Fetcher used outside 'async with'")
        host = self._check(url, url)
        async with self._global:
            try:
                return await self._follow(self._transport, url, host, cache, max_bytes, kind)
            except TimeoutError:
                raise FetchError(
                    f"fetch: {kind} {url}: no complete response within the "
                    f"{self.settings.total_timeout_seconds:g}s deadline",
                    url=url,
                ) from None

    async def _follow(
        self,
        transport: httpx.AsyncBaseTransport,
        url: str,
        host: str,
        cache: HttpCache | None,
        max_bytes: int,
        kind: str,
    ) -> FetchResult:
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        started = 0.0
        current, visited = url, {url}
        for _ in range(self.settings.max_redirects + 1):
            slot = self._host_slot(host)
            async with asyncio.timeout_at(deadline):
                await slot.acquire()
            try:
                if deadline is None:
                    started = loop.time()
                    deadline = started + self.settings.total_timeout_seconds
                async with asyncio.timeout_at(deadline):
                    hop = await self._request(transport, url, current, cache, max_bytes, kind)
            finally:
                slot.release()
            if isinstance(hop, FetchResult):
                return replace(hop, elapsed_s=loop.time() - started)
            log.debug("redirect", extra={"kv": {"url": url, "hop": current, "to": hop.location}})
            if hop.location in visited:
                raise FetchError(f"fetch: {kind} {url}: redirect loop at {hop.location}", url=url)
            host = self._check(hop.location, url)
            visited.add(hop.location)
            current = hop.location
        raise FetchError(
            f"fetch: {kind} {url}: more than {self.settings.max_redirects} redirects", url=url
        )

    async def _request(
        self,
        transport: httpx.AsyncBaseTransport,
        url: str,
        current: str,
        cache: HttpCache | None,
        max_bytes: int,
        kind: str,
    ) -> FetchResult | _Redirect:
        headers = self._headers | _request_headers(cache, kind)
        try:
            # Straight to the transport: redirects, decoding and deadlines are ours (above),
            # and a client's layers (cookies, auth, hooks) cost more than the 304 they carry.
            request = httpx.Request(
                "GET", current, headers=headers, extensions={"timeout": self._timeouts}
            )
            response = await transport.handle_async_request(request)
            response.request = request
            try:
                return await _handle(response, url, cache, max_bytes, kind)
            finally:
                await response.aclose()
        except BlockedAddressError as exc:
            exc.url = url
            raise
        except httpx.TimeoutException as exc:
            name = type(exc).__name__
            raise FetchError(f"fetch: {kind} {url}: {name} at {current}", url=url) from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            name = type(exc).__name__
            raise FetchError(f"fetch: {kind} {url}: {name}: {exc}", url=url) from None

    def _check(self, target: str, url: str) -> str:
        """``target``'s host, once the guard has checked its syntax (the host's slot key)."""
        try:
            host, _ = netguard.check_url_syntax(target, self.settings.private_sources)
        except BlockedAddressError as exc:
            exc.url = url
            raise
        return host

    def _host_slot(self, host: str) -> asyncio.Semaphore:
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.settings.per_host_concurrency)
        return self._hosts[host]


def _request_headers(cache: HttpCache | None, kind: str) -> dict[str, str]:
    headers = {"Accept": _ACCEPT.get(kind, "*/*")}
    if cache is not None and cache.etag:
        headers["If-None-Match"] = cache.etag
    if cache is not None and cache.last_modified:
        headers["If-Modified-Since"] = cache.last_modified
    return headers


# --------------------------------------------------------------------------- one response


async def _handle(
    response: httpx.Response, url: str, cache: HttpCache | None, max_bytes: int, kind: str
) -> FetchResult | _Redirect:
    status = response.status_code
    here = str(response.url)
    if status in _REDIRECTS and response.headers.get("location"):
        target = response.url.join(response.headers["location"].strip()).copy_with(fragment=None)
        return _Redirect(str(target))
    if status == 304:
        # A 304 has no body, but h11 ends the message only once it is read: closed unread,
        # the connection is dropped instead of going back to the pool, and every poll of
        # an unchanged feed would pay a new TCP (and TLS) handshake.
        await response.aread()
        return FetchResult(
            url=url,
            final_url=here,
            status=304,
            content=b"",
            headers=_kept_headers(response),
            not_modified=True,
            etag=response.headers.get("etag") or (cache.etag if cache else None),
            last_modified=response.headers.get("last-modified")
            or (cache.last_modified if cache else None),
        )
    if status in (429, 503):
        retry = retry_after_seconds(response.headers.get("retry-after"))
        raise FetchError(
            f"fetch: {kind} {url}: HTTP {status} (retry after {retry}s)",
            url=url,
            status=status,
            retry_after_s=retry,
        )
    if not 200 <= status < 300:
        raise FetchError(f"fetch: {kind} {url}: HTTP {status}", url=url, status=status)
    content = await _read_body(response, url, max_bytes, kind)
    return FetchResult(
        url=url,
        final_url=here,
        status=status,
        content=content,
        headers=_kept_headers(response),
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    )


def _kept_headers(response: httpx.Response) -> dict[str, str]:
    """Response headers (lower-case keys), minus those that describe the undecoded body."""
    return {k: v for k, v in response.headers.items() if k not in _DROPPED_HEADERS}


async def _read_body(response: httpx.Response, url: str, max_bytes: int, kind: str) -> bytes:
    encoding = response.headers.get("content-encoding", "identity")
    decoder = httpwire.decoder_for(encoding)
    if decoder is None:
        raise FetchError(f"fetch: {kind} {url}: unsupported Content-Encoding {encoding!r}", url=url)
    declared = response.headers.get("content-length", "")
    if encoding.strip().lower() == "identity" and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(url, max_bytes, kind)
    chunks: list[bytes] = []
    total = 0
    try:
        async for raw in response.aiter_raw():
            for piece in decoder.decode(raw):
                total += len(piece)
                if total > max_bytes:
                    raise _too_large(url, max_bytes, kind)
                chunks.append(piece)
    except httpwire.DECODE_ERRORS as exc:
        raise FetchError(f"fetch: {kind} {url}: bad {encoding} body: {exc}", url=url) from None
    return b"".join(chunks)


def _too_large(url: str, max_bytes: int, kind: str) -> TooLargeError:
    return TooLargeError(f"fetch: {kind} {url}: body larger than {max_bytes} bytes", url=url)
