"""Raw baselines measured in every run: plain aio-pika, plain Redis scripts, plain PostgreSQL inserts."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import aio_pika
import asyncpg
import redis.asyncio as aioredis

from shared.settings import Settings

PAYLOAD_BYTES = 400


def sample_payload(i: int) -> bytes:
    """A ~400-byte JSON body, the size of a vote event."""
    body = {
        "event_id": str(uuid.uuid4()), "type": "vote.cast", "schema_version": 1,
        "occurred_at": "2021-03-15T02:30:00.000000Z", "campaign_id": "75k-2021",
        "vote_id": str(uuid.uuid4()), "initiative_id": str(uuid.uuid4()),
        "unit_path": ["VGCL", "P24", "P24-03", "P24-03-012"], "n": i,
    }
    raw = json.dumps(body).encode()
    return raw + b" " * max(0, PAYLOAD_BYTES - len(raw))


async def rabbit_publish_confirmed(
    settings: Settings, queue_name: str, count: int, in_flight: int = 256,
) -> float:
    """Messages/s published persistent with publisher confirms, ``in_flight`` unconfirmed at a time."""
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await channel.declare_queue(queue_name, durable=True, arguments={"x-queue-type": "quorum"})
        sem = asyncio.Semaphore(in_flight)
        bodies = [sample_payload(i) for i in range(count)]

        async def one(body: bytes) -> None:
            async with sem:
                await channel.default_exchange.publish(
                    aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=queue_name,
                )

        started = time.perf_counter()
        await asyncio.gather(*(one(b) for b in bodies))
        return count / (time.perf_counter() - started)


async def rabbit_consume_ack(settings: Settings, queue_name: str, count: int, prefetch: int = 256) -> float:
    """Messages/s consumed and acked one by one from a pre-filled quorum queue."""
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=prefetch)
        queue = await channel.declare_queue(queue_name, durable=True, arguments={"x-queue-type": "quorum"})
        done = asyncio.Event()
        seen = 0

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal seen
            await message.ack()
            seen += 1
            if seen >= count:
                done.set()

        started = time.perf_counter()
        tag = await queue.consume(on_message)
        await asyncio.wait_for(done.wait(), timeout=600)
        elapsed = time.perf_counter() - started
        await queue.cancel(tag)
        await queue.delete(if_unused=False, if_empty=False)
        return count / elapsed


async def rabbit_baselines(settings: Settings, count: int) -> tuple[float, float]:
    name = f"bench.raw.{uuid.uuid4().hex[:8]}"
    publish = await rabbit_publish_confirmed(settings, name, count)
    consume = await rabbit_consume_ack(settings, name, count)
    return publish, consume


SEEN_AND_COUNT = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', 3600) then
  redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
  redis.call('ZINCRBY', KEYS[3], 1, ARGV[1])
  return 1
end
return 0
"""


async def redis_pipelined_scripts(settings: Settings, count: int, batch: int = 256) -> float:
    """Script calls/s: SET NX + HINCRBY + ZINCRBY per call, ``batch`` calls per pipelined round trip."""
    client = aioredis.Redis.from_url(settings.redis_url)
    prefix = f"bench-raw-{uuid.uuid4().hex[:8]}"
    script = client.register_script(SEEN_AND_COUNT)
    try:
        started = time.perf_counter()
        for start in range(0, count, batch):
            pipe = client.pipeline(transaction=False)
            for i in range(start, min(count, start + batch)):
                keys = [f"{prefix}:seen:{i}", f"{prefix}:h", f"{prefix}:z"]
                await script(keys=keys, args=[f"P{i % 83}"], client=pipe)
            await pipe.execute()
        rate = count / (time.perf_counter() - started)
    finally:
        async for key in client.scan_iter(match=f"{prefix}:*", count=5000):
            await client.delete(key)
        await client.aclose()
    return rate


async def postgres_two_row_transactions(dsn: str, count: int, concurrency: int = 32) -> float:
    """Transactions/s, each inserting two small rows (the shape of a vote + its outbox row)."""
    pool = await asyncpg.create_pool(dsn, min_size=concurrency, max_size=concurrency)
    table = f"bench_raw_{uuid.uuid4().hex[:8]}"
    try:
        async with pool.acquire() as conn:
            await conn.execute(f"CREATE TABLE {table}_a (id uuid primary key, k text, n int)")
            await conn.execute(f"CREATE TABLE {table}_b (pos bigserial primary key, body bytea)")
        body = sample_payload(0)
        sem = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            async with sem, pool.acquire() as conn, conn.transaction():
                await conn.execute(f"INSERT INTO {table}_a VALUES ($1, $2, $3)", uuid.uuid4(), "m", i)
                await conn.execute(f"INSERT INTO {table}_b (body) VALUES ($1)", body)

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(count)))
        rate = count / (time.perf_counter() - started)
        async with pool.acquire() as conn:
            await conn.execute(f"DROP TABLE {table}_a; DROP TABLE {table}_b")
    finally:
        await pool.close()
    return rate
