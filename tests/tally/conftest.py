"""Helpers for tally tests: publish events like the outbox relay does, run workers, wait for exact counts."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterable

import aio_pika
import pytest
import redis.asyncio as aioredis

from services.tally.adapters.store import TallyStore, diff_snapshots
from services.tally.domain.fold import fold
from shared.events import EventBase, dump_event
from shared.settings import Settings
from shared.topology import topology_for
from tests.tally.history import as_dicts

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


async def publish(connection: aio_pika.abc.AbstractConnection, settings: Settings, events: Iterable[EventBase],
                  *, body: bytes | None = None) -> None:
    """Publish persistently with confirms and message_id = event id (as the relay does)."""
    topology = topology_for(settings)
    channel = await connection.channel(publisher_confirms=True)
    await topology.declare_queue(channel, topology.tally)
    exchange = await channel.get_exchange(topology.exchange_name)
    batch = []
    for event in events:
        message = aio_pika.Message(body or dump_event(event), message_id=str(event.event_id), type=event.type,
                                   delivery_mode=aio_pika.DeliveryMode.PERSISTENT, content_type="application/json")
        batch.append(exchange.publish(message, routing_key=event.type))
        if len(batch) >= 500:
            await asyncio.gather(*batch)
            batch = []
    await asyncio.gather(*batch)
    await channel.close()


async def publish_raw(connection, settings: Settings, body: bytes, routing_key: str, message_id: str) -> None:
    topology = topology_for(settings)
    channel = await connection.channel(publisher_confirms=True)
    await topology.declare_queue(channel, topology.tally)
    exchange = await channel.get_exchange(topology.exchange_name)
    await exchange.publish(aio_pika.Message(body, message_id=message_id, delivery_mode=2), routing_key=routing_key)
    await channel.close()


def start_worker(settings: Settings, *extra: str) -> subprocess.Popen[bytes]:
    """A real worker process (``faststream run services.tally.worker:app``) on the test's namespace."""
    env = {**os.environ, "SANGKIEN_NAMESPACE": settings.namespace, "SANGKIEN_ENV": "test",
           "SANGKIEN_REDIS_URL": settings.redis_url, "SANGKIEN_AMQP_URL": settings.amqp_url, "PYTHONPATH": REPO,
           # the workers' own users (shared/grants.py), as `sangkien up` gives them
           "SANGKIEN_TALLY_AMQP_URL": settings.amqp_url_for("tally"),
           "SANGKIEN_TALLY_REDIS_URL": settings.redis_url_for("tally")}
    return subprocess.Popen([sys.executable, "-m", "faststream", "run", "services.tally.worker:app", *extra],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def wait_exact(store: TallyStore, events: list[EventBase], patience: float = 90.0) -> list:
    """Wait until the live generation equals the fold of ``events``; return the remaining differences."""
    expected = fold(as_dicts(events))
    differences: list = [("live generation", "missing or rebuilding", None, None)]
    for _ in range(int(patience / 0.5)):
        live, building = await store.generations()
        if live is not None and building is None:
            differences = diff_snapshots(expected, await store.snapshot(live))
            if not differences:
                return []
        await asyncio.sleep(0.5)
    return differences


@pytest.fixture
async def store(settings: Settings, redis_client: aioredis.Redis) -> TallyStore:
    return TallyStore(redis_client, settings)




async def serve(app, port: int):  # type: ignore[no-untyped-def]
    """Run an ASGI app with uvicorn on a real port inside the test's event loop; returns (server, task)."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on",
                                                  proxy_headers=False))
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.02)
    return server, task
