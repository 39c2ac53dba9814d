"""The live stream admits only campaigns tally counts, within caps per process and per address; junk query
parameters do not get past the read cache."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.tally.answers import READ_FROM_REDIS
from services.tally.app import create_app
from shared.problems import PROBLEM_MEDIA_TYPE
from shared.settings import Settings
from tests.support.servers import free_port
from tests.tally.conftest import serve
from tests.tally.test_answers import Clock
from tests.tally.test_app import apply, sample


def reads() -> float:
    return READ_FROM_REDIS._value.get()


async def test_junk_query_parameters_are_served_from_the_cache(settings: Settings, store: Any):
    events, _, _ = sample()
    await apply(store, events)
    app = create_app(settings)
    app.state.answers.clock = Clock()  # answers stay fresh for the whole test
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t",
    ) as client:
        before = reads()
        first = await client.get("/v1/campaigns/c2021/totals")
        for n in range(20):
            junk = await client.get("/v1/campaigns/c2021/totals", params={"x": str(n), f"y{n}": "1"})
            assert junk.status_code == 200 and junk.content == first.content
        assert reads() - before == 1

        before = reads()
        national = await client.get("/v1/campaigns/c2021/top-initiatives")
        p40 = await client.get("/v1/campaigns/c2021/top-initiatives?unit=P40")
        assert national.json()["unit_id"] == "*" and p40.json()["unit_id"] == "P40" and reads() - before == 2

        before = reads()
        p24 = await client.get("/v1/campaigns/c2021/top-initiatives", params={"unit": "P24", "limit": "5"})
        for n in range(10):
            again = await client.get(f"/v1/campaigns/c2021/top-initiatives?limit=5&cachebust={n}&unit=P24")
            assert again.content == p24.content
        assert reads() - before == 1
        # what the route reads still tells answers apart: another unit, and the last of repeated values
        p40 = await client.get("/v1/campaigns/c2021/top-initiatives", params={"unit": "P40", "limit": "5"})
        assert p40.content != p24.content and reads() - before == 2
        repeated = await client.get("/v1/campaigns/c2021/top-initiatives?unit=P24&unit=P40&limit=5")
        assert repeated.content == p40.content and reads() - before == 2
        spelled = await client.get("/v1/campaigns/c2021/top-initiatives?unit=%50%32%34&limit=5")
        assert spelled.content == p24.content and reads() - before == 2
        invalid = await client.get("/v1/campaigns/c2021/top-initiatives?unit=P24&limit=500")
        assert invalid.status_code == 422  # validation first: never a cached answer for a refused request


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[str]:
    port = free_port()
    server, task = await serve(create_app(settings), port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


async def _open(client: httpx.AsyncClient, stack: contextlib.AsyncExitStack, campaign: str = "c2021") -> str:
    """Open a stream and read its first line (the snapshot has started); it stays open until ``stack`` closes."""
    response = await stack.enter_async_context(client.stream("GET", "/v1/stream", params={"campaign_id": campaign}))
    assert response.status_code == 200
    lines = response.aiter_lines()
    stack.push_async_callback(lines.aclose)  # a dropped line iterator would close the connection at once
    return await asyncio.wait_for(anext(lines), 5)


async def _refused(client: httpx.AsyncClient, campaign: str = "c2021") -> httpx.Response:
    response = await asyncio.wait_for(client.get("/v1/stream", params={"campaign_id": campaign}), 5)
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE, response.text
    return response


async def test_the_stream_takes_only_a_campaign_tally_counts(settings: Settings, store: Any):
    events, _, _ = sample()
    await apply(store, events)
    async with running(settings) as url, httpx.AsyncClient(base_url=url, timeout=10) as client:
        for bad in ("", "C2021", "c2021/../x", "x" * 65, "c 2021", "-c"):
            assert (await _refused(client, bad)).status_code == 422, bad
        unknown = await _refused(client, "c1999")
        assert unknown.status_code == 404 and " — " in unknown.json()["detail"]
        async with contextlib.AsyncExitStack() as stack:
            assert await _open(client, stack) == "event: snapshot"


@pytest.mark.parametrize(("cap", "status"), [("sse_max_clients_per_address", 429), ("sse_max_clients", 503)])
async def test_the_stream_caps_clients_and_frees_a_place_when_one_leaves(
    settings: Settings, store: Any, cap: str, status: int,
):
    events, _, _ = sample()
    await apply(store, events)
    limited = settings.model_copy(update={cap: 2})
    async with running(limited) as url, httpx.AsyncClient(base_url=url, timeout=10) as client, \
            contextlib.AsyncExitStack() as stack:
        await _open(client, stack)
        async with contextlib.AsyncExitStack() as second:
            await _open(client, second)
            refused = await _refused(client)
            assert refused.status_code == status and refused.json()["limit"] == 2
            assert refused.headers["retry-after"] == "5"
        for _ in range(100):  # the second client left: its place is free again (once the server saw it go)
            async with client.stream("GET", "/v1/stream", params={"campaign_id": "c2021"}) as third:
                if third.status_code == 200:
                    break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("the place of a client that left was not freed")
