"""SSRF guard: refuse URLs that reach into the host's own network, and connect only where we checked.

Every outgoing URL (feed, article link, each redirect hop, webhook target) goes through here.

Rules:

* Only ``http`` and ``https`` URLs with a host are accepted.
* Odd spellings of IPv4 addresses (``http://2130706433/``, ``http://0x7f.1/``, ``http://127.1/``,
  octal parts) are refused outright: no real site is addressed that way, and resolvers disagree
  on what they mean.
* Every address a host resolves to is checked; if any one is refused, the host is refused
  (a name that mixes public and internal addresses is an attack, not a CDN).
* Always refused: unspecified (0.0.0.0, ::), link-local (169.254/16 with the cloud metadata
  service, fe80::/10), multicast, reserved and broadcast.
* Refused unless ``allow_private`` (demo and tests): loopback, private (RFC 1918, fc00::/7),
  CGNAT shared space 100.64/10 and anything else that is not globally routable. The refusal
  names the key that allows them (``ALLOW_KEY``).
* IPv6 forms that embed an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``, 6to4, Teredo, NAT64)
  are judged by the embedded address; IPv4-mapped ones are refused unless ``allow_private``.
* No DNS-rebinding window: ``AsyncGuardedBackend`` (an httpcore network backend; every
  client here is async, feeds and webhooks alike) resolves the name, checks the addresses
  and opens the TCP connection to the checked address itself. httpcore keeps using the hostname for the Host header and TLS SNI/certificate
  checks, because those come from the request URL, not from the socket.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpcore
import httpx

from monitor.errors import BlockedAddressError
from monitor.net.stream import AsyncioBackend

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AsyncResolver = Callable[[str, int], Awaitable[list[str]]]
SyncResolver = Callable[[str, int], list[str]]

_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SCHEMES = ("http", "https")


# The key that lets a refused private address through, named in the refusal (issue 14):
# whoever meets the refusal should not have to look for the switch.
ALLOW_KEY = "[http] allow_private_addresses"


# --------------------------------------------------------------------------- address policy


def blocked_reason(ip: IPAddress, allow_private: bool) -> str | None:
    """Why ``ip`` is refused, or None when it may be contacted."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if ip.ipv4_mapped is not None and not allow_private:
            return f"IPv4-mapped IPv6 address ({ip.ipv4_mapped})"
        if embedded is not None:
            inner = blocked_reason(embedded, allow_private)
            return None if inner is None else f"{inner} (embedded in {ip})"
    if ip.is_loopback:  # before the reserved check: ::1 lies inside the reserved ::/8
        return None if allow_private else "loopback address"
    always = _always_refused(ip)
    if always:
        return always
    if allow_private:
        return None
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "CGNAT shared address space (100.64.0.0/10)"
    if ip.is_private:
        return "private address"
    if not ip.is_global:
        return "address that is not globally routable"
    return None


def _always_refused(ip: IPAddress) -> str | None:
    if ip.is_unspecified:
        return "unspecified address"
    if ip.is_link_local:
        return "link-local address"
    if ip.is_multicast:
        return "multicast address"
    if isinstance(ip, ipaddress.IPv4Address) and ip == ipaddress.IPv4Address("255.255.255.255"):
        return "broadcast address"
    if ip.is_reserved:
        return "reserved address"
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 transition form carries (mapped, 6to4, Teredo, NAT64)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def check_ip(address: str, host: str, allow_private: bool) -> None:
    """Raise ``BlockedAddressError`` when the resolved ``address`` of ``host`` is refused."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    reason = blocked_reason(ip, allow_private)
    if reason:
        raise BlockedAddressError(f"netguard: {host} resolves to a {reason}: {ip}{_hint(ip)}")


def _hint(ip: IPAddress) -> str:
    """How to allow a refused address, when the config can allow it (never link-local etc.)."""
    if blocked_reason(ip, allow_private=True) is not None:
        return ""
    return (
        f"; refused by the SSRF guard: set {ALLOW_KEY} = true to allow your own network"
        " (or allow_private_sources / allow_private_channels for feeds or webhooks alone)"
    )


# --------------------------------------------------------------------------- URLs


def check_url_syntax(url: str, allow_private: bool) -> tuple[str, int]:
    """Check what can be checked without DNS; return the (host, port) to resolve.

    Raises:
        BlockedAddressError: bad scheme, no host, an odd IPv4 spelling or a refused literal IP.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise BlockedAddressError(f"netguard: invalid URL: {exc}", url=url) from None
    if parsed.scheme not in _SCHEMES:
        raise BlockedAddressError(f"netguard: scheme {parsed.scheme!r} is not allowed", url=url)
    host = parsed.host.rstrip(".")
    if not host:
        raise BlockedAddressError("netguard: URL has no host", url=url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    literal = _literal_ip(host)
    if literal is not None:
        reason = blocked_reason(literal, allow_private)
        if reason:
            raise BlockedAddressError(f"netguard: {host} is a {reason}{_hint(literal)}", url=url)
    elif _is_odd_ipv4(host):
        raise BlockedAddressError(f"netguard: non-canonical IPv4 spelling {host!r}", url=url)
    return host, port


def check_url(url: str, allow_private: bool, *, resolver: SyncResolver | None = None) -> None:
    """Resolve the URL's host and refuse it when any of its addresses is refused (blocking call).

    The whole policy for one URL at once; clients use ``async_transport`` instead, which
    also pins the connection to the checked address.

    Raises:
        BlockedAddressError: the URL is refused or its host does not resolve.
    """
    host, port = check_url_syntax(url, allow_private)
    try:
        addresses = (resolver or resolve_sync)(host, port)
    except OSError as exc:
        raise BlockedAddressError(f"netguard: cannot resolve {host}: {exc}", url=url) from None
    for address in addresses:
        try:
            check_ip(address, host, allow_private)
        except BlockedAddressError as exc:
            exc.url = url
            raise


def _literal_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _is_odd_ipv4(host: str) -> bool:
    """True for hosts that C resolvers read as IPv4 although they are not dotted quads."""
    try:
        socket.inet_aton(host)
    except OSError:
        return False
    return True


# --------------------------------------------------------------------------- resolution


async def resolve_async(host: str, port: int) -> list[str]:
    """All addresses of ``host`` (the default resolver of the async backend)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return _unique(str(info[4][0]) for info in infos)


def resolve_sync(host: str, port: int) -> list[str]:
    """All addresses of ``host`` (blocking)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return _unique(str(info[4][0]) for info in infos)


def _unique(addresses: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(addresses))


def _literal_or_refused(host: str) -> IPAddress | None:
    """The host as an IP literal, or None for a name; an odd IPv4 spelling is refused."""
    literal = _literal_ip(host)
    if literal is None and _is_odd_ipv4(host):
        raise BlockedAddressError(f"netguard: non-canonical IPv4 spelling {host!r}")
    return literal


def _vetted(host: str, addresses: list[str], allow_private: bool) -> list[str]:
    if not addresses:
        raise httpcore.ConnectError(f"netguard: {host} has no address")
    for address in addresses:
        check_ip(address, host, allow_private)
    return addresses


# --------------------------------------------------------------------------- httpcore backends


class AsyncGuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks, then connects to the checked address (never re-resolves)."""

    def __init__(
        self,
        allow_private: bool,
        *,
        resolver: AsyncResolver | None = None,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.allow_private = allow_private
        self._resolve = resolver or resolve_async
        self._inner = inner or AsyncioBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        literal = _literal_or_refused(host)
        try:
            async with asyncio.timeout(timeout):
                found = [str(literal)] if literal else await self._resolve(host, port)
        except (OSError, TimeoutError) as exc:
            raise httpcore.ConnectError(f"netguard: cannot resolve {host}: {exc}") from None
        last: Exception | None = None
        for address in _vetted(host, found, self.allow_private):
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc  # try the next checked address, like happy-eyeballs would
        assert last is not None
        raise last

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddressError("netguard: unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


# --------------------------------------------------------------------------- httpx transports


def tls_context(verify: ssl.SSLContext | bool) -> ssl.SSLContext:
    """The TLS context for ``verify``: a given context as it is; otherwise one per process.

    Loading the CA bundle takes 20-40 ms; a context is safe to share between clients and
    threads, so a cycle's fetcher (a new one every cycle) does not load it again.
    """
    if isinstance(verify, ssl.SSLContext):
        return verify
    return _shared_context(verify)


@functools.cache
def _shared_context(verify: bool) -> ssl.SSLContext:
    return httpx.create_ssl_context(verify=verify, trust_env=False)


def async_transport(
    *,
    allow_private: bool,
    limits: httpx.Limits | None = None,
    verify: ssl.SSLContext | bool = True,
    resolver: AsyncResolver | None = None,
    inner: httpcore.AsyncNetworkBackend | None = None,
) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose every connection goes through ``AsyncGuardedBackend``.

    Environment proxies are ignored (``trust_env=False``): a proxy would connect for us and
    bypass the check. ``resolver`` and ``inner`` exist for tests (a fake DNS, a socket mapper).
    """
    limits = limits or httpx.Limits()
    context = tls_context(verify)
    transport = httpx.AsyncHTTPTransport(verify=context, trust_env=False, limits=limits)
    # httpx 0.28 has no network_backend argument: swap in a pool built on our backend.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=AsyncGuardedBackend(allow_private, resolver=resolver, inner=inner),
    )
    return transport
