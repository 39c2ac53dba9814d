"""``Idempotency-Key`` support: a stored response per (caller, key), written in the business transaction.

A key is remembered for ``RETENTION`` (24 hours, as the payment APIs that made the header common do): a retry
within it gets the stored answer, a request after it is a new request. Each service's app prunes older keys
every ``PRUNE_EVERY`` so the table holds about one day of keys however long the campaign runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

import structlog
from fastapi import Header
from sqlalchemy import Column, DateTime, Index, Integer, LargeBinary, MetaData, String, Table, delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import as_utc
from shared.events import utc_now
from shared.problems import ConflictError, UnprocessableError

log = structlog.get_logger(__name__)
MAX_KEY_LENGTH = 200
RETENTION_HOURS = 24
RETENTION = timedelta(hours=RETENTION_HOURS)
PRUNE_EVERY = timedelta(minutes=10)
PRUNE_STOP_SECONDS = 10.0
PRUNE_BATCH = 5_000  # rows per delete: short transactions, no long lock on a busy table

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=MAX_KEY_LENGTH,
           description=f"Repeat a request safely: the same key within {RETENTION_HOURS} hours gets the same answer "
                       f"(Gửi lại an toàn: cùng khóa trong {RETENTION_HOURS} giờ nhận cùng kết quả)"),
]


def idempotency_table(metadata: MetaData) -> Table:
    return Table(
        "idempotency_keys",
        metadata,
        Column("principal", String(200), primary_key=True),
        Column("key", String(MAX_KEY_LENGTH), primary_key=True),
        Column("fingerprint", String(64), nullable=False),
        Column("status_code", Integer, nullable=False),
        Column("body", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )


class IdempotencyKeyReusedError(ConflictError):
    type_suffix = "idempotency-key-reused"


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any


def fingerprint(method: str, path: str, payload: Any) -> str:
    raw = json.dumps([method, path, payload], sort_keys=True, default=str, ensure_ascii=False).encode()
    return hashlib.sha256(raw).hexdigest()


def check_key(key: str | None) -> str | None:
    if key is not None and not (1 <= len(key) <= MAX_KEY_LENGTH):
        raise UnprocessableError(f"Idempotency-Key must be 1–{MAX_KEY_LENGTH} characters")
    return key


async def find_response(
    session: AsyncSession, table: Table, *, principal: str, key: str, fingerprint: str,
) -> StoredResponse | None:
    """The response stored for this key, or None; a key reused for a different request is a 409."""
    row = (
        await session.execute(select(table).where(table.c.principal == principal, table.c.key == key))
    ).first()
    if row is None:
        return None
    if _expired(row.created_at, utc_now()):  # not pruned yet: forgotten all the same, and its key is free again
        await session.execute(delete(table).where(table.c.principal == principal, table.c.key == key))
        return None
    if row.fingerprint != fingerprint:
        raise IdempotencyKeyReusedError("Idempotency-Key was already used for a different request")
    return StoredResponse(row.status_code, json.loads(row.body))


async def store_response(
    session: AsyncSession, table: Table, *, principal: str, key: str, fingerprint: str, status_code: int, body: Any,
) -> None:
    await session.execute(
        table.insert().values(
            principal=principal, key=key, fingerprint=fingerprint, status_code=status_code,
            body=json.dumps(body, default=str, ensure_ascii=False).encode(), created_at=utc_now(),
        )
    )


def _expired(created_at: datetime, now: datetime) -> bool:
    moment = as_utc(created_at)
    return moment is not None and moment < now - RETENTION


async def prune_responses(sessions: async_sessionmaker[AsyncSession], table: Table) -> int:
    """Delete the keys older than ``RETENTION``, ``PRUNE_BATCH`` rows per transaction; how many went."""
    cutoff = utc_now() - RETENTION
    removed = 0
    while True:
        async with sessions() as session, session.begin():
            oldest = select(table.c.principal, table.c.key).where(table.c.created_at < cutoff).limit(PRUNE_BATCH)
            result = await session.execute(
                delete(table).where(tuple_(table.c.principal, table.c.key).in_(oldest))
            )
        count = int(getattr(result, "rowcount", 0) or 0)
        removed += count
        if count < PRUNE_BATCH:
            return removed


@contextlib.asynccontextmanager
async def keys_pruned(
    sessions: async_sessionmaker[AsyncSession], table: Table, *, service: str,
) -> AsyncIterator[None]:
    """While inside: prune expired keys now and every ``PRUNE_EVERY`` (a failed round is logged, not fatal)."""
    stop = asyncio.Event()

    async def prune_until_stopped() -> None:
        while not stop.is_set():
            try:
                removed = await prune_responses(sessions, table)
                if removed:
                    log.info("idempotency keys pruned", service=service, removed=removed)
            except Exception:
                log.exception("idempotency key pruning failed; retrying next round", service=service)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), PRUNE_EVERY.total_seconds())

    task = asyncio.create_task(prune_until_stopped(), name=f"{service}-idempotency-pruning")
    try:
        yield
    finally:
        stop.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(task, PRUNE_STOP_SECONDS)
