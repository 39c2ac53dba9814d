"""The live stream's fan-out: shared snapshot reads and shared encodings, merged updates for lagging clients."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import orjson
import redis.asyncio as aioredis

from services.tally.adapters.store import TallyStore
from services.tally.domain.args import script_call
from services.tally.reads import TallyReader
from services.tally.stream import Listener, StreamHub
from shared.settings import Settings
from tests.tally import history as h


def test_a_client_that_kept_up_gets_the_shared_bytes_and_a_lagging_one_a_merged_update():
    first, second = {"totals": {"votes": 1}}, {"daily": {"series": []}}
    shared = orjson.dumps(first)
    fresh, lagging = Listener(), Listener()
    fresh.offer(first, shared)
    assert fresh.take() is shared
    lagging.offer(first, shared)
    lagging.offer(second, orjson.dumps(second))
    assert orjson.loads(lagging.take()) == {**first, **second}
    assert first == {"totals": {"votes": 1}}  # the shared update was not changed by the merge
    assert not lagging.ready.is_set()


class CountingHub(StreamHub):
    reads = 0

    async def snapshot(self, campaign_id: str) -> dict[str, Any]:
        self.reads += 1
        await asyncio.sleep(0.05)  # clients keep arriving while the read is under way
        return await super().snapshot(campaign_id)


async def test_a_thousand_clients_arriving_together_share_one_snapshot_read(
    settings: Settings, redis_client: aioredis.Redis,
):
    store = TallyStore(redis_client, settings)
    await store.ensure_generation()
    iid = uuid.uuid4()
    events = h.as_dicts([h.campaign(), h.initiative_state("submitted", initiative_id=iid, version=1,
                                                          path=h.PATHS[0], field=h.FIELDS[0]), h.vote(iid, "m1")])
    await store.apply_batch([script_call(e) for e in events])
    hub = CountingHub(TallyReader(redis_client, settings))
    snapshots = await asyncio.gather(*(hub.first_snapshot("c2021") for _ in range(1000)))
    assert hub.reads == 1
    assert all(s == snapshots[0] for s in snapshots) and snapshots[0]["totals"]["votes"] == 1
