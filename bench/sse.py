"""The live-stream row: 1,000 SSE clients while votes flow; how late each client sees each change, memory per client."""

from __future__ import annotations

import asyncio
import bisect
import time
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from bench.loadgen import Connection, open_loop, percentile
from bench.procs import in_process
from bench.report import Row
from bench.tally_rows import rss_bytes

if TYPE_CHECKING:
    from bench.rows import Context

Seen = list[tuple[float, int]]  # (perf_counter time, national votes the client was shown)


async def _client(port: int, path: str, deadline_box: list[float], connected: list[int]) -> Seen:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**22)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
    await reader.readuntil(b"\r\n\r\n")
    connected[0] += 1
    seen: Seen = []
    buffer = b""
    try:
        while True:
            remaining = deadline_box[0] - time.perf_counter()
            if remaining <= 0:
                return seen
            try:
                chunk = await asyncio.wait_for(reader.read(65536), remaining)
            except TimeoutError:
                return seen
            if not chunk:
                return seen
            now = time.perf_counter()
            buffer += chunk
            while b"\n\n" in buffer:  # SSE events; chunked-encoding size lines are skipped as non-data lines
                event, buffer = buffer.split(b"\n\n", 1)
                for line in event.split(b"\n"):
                    if line.startswith(b"data: "):
                        data = orjson.loads(line[6:])
                        totals = data.get("totals")
                        if isinstance(totals, dict) and "votes" in totals:
                            seen.append((now, int(totals["votes"])))
    finally:
        writer.close()


def sse_clients(
    port: int, path: str, clients: int, connect_seconds: float, listen_seconds: float,
) -> tuple[list[Seen], dict[str, int], float]:
    """Connect ``clients`` SSE clients, then listen ``listen_seconds`` after the last connected (own process).

    Returns what each client was shown, the errors met by kind, and when the clients stopped listening.
    """
    async def run() -> tuple[list[Seen], dict[str, int], float]:
        deadline = [time.perf_counter() + connect_seconds + listen_seconds]
        connected = [0]
        tasks = [asyncio.create_task(_client(port, path, deadline, connected)) for _ in range(clients)]
        while connected[0] < clients and time.perf_counter() < deadline[0] - listen_seconds:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        deadline[0] = time.perf_counter() + listen_seconds
        done = await asyncio.gather(*tasks, return_exceptions=True)
        errors: dict[str, int] = {}
        for d in done:
            if isinstance(d, BaseException):
                errors[repr(d)[:120]] = errors.get(repr(d)[:120], 0) + 1
        return [d if isinstance(d, list) else [] for d in done], errors, deadline[0]
    return asyncio.run(run())


async def _sse_gauge(port: int) -> int:
    """Connected SSE clients by the server's gauge, summed over its worker processes (one series per pid)."""
    conn = Connection("127.0.0.1", port)
    try:
        _, body = await conn.request("GET", "/metrics", {})
    finally:
        conn.close()
    total = 0.0
    for line in body.decode().splitlines():
        if line.startswith(("sangkien_tally_sse_clients ", "sangkien_tally_sse_clients{")):
            total += float(line.rsplit(" ", 1)[1])
    return int(total)


def _with_children(pids: list[int]) -> list[int]:
    """The processes and their children: `uvicorn --workers` runs the app in spawned children."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid in pids:
                children.append(int(entry.name))
    return pids + children


async def sse(ctx: Context) -> list[Row]:
    """1,000 SSE clients while votes flow: lag from a counter change in Redis to each client seeing it; RSS/client."""
    system = await ctx.platform()
    await system.ensure_initiatives(200)
    clients = 1_000
    pids = _with_children(system.platform.child_pids("services.tally.app"))
    rss0 = sum(rss_bytes(p) for p in pids)
    vote_seconds = ctx.seconds(10)
    path = f"/v1/stream?campaign_id={system.campaign_id}"
    listening = asyncio.create_task(
        in_process(sse_clients, system.tally_port, path, clients, 60.0, 2 * vote_seconds + 10))
    start = time.perf_counter()
    while await _sse_gauge(system.tally_port) < clients and time.perf_counter() - start < 60:  # noqa: ASYNC110
        await asyncio.sleep(0.2)
    connected = await _sse_gauge(system.tally_port)
    await asyncio.sleep(1)
    rss1 = sum(rss_bytes(p) for p in pids)
    series: Seen = []
    stop = asyncio.Event()

    async def poll() -> None:
        while not stop.is_set():
            value = await system.counter("votes")
            if not series or value != series[-1][1]:
                series.append((time.perf_counter(), value))
            await asyncio.sleep(0.01)

    first = 400_000
    count = int(vote_seconds * 200)
    system.prepare_voters(first, count)
    poller = asyncio.create_task(poll())
    await open_loop("127.0.0.1", system.submission_port, system.vote_request(first), rate=200, count=count,
                    max_connections=16)
    seen_by_client, errors, ended = await listening
    stop.set()
    await poller
    lags: list[float] = []
    missed = 0
    # the first sample is the state before the votes; changes in the last 2 s of listening cannot be judged
    changes = [(at, value) for at, value in series[1:] if at < ended - 2.0]
    for seen in seen_by_client:
        values = [v for _, v in seen]
        for at, value in changes:
            k = bisect.bisect_left(values, value)
            if k == len(values):
                missed += 1
            else:
                lags.append(max(0.0, seen[k][0] - at))
    per_client = (rss1 - rss0) / connected if connected else float("nan")
    received = sum(1 for seen in seen_by_client if seen)
    p99, worst = percentile(lags, 99), max(lags, default=float("nan"))
    return [
        Row(f"live stream: {clients:,} SSE clients — p99 lag, counter change → client", p99 * 1000, "ms",
            bar="every client sees each change ≤ 1 s", passed=worst <= 1.0 and missed == 0 and connected >= clients,
            notes=f"{connected:,} connected (server gauge), {received:,} received a snapshot; {len(changes)} "
                  f"changes of the national vote counter while 200 votes/s flowed for {vote_seconds:.0f} s; "
                  f"lag p50 {percentile(lags, 50) * 1000:.0f} ms, p99 "
                  f"{p99 * 1000:.0f} ms, max {worst * 1000:.0f} ms; {missed} (client, change) pairs never seen. "
                  "A change counts as seen when the client is shown that value or a later one (the stream coalesces)."
                  + (f" Client errors: {errors}." if errors else ""),
            extra={"max_ms": worst * 1000, "missed": missed}),
        Row("live stream: tally API memory per SSE client (RSS Δ / clients)", per_client / 1024, "KiB",
            bar="stated", notes=f"tally API RSS {rss0 / 2**20:.0f} MB before, {rss1 / 2**20:.0f} MB with "
                                f"{connected:,} clients."),
    ]
