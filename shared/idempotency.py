"""``Idempotency-Key`` support: a stored response per (caller, key), written in the business transaction."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, DateTime, Integer, LargeBinary, MetaData, String, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import utc_now
from shared.problems import ConflictError, UnprocessableError

MAX_KEY_LENGTH = 200


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
