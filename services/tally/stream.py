"""Live updates for the dashboard: one Redis poll per process, coalesced Server-Sent Events per client.

Why a polled change counter rather than Redis pub/sub: the apply script already bumps ``ver`` per
campaign; publishing per event would add a PUBLISH (and a fan-out) to every vote. Here one task per
process reads ``ver`` every ``interval`` seconds (0.05 s) for campaigns that have listeners; when it
moved it reads a compact snapshot once (its sections concurrently, in the generation one pointer read
gave) and hands each client only the sections that changed, encoded once for all. Updates of a campaign
go out at most every ``min_gap`` seconds (0.25 s): a lone change reaches clients within about 0.05 s, a
steady flow of votes makes four updates a second, not twenty (each update costs a socket write per
client, in this process and in every client). A slow client never queues a backlog: its pending update
is merged in place (latest wins).

What a change costs per client is one wake-up and one socket write: clients wait on their own event
with no timer (keep-alives come from the hub's once-a-second sweep of clients idle for 15 s), since a
timed wait per update (``asyncio.wait_for``) made a task per client per change, a quarter of the
fan-out time with a thousand clients.

Clients are admitted before their stream starts (``admit``): only campaigns of the live generation, and at most
``max_clients`` per process and ``max_per_address`` per client address, each held by a ``Lease`` that the
stream's end returns (or the garbage collector, for a stream that never started).
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import orjson
import structlog

from services.tally.keys import NATION
from services.tally.metrics import SSE_CLIENTS
from services.tally.reads import RebuildingError, TallyReader
from shared.problems import NotFoundError, RateLimitedError, UnavailableError

log = structlog.get_logger(__name__)
KEEPALIVE_SECONDS = 15.0
KEEPALIVE = b": keep-alive\n\n"


class Listener:
    """One SSE client: a single pending update, merged while the client has not read it.

    A client that read its last update gets the hub's update as it is, with its bytes encoded once for every
    such client (a thousand clients must not cost a thousand encodings per change); a lagging client's
    merged update is encoded for it alone.
    """

    def __init__(self, now: float = 0.0) -> None:
        self.pending: dict[str, Any] = {}
        self.encoded: bytes | None = None
        self.ready = asyncio.Event()
        self.offered_at = now  # hub time of the last update or keep-alive handed to this client

    def offer(self, sections: dict[str, Any], encoded: bytes | None = None, now: float = 0.0) -> None:
        if self.pending:
            self.pending = {**self.pending, **sections}
            self.encoded = None
        else:
            self.pending, self.encoded = sections, encoded
        self.offered_at = now
        self.ready.set()

    def ping(self, now: float) -> None:
        """Ask for a keep-alive comment (sent only if no update is pending by then)."""
        self.offered_at = now
        self.ready.set()

    def take(self) -> bytes:
        update, encoded = self.pending, self.encoded
        self.pending, self.encoded = {}, None
        self.ready.clear()
        return encoded if encoded is not None else orjson.dumps(update)

    def frame(self) -> bytes:
        """The next SSE frame once ``ready``: the pending update, else a keep-alive comment."""
        if self.pending:
            return b"event: update\ndata: " + self.take() + b"\n\n"
        self.ready.clear()
        return KEEPALIVE


class Lease:
    """One admitted client's place in the caps, given back exactly once."""

    def __init__(self, clients: Counter[str], address: str) -> None:
        self._clients: Counter[str] | None = clients
        self.address = address
        clients[""] += 1  # "" counts every client of the process
        clients[address] += 1

    def release(self) -> None:
        clients, self._clients = self._clients, None
        if clients is None:
            return
        for key in ("", self.address):
            clients[key] -= 1
            if clients[key] <= 0:
                del clients[key]


class StreamHub:
    """Polls the change counter of watched campaigns and fans changed sections out to listeners."""

    def __init__(self, reader: TallyReader, *, interval: float = 0.05, min_gap: float = 0.25,
                 max_clients: int = 5_000, max_per_address: int = 50) -> None:
        self.reader = reader
        self.interval = interval
        self.min_gap = min_gap
        self.max_clients = max_clients
        self.max_per_address = max_per_address
        self.clients: Counter[str] = Counter()  # admitted clients by address ("" = all)
        self.sent_at: dict[str, float] = {}
        self.listeners: dict[str, set[Listener]] = {}
        self.last: dict[str, dict[str, Any]] = {}
        self.marks: dict[str, tuple[str | None, bytes | None]] = {}
        self._task: asyncio.Task[None] | None = None
        self._first: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._swept = 0.0

    async def snapshot(self, campaign_id: str) -> dict[str, Any]:
        reader, root = self.reader, self.reader.tree_root()
        gen = await reader.generation()
        totals, top_initiatives_units, top_votes_units, top_initiatives, daily = await asyncio.gather(
            reader.totals(campaign_id, gen=gen),
            reader.rankings(campaign_id, parent_id=root, metric="initiatives", limit=10, gen=gen),
            reader.rankings(campaign_id, parent_id=root, metric="votes", limit=10, gen=gen),
            reader.top_initiatives(campaign_id, unit_id=NATION, limit=10, gen=gen),
            reader.daily(campaign_id, unit_id=NATION, gen=gen),
        )
        return {
            "totals": totals,
            "top_units_initiatives": top_initiatives_units,
            "top_units_votes": top_votes_units,
            "top_initiatives": top_initiatives,
            "daily": daily,
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
            pending.add_done_callback(lambda done: self._first_done(campaign_id, done))
        return await asyncio.shield(pending)

    def _first_done(self, campaign_id: str, done: asyncio.Future[dict[str, Any]]) -> None:
        """The clients start from this snapshot: the hub's next update carries only what changed since."""
        self._first.pop(campaign_id, None)
        if not done.cancelled() and done.exception() is None and campaign_id in self.listeners:
            self.last.setdefault(campaign_id, done.result())

    async def _mark(self, campaign_id: str) -> tuple[str | None, bytes | None]:
        live, building = await self.reader.pointers.read()
        if live is None or building is not None:
            return (None, None)
        version: Any = await self.reader.redis.get(self.reader.keys.campaign(live.decode(), campaign_id).version)
        return (live.decode(), version)

    async def _refresh(self, campaign_id: str) -> None:
        if campaign_id in self._first:
            return  # new clients' snapshot is being read: the next tick compares with it
        now = asyncio.get_running_loop().time()
        if now - self.sent_at.get(campaign_id, -self.min_gap) < self.min_gap - self.interval / 2:
            return  # clients got an update moments ago: the next one gathers every change until then
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
            self.sent_at[campaign_id] = now
            for listener in self.listeners.get(campaign_id, ()):
                listener.offer(changed, encoded, now)

    def _keep_alive(self, now: float) -> None:
        """Once a second: a keep-alive comment to every client that got nothing for ``KEEPALIVE_SECONDS``."""
        if now - self._swept < 1.0:
            return
        self._swept = now
        for listeners in self.listeners.values():
            for listener in listeners:
                if now - listener.offered_at >= KEEPALIVE_SECONDS:
                    listener.ping(now)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        tick = loop.time()
        while True:
            for campaign_id in list(self.listeners):
                try:
                    await self._refresh(campaign_id)
                except Exception as exc:  # Redis away: keep clients connected, try again next tick
                    log.warning("stream refresh failed", campaign_id=campaign_id, error=repr(exc))
            self._keep_alive(loop.time())
            tick = max(tick + self.interval, loop.time())  # a steady cadence: a slow refresh is not added to it
            await asyncio.sleep(tick - loop.time())

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def admit(self, campaign_id: str, address: str) -> Lease:
        """A place for one more client of ``campaign_id`` from ``address``, or the problem that refuses it."""
        if self.clients[""] >= self.max_clients:
            raise UnavailableError(
                f"Máy chủ đang phục vụ tối đa {self.max_clients} kết nối trực tiếp, vui lòng thử lại sau — "
                f"this server streams to at most {self.max_clients} clients at once; retry later",
                limit=self.max_clients, retry_after=5,
            )
        if self.clients[address] >= self.max_per_address:
            raise RateLimitedError(
                f"Mỗi địa chỉ chỉ được mở tối đa {self.max_per_address} kết nối trực tiếp — "
                f"at most {self.max_per_address} live streams per client address",
                limit=self.max_per_address, retry_after=5,
            )
        live, _ = await self.reader.pointers.read()
        if live is None:
            raise RebuildingError.retry_soon()
        # While a rebuild runs the live generation is still whole: its campaigns are the ones tally has seen.
        known = await self.reader.redis.sismember(self.reader.keys.campaigns(live.decode()), campaign_id)
        if not known:
            raise NotFoundError(f"Chưa có số liệu của đợt thi đua {campaign_id!r} — no counters of campaign "
                                f"{campaign_id!r}")
        return Lease(self.clients, address)

    def stream(self, campaign_id: str, lease: Lease) -> AsyncIterator[bytes]:
        """``events`` for an admitted client; the lease goes back when the stream ends or is dropped unstarted."""
        body = self.events(campaign_id, lease)
        weakref.finalize(body, lease.release)
        return body

    async def events(self, campaign_id: str, lease: Lease | None = None) -> AsyncIterator[bytes]:
        """The SSE body for one client: a full snapshot first, then changed sections as they come."""
        listener = Listener(asyncio.get_running_loop().time())
        self.listeners.setdefault(campaign_id, set()).add(listener)
        SSE_CLIENTS.inc()
        try:
            try:
                first = await self.first_snapshot(campaign_id)
            except RebuildingError:
                first = {"rebuilding": True}
            yield b"event: snapshot\ndata: " + orjson.dumps(first) + b"\n\n"
            while True:
                await listener.ready.wait()
                yield listener.frame()
        finally:
            if lease is not None:
                lease.release()
            SSE_CLIENTS.dec()
            watchers = self.listeners.get(campaign_id)
            if watchers is not None:
                watchers.discard(listener)
                if not watchers:
                    del self.listeners[campaign_id]
                    self.marks.pop(campaign_id, None)
                    self.last.pop(campaign_id, None)
                    self.sent_at.pop(campaign_id, None)
