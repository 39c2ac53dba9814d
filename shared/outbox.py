"""The transactional outbox shared by every service that publishes events.

A service adds its event rows in the same transaction as its business rows (``add_events``).
``OutboxRelay`` publishes unpublished rows in order with publisher confirms, persistent
delivery and ``message_id = event_id``, then marks them. Rows are never deleted: the table is
the service's ordered, durable event log, served as a feed (``feed_page``) for replay.
On PostgreSQL several relays may run: ``FOR UPDATE SKIP LOCKED`` keeps a row with one relay
while it is in flight. On SQLite run one relay per database.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast, get_args

import aio_pika
import structlog
from aio_pika.abc import AbstractExchange, AbstractRobustConnection
from prometheus_client import Counter, Gauge
from sqlalchemy import Column, DateTime, Index, LargeBinary, MetaData, String, Table, Uuid, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from shared.db import BigIntKey
from shared.events import EventBase, dump_event, utc_now
from shared.settings import BrokerUser, Settings
from shared.topology import connect_robust, topology_for

log = structlog.get_logger(__name__)

OUTBOX_PUBLISHED = Counter("sangkien_outbox_published_total", "Outbox events published", ["service"])
OUTBOX_BACKLOG = Gauge("sangkien_outbox_backlog", "Outbox events not yet published", ["service"],
                       multiprocess_mode="livemax")
RELAY_ERRORS = Counter("sangkien_outbox_relay_errors_total", "Relay batches that failed", ["service"])


def outbox_table(metadata: MetaData) -> Table:
    """The outbox / event-log table, created in each publishing service's own metadata."""
    table = Table(
        "outbox_events",
        metadata,
        Column("position", BigIntKey, primary_key=True, autoincrement=True),
        Column("event_id", Uuid, nullable=False, unique=True),
        Column("type", String(64), nullable=False),
        Column("campaign_id", String(64), nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True),
    )
    Index(
        "ix_outbox_unpublished", table.c.position,
        postgresql_where=table.c.published_at.is_(None), sqlite_where=table.c.published_at.is_(None),
    )
    return table


async def add_events(session: AsyncSession | AsyncConnection, table: Table, events: Iterable[EventBase]) -> None:
    """Stage events in the caller's transaction; they are published only if it commits."""
    rows = [
        {
            "event_id": e.event_id, "type": e.type, "campaign_id": e.campaign_id,
            "payload": dump_event(e), "occurred_at": e.occurred_at,
        }
        for e in events
    ]
    if rows:
        await session.execute(table.insert(), rows)


@dataclass(frozen=True)
class FeedPage:
    positions: list[int]
    payloads: list[bytes]
    has_more: bool

    @property
    def next_after(self) -> int | None:
        return self.positions[-1] if self.positions else None

    def to_json(self, after: int) -> bytes:
        """Serialise without re-encoding each payload (the feed is read at rebuild speed)."""
        next_after = self.next_after if self.next_after is not None else after
        return (
            b'{"events":[' + b",".join(self.payloads) + b'],"positions":['
            + ",".join(map(str, self.positions)).encode() + b'],"next_after":' + str(next_after).encode()
            + b',"has_more":' + (b"true" if self.has_more else b"false") + b"}"
        )


async def feed_page(
    engine: AsyncEngine, table: Table, *, after: int = 0, limit: int = 1000, campaign_id: str | None = None,
) -> FeedPage:
    """Events with position > ``after`` in log order."""
    query = select(table.c.position, table.c.payload).where(table.c.position > after)
    if campaign_id:
        query = query.where(table.c.campaign_id == campaign_id)
    query = query.order_by(table.c.position).limit(limit + 1)
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    return FeedPage([r.position for r in rows], [bytes(r.payload) for r in rows], has_more)


class OutboxRelay:
    """Publishes a service's outbox to the events exchange; survives broker outages by retrying."""

    def __init__(self, *, engine: AsyncEngine, table: Table, settings: Settings, service: str) -> None:
        self.engine = engine
        self.table = table
        self.settings = settings
        self.service = service
        self._wake = asyncio.Event()
        self._connection: AbstractRobustConnection | None = None
        self._exchange: AbstractExchange | None = None
        self._postgres = engine.dialect.name == "postgresql"
        self._backlog_reported_at = float("-inf")

    def _amqp_url(self) -> str:
        """The publishing service's own RabbitMQ user (shared/grants.py); other names (tests) use the shared URL."""
        if self.service in get_args(BrokerUser):
            return self.settings.amqp_url_for(cast(BrokerUser, self.service))
        return self.settings.amqp_url

    def wake(self) -> None:
        """Tell the relay new rows were committed (saves waiting for the next poll)."""
        self._wake.set()

    async def connect(self) -> AbstractExchange:
        if self._exchange is None:
            await self.close()  # a half-made connection from a failed attempt would keep reconnecting unseen
            self._connection = await connect_robust(self._amqp_url())
            try:
                channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
                topology = topology_for(self.settings)
                await topology.declare_for_publisher(channel)
                self._exchange = await channel.get_exchange(topology.exchange_name)
            except BaseException:
                await self.close()
                raise
        return self._exchange

    async def close(self) -> None:
        connection, self._connection, self._exchange = self._connection, None, None
        if connection is not None:
            with contextlib.suppress(Exception):  # closing a connection to a vanished broker may fail
                await connection.close()

    async def _publish(
        self, exchange: AbstractExchange, rows: Sequence[tuple[int, object, str, bytes, datetime]]
    ) -> None:
        async def one(event_id: object, type_: str, payload: bytes, occurred_at: datetime) -> None:
            message = aio_pika.Message(
                payload,
                message_id=str(event_id),
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                type=type_,
                timestamp=occurred_at,
                app_id=f"sangkien.{self.service}",
            )
            await exchange.publish(message, routing_key=type_, mandatory=True)

        await asyncio.gather(*(one(r[1], r[2], r[3], r[4]) for r in rows))

    async def mark_published(self, conn: AsyncConnection, positions: list[int]) -> None:
        await conn.execute(
            update(self.table).where(self.table.c.position.in_(positions)).values(published_at=utc_now())
        )

    async def publish_batch(self) -> int:
        """Publish one batch of unpublished rows; return how many were published."""
        exchange = await self.connect()
        t = self.table
        query = (
            select(t.c.position, t.c.event_id, t.c.type, t.c.payload, t.c.occurred_at)
            .where(t.c.published_at.is_(None))
            .order_by(t.c.position)
            .limit(self.settings.relay_batch_size)
        )
        if self._postgres:
            query = query.with_for_update(skip_locked=True)
        async with self.engine.begin() as conn:
            rows = [tuple(r) for r in (await conn.execute(query)).all()]
            if not rows:
                return 0
            await self._publish(exchange, rows)  # type: ignore[arg-type]
            await self.mark_published(conn, [int(r[0]) for r in rows])  # type: ignore[call-overload]
        OUTBOX_PUBLISHED.labels(self.service).inc(len(rows))
        return len(rows)

    async def backlog(self) -> int:
        async with self.engine.connect() as conn:
            count = await conn.scalar(
                select(func.count()).select_from(self.table).where(self.table.c.published_at.is_(None))
            )
        return int(count or 0)

    async def _report_backlog(self) -> None:
        """Set the backlog gauge from a COUNT, at most once a second (it is a query on the outbox)."""
        now = asyncio.get_running_loop().time()
        if now - self._backlog_reported_at < 1.0:
            return
        self._backlog_reported_at = now
        with contextlib.suppress(Exception):  # a database outage must not stop the relay loop
            OUTBOX_BACKLOG.labels(self.service).set(await self.backlog())

    async def drain(self) -> int:
        """Publish until the outbox is empty (used by tests and at shutdown)."""
        total = 0
        while n := await self.publish_batch():
            total += n
        return total

    async def run(self, stop: asyncio.Event) -> None:
        """Relay loop: publish while there is work, poll (or wait for ``wake``) when idle, back off on errors."""
        delay = 0.5
        while not stop.is_set():
            try:
                published = await self.publish_batch()
                delay = 0.5
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                RELAY_ERRORS.labels(self.service).inc()
                log.warning("outbox relay batch failed; will retry", service=self.service, error=repr(exc))
                await self.close()
                await self._report_backlog()  # the figure operators need most while the broker is away
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                delay = min(delay * 2, 5.0)
                continue
            if published == self.settings.relay_batch_size:
                await self._report_backlog()
            if published == 0:
                OUTBOX_BACKLOG.labels(self.service).set(0)
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.settings.relay_idle_seconds)
        await self.close()
