"""Awards intake: how fast review cases open from a queue of submissions, batched and one event per transaction."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import aio_pika
from sqlalchemy import func, select

from bench.report import Row
from bench.system import create_databases, drop_databases
from services.awards.adapters.tables import review_cases
from services.awards.bootstrap import AwardsService
from services.simulator.corpus import UnitPicker
from shared.events import AuthorCategory, CampaignConfigured, EventBase, InitiativeSubmitted, dump_event
from shared.group_commit import GroupCommit
from shared.settings import Settings
from shared.topology import topology_for
from shared.union_tree import get_tree

if TYPE_CHECKING:
    from bench.rows import Context


def _events(campaign_id: str, count: int) -> list[EventBase]:
    """The campaign and ``count`` submitted initiatives over the real tree with the 2021 skew."""
    now = datetime.now(UTC)
    tree, rng = get_tree(), random.Random(13)
    picker = UnitPicker(tree)
    events: list[EventBase] = [CampaignConfigured.make(
        campaign_id=campaign_id, version=1, name="75 nghìn sáng kiến vượt khó, phát triển", target=75_000,
        submission_opens_at=now - timedelta(days=1), submission_closes_at=now + timedelta(days=30),
        voting_opens_at=now - timedelta(days=1), voting_closes_at=now + timedelta(days=30),
        national_selection_opens_at=None, fields=("ATVSLĐ", "Sản xuất kinh doanh"),
    )]
    for seq in range(count):
        benefit = int(rng.lognormvariate(17.2, 1.3)) // 100_000 * 100_000
        events.append(InitiativeSubmitted.make(
            campaign_id=campaign_id, initiative_id=uuid.uuid4(), version=2, status="submitted",
            unit_path=tree.path(picker.pick(rng)), field="Sản xuất kinh doanh",
            title=f"Cải tiến quy trình kiểm tra an toàn điện tại phân xưởng (số {seq})",
            effectiveness_summary="Làm lợi khoảng 41.300.000 đồng mỗi năm", benefit_vnd=benefit, submitted_at=now,
            author_categories=(AuthorCategory.WORKER,), record_complete=True,
        ))
    return events


async def _intake_rate(settings: Settings, count: int, *, batched: bool) -> float:
    """Events/s from a pre-filled queue until every case is open, in one consumer process."""
    prefix = f"bench_{settings.namespace}"
    _, awards_url = await create_databases(prefix)
    settings = settings.model_copy(update={"awards_db_url": awards_url, "run_relay": False})
    topology = topology_for(settings)
    service = AwardsService(settings)
    connection = await aio_pika.connect(settings.amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        await topology.declare_queue(channel, topology.awards)
        exchange, _ = await topology.declare_exchanges(channel)
        events = _events(f"bench-intake-{settings.namespace}", count)
        for start in range(0, len(events), 500):
            await asyncio.gather(*(
                exchange.publish(aio_pika.Message(dump_event(e), message_id=str(e.event_id),
                                                  delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=e.type)
                for e in events[start:start + 500]
            ))
        await service.migrate()
        started = time.perf_counter()
        await service.start()
        if not batched and service.consumer is not None:  # the earlier intake: each event its own transaction
            consumer = service.consumer
            consumer.intake = GroupCommit(consumer.apply_batch, max_batch=1, in_flight=settings.prefetch)
        while True:
            async with service.engine.connect() as conn:
                opened = await conn.scalar(select(func.count()).select_from(review_cases))
            if opened == count:
                break
            await asyncio.sleep(0.05)
        return len(events) / (time.perf_counter() - started)
    finally:
        await service.stop()
        channel = await connection.channel()
        for spec in topology.queues:
            await channel.queue_delete(spec.name)
            await channel.queue_delete(spec.dead_letter_name)
        await connection.close()
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
