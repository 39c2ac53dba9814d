"""RabbitMQ stopped and started while votes are posted: every vote that got a 2xx is published afterwards."""

from __future__ import annotations

import asyncio
import uuid

import aio_pika
import pytest

from shared.events import VoteCast, parse_event, vote_id_for
from shared.settings import Settings
from shared.topology import topology_for
from tests.submission.support import UNIT_L3, Harness, service_settings, start
from tests.support.servers import eventually, rabbitmq_stopped

pytestmark = pytest.mark.slow


async def test_votes_accepted_during_a_broker_outage_are_all_published_once_it_returns(
    settings: Settings, redis_client, rabbit,
):
    s = service_settings(settings, settings.submission_db_url, run_relay=True)
    topology = topology_for(s)
    await topology.declare_queue(await rabbit.channel(), topology.tally)
    async for h in start(s):
        initiative = await h.submitted(headers=h.officer(UNIT_L3))
        initiative_id = uuid.UUID(initiative["id"])
        accepted: list[uuid.UUID] = []

        async def vote(member: str, h: Harness = h, initiative: dict = initiative,
                       initiative_id: uuid.UUID = initiative_id, accepted: list[uuid.UUID] = accepted) -> None:
            response = await h.client.post(f"/v1/initiatives/{initiative_id}/votes", headers=h.member(member))
            assert response.status_code == 201, response.text
            accepted.append(vote_id_for(initiative["campaign_id"], initiative_id, member))

        await asyncio.gather(*(vote(f"tv-truoc-{i}") for i in range(40)))
        async with rabbitmq_stopped():
            # The broker is down: HTTP keeps accepting votes into the outbox.
            await asyncio.gather(*(vote(f"tv-trong-{i}") for i in range(80)))
            assert await h.context.relay.backlog() > 0
        await asyncio.gather(*(vote(f"tv-sau-{i}") for i in range(40)))

        async def drained(h: Harness = h) -> bool:
            return await h.context.relay.backlog() == 0

        await eventually(drained, within=90, what="the relay to publish the outbox after the broker returned")

    connection = await aio_pika.connect(s.amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(topology.tally.name)
        vote_ids: list[uuid.UUID] = []
        while (message := await queue.get(fail=False, no_ack=True)) is not None:
            event = parse_event(message.body)
            assert message.message_id == str(event.event_id)
            if isinstance(event, VoteCast):
                vote_ids.append(event.vote_id)
    assert len(accepted) == 160
    assert set(accepted) <= set(vote_ids), "a vote that got a 2xx was never published"
    assert set(vote_ids) == set(accepted)
