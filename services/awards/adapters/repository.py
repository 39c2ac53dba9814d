"""Reading and writing review cases and the facts around them (SQLAlchemy Core, both SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.awards.adapters.tables import (
    audit_log,
    awards,
    campaigns,
    decisions,
    initiatives,
    nominations,
    review_cases,
    scores,
)
from services.awards.domain.case import CaseStatus, ReviewCase
from services.awards.domain.errors import ConcurrentChangeError
from services.awards.domain.rules import QuotaPolicy, ReviewCalendar
from services.awards.domain.scoring import Rubric, case_score
from services.awards.domain.workflow import AwardFacts, InitiativeFacts
from shared.db import as_utc
from shared.events import AuthorCategory, AwardGrade, AwardKind, InitiativeStatus


@dataclass(frozen=True)
class CampaignConfig:
    campaign_id: str
    name: str
    calendar: ReviewCalendar
    rubric: Rubric
    quotas: QuotaPolicy


def case_from_row(row: Row[Any]) -> ReviewCase:
    return ReviewCase(
        case_id=row.case_id, initiative_id=row.initiative_id, campaign_id=row.campaign_id,
        unit_path=tuple(row.unit_path), status=CaseStatus(row.status), current_level=row.current_level,
        version=row.version, recognised_levels=tuple(row.recognised_levels),
        returned_at_version=row.returned_at_version, grade=AwardGrade(row.grade) if row.grade else None,
    )


def case_json(case: ReviewCase) -> dict[str, Any]:
    """The case as the audit log keeps it (before / after)."""
    return {
        "status": case.status.value, "current_level": case.current_level, "current_unit_id": case.current_unit_id,
        "version": case.version, "recognised_levels": list(case.recognised_levels),
        "returned_at_version": case.returned_at_version, "grade": case.grade.value if case.grade else None,
    }


def _case_values(case: ReviewCase) -> dict[str, Any]:
    return {
        "status": case.status.value, "current_level": case.current_level, "current_unit_id": case.current_unit_id,
        "version": case.version, "recognised_levels": list(case.recognised_levels),
        "returned_at_version": case.returned_at_version, "grade": case.grade.value if case.grade else None,
    }


async def load_case(session: AsyncSession, case_id: uuid.UUID) -> ReviewCase | None:
    row = (await session.execute(select(review_cases).where(review_cases.c.case_id == case_id))).first()
    return case_from_row(row) if row else None


async def load_case_for_initiative(session: AsyncSession, initiative_id: uuid.UUID) -> ReviewCase | None:
    query = select(review_cases).where(review_cases.c.initiative_id == initiative_id)
    row = (await session.execute(query)).first()
    return case_from_row(row) if row else None


def case_row(case: ReviewCase, now: datetime) -> dict[str, Any]:
    """A new case as its ``review_cases`` row."""
    return {
        "case_id": case.case_id, "initiative_id": case.initiative_id, "campaign_id": case.campaign_id,
        "unit_path": list(case.unit_path), "grassroots_unit_id": case.unit_path[-1], "opened_at": now,
        "updated_at": now, **_case_values(case),
    }


async def insert_case(session: AsyncSession, case: ReviewCase, now: datetime) -> None:
    await session.execute(review_cases.insert().values(**case_row(case, now)))


async def save_case(session: AsyncSession, before: ReviewCase, after: ReviewCase, now: datetime) -> None:
    """Write ``after`` only if the stored case is still ``before`` (optimistic concurrency on the version)."""
    result = await session.execute(
        update(review_cases)
        .where(review_cases.c.case_id == before.case_id, review_cases.c.version == before.version)
        .values(updated_at=now, **_case_values(after))
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ConcurrentChangeError(
            "Hồ sơ vừa được người khác thay đổi; tải lại và thử lại — the case changed meanwhile; reload and retry"
        )


async def load_campaign(session: AsyncSession, campaign_id: str) -> CampaignConfig | None:
    row = (await session.execute(select(campaigns).where(campaigns.c.campaign_id == campaign_id))).first()
    if row is None:
        return None
    calendar = ReviewCalendar.for_campaign(
        submission_closes_at=as_utc(row.submission_closes_at),  # type: ignore[arg-type]
        review_opens_at=as_utc(row.review_opens_at),
        national_selection_opens_at=as_utc(row.national_selection_opens_at),
    )
    return CampaignConfig(
        campaign_id=row.campaign_id, name=row.name, calendar=calendar,
        rubric=Rubric.from_json(row.rubric), quotas=QuotaPolicy.from_json(row.quotas),
    )


async def load_campaign_quotas(session: AsyncSession, campaign_ids: Iterable[str]) -> dict[str, QuotaPolicy]:
    """The quota policy of each named campaign that is configured, in one query."""
    wanted = sorted(set(campaign_ids))
    if not wanted:
        return {}
    query = select(campaigns.c.campaign_id, campaigns.c.quotas).where(campaigns.c.campaign_id.in_(wanted))
    return {row.campaign_id: QuotaPolicy.from_json(row.quotas) for row in (await session.execute(query)).all()}


async def lock_campaign(session: AsyncSession, campaign_id: str) -> None:
    """Serialise quota-counted writes of one campaign: a row lock on PostgreSQL, the write lock on SQLite."""
    await session.execute(
        update(campaigns).where(campaigns.c.campaign_id == campaign_id)
        .values(write_lock=campaigns.c.write_lock + 1)
    )


async def load_initiative_facts(session: AsyncSession, initiative_id: uuid.UUID) -> InitiativeFacts:
    row = (await session.execute(select(initiatives).where(initiatives.c.initiative_id == initiative_id))).one()
    return InitiativeFacts(
        version=row.version, withdrawn=row.status == InitiativeStatus.WITHDRAWN.value,
        record_complete=row.record_complete, benefit_vnd=row.benefit_vnd,
        author_categories=tuple(AuthorCategory(c) for c in row.author_categories),
    )


async def count_nominations(session: AsyncSession, *, campaign_id: str, unit_id: str, level: int) -> int:
    query = select(func.count()).select_from(nominations).where(
        nominations.c.campaign_id == campaign_id, nominations.c.from_unit_id == unit_id,
        nominations.c.from_level == level,
    )
    return int(await session.scalar(query) or 0)


async def count_active_awards(session: AsyncSession, *, kind: AwardKind, theme: str | None, year: int) -> int:
    query = select(func.count()).select_from(awards).where(
        awards.c.kind == kind.value, awards.c.year == year, awards.c.active.is_(True),
        awards.c.theme.is_(None) if theme is None else awards.c.theme == theme,
    )
    return int(await session.scalar(query) or 0)


async def count_unit_awards(
    session: AsyncSession, *, campaign_id: str, unit_id: str, level: int, kind: AwardKind,
) -> int:
    """Active awards of ``kind`` the unit granted at ``level`` in the campaign (its per-unit award quota)."""
    query = select(func.count()).select_from(awards).where(
        awards.c.campaign_id == campaign_id, awards.c.granting_unit_id == unit_id, awards.c.level == level,
        awards.c.kind == kind.value, awards.c.active.is_(True),
    )
    return int(await session.scalar(query) or 0)


async def load_award(session: AsyncSession, award_id: uuid.UUID) -> Row[Any] | None:
    return (await session.execute(select(awards).where(awards.c.award_id == award_id))).first()


def award_facts(row: Row[Any] | None) -> AwardFacts | None:
    if row is None:
        return None
    return AwardFacts(level=row.level, kind=AwardKind(row.kind), granting_unit_id=row.granting_unit_id,
                      active=row.active)


async def level_score(session: AsyncSession, case_id: uuid.UUID, level: int) -> float | None:
    query = select(scores.c.weighted_total).where(scores.c.case_id == case_id, scores.c.level == level)
    return case_score(r[0] for r in (await session.execute(query)).all())


async def upsert_score(
    session: AsyncSession, *, case_id: uuid.UUID, level: int, reviewer: str, unit_id: str,
    marks: dict[str, float], total: float, now: datetime,
) -> None:
    """A reviewer's sheet for a case and level; scoring again replaces the earlier sheet."""
    key = (scores.c.case_id == case_id) & (scores.c.level == level) & (scores.c.reviewer == reviewer)
    result = await session.execute(update(scores).where(key).values(marks=marks, weighted_total=total, scored_at=now))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        await session.execute(scores.insert().values(
            case_id=case_id, level=level, reviewer=reviewer, unit_id=unit_id, marks=marks, weighted_total=total,
            scored_at=now,
        ))


async def add_decision(session: AsyncSession, **values: Any) -> None:
    await session.execute(decisions.insert().values(**values))


async def add_nomination(session: AsyncSession, **values: Any) -> None:
    await session.execute(nominations.insert().values(**values))


def audit_row(
    *, case_id: uuid.UUID, unit_id: str, actor: str, role: str, action: str, at: datetime,
    before: dict[str, Any] | None, after: dict[str, Any] | None,
) -> dict[str, Any]:
    """One ``audit_log`` row."""
    return {"case_id": case_id, "unit_id": unit_id, "actor": actor, "role": role, "action": action, "at": at,
            "before": before, "after": after}


async def add_audit(
    session: AsyncSession, *, case_id: uuid.UUID, unit_id: str, actor: str, role: str, action: str, at: datetime,
    before: dict[str, Any] | None, after: dict[str, Any] | None,
) -> None:
    await session.execute(audit_log.insert().values(**audit_row(
        case_id=case_id, unit_id=unit_id, actor=actor, role=role, action=action, at=at, before=before, after=after,
    )))


def award_json(row: Row[Any] | dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    data = dict(row._mapping) if isinstance(row, Row) else dict(row)
    return {
        "award_id": str(data["award_id"]), "level": data["level"], "kind": data["kind"], "grade": data["grade"],
        "theme": data["theme"], "active": data["active"], "version": data["version"],
        "granting_unit_id": data["granting_unit_id"],
    }
