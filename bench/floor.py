"""The polling floor: what a plain httpx + feedparser script takes to poll the same feeds.

``python -m bench.floor [--etag ETAG] [--concurrency 16] [--per-host 2] URL...`` fetches
every URL with one ``httpx.AsyncClient`` under the same limits as the daemon's defaults (a
global and a per-host semaphore), parses each 200 answer with ``feedparser.parse`` in the
event loop's thread pool, and prints ``seconds=S entries=N not_modified=M``. With
``--etag`` it sends ``If-None-Match`` (the all-304 cycle). The time is measured inside the
process, from the first request to the last answer, as the daemon's ``seconds=`` is: both
leave interpreter start-up out.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from urllib.parse import urlsplit

import feedparser
import httpx


async def _poll(urls: list[str], etag: str | None, concurrency: int, per_host: int) -> str:
    limit = asyncio.Semaphore(concurrency)
    hosts: dict[str, asyncio.Semaphore] = {}
    entries = not_modified = 0
    headers = {"If-None-Match": etag} if etag else {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def one(client: httpx.AsyncClient, url: str) -> None:
        nonlocal entries, not_modified
        host = hosts.setdefault(urlsplit(url).netloc, asyncio.Semaphore(per_host))
        async with limit, host:
            response = await client.get(url, headers=headers)
        if response.status_code == 304:
            not_modified += 1
            return
        parsed = await asyncio.to_thread(feedparser.parse, response.content)
        entries += len(parsed.entries)

    t0 = time.perf_counter()
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
        await asyncio.gather(*(one(client, url) for url in urls))
    seconds = time.perf_counter() - t0
    return f"seconds={seconds:.3f} entries={entries} not_modified={not_modified}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floor")
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--etag")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--per-host", type=int, default=2)
    args = parser.parse_args(argv)
    print(asyncio.run(_poll(args.urls, args.etag, args.concurrency, args.per_host)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
