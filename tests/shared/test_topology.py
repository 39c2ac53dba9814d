"""The RabbitMQ topology on the real server: quorum queues, delivery limit, dead-lettering."""

from __future__ import annotations

import asyncio

import aio_pika
import pytest
from aiormq.exceptions import ChannelPreconditionFailed

from shared.settings import Settings
from shared.topology import topology_for


async def test_declaring_twice_is_idempotent_and_a_mismatch_is_refused(settings: Settings, rabbit):
    topology = topology_for(settings)
    channel = await rabbit.channel()
    await topology.declare_all(channel)
    await topology.declare_all(channel)  # identical arguments: fine
    other = await rabbit.channel()
    with pytest.raises(ChannelPreconditionFailed):
        await other.declare_queue(topology.tally.name, durable=True, arguments={"x-queue-type": "quorum"})


async def test_a_message_requeued_forever_is_dead_lettered_after_the_delivery_limit(settings: Settings, rabbit):
    topology = topology_for(settings.model_copy(update={"delivery_limit": 3}))
    channel = await rabbit.channel()
    await channel.queue_delete(topology.tally.name)  # the rabbit fixture declared it with the default limit
    queue = await topology.declare_queue(channel, topology.tally)
    exchange = await channel.get_exchange(topology.exchange_name)
    await exchange.publish(aio_pika.Message(b"{not json", message_id="poison-1"), routing_key="vote.cast")
    deliveries = 0
    for _ in range(50):
        message = await queue.get(fail=False)
        if message is None:
            dead = await (await channel.get_queue(topology.tally.dead_letter_name)).get(fail=False)
            if dead is not None:
                assert dead.message_id == "poison-1"
                assert dead.body == b"{not json"
                await dead.ack()
                break
            await asyncio.sleep(0.05)
            continue
        deliveries += 1
        await message.nack(requeue=True)
    else:
        pytest.fail("the poison message never reached the dead-letter queue")
    assert deliveries == 4  # the first delivery plus x-delivery-limit redeliveries


async def test_every_event_type_routes_to_tally_and_initiatives_to_awards(settings: Settings, rabbit):
    topology = topology_for(settings)
    channel = await rabbit.channel(publisher_confirms=True, on_return_raises=True)
    await topology.declare_all(channel)
    exchange = await channel.get_exchange(topology.exchange_name)
    keys = ["campaign.configured", "initiative.submitted", "vote.cast", "review.decided", "award.granted"]
    for key in keys:
        await exchange.publish(aio_pika.Message(b"{}"), routing_key=key, mandatory=True)
    tally = await channel.get_queue(topology.tally.name)
    awards = await channel.get_queue(topology.awards.name)
    await asyncio.sleep(0.2)
    got_tally = [(await tally.get(no_ack=True)).routing_key for _ in keys]
    assert sorted(got_tally) == sorted(keys)
    got_awards = {(await awards.get(no_ack=True)).routing_key for _ in range(2)}
    assert got_awards == {"campaign.configured", "initiative.submitted"}
    assert await awards.get(fail=False) is None
