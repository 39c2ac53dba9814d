"""Composition root of the awards service: the engine, sessions, outbox relay, consumer and clients."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.awards.adapters.consumer import AwardsConsumer
from services.awards.adapters.submission_client import SubmissionClient
from services.awards.adapters.tables import outbox
from shared.db import make_engine, session_factory, upgrade_database_async
from shared.outbox import OutboxRelay
from shared.settings import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SERVICE = "awards"


class AwardsService:
    """Everything the HTTP app, the consumer and the CLI share for one settings object."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine: AsyncEngine = make_engine(settings.awards_db_url, pool_size=settings.db_pool_size)
        self.sessions: async_sessionmaker[AsyncSession] = session_factory(self.engine)
        self.relay = OutboxRelay(engine=self.engine, table=outbox, settings=settings, service=SERVICE)
        self.consumer: AwardsConsumer | None = None
        self.submission_transport: httpx.AsyncBaseTransport | None = None  # tests plug an ASGI app in here
        self._relay_stop = asyncio.Event()
        self._relay_task: asyncio.Task[None] | None = None

    async def migrate(self) -> None:
        await upgrade_database_async(MIGRATIONS_DIR, self.settings.awards_db_url)

    def submission_client(self) -> SubmissionClient:
        return SubmissionClient(self.settings, transport=self.submission_transport)

    async def start(self, *, consume: bool = True) -> None:
        """Migrate, start the consumer, and run the relay when ``settings.run_relay``."""
        await self.migrate()
        if consume:
            self.consumer = AwardsConsumer(self.settings, self.sessions)
            await self.consumer.start()
        if self.settings.run_relay:
            self._relay_stop.clear()
            self._relay_task = asyncio.create_task(self.relay.run(self._relay_stop), name="awards-outbox-relay")

    async def stop(self) -> None:
        if self.consumer is not None:
            await self.consumer.stop()
            self.consumer = None
        if self._relay_task is not None:
            self._relay_stop.set()
            self.relay.wake()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._relay_task, 10)
            self._relay_task = None
        await self.relay.close()
        await self.engine.dispose()

    def committed(self) -> None:
        """New outbox rows were committed: let the relay publish without waiting for its poll."""
        self.relay.wake()

    async def readiness(self) -> dict[str, object]:
        checks: dict[str, object] = {}
        try:
            async with self.engine.connect() as conn:
                await conn.exec_driver_sql("SELECT 1")
            checks["database"] = True
        except Exception:
            checks["database"] = False
        if self.consumer is not None:
            try:
                checks["consumer"] = await self.consumer.attached()
            except Exception:
                checks["consumer"] = False
        return checks
