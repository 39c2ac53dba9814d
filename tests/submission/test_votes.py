"""Votes: one per member per initiative under concurrency, window and status rules, Redis rate limits."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import REGISTRY
from sqlalchemy import func, select

from services.submission.adapters.tables import outbox, votes
from shared.events import vote_id_for

from .support import Harness, service_settings, start


def _batch_figures() -> tuple[float, float]:
    """(ballots stored in batches so far, batches of one so far) from the vote-batch histogram."""
    total = REGISTRY.get_sample_value("sangkien_vote_batch_size_sum") or 0.0
    singles = REGISTRY.get_sample_value("sangkien_vote_batch_size_bucket", {"le": "1.0"}) or 0.0
    return total, singles


async def count(h: Harness, stmt: Any) -> int:
    async with h.context.engine.connect() as conn:
        return int(await conn.scalar(stmt) or 0)


async def test_fifty_concurrent_identical_votes_store_one_vote_and_one_event(harness: Harness) -> None:
    h = harness
    item = await h.submitted()
    voter = h.member("dv-binh-chon-01")
    responses = await asyncio.gather(*(
        h.client.post(f"/v1/initiatives/{item['id']}/votes", headers=voter) for _ in range(50)
    ))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 49 + [201]
    expected = str(vote_id_for("demo", uuid.UUID(item["id"]), "dv-binh-chon-01"))
    assert {r.json()["vote_id"] for r in responses} == {expected}
    assert sum(r.json()["already_voted"] for r in responses) == 49
    assert await count(h, select(func.count()).select_from(votes)) == 1
    assert await count(h, select(func.count()).select_from(outbox).where(outbox.c.type == "vote.cast")) == 1


async def test_votes_only_for_submitted_initiatives(harness: Harness) -> None:
    h = harness
    draft = await h.create()
    voter = h.member("dv-khac")
    assert (await h.client.post(f"/v1/initiatives/{draft['id']}/votes", headers=voter)).status_code == 404
    item = await h.submitted()
    await h.client.post(f"/v1/initiatives/{item['id']}/withdraw", json={"reason": "Xin rút"}, headers=h.member())
    refused = await h.client.post(f"/v1/initiatives/{item['id']}/votes", headers=voter)
    assert refused.status_code == 409 and refused.json()["type"].endswith("/already-withdrawn")
    missing = await h.client.post(f"/v1/initiatives/{uuid.uuid4()}/votes", headers=voter)
    assert missing.status_code == 404


async def test_votes_only_inside_the_voting_window(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    now = datetime.now(UTC)
    campaign = {
        "id": "binh-chon-sau", "name": "Phong trào thử: bình chọn mở sau", "target": 100,
        "submission_opens_at": (now - timedelta(days=1)).isoformat(),
        "submission_closes_at": (now + timedelta(days=10)).isoformat(),
        "voting_opens_at": (now + timedelta(days=20)).isoformat(),
        "voting_closes_at": (now + timedelta(days=30)).isoformat(),
        "fields": [{"code": "y_te", "label": "Y tế"}], "quotas": {"P24": 10},
    }
    created = await h.client.post("/v1/campaigns", json=campaign, headers=h.admin())
    assert created.status_code == 201, created.text
    item = await h.submitted(campaign_id="binh-chon-sau")
    response = await h.client.post(f"/v1/initiatives/{item['id']}/votes", headers=h.member("dv-som"))
    assert response.status_code == 409 and response.json()["type"].endswith("/window-closed")
    assert "giờ Việt Nam" in response.json()["detail"]


async def test_rate_limit_per_member_answers_429_with_retry_after(settings: Any, redis_client: Any) -> None:
    async for h in start(service_settings(settings, settings.submission_db_url, vote_rate_per_member=3)):
        items = [await h.submitted(title=f"Sáng kiến {n}") for n in range(4)]
        voter = h.member("dv-nhanh-tay")
        codes = [
            (await h.client.post(f"/v1/initiatives/{i['id']}/votes", headers=voter)).status_code for i in items
        ]
        assert codes == [201, 201, 201, 429]
        limited = await h.client.post(f"/v1/initiatives/{items[0]['id']}/votes", headers=voter)
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert limited.json()["type"].endswith("/rate-limited")
        other = await h.client.post(f"/v1/initiatives/{items[3]['id']}/votes", headers=h.member("dv-cham"))
        assert other.status_code == 201
        keys = [k async for k in redis_client.scan_iter(match=f"{settings.namespace}:rl:*")]
        assert keys, "rate-limit keys live under the namespace"


async def test_rate_limit_per_address(settings: Any, redis_client: Any) -> None:
    async for h in start(service_settings(settings, settings.submission_db_url, vote_rate_per_address=2)):
        item = await h.submitted()
        codes = [
            (await h.client.post(f"/v1/initiatives/{item['id']}/votes", headers=h.member(f"dv-{n}"))).status_code
            for n in range(3)
        ]
        assert codes == [201, 201, 429]


async def test_votes_are_refused_with_503_when_the_rate_limiter_is_unreachable(
    settings: Any, redis_client: Any,
) -> None:
    broken = service_settings(settings, settings.submission_db_url, redis_url="redis://127.0.0.1:1/0",
                              submission_redis_url="redis://127.0.0.1:1/0")
    async for h in start(broken):
        item = await h.submitted()
        response = await h.client.post(f"/v1/initiatives/{item['id']}/votes", headers=h.member("dv-cho"))
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        assert await count(h, select(func.count()).select_from(votes)) == 0
        assert (await h.client.get("/ready")).json()["checks"]["redis"] is False


async def test_a_burst_is_stored_in_batches_and_every_ballot_hears_its_own_answer(harness: Harness) -> None:
    """Group commit: a concurrent burst mixing new votes, repeats inside the burst, a withdrawn, a draft and an
    unknown initiative — each request gets the answer it would get alone, and exactly the new votes are stored."""
    h = harness
    batches_before = _batch_figures()
    targets = [await h.submitted(title=f"Sáng kiến bình chọn {n}") for n in range(3)]
    withdrawn = await h.submitted(title="Sáng kiến sẽ rút")
    await h.client.post(f"/v1/initiatives/{withdrawn['id']}/withdraw", json={"reason": "Xin rút"}, headers=h.member())
    draft = await h.create(title="Sáng kiến còn nháp")
    plan: list[tuple[str, str, int]] = []  # (initiative, member, expected status)
    for n in range(120):
        plan.append((targets[n % 3]["id"], f"dv-dong-loat-{n}", 201))
    for n in range(0, 120, 10):  # the same member again, for the same initiative, inside the same burst
        plan.append((targets[n % 3]["id"], f"dv-dong-loat-{n}", 200))
    plan += [(withdrawn["id"], "dv-le-rut", 409), (draft["id"], "dv-le-nhap", 404), (str(uuid.uuid4()), "dv-le", 404)]
    responses = await asyncio.gather(*(
        h.client.post(f"/v1/initiatives/{initiative}/votes", headers=h.member(member))
        for initiative, member, _ in plan
    ))
    by_vote: dict[str, list[int]] = {}
    for (initiative, member, expected), response in zip(plan, responses, strict=True):
        if expected in (200, 201):
            assert response.status_code in (200, 201), response.text
            body = response.json()
            assert body["vote_id"] == str(vote_id_for("demo", uuid.UUID(initiative), member))
            by_vote.setdefault(body["vote_id"], []).append(response.status_code)
        else:
            assert response.status_code == expected, response.text
            assert response.headers["content-type"].startswith("application/problem+json")
    assert len(by_vote) == 120
    assert all(sorted(codes) in ([201], [200, 201]) for codes in by_vote.values()), "one 201 per stored vote"
    assert await count(h, select(func.count()).select_from(votes)) == 120
    assert await count(h, select(func.count()).select_from(outbox).where(outbox.c.type == "vote.cast")) == 120
    ballots, singles = (now - before for now, before in zip(_batch_figures(), batches_before, strict=True))
    assert ballots == len(plan) and singles < len(plan), "the burst was stored in batches, not one by one"


async def test_a_member_over_their_limit_does_not_spend_the_address_budget(settings: Any, redis_client: Any) -> None:
    """Carrier-grade NAT: thousands of members share one address, so one member hammering must not lock them out."""
    limited = service_settings(settings, settings.submission_db_url, vote_rate_per_member=2, vote_rate_per_address=5)
    async for h in start(limited):
        items = [await h.submitted(title=f"Sáng kiến {n}") for n in range(8)]
        hammering = h.member("dv-bam-lien-tuc")
        codes = [
            (await h.client.post(f"/v1/initiatives/{i['id']}/votes", headers=hammering)).status_code for i in items
        ]
        assert codes == [201, 201] + [429] * 6
        neighbours = [
            (await h.client.post(f"/v1/initiatives/{items[0]['id']}/votes", headers=h.member(f"dv-cung-nat-{n}")))
            .status_code for n in range(4)
        ]
        assert neighbours == [201, 201, 201, 429]  # the address spent 2 + 3 of its 5, nothing for the refusals


async def test_ipv6_clients_are_limited_per_64_prefix(settings: Any, redis_client: Any) -> None:
    from services.submission.adapters.ratelimit import VoteRateLimiter

    limiter = VoteRateLimiter(redis_client, namespace=settings.namespace, per_member=100, per_address=2)
    outcomes = await limiter.check_many([
        ("dv-a", "2001:db8:1:2::1"), ("dv-b", "2001:db8:1:2:ffff::9"), ("dv-c", "2001:db8:1:2::abcd"),
        ("dv-d", "2001:db8:1:3::1"), ("dv-e", "203.0.113.5"),
    ])
    assert [o is None for o in outcomes] == [True, True, False, True, True]
