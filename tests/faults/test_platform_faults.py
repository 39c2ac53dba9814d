"""Faults injected into a running platform (`sangkien up`) while votes flow over HTTP; each ends with reconcile.

- a tally worker SIGKILLed mid-stream: its supervisor starts a new one, counts are exact (the isolated
  version with a pre-filled queue is tests/tally/test_worker.py);
- Redis's tally keys deleted under load, then `sangkien tally rebuild`: exact counts again (the isolated
  version with a feed server is tests/tally/test_rebuild.py).
"""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
import redis.asyncio as aioredis

from bench.platform import Platform
from shared.settings import Settings
from tests.faults.campaign import CampaignDriver, reconcile, tally_worker_pids
from tests.support.servers import eventually

pytestmark = pytest.mark.slow


async def _initiatives(driver: CampaignDriver, label: str, count: int = 4) -> list[str]:
    created = [await driver.submit_initiative(f"Sáng kiến {label} {n}") for n in range(count)]
    assert all(created), driver.ledger.refused
    return [i for i in created if i]


async def test_tally_worker_sigkilled_under_load_is_restarted_and_counts_exactly(platform: Platform):
    driver = CampaignDriver(platform)
    try:
        await driver.wait_ready()
        baseline = await driver.tally_totals()
        workers = tally_worker_pids(platform)
        assert len(workers) >= 2, workers
        initiatives = await _initiatives(driver, "trước khi giết tiến trình")
        stop = asyncio.Event()
        votes = asyncio.create_task(driver.vote_stream(initiatives, stop))

        async def applying() -> bool:
            return (await driver.tally_totals())["votes"] - baseline["votes"] > 50

        await eventually(applying, within=60, what="the workers to be applying votes")
        os.kill(workers[0], signal.SIGKILL)
        await asyncio.sleep(3.0)
        stop.set()
        await votes

        async def replaced() -> bool:
            now = tally_worker_pids(platform)
            return workers[0] not in now and len(now) >= len(workers)

        await eventually(replaced, within=60, what="the supervisor to start a new worker")
        await driver.wait_ready()
        await driver.wait_counted(baseline=baseline)
    finally:
        await driver.aclose()
    await asyncio.to_thread(reconcile, platform)


async def test_redis_emptied_under_load_then_rebuilt_counts_exactly(platform: Platform):
    settings = Settings(namespace=platform.namespace)
    driver = CampaignDriver(platform)
    client = aioredis.Redis.from_url(settings.redis_url)
    try:
        await driver.wait_ready()
        baseline = await driver.tally_totals()
        initiatives = await _initiatives(driver, "trước khi mất Redis")
        stop = asyncio.Event()
        votes = asyncio.create_task(driver.vote_stream(initiatives, stop))
        await asyncio.sleep(2.0)
        keys = [key async for key in client.scan_iter(match=f"{settings.namespace}:t:*", count=5000)]
        assert keys
        await client.delete(*keys)  # Redis loses every counter while votes keep coming
        rebuilt = await asyncio.to_thread(platform.cli, "tally", "rebuild", timeout=300)
        assert rebuilt.returncode == 0, rebuilt.stdout[-3000:] + rebuilt.stderr[-2000:]
        await asyncio.sleep(1.0)
        stop.set()
        await votes
        await driver.wait_counted(baseline=baseline)
    finally:
        await client.aclose()
        await driver.aclose()
    await asyncio.to_thread(reconcile, platform)
