"""The awards consumer trusts the bus only as far as the union tree and the campaigns it has a configuration of.

Initiative events off the tree, and of a campaign never configured, are published to the real exchange: they
end in the dead-letter queue without opening a case, while a good submission published with them gets its case.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aio_pika
from sqlalchemy import select

from services.awards.adapters.tables import review_cases
from services.awards.bootstrap import AwardsService
from services.awards.domain.case import case_id_for
from shared.events import EventBase, InitiativeSubmitted, dump_event
from shared.settings import Settings
from shared.topology import topology_for

from .builders import campaign_event, chain, initiative_event

BAD_PATHS = {
    "unknown-unit": ("VGCL", "P24", "P24-01", "P24-01-999"),
    "wrong-parent": ("VGCL", "P40", "P24-01", "P24-01-001"),
    "not-root-first": ("P24", "P24-01", "P24-01-001"),
}


async def _dead_ids(channel: Any, name: str, expected: int) -> list[str]:
    """Message ids in a dead-letter queue once it holds ``expected`` messages (read, then requeued)."""
    for _ in range(300):
        queue = await channel.declare_queue(name, passive=True)
        if queue.declaration_result.message_count >= expected:
            break
        await asyncio.sleep(0.1)
    ids, held = [], []
    while (message := await queue.get(fail=False, no_ack=False)) is not None:
        ids.append(message.message_id or "")
        held.append(message)
    for message in held:
        await message.nack(requeue=True)
    return ids


async def test_events_off_the_tree_or_of_an_unknown_campaign_are_dead_lettered_without_a_case(
    settings: Settings, pg_url: str, rabbit: aio_pika.abc.AbstractRobustConnection,
) -> None:
    settings = settings.model_copy(update={"awards_db_url": pg_url, "run_relay": False})
    topology = topology_for(settings)
    service = AwardsService(settings)
    channel = await rabbit.channel()
    await topology.declare_queue(channel, topology.awards)
    exchange, _ = await topology.declare_exchanges(channel)
    good = initiative_event(InitiativeSubmitted, path=chain())
    bad: list[EventBase] = [initiative_event(InitiativeSubmitted, path=path) for path in BAD_PATHS.values()]
    bad.append(initiative_event(InitiativeSubmitted, path=chain(), campaign_id="khong-cau-hinh"))
    for event in [campaign_event(), *bad, good]:
        await exchange.publish(aio_pika.Message(dump_event(event), message_id=str(event.event_id),
                                                delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                               routing_key=event.type)
    await service.start()
    try:
        dead = await _dead_ids(channel, topology.awards.dead_letter_name, len(bad))
        assert sorted(dead) == sorted(str(e.event_id) for e in bad)
        async with service.engine.connect() as conn:
            cases = set((await conn.scalars(select(review_cases.c.case_id))).all())
        assert cases == {case_id_for(good.initiative_id)}
    finally:
        await service.stop()
        await channel.close()
