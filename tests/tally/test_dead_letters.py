"""Poison messages go to the dead-letter queue, workers keep going, and a fixed cause can be re-driven."""

from __future__ import annotations

import asyncio
import uuid

from services.tally.adapters.consumer import BatchConsumer, parse_message
from services.tally.domain.args import ScriptCall
from shared import dead_letters
from shared.events import InvalidEventError
from tests.tally import history as h
from tests.tally.conftest import publish, publish_raw, wait_exact


def rejecting(campaign_id: str):
    """A worker release with a bug: it refuses every event of one campaign."""
    def parse(body: bytes) -> ScriptCall:
        call = parse_message(body)
        if call.campaign_id == campaign_id:
            raise InvalidEventError("this release cannot count campaign " + campaign_id)
        return call
    return parse


async def _dead_count(rabbit, settings, expected: int) -> int:
    """Ready messages in the dead-letter queue, waiting (bounded) for the count to settle on ``expected``."""
    count = -1
    for _ in range(100):
        channel = await rabbit.channel()
        queue = await channel.declare_queue(f"{settings.namespace}.tally.dead", passive=True)
        await channel.close()
        count = int(queue.declaration_result.message_count or 0)
        if count == expected:
            break
        await asyncio.sleep(0.1)
    return count


async def test_poison_is_dead_lettered_and_redriven_after_the_fix(settings, rabbit, store):
    iid = uuid.uuid4()
    good = [h.campaign(), h.initiative_state("submitted", initiative_id=iid, version=1, path=h.PATHS[0],
                                             field="ATVSLĐ"), h.vote(iid, "m1"), h.vote(iid, "m2")]
    other = h.campaign("c2022")
    buggy = BatchConsumer(settings, store, parser=rejecting("c2022"))
    await buggy.start()
    try:
        await publish_raw(rabbit, settings, b'{"type": "vote.cast", "event_id": ', "vote.cast", "bad-json")
        await publish_raw(rabbit, settings, b'{"type": "vote.cast", "campaign_id": "c2021"}', "vote.cast", "invalid")
        await publish(rabbit, settings, [other])
        await publish(rabbit, settings, good)
        assert await wait_exact(store, good) == []  # the worker kept consuming past the poison
        assert await _dead_count(rabbit, settings, 3) == 3
        letters = await dead_letters.peek(settings)
        assert sorted(letter.message_id or "" for letter in letters) == sorted(["bad-json", "invalid",
                                                                                 str(other.event_id)])
        assert {letter.routing_key for letter in letters} == {"vote.cast", "campaign.configured"}
        assert await _dead_count(rabbit, settings, 3) == 3  # peeking lost nothing
    finally:
        await buggy.stop()
    fixed = BatchConsumer(settings, store)
    await fixed.start()
    try:
        assert await dead_letters.redrive(settings, message_id=str(other.event_id)) == 1
        assert await wait_exact(store, [*good, other]) == []
        assert await _dead_count(rabbit, settings, 2) == 2  # the unparseable ones stay dead
    finally:
        await fixed.stop()
