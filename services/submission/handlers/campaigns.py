"""Campaign use cases: create, reconfigure, read, and the idempotent seed of the default campaigns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import structlog
from sqlalchemy.exc import IntegrityError

from services.submission.adapters import sql
from services.submission.adapters.tables import idempotency, outbox
from services.submission.bootstrap import Context
from services.submission.domain.campaign import (
    CAMPAIGN_2021,
    DEMO_CAMPAIGN,
    DEMO_TARGET,
    Campaign,
    CampaignConfig,
    campaign_2021,
    demo_campaign,
)
from services.submission.domain.errors import CampaignExistsError, CampaignNotFoundError, UnknownUnitError
from services.submission.handlers.idempotent import IdempotencyRequest, remember, replay_or_none
from shared.events import CampaignConfigured, utc_now
from shared.outbox import add_events
from shared.union_tree import UnionTree

log = structlog.get_logger(__name__)
LEVEL2 = 2


def check_quotas(config: CampaignConfig, tree: UnionTree) -> None:
    for unit_id in config.quotas:
        if unit_id not in tree or tree.level(unit_id) != LEVEL2:
            raise UnknownUnitError(
                f"Chỉ tiêu cho {unit_id!r}: không phải đơn vị cấp 2 — quotas are per level-2 unit (e.g. P24, S01)"
            )


def configured_event(campaign: Campaign) -> CampaignConfigured:
    window = campaign.submission_window
    return CampaignConfigured.make(
        campaign_id=campaign.id, version=campaign.version, name=campaign.name, target=campaign.target,
        submission_opens_at=window.opens_at, submission_closes_at=window.closes_at,
        voting_opens_at=campaign.voting_opens_at, voting_closes_at=campaign.voting_closes_at,
        review_opens_at=campaign.review_opens_at, national_selection_opens_at=campaign.national_selection_opens_at,
        fields=tuple(f.code for f in campaign.fields), quotas=dict(campaign.quotas),
    )


def _stored(campaign_id: str, version: int, config: CampaignConfig) -> Campaign:
    return Campaign.model_validate({**config.model_dump(), "id": campaign_id, "version": version})


async def create_campaign(
    ctx: Context, *, campaign_id: str, config: CampaignConfig, idempotency_request: IdempotencyRequest | None = None,
) -> tuple[int, dict[str, Any]]:
    """Create a campaign (version 1) and its ``campaign.configured`` event; 409 when the id is taken."""
    check_quotas(config, ctx.tree)
    campaign = _stored(campaign_id, 1, config)
    async with ctx.sessions.begin() as session:
        replay = await replay_or_none(session, idempotency, idempotency_request)
        if replay is not None:
            return replay.status_code, replay.body
        if not await sql.insert_campaign(session, campaign_id, config, utc_now()):
            raise CampaignExistsError(f"Đã có phong trào {campaign_id!r} — use PUT /v1/campaigns/{campaign_id}")
        await add_events(session, outbox, [configured_event(campaign)])
        body = campaign.model_dump(mode="json")
        await remember(session, idempotency, idempotency_request, 201, body)
    ctx.events_committed()
    return 201, body


async def update_campaign(ctx: Context, *, campaign_id: str, config: CampaignConfig) -> Campaign:
    check_quotas(config, ctx.tree)
    async with ctx.sessions.begin() as session:
        current = await sql.load_campaign(session, campaign_id)
        if current is None:
            raise CampaignNotFoundError(f"Không có phong trào {campaign_id!r} — create it with POST /v1/campaigns")
        campaign = _stored(campaign_id, current.version + 1, config)
        if not await sql.save_campaign(session, campaign, utc_now()):
            raise CampaignExistsError("Phong trào vừa được sửa bởi người khác — reload and try again")
        await add_events(session, outbox, [configured_event(campaign)])
    ctx.campaigns.forget(campaign_id)
    ctx.events_committed()
    return campaign


async def get_campaign(ctx: Context, campaign_id: str) -> Campaign:
    async with ctx.sessions() as session:
        campaign = await sql.load_campaign(session, campaign_id)
    if campaign is None:
        raise CampaignNotFoundError(f"Không có phong trào {campaign_id!r} — see GET /v1/campaigns")
    return campaign


async def list_campaigns(ctx: Context) -> list[Campaign]:
    async with ctx.sessions() as session:
        return await sql.list_campaigns(session)


def _quotas(tree: UnionTree, on: date, target: int) -> dict[str, int]:
    """Each level-2 unit's chỉ tiêu; units without one get their share of the target by weight."""
    quotas = {u.id: int(u.quota) or round(u.weight * target) for u in tree.level2_units(on=on)}
    return {unit_id: quota for unit_id, quota in quotas.items() if quota}


async def ensure_default_campaigns(ctx: Context, now: datetime | None = None) -> list[str]:
    """Create the 2021 campaign (and the demo one when configured) if absent; return the ids created."""
    now = now or utc_now()
    wanted = [(CAMPAIGN_2021, campaign_2021(_quotas(ctx.tree, date(2021, 4, 20), 75_000)))]
    if ctx.settings.seed_demo_campaign:
        wanted.append((DEMO_CAMPAIGN, demo_campaign(now, _quotas(ctx.tree, now.date(), DEMO_TARGET))))
    created = []
    for campaign_id, config in wanted:
        try:
            async with ctx.sessions.begin() as session:
                if await sql.insert_campaign(session, campaign_id, config, now):
                    await add_events(session, outbox, [configured_event(_stored(campaign_id, 1, config))])
                    created.append(campaign_id)
        except IntegrityError:  # another process seeded it at the same moment
            continue
    if created:
        log.info("default campaigns created", campaigns=created)
        ctx.events_committed()
    return created
