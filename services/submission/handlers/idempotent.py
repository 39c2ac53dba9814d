"""``Idempotency-Key`` in a use case: replay a stored answer, or remember the new one in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from shared.idempotency import StoredResponse, find_response, store_response


@dataclass(frozen=True)
class IdempotencyRequest:
    principal: str
    key: str
    fingerprint: str


async def replay_or_none(
    session: AsyncSession, table: Table, request: IdempotencyRequest | None,
) -> StoredResponse | None:
    if request is None:
        return None
    return await find_response(
        session, table, principal=request.principal, key=request.key, fingerprint=request.fingerprint,
    )


async def remember(
    session: AsyncSession, table: Table, request: IdempotencyRequest | None, status_code: int, body: Any,
) -> None:
    if request is not None:
        await store_response(
            session, table, principal=request.principal, key=request.key, fingerprint=request.fingerprint,
            status_code=status_code, body=body,
        )
