"""The benchmark rows of QUALITY.md's performance table; each returns rows with their same-run baselines."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from rich.console import Console

from bench import baselines
from bench.report import Row
from shared.settings import Settings

PG_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class Context:
    settings: Settings
    scale: float
    console: Console
    measured: dict[str, float] = field(default_factory=dict)

    def n(self, base: int) -> int:
        return max(100, int(base * self.scale))

    async def cleanup(self) -> None:
        return None


async def raw_baselines(ctx: Context) -> list[Row]:
    """Plain aio-pika publish/consume on a quorum queue, pipelined Redis scripts, PostgreSQL inserts."""
    publish, consume = await baselines.rabbit_baselines(ctx.settings, ctx.n(50_000))
    redis_rate = await baselines.redis_pipelined_scripts(ctx.settings, ctx.n(200_000))
    pg_rate = await baselines.postgres_two_row_transactions(PG_DSN, ctx.n(10_000))
    ctx.measured.update(raw_publish=publish, raw_consume=consume, raw_redis=redis_rate, raw_pg=pg_rate)
    return [
        Row("raw: aio-pika publish, confirms, persistent, 400 B, 256 in flight", publish, "msg/s"),
        Row("raw: aio-pika consume+ack, prefetch 256, quorum queue", consume, "msg/s"),
        Row("raw: Redis pipelined script calls (SET NX + HINCRBY + ZINCRBY)", redis_rate, "calls/s"),
        Row("raw: PostgreSQL 2-row transactions, 32 concurrent", pg_rate, "tx/s"),
    ]


REGISTRY: dict[str, Callable[[Context], Awaitable[list[Row]]]] = {
    "baselines": raw_baselines,
}
