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
    """One SSE client: a single pending update, merged while the client has not read it."""

    def __init__(self) -> None:
        self.pending: dict[str, Any] = {}
        self.ready = asyncio.Event()

    def offer(self, sections: dict[str, Any]) -> None:
        self.pending.update(sections)
        self.ready.set()

    def take(self) -> dict[str, Any]:
        update, self.pending = self.pending, {}
        self.ready.clear()
        return update


class StreamHub:
    """Polls the change counter of watched campaigns and fans changed sections out to listeners."""

    def __init__(self, reader: TallyReader, *, interval: float = 0.3) -> None:
        self.reader = reader
        self.interval = interval
        self.listeners: dict[str, set[Listener]] = {}
        self.last: dict[str, dict[str, Any]] = {}
        self.marks: dict[str, tuple[str | None, bytes | None]] = {}
        self._task: asyncio.Task[None] | None = None

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
            for listener in self.listeners.get(campaign_id, ()):
                listener.offer(changed)

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
                first = self.last.get(campaign_id) or await self.snapshot(campaign_id)
            except RebuildingError:
                first = {"rebuilding": True}
            yield b"event: snapshot\ndata: " + orjson.dumps(first) + b"\n\n"
            while True:
                try:
                    await asyncio.wait_for(listener.ready.wait(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield b": keep-alive\n\n"
                    continue
                yield b"event: update\ndata: " + orjson.dumps(listener.take()) + b"\n\n"
        finally:
            SSE_CLIENTS.dec()
            watchers = self.listeners.get(campaign_id)
            if watchers is not None:
                watchers.discard(listener)
                if not watchers:
                    del self.listeners[campaign_id]
                    self.marks.pop(campaign_id, None)
                    self.last.pop(campaign_id, None)
