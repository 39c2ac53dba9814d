"""Tally trusts the bus only as far as the union tree and the configured campaigns: anything else is dead-lettered.

Each bad event is valid JSON of a known type, published to the events exchange as a service would: it lands in
the dead-letter queue, no counter moves and neither does the campaign's change counter (``ver``). A stale or a
duplicate event is acked and changes nothing at all, ``ver`` included.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from services.tally.adapters.consumer import BatchConsumer
from services.tally.adapters.store import TallyStore
from services.tally.metrics import EVENTS_REQUEUED
from shared import dead_letters
from shared.events import EventBase
from shared.settings import Settings
from tests.tally import history as h
from tests.tally.conftest import publish, publish_raw, wait_exact
from tests.tally.test_dead_letters import _dead_count

GOOD_PATH = ("VGCL", "P24", "P24-01", "P24-01-001")
BAD_PATHS = {
    "unknown-unit": ("VGCL", "P24", "P24-01", "P24-01-999"),
    "wrong-parent": ("VGCL", "P40", "P24-01", "P24-01-001"),
    "not-root-first": ("P24", "P24-01", "P24-01-001"),
    "skips-a-level": ("VGCL", "P24", "P24-01-001"),
    "a-sibling-as-parent": ("VGCL", "P24", "P24-03", "P24-01-001"),
}


async def _ver(store: TallyStore) -> bytes | None:
    value: Any = await store.redis.get(store.keys.campaign("0", "c2021").version)
    return value  # type: ignore[no-any-return]


async def _settled(store: TallyStore, rabbit: Any, settings: Settings, events: list[EventBase], dead: int) -> None:
    assert await wait_exact(store, events) == []
    assert await _dead_count(rabbit, settings, dead) == dead


async def test_events_off_the_tree_or_of_an_unknown_campaign_are_dead_lettered_and_count_nowhere(
    settings: Settings, rabbit: Any, store: TallyStore,
):
    iid = uuid.uuid4()
    good = [h.campaign(), h.initiative_state("submitted", initiative_id=iid, version=1, path=GOOD_PATH,
                                             field=h.FIELDS[0], benefit=7_000_000), h.vote(iid, "m1", path=GOOD_PATH)]
    consumer = BatchConsumer(settings, store)
    await consumer.start()
    try:
        await publish(rabbit, settings, good)
        await _settled(store, rabbit, settings, good, 0)
        ver, before = await _ver(store), await store.snapshot("0")
        assert ver == b"3"

        bad: list[EventBase] = []
        for name, path in BAD_PATHS.items():
            other = uuid.uuid5(iid, name)
            bad += [h.initiative_state("submitted", initiative_id=other, version=1, path=path, field=h.FIELDS[1],
                                       benefit=5_000_000),
                    h.vote(iid, f"voter-{name}", path=path),  # a vote for a counted initiative, off the tree
                    h.review(iid, uuid.uuid5(iid, "case-" + name), 1, (4,), path=path)]
        await publish(rabbit, settings, bad)
        await _settled(store, rabbit, settings, good, len(bad))
        assert await store.snapshot("0") == before and await _ver(store) == ver

        # A version below 1 is refused by the contracts (the event's own field validation).
        low = orjson.loads(orjson.dumps(h.as_dicts([h.initiative_state(
            "updated", initiative_id=iid, version=2, path=GOOD_PATH, field=h.FIELDS[2])])[0]))
        low["version"] = 0
        await publish_raw(rabbit, settings, orjson.dumps(low), "initiative.updated", "version-zero")

        requeued = EVENTS_REQUEUED.labels("campaign-not-configured")._value.get()
        stray = uuid.uuid4()
        never = [h.initiative_state("submitted", initiative_id=stray, version=1, path=GOOD_PATH, field=h.FIELDS[0],
                                    campaign_id="c-never"), h.vote(stray, "m1", path=GOOD_PATH, campaign_id="c-never")]
        await publish(rabbit, settings, never)
        # requeued up to the delivery limit, then dead-lettered: nothing of the campaign is written
        await _settled(store, rabbit, settings, good, len(bad) + 1 + len(never))
        assert EVENTS_REQUEUED.labels("campaign-not-configured")._value.get() - requeued >= len(never)
        assert await store.snapshot("0") == before and await _ver(store) == ver
        assert await store.campaigns("0") == ["c2021"]
        letters = {letter.message_id for letter in await dead_letters.peek(settings)}
        assert {str(e.event_id) for e in bad + never} | {"version-zero"} == letters
    finally:
        await consumer.stop()


async def test_an_event_requeued_before_its_campaign_is_configured_counts_once_it_is(
    settings: Settings, rabbit: Any, store: TallyStore,
):
    iid = uuid.uuid4()
    submitted = h.initiative_state("submitted", initiative_id=iid, version=1, path=GOOD_PATH, field=h.FIELDS[0])
    consumer = BatchConsumer(settings, store)
    await consumer.start()
    try:
        await publish(rabbit, settings, [submitted, h.campaign()])  # the configuration right behind it
        assert await wait_exact(store, [h.campaign(), submitted]) == []
        assert await _dead_count(rabbit, settings, 0) == 0
        assert await _ver(store) == b"2"
    finally:
        await consumer.stop()


async def test_stale_and_duplicate_events_through_the_worker_leave_the_change_counter_alone(
    settings: Settings, rabbit: Any, store: TallyStore,
):
    iid = uuid.uuid4()
    v1 = h.initiative_state("submitted", initiative_id=iid, version=1, path=GOOD_PATH, field=h.FIELDS[0])
    v2 = h.initiative_state("updated", initiative_id=iid, version=2, path=GOOD_PATH, field=h.FIELDS[1])
    vote = h.vote(iid, "m1", path=GOOD_PATH)
    consumer = BatchConsumer(settings, store)
    await consumer.start()
    try:
        await publish(rabbit, settings, [h.campaign(), v2, vote])
        await _settled(store, rabbit, settings, [h.campaign(), v2, vote], 0)
        assert await _ver(store) == b"3"
        await publish(rabbit, settings, [v1, v2, vote, h.campaign()])  # one stale, three duplicates
        marker = h.vote(iid, "m2", path=GOOD_PATH)  # applied after them (one consumer applies in delivery order)
        await publish(rabbit, settings, [marker])
        assert await wait_exact(store, [h.campaign(), v2, vote, marker]) == []
        assert await _ver(store) == b"4"  # the marker alone moved it
        assert await _dead_count(rabbit, settings, 0) == 0
    finally:
        await consumer.stop()
