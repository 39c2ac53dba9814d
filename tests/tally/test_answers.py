"""The read API's micro-cache and shared pointer reads: fresh within the TTL, never a cached figure in a rebuild."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import orjson
import pytest

from services.tally.answers import AnswerCache
from services.tally.app import create_app
from services.tally.domain.args import script_call
from services.tally.pointers import RECENT_SECONDS, PointerReads
from services.tally.reads import RebuildingError, TallyReader
from tests.tally import history as h
from tests.tally.test_app import apply, sample

TOTALS = "/v1/campaigns/c2021/totals"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def vote(store, initiative_id: uuid.UUID, member: str) -> None:  # type: ignore[no-untyped-def]
    await store.apply_batch([script_call(d) for d in h.as_dicts([h.vote(initiative_id, member, day=1)])])


async def test_an_answer_is_shared_within_the_ttl_and_shows_a_new_vote_after_it(settings, store):
    events, a, _ = sample()
    await apply(store, events)
    app = create_app(settings)
    clock = Clock()
    app.state.answers.clock = clock
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t",
    ) as client:
        first = await client.get(TOTALS)
        assert first.status_code == 200 and first.json()["votes"] == 8
        await vote(store, a, "late-voter")
        clock.now += app.state.answers.ttl / 2
        cached = await client.get(TOTALS)
        assert cached.content == first.content and cached.headers["content-type"] == "application/json"
        clock.now += app.state.answers.ttl / 2
        fresh = await client.get(TOTALS)
        assert fresh.json()["votes"] == 9
        assert (await client.get(TOTALS, params={"x": "1"})).json()["votes"] == 9  # its own entry, read now


async def test_a_rebuild_answers_503_within_20_ms_never_a_cached_figure(settings, store):
    events, _, _ = sample()
    await apply(store, events)
    app = create_app(settings)
    app.state.answers.clock = Clock()  # cached answers never expire on their own in this test
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t",
    ) as client:
        paths = [TOTALS, "/v1/campaigns/c2021/rankings?metric=votes&limit=10", "/v1/campaigns"]
        for path in paths:
            assert (await client.get(path)).status_code == 200
        await store.redis.set(store.keys.building, "1")
        await asyncio.sleep(RECENT_SECONDS + 0.005)  # the stated bound: cached answers check pointers read ≤ 20 ms ago
        for path in paths:
            rebuilding = await client.get(path)
            assert rebuilding.status_code == 503 and rebuilding.json()["type"].endswith("/rebuilding"), path
            assert rebuilding.headers["retry-after"] == "5"
        await store.redis.delete(store.keys.building)
        await asyncio.sleep(RECENT_SECONDS + 0.005)
        assert (await client.get(TOTALS)).json()["votes"] == 8
        await store.redis.delete(store.keys.generation)  # Redis lost its counters
        await asyncio.sleep(RECENT_SECONDS + 0.005)
        assert (await client.get(TOTALS)).status_code == 503
        await store.redis.set(store.keys.generation, "7")  # a rebuild made another generation live
        await asyncio.sleep(RECENT_SECONDS + 0.005)
        assert (await client.get(TOTALS)).json()["votes"] == 0  # read from generation 7, not the cached 8


async def test_the_fast_path_never_answers_a_request_the_api_refuses(settings, store):
    events, _, _ = sample()
    await apply(store, events)
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t",
    ) as client:
        ok = "/v1/campaigns/c2021/rankings"
        assert (await client.get(ok, params={"limit": 10})).status_code == 200
        assert (await client.get(ok, params={"limit": 0})).status_code == 422
        assert (await client.get(ok, params={"parent": "NOPE"})).status_code == 404
        assert (await client.post(ok)).status_code == 405
        with_body = await client.request("GET", ok, params={"limit": 10}, content=b"x" * 2_000_000)
        assert with_body.status_code == 413


async def test_concurrent_misses_share_one_read_and_errors_are_not_cached():
    cache = AnswerCache(clock=Clock())
    reads = 0

    async def read() -> bytes:
        nonlocal reads
        reads += 1
        await asyncio.sleep(0.01)
        return orjson.dumps({"reads": reads})

    bodies = await asyncio.gather(*(cache.get(("/p", b""), b"0", read) for _ in range(100)))
    assert reads == 1 and set(bodies) == {b'{"reads":1}'}
    assert await cache.get(("/p", b""), b"1", read) == b'{"reads":2}'  # another generation: read again

    async def failing() -> bytes:
        raise RuntimeError("redis away")

    results = await asyncio.gather(*(cache.get(("/q", b""), b"0", failing) for _ in range(3)),
                                   return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results) and cache.fresh(("/q", b"")) is None


async def test_pointer_reads_are_shared_and_never_older_than_the_request(settings, redis_client):
    reader = TallyReader(redis_client, settings)
    pointers: PointerReads = reader.pointers
    await redis_client.set(reader.keys.generation, "3")
    results = await asyncio.gather(*(pointers.read() for _ in range(200)))
    assert set(results) == {(b"3", None)} and pointers.sent == 1
    for gen in ("4", "5"):
        await redis_client.set(reader.keys.generation, gen)
        assert await pointers.read() == (gen.encode(), None)  # a write that finished before the call is seen
    await redis_client.set(reader.keys.building, "6")
    with pytest.raises(RebuildingError):
        await reader.generation()
    sent = pointers.sent
    assert await pointers.recent() == (b"5", b"6") and pointers.sent == sent  # the read just made, reused
    await asyncio.sleep(RECENT_SECONDS + 0.005)
    await redis_client.delete(reader.keys.building)
    assert await pointers.recent() == (b"5", None) and pointers.sent == sent + 1  # too old: read again


async def test_a_cancelled_request_does_not_cancel_the_others_pointer_read(settings, redis_client):
    reader = TallyReader(redis_client, settings)
    await redis_client.set(reader.keys.generation, "2")
    first = asyncio.create_task(reader.pointers.read())
    others = [asyncio.create_task(reader.pointers.read()) for _ in range(5)]
    await asyncio.sleep(0)
    first.cancel()
    assert await asyncio.gather(*others) == [(b"2", None)] * 5
