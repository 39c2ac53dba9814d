"""Redis emptied under load, rebuilt from a real event feed: exact counts, and reconcile finds nothing."""

from __future__ import annotations

import asyncio
import uuid

from fastapi import FastAPI
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import create_async_engine

from services.tally.adapters.store import TallyStore
from services.tally.rebuild import rebuild, reconcile
from shared.http import event_feed_router
from shared.outbox import add_events, outbox_table
from tests.support.servers import free_port
from tests.tally import history as h
from tests.tally.conftest import publish, serve, start_worker, stop, wait_exact
from tests.tally.test_worker import campaign_events


async def test_rebuild_under_load_restores_exact_counts_and_reconcile_agrees(
    settings, rabbit, store: TallyStore, redis_client, tmp_path,
):
    metadata = MetaData()
    table = outbox_table(metadata)
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'feed.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    feed = FastAPI()
    feed.include_router(event_feed_router(lambda: engine, table))
    port = free_port()
    server, task = await serve(feed, port)
    feeds = [f"http://127.0.0.1:{port}"]

    async def commit_and_publish(events) -> None:
        async with engine.begin() as conn:  # outbox first, then the relay publishes, as in production
            await add_events(conn, table, events)
        await publish(rabbit, settings, events)

    first = campaign_events(initiatives=300, votes_each=10, seed=21)
    later = [e for e in campaign_events(initiatives=200, votes_each=10, seed=22) if e.type != "campaign.configured"]
    worker = start_worker(settings)
    try:
        await commit_and_publish(first)
        assert await wait_exact(store, first) == []

        async def keep_writing() -> None:
            for start in range(0, len(later), 200):
                await commit_and_publish(later[start:start + 200])
                await asyncio.sleep(0.02)

        writer = asyncio.create_task(keep_writing())
        await asyncio.sleep(0.1)
        keys = [k async for k in redis_client.scan_iter(match=f"{settings.namespace}:t:*", count=5000)]
        await redis_client.delete(*keys)  # Redis loses everything while events keep flowing
        report = await rebuild(store, settings, feeds)
        await writer
        assert report.events >= len(first)
        assert await wait_exact(store, first + later) == []
        assert await reconcile(store, settings, feeds) == []
        iid = uuid.uuid4()
        drift = h.initiative_state("submitted", initiative_id=iid, version=1, path=h.PATHS[0], field="ATVSLĐ")
        await publish(rabbit, settings, [drift])  # published but missing from the feed: reconcile must see it
        await wait_exact(store, [*first, *later, drift])
        differences = await reconcile(store, settings, feeds)
        assert ("c:c2021:u:*", "submitted") in {(key, name) for key, name, _, _ in differences}
    finally:
        stop(worker)
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        await engine.dispose()
