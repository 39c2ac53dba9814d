"""The live and building generation pointers, read for every request waiting at once in one Redis round trip.

Every read of the public API must know the live generation and that no rebuild runs. Asking Redis once per
request costs a round trip each; caching the pointers for a while would serve numbers after a rebuild
started. Here callers share reads instead: a caller joins the read that has not been sent yet, or opens a
new one. The read is sent by a task that starts after every caller that joined it arrived, so a caller
always gets pointers read after it asked: a rebuild that started (or a Redis that lost its counters)
before a request arrived is always seen by that request, exactly as with one read per request.

Even shared, a read per batch of requests is a third of the cost of a cached answer (one MGET through
redis-py per two or three requests under load): the cached-answer fast path uses ``recent`` instead,
which reuses a read that began at most ``RECENT_SECONDS`` (20 ms) before. That is the one bounded
staleness of the read API: a request arriving more than 20 ms after a rebuild started, or after Redis
lost its counters, answers 503; answers that miss the cache, and the live stream, read exactly.
"""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio as aioredis

from services.tally.keys import TallyKeys

Pointers = tuple[bytes | None, bytes | None]  # (live generation, generation being rebuilt)
RECENT_SECONDS = 0.02


class PointerReads:
    """Shared reads of ``(live, building)``: one MGET for all the callers that asked before it was sent."""

    def __init__(self, redis: aioredis.Redis, keys: TallyKeys) -> None:
        self.redis = redis
        self.names = (keys.generation, keys.building)
        self.sent = 0  # reads sent to Redis (the tests check the sharing)
        self._open: asyncio.Future[Pointers] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._latest: tuple[float, Pointers] | None = None  # (loop time the read began, its result)

    async def read(self) -> Pointers:
        """``(live, building)`` as Redis holds them at some moment after this call began."""
        loop = asyncio.get_running_loop()
        batch = self._open
        if batch is None or batch.get_loop() is not loop:
            batch = self._open = loop.create_future()
            task = loop.create_task(self._send(batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await asyncio.shield(batch)  # a caller cancelled must not cancel the others' read

    async def recent(self, max_age: float = RECENT_SECONDS) -> Pointers:
        """``(live, building)`` from a read that began at most ``max_age`` seconds ago (else a new shared read)."""
        latest = self._latest
        if latest is not None and asyncio.get_running_loop().time() - latest[0] < max_age:
            return latest[1]
        return await self.read()

    async def _send(self, batch: asyncio.Future[Pointers]) -> None:
        if self._open is batch:
            self._open = None  # who asks from now on waits for the next read: this one is sent after they came
        self.sent += 1
        began = batch.get_loop().time()
        try:
            values: list[Any] = await self.redis.mget(*self.names)
        except Exception as exc:  # every waiter sees the Redis error as if it had asked alone
            batch.set_exception(exc)
        else:
            pointers: Pointers = (values[0], values[1])
            if self._latest is None or self._latest[0] < began:
                self._latest = (began, pointers)
            batch.set_result(pointers)
        finally:
            if not batch.done():  # this task was cancelled (shutdown): so are its waiters
                batch.cancel()
