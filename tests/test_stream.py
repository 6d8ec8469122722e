"""The asyncio network backend under httpcore's pool, against real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Awaitable, Callable

import httpcore
import pytest
import trustme

from monitor.net.stream import AsyncioBackend

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def _answer(body: bytes, *, close_after: bool = False) -> Handler:
    """A server that answers each request on a connection with ``body``; with
    ``close_after`` it closes the connection after the first answer, unannounced."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.readuntil(b"\r\n\r\n"):
            head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            writer.write(head + body)
            await writer.drain()
            if close_after:
                writer.close()
                return

    return _quietly(handle)


def _quietly(handle: Handler) -> Handler:
    async def run(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            await handle(reader, writer)

    return run


async def _serve(
    handler: Handler, tls: ssl.SSLContext | None = None
) -> tuple[asyncio.Server, int, list[int]]:
    """A server on a free port; the list counts the connections it accepted."""
    accepted: list[int] = []

    async def counted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(1)
        await handler(reader, writer)

    server = await asyncio.start_server(counted, "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    return server, port, accepted


def _pool() -> httpcore.AsyncConnectionPool:
    return httpcore.AsyncConnectionPool(network_backend=AsyncioBackend())


async def _get(pool: httpcore.AsyncConnectionPool, port: int, **timeouts: float) -> bytes:
    response = await pool.request(
        "GET", f"http://127.0.0.1:{port}/", extensions={"timeout": timeouts}
    )
    return response.content


def test_keep_alive_connections_are_reused() -> None:
    async def run() -> list[int]:
        server, port, accepted = await _serve(_answer(b"ok"))
        async with server, _pool() as pool:
            for _ in range(3):
                assert await _get(pool, port) == b"ok"
        return accepted

    assert len(asyncio.run(run())) == 1


def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    async def run() -> list[int]:
        server, port, accepted = await _serve(_answer(b"ok", close_after=True))
        async with server, _pool() as pool:
            for _ in range(3):
                assert await _get(pool, port) == b"ok"
                await asyncio.sleep(0.05)  # the server's close reaches us while idle
        return accepted

    assert len(asyncio.run(run())) == 3  # each request on a fresh connection, none failed


def test_a_body_larger_than_the_read_buffer_pauses_the_socket_and_arrives_whole() -> None:
    body = bytes(range(256)) * 8192  # 2 MiB, eight times the read buffer's high-water mark

    async def run() -> tuple[bool, bytes]:
        server, port, _ = await _serve(_answer(body))
        async with server, _pool() as pool:
            url = f"http://127.0.0.1:{port}/"
            async with pool.stream("GET", url) as response:
                chunks = response.aiter_stream()
                first = await anext(chunks)
                await asyncio.sleep(0.2)  # a slow reader: the rest piles up, then waits
                transport = response.extensions["network_stream"]._transport
                paused = not transport.is_reading()
                rest = [chunk async for chunk in chunks]
        return paused, first + b"".join(rest)

    paused, got = asyncio.run(run())
    assert paused and got == body


def test_a_server_that_never_answers_is_a_read_timeout() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1 << 16)
        await asyncio.sleep(5)

    async def run() -> None:
        server, port, _ = await _serve(_quietly(silent))
        async with server, _pool() as pool:
            await _get(pool, port, read=0.2)

    with pytest.raises(httpcore.ReadTimeout):
        asyncio.run(run())


def test_a_closed_port_is_a_connect_error() -> None:
    async def run() -> None:
        server, port, _ = await _serve(_answer(b""))
        server.close()
        await server.wait_closed()
        async with _pool() as pool:
            await _get(pool, port, connect=1.0)

    with pytest.raises(httpcore.ConnectError):
        asyncio.run(run())


def test_a_connection_closed_mid_body_is_an_error_not_a_short_body() -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")
        await writer.drain()
        writer.close()

    async def run() -> None:
        server, port, _ = await _serve(_quietly(cut))
        async with server, _pool() as pool:
            await _get(pool, port)

    with pytest.raises(httpcore.RemoteProtocolError):
        asyncio.run(run())


# --------------------------------------------------------------------------- TLS, as production


def _tls() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server, client) contexts: a test CA's certificate for "localhost"."""
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return server, client


def test_tls_reuse_a_slowly_read_big_body_and_a_body_ended_by_close() -> None:
    server_ctx, client_ctx = _tls()
    big = bytes(range(256)) * 8192  # 2 MiB

    async def until_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\n\r\n" + b"y" * 100_000)  # no length: the close ends it
        await writer.drain()
        writer.close()

    async def read(pool: httpcore.AsyncConnectionPool, port: int, slow: bool) -> bytes:
        async with pool.stream("GET", f"https://localhost:{port}/") as response:
            chunks = []
            async for chunk in response.aiter_stream():
                chunks.append(chunk)
                if slow:
                    await asyncio.sleep(0.005)
            return b"".join(chunks)

    async def run() -> tuple[list[bytes], list[int], bytes]:
        kept, port, accepted = await _serve(_answer(big), server_ctx)
        closing, closing_port, _ = await _serve(_quietly(until_close), server_ctx)
        pool = httpcore.AsyncConnectionPool(
            ssl_context=client_ctx, network_backend=AsyncioBackend()
        )
        async with kept, closing, pool:
            bodies = [await read(pool, port, slow=True) for _ in range(2)]
            ended = await read(pool, closing_port, slow=False)
        return bodies, accepted, ended

    bodies, accepted, ended = asyncio.run(run())
    assert bodies == [big, big] and len(accepted) == 1  # one TLS connection, kept alive
    assert ended == b"y" * 100_000
