"""Live updates for the dashboard: one Redis poll per process, coalesced Server-Sent Events per client.

Why a polled change counter rather than Redis pub/sub: the apply script already bumps ``ver`` per
campaign; publishing per event would add a PUBLISH (and a fan-out) to every vote. Here one task per
process reads ``ver`` every ``interval`` seconds for campaigns that have listeners; when it moved it
reads a compact snapshot once and hands each client only the sections that changed. A slow client
never queues a backlog: its pending update is merged in place (latest wins).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import orjson
import structlog

from services.tally.keys import NATION
from services.tally.metrics import SSE_CLIENTS
from services.tally.reads import RebuildingError, TallyReader

log = structlog.get_logger(__name__)
KEEPALIVE_SECONDS = 15.0


class Listener:
    """One SSE client: a single pending update, merged while the client has not read it.

    A client that read its last update gets the hub's update as it is, with its bytes encoded once for every
    such client (a thousand clients must not cost a thousand encodings per change); a lagging client's
    merged update is encoded for it alone.
    """

    def __init__(self) -> None:
        self.pending: dict[str, Any] = {}
        self.encoded: bytes | None = None
        self.ready = asyncio.Event()

    def offer(self, sections: dict[str, Any], encoded: bytes | None = None) -> None:
        if self.pending:
            self.pending = {**self.pending, **sections}
            self.encoded = None
        else:
            self.pending, self.encoded = sections, encoded
        self.ready.set()

    def take(self) -> bytes:
        update, encoded = self.pending, self.encoded
        self.pending, self.encoded = {}, None
        self.ready.clear()
        return encoded if encoded is not None else orjson.dumps(update)


class StreamHub:
    """Polls the change counter of watched campaigns and fans changed sections out to listeners."""

    def __init__(self, reader: TallyReader, *, interval: float = 0.3) -> None:
        self.reader = reader
        self.interval = interval
        self.listeners: dict[str, set[Listener]] = {}
        self.last: dict[str, dict[str, Any]] = {}
        self.marks: dict[str, tuple[str | None, bytes | None]] = {}
        self._task: asyncio.Task[None] | None = None
        self._first: dict[str, asyncio.Future[dict[str, Any]]] = {}

    async def snapshot(self, campaign_id: str) -> dict[str, Any]:
        root = self.reader.tree_root()
        totals = await self.reader.totals(campaign_id)
        return {
            "totals": totals,
            "top_units_initiatives": await self.reader.rankings(
                campaign_id, parent_id=root, metric="initiatives", limit=10),
            "top_units_votes": await self.reader.rankings(campaign_id, parent_id=root, metric="votes", limit=10),
            "top_initiatives": await self.reader.top_initiatives(campaign_id, unit_id=NATION, limit=10),
            "daily": await self.reader.daily(campaign_id, unit_id=NATION),
            "rebuilding": False,
        }

    async def first_snapshot(self, campaign_id: str) -> dict[str, Any]:
        """The snapshot a new client starts from: the latest one, or ONE read shared by every client arriving
        before it exists (a thousand clients connecting at once must not take a thousand Redis connections)."""
        cached = self.last.get(campaign_id)
        if cached:
            return cached
        pending = self._first.get(campaign_id)
        if pending is None:
            pending = self._first[campaign_id] = asyncio.ensure_future(self.snapshot(campaign_id))
            pending.add_done_callback(lambda _: self._first.pop(campaign_id, None))
        return await asyncio.shield(pending)

    async def _mark(self, campaign_id: str) -> tuple[str | None, bytes | None]:
        keys = self.reader.keys
        pointers: list[Any] = await self.reader.redis.mget(keys.generation, keys.building)
        live, building = pointers
        if live is None or building is not None:
            return (None, None)
        version: Any = await self.reader.redis.get(keys.campaign(live.decode(), campaign_id).version)
        return (live.decode(), version)

    async def _refresh(self, campaign_id: str) -> None:
        mark = await self._mark(campaign_id)
        if mark == self.marks.get(campaign_id):
            return
        self.marks[campaign_id] = mark
        try:
            current = await self.snapshot(campaign_id)
        except RebuildingError:
            current = {"rebuilding": True}
        previous = self.last.get(campaign_id, {})
        changed = {k: v for k, v in current.items() if previous.get(k) != v}
        self.last[campaign_id] = current
        if changed:
            encoded = orjson.dumps(changed)
            for listener in self.listeners.get(campaign_id, ()):
                listener.offer(changed, encoded)

    async def run(self) -> None:
        while True:
            for campaign_id in list(self.listeners):
                try:
                    await self._refresh(campaign_id)
                except Exception as exc:  # Redis away: keep clients connected, try again next tick
                    log.warning("stream refresh failed", campaign_id=campaign_id, error=repr(exc))
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def events(self, campaign_id: str) -> AsyncIterator[bytes]:
        """The SSE body for one client: a full snapshot first, then changed sections as they come."""
        listener = Listener()
        self.listeners.setdefault(campaign_id, set()).add(listener)
        SSE_CLIENTS.inc()
        try:
            try:
                first = await self.first_snapshot(campaign_id)
            except RebuildingError:
                first = {"rebuilding": True}
            yield b"event: snapshot\ndata: " + orjson.dumps(first) + b"\n\n"
            while True:
                try:
                    await asyncio.wait_for(listener.ready.wait(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield b": keep-alive\n\n"
                    continue
                yield b"event: update\ndata: " + listener.take() + b"\n\n"
        finally:
            SSE_CLIENTS.dec()
            watchers = self.listeners.get(campaign_id)
            if watchers is not None:
                watchers.discard(listener)
                if not watchers:
                    del self.listeners[campaign_id]
                    self.marks.pop(campaign_id, None)
                    self.last.pop(campaign_id, None)
