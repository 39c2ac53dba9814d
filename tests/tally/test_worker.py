"""Real worker processes on the real tally queue: exact counts with duplicates, competing workers, SIGKILL."""

from __future__ import annotations

import asyncio
import random
import signal
import uuid

from services.tally.adapters.store import TallyStore
from tests.tally import history as h
from tests.tally.conftest import publish, start_worker, stop, wait_exact


def campaign_events(initiatives: int, votes_each: int, seed: int = 7) -> list:
    rng = random.Random(seed)
    events: list = [h.campaign()]
    for n in range(initiatives):
        iid = uuid.UUID(int=seed * 10**9 + n)
        path, field = rng.choice(h.PATHS), rng.choice(h.FIELDS)
        events.append(h.initiative_state("submitted", initiative_id=iid, version=1, path=path, field=field,
                                         benefit=rng.randrange(0, 10**8), day=rng.randrange(5)))
        if n % 7 == 0:
            events.append(h.initiative_state("withdrawn", initiative_id=iid, version=2, path=path, field=field))
        events += [h.vote(iid, f"m{k}", day=rng.randrange(6)) for k in range(votes_each)]
    rng.shuffle(events)
    # The campaign is configured before any of its events (as submission does); an event that still overtakes
    # its configuration is requeued by the worker, and dead-lettered after the delivery limit.
    events.sort(key=lambda e: e.type != "campaign.configured")
    return events


async def seen_markers(store: TallyStore) -> int:
    """Events applied in the live generation (the change counter skips stale ones)."""
    return len([k async for k in store.redis.scan_iter(match=store.keys.seen_pattern("0"), count=5000)])


async def test_two_worker_processes_count_every_event_published_twice_once(settings, rabbit, store: TallyStore):
    events = campaign_events(initiatives=150, votes_each=8)
    workers = [start_worker(settings), start_worker(settings)]
    try:
        await publish(rabbit, settings, events)
        await publish(rabbit, settings, list(reversed(events)))
        assert await wait_exact(store, events) == []
    finally:
        for worker in workers:
            stop(worker)


async def test_worker_killed_mid_batch_and_restarted_loses_nothing_and_counts_nothing_twice(
    settings, rabbit, store: TallyStore, redis_client,
):
    events = campaign_events(initiatives=400, votes_each=25, seed=11)
    await publish(rabbit, settings, events)
    worker = start_worker(settings)
    try:
        version_key = store.keys.campaign("0", "c2021").version
        for _ in range(400):
            applied = int(await redis_client.get(version_key) or 0)
            if applied > 500:
                break
            await asyncio.sleep(0.05)
        assert 0 < applied < len(events), "the kill must land while the queue is being drained"
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        worker = start_worker(settings)
        assert await wait_exact(store, events) == []
    finally:
        stop(worker)


async def test_sigterm_finishes_and_acks_the_in_flight_batch(settings, rabbit, store: TallyStore, redis_client):
    events = campaign_events(initiatives=300, votes_each=20, seed=3)
    await publish(rabbit, settings, events)
    worker = start_worker(settings)
    version_key = store.keys.campaign("0", "c2021").version
    for _ in range(400):
        if int(await redis_client.get(version_key) or 0) > 300:
            break
        await asyncio.sleep(0.05)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(30) == 0
    applied = await seen_markers(store)
    channel = await rabbit.channel()
    queue = await channel.declare_queue(f"{settings.namespace}.tally", passive=True)
    remaining = queue.declaration_result.message_count
    assert 0 < applied < len(events)
    assert applied == len(events) - remaining, "every applied event was acked and nothing acked was skipped"
    worker = start_worker(settings)
    try:
        assert await wait_exact(store, events) == []
    finally:
        stop(worker)
