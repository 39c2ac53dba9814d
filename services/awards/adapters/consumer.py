"""The RabbitMQ consumer of the awards service (FastStream 0.7), started and stopped by the app's lifespan.

Messages on ``<ns>.awards`` are parsed with ``shared.events.parse_event``; an invalid one, or one whose unit
path is not a real path of the union tree, is rejected and so dead-lettered at once. An initiative event of a
campaign awards has no configuration of is requeued (its ``campaign.configured`` may still be in flight), so
the queue's delivery limit dead-letters the events of a campaign that is never configured.
Valid ones are applied by group commit: the messages in hand (up to the
prefetch) go into one transaction (idempotent by event id and by version) and are acked after it commits.
A batch that keeps failing is retried one event at a time, so only the failing event's message is requeued;
the queue's delivery limit dead-letters a message that keeps failing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TypeVar

import aio_pika
import structlog
from faststream import AckPolicy
from faststream.rabbit import Channel, RabbitBroker
from faststream.rabbit.annotations import RabbitMessage
from prometheus_client import Counter, Histogram
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.awards.adapters.tables import campaigns
from services.awards.domain.errors import ConcurrentChangeError
from services.awards.handlers.intake import handle_events
from shared.db import sqlstate
from shared.events import CampaignConfigured, EventBase, InitiativeState, InvalidEventError, parse_event
from shared.group_commit import GroupCommit
from shared.settings import Settings
from shared.topology import topology_for
from shared.union_tree import get_tree

log = structlog.get_logger(__name__)
T = TypeVar("T")

CONSUMED = Counter("sangkien_awards_events_consumed_total", "Events consumed by awards", ["outcome"])
INTAKE_BATCH = Histogram(
    "sangkien_awards_intake_batch_size", "Events applied together in one awards transaction",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500),
)
RETRIES_IN_PROCESS = 5
REQUEUE_PAUSE_SECONDS = 0.5
MAX_BATCH = 200
BATCHES_IN_FLIGHT = 2
RACE_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock, serialization failure: the other side went first


def _lost_a_race(exc: Exception) -> bool:
    if isinstance(exc, IntegrityError | ConcurrentChangeError):
        return True
    return isinstance(exc, DBAPIError) and sqlstate(exc) in RACE_SQLSTATES


class AwardsConsumer:
    """Owns a RabbitBroker with one subscriber on the awards queue."""

    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.settings = settings
        self.sessions = sessions
        self.topology = topology_for(settings)
        self.broker = RabbitBroker(settings.amqp_url_for("awards"), logger=None)
        spec = self.topology.awards
        self.subscriber = self.broker.subscriber(
            self.topology.faststream_queue(spec),
            self.topology.faststream_exchange(),
            channel=Channel(prefetch_count=settings.prefetch),
            ack_policy=AckPolicy.MANUAL,
            title="awards.initiative-events",
            description="Campaign and initiative events that open and move review cases",
        )
        self.subscriber(self.on_message)
        self.configured: set[str] = set()  # campaigns known to be configured (a configuration is never removed)
        self.intake: GroupCommit[EventBase, bool] = GroupCommit(
            self.apply_batch, max_batch=MAX_BATCH, in_flight=BATCHES_IN_FLIGHT, sizes=INTAKE_BATCH,
        )

    async def declare(self) -> None:
        """Declare the queue with all its bindings and its dead-letter queue (FastStream binds one key)."""
        connection = await aio_pika.connect(self.settings.amqp_url_for("awards"))
        async with connection:
            channel = await connection.channel()
            await self.topology.declare_queue(channel, self.topology.awards)

    async def start(self) -> None:
        await self.declare()
        await self.broker.start()

    async def stop(self) -> None:
        await self.broker.stop()

    async def attached(self) -> bool:
        """Ready when the broker answers and the subscriber holds a consumer on the queue."""
        return bool(self.subscriber._consumer_tag) and await self.broker.ping(timeout=2.0)

    async def on_message(self, message: RabbitMessage) -> None:
        try:
            event = parse_event(message.body)
        except InvalidEventError as exc:
            CONSUMED.labels("invalid").inc()
            log.warning("awards: invalid event dead-lettered", error=str(exc), message_id=message.message_id)
            await message.reject(requeue=False)
            return
        path: tuple[str, ...] | None = getattr(event, "unit_path", None)
        if path is not None and not get_tree().is_path(path):
            CONSUMED.labels("invalid").inc()
            log.warning("awards: unit path off the union tree; dead-lettered", unit_path=list(path)[:4],
                        message_id=message.message_id)
            await message.reject(requeue=False)
            return
        if isinstance(event, InitiativeState) and not await self._configured(event.campaign_id):
            CONSUMED.labels("campaign-unknown").inc()
            log.warning("awards: campaign not configured; requeued", campaign_id=event.campaign_id[:64],
                        event_id=str(event.event_id))
            await message.nack(requeue=True)
            return
        if isinstance(event, CampaignConfigured):
            # The events behind it join its batch or a later one, so they need not wait for its commit.
            self.configured.add(event.campaign_id)
        try:
            applied = await self.intake.submit(event)
        except Exception as exc:
            if isinstance(event, CampaignConfigured):
                self.configured.discard(event.campaign_id)
            CONSUMED.labels("failed").inc()
            log.warning("awards: event failed; requeued", event_id=str(event.event_id), error=repr(exc))
            await asyncio.sleep(REQUEUE_PAUSE_SECONDS)
            await message.nack(requeue=True)
            return
        CONSUMED.labels("applied" if applied else "duplicate").inc()
        await message.ack()

    async def _configured(self, campaign_id: str) -> bool:
        """Whether awards holds the campaign's configuration; a miss looks again after a pause, since the
        configuration may be in a batch being committed right now."""
        if campaign_id in self.configured:
            return True
        for attempt in range(2):
            if attempt:
                await asyncio.sleep(REQUEUE_PAUSE_SECONDS)
            async with self.sessions() as session:
                found = await session.scalar(
                    select(campaigns.c.campaign_id).where(campaigns.c.campaign_id == campaign_id))
            if found is not None:
                self.configured.add(campaign_id)
                return True
        return False

    async def apply_batch(self, events: list[EventBase]) -> list[bool | BaseException]:
        """The batch in one transaction; if that keeps failing, each event on its own with its own outcome."""
        try:
            return list(await self._retrying(partial(handle_events, events=events)))
        except Exception as exc:
            if len(events) == 1:
                return [exc]
            log.warning("awards: batch failed; applying its events one by one", events=len(events), error=repr(exc))
        outcomes: list[bool | BaseException] = []
        for event in events:
            try:
                outcomes.extend(await self._retrying(partial(handle_events, events=[event])))
            except Exception as exc:
                outcomes.append(exc)
        return outcomes

    async def _retrying(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """``work`` in a transaction; a race with a concurrent delivery of the same initiative is retried."""
        for attempt in range(RETRIES_IN_PROCESS):
            try:
                async with self.sessions() as session, session.begin():
                    return await work(session)
            except Exception as exc:
                if attempt == RETRIES_IN_PROCESS - 1 or not _lost_a_race(exc):
                    raise
                await asyncio.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")
