"""The reviewer queue pages with sealed cursors: every case once, nothing readable, a changed cursor is a 400."""

from __future__ import annotations

import base64
import re
import uuid

from services.awards.bootstrap import AwardsService
from shared.settings import Settings

from .builders import awards_api, campaign_event, chain, feed, initiative_event, reviewer


async def test_queue_pages_walk_every_case_once_with_opaque_cursors(settings: Settings) -> None:
    path = chain()
    async with awards_api(settings) as (app, client):
        service: AwardsService = app.state.awards
        await feed(service, campaign_event(), *(initiative_event(path=path, title=f"Sáng kiến {n}") for n in range(3)))
        seen: list[str] = []
        cursor: str | None = None
        for _ in range(5):
            params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
            page = await client.get("/v1/queue", params=params, headers=reviewer(path[-1]))
            assert page.status_code == 200, page.text
            seen += [i["case_id"] for i in page.json()["items"]]
            cursor = page.json()["next_cursor"]
            if cursor is None:
                break
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            assert not re.search(rb"\d{4}-\d{2}-\d{2}", raw)
            assert all(uuid.UUID(c).bytes not in raw and c.encode() not in raw for c in seen)
        assert len(seen) == 3 and len(set(seen)) == 3
        first = await client.get("/v1/queue", params={"limit": 1}, headers=reviewer(path[-1]))
        raw = bytearray(base64.urlsafe_b64decode(first.json()["next_cursor"] + "=="))
        raw[-1] ^= 0x01
        tampered = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
        answer = await client.get("/v1/queue", params={"limit": 1, "cursor": tampered}, headers=reviewer(path[-1]))
        assert answer.status_code == 400 and answer.json()["type"].endswith("/bad-cursor")
