"""SSRF guard: address policy, hostile URLs, redirect hops, and connecting to the checked address."""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
import pytest
import trustme
from tests.support.httpserver import HttpServer, Request, Response

from monitor.errors import BlockedAddressError
from monitor.models import FetchResult
from monitor.net import guard as netguard
from monitor.net.stream import AsyncioBackend
from monitor.settings import HttpSettings
from monitor.sources.fetch import Fetcher

PUBLIC_IP = "93.184.215.14"  # a globally routable address; the tests never reach it
SETTINGS = HttpSettings(total_timeout_seconds=3, allow_private_addresses=False)


# --------------------------------------------------------------------------- the address policy

ADDRESSES = [
    # address, refused without allow_private (reason word), refused even with allow_private
    ("8.8.8.8", None, False),
    ("2606:4700::1111", None, False),
    ("127.0.0.1", "loopback", False),
    ("127.255.255.254", "loopback", False),
    ("::1", "loopback", False),
    ("10.1.2.3", "private", False),
    ("172.16.0.1", "private", False),
    ("192.168.1.1", "private", False),
    ("fc00::1", "private", False),
    ("100.64.0.1", "CGNAT", False),
    ("100.127.255.254", "CGNAT", False),
    ("169.254.169.254", "link-local", True),
    ("fe80::1", "link-local", True),
    ("224.0.0.1", "multicast", True),
    ("ff02::1", "multicast", True),
    ("0.0.0.0", "unspecified", True),
    ("::", "unspecified", True),
    ("240.0.0.1", "reserved", True),
    ("255.255.255.255", "broadcast", True),
    ("::ffff:127.0.0.1", "IPv4-mapped", False),
    ("::ffff:8.8.8.8", "IPv4-mapped", False),
    ("::ffff:169.254.169.254", "IPv4-mapped", True),
    ("2002:7f00:1::1", "loopback", False),  # 6to4 wrapping 127.0.0.1
    ("64:ff9b::a00:1", "private", False),  # NAT64 wrapping 10.0.0.1
    ("2002:808:808::1", None, False),  # 6to4 wrapping 8.8.8.8
]


@pytest.mark.parametrize(("address", "reason", "always"), ADDRESSES, ids=[a[0] for a in ADDRESSES])
def test_address_policy(address: str, reason: str | None, always: bool) -> None:
    ip = ipaddress.ip_address(address)
    refused = netguard.blocked_reason(ip, allow_private=False)
    if reason is None:
        assert refused is None
    else:
        assert refused is not None and reason in refused
    assert (netguard.blocked_reason(ip, allow_private=True) is not None) == always


# --------------------------------------------------------------------------- hostile URLs

HOSTILE_URLS = [
    "http://127.0.0.1/",
    "http://2130706433/",  # decimal 127.0.0.1
    "http://0x7f.1/",  # hex and short form
    "http://0x7f000001/",
    "http://017700000001/",  # octal
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://0/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[0:0:0:0:0:ffff:127.0.0.1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1%25eth0]/",
    "http://10.0.0.1:8080/admin",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://0.0.0.0:22/",
    "http://localhost/",
    "http://LOCALHOST./",
    "file:///etc/passwd",
    "ftp://example.com/feed.xml",
    "gopher://127.0.0.1:25/",
    "http:///no-host",
    "http://[not-an-ip/",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("url", HOSTILE_URLS, ids=HOSTILE_URLS)
def test_check_url_refuses_hostile_urls(url: str) -> None:
    with pytest.raises(BlockedAddressError):
        netguard.check_url(url, allow_private=False)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/feed", "http://localhost/", "http://[::1]/x", "http://10.0.0.7/"]
)
def test_allow_private_lets_local_addresses_through(url: str) -> None:
    netguard.check_url(url, allow_private=True)


@pytest.mark.parametrize(
    "url",
    ["http://2130706433/", "http://169.254.169.254/", "http://0.0.0.0/", "file:///etc/passwd"],
)
def test_allow_private_still_refuses_metadata_odd_spellings_and_schemes(url: str) -> None:
    with pytest.raises(BlockedAddressError):
        netguard.check_url(url, allow_private=True)


def test_check_url_refuses_a_name_with_any_internal_address() -> None:
    def resolver(host: str, port: int) -> list[str]:
        return [PUBLIC_IP, "10.0.0.5"]

    with pytest.raises(BlockedAddressError, match="private"):
        netguard.check_url("https://mixed.example/", allow_private=False, resolver=resolver)
    netguard.check_url("https://ok.example/", False, resolver=lambda h, p: [PUBLIC_IP])


# --------------------------------------------------------------------------- through the Fetcher


def _fetch(url: str, settings: HttpSettings = SETTINGS, **kw: Any) -> FetchResult:
    async def go() -> FetchResult:
        async with Fetcher(settings, transport=kw.pop("transport", None)) as fetcher:
            return await fetcher.fetch(url, max_bytes=10_000, **kw)

    return asyncio.run(go())


def test_fetcher_refuses_loopback_without_sending_a_request(server: HttpServer) -> None:
    server.route("/feed", Response(200, b"secret"))
    for url in (server.url("/feed"), server.url("/feed").replace("127.0.0.1", "localhost")):
        with pytest.raises(BlockedAddressError) as info:
            _fetch(url)
        assert info.value.url == url
    assert server.requests == []


HOSTILE_REDIRECTS = [
    "http://169.254.169.254/latest/meta-data/",
    "http://0x7f.1/",
    "http://2130706433/",
    "http://[::ffff:169.254.169.254]/",
    "http://0.0.0.0/",
    "file:///etc/passwd",
    "ftp://127.0.0.1/",
]


@pytest.mark.parametrize("target", HOSTILE_REDIRECTS, ids=HOSTILE_REDIRECTS)
def test_every_redirect_hop_is_checked(server: HttpServer, target: str) -> None:
    # the demo/test mode lets the first hop reach 127.0.0.1; the hostile hops stay refused
    server.redirect("/feed", target)
    with pytest.raises(BlockedAddressError):
        _fetch(server.url("/feed"), HttpSettings(allow_private_addresses=True))
    assert server.hits("/feed") == 1


# --------------------------------------------------------------------------- connect where checked


class LoopbackMapper(AsyncioBackend):
    """Stands in for the internet: connects the checked public address to the local server.

    It records what the guarded backend asked it to connect to, which must be an IP address
    that was checked, never a host name (that would leave a DNS-rebinding window).
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.calls: list[tuple[str, int]] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.calls.append((host, port))
        return await super().connect_tcp(
            "127.0.0.1", self.port, timeout, local_address, socket_options
        )


class FakeDns:
    """Answers from a table; each lookup pops the next answer (to act out DNS rebinding)."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.lookups: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        queue = self.answers[host]
        return queue.pop(0) if len(queue) > 1 else queue[0]


def _guarded(
    dns: FakeDns, mapper: LoopbackMapper, verify: ssl.SSLContext | bool = True
) -> httpx.AsyncBaseTransport:
    return netguard.async_transport(allow_private=False, resolver=dns, inner=mapper, verify=verify)


def test_redirect_to_loopback_is_refused_when_private_is_not_allowed(server: HttpServer) -> None:
    server.redirect("/feed", server.url("/internal"))
    server.route("/internal", Response(200, b"secret"))
    mapper = LoopbackMapper(server.port)
    dns = FakeDns({"news.example": [[PUBLIC_IP]]})
    with pytest.raises(BlockedAddressError, match="loopback"):
        _fetch(f"http://news.example:{server.port}/feed", transport=_guarded(dns, mapper))
    assert server.hits("/feed") == 1 and server.hits("/internal") == 0


def test_redirect_to_a_name_resolving_to_metadata_is_refused(server: HttpServer) -> None:
    server.redirect("/feed", "http://metadata.example/latest")
    mapper = LoopbackMapper(server.port)
    dns = FakeDns({"news.example": [[PUBLIC_IP]], "metadata.example": [["169.254.169.254"]]})
    with pytest.raises(BlockedAddressError, match="link-local"):
        _fetch(f"http://news.example:{server.port}/feed", transport=_guarded(dns, mapper))
    assert mapper.calls == [(PUBLIC_IP, server.port)]


def test_connection_goes_to_the_checked_address_with_the_host_header_kept(
    server: HttpServer,
) -> None:
    def echo_host(request: Request) -> Response:
        return Response(200, request.headers["host"].encode())

    server.route("/feed", echo_host)
    mapper = LoopbackMapper(server.port)
    # a rebinding resolver: public on the first lookup, loopback afterwards
    dns = FakeDns({"rebind.example": [[PUBLIC_IP], ["127.0.0.1"]]})
    result = _fetch(f"http://rebind.example:{server.port}/feed", transport=_guarded(dns, mapper))
    assert result.content == f"rebind.example:{server.port}".encode()
    assert mapper.calls == [(PUBLIC_IP, server.port)]  # the socket went to the vetted IP
    assert dns.lookups == ["rebind.example"]  # resolved once: nothing left to rebind


def test_a_second_connection_is_checked_again(server: HttpServer) -> None:
    server.route("/feed", Response(200, b"ok", close=True))  # no keep-alive: a new connection
    mapper = LoopbackMapper(server.port)
    dns = FakeDns({"rebind.example": [[PUBLIC_IP], ["127.0.0.1"]]})
    url = f"http://rebind.example:{server.port}/feed"

    async def twice() -> None:
        async with Fetcher(SETTINGS, transport=_guarded(dns, mapper)) as fetcher:
            await fetcher.fetch(url, max_bytes=100)
            await fetcher.fetch(url, max_bytes=100)

    with pytest.raises(BlockedAddressError, match="loopback"):
        asyncio.run(twice())
    assert server.hits("/feed") == 1


def test_tls_uses_the_host_name_for_sni_and_the_certificate() -> None:
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("secure.example").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    with HttpServer(ssl_context=server_ctx) as server:
        server.route("/feed", Response(200, b"tls ok"))
        mapper = LoopbackMapper(server.port)
        dns = FakeDns({"secure.example": [[PUBLIC_IP]]})
        transport = _guarded(dns, mapper, verify=client_ctx)
        result = _fetch(f"https://secure.example:{server.port}/feed", transport=transport)
        assert mapper.calls == [(PUBLIC_IP, server.port)]
    assert result.content == b"tls ok"
