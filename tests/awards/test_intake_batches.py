"""Awards intake by group commit: a batch ends exactly where the same events one by one end, and the consumer
applies what RabbitMQ delivers in batches, acking each message after its batch commits."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime
from typing import Any

import aio_pika
from prometheus_client import REGISTRY
from sqlalchemy import delete, func, select

from services.awards.adapters.tables import metadata, review_cases
from services.awards.bootstrap import AwardsService
from services.awards.domain.case import CaseStatus, case_id_for
from services.awards.handlers.intake import handle_event, handle_events
from shared.events import (
    EventBase,
    InitiativeDrafted,
    InitiativeSubmitted,
    InitiativeUpdated,
    InitiativeWithdrawn,
    dump_event,
)
from shared.settings import Settings
from shared.topology import topology_for
from shared.union_tree import get_tree

from .builders import campaign_event, chain, initiative_event

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
IGNORED_COLUMNS = {"id"}  # audit rows are numbered in insertion order


def histories(rng: random.Random, count: int) -> list[EventBase]:
    """Initiatives with a random prefix of drafted → submitted → updated → withdrawn → submitted again, spread
    over real grassroots unions; the events of all of them shuffled together, some twice."""
    tree = get_tree()
    units = [g for g in tree.grassroots_ids() if tree.path(g)[1] in ("P24", "P01", "T05")]
    events: list[EventBase] = [campaign_event()]
    for _ in range(count):
        iid, path = uuid.uuid4(), tree.path(rng.choice(units))
        steps: list[EventBase] = [
            initiative_event(InitiativeDrafted, initiative_id=iid, version=1, path=path, submitted_at=None),
            initiative_event(InitiativeSubmitted, initiative_id=iid, version=2, path=path),
            initiative_event(InitiativeUpdated, initiative_id=iid, version=3, path=path,
                             title="Hợp lý hóa khâu kiểm đếm vật tư tại kho"),
            initiative_event(InitiativeWithdrawn, initiative_id=iid, version=4, path=path, reason="Tác giả rút"),
            initiative_event(InitiativeSubmitted, initiative_id=iid, version=5, path=path),
        ]
        start = rng.choice((0, 0, 1))  # most histories begin with a draft, some were submitted at once
        events.extend(steps[start:rng.randint(start + 1, len(steps))])
    events.extend(rng.sample(events, len(events) // 5))  # redeliveries
    rng.shuffle(events)
    return events


async def _state(service: AwardsService) -> dict[str, list[tuple[Any, ...]]]:
    state: dict[str, list[tuple[Any, ...]]] = {}
    async with service.engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in ("idempotency_keys", "outbox"):
                continue
            columns = [c for c in table.c if c.name not in IGNORED_COLUMNS]
            rows = (await conn.execute(select(*columns))).all()
            state[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return state


async def _wipe(service: AwardsService) -> None:
    async with service.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            await conn.execute(delete(table))


async def test_batches_of_any_size_end_where_the_events_one_by_one_end(settings: Settings, db_backend: str) -> None:
    service = AwardsService(settings.model_copy(update={"awards_db_url": db_backend, "run_relay": False}))
    await service.migrate()
    try:
        for seed in range(4):
            rng = random.Random(seed)
            events = histories(rng, 40)
            one_by_one = []
            for event in events:
                async with service.sessions.begin() as session:
                    one_by_one.append(await handle_event(session, event, now=NOW))
            expected = await _state(service)
            assert expected["review_cases"], "the histories open cases"
            await _wipe(service)

            batched: list[bool] = []
            position = 0
            while position < len(events):
                size = rng.choice((1, 2, 3, 7, 50, 400))
                async with service.sessions.begin() as session:
                    batched.extend(await handle_events(session, events[position:position + size], now=NOW))
                position += size
            assert batched == one_by_one
            assert await _state(service) == expected
            await _wipe(service)
    finally:
        await service.engine.dispose()


def _batch_count() -> float:
    return REGISTRY.get_sample_value("sangkien_awards_intake_batch_size_count") or 0.0


def _batch_sum() -> float:
    return REGISTRY.get_sample_value("sangkien_awards_intake_batch_size_sum") or 0.0


async def test_the_consumer_applies_a_queue_in_batches_and_acks_every_message(
    settings: Settings, pg_url: str, rabbit: aio_pika.abc.AbstractRobustConnection,
) -> None:
    """600 submissions, 100 of them delivered twice, 50 withdrawn: 600 cases, 50 withdrawn, the queue empty."""
    settings = settings.model_copy(update={"awards_db_url": pg_url, "run_relay": False})
    topology = topology_for(settings)
    service = AwardsService(settings)
    channel = await rabbit.channel()
    await topology.declare_queue(channel, topology.awards)  # before publishing: the events wait in the queue
    exchange, _ = await topology.declare_exchanges(channel)
    path = chain()
    submitted = [initiative_event(InitiativeSubmitted, path=path) for _ in range(600)]
    withdrawn = [
        initiative_event(InitiativeWithdrawn, initiative_id=e.initiative_id, version=3, path=path, reason="Tác giả rút")
        for e in submitted[:50]
    ]
    events: list[EventBase] = [campaign_event(), *submitted, *submitted[:100], *withdrawn]
    for event in events:
        await exchange.publish(aio_pika.Message(dump_event(event), message_id=str(event.event_id),
                                                delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                               routing_key=event.type)
    batches_before, items_before = _batch_count(), _batch_sum()
    await service.start()
    try:
        deadline = asyncio.get_running_loop().time() + 120
        while True:
            queue = await channel.declare_queue(topology.awards.name, passive=True)
            async with service.engine.connect() as conn:
                cases: dict[str, int] = dict((await conn.execute(
                    select(review_cases.c.status, func.count()).group_by(review_cases.c.status))).all())
            done = cases == {CaseStatus.PENDING.value: 550, CaseStatus.WITHDRAWN.value: 50}
            if done and queue.declaration_result.message_count == 0:
                break
            assert asyncio.get_running_loop().time() < deadline, (cases, queue.declaration_result.message_count)
            await asyncio.sleep(0.2)
        async with service.engine.connect() as conn:
            ids = set((await conn.scalars(select(review_cases.c.case_id))).all())
        assert ids == {case_id_for(e.initiative_id) for e in submitted}
        batches, items = _batch_count() - batches_before, _batch_sum() - items_before
        assert items == len(events)
        assert batches < len(events) / 4, f"{batches:.0f} transactions for {len(events)} events: not batched"
    finally:
        await service.stop()
        dead = await channel.declare_queue(topology.awards.dead_letter_name, passive=True)
        assert dead.declaration_result.message_count == 0
