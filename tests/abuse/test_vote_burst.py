"""A burst of votes when the campaign cache has just expired must not starve the database pool (found by stuffing).

Every vote used to hold a pooled connection while the campaign lookup waited for a second one; with more
requests in flight than the pool holds, all of them waited until the pool's timeout and answered 500.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from shared.settings import Settings
from tests.submission.support import service_settings, start

BURST = 60  # well above the pool (10 + 10 overflow)


async def test_a_vote_burst_on_a_cold_campaign_cache_is_answered_without_server_errors(
    settings: Settings, db_backend: str, redis_client,
):
    async for h in start(service_settings(settings, db_backend)):
        item = await h.submitted()
        h.context.campaigns.ttl = 0  # every vote misses the cache, as all do right after it expires
        responses = await asyncio.gather(*(
            h.client.post(f"/v1/initiatives/{item['id']}/votes", headers=h.member(f"dv-loat-{n}"))
            for n in range(BURST)
        ))
        assert Counter(r.status_code for r in responses) == {201: BURST}
