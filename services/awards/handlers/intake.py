"""Consuming events: campaign configuration and initiative state, idempotent by event id and by version.

``handle_events`` applies a batch in one transaction with the same outcome as ``handle_event`` applied to each
event in turn. The common case, an initiative's first event in the batch that needs no transition of an
existing case (a new submission), is written set-wise: one read of the snapshots and cases concerned, one
multi-row insert per table. Anything else (a second event of the same initiative, a withdrawal or a release of
an existing case, a campaign) goes the one-event way after what came before it is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.awards.adapters import repository as repo
from services.awards.adapters.tables import audit_log, campaigns, initiatives, processed_events, review_cases
from services.awards.domain.case import ReviewCase
from services.awards.domain.intake import IntakePlan, plan_intake
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


# Built once: a statement with an expanding parameter is compiled once and cached, where ``in_(list)`` coerces
# every element into a bound parameter on each call.
_SEEN = select(processed_events.c.event_id).where(processed_events.c.event_id.in_(bindparam("ids", expanding=True)))
_SNAPSHOTS = select(initiatives.c.initiative_id, initiatives.c.version, initiatives.c.status).where(
    initiatives.c.initiative_id.in_(bindparam("ids", expanding=True)))
_CASES = select(review_cases).where(review_cases.c.initiative_id.in_(bindparam("ids", expanding=True)))


async def handle_events(
    session: AsyncSession, events: Sequence[EventBase], *, now: datetime | None = None,
) -> list[bool]:
    """Apply ``events`` in order in the caller's transaction; per event, False when it was already applied."""
    now = now or utc_now()
    ids = list({e.event_id for e in events})
    stored = set((await session.scalars(_SEEN, {"ids": ids})).all())
    applied: list[bool] = []
    fresh: list[EventBase] = []
    for event in events:
        new = event.event_id not in stored
        applied.append(new)
        if new:
            stored.add(event.event_id)  # a second copy in the same batch is a duplicate
            fresh.append(event)
    if not fresh:
        return applied
    await session.execute(processed_events.insert(), [  # in key order: concurrent batches lock alike
        {"event_id": e.event_id, "type": e.type, "processed_at": now} for e in sorted(fresh, key=lambda e: e.event_id)
    ])
    states = {e.initiative_id for e in fresh if isinstance(e, InitiativeState)}
    snapshots, cases = await _known(session, states)
    writes = _Writes()
    touched: set[uuid.UUID] = set()
    for event in fresh:
        if isinstance(event, CampaignConfigured):
            await _configure_campaign(session, event, now)
        elif isinstance(event, InitiativeState):
            if event.initiative_id not in touched:
                touched.add(event.initiative_id)
                snapshot = snapshots.get(event.initiative_id)
                plan = plan_intake(
                    event, snapshot_version=snapshot[0] if snapshot else None,
                    snapshot_status=snapshot[1] if snapshot else None, case=cases.get(event.initiative_id),
                )
                if plan.command is None:
                    writes.add(event, plan, snapshot_stored=snapshot is not None, now=now)
                    continue
            await writes.flush(session)
            await _apply_initiative(session, event, now)
    await writes.flush(session)
    return applied


async def _known(
    session: AsyncSession, initiative_ids: set[uuid.UUID],
) -> tuple[dict[uuid.UUID, tuple[int, InitiativeStatus]], dict[uuid.UUID, ReviewCase]]:
    """The stored snapshot (version, status) and case of each of these initiatives that has one."""
    if not initiative_ids:
        return {}, {}
    ids = {"ids": list(initiative_ids)}
    rows = await session.execute(_SNAPSHOTS, ids)
    snapshots = {r.initiative_id: (r.version, InitiativeStatus(r.status)) for r in rows}
    case_rows = await session.execute(_CASES, ids)
    return snapshots, {r.initiative_id: repo.case_from_row(r) for r in case_rows}


@dataclass
class _Writes:
    """Rows of planned intakes, written together by ``flush`` (snapshots before the cases that follow them)."""

    new_snapshots: list[dict[str, Any]] = field(default_factory=list)
    changed_snapshots: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    audits: list[dict[str, Any]] = field(default_factory=list)

    def add(self, event: InitiativeState, plan: IntakePlan, *, snapshot_stored: bool, now: datetime) -> None:
        if plan.store_snapshot:
            values = {"initiative_id": event.initiative_id, **_snapshot_values(event, now)}
            (self.changed_snapshots if snapshot_stored else self.new_snapshots).append(values)
        if plan.open_case is not None:
            opened = plan.open_case
            self.cases.append(repo.case_row(opened, now))
            self.audits.append(_opening_audit(opened, event, now))

    async def flush(self, session: AsyncSession) -> None:
        if self.new_snapshots:
            self.new_snapshots.sort(key=lambda v: v["initiative_id"])
            await session.execute(initiatives.insert(), self.new_snapshots)
        if self.changed_snapshots:
            columns = [k for k in self.changed_snapshots[0] if k != "initiative_id"]
            statement = (update(initiatives).where(initiatives.c.initiative_id == bindparam("snapshot_of"))
                         .values({k: bindparam(k) for k in columns}))
            await session.execute(statement, [
                {"snapshot_of": v["initiative_id"], **{k: v[k] for k in columns}} for v in self.changed_snapshots
            ])
        if self.cases:
            await session.execute(review_cases.insert(), self.cases)
            await session.execute(audit_log.insert(), self.audits)
        self.new_snapshots, self.changed_snapshots, self.cases, self.audits = [], [], [], []


def _opening_audit(opened: ReviewCase, event: InitiativeState, now: datetime) -> dict[str, Any]:
    return repo.audit_row(
        case_id=opened.case_id, unit_id=opened.current_unit_id, actor="awards-consumer", role="system",
        action="open", at=now, before=None, after={**repo.case_json(opened), "event": event.type},
    )


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
        await repo.insert_case(session, plan.open_case, now)
        await session.execute(audit_log.insert().values(**_opening_audit(plan.open_case, event, now)))
    if plan.command is not None and case is not None:
        facts = Facts(now=now, initiative=await repo.load_initiative_facts(session, event.initiative_id))
        outcome = decide(case, plan.command, facts)
        await repo.save_case(session, case, outcome.case, now)
        await repo.add_audit(
            session, case_id=case.case_id, unit_id=case.current_unit_id, actor="awards-consumer", role="system",
            action=plan.command.action.value, at=now, before=repo.case_json(case),
            after={**repo.case_json(outcome.case), "event": event.type, "initiative_version": event.version},
        )
