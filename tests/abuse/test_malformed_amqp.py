"""Malformed messages published by a plain AMQP client straight onto the events exchange of a running platform.

Bad JSON, non-objects, wrong types, unknown event types, bodies that are not UTF-8, and 5 MB bodies reach
both consuming queues (tally and awards). Each is dead-lettered by both consumers, nothing is counted, and
the workers keep consuming: an initiative submitted afterwards is counted and gets its review case.
"""

from __future__ import annotations

import uuid
from typing import Any

import aio_pika
import orjson
import pytest

from bench.platform import Platform
from shared.events import InitiativeSubmitted, dump_event
from shared.settings import Settings
from shared.topology import topology_for
from tests.faults.campaign import CAMPAIGN, CampaignDriver, reconcile
from tests.submission.support import UNIT
from tests.support.servers import eventually

pytestmark = pytest.mark.slow
HUGE = 5 * 1_048_576
PATH = ("VGCL", "P24", "P24-03", UNIT)


def initiative_submitted(**changes: Any) -> dict[str, Any]:
    """A valid initiative.submitted event of the platform's open campaign, as a dict to break."""
    event = InitiativeSubmitted.make(
        campaign_id=CAMPAIGN, initiative_id=uuid.uuid4(), version=1, status="submitted", unit_path=PATH,
        field="y_te", title="Sáng kiến giả mạo", benefit_vnd=5, confidential=False, effectiveness_summary="",
        submitted_at=None,
    )
    data: dict[str, Any] = orjson.loads(dump_event(event))
    data.update(changes)
    return data


def poison() -> list[tuple[str, str, bytes]]:
    """(name, routing key, body) of every malformed message; all routing keys reach tally and awards."""
    huge_title = initiative_submitted(title="Đ" * (HUGE // 2))
    huge_extra = initiative_submitted(padding="x" * HUGE)
    return [
        ("bad-json", "initiative.submitted", b'{"type": "initiative.submitted", "event_id": '),
        ("empty", "initiative.submitted", b""),
        ("not-an-object", "campaign.configured", b"[1, 2, 3]"),
        ("not-utf8", "initiative.submitted", b'{"type": "initiative.submitted", "title": "\xff\xfe"}'),
        ("wrong-types", "initiative.submitted",
         orjson.dumps(initiative_submitted(version="một", unit_path=42, benefit_vnd="nhiều"))),
        ("missing-fields", "initiative.submitted", orjson.dumps({"type": "initiative.submitted"})),
        ("unknown-type", "initiative.teleported", orjson.dumps(initiative_submitted(type="initiative.teleported"))),
        ("type-mismatch", "campaign.configured", orjson.dumps(initiative_submitted(type="campaign.configured"))),
        ("huge-invalid", "initiative.submitted", orjson.dumps(huge_title)),
        ("huge-valid-shape", "initiative.submitted", orjson.dumps(huge_extra)),
    ]


async def publish_raw(settings: Settings, messages: list[tuple[str, str, bytes]]) -> None:
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.get_exchange(topology_for(settings).exchange_name)
        for name, routing_key, body in messages:
            await exchange.publish(aio_pika.Message(body, message_id=name, delivery_mode=2),
                                   routing_key=routing_key, mandatory=True)


async def dead_letter_ids(settings: Settings, queue_name: str) -> list[str]:
    """Message ids waiting in a dead-letter queue (read with a passive peek: got, then requeued)."""
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name, ensure=False)
        seen: list[str] = []
        held = []
        while (message := await queue.get(fail=False, no_ack=False)) is not None:
            seen.append(message.message_id or "")
            held.append(message)
        for message in held:
            await message.nack(requeue=True)
        return sorted(seen)


async def test_malformed_messages_are_dead_lettered_by_both_consumers_and_nothing_is_counted(platform: Platform):
    settings = Settings(namespace=platform.namespace)
    topology = topology_for(settings)
    driver = CampaignDriver(platform)
    try:
        await driver.wait_ready()
        baseline = await driver.tally_totals()
        messages = poison()
        await publish_raw(settings, messages)
        expected = sorted(name for name, _, _ in messages)
        for spec in (topology.tally, topology.awards):
            last: list[str] = []

            async def all_dead(queue_name: str = spec.dead_letter_name) -> bool:
                nonlocal last
                last = await dead_letter_ids(settings, queue_name)
                return last == expected

            try:
                await eventually(all_dead, within=60, every=0.5,
                                 what=f"every poison message in {spec.dead_letter_name}")
            except AssertionError as exc:
                raise AssertionError(f"{exc}: found {last}, expected {expected}") from None

        # Nothing counted, the consumers are healthy and keep consuming valid events.
        assert await driver.tally_totals() == baseline
        await driver.wait_ready()
        initiative = await driver.submit_initiative("Sáng kiến sau thư độc")
        assert initiative is not None
        await driver.vote(initiative, "tv-sau-thu-doc")
        await driver.wait_counted(baseline=baseline)
        await driver.wait_cases_opened()
        assert await dead_letter_ids(settings, topology.awards.dead_letter_name) == expected
    finally:
        await driver.aclose()
    reconcile(platform)
