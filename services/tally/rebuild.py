"""Rebuild and reconcile: Redis is a derived view, recomputed from the event feeds.

Rebuild fills generation n+1 and then makes it live; reads answer "rebuilding" meanwhile. It runs in
three steps, so that it is fast (a fold in Python and a bulk write, not one script call per event)
and every event counts exactly once, including those that arrive while it runs:

1. Bulk: read the feeds to their current end, fold them in Python and write the result, with a seen
   marker per event, into n+1. No worker writes n+1 yet.
2. Set the ``building`` pointer: from now on workers apply every new event to n+1 as well (the apply
   script reads the pointer atomically; each generation has its own seen markers).
3. Tail: apply, with the script, every feed event after the bulk read, starting at the first position
   the bulk read skipped among recent events (a transaction still in flight then may have committed since),
   so nothing is missed; what the bulk or a worker already applied is a seen no-op.

Then the live pointer flips to n+1 in one transaction and generation n is deleted.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from services.tally.adapters.feeds import read_feed, read_pages
from services.tally.adapters.store import TallyStore, diff_snapshots
from services.tally.domain.args import countable, script_call
from services.tally.domain.bulk import bulk_state
from services.tally.domain.fold import Campaign, fold, fold_into
from shared.settings import Settings
from shared.union_tree import get_tree

# A position the bulk read skipped may belong to a transaction still in flight, which commits later: the tail
# re-reads from there. A gap whose next event was created more than RECENT_SECONDS before the read began is a
# rolled-back transaction (transactions here last milliseconds) and stays a gap.
RECENT_SECONDS = 120.0


@dataclass(frozen=True)
class RebuildReport:
    generation: str
    events: int
    applied: int
    seconds: float


@dataclass
class GapWatch:
    """Follows the positions of one feed's bulk read; remembers the first gap that may still fill."""

    cutoff: datetime
    expected: int = 1
    first_recent: int | None = None

    def see(self, positions: list[int], events: list[dict[str, Any]]) -> None:
        for position, event in zip(positions, events, strict=True):
            if position > self.expected and self.first_recent is None and _created(event) >= self.cutoff:
                self.first_recent = self.expected
            self.expected = position + 1

    def tail_after(self, end: int) -> int:
        """The position the tail reads after: just before the first recent gap, else the bulk read's end."""
        return self.first_recent - 1 if self.first_recent is not None else end


def _created(event: dict[str, Any]) -> datetime:
    try:
        moment = datetime.fromisoformat(str(event.get("occurred_at")))
    except ValueError:
        return datetime.max.replace(tzinfo=UTC)  # unknown: treat the gap as one that may still fill
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def tail_start(positions: list[int], events: list[dict[str, Any]], end: int, cutoff: datetime) -> int:
    """Where the tail reads after, for one feed read in one piece."""
    watch = GapWatch(cutoff)
    watch.see(positions, events)
    return watch.tail_after(end)


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
        await store.redis.delete(store.keys.building)  # a rebuild that died half-way: start over
        await store.delete_generation(building)
    await store.delete_generation(new_gen)
    owned = client is None
    client = client or httpx.AsyncClient(timeout=60)
    campaigns: dict[str, Campaign] = defaultdict(Campaign)
    seen: set[str] = set()
    events = applied = 0
    tree = get_tree()
    try:
        tails: list[tuple[str, int]] = []
        cutoff = datetime.now(UTC) - timedelta(seconds=RECENT_SECONDS)
        for url in feeds:  # 1. bulk
            end, watch = 0, GapWatch(cutoff)
            async for page in read_pages(client, url, settings):
                fold_into(campaigns, seen, page.events, tree)
                if page.positions:
                    watch.see(page.positions, page.events)
                end = page.next_after
                events += len(page.events)
                if on_page:
                    on_page(len(page.events))
            tails.append((url, watch.tail_after(end)))
        # seen markers only for what the live path counts (a campaign never configured is dead-lettered there)
        event_ids = [uuid.UUID(e).bytes for c in campaigns.values() if c.configured for e in c.event_ids]
        await store.write_bulk(bulk_state(campaigns), event_ids, generation=new_gen)
        applied = len(event_ids)
        await store.redis.set(store.keys.building, new_gen)  # 2. workers also write new_gen from now on
        for url, after in tails:  # 3. tail
            async for page in read_pages(client, url, settings, after=after):
                calls = [script_call(e) for e in page.events if countable(e, tree)]  # as the worker dead-letters
                applied += _count(await store.apply_batch(calls, generation=new_gen))
                events += len(page.events)
                if on_page:
                    on_page(len(page.events))
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
    return sum(1 for r in results if r == 1)  # UNCONFIGURED: a campaign never configured counts nowhere


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
