"""The shared transactional outbox against real RabbitMQ, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import aio_pika
import pytest
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.db import make_engine
from shared.events import VoteCast, parse_event
from shared.outbox import OutboxRelay, add_events, feed_page, outbox_table
from shared.settings import Settings
from shared.topology import topology_for

PATH = ("VGCL", "P24", "P24-01", "P24-01-001")


def votes(n: int, campaign: str = "c-test") -> list[VoteCast]:
    initiative = uuid.uuid4()
    return [
        VoteCast.make(campaign_id=campaign, initiative_id=initiative, member_id=f"thanh-vien-{i}", unit_path=PATH)
        for i in range(n)
    ]


@pytest.fixture
async def outbox(db_backend: str) -> AsyncIterator[tuple[AsyncEngine, object]]:
    metadata = MetaData()
    table = outbox_table(metadata)
    engine = make_engine(db_backend)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        yield engine, table
    finally:
        await engine.dispose()


async def drain_queue(channel: aio_pika.abc.AbstractChannel, name: str, expect: int, wait_s: float = 10.0):
    queue = await channel.get_queue(name)
    got: list[aio_pika.abc.AbstractIncomingMessage] = []
    deadline = asyncio.get_running_loop().time() + wait_s
    while asyncio.get_running_loop().time() < deadline:
        message = await queue.get(fail=False, no_ack=True)
        if message is None:
            if len(got) >= expect:
                await asyncio.sleep(0.2)  # anything more would be a duplicate
                if (extra := await queue.get(fail=False, no_ack=True)) is None:
                    break
                got.append(extra)
                continue
            await asyncio.sleep(0.02)
            continue
        got.append(message)
    return got


async def test_committed_events_are_published_once_with_confirms_and_event_id(outbox, settings: Settings, rabbit):
    engine, table = outbox
    events = votes(25)
    async with engine.begin() as conn:
        await add_events(conn, table, events)
    relay = OutboxRelay(engine=engine, table=table, settings=settings, service="test")
    try:
        assert await relay.drain() == 25
        assert await relay.backlog() == 0
    finally:
        await relay.close()
    channel = await rabbit.channel()
    got = await drain_queue(channel, topology_for(settings).tally.name, 25)
    assert sorted(m.message_id for m in got) == sorted(str(e.event_id) for e in events)
    assert all(m.delivery_mode == aio_pika.DeliveryMode.PERSISTENT for m in got)
    assert {m.routing_key for m in got} == {"vote.cast"}
    assert {parse_event(m.body) for m in got} == set(events)


async def test_rolled_back_transaction_publishes_nothing(outbox, settings: Settings, rabbit):
    engine, table = outbox
    with pytest.raises(RuntimeError):
        async with engine.begin() as conn:
            await add_events(conn, table, votes(3))
            raise RuntimeError("business rule failed after the event was staged")
    relay = OutboxRelay(engine=engine, table=table, settings=settings, service="test")
    try:
        assert await relay.drain() == 0
    finally:
        await relay.close()


class CrashingRelay(OutboxRelay):
    """A relay that dies after RabbitMQ confirmed the batch and before the rows are marked."""

    async def mark_published(self, conn: AsyncConnection, positions: list[int]) -> None:
        raise ConnectionError("relay process died before marking")


async def test_relay_crash_between_publish_and_mark_republishes_the_same_event_ids(outbox, settings: Settings, rabbit):
    engine, table = outbox
    events = votes(10)
    async with engine.begin() as conn:
        await add_events(conn, table, events)
    crashing = CrashingRelay(engine=engine, table=table, settings=settings, service="test")
    try:
        with pytest.raises(ConnectionError):
            await crashing.publish_batch()
    finally:
        await crashing.close()
    relay = OutboxRelay(engine=engine, table=table, settings=settings, service="test")
    try:
        assert await relay.backlog() == 10, "rows must stay unpublished after the crash"
        assert await relay.drain() == 10
        assert await relay.backlog() == 0
    finally:
        await relay.close()
    channel = await rabbit.channel()
    got = await drain_queue(channel, topology_for(settings).tally.name, 20)
    ids = [m.message_id for m in got]
    assert len(ids) == 20
    assert sorted(set(ids)) == sorted(str(e.event_id) for e in events)
    assert all(ids.count(i) == 2 for i in set(ids)), "each event re-published once, with the same id"


@pytest.mark.parametrize("db_backend", ["postgresql"], indirect=True)
async def test_concurrent_relays_on_postgres_publish_each_row_once(outbox, settings: Settings, rabbit):
    engine, table = outbox
    events = votes(1500)
    async with engine.begin() as conn:
        await add_events(conn, table, events)
    small = settings.model_copy(update={"relay_batch_size": 50})
    relays = [OutboxRelay(engine=engine, table=table, settings=small, service=f"r{i}") for i in range(3)]
    try:
        counts = await asyncio.gather(*(r.drain() for r in relays))
    finally:
        await asyncio.gather(*(r.close() for r in relays))
    assert sum(counts) == 1500
    assert sum(1 for c in counts if c > 0) >= 2, "the relays shared the work"
    channel = await rabbit.channel()
    got = await drain_queue(channel, topology_for(settings).tally.name, 1500, wait_s=30)
    ids = [m.message_id for m in got]
    assert len(ids) == 1500 and len(set(ids)) == 1500


async def test_feed_pages_through_the_log_in_order(outbox):
    engine, table = outbox
    first, second = votes(7, "c-a"), votes(5, "c-b")
    async with engine.begin() as conn:
        await add_events(conn, table, first)
    async with engine.begin() as conn:
        await add_events(conn, table, second)
    seen: list[bytes] = []
    after = 0
    while True:
        page = await feed_page(engine, table, after=after, limit=4)
        seen.extend(page.payloads)
        if not page.has_more:
            break
        assert page.next_after is not None
        after = page.next_after
    assert [parse_event(p) for p in seen] == first + second
    only_b = await feed_page(engine, table, campaign_id="c-b", limit=100)
    assert [parse_event(p) for p in only_b.payloads] == second
    assert b'"has_more":false' in only_b.to_json(0)


async def test_backlog_gauge_shows_unpublished_events_while_the_broker_is_unreachable(outbox, settings: Settings):
    from prometheus_client import REGISTRY

    engine, table = outbox
    async with engine.begin() as conn:
        await add_events(conn, table, votes(7))
    unreachable = settings.model_copy(update={"amqp_url": "amqp://guest:guest@127.0.0.1:1/"})
    service = f"gauge-{uuid.uuid4().hex[:6]}"
    relay = OutboxRelay(engine=engine, table=table, settings=unreachable, service=service)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        for _ in range(100):
            if REGISTRY.get_sample_value("sangkien_outbox_backlog", {"service": service}) == 7:
                break
            await asyncio.sleep(0.05)
        assert REGISTRY.get_sample_value("sangkien_outbox_backlog", {"service": service}) == 7
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def test_a_refused_declaration_leaves_no_connection_behind(outbox, settings: Settings, rabbit):
    """A connect attempt that fails after the connection opened closes it: during an outage or a topology
    conflict every retry would otherwise leave a robust connection reconnecting in the background."""
    engine, table = outbox
    channel = await rabbit.channel()
    events = topology_for(settings).exchange_name
    await channel.exchange_delete(events)  # declared by the rabbit fixture; replaced by one of the wrong type
    await channel.declare_exchange(events, aio_pika.ExchangeType.FANOUT, durable=True)
    relay = OutboxRelay(engine=engine, table=table, settings=settings, service="refused")
    for _ in range(2):
        with pytest.raises(aio_pika.exceptions.ChannelPreconditionFailed):
            await relay.connect()
        assert relay._connection is None
    await (await rabbit.channel()).exchange_delete(events)
