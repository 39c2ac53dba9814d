"""The RabbitMQ topology, declared in exactly one place.

Every process (relays, tally workers, awards consumer, tests, benchmarks) gets its exchanges
and queues from here, so queue arguments never differ (a mismatch is PRECONDITION_FAILED).
Names are prefixed with the settings' ``namespace`` so that several test runs can share a server.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue, AbstractRobustConnection
from aio_pika.connection import make_url
from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue

from shared.settings import Settings


@dataclass(frozen=True)
class QueueSpec:
    """A consuming queue: its name, the routing keys bound to it, and its dead-letter queue."""

    name: str
    binding_keys: tuple[str, ...]

    @property
    def dead_letter_name(self) -> str:
        return f"{self.name}.dead"


@dataclass(frozen=True)
class Topology:
    """All names and arguments for one namespace."""

    namespace: str
    delivery_limit: int

    @property
    def exchange_name(self) -> str:
        return f"{self.namespace}.events"

    @property
    def dead_exchange_name(self) -> str:
        return f"{self.namespace}.dead"

    @property
    def tally(self) -> QueueSpec:
        return QueueSpec(
            f"{self.namespace}.tally",
            ("campaign.*", "initiative.*", "vote.*", "review.*", "award.*"),
        )

    @property
    def awards(self) -> QueueSpec:
        return QueueSpec(f"{self.namespace}.awards", ("campaign.*", "initiative.*"))

    @property
    def queues(self) -> tuple[QueueSpec, ...]:
        return (self.tally, self.awards)

    def queue_arguments(self, spec: QueueSpec) -> dict[str, Any]:
        """Quorum queue with a DLX and an explicit delivery limit (3.x has none by default)."""
        return {
            "x-queue-type": "quorum",
            "x-dead-letter-exchange": self.dead_exchange_name,
            "x-dead-letter-routing-key": spec.name,
            "x-delivery-limit": self.delivery_limit,
        }

    def dead_letter_arguments(self) -> dict[str, Any]:
        return {"x-queue-type": "quorum"}

    def definitions(self, vhost: str = "/") -> dict[str, Any]:
        """The same topology as a RabbitMQ definitions document (deploy/rabbitmq/definitions.json)."""
        queues: list[dict[str, Any]] = []
        bindings: list[dict[str, Any]] = []
        for spec in self.queues:
            queues.append({"name": spec.name, "vhost": vhost, "durable": True, "auto_delete": False,
                           "arguments": self.queue_arguments(spec)})
            queues.append({"name": spec.dead_letter_name, "vhost": vhost, "durable": True, "auto_delete": False,
                           "arguments": self.dead_letter_arguments()})
            bindings.append({"source": self.dead_exchange_name, "vhost": vhost, "destination": spec.dead_letter_name,
                             "destination_type": "queue", "routing_key": spec.name, "arguments": {}})
            bindings.extend(
                {"source": self.exchange_name, "vhost": vhost, "destination": spec.name,
                 "destination_type": "queue", "routing_key": key, "arguments": {}}
                for key in spec.binding_keys
            )
        exchanges = [
            {"name": self.exchange_name, "vhost": vhost, "type": "topic", "durable": True, "auto_delete": False,
             "internal": False, "arguments": {}},
            {"name": self.dead_exchange_name, "vhost": vhost, "type": "direct", "durable": True,
             "auto_delete": False, "internal": False, "arguments": {}},
        ]
        return {"exchanges": exchanges, "queues": queues, "bindings": bindings}

    # FastStream objects (for subscribers, publishers and the AsyncAPI document)
    def faststream_exchange(self) -> RabbitExchange:
        return RabbitExchange(self.exchange_name, type=ExchangeType.TOPIC, durable=True)

    def faststream_queue(self, spec: QueueSpec) -> RabbitQueue:
        """The queue as FastStream declares it; bindings are made by ``declare`` (several keys)."""
        args = self.queue_arguments(spec)
        return RabbitQueue(  # type: ignore[call-overload]
            spec.name,
            queue_type=QueueType.QUORUM,
            durable=True,
            arguments={k: v for k, v in args.items() if k != "x-queue-type"},
            routing_key=spec.binding_keys[0],
        )

    # aio-pika declarations (used before consumers start, by relays, tests and benchmarks)
    async def declare_exchanges(self, channel: AbstractChannel) -> tuple[AbstractExchange, AbstractExchange]:
        events = await channel.declare_exchange(self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True)
        dead = await channel.declare_exchange(self.dead_exchange_name, aio_pika.ExchangeType.DIRECT, durable=True)
        return events, dead

    async def declare_for_publisher(self, channel: AbstractChannel) -> AbstractExchange:
        """What a publisher may declare (shared/grants.py): the events exchange; then it checks, passively, that
        every consuming queue exists. Until they do it must not publish: an event would reach the queues that
        exist and miss the others (``mandatory`` only returns a message that reaches none). A missing queue
        closes the channel with NOT_FOUND; the relay retries until a consumer or the operator declared it."""
        events = await channel.declare_exchange(self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True)
        for spec in self.queues:
            await channel.declare_queue(spec.name, passive=True)
        return events

    async def declare_queue(self, channel: AbstractChannel, spec: QueueSpec) -> AbstractQueue:
        """Declare one consuming queue with its bindings and its dead-letter queue."""
        events, dead = await self.declare_exchanges(channel)
        dlq = await channel.declare_queue(spec.dead_letter_name, durable=True, arguments=self.dead_letter_arguments())
        await dlq.bind(dead, routing_key=spec.name)
        queue = await channel.declare_queue(spec.name, durable=True, arguments=self.queue_arguments(spec))
        for key in spec.binding_keys:
            await queue.bind(events, routing_key=key)
        return queue

    async def declare_all(self, channel: AbstractChannel) -> None:
        for spec in self.queues:
            await self.declare_queue(channel, spec)

    async def delete_all(self, channel: AbstractChannel) -> None:
        """Remove this namespace's queues and exchanges (tests clean up with this)."""
        for spec in self.queues:
            await channel.queue_delete(spec.name)
            await channel.queue_delete(spec.dead_letter_name)
        await channel.exchange_delete(self.exchange_name)
        await channel.exchange_delete(self.dead_exchange_name)


def topology_for(settings: Settings) -> Topology:
    return Topology(namespace=settings.namespace, delivery_limit=settings.delivery_limit)


async def declare_everything(settings: Settings) -> None:
    """Declare the whole topology once over a short-lived connection."""
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        await topology_for(settings).declare_all(channel)


async def connect_robust(url: str) -> AbstractRobustConnection:
    """``aio_pika.connect_robust`` that closes its connection object when connecting fails: aio-pika drops it
    unclosed, and each failed attempt during a broker outage surfaced later as "RobustConnection.close was never
    awaited" when the object was collected."""
    connection = aio_pika.RobustConnection(make_url(url))
    try:
        await connection.connect()
    except BaseException:
        with contextlib.suppress(Exception):
            await connection.close()
        raise
    return connection
