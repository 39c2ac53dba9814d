"""The tally worker: a FastStream app (``faststream run services.tally.worker:app --workers N``).

Consumption itself is the batching consumer in ``adapters.consumer`` (on the AMQP channel under aio-pika's
robust connection, started and stopped in this app's lifecycle hooks); the FastStream broker below is the
worker's AsyncAPI description: the tally queue, its bindings and the event contracts it accepts. It is never
started, so it never competes with the batching consumer for messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket

import redis.asyncio as aioredis
import structlog
from faststream import FastStream
from faststream.rabbit import Channel, RabbitBroker
from faststream.specification import AsyncAPI

from services.tally.adapters.consumer import BatchConsumer, batch_size
from services.tally.adapters.store import TallyStore
from services.tally.keys import TallyKeys
from shared.events import Event
from shared.log import configure_logging
from shared.settings import Settings, get_settings
from shared.topology import topology_for

log = structlog.get_logger(__name__)
HEARTBEAT_SECONDS = 5


def describe_subscriber(settings: Settings) -> RabbitBroker:
    """A broker that only documents the tally subscriber (queue, exchange, accepted events)."""
    topology = topology_for(settings)
    broker = RabbitBroker(settings.amqp_url, description="RabbitMQ: tally consumes its quorum queue")

    @broker.subscriber(
        topology.faststream_queue(topology.tally),
        topology.faststream_exchange(),
        channel=Channel(prefetch_count=settings.prefetch),
        title=f"{topology.tally.name}:consume",
        description=(
            f"Tally workers: bindings {', '.join(topology.tally.binding_keys)}; batches of up to "
            f"{batch_size(settings)} events per Redis round trip, ack after apply; invalid messages are "
            f"rejected to {topology.tally.dead_letter_name}."
        ),
    )
    async def tally_event(event: Event) -> None:
        """Apply one event to the counters exactly once (documentation of the contract)."""

    return broker


class TallyWorker:
    """Owns the Redis client, the store, the batching consumer and the heartbeat of one worker process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.redis = aioredis.Redis.from_url(settings.redis_url_for("tally"))
        self.store = TallyStore(self.redis, settings)
        self.consumer = BatchConsumer(settings, self.store)
        self.name = f"{socket.gethostname()}-{os.getpid()}"
        self._heartbeat: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.consumer.start()
        self._heartbeat = asyncio.create_task(self._beat())
        log.info("tally worker consuming", queue=topology_for(self.settings).tally.name, worker=self.name)

    async def _beat(self) -> None:
        key = TallyKeys(self.settings.namespace).heartbeat(self.name)
        while True:
            with contextlib.suppress(Exception):
                await self.redis.set(key, "1" if await self.consumer.attached() else "0", ex=HEARTBEAT_SECONDS * 3)
            await asyncio.sleep(HEARTBEAT_SECONDS)

    async def stop(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        await self.consumer.stop()
        with contextlib.suppress(Exception):
            await self.redis.delete(TallyKeys(self.settings.namespace).heartbeat(self.name))
        await self.redis.aclose()
        log.info("tally worker stopped", worker=self.name)


def create_worker_app(settings: Settings | None = None) -> FastStream:
    """The FastStream application of one tally worker."""
    settings = settings or get_settings()
    worker = TallyWorker(settings)
    spec = AsyncAPI(describe_subscriber(settings), title="sangkien tally worker", version="1.0.0")

    async def startup() -> None:
        configure_logging(settings)
        await worker.start()

    # FastStream needs a broker to run; this one holds no subscriber (consumption is the batching consumer).
    lifecycle_broker = RabbitBroker(settings.amqp_url_for("tally"), logger=None)
    return FastStream(lifecycle_broker, specification=spec, on_startup=[startup], on_shutdown=[worker.stop])


app = create_worker_app()

if __name__ == "__main__":
    asyncio.run(app.run())
