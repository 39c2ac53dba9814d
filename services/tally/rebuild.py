"""Rebuild and reconcile: Redis is a derived view, recomputed from the event feeds.

Rebuild fills generation n+1 from the feeds while live workers keep applying every new event to both
the live generation and n+1 (the apply script reads the ``building`` pointer atomically); each generation
has its own seen markers, so an event that arrives by both paths counts once. Then the live pointer
flips to n+1 in one transaction and generation n is deleted. Reads answer "rebuilding" meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from services.tally.adapters.feeds import read_feed
from services.tally.adapters.store import TallyStore, diff_snapshots
from services.tally.domain.args import script_call
from services.tally.domain.fold import fold
from shared.settings import Settings


@dataclass(frozen=True)
class RebuildReport:
    generation: str
    events: int
    applied: int
    seconds: float


async def rebuild(
    store: TallyStore, settings: Settings, feeds: list[str], *,
    on_page: Callable[[int], None] | None = None, client: httpx.AsyncClient | None = None,
) -> RebuildReport:
    """Recompute the counters from the feeds into a new generation, then make it live."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    live, building = await store.generations()
    new_gen = str(max(int(live or 0), int(building or 0)) + 1)
    if building is not None:
        await store.delete_generation(building)  # a rebuild that died half-way
    await store.delete_generation(new_gen)
    await store.redis.set(store.keys.building, new_gen)  # from now on workers also write new_gen
    events = applied = 0
    owned = client is None
    client = client or httpx.AsyncClient(timeout=60)
    try:
        pending: asyncio.Task[list[int | Exception]] | None = None
        for url in feeds:
            async for page in read_feed(client, url, settings):
                calls = [script_call(event) for event in page]
                if pending is not None:
                    applied += _count(await pending)
                pending = asyncio.create_task(store.apply_batch(calls, generation=new_gen))
                events += len(calls)
                if on_page:
                    on_page(len(calls))
        if pending is not None:
            applied += _count(await pending)
    finally:
        if owned:
            await client.aclose()
    pipe = store.redis.pipeline(transaction=True)
    pipe.set(store.keys.generation, new_gen)
    pipe.delete(store.keys.building)
    await pipe.execute()
    await store.delete_generation(live or "0")  # workers write generation 0 while the pointer is lost
    return RebuildReport(new_gen, events, applied, loop.time() - started)


def _count(results: list[int | Exception]) -> int:
    errors = [r for r in results if isinstance(r, Exception)]
    if errors:
        raise RuntimeError(f"rebuild stopped: the apply script failed ({errors[0]})")
    return sum(r for r in results if isinstance(r, int))


async def reconcile(
    store: TallyStore, settings: Settings, feeds: list[str], *, client: httpx.AsyncClient | None = None,
) -> list[tuple[str, str, str | None, str | None]]:
    """Every difference between the live counters and the fold of the feeds (empty when exact)."""
    events: list[dict[str, Any]] = []
    owned = client is None
    client = client or httpx.AsyncClient(timeout=60)
    try:
        for url in feeds:
            async for page in read_feed(client, url, settings):
                events.extend(page)
    finally:
        if owned:
            await client.aclose()
    live, building = await store.generations()
    if building is not None:
        raise RuntimeError("a rebuild is running; reconcile after it finishes")
    return diff_snapshots(fold(events), await store.snapshot(live or "0"))
