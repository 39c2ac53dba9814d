"""Removing a test namespace from the shared servers: its queues and exchanges, then its Redis keys."""

from __future__ import annotations

import contextlib

import aio_pika
import redis.asyncio as aioredis

from shared.settings import Settings
from shared.topology import topology_for


async def drop_namespace(settings: Settings) -> None:
    with contextlib.suppress(Exception):
        connection = await aio_pika.connect(settings.amqp_url, timeout=5)
        async with connection:
            await topology_for(settings).delete_all(await connection.channel())
    client = aioredis.Redis.from_url(settings.redis_url)
    try:
        batch = [key async for key in client.scan_iter(match=f"{settings.namespace}:*", count=5000)]
        for start in range(0, len(batch), 5000):
            await client.unlink(*batch[start:start + 5000])
    finally:
        await client.aclose()
