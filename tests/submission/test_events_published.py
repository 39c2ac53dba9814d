"""The relay publishes the outbox to RabbitMQ: persistent, message_id = event_id, exactly once per event id."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aio_pika
from sqlalchemy import func, select

from services.submission.adapters.tables import outbox
from shared.settings import Settings
from shared.topology import topology_for

from .support import UNIT, UNIT_L2, UNIT_L3, Harness, service_settings, start


async def wait_until_published(h: Harness) -> None:
    for _ in range(500):
        async with h.context.engine.connect() as conn:
            left = await conn.scalar(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            )
        if left == 0:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the relay did not publish the outbox")


async def drain(queue: aio_pika.abc.AbstractQueue) -> list[aio_pika.abc.AbstractIncomingMessage]:
    messages = []
    while (message := await queue.get(no_ack=False, fail=False, timeout=5)) is not None:
        await message.ack()
        messages.append(message)
    return messages


async def test_submitted_event_reaches_a_bound_queue_once_with_path_version_and_ids(
    settings: Settings, db_backend: str, rabbit: Any, redis_client: Any,
) -> None:
    channel = await rabbit.channel()
    topology = topology_for(settings)
    queue = await topology.declare_queue(channel, topology.tally)
    async for h in start(service_settings(settings, db_backend, run_relay=True)):
        item = await h.submitted()
        vote = await h.client.post(f"/v1/initiatives/{item['id']}/votes", headers=h.member("dv-binh-chon"))
        await h.client.post(f"/v1/initiatives/{item['id']}/votes", headers=h.member("dv-binh-chon"))
        assert vote.status_code == 201
        await wait_until_published(h)
        async with h.context.engine.connect() as conn:
            logged = {str(r.event_id): r.type for r in (await conn.execute(select(outbox))).all()}
    messages = await drain(queue)
    ids = [m.message_id for m in messages]
    assert len(ids) == len(set(ids)), "an event id was delivered twice"
    assert set(ids) == set(logged)
    by_type = {m.type: m for m in messages}
    assert set(by_type) == {"campaign.configured", "initiative.drafted", "initiative.submitted", "vote.cast"}
    submitted = by_type["initiative.submitted"]
    body = json.loads(submitted.body)
    assert submitted.message_id == body["event_id"]
    assert submitted.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert submitted.routing_key == "initiative.submitted"
    assert body["initiative_id"] == item["id"] and body["version"] == 2
    assert body["unit_path"] == ["VGCL", UNIT_L2, UNIT_L3, UNIT]
    assert body["campaign_id"] == "demo" and body["status"] == "submitted"
    vote_body = json.loads(by_type["vote.cast"].body)
    assert vote_body["vote_id"] == vote.json()["vote_id"] and "dv-binh-chon" not in by_type["vote.cast"].body.decode()


async def test_ready_checks_database_rabbitmq_and_redis(settings: Settings, rabbit: Any, redis_client: Any) -> None:
    async for h in start(service_settings(settings, settings.submission_db_url)):
        response = await h.client.get("/ready")
        assert response.status_code == 200
        assert response.json()["checks"] == {"database": True, "rabbitmq": True, "redis": True}
    broken = settings.model_copy(update={"amqp_url": "amqp://guest:guest@127.0.0.1:1/",
                                         "submission_amqp_url": "amqp://guest:guest@127.0.0.1:1/"})
    async for h in start(service_settings(broken, settings.submission_db_url)):
        response = await h.client.get("/ready")
        assert response.status_code == 503 and response.json()["checks"]["rabbitmq"] is False
