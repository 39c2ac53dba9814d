"""Campaigns: idempotent default seed, admin create/update with events, public reads, OpenAPI, event feed."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from services.submission.adapters.tables import outbox
from shared.settings import Settings

from .support import Harness, service_settings, start

NEW_CAMPAIGN = {
    "id": "mot-trieu-2022", "name": "Phong trào “1 triệu sáng kiến”", "target": 1_000_000,
    "submission_opens_at": "2022-01-01T00:00:00+07:00", "submission_closes_at": "2023-12-31T23:55:00+07:00",
    "voting_opens_at": "2022-01-01T00:00:00+07:00", "voting_closes_at": "2023-12-31T23:55:00+07:00",
    "fields": [{"code": "atvsld", "label": "An toàn, vệ sinh lao động"}], "quotas": {"P24": 20_000, "P40": 15_000},
}


async def configured_events(h: Harness) -> list[dict[str, Any]]:
    async with h.context.engine.connect() as conn:
        rows = (await conn.execute(select(outbox.c.payload).where(outbox.c.type == "campaign.configured"))).all()
    return [json.loads(r.payload) for r in rows]


async def test_default_campaigns_are_seeded_once_across_restarts(settings: Settings, db_backend: str,
                                                                 redis_client: Any) -> None:
    configured = service_settings(settings, db_backend)
    for _ in range(2):
        async for h in start(configured):
            campaigns = (await h.client.get("/v1/campaigns")).json()
            events = await configured_events(h)
    assert [c["id"] for c in campaigns] == ["75k-2021", "demo"]
    assert sorted((e["campaign_id"], e["version"]) for e in events) == [("75k-2021", 1), ("demo", 1)]
    c2021 = next(c for c in campaigns if c["id"] == "75k-2021")
    assert c2021["target"] == 75_000 and c2021["submission_closes_at"] == "2021-04-20T16:55:00Z"
    assert c2021["name"] == "Phong trào 75 nghìn sáng kiến vượt khó, phát triển"
    assert c2021["quotas"]["P24"] > 0 and len(c2021["quotas"]) == 83
    assert {f["code"] for f in c2021["fields"]} >= {"atvsld", "cai_cach_hanh_chinh", "san_pham_moi"}


async def test_without_demo_seed_only_the_2021_campaign_exists(settings: Settings, redis_client: Any) -> None:
    async for h in start(service_settings(settings, settings.submission_db_url, seed_demo_campaign=False)):
        assert [c["id"] for c in (await h.client.get("/v1/campaigns")).json()] == ["75k-2021"]


async def test_admin_creates_and_reconfigures_a_campaign_with_events(harness: Harness) -> None:
    h = harness
    headers = {**h.admin(), "Idempotency-Key": "tao-1-trieu"}
    created = await h.client.post("/v1/campaigns", json=NEW_CAMPAIGN, headers=headers)
    replay = await h.client.post("/v1/campaigns", json=NEW_CAMPAIGN, headers=headers)
    assert (created.status_code, replay.status_code) == (201, 201) and replay.json() == created.json()
    assert (await h.client.post("/v1/campaigns", json=NEW_CAMPAIGN, headers=h.member())).status_code == 403
    config = {k: v for k, v in NEW_CAMPAIGN.items() if k != "id"}
    extended = {**config, "submission_extended_until": "2024-01-31T23:55:00+07:00"}
    updated = await h.client.put("/v1/campaigns/mot-trieu-2022", json=extended, headers=h.admin())
    assert updated.status_code == 200 and updated.json()["version"] == 2
    assert (await h.client.put("/v1/campaigns/khong-co", json=config, headers=h.admin())).status_code == 404
    mine = [e for e in await configured_events(h) if e["campaign_id"] == "mot-trieu-2022"]
    assert [(e["version"], e["submission_closes_at"]) for e in mine] == [
        (1, "2023-12-31T16:55:00Z"), (2, "2024-01-31T16:55:00Z"),
    ]
    assert mine[0]["quotas"] == {"P24": 20_000, "P40": 15_000} and mine[0]["fields"] == ["atvsld"]
    public = (await h.client.get("/v1/campaigns/mot-trieu-2022")).json()
    assert public["submission_extended_until"] == "2024-01-31T16:55:00Z"


async def test_event_feed_pages_the_outbox_for_services_only(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await h.submitted()
    assert (await h.client.get("/v1/events")).status_code == 401
    assert (await h.client.get("/v1/events", headers=h.member())).status_code == 403
    page = (await h.client.get("/v1/events", params={"limit": 2}, headers=h.service())).json()
    assert len(page["events"]) == 2 and page["has_more"] is True
    rest = (await h.client.get("/v1/events", params={"after": page["next_after"]}, headers=h.service())).json()
    types = [e["type"] for e in page["events"] + rest["events"]]
    assert types == ["campaign.configured", "campaign.configured", "initiative.drafted", "initiative.submitted"]


async def test_openapi_document_describes_the_api(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    spec = (await h.client.get("/openapi.json")).json()
    for path in ("/v1/initiatives", "/v1/initiatives/{initiative_id}/votes", "/v1/imports", "/v1/campaigns",
                 "/v1/initiatives/{initiative_id}/attachments", "/v1/events"):
        assert path in spec["paths"], path
    assert (await h.client.get("/docs")).status_code == 200
