"""The tally dead-letter queue: peek at messages without losing them, and re-drive them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from shared.settings import Settings
from shared.topology import topology_for


@dataclass(frozen=True)
class DeadLetter:
    message_id: str | None
    routing_key: str
    reason: str
    count: int
    body: bytes


def _original(message: AbstractIncomingMessage) -> tuple[str, str, int]:
    """The routing key the message was first published with, why it died, and how often."""
    deaths: Any = (message.headers or {}).get("x-death") or []
    if deaths and isinstance(deaths, list) and isinstance(deaths[0], dict):
        first = deaths[-1]
        keys = first.get("routing-keys") or [message.routing_key]
        return str(keys[0]), str(first.get("reason", "")), int(first.get("count", 1))
    return str(message.type or message.routing_key or ""), "", 1


async def peek(settings: Settings, limit: int = 100) -> list[DeadLetter]:
    """Up to ``limit`` dead letters, left in the queue (read unacked, returned when the channel closes)."""
    topology = topology_for(settings)
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await topology.declare_queue(channel, topology.tally)
        dlq = await channel.get_queue(topology.tally.dead_letter_name)
        letters = []
        for _ in range(limit):
            message = await dlq.get(no_ack=False, fail=False)
            if message is None:
                break
            routing_key, reason, count = _original(message)
            letters.append(DeadLetter(message.message_id, routing_key, reason, count, message.body))
        del queue
        await channel.close()  # unacked messages go back to the dead-letter queue
    return letters


async def redrive(settings: Settings, limit: int = 10_000, message_id: str | None = None) -> int:
    """Publish dead letters back to the events exchange with their original routing key; return how many."""
    topology = topology_for(settings)
    connection = await aio_pika.connect(settings.amqp_url)
    moved = 0
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await topology.declare_queue(channel, topology.tally)
        exchange = await channel.get_exchange(topology.exchange_name)
        dlq = await channel.get_queue(topology.tally.dead_letter_name)
        for _ in range(limit):
            message = await dlq.get(no_ack=False, fail=False)
            if message is None:
                break
            if message_id is not None and message.message_id != message_id:
                continue  # left unacked: returned to the queue when the channel closes
            routing_key, _, _ = _original(message)
            headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-")}
            await exchange.publish(
                aio_pika.Message(
                    message.body, headers=headers, message_id=message.message_id, type=message.type,
                    content_type=message.content_type, delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    timestamp=message.timestamp, app_id=message.app_id,
                ),
                routing_key=routing_key,
            )
            await message.ack()
            moved += 1
    return moved
