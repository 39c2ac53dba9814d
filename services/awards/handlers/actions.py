"""Reviewer actions as use cases: load the case and its facts, decide in the domain, persist and stage events.

Each call runs inside the caller's transaction, so the case, the decision, the audit entry and the
outbox events commit together (or not at all, when a rule refuses the action).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.awards.adapters import repository as repo
from services.awards.adapters.tables import awards, outbox
from services.awards.domain.access import can_act_on_case
from services.awards.domain.case import REVIEWER_ACTIONS, Action, ReviewCase
from services.awards.domain.errors import CampaignNotConfiguredError
from services.awards.domain.rules import award_theme, local_year
from services.awards.domain.workflow import Command, Facts, Outcome, decide
from shared.events import AwardGranted, AwardKind, AwardRevoked, EventBase, ReviewDecided, award_id_for, utc_now
from shared.outbox import add_events
from shared.problems import NotFoundError


@dataclass(frozen=True)
class ActionResult:
    case: ReviewCase
    events: tuple[EventBase, ...]
    award: dict[str, Any] | None = None
    score: float | None = None


class CaseNotFoundError(NotFoundError):
    type_suffix = "case-not-found"


class AwardNotFoundError(NotFoundError):
    type_suffix = "award-not-found"


def case_not_found(case_id: uuid.UUID) -> CaseNotFoundError:
    """One answer for a case that does not exist and a case outside the caller's scope (reads give the same)."""
    return CaseNotFoundError(f"Không có hồ sơ xét {case_id} trong phạm vi của bạn — no such case for you")


def award_not_found(award_id: uuid.UUID | None) -> AwardNotFoundError:
    """One answer for an award that does not exist and an award of a case outside the caller's scope."""
    return AwardNotFoundError(f"Không có khen thưởng {award_id} — no award {award_id}")


async def perform(
    session: AsyncSession, *, case_id: uuid.UUID, command: Command, award_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> ActionResult:
    """Run one reviewer action on a case; raise the domain error of the first broken rule."""
    now = now or utc_now()
    case = await repo.load_case(session, case_id)
    actor = command.actor
    if case is None or (command.action in REVIEWER_ACTIONS
                        and not can_act_on_case(actor.role, actor.unit_id, actor.unit_level, case)):
        raise award_not_found(award_id) if command.action is Action.REVOKE else case_not_found(case_id)
    campaign = await repo.load_campaign(session, case.campaign_id)
    if campaign is None:
        raise CampaignNotConfiguredError(
            f"Chưa nhận cấu hình đợt thi đua {case.campaign_id} — campaign {case.campaign_id} is not configured yet"
        )
    if command.action in (Action.NOMINATE, Action.GRANT):
        await repo.lock_campaign(session, case.campaign_id)
    level = case.current_level
    theme: str | None = None
    if command.action is Action.GRANT and command.award_kind is not None:
        theme = award_theme(command.award_kind, case.campaign_id)
        award_id = award_id_for(case.initiative_id, level, command.award_kind, theme)
    award_row = await repo.load_award(session, award_id) if award_id else None
    if command.action is Action.REVOKE and (award_row is None or award_row.case_id != case.case_id):
        raise AwardNotFoundError(f"Không có khen thưởng {award_id} của hồ sơ này — no such award on this case")
    facts = Facts(
        now=now, calendar=campaign.calendar, rubric=campaign.rubric, quotas=campaign.quotas,
        initiative=await repo.load_initiative_facts(session, case.initiative_id),
        nominations_used=await repo.count_nominations(
            session, campaign_id=case.campaign_id, unit_id=case.current_unit_id, level=level,
        ) if command.action is Action.NOMINATE else 0,
        unit_awards_used=await repo.count_unit_awards(
            session, campaign_id=case.campaign_id, unit_id=case.current_unit_id, level=level, kind=command.award_kind,
        ) if command.action is Action.GRANT and command.award_kind else 0,
        awards_used=await repo.count_active_awards(
            session, kind=command.award_kind, theme=theme, year=local_year(now),
        ) if command.action is Action.GRANT and command.award_kind else 0,
        award=repo.award_facts(award_row),
    )
    outcome = decide(case, command, facts)
    if command.action is Action.GRANT:
        assert award_id is not None and command.award_kind is not None
        return await _grant(session, case=case, command=command, award_id=award_id, kind=command.award_kind,
                            theme=theme, existing=award_row, now=now)
    if command.action is Action.REVOKE:
        assert award_row is not None
        return await _revoke(session, case, command, award_row, now)
    return await _record_decision(session, case, command, outcome, now)


async def _record_decision(
    session: AsyncSession, case: ReviewCase, command: Command, outcome: Outcome, now: datetime,
) -> ActionResult:
    after, level, actor = outcome.case, outcome.level, command.actor
    unit_id = case.unit_at(level)
    await repo.save_case(session, case, after, now)
    if command.action is Action.SCORE:
        await repo.upsert_score(
            session, case_id=case.case_id, level=level, reviewer=actor.subject, unit_id=unit_id,
            marks=dict(command.marks or {}), total=outcome.weighted_total or 0.0, now=now,
        )
    if command.action is Action.NOMINATE:
        await repo.add_nomination(
            session, case_id=case.case_id, campaign_id=case.campaign_id, from_unit_id=unit_id, from_level=level,
            to_unit_id=after.current_unit_id, actor=actor.subject, nominated_at=now,
        )
    score = await repo.level_score(session, case.case_id, level)
    assert outcome.decision is not None
    reason = command.reason.strip() or (command.grade.value if command.grade else "")
    await repo.add_decision(
        session, case_id=case.case_id, campaign_id=case.campaign_id, level=level, unit_id=unit_id,
        decision=outcome.decision.value, reason=reason, actor=actor.subject, case_version=after.version,
        score=score, decided_at=now,
    )
    before_json, after_json = repo.case_json(case), repo.case_json(after)
    if command.action is Action.SCORE:
        after_json["marks"] = dict(command.marks or {})
        after_json["weighted_total"] = outcome.weighted_total
    if reason:
        after_json["reason"] = reason
    await repo.add_audit(
        session, case_id=case.case_id, unit_id=unit_id, actor=actor.subject, role=actor.role,
        action=command.action.value, at=now, before=before_json, after=after_json,
    )
    event = ReviewDecided.make(
        campaign_id=case.campaign_id, case_id=case.case_id, version=after.version,
        initiative_id=case.initiative_id, unit_path=case.unit_path, decision=outcome.decision, level=level,
        deciding_unit_id=unit_id, recognised_levels=after.recognised_levels, current_level=after.current_level,
        score=score,
    )
    await add_events(session, outbox, [event])
    return ActionResult(case=after, events=(event,), score=score)


async def _grant(
    session: AsyncSession, *, case: ReviewCase, command: Command, award_id: uuid.UUID, kind: AwardKind,
    theme: str | None, existing: Any, now: datetime,
) -> ActionResult:
    level = case.current_level
    values = {
        "initiative_id": case.initiative_id, "case_id": case.case_id, "campaign_id": case.campaign_id,
        "unit_path": list(case.unit_path), "level": level, "granting_unit_id": case.unit_at(level),
        "kind": kind.value, "grade": case.grade.value if level == 1 and case.grade else None, "theme": theme,
        "year": local_year(now), "active": True, "granted_at": now, "revoked_at": None, "revoke_reason": None,
    }
    version = existing.version + 1 if existing is not None else 1
    if existing is None:
        await session.execute(awards.insert().values(award_id=award_id, version=version, **values))
    else:
        await session.execute(awards.update().where(awards.c.award_id == award_id).values(version=version, **values))
    award = {"award_id": award_id, "version": version, **values}
    await repo.add_audit(
        session, case_id=case.case_id, unit_id=case.unit_at(level), actor=command.actor.subject,
        role=command.actor.role, action=Action.GRANT.value, at=now,
        before=repo.award_json(existing), after=repo.award_json(award),
    )
    event = AwardGranted.make(
        campaign_id=case.campaign_id, award_id=award_id, version=version, initiative_id=case.initiative_id,
        unit_path=case.unit_path, level=level, granting_unit_id=case.unit_at(level), kind=kind,
        grade=values["grade"], theme=theme,
    )
    await add_events(session, outbox, [event])
    return ActionResult(case=case, events=(event,), award=repo.award_json(award))


async def _revoke(session: AsyncSession, case: ReviewCase, command: Command, row: Any, now: datetime) -> ActionResult:
    version = row.version + 1
    reason = command.reason.strip()
    await session.execute(
        awards.update().where(awards.c.award_id == row.award_id)
        .values(active=False, version=version, revoked_at=now, revoke_reason=reason)
    )
    after = {**dict(row._mapping), "active": False, "version": version}
    await repo.add_audit(
        session, case_id=case.case_id, unit_id=command.actor.unit_id or row.granting_unit_id,
        actor=command.actor.subject, role=command.actor.role, action=Action.REVOKE.value, at=now,
        before=repo.award_json(row), after={**(repo.award_json(after) or {}), "reason": reason},
    )
    event = AwardRevoked.make(
        campaign_id=case.campaign_id, award_id=row.award_id, version=version, initiative_id=case.initiative_id,
        unit_path=tuple(row.unit_path), level=row.level, granting_unit_id=row.granting_unit_id,
        kind=AwardKind(row.kind), grade=row.grade, theme=row.theme, reason=reason,
    )
    await add_events(session, outbox, [event])
    return ActionResult(case=case, events=(event,), award=repo.award_json(after))
