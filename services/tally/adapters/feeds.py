"""Read the services' event feeds (``GET <base>/v1/events?after=&limit=``) page by page, parsed with orjson."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson

from shared.auth import service_token
from shared.settings import Settings


def feed_urls(settings: Settings) -> list[str]:
    """Every service that publishes events tally counts: submission and awards."""
    return [settings.submission_url, settings.awards_url]


async def read_feed(
    client: httpx.AsyncClient, base_url: str, settings: Settings, *, page_size: int = 5000,
) -> AsyncIterator[list[dict[str, Any]]]:
    """Yield the feed's events in log order, one page (list of event objects) at a time."""
    after = 0
    headers = {"Authorization": f"Bearer {service_token(settings)}"}
    while True:
        response = await client.get(f"{base_url.rstrip('/')}/v1/events", params={"after": after, "limit": page_size},
                                    headers=headers)
        response.raise_for_status()
        page = orjson.loads(response.content)
        if page["events"]:
            yield page["events"]
        after = int(page["next_after"])
        if not page["has_more"]:
            return
