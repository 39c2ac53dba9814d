"""Rows through HTTP on the running platform (PostgreSQL): votes, submissions, dashboard reads under load."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from typing import TYPE_CHECKING

from bench.loadgen import Connection, Result, closed_loop, open_loop, percentile
from bench.procs import in_process
from bench.report import Row

if TYPE_CHECKING:
    from bench.rows import Context
    from bench.system import System

VOTE_INITIATIVES = 200
# Connections for vote traffic: many members vote at once, and a waiting vote holds no database connection
# (votes are stored by group commit, services/submission/handlers/votes.py), so the client must not be what
# limits the rate: with 16 connections the closed loop measured 16 / latency, not the service.
VOTE_CONNECTIONS = 256
# Connections for submissions: each request holds a pooled database connection while it runs.
SUBMIT_CONNECTIONS = 32
# Open-loop latency rows: the offered rates of QUALITY.md, and how much of it the platform must answer for its
# latency to count as met (below that, answers queue and the member waits however fast the counters follow).
VISIBLE_RATE = 1_000  # votes/s
SUBMIT_RATE = 300  # submissions/s
KEPT_UP = 0.95


class VisibilityClock:
    """Per initiative: when each accepted vote was answered, and when tally's count first covered it."""

    def __init__(self, system: System, ids: list[str]) -> None:
        self.system = system
        self.ids = ids
        self.accepted: dict[str, list[float]] = defaultdict(list)
        self.visible: dict[str, list[float]] = defaultdict(list)
        self.base: dict[str, int] = {}

    async def start(self) -> None:
        self.base = dict(zip(self.ids, await self.system.initiative_votes(self.ids), strict=True))

    async def poll(self, stop: asyncio.Event, *, every: float = 0.01) -> None:
        while not stop.is_set():
            await self.sample()
            await asyncio.sleep(every)
        await self.sample()

    async def sample(self) -> None:
        now = time.perf_counter()
        for initiative_id, count in zip(self.ids, await self.system.initiative_votes(self.ids), strict=True):
            seen = self.visible[initiative_id]
            while len(seen) < count - self.base[initiative_id]:
                seen.append(now)

    def pending(self) -> int:
        return sum(max(0, len(self.accepted[i]) - len(self.visible[i])) for i in self.ids)

    def lags(self) -> list[float]:
        out = []
        for initiative_id, answered in self.accepted.items():
            for at, seen in zip(sorted(answered), self.visible[initiative_id], strict=False):
                out.append(max(0.0, seen - at))
        return out


async def votes(ctx: Context) -> list[Row]:
    """Votes end to end: sustained accepted votes/s (closed loop) and vote-to-visible latency at 1,000 votes/s."""
    raw_pg, raw_publish = await ctx.baseline("raw_pg"), await ctx.baseline("raw_publish")
    system = await ctx.platform()
    await system.ensure_initiatives(VOTE_INITIATIVES)
    host, port = "127.0.0.1", system.submission_port
    seconds = ctx.seconds(20)
    system.prepare_voters(0, int(seconds * 2_000))
    ctx.console.print(f"  closed loop: {VOTE_CONNECTIONS} connections for {seconds:.0f} s")
    closed = await closed_loop(host, port, system.vote_request(0), connections=VOTE_CONNECTIONS, seconds=seconds)
    accepted = closed.count(201)
    rate = accepted / closed.seconds
    total = await system.counter("votes") + 0
    settle = await system.wait_counter("votes", accepted, within=300)
    first = int(seconds * 2_000) + 1_000
    count = ctx.n(15_000, least=1_000)
    system.prepare_voters(first, count)
    clock = VisibilityClock(system, system.initiatives[:VOTE_INITIATIVES])
    await clock.start()
    ctx.console.print(f"  open loop: {count:,} votes at 1,000/s, vote-to-visible measured on tally's counters")
    stop = asyncio.Event()
    poller = asyncio.create_task(clock.poll(stop))
    make = system.vote_request(first)

    def on_done(i: int, status: int, done: float) -> None:
        if status == 201:
            clock.accepted[system.vote_target(first + i)[1]].append(done)

    opened = await open_loop(host, port, make, rate=VISIBLE_RATE, count=count, on_done=on_done,
                             max_connections=VOTE_CONNECTIONS)
    deadline = time.perf_counter() + 120
    while clock.pending() and time.perf_counter() < deadline:  # noqa: ASYNC110 (waiting on the poller's samples)
        await asyncio.sleep(0.05)
    stop.set()
    await poller
    lags = clock.lags()
    p50, p99 = percentile(lags, 50), percentile(lags, 99)
    http_p99 = percentile(opened.latencies, 99)
    offered = count / opened.seconds
    kept_up = offered >= KEPT_UP * VISIBLE_RATE
    return [
        Row(f"votes end to end: sustained accepted votes/s (closed loop, {VOTE_CONNECTIONS} connections)", rate,
            "votes/s",
            "raw PostgreSQL 2-row tx/s", raw_pg, "≥ 3,000/s", rate >= 3_000,
            notes=f"{accepted:,} accepted in {closed.seconds:.1f} s; statuses {dict(sorted(closed.statuses.items()))}, "
                  f"{closed.errors} transport errors; HTTP p50 {percentile(closed.latencies, 50) * 1000:.0f} ms, "
                  f"p99 {percentile(closed.latencies, 99) * 1000:.0f} ms; raw confirmed publish in the same run "
                  f"{raw_publish:,.0f} msg/s; all counted by tally {settle:.1f} s after the last answer "
                  f"(national votes before: {total:,}).",
            extra={"accepted": accepted, "seconds": closed.seconds}),
        Row("votes end to end: p99 vote-to-visible at 1,000 votes/s offered (open loop)", p99 * 1000, "ms",
            bar="p99 ≤ 1,000 ms, at the offered rate", passed=p99 <= 1.0 and not clock.pending() and kept_up,
            notes=("" if kept_up else f"NOT MET: the platform answered {offered:,.0f} of the {VISIBLE_RATE:,} votes/s "
                   "offered, so answers queued (HTTP p99 below); ")
                  + f"offered {offered:,.0f}/s, {opened.count(201):,} accepted, statuses "
                  f"{dict(sorted(opened.statuses.items()))}, {opened.errors} errors; vote-to-visible p50 "
                  f"{p50 * 1000:.0f} ms, max {max(lags, default=0) * 1000:.0f} ms; HTTP answer p99 "
                  f"{http_p99 * 1000:.0f} ms from the scheduled send time; {clock.pending()} votes never visible.",
            extra={"p50_ms": p50 * 1000, "http_p99_ms": http_p99 * 1000}),
    ]


async def submissions(ctx: Context) -> list[Row]:
    """Submissions end to end: create + submit realistic Vietnamese forms, rate and p99 to visible at 300/s."""
    raw_pg = await ctx.baseline("raw_pg")
    system = await ctx.platform()
    await system.ensure_initiatives(1)
    seconds = ctx.seconds(15)
    done = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal done
        conn = Connection("127.0.0.1", system.submission_port)
        try:
            while time.perf_counter() < deadline:
                status, _ = await system.submit_one(conn)
                done += status == 200
        finally:
            conn.close()

    before = await system.counter("submitted")
    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(SUBMIT_CONNECTIONS)))
    elapsed = time.perf_counter() - started
    rate = done / elapsed
    await system.wait_counter("submitted", before + done, within=300)

    count = ctx.n(3_000, least=300)
    base = await system.counter("submitted")
    answered: list[float] = []
    seen: list[float] = []
    stop = asyncio.Event()

    async def poll() -> None:
        while not stop.is_set() or len(seen) < len(answered):
            now = time.perf_counter()
            counted = await system.counter("submitted") - base
            seen.extend([now] * max(0, counted - len(seen)))
            if stop.is_set() and time.perf_counter() > give_up:
                return
            await asyncio.sleep(0.01)

    idle: list[Connection] = []
    statuses: dict[int, int] = defaultdict(int)
    gate = asyncio.Semaphore(SUBMIT_CONNECTIONS)  # requests beyond this wait in the client, still timed from due

    async def one(due: float) -> None:
        async with gate:
            conn = idle.pop() if idle else Connection("127.0.0.1", system.submission_port)
            status, _ = await system.submit_one(conn)
            now = time.perf_counter()
            idle.append(conn)
        statuses[status] += 1
        if status == 200:
            answered.append(now)
        http.append(now - due)

    http: list[float] = []
    give_up = float("inf")
    poller = asyncio.create_task(poll())
    start = time.perf_counter()
    tasks = []
    for i in range(count):
        due = start + i / SUBMIT_RATE
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    give_up = time.perf_counter() + 120
    stop.set()
    await poller
    for conn in idle:
        conn.close()
    lags = [max(0.0, s - a) for a, s in zip(sorted(answered), seen, strict=False)]
    p99 = percentile(lags, 99)
    missing = len(answered) - len(seen)
    achieved = len(answered) / max(1e-9, max(answered, default=start) - start)
    kept_up = achieved >= KEPT_UP * SUBMIT_RATE
    return [
        Row(f"submissions end to end: create + submit/s (closed loop, {SUBMIT_CONNECTIONS} connections)", rate,
            "initiatives/s",
            "raw PostgreSQL 2-row tx/s", raw_pg, "≥ 1,000/s", rate >= 1_000,
            notes=f"{done:,} initiatives created and submitted in {elapsed:.1f} s (2 HTTP requests each, "
                  "realistic Vietnamese forms from services/simulator/corpus.py)."),
        Row("submissions end to end: p99 submit-to-visible in unit counts at 300/s (open loop)", p99 * 1000, "ms",
            bar="p99 ≤ 1,000 ms, at the offered rate", passed=p99 <= 1.0 and missing == 0 and kept_up,
            notes=("" if kept_up else f"NOT MET: the platform answered {achieved:,.0f} of the {SUBMIT_RATE} "
                   "submissions/s offered, so answers queued (HTTP p99 below); ")
                  + f"{len(answered):,} submitted at {achieved:,.1f}/s, statuses {dict(sorted(statuses.items()))}; p50 "
                  f"{percentile(lags, 50) * 1000:.0f} ms; HTTP (create+submit) p99 "
                  f"{percentile(http, 99) * 1000:.0f} ms from the scheduled time; {missing} never visible."),
    ]


def _read_paths(campaign_id: str) -> list[str]:
    return [f"/v1/campaigns/{campaign_id}/rankings?level=2&metric=votes&limit=10",
            f"/v1/campaigns/{campaign_id}/totals"]


def read_load(port: int, paths: list[str], connections: int, seconds: float) -> Result:
    """Closed-loop GETs alternating over ``paths`` (run in its own process)."""
    def make(i: int) -> tuple[str, str, dict[str, str], bytes]:
        return "GET", paths[i % len(paths)], {}, b""
    return asyncio.run(closed_loop("127.0.0.1", port, make, connections=connections, seconds=seconds))


async def dashboard(ctx: Context) -> list[Row]:
    """Dashboard reads (top-10 level-2 units + national totals) while 1,000 votes/s flow in."""
    system = await ctx.platform()
    await system.ensure_initiatives(VOTE_INITIATIVES)
    seconds = ctx.seconds(15)
    noop = await in_process(read_load, system.tally_port, ["/health"], 32, min(5.0, seconds))
    noop_rate = noop.count(200) / noop.seconds
    first = 200_000
    count = int((seconds + 4) * 1_000)
    system.prepare_voters(first, count)
    enough = asyncio.Event()
    writes = asyncio.create_task(open_loop("127.0.0.1", system.submission_port, system.vote_request(first),
                                           rate=1_000, count=count, max_connections=VOTE_CONNECTIONS, stop=enough))
    await asyncio.sleep(2)
    reads = await in_process(read_load, system.tally_port, _read_paths(system.campaign_id), 32, seconds)
    enough.set()
    written = await writes
    rate = reads.count(200) / reads.seconds
    p99 = percentile(reads.latencies, 99)
    return [Row(
        "dashboard reads under 1,000 votes/s: req/s (top-10 level-2 units + totals)", rate, "req/s",
        "no-op GET /health, same client", noop_rate, "≥ 3,000 req/s, p99 ≤ 20 ms", rate >= 3_000 and p99 <= 0.020,
        notes=f"p50 {percentile(reads.latencies, 50) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms; statuses "
              f"{dict(sorted(reads.statuses.items()))}; client: bench/loadgen.py (raw asyncio HTTP/1.1 on uvloop, "
              f"32 keep-alive connections, its own process); votes offered meanwhile "
              f"{sum(written.statuses.values()) / written.seconds:,.0f}/s, accepted {written.count(201):,}.",
        extra={"p99_ms": p99 * 1000},
    )]
