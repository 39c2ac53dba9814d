"""The composition root: one ``Context`` wiring settings, database, tree, Redis, relay and caches."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from redis.asyncio import BlockingConnectionPool, Redis
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from services.submission import SERVICE_NAME
from services.submission.adapters import sql
from services.submission.adapters.ratelimit import ImportRateLimiter, VoteRateLimiter
from services.submission.adapters.tables import outbox
from services.submission.domain.campaign import Campaign
from services.submission.domain.errors import CampaignNotFoundError
from shared.db import make_engine, session_factory
from shared.outbox import OutboxRelay
from shared.settings import Settings
from shared.union_tree import UnionTree, get_tree

CAMPAIGN_CACHE_SECONDS = 5.0
REDIS_CONNECTIONS = 64
REDIS_WAIT_SECONDS = 5.0


@dataclass
class CampaignCache:
    """Campaigns change rarely and are read on every vote: keep them a few seconds per process."""

    sessions: async_sessionmaker[AsyncSession]
    ttl: float = CAMPAIGN_CACHE_SECONDS
    _entries: dict[str, tuple[float, Campaign]] = field(default_factory=dict)

    async def get(self, campaign_id: str, conn: AsyncConnection | AsyncSession | None = None) -> Campaign:
        """The campaign; a caller inside a transaction passes its connection, so a miss needs no second one
        (under a burst, every request holding a pooled connection while waiting for another starves the pool)."""
        entry = self._entries.get(campaign_id)
        now = time.monotonic()
        if entry and now - entry[0] < self.ttl:
            return entry[1]
        if conn is not None:
            campaign = await sql.load_campaign(conn, campaign_id)
        else:
            async with self.sessions() as session:
                campaign = await sql.load_campaign(session, campaign_id)
        if campaign is None:
            raise CampaignNotFoundError(
                f"Không có phong trào {campaign_id!r} — unknown campaign; see GET /v1/campaigns"
            )
        self._entries[campaign_id] = (now, campaign)
        return campaign

    def forget(self, campaign_id: str) -> None:
        self._entries.pop(campaign_id, None)


@dataclass
class Context:
    """Everything a use case needs; built once per process."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    tree: UnionTree
    redis: Redis
    rate_limiter: VoteRateLimiter
    import_limiter: ImportRateLimiter
    relay: OutboxRelay
    campaigns: CampaignCache

    def events_committed(self) -> None:
        """Tell the in-process relay that new outbox rows are committed."""
        self.relay.wake()

    async def close(self) -> None:
        await self.redis.aclose()
        await self.engine.dispose()


def build_context(settings: Settings) -> Context:
    engine = make_engine(settings.submission_db_url, pool_size=settings.db_pool_size)
    sessions = session_factory(engine)
    # A blocking pool waits for a free connection under bursts instead of failing with "Too many connections".
    redis = Redis(connection_pool=BlockingConnectionPool.from_url(
        settings.redis_url_for("submission"), max_connections=REDIS_CONNECTIONS, timeout=REDIS_WAIT_SECONDS,
    ))
    return Context(
        settings=settings,
        engine=engine,
        sessions=sessions,
        tree=get_tree(),
        redis=redis,
        rate_limiter=VoteRateLimiter(
            redis, namespace=settings.namespace, per_member=settings.vote_rate_per_member,
            per_address=settings.vote_rate_per_address,
        ),
        import_limiter=ImportRateLimiter(
            redis, namespace=settings.namespace, per_officer_hour=settings.import_rate_per_officer,
        ),
        relay=OutboxRelay(engine=engine, table=outbox, settings=settings, service=SERVICE_NAME),
        campaigns=CampaignCache(sessions),
    )
