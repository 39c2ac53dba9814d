"""The benchmark rows of QUALITY.md's performance table; each returns rows with their same-run baselines."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from rich.console import Console

from bench import baselines
from bench.report import Row
from bench.system import System
from shared.settings import Settings

PG_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class Context:
    """What every row gets: settings (own namespace), the volume scale, baselines measured so far, the system."""

    settings: Settings
    scale: float
    console: Console
    replay_scale: float = 1.0
    replay_review_share: float = 1.0
    replay_import_share: float = 0.8
    measured: dict[str, float] = field(default_factory=dict)
    system: System | None = None

    def n(self, base: int, least: int = 100) -> int:
        return max(least, int(base * self.scale))

    def seconds(self, base: float, least: float = 3.0) -> float:
        return max(least, base * self.scale)

    async def baseline(self, name: str) -> float:
        """A raw baseline of this run, measured now if its row was not selected."""
        if name not in self.measured:
            await raw_baselines(self)
        return self.measured[name]

    async def platform(self) -> System:
        """The platform on fresh PostgreSQL databases, started once and shared by the HTTP rows."""
        if self.system is None:
            self.console.print("starting the platform (sangkien up) on fresh PostgreSQL databases…")
            self.system = await System.start(f"{self.settings.namespace}p")
        return self.system

    async def cleanup(self) -> None:
        if self.system is not None:
            await self.system.stop()
            self.system = None


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


def registry() -> dict[str, Callable[[Context], Awaitable[list[Row]]]]:
    from bench import awards_rows, data_rows, http_rows, sse, tally_rows

    return {
        "baselines": raw_baselines,
        "tally-apply": tally_rows.tally_apply,
        "votes": http_rows.votes,
        "submissions": http_rows.submissions,
        "dashboard": http_rows.dashboard,
        "sse": sse.sse,
        "import": data_rows.bulk_import,
        "awards-intake": awards_rows.awards_intake,
        "rebuild": data_rows.rebuild_rate,  # after import: the feeds then hold every row's events
        "peer": tally_rows.peer,
        "replay": data_rows.replay,
    }


OPTIONAL = frozenset({"replay"})  # not in the default set: `--replay` or `--only replay`
