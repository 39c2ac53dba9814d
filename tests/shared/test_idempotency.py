"""Idempotency keys are remembered for a day: a retry within it gets the stored answer, older keys are pruned."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import MetaData, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared import idempotency
from shared.db import make_engine, session_factory
from shared.events import utc_now
from shared.idempotency import (
    RETENTION,
    find_response,
    idempotency_table,
    keys_pruned,
    prune_responses,
    store_response,
)

metadata = MetaData()
keys = idempotency_table(metadata)


@pytest.fixture
async def sessions(db_backend: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(db_backend)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def put(sessions: async_sessionmaker[AsyncSession], table: Table, key: str, *, age: timedelta) -> None:
    async with sessions() as session, session.begin():
        await store_response(session, table, principal="can-bo-cd-01", key=key, fingerprint="f" * 64,
                             status_code=201, body={"id": key, "title": "Cải tiến khuôn ép nhựa"})
        await session.execute(
            table.update().where(table.c.key == key).values(created_at=utc_now() - age)
        )


async def remaining(sessions: async_sessionmaker[AsyncSession]) -> set[str]:
    async with sessions() as session:
        return set((await session.scalars(select(keys.c.key))).all())


async def test_keys_older_than_a_day_are_pruned_in_batches_and_fresh_ones_kept(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(idempotency, "PRUNE_BATCH", 2)
    for n in range(5):
        await put(sessions, keys, f"old-{n}", age=RETENTION + timedelta(minutes=1 + n))
    await put(sessions, keys, "fresh", age=RETENTION - timedelta(minutes=5))
    await put(sessions, keys, "new", age=timedelta(0))

    assert await prune_responses(sessions, keys) == 5
    assert await remaining(sessions) == {"fresh", "new"}
    assert await prune_responses(sessions, keys) == 0


async def test_a_retry_within_a_day_gets_the_stored_answer_and_after_it_is_a_new_request(
    sessions: async_sessionmaker[AsyncSession],
):
    await put(sessions, keys, "hom-qua", age=RETENTION - timedelta(minutes=1))
    await put(sessions, keys, "tuan-truoc", age=timedelta(days=7))
    async with sessions() as session, session.begin():
        stored = await find_response(session, keys, principal="can-bo-cd-01", key="hom-qua", fingerprint="f" * 64)
        assert stored is not None and stored.status_code == 201
        assert stored.body["title"] == "Cải tiến khuôn ép nhựa"
        # Not pruned yet but expired: forgotten, even for a different request, and the key can be stored again.
        assert await find_response(session, keys, principal="can-bo-cd-01", key="tuan-truoc",
                                   fingerprint="0" * 64) is None
        await store_response(session, keys, principal="can-bo-cd-01", key="tuan-truoc", fingerprint="0" * 64,
                             status_code=201, body={"id": "moi"})
    async with sessions() as session:
        again = await find_response(session, keys, principal="can-bo-cd-01", key="tuan-truoc",
                                    fingerprint="0" * 64)
    assert again is not None and again.body == {"id": "moi"}


async def test_the_apps_pruning_runs_at_start_and_stops_with_the_app(sessions: async_sessionmaker[AsyncSession]):
    await put(sessions, keys, "old", age=RETENTION + timedelta(hours=1))
    await put(sessions, keys, "new", age=timedelta(0))
    async with keys_pruned(sessions, keys, service="test"):
        for _ in range(200):
            if await remaining(sessions) == {"new"}:
                break
            await asyncio.sleep(0.05)
        assert await remaining(sessions) == {"new"}
    tasks = {task.get_name() for task in asyncio.all_tasks()}
    assert "test-idempotency-pruning" not in tasks
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(keys)) == 1
