"""Read the services' event feeds (``GET <base>/v1/events?after=&limit=``) page by page, parsed with orjson."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from shared.auth import service_token
from shared.settings import Settings


@dataclass(frozen=True)
class FeedPage:
    events: list[dict[str, Any]]
    positions: list[int]  # each event's position in the feed (empty from a feed that does not say)
    next_after: int


def feed_urls(settings: Settings) -> list[str]:
    """Every service that publishes events tally counts: submission and awards."""
    return [settings.submission_url, settings.awards_url]


async def read_pages(
    client: httpx.AsyncClient, base_url: str, settings: Settings, *, after: int = 0, page_size: int = 10_000,
) -> AsyncIterator[FeedPage]:
    """Yield the feed's pages after position ``after``, in log order.

    The next page is requested before the current one is handed over, so the service reads and sends
    it while the caller folds or applies this one.
    """
    headers = {"Authorization": f"Bearer {service_token(settings)}"}

    async def fetch(position: int) -> dict[str, Any]:
        response = await client.get(f"{base_url.rstrip('/')}/v1/events",
                                    params={"after": position, "limit": page_size}, headers=headers)
        response.raise_for_status()
        page: dict[str, Any] = orjson.loads(response.content)
        return page

    page = await fetch(after)
    while True:
        after = int(page["next_after"])
        following = asyncio.create_task(fetch(after)) if page["has_more"] else None
        try:
            if page["events"]:
                yield FeedPage(page["events"], [int(p) for p in page.get("positions") or ()], after)
        except BaseException:  # the caller stopped reading (or failed): drop the request in flight
            if following is not None:
                following.cancel()
            raise
        if following is None:
            return
        page = await following


async def read_feed(
    client: httpx.AsyncClient, base_url: str, settings: Settings, *, page_size: int = 5000,
) -> AsyncIterator[list[dict[str, Any]]]:
    """Yield the feed's events in log order, one page (list of event objects) at a time."""
    async for page in read_pages(client, base_url, settings, page_size=page_size):
        yield page.events
