"""Awards intake: how fast review cases open from a queue of submissions, batched and one event per transaction."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import aio_pika
from sqlalchemy import func, select

from bench.report import Row
from bench.system import create_databases, drop_databases
from bench.tally_rows import campaign_events, configured, prefill
from services.awards.adapters import consumer as consumer_module
from services.awards.adapters.tables import review_cases
from services.awards.bootstrap import AwardsService
from shared.settings import Settings
from shared.topology import topology_for
from shared.union_tree import get_tree

if TYPE_CHECKING:
    from bench.rows import Context


async def _intake_rate(settings: Settings, count: int, *, batched: bool) -> float:
    """Events/s from a pre-filled queue until every case is open, in one consumer process."""
    prefix = f"bench_{settings.namespace}"
    _, awards_url = await create_databases(prefix)
    settings = settings.model_copy(update={"awards_db_url": awards_url, "run_relay": False})
    topology = topology_for(settings)
    service = AwardsService(settings)
    batching = consumer_module.MAX_BATCH, consumer_module.BATCHES_IN_FLIGHT
    try:
        campaign_id = f"bench-intake-{settings.namespace}"
        events = [configured(campaign_id), *campaign_events(get_tree(), campaign_id, count, 0)]
        await prefill(settings, events)  # the awards queue (and tally's) now hold them, as the relay sends them
        await service.migrate()
        if not batched:  # the earlier intake: each delivered message its own transaction, all of them at once
            consumer_module.MAX_BATCH, consumer_module.BATCHES_IN_FLIGHT = 1, settings.prefetch
        started = time.perf_counter()
        await service.start()
        while True:
            async with service.engine.connect() as conn:
                opened = await conn.scalar(select(func.count()).select_from(review_cases))
            if opened == count:
                break
            await asyncio.sleep(0.05)
        return len(events) / (time.perf_counter() - started)
    finally:
        consumer_module.MAX_BATCH, consumer_module.BATCHES_IN_FLIGHT = batching
        await service.stop()
        connection = await aio_pika.connect(settings.amqp_url)
        async with connection:
            channel = await connection.channel()
            for spec in topology.queues:
                await channel.queue_delete(spec.name)
                await channel.queue_delete(spec.dead_letter_name)
        await drop_databases(prefix)


async def awards_intake(ctx: Context) -> list[Row]:
    """Awards intake: review cases opened from a queue of submissions (events/s), batched vs one per transaction."""
    raw_pg = await ctx.baseline("raw_pg")
    count = ctx.n(20_000, least=1_000)
    ns = ctx.settings.namespace
    single = await _intake_rate(ctx.settings.model_copy(update={"namespace": f"{ns}ai1"}), count, batched=False)
    batched = await _intake_rate(ctx.settings.model_copy(update={"namespace": f"{ns}ai2"}), count, batched=True)
    return [
        Row(f"awards intake, one event per transaction (the earlier path), {count:,} submissions: events/s", single,
            "events/s", "raw PostgreSQL 2-row tx/s", raw_pg),
        Row(f"awards intake by group commit, {count:,} submissions: events/s (one process)", batched, "events/s",
            "raw PostgreSQL 2-row tx/s", raw_pg, "keeps up with submissions (≥ 1,000/s)", batched >= 1_000,
            notes=f"{batched / single:.1f}× the one-per-transaction path measured just before; each event stores "
                  "its id, the initiative's snapshot, the case and its audit row",
            extra={"one_per_transaction": single}),
    ]
