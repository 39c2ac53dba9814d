"""A small HTTP/1.1 load generator on raw asyncio streams (uvloop): keep-alive connections, closed and open loop.

httpx costs about a millisecond of CPU per request, which on this 2-core machine would make the client the
bottleneck; writing the request bytes and reading a Content-Length answer costs tens of microseconds.
Open loop: request i is due at ``start + i / rate`` whatever happened before, and its latency is counted
from that due time, so a slow server cannot hide behind a slow client (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from services.simulator.wire import TRANSPORT_ERRORS, Connection

__all__ = ["Connection", "Result", "closed_loop", "open_loop", "percentile"]

RequestFactory = Callable[[int], tuple[str, str, dict[str, str], bytes]]  # i -> method, path, headers, body


@dataclass
class Result:
    """What a load run saw: per request its index, status, due/sent time, done time (perf_counter seconds)."""

    started: float = 0.0
    finished: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    done_at: dict[int, tuple[int, float]] = field(default_factory=dict)  # i -> (status, done time)
    errors: int = 0

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    def count(self, *statuses: int) -> int:
        return sum(n for s, n in self.statuses.items() if s in statuses)

    def record(self, i: int, status: int, due: float, done: float) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.latencies.append(done - due)
        self.done_at[i] = (status, done)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


async def closed_loop(
    host: str, port: int, make: RequestFactory, *, connections: int, count: int | None = None,
    seconds: float | None = None, keep: bool = False,
) -> Result:
    """``connections`` clients each sending its next request when the last answered, until count or time is up."""
    result = Result()
    next_i = 0
    deadline = float("inf")

    async def client() -> None:
        nonlocal next_i
        conn = Connection(host, port)
        try:
            while (count is None or next_i < count) and time.perf_counter() < deadline:
                i = next_i
                next_i += 1
                method, path, headers, body = make(i)
                sent = time.perf_counter()
                try:
                    status, _ = await conn.request(method, path, headers, body)
                except TRANSPORT_ERRORS:
                    result.errors += 1
                    conn.close()
                    continue
                done = time.perf_counter()
                if keep:
                    result.record(i, status, sent, done)
                else:
                    result.statuses[status] = result.statuses.get(status, 0) + 1
                    result.latencies.append(done - sent)
        finally:
            conn.close()

    result.started = time.perf_counter()
    if seconds is not None:
        deadline = result.started + seconds
    await asyncio.gather(*(client() for _ in range(connections)))
    result.finished = time.perf_counter()
    return result


async def open_loop(
    host: str, port: int, make: RequestFactory, *, rate: float, count: int, max_connections: int = 1024,
    on_done: Callable[[int, int, float], None] | None = None, stop: asyncio.Event | None = None,
) -> Result:
    """Send request i at ``start + i / rate`` on any idle connection (opening more up to ``max_connections``).

    ``stop`` ends the schedule early; requests already due are still sent and counted.
    """
    result = Result()
    idle: list[Connection] = []
    gate = asyncio.Semaphore(max_connections)

    async def one(i: int, due: float) -> None:
        async with gate:
            conn = idle.pop() if idle else Connection(host, port)
            method, path, headers, body = make(i)
            try:
                status, _ = await conn.request(method, path, headers, body)
            except TRANSPORT_ERRORS:
                result.errors += 1
                conn.close()
                return
            done = time.perf_counter()
            idle.append(conn)
        result.record(i, status, due, done)
        if on_done is not None:
            on_done(i, status, done)

    tasks: list[asyncio.Task[None]] = []
    result.started = start = time.perf_counter()
    for i in range(count):
        if stop is not None and stop.is_set():
            break
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, due)))
    await asyncio.gather(*tasks)
    result.finished = time.perf_counter()
    for conn in idle:
        with contextlib.suppress(Exception):
            conn.close()
    return result
