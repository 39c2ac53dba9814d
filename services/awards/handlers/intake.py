"""Consuming events: campaign configuration and initiative state, idempotent by event id and by version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.awards.adapters import repository as repo
from services.awards.adapters.tables import campaigns, initiatives, processed_events
from services.awards.domain.intake import plan_intake
from services.awards.domain.workflow import Facts, decide
from shared.events import CampaignConfigured, EventBase, InitiativeState, InitiativeStatus, utc_now


async def handle_event(session: AsyncSession, event: EventBase, *, now: datetime | None = None) -> bool:
    """Apply one event in the caller's transaction; return False when it was already applied."""
    now = now or utc_now()
    query = select(processed_events.c.event_id).where(processed_events.c.event_id == event.event_id)
    seen = await session.scalar(query)
    if seen is not None:
        return False
    await session.execute(processed_events.insert().values(event_id=event.event_id, type=event.type, processed_at=now))
    if isinstance(event, CampaignConfigured):
        await _configure_campaign(session, event, now)
    elif isinstance(event, InitiativeState):
        await _apply_initiative(session, event, now)
    return True


async def _configure_campaign(session: AsyncSession, event: CampaignConfigured, now: datetime) -> None:
    """Keep the newest configuration; the rubric and quotas set by admins here are left alone."""
    current = await session.scalar(select(campaigns.c.version).where(campaigns.c.campaign_id == event.campaign_id))
    values = {
        "version": event.version, "name": event.name, "submission_opens_at": event.submission_opens_at,
        "submission_closes_at": event.submission_closes_at, "review_opens_at": event.review_opens_at,
        "national_selection_opens_at": event.national_selection_opens_at, "updated_at": now,
    }
    if current is None:
        await session.execute(campaigns.insert().values(campaign_id=event.campaign_id, write_lock=0, **values))
    elif event.version > current:
        await session.execute(update(campaigns).where(campaigns.c.campaign_id == event.campaign_id).values(**values))


def _snapshot_values(event: InitiativeState, now: datetime) -> dict[str, object]:
    return {
        "campaign_id": event.campaign_id, "version": event.version, "status": event.status.value,
        "unit_path": list(event.unit_path), "unit_id": event.unit_id, "field": event.field, "title": event.title,
        "effectiveness_summary": event.effectiveness_summary, "benefit_vnd": event.benefit_vnd,
        "confidential": event.confidential, "submitted_at": event.submitted_at, "author_count": event.author_count,
        "author_categories": [c.value for c in event.author_categories], "record_complete": event.record_complete,
        "updated_at": now,
    }


async def _apply_initiative(session: AsyncSession, event: InitiativeState, now: datetime) -> None:
    query = select(initiatives.c.version, initiatives.c.status).where(
        initiatives.c.initiative_id == event.initiative_id
    )
    snapshot = (await session.execute(query)).first()
    case = await repo.load_case_for_initiative(session, event.initiative_id)
    plan = plan_intake(
        event, snapshot_version=snapshot.version if snapshot else None,
        snapshot_status=InitiativeStatus(snapshot.status) if snapshot else None, case=case,
    )
    if plan.store_snapshot:
        values = _snapshot_values(event, now)
        if snapshot is None:
            await session.execute(initiatives.insert().values(initiative_id=event.initiative_id, **values))
        else:
            await session.execute(
                update(initiatives).where(initiatives.c.initiative_id == event.initiative_id).values(**values)
            )
    if plan.open_case is not None:
        opened = plan.open_case
        await repo.insert_case(session, opened, now)
        await repo.add_audit(
            session, case_id=opened.case_id, unit_id=opened.current_unit_id, actor="awards-consumer", role="system",
            action="open", at=now, before=None, after={**repo.case_json(opened), "event": event.type},
        )
    if plan.command is not None and case is not None:
        facts = Facts(now=now, initiative=await repo.load_initiative_facts(session, event.initiative_id))
        outcome = decide(case, plan.command, facts)
        await repo.save_case(session, case, outcome.case, now)
        await repo.add_audit(
            session, case_id=case.case_id, unit_id=case.current_unit_id, actor="awards-consumer", role="system",
            action=plan.command.action.value, at=now, before=repo.case_json(case),
            after={**repo.case_json(outcome.case), "event": event.type, "initiative_version": event.version},
        )
