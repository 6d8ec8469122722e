"""The cycle's article pages in order: a bounded number at a time, the earliest first.

The first wave processes its articles in publication order, each once it and every article
before it are read (``cycle._stream_wave``). When pages were fetched and handed to the workers
in the order they landed, the earliest article was often read last: the main process then sat
idle while the workers read every page, and processed the whole wave alone at the end (10 s of
a 46 s cycle at 3,000 pages). Every page also stayed in memory from its fetch until its turn
in a worker (~200 KB each: 600 MB of the daemon's peak at 3,000 pages).

``OrderedGate`` fixes both: a page holds a slot from before its fetch until its article is
read, at most ``capacity`` pages hold one, and a freed slot goes to the waiting page that comes
first in the processing order. Pages fetched before the wave's order is known (the feeds still
being read) take the first free slots, whatever their place; after that, the workers read the
articles in the order the main process needs them. The gate never leaves a slot free while a
page waits, so the workers are never starved to keep the order.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import AsyncIterator
from datetime import datetime

# (dated: False for an undated entry, whose place depends on its page, so it is read first;
# the feed's time; source id; the entry's position in the source's list): the order
# ``cycle._stream_wave`` processes in.
PageOrder = tuple[bool, datetime, str, int]

# Pages fetched ahead of the workers: enough to keep two workers busy behind the fetches of
# distant servers (a page takes ~10 ms of a worker, a fetch up to seconds), few enough to
# bound memory (~200 KB a page).
PAGES_AHEAD = 64


class OrderedGate:
    """An asyncio semaphore whose waiters enter smallest key first."""

    def __init__(self, capacity: int = PAGES_AHEAD) -> None:
        self._free = capacity
        self._waiting: list[tuple[PageOrder, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()  # ties keep the order of arrival

    @contextlib.asynccontextmanager
    async def slot(self, key: PageOrder) -> AsyncIterator[None]:
        await self._acquire(key)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, key: PageOrder) -> None:
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (key, next(self._arrivals), turn))
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # handed a slot as it was cancelled
                self._release()
            raise  # a cancelled waiter stays in the heap; ``_release`` skips it

    def _release(self) -> None:
        while self._waiting:
            _, _, turn = heapq.heappop(self._waiting)
            if not turn.done():
                turn.set_result(None)
                return
        self._free += 1
