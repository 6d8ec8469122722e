"""An httpcore network backend on asyncio's own transports, without anyio in between.

httpcore reaches sockets through anyio by default. Under asyncio that costs, on every read
and write, an anyio cancel scope and a checkpoint; and the connection pool asks every idle
connection whether the server closed it ("is_readable") each time it hands out or takes
back a connection, which anyio answers by building its table of socket attributes (a
``getpeername`` call among them). Measured on 1,000 unchanged feeds (304 answers), those
layers cost more CPU than the rest of the poll. This backend speaks asyncio directly:

* a read returns buffered bytes at once, or waits on one future (with a timer when the
  request has a read timeout);
* a write hands the bytes to the transport and waits only when the transport asks us to
  (``pause_writing``);
* the protocol keeps reading while a connection is idle (up to ``_HIGH_WATER`` bytes, then
  it pauses the socket), so "is_readable" is answered from what already arrived, plus one
  ``poll`` of the socket for what arrived since the event loop last looked;
* TLS is ``loop.start_tls`` under the connect timeout.

Errors map to httpcore's exception types, as httpcore's own backends map them.
The SSRF guard (``guard.AsyncGuardedBackend``) resolves and checks the address, then asks
this backend to connect to that address.
"""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
from collections import deque
from collections.abc import Iterable
from typing import Any

import httpcore

_HIGH_WATER = 256 * 1024  # buffered and unread: stop reading the socket
_LOW_WATER = 64 * 1024  # read down to this: read the socket again


class _Protocol(asyncio.Protocol):
    """What arrived on one connection, and the futures that wait for more or for room."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._chunks: deque[bytes] = deque()
        self._offset = 0  # into the first chunk: what of it was handed out already
        self._buffered = 0
        self._eof = False
        self._error: BaseException | None = None
        self._paused = False
        self._waiter: asyncio.Future[None] | None = None
        self._drain: asyncio.Future[None] | None = None

    # ------------------------------------------------------------------ asyncio's calls

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self._chunks.append(data)
        self._buffered += len(data)
        if self._buffered > _HIGH_WATER and not self._paused and self.transport is not None:
            self.transport.pause_reading()
            self._paused = True
        self._wake()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake()
        return False  # let the transport close itself: HTTP/1.1 never half-closes

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._eof:  # a reset after a clean end of stream does not spoil the body
            self._error = exc
        self._eof = True
        self._wake()
        if self._drain is not None and not self._drain.done():
            self._drain.set_result(None)  # the write sees the closed transport

    def pause_writing(self) -> None:
        if self._drain is None or self._drain.done():
            self._drain = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._drain is not None and not self._drain.done():
            self._drain.set_result(None)
        self._drain = None

    # ------------------------------------------------------------------ the stream's calls

    def ready(self) -> bool:
        """Something to hand out: bytes, the end of the stream or its error."""
        return bool(self._chunks) or self._eof

    def take(self, max_bytes: int) -> bytes:
        """At most ``max_bytes`` of what arrived (b"" at the end of the stream)."""
        if not self._chunks:
            if self._error is not None:
                raise httpcore.ReadError(str(self._error) or type(self._error).__name__)
            return b""
        first, start = self._chunks[0], self._offset
        whole = start == 0 and len(first) <= max_bytes  # the usual case: no copy
        chunk = first if whole else first[start : start + max_bytes]  # each byte copied once
        if start + len(chunk) >= len(first):
            self._chunks.popleft()
            self._offset = 0
        else:
            self._offset = start + len(chunk)
        self._buffered -= len(chunk)
        if self._paused and self._buffered <= _LOW_WATER and self.transport is not None:
            self.transport.resume_reading()
            self._paused = False
        return chunk

    def more(self) -> asyncio.Future[None]:
        self._waiter = asyncio.get_running_loop().create_future()
        return self._waiter

    def room(self) -> asyncio.Future[None] | None:
        """A future done when the transport takes writes again; None when it does now."""
        return self._drain

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
        self._waiter = None


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection, plain or TLS, as httpcore's pool and HTTP/1.1 code use it."""

    def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
        self._transport = transport
        self._protocol = protocol
        protocol.transport = transport
        self._socket: socket.socket | None = transport.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if not self._protocol.ready():
            await _wait(self._protocol.more(), timeout, httpcore.ReadTimeout, "read")
        return self._protocol.take(max_bytes)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        if self._transport.is_closing():
            raise httpcore.WriteError("the connection is closed")
        self._transport.write(buffer)
        room = self._protocol.room()
        if room is not None:
            await _wait(room, timeout, httpcore.WriteTimeout, "write")
            if self._transport.is_closing():
                raise httpcore.WriteError("the connection was closed while writing")

    async def aclose(self) -> None:
        # Abort, as httpcore's anyio backend does: close() would first send what is still
        # buffered, and a server that stopped reading would keep the socket open for ever.
        self._transport.abort()
        await asyncio.sleep(0)  # the loop closes the socket in its next turn

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(
                    self._transport, self._protocol, ssl_context, server_hostname=server_hostname
                )
        except TimeoutError:
            await self.aclose()
            raise httpcore.ConnectTimeout(f"TLS handshake not done within {timeout}s") from None
        except (OSError, ssl.SSLError) as exc:
            await self.aclose()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from None
        if transport is None:  # the connection closed during the handshake
            raise httpcore.ConnectError("the connection closed during the TLS handshake")
        assert isinstance(transport, asyncio.Transport)
        return AsyncioStream(transport, self._protocol)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # Idle and readable means the server closed it or sent what nobody asked for:
            # either way the pool must not reuse it.
            return self._protocol.ready() or _socket_readable(self._socket)
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._socket
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections with ``loop.create_connection`` (TCP_NODELAY is asyncio's
    default for TCP transports)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        local = (local_address, 0) if local_address else None
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await loop.create_connection(
                    _Protocol, host, port, local_addr=local
                )
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"no connection within {timeout}s") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from None
        sock = transport.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return AsyncioStream(transport, protocol)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def _wait(
    future: asyncio.Future[None],
    timeout: float | None,
    error: type[httpcore.TimeoutException],
    what: str,
) -> None:
    """Wait for ``future``; ``error`` after ``timeout`` seconds (None: no limit)."""
    if timeout is None:
        await future
        return
    late = error(f"no {what} progress within {timeout}s")
    timer = asyncio.get_running_loop().call_later(timeout, _expire, future, late)
    try:
        await future
    finally:
        timer.cancel()


def _expire(future: asyncio.Future[None], late: Exception) -> None:
    if not future.done():
        future.set_exception(late)


def _socket_readable(sock: socket.socket | None) -> bool:
    """Whether bytes or the end of the stream wait on the socket (a closed one counts)."""
    if sock is None or sock.fileno() < 0:
        return True
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN)
    return bool(poller.poll(0))
