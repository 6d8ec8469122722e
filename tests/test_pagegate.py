"""The page gate: at most ``capacity`` holders, waiters let in smallest key first."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from monitor.pipeline.pagegate import OrderedGate, PageOrder

DAY = datetime(2026, 1, 1, tzinfo=UTC)


def key(hour: int, source: str = "a", dated: bool = True) -> PageOrder:
    return dated, DAY.replace(hour=hour), source, 0


async def _enter_in_turn(gate: OrderedGate, keys: list[PageOrder], log: list[PageOrder]) -> None:
    async def one(k: PageOrder) -> None:
        async with gate.slot(k):
            log.append(k)
            await asyncio.sleep(0.001)

    await asyncio.gather(*(one(k) for k in keys))


def test_waiters_enter_earliest_first_whatever_their_arrival() -> None:
    log: list[PageOrder] = []
    keys = [key(h) for h in (9, 3, 7, 1, 5)] + [key(2, dated=False)]
    asyncio.run(_enter_in_turn(OrderedGate(1), keys, log))
    assert log[0] == key(9)  # the gate was free: the first to come enters at once
    assert log[1:] == sorted(keys[1:])  # then the undated one (read first), then by time


def test_no_more_than_capacity_hold_a_slot() -> None:
    held = most = 0

    async def one(gate: OrderedGate, k: PageOrder) -> None:
        nonlocal held, most
        async with gate.slot(k):
            held += 1
            most = max(most, held)
            await asyncio.sleep(0.002)
            held -= 1

    async def main() -> None:
        gate = OrderedGate(3)
        await asyncio.gather(*(one(gate, key(h % 24, str(h))) for h in range(20)))

    asyncio.run(main())
    assert most == 3


def test_a_cancelled_waiter_does_not_keep_a_slot() -> None:
    async def main() -> list[str]:
        gate = OrderedGate(1)
        entered: list[str] = []

        async def one(name: str, k: PageOrder) -> None:
            async with gate.slot(k):
                entered.append(name)
                await asyncio.sleep(0.01)

        first = asyncio.create_task(one("first", key(5)))
        await asyncio.sleep(0)
        early = asyncio.create_task(one("cancelled", key(1)))
        late = asyncio.create_task(one("late", key(9)))
        await asyncio.sleep(0)
        early.cancel()
        await asyncio.gather(first, late, return_exceptions=True)
        async with gate.slot(key(0)):  # every slot came back
            entered.append("after")
        return entered

    assert asyncio.run(main()) == ["first", "late", "after"]


def test_a_waiter_cancelled_as_it_is_let_in_passes_the_slot_on() -> None:
    async def main() -> list[str]:
        gate = OrderedGate(1)
        entered: list[str] = []

        async def one(name: str, k: PageOrder) -> None:
            async with gate.slot(k):
                entered.append(name)

        held = gate.slot(key(0))
        await held.__aenter__()
        handed = asyncio.create_task(one("handed", key(1)))
        other = asyncio.create_task(one("other", key(2)))
        await asyncio.sleep(0)  # both wait
        await held.__aexit__(None, None, None)  # the slot goes to ``handed``...
        handed.cancel()  # ...which is cancelled before it runs
        await asyncio.gather(handed, other, return_exceptions=True)
        return entered

    assert asyncio.run(main()) == ["other"]
