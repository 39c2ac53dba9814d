"""The live stream's cadence: a change reaches clients quickly, a flow of changes at most one update per gap,
keep-alives only to idle clients, and one shared pointer read for a snapshot's sections."""

from __future__ import annotations

import asyncio
import uuid

import orjson
import redis.asyncio as aioredis

from services.tally.adapters.store import TallyStore
from services.tally.domain.args import script_call
from services.tally.reads import TallyReader
from services.tally.stream import KEEPALIVE, KEEPALIVE_SECONDS, Listener, StreamHub
from shared.settings import Settings
from tests.tally import history as h


async def seeded(settings: Settings, redis_client: aioredis.Redis) -> tuple[TallyStore, uuid.UUID]:
    store = TallyStore(redis_client, settings)
    await store.ensure_generation()
    iid = uuid.uuid4()
    events = h.as_dicts([h.campaign(), h.initiative_state("submitted", initiative_id=iid, version=1,
                                                          path=h.PATHS[0], field=h.FIELDS[0])])
    await store.apply_batch([script_call(e) for e in events])
    return store, iid


async def vote(store: TallyStore, iid: uuid.UUID, member: str) -> None:
    await store.apply_batch([script_call(e) for e in h.as_dicts([h.vote(iid, member)])])


def data(frame: bytes) -> dict:
    return orjson.loads(frame.split(b"data: ", 1)[1])


def test_a_listener_frames_its_pending_update_or_else_a_keep_alive():
    listener = Listener()
    listener.offer({"totals": {"votes": 1}}, b'{"totals":{"votes":1}}')
    listener.ping(1.0)  # an update is pending: it goes instead of the keep-alive
    assert listener.frame() == b'event: update\ndata: {"totals":{"votes":1}}\n\n'
    assert not listener.ready.is_set()
    listener.ping(2.0)
    assert listener.ready.is_set() and listener.frame() == KEEPALIVE and not listener.ready.is_set()


def test_the_hub_sends_keep_alives_only_to_clients_idle_for_fifteen_seconds(settings, redis_client):
    hub = StreamHub(TallyReader(redis_client, settings))
    idle, busy = Listener(now=0.0), Listener(now=0.0)
    hub.listeners["c2021"] = {idle, busy}
    busy.offer({"totals": {}}, b"{}", now=KEEPALIVE_SECONDS - 1)
    busy.take()
    hub._keep_alive(KEEPALIVE_SECONDS + 0.5)
    assert idle.ready.is_set() and not busy.ready.is_set()


async def test_a_change_comes_at_once_and_a_flow_of_changes_at_most_once_per_gap(settings, redis_client):
    store, iid = await seeded(settings, redis_client)
    reader = TallyReader(redis_client, settings)
    hub = StreamHub(reader, interval=0.01, min_gap=0.3)
    hub.start()
    stream = hub.events("c2021")
    try:
        assert data(await anext(stream))["totals"]["votes"] == 0
        loop = asyncio.get_running_loop()
        await vote(store, iid, "m1")
        first = data(await asyncio.wait_for(anext(stream), 5))
        first_at = loop.time()
        assert first["totals"]["votes"] == 1 and "top_initiatives" in first
        assert "top_units_initiatives" not in first  # unchanged sections are not sent again
        for k in range(2, 6):
            await vote(store, iid, f"m{k}")
        second = data(await asyncio.wait_for(anext(stream), 5))
        assert loop.time() - first_at >= 0.3 - 0.01 / 2 - 0.01  # the gap, minus half a tick, minus timer slack
        assert second["totals"]["votes"] == 5  # the flow since the last update, in one update
        sent = reader.pointers.sent
        await hub.snapshot("c2021")
        assert reader.pointers.sent - sent <= 1  # five sections, one pointer read (none if the hub's was open)
    finally:
        await stream.aclose()
        await hub.stop()
