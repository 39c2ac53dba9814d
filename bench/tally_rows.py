"""Rows on tally alone: apply rate of real worker processes on a pre-filled queue, memory, and the peer (SQL) row."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aio_pika
import asyncpg
import redis.asyncio as aioredis

from bench.platform import ROOT, drop_namespace
from bench.report import Row
from services.simulator.corpus import UnitPicker
from services.tally.adapters.store import TallyStore
from services.tally.domain.args import script_call
from services.tally.keys import NATION, TallyKeys
from services.tally.reads import TallyReader
from shared.events import CampaignConfigured, InitiativeStatus, InitiativeSubmitted, VoteCast, dump_event
from shared.settings import Settings
from shared.topology import topology_for
from shared.union_tree import UnionTree, get_tree

if TYPE_CHECKING:
    from bench.rows import Context

PG_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


def campaign_events(tree: UnionTree, campaign_id: str, initiatives: int, votes: int, seed: int = 5) -> list[Any]:
    """``initiatives`` submitted initiatives over the skewed tree, then ``votes`` votes by distinct members."""
    rng = random.Random(seed)
    picker = UnitPicker(tree)
    now = datetime.now(UTC)
    events: list[Any] = []
    paths: list[tuple[str, ...]] = []
    ids: list[uuid.UUID] = []
    for i in range(initiatives):
        unit = picker.pick(rng)
        initiative_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        path = tuple(tree.path(unit))
        ids.append(initiative_id)
        paths.append(path)
        events.append(InitiativeSubmitted.make(
            campaign_id=campaign_id, initiative_id=initiative_id, version=2, status=InitiativeStatus.SUBMITTED,
            unit_path=path, field="san_xuat_kinh_doanh", title=f"Sáng kiến đo hiệu năng số {i}",
            benefit_vnd=rng.randrange(0, 10**9), submitted_at=now,
        ))
    weights = [1.0 / (rank + 1) ** 0.9 for rank in range(initiatives)]
    for j, k in enumerate(rng.choices(range(initiatives), weights=weights, k=votes)):
        events.append(VoteCast.make(campaign_id=campaign_id, initiative_id=ids[k], member_id=f"m{j}",
                                    unit_path=paths[k], occurred_at=now))
    return events


def configured(campaign_id: str) -> CampaignConfigured:
    """The campaign's configuration: consumers count only events of a configured campaign."""
    now = datetime.now(UTC)
    return CampaignConfigured.make(
        campaign_id=campaign_id, version=1, name="Đo hiệu năng", target=75_000, submission_opens_at=now,
        submission_closes_at=now + timedelta(days=40), voting_opens_at=now, voting_closes_at=now + timedelta(days=40),
    )


async def prefill(settings: Settings, events: list[Any], in_flight: int = 256) -> None:
    """Publish the events to the exchange as the relay does: persistent, confirmed, message_id = event id."""
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        topology = topology_for(settings)
        await topology.declare_all(channel)
        exchange = await channel.get_exchange(topology.exchange_name)
        gate = asyncio.Semaphore(in_flight)

        async def one(event: Any) -> None:
            async with gate:
                await exchange.publish(aio_pika.Message(
                    dump_event(event), message_id=str(event.event_id), content_type="application/json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT, type=event.type,
                ), routing_key=event.type)

        for start in range(0, len(events), 20_000):
            await asyncio.gather(*(one(e) for e in events[start:start + 20_000]))


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


async def used_memory(client: aioredis.Redis) -> int:
    info: dict[str, Any] = await client.info("memory")
    return int(info["used_memory"])


async def namespace_bytes(client: aioredis.Redis, namespace: str) -> int:
    """MEMORY USAGE summed over the namespace's tally keys (blind to other users of the same Redis)."""
    total = 0
    batch: list[bytes] = []
    async for key in client.scan_iter(match=f"{namespace}:t:*", count=5000):
        batch.append(key)
        if len(batch) >= 5000:
            total += await _usage(client, batch)
            batch = []
    return total + (await _usage(client, batch) if batch else 0)


async def _usage(client: aioredis.Redis, keys: list[bytes]) -> int:
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.execute_command("MEMORY", "USAGE", key, "SAMPLES", "0")
    return sum(int(n or 0) for n in await pipe.execute())


async def run_workers(
    settings: Settings, workers: int, campaign_id: str, events: int, votes: int,
) -> tuple[float, list[int], int, int]:
    """Start ``workers`` real processes on the pre-filled queue.

    Returns events/s from the first applied event until the queue is drained and counted, the workers' RSS,
    and how much Redis' used_memory grew.
    """
    client = aioredis.Redis.from_url(settings.redis_url)
    prefix = TallyKeys(settings.namespace).campaign("0", campaign_id).prefix
    env = {**os.environ, "SANGKIEN_NAMESPACE": settings.namespace, "SANGKIEN_LOG_LEVEL": "WARNING",
           "SANGKIEN_ENV": "test"}
    memory_before = await used_memory(client)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "faststream", "run", "services.tally.worker:app", "--workers", str(workers),
        env=env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        first: tuple[float, int] | None = None
        deadline = time.perf_counter() + 900
        while True:
            version, counted = await client.get(prefix + "ver"), await client.hget(prefix + f"u:{NATION}", "votes")
            now = time.perf_counter()
            if first is None and version is not None:
                first = (now, int(version))
            if counted is not None and int(counted) >= votes:
                break
            if process.returncode is not None or now > deadline:
                raise RuntimeError(f"tally workers stopped or stalled (exit {process.returncode})")
            await asyncio.sleep(0.01)
        assert first is not None
        rate = (events - first[1]) / max(1e-6, now - first[0])
        pids = children_of(process.pid) if workers > 1 else [process.pid]
        rss = [rss_bytes(p) for p in pids]
        memory_after = await used_memory(client)
        keys_bytes = await namespace_bytes(client, settings.namespace)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
        await client.aclose()
    return rate, rss, memory_after - memory_before, keys_bytes


async def tally_apply(ctx: Context) -> list[Row]:
    """Tally apply rate (1 and 2 worker processes, pre-filled queue); worker RSS and Redis bytes per event."""
    consume = await ctx.baseline("raw_consume")
    tree = get_tree()
    settings = ctx.settings.model_copy(update={"namespace": f"{ctx.settings.namespace}t"})
    initiatives, votes = ctx.n(2_000), ctx.n(60_000)
    rows: list[Row] = []
    try:
        for workers in (1, 2):
            campaign_id = f"apply-{workers}"
            events = [configured(campaign_id), *campaign_events(tree, campaign_id, initiatives, votes, seed=workers)]
            ctx.console.print(f"  pre-filling the tally queue: {len(events):,} events ({votes:,} votes)")
            await prefill(settings, events)
            rate, rss, redis_delta, keys_bytes = await run_workers(settings, workers, campaign_id, len(events), votes)
            rows.append(Row(f"tally apply, {workers} worker process{'es' if workers > 1 else ''}", rate, "events/s",
                            "raw consume+ack", consume, "≥ 0.9 × raw consume+ack", rate >= 0.9 * consume,
                            extra={"events": len(events)}))
            if workers == 1:
                worker_rss, per_event = max(rss) / 2**20, redis_delta / len(events)
                per_event_keys = keys_bytes / len(events)
        rows.append(Row("memory: tally worker RSS after the batch", worker_rss, "MB", bar="≤ 150 MB",
                        passed=worker_rss <= 150, extra={"events": initiatives + votes}))
        rows.append(Row("memory: Redis bytes per applied event (INFO used_memory Δ)", per_event, "B", bar="≤ 200 B",
                        passed=per_event <= 200,
                        notes="Redis is shared with other runs, so used_memory may move by their keys too; "
                              f"MEMORY USAGE summed over this namespace's keys gives {per_event_keys:,.0f} B per event "
                              "(that sum leaves out Redis' own key-table entries). Both include each event's seen "
                              "marker (kept 400 days)."))
    finally:
        await asyncio.to_thread(drop_namespace, settings.namespace)
    return rows


async def peer(ctx: Context) -> list[Row]:
    """Decidim/Consul-style counting (vote rows + counter column, ranking in SQL) vs tally's ranking read."""
    votes = ctx.n(1_000_000, least=10_000)
    initiatives = max(100, votes // 50)
    tree = get_tree()
    settings = ctx.settings.model_copy(update={"namespace": f"{ctx.settings.namespace}q"})
    campaign_id = "peer"
    events = campaign_events(tree, campaign_id, initiatives, votes, seed=9)
    client = aioredis.Redis.from_url(settings.redis_url)
    store = TallyStore(client, settings)
    schema = f"peer_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(PG_DSN)
    try:
        ctx.console.print(f"  same data both ways: {initiatives:,} initiatives, {votes:,} votes")
        await store.ensure_generation()
        fill = asyncio.create_task(_fill_redis(store, [configured(campaign_id), *events]))
        await _fill_sql(conn, schema, tree, events[:initiatives], events[initiatives:])
        await fill
        reader = TallyReader(client, settings, tree)
        ours = await _median_seconds(lambda: reader.rankings(campaign_id, parent_id="VGCL", metric="votes", limit=10))
        query = (f"SELECT u.level2_id, SUM(p.votes_count) AS votes FROM {schema}.proposals p "
                 f"JOIN {schema}.units u ON u.id = p.unit_id GROUP BY u.level2_id ORDER BY votes DESC, u.level2_id "
                 "LIMIT 10")
        sql = await _median_seconds(lambda: conn.fetch(query))
        expected = [(r["level2_id"], int(r["votes"])) for r in await conn.fetch(query)]
        got = await reader.rankings(campaign_id, parent_id="VGCL", metric="votes", limit=10)
        same = expected == [(r["unit_id"], r["value"]) for r in got["ranking"]]
    finally:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await conn.close()
        await client.aclose()
        await asyncio.to_thread(drop_namespace, settings.namespace)
    return [Row(
        f"peer: top-10 level-2 units at {votes:,} votes — SQL (row per vote + counter column)", sql * 1000, "ms",
        "tally ranking read (ms)", ours * 1000, "state the ratio", None,
        notes=f"median of 30 reads each; ratio = SQL time / tally read time; the two rankings are "
              f"{'identical' if same else 'DIFFERENT'}. SQL: GROUP BY the level-2 ancestor over "
              f"{initiatives:,} proposals with a votes_count column kept by the vote inserts.",
    )]


async def _fill_redis(store: TallyStore, events: list[Any], batch: int = 512) -> None:
    calls = [script_call(e.model_dump(mode="json")) for e in events]
    for start in range(0, len(calls), batch):
        await store.apply_batch(calls[start:start + batch])


async def _fill_sql(conn: asyncpg.Connection, schema: str, tree: UnionTree, proposals: list[Any],
                    votes: list[Any]) -> None:
    """The peer's schema: units (with the level-2 ancestor), proposals with votes_count, one row per vote."""
    await conn.execute(f"""
        CREATE SCHEMA {schema};
        CREATE TABLE {schema}.units (id text PRIMARY KEY, level2_id text NOT NULL);
        CREATE TABLE {schema}.proposals (id uuid PRIMARY KEY, unit_id text NOT NULL REFERENCES {schema}.units,
                                         votes_count integer NOT NULL DEFAULT 0);
        CREATE TABLE {schema}.proposal_votes (id bigserial PRIMARY KEY, proposal_id uuid NOT NULL
            REFERENCES {schema}.proposals, author_id uuid NOT NULL, UNIQUE (proposal_id, author_id));
    """)
    units = {p.unit_path[-1]: p.unit_path[1] for p in proposals}
    await conn.copy_records_to_table("units", schema_name=schema, records=list(units.items()))
    await conn.copy_records_to_table("proposals", schema_name=schema, columns=["id", "unit_id"],
                                     records=[(p.initiative_id, p.unit_path[-1]) for p in proposals])
    await conn.copy_records_to_table("proposal_votes", schema_name=schema, columns=["proposal_id", "author_id"],
                                     records=[(v.initiative_id, v.vote_id) for v in votes])
    await conn.execute(f"""
        UPDATE {schema}.proposals p SET votes_count = c.n
        FROM (SELECT proposal_id, count(*) AS n FROM {schema}.proposal_votes GROUP BY proposal_id) c
        WHERE c.proposal_id = p.id;
        CREATE INDEX ON {schema}.proposals (unit_id);
        ANALYZE {schema}.units; ANALYZE {schema}.proposals;
    """)


async def _median_seconds(call: Any, repeat: int = 30) -> float:
    await call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)
