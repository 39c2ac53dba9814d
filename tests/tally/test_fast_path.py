"""The worker's fast path (pydantic straight from the bytes, votes without a dict) gives what the JSON path gives."""

from __future__ import annotations

import random
import uuid

import orjson
import pytest
import redis.asyncio as aioredis

from services.tally.adapters.consumer import batch_size, parse_message
from services.tally.adapters.store import APPLY_LUA, TallyStore
from services.tally.domain.args import ScriptCall, script_call
from shared.events import InvalidEventError, dump_event
from shared.settings import Settings
from tests.tally import history as h
from tests.tally.test_bulk import dump_generation, rich_history


def test_every_event_type_parses_to_the_arguments_of_its_json_object():
    events = rich_history(seed=4)
    assert {e.type for e in events} >= {"vote.cast", "initiative.submitted", "initiative.withdrawn",
                                        "review.decided", "award.granted", "award.revoked", "campaign.configured"}
    for event in events:
        body = dump_event(event)
        assert parse_message(body) == script_call(orjson.loads(body)), event.type


def test_a_vote_from_another_time_zone_counts_on_its_vietnamese_day():
    vote = h.vote(uuid.uuid4(), "m1")
    body = dump_event(vote).replace(vote.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ").encode(),
                                    b"2021-03-10T09:30:00-08:00")  # 17:30 UTC, 00:30 on the 11th in Hà Nội
    assert b"-08:00" in body
    assert parse_message(body).args[1] == script_call(orjson.loads(body)).args[1] == "2021-03-11"


@pytest.mark.parametrize("body", [
    b'{"type": "vote.cast", "event_id": ',
    b'[1, 2]',
    b'{"type": "vote.cast", "campaign_id": "c2021"}',
    b'{"type": "vote.counted", "event_id": "6f1d3c1e-75a0-4b8e-9d2a-2021a75c0000"}',
    b'{"type": "vote.cast", "occurred_at": "2021-03-10T09:30:00", "campaign_id": "c"}',
    b" " * 300_000,
])
def test_what_the_contracts_refuse_is_invalid(body: bytes):
    with pytest.raises(InvalidEventError):
        parse_message(body)


async def test_fast_and_json_paths_leave_identical_redis_state(settings: Settings, redis_client: aioredis.Redis):
    store = TallyStore(redis_client, settings)
    bodies = [dump_event(e) for e in rich_history(seed=8)]
    random.Random(2).shuffle(bodies)
    bodies += bodies[:50]  # redeliveries
    fast = [parse_message(b) for b in bodies]
    general = [script_call(orjson.loads(b)) for b in bodies]
    assert sum(call.code == "V" for call in fast) > 100
    assert await store.apply_batch(fast, generation="1") == await store.apply_batch(general, generation="2")
    one = await dump_generation(redis_client, store.keys.gen_prefix("1"), days_index=True)
    assert len(one) > 100 and one == await dump_generation(redis_client, store.keys.gen_prefix("2"), days_index=True)
    # The script writes the days and campaigns indexes only when a counter there starts; they are still complete.
    for campaign in {orjson.loads(b)["campaign_id"] for b in bodies}:
        assert campaign.encode() in one["campaigns"]
        days = {key.rsplit(":", 1)[1].encode() for key in one if key.startswith(f"c:{campaign}:d:")}
        assert days and days <= one[f"c:{campaign}:days"]


async def test_one_bad_call_keeps_its_slot_and_a_lost_script_is_reloaded(
    settings: Settings, redis_client: aioredis.Redis,
):
    store = TallyStore(redis_client, settings)
    votes = [parse_message(dump_event(h.vote(uuid.uuid4(), f"m{n}"))) for n in range(3)]
    bad = ScriptCall(uuid.uuid4().bytes, "c2021", "X", ())
    assert await store.apply_batch([parse_message(dump_event(h.campaign()))]) == [1]
    results = await store.apply_batch([votes[0], bad, votes[1]])
    assert results[0] == results[2] == 1 and "unknown type code" in str(results[1])
    # A script Redis has never seen (as after SCRIPT FLUSH or a restart): NOSCRIPT, load, the batch again.
    store.script = redis_client.register_script(f"{APPLY_LUA}\n-- {uuid.uuid4()}\n")
    assert await store.apply_batch([votes[0], votes[2]]) == [0, 1]
    assert await redis_client.ping()  # the connection is still in step after all of this


def test_a_batch_is_at_most_half_the_prefetch_window():
    assert batch_size(Settings(prefetch=256, tally_batch_size=256)) == 128
    assert batch_size(Settings(prefetch=1024, tally_batch_size=256)) == 256
    assert batch_size(Settings(prefetch=1, tally_batch_size=256)) == 1
