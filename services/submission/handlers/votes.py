"""Casting a vote: rate limits (one Redis call), window and status checks, vote row + event in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from services.submission.adapters.sql import insert_ignore
from services.submission.adapters.tables import initiatives, outbox, votes
from services.submission.bootstrap import Context
from services.submission.domain.errors import AlreadyWithdrawnError, InitiativeNotFoundError, NotSubmittedError
from services.submission.domain.initiative import ensure_in_window
from shared.auth import Principal
from shared.events import InitiativeStatus, VoteCast, utc_now, vote_id_for
from shared.outbox import add_events


@dataclass(frozen=True)
class VoteOutcome:
    vote_id: uuid.UUID
    initiative_id: uuid.UUID
    campaign_id: str
    already_voted: bool


async def cast_vote(
    ctx: Context, *, principal: Principal, initiative_id: uuid.UUID, client_address: str,
) -> VoteOutcome:
    """One vote per member per initiative: a repeat is answered with the same vote id, never stored twice."""
    await ctx.rate_limiter.check(principal.subject, client_address)
    now = utc_now()
    t = initiatives
    async with ctx.engine.begin() as conn:  # Core, not the ORM session: this is the hottest path
        row = (
            await conn.execute(
                select(t.c.campaign_id, t.c.status, t.c.unit_path).where(t.c.id == initiative_id)
            )
        ).first()
        if row is None or row.status == InitiativeStatus.DRAFT.value:
            raise InitiativeNotFoundError(f"Không có sáng kiến {initiative_id} — check the id")
        if row.status == InitiativeStatus.WITHDRAWN.value:
            raise AlreadyWithdrawnError("Sáng kiến đã rút, không bình chọn được — you cannot vote for it")
        if row.status != InitiativeStatus.SUBMITTED.value:
            raise NotSubmittedError("Sáng kiến chưa được gửi — only submitted initiatives can get votes")
        campaign = await ctx.campaigns.get(row.campaign_id, conn)
        ensure_in_window(campaign.voting_window, now, what="bình chọn (voting)")
        vote_id = vote_id_for(row.campaign_id, initiative_id, principal.subject)
        inserted = await conn.execute(
            insert_ignore(votes, conn.dialect.name).values(
                id=vote_id, campaign_id=row.campaign_id, initiative_id=initiative_id,
                member_id=principal.subject, created_at=now,
            )
        )
        created = bool(inserted.rowcount)
        if created:
            event = VoteCast.make(
                campaign_id=row.campaign_id, initiative_id=initiative_id, member_id=principal.subject,
                unit_path=tuple(row.unit_path.split("/")), occurred_at=now,
            )
            await add_events(conn, outbox, [event])
    if created:
        ctx.events_committed()
    return VoteOutcome(vote_id=vote_id, initiative_id=initiative_id, campaign_id=row.campaign_id,
                       already_voted=not created)
