"""The batching consumer: the tally queue, many events per Redis round trip, ack after apply.

FastStream hands each delivery to its own handler pipeline (parse, decode, middlewares, ack), and even
aio-pika wraps each one in an ``IncomingMessage`` and a second task; at thousands of events per second that
costs more than the whole apply. Tally therefore consumes on the AMQP channel underneath aio-pika's robust
channel (which still owns the connection, reconnects, QoS and the queue declaration): a delivery is only
appended to a list, and the batch loop validates, applies and settles the list.

Deliveries reach ``_on_delivery`` in delivery-tag order (one task each, started FIFO, no await before the
append), so acking the last applied tag of a batch with ``multiple=True`` settles exactly that batch: one ack
frame per batch instead of one per message. A batch is at most half the prefetch window, so the broker keeps
delivering the next batch while the current one is in Redis, and the loop waits a moment (``LINGER_SECONDS``)
for a batch to fill, so that a draining backlog is applied in full batches rather than in handfuls.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

import structlog
from aio_pika.abc import AbstractRobustChannel, AbstractRobustConnection
from aiormq.abc import AbstractChannel, DeliveredMessage
from redis.exceptions import RedisError

from services.tally.adapters.store import TallyStore
from services.tally.domain.args import UNCONFIGURED, ScriptCall, check_event, event_call
from services.tally.metrics import (
    APPLY_RETRIES,
    APPLY_SECONDS,
    BATCH_SIZE,
    CONSUMER_ATTACHED,
    EVENTS_APPLIED,
    EVENTS_CONSUMED,
    EVENTS_DEAD,
    EVENTS_DUPLICATE,
    EVENTS_REQUEUED,
)
from shared.events import InvalidEventError, parse_event
from shared.settings import Settings
from shared.topology import connect_robust, topology_for
from shared.union_tree import get_tree

log = structlog.get_logger(__name__)
WATCH_SECONDS = 2.0
LINGER_SECONDS = 0.002


def parse_message(body: bytes) -> ScriptCall:
    """Validate a message against the event contracts (pydantic, straight from the bytes) and the union tree (real
    paths are cached, so a vote costs one dict lookup more) into script arguments."""
    event = parse_event(body)
    check_event(event, get_tree())
    return event_call(event)


def batch_size(settings: Settings) -> int:
    """Events per batch: the configured size, but at most half the prefetch window (see the module docstring)."""
    return max(1, min(settings.tally_batch_size, settings.prefetch // 2))


def _tag(message: DeliveredMessage) -> int:
    tag = message.delivery_tag
    assert tag is not None, "consumer deliveries always carry a delivery tag"
    return tag


class BatchConsumer:
    """Consumes the tally queue and applies events in batches; SIGTERM-safe via ``stop``."""

    def __init__(
        self, settings: Settings, store: TallyStore, parser: Callable[[bytes], ScriptCall] = parse_message,
    ) -> None:
        self.settings = settings
        self.store = store
        self.parser = parser
        self.topology = topology_for(settings)
        self.batch_size = batch_size(settings)
        self._pending: list[DeliveredMessage] = []
        self._wake = asyncio.Event()  # a delivery is pending
        self._full = asyncio.Event()  # a full batch is pending
        self._reopened = asyncio.Event()
        self._stopping = False
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractRobustChannel | None = None
        self._queue_name = ""
        self._consumer: tuple[AbstractChannel, str] | None = None  # underlying channel and consumer tag
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await self.store.ensure_generation()
        self._connection = await connect_robust(self.settings.amqp_url_for("tally"))
        channel = await self._connection.channel()
        assert isinstance(channel, AbstractRobustChannel)
        await channel.set_qos(prefetch_count=self.settings.prefetch)
        queue = await self.topology.declare_queue(channel, self.topology.tally)
        self._channel, self._queue_name = channel, queue.name
        # aio-pika restores the channel, its QoS and the queue after a reconnect; our consumer is ours to restore.
        channel.reopen_callbacks.add(lambda *_: self._reopened.set())
        await self._consume()
        self._tasks = [asyncio.create_task(self._run()), asyncio.create_task(self._watch())]

    async def _consume(self) -> None:
        assert self._channel is not None
        underlay = await self._channel.get_underlay_channel()
        ok = await underlay.basic_consume(self._queue_name, self._on_delivery)
        assert ok.consumer_tag is not None
        self._consumer = (underlay, ok.consumer_tag)
        CONSUMER_ATTACHED.set(1)

    async def attached(self) -> bool:
        """True when the channel is open and still carries our consumer (robust reconnects can lose it)."""
        if self._channel is None or self._consumer is None or self._channel.is_closed:
            return False
        try:
            underlay = await asyncio.wait_for(self._channel.get_underlay_channel(), 1.0)
        except Exception:
            return False
        consumers: dict[str, Any] = getattr(underlay, "consumers", {})
        return underlay is self._consumer[0] and self._consumer[1] in consumers

    async def _watch(self) -> None:
        """Consume again after a reconnect (told by the channel, or noticed here every couple of seconds)."""
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._reopened.wait(), WATCH_SECONDS)
            self._reopened.clear()
            if self._stopping or self._connection is None or self._connection.is_closed:
                continue
            if not await self.attached():
                CONSUMER_ATTACHED.set(0)
                with contextlib.suppress(Exception):
                    log.warning("tally consumer not attached; consuming again")
                    await self._consume()

    async def _on_delivery(self, message: DeliveredMessage) -> None:
        pending = self._pending
        pending.append(message)
        if len(pending) == 1:
            self._wake.set()
        if len(pending) >= self.batch_size:
            self._full.set()

    async def _run(self) -> None:
        pending, size = self._pending, self.batch_size
        while True:
            await self._wake.wait()
            if len(pending) < size and not self._stopping:
                # Wait a moment for a full batch: while a backlog drains, one ack and one Redis round trip per
                # batch instead of per handful of events; live traffic waits at most LINGER_SECONDS.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), LINGER_SECONDS)
            batch = pending[:size]
            del pending[:size]
            if len(pending) < size:
                self._full.clear()
            if not pending:
                self._wake.clear()
            if batch:
                await self.process(batch)
            if self._stopping and not pending:
                return

    async def process(self, batch: list[DeliveredMessage]) -> None:
        """Apply one batch; reject what can never be applied; ack the rest once it is in Redis."""
        EVENTS_CONSUMED.inc(len(batch))
        parser = self.parser
        messages: list[DeliveredMessage] = []
        calls: list[ScriptCall] = []
        for message in batch:
            try:
                calls.append(parser(message.body))
            except InvalidEventError as exc:
                await self._dead_letter(message, "invalid", str(exc))
            else:
                messages.append(message)
        if not calls:
            return
        results = await self._apply_with_retry(calls)
        if results is None:
            return  # stopping while Redis is down: leave unacked, the broker redelivers
        last: dict[AbstractChannel, int] = {}  # more than one channel only across a reconnect
        applied = duplicates = 0
        for message, result in zip(messages, results, strict=True):
            if isinstance(result, Exception):
                await self._dead_letter(message, "apply-error", str(result))
                continue
            if result == UNCONFIGURED:
                # Its campaign's configuration may still be in another worker's batch: back to the queue, whose
                # delivery limit dead-letters the event of a campaign that is never configured.
                EVENTS_REQUEUED.labels("campaign-not-configured").inc()
                with contextlib.suppress(Exception):
                    await message.channel.basic_nack(_tag(message), multiple=False, requeue=True)
                continue
            last[message.channel] = _tag(message)
            if result:
                applied += 1
            else:
                duplicates += 1
        EVENTS_APPLIED.inc(applied)
        EVENTS_DUPLICATE.inc(duplicates)
        for channel, tag in last.items():
            try:
                await channel.basic_ack(tag, multiple=True)
            except Exception as exc:  # channel gone: the broker redelivers, the seen markers make that a no-op
                log.warning("ack failed; messages will be redelivered", error=repr(exc))

    async def _apply_with_retry(self, calls: list[ScriptCall]) -> list[int | Exception] | None:
        delay = 0.2
        while True:
            started = time.perf_counter()
            try:
                results = await self.store.apply_batch(calls)
            except (RedisError, OSError) as exc:
                APPLY_RETRIES.inc()
                log.warning("redis unavailable; retrying batch", error=repr(exc), size=len(calls))
                if self._stopping:
                    return None
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            APPLY_SECONDS.observe(time.perf_counter() - started)
            BATCH_SIZE.observe(len(calls))
            return results

    async def _dead_letter(self, message: DeliveredMessage, reason: str, detail: str) -> None:
        EVENTS_DEAD.labels(reason).inc()
        log.warning("message dead-lettered", reason=reason, detail=detail[:300],
                    message_id=message.header.properties.message_id)
        with contextlib.suppress(Exception):
            await message.channel.basic_reject(_tag(message), requeue=False)

    async def stop(self) -> None:
        """Graceful: stop receiving, apply and ack what was received, then close."""
        self._stopping = True
        if self._consumer is not None:
            underlay, tag = self._consumer
            with contextlib.suppress(Exception):
                await underlay.basic_cancel(tag)
        CONSUMER_ATTACHED.set(0)
        self._wake.set()
        self._full.set()
        self._reopened.set()
        if self._tasks:
            run, watch = self._tasks
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(run, timeout=30)
        if self._connection is not None:
            await self._connection.close()
