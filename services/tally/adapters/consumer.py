"""The batching consumer: aio-pika on the tally queue, many events per Redis round trip, ack after apply.

FastStream hands each delivery to its own handler pipeline (parse, decode, middlewares, ack), which costs
more per message than the whole apply; tally instead consumes with aio-pika inside the FastStream app's
lifecycle (see ``services.tally.worker``). Deliveries reach ``_on_message`` in delivery-tag order (one task
each, started FIFO, no await before the append), so acking the last tag of a batch with ``multiple=True``
settles exactly that batch: one ack frame per batch instead of one per message.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import aio_pika
import orjson
import structlog
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue, AbstractRobustConnection
from pydantic import ValidationError
from redis.exceptions import RedisError

from services.tally.adapters.store import TallyStore
from services.tally.domain.args import ScriptCall, script_call
from services.tally.metrics import (
    APPLY_RETRIES,
    APPLY_SECONDS,
    BATCH_SIZE,
    CONSUMER_ATTACHED,
    EVENTS_APPLIED,
    EVENTS_CONSUMED,
    EVENTS_DEAD,
    EVENTS_DUPLICATE,
)
from shared.events import EVENT_ADAPTER, MAX_EVENT_BYTES, InvalidEventError
from shared.settings import Settings
from shared.topology import topology_for

log = structlog.get_logger(__name__)


def parse_message(body: bytes) -> ScriptCall:
    """Validate a message against the event contracts and turn it into script arguments."""
    if len(body) > MAX_EVENT_BYTES:
        raise InvalidEventError(f"event of {len(body)} bytes is larger than {MAX_EVENT_BYTES}")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidEventError(f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidEventError("not a JSON object")
    try:
        EVENT_ADAPTER.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidEventError(f"invalid event ({'.'.join(map(str, first['loc']))}): {first['msg']}") from exc
    return script_call(data)


class BatchConsumer:
    """Consumes the tally queue and applies events in batches; SIGTERM-safe via ``stop``."""

    def __init__(
        self, settings: Settings, store: TallyStore, parser: Callable[[bytes], ScriptCall] = parse_message,
    ) -> None:
        self.settings = settings
        self.store = store
        self.parser = parser
        self.topology = topology_for(settings)
        self._pending: deque[AbstractIncomingMessage] = deque()
        self._wake = asyncio.Event()
        self._stopping = False
        self._connection: AbstractRobustConnection | None = None
        self._queue: AbstractQueue | None = None
        self._consumer_tag: str | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await self.store.ensure_generation()
        self._connection = await aio_pika.connect_robust(self.settings.amqp_url)
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=self.settings.prefetch)
        self._queue = await self.topology.declare_queue(channel, self.topology.tally)
        await self._consume()
        self._tasks = [asyncio.create_task(self._run()), asyncio.create_task(self._watch())]

    async def _consume(self) -> None:
        assert self._queue is not None
        self._consumer_tag = await self._queue.consume(self._on_message)
        CONSUMER_ATTACHED.set(1)

    async def attached(self) -> bool:
        """True when the channel is open and still carries our consumer (robust reconnects can lose it)."""
        if self._queue is None or self._consumer_tag is None or self._queue.channel.is_closed:
            return False
        try:
            underlay = await asyncio.wait_for(self._queue.channel.get_underlay_channel(), 1.0)
        except Exception:
            return False
        consumers: dict[str, Any] = getattr(underlay, "consumers", {})
        return self._consumer_tag in consumers

    async def _watch(self) -> None:
        """Re-consume when a reconnect came back without our consumer."""
        while not self._stopping:
            await asyncio.sleep(2.0)
            if self._stopping or self._connection is None or self._connection.is_closed:
                continue
            if not await self.attached():
                CONSUMER_ATTACHED.set(0)
                with contextlib.suppress(Exception):
                    log.warning("tally consumer not attached; consuming again")
                    await self._consume()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        self._pending.append(message)
        if len(self._pending) >= self.settings.tally_batch_size or not self._wake.is_set():
            self._wake.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(0)  # let deliveries already read from the socket join this batch
            self._wake.clear()
            while self._pending:
                size = min(len(self._pending), self.settings.tally_batch_size)
                batch = [self._pending.popleft() for _ in range(size)]
                await self.process(batch)
            if self._stopping:
                return

    async def process(self, batch: list[AbstractIncomingMessage]) -> None:
        """Apply one batch; reject what can never be applied; ack the rest once it is in Redis."""
        EVENTS_CONSUMED.inc(len(batch))
        valid: list[tuple[AbstractIncomingMessage, ScriptCall]] = []
        for message in batch:
            try:
                valid.append((message, self.parser(message.body)))
            except InvalidEventError as exc:
                await self._dead_letter(message, "invalid", str(exc))
        if not valid:
            return
        results = await self._apply_with_retry([call for _, call in valid])
        if results is None:
            return  # stopping while Redis is down: leave unacked, the broker redelivers
        last_ok: AbstractIncomingMessage | None = None
        for (message, _), result in zip(valid, results, strict=True):
            if isinstance(result, Exception):
                await self._dead_letter(message, "apply-error", str(result))
            else:
                last_ok = message
                (EVENTS_APPLIED if result else EVENTS_DUPLICATE).inc()
        if last_ok is not None:
            try:
                await last_ok.ack(multiple=True)
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

    async def _dead_letter(self, message: AbstractIncomingMessage, reason: str, detail: str) -> None:
        EVENTS_DEAD.labels(reason).inc()
        log.warning("message dead-lettered", reason=reason, detail=detail[:300], message_id=message.message_id)
        with contextlib.suppress(Exception):
            await message.reject(requeue=False)

    async def stop(self) -> None:
        """Graceful: stop receiving, apply and ack what was received, then close."""
        self._stopping = True
        if self._queue is not None and self._consumer_tag is not None:
            with contextlib.suppress(Exception):
                await self._queue.cancel(self._consumer_tag)
        CONSUMER_ATTACHED.set(0)
        self._wake.set()
        if self._tasks:
            run, watch = self._tasks
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(run, timeout=30)
        if self._connection is not None:
            await self._connection.close()
