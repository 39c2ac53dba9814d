"""Who may see and change an initiative, and THE one projection every response goes through."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.submission.domain.initiative import Initiative
from shared.auth import Principal, Role
from shared.events import AuthorCategory, InitiativeStatus
from shared.union_tree import UnknownUnitError


def in_scope(viewer: Principal, unit_path: tuple[str, ...]) -> bool:
    """An officer or reviewer acts on a unit when their unit is on its path, or succeeded a unit on it (2025)."""
    if viewer.unit_id is None:
        return False
    if viewer.unit_id in unit_path:
        return True
    try:
        return viewer.within(unit_path[-1])
    except UnknownUnitError:
        return False


def is_grassroots_officer(viewer: Principal, initiative: Initiative) -> bool:
    """The officer of the initiative's own grassroots union (its level-4 unit), who vouches for its record."""
    return viewer.role is Role.OFFICER and viewer.unit_id is not None and viewer.unit_id == initiative.unit_path[-1]


def may_see_full(viewer: Principal | None, initiative: Initiative) -> bool:
    """Owner, authors, the grassroots officer of its unit, admins and services. Officers and reviewers above
    grassroots are not here: a reviewer gets the record from awards once the case has reached their level."""
    if viewer is None:
        return False
    if viewer.role in (Role.ADMIN, Role.SERVICE):
        return True
    if is_grassroots_officer(viewer, initiative):
        return True
    return viewer.subject == initiative.owner_member_id or viewer.subject in initiative.author_member_ids


def may_change(viewer: Principal, initiative: Initiative) -> bool:
    """Edit, submit, withdraw, attach: the owner (an upper officer who imported it too), the grassroots officer
    of its unit, or an admin."""
    if viewer.role is Role.ADMIN:
        return True
    if is_grassroots_officer(viewer, initiative):
        return True
    return viewer.role in (Role.MEMBER, Role.OFFICER) and viewer.subject == initiative.owner_member_id


def may_know_exists(viewer: Principal | None, initiative: Initiative) -> bool:
    """Drafts are private to those who see the full record; everything else is public."""
    return initiative.status is not InitiativeStatus.DRAFT or may_see_full(viewer, initiative)


class PublicAuthor(BaseModel):
    name: str
    workplace: str
    job_title: str
    qualification: str
    category: AuthorCategory
    share_percent: Decimal


class FullAuthor(PublicAuthor):
    date_of_birth: date | None
    member_id: str | None


class ConfidentialView(BaseModel):
    """A technology secret seen by the public: title, effectiveness summary, award — nothing else identifying."""

    model_config = ConfigDict(frozen=True)

    view: Literal["confidential"] = "confidential"
    id: uuid.UUID
    campaign_id: str
    status: InitiativeStatus
    confidential: Literal[True] = True
    title: str
    effectiveness_summary: str
    award: None = None  # awards live in the awards service


class PublicView(BaseModel):
    """An ordinary initiative seen by the public: the form without personal data (birth dates, member ids)."""

    model_config = ConfigDict(frozen=True)

    view: Literal["public"] = "public"
    id: uuid.UUID
    campaign_id: str
    status: InitiativeStatus
    confidential: bool
    title: str
    effectiveness_summary: str
    award: None = None
    version: int
    unit_id: str
    unit_path: tuple[str, ...]
    field: str
    description: str
    date_first_applied: date | None
    benefit_vnd: int
    application_conditions: str
    investor: str
    authors: tuple[PublicAuthor, ...]
    record_complete: bool
    submitted_at: datetime | None
    withdrawn_at: datetime | None


class FullView(PublicView):
    """The whole record, for those who may see it."""

    view: Literal["full"] = "full"  # type: ignore[assignment]
    authors: tuple[FullAuthor, ...]  # type: ignore[assignment]
    first_application_participants: str
    confidential_details: str
    owner_member_id: str
    withdrawal_reason: str
    created_at: datetime
    updated_at: datetime


InitiativeView = Annotated[FullView | PublicView | ConfidentialView, Field(discriminator="view")]


def project(initiative: Initiative, viewer: Principal | None) -> FullView | PublicView | ConfidentialView:
    """The only place that decides how much of an initiative a caller sees."""
    c = initiative.content
    if not may_see_full(viewer, initiative) and c.confidential:
        return ConfidentialView(
            id=initiative.id, campaign_id=initiative.campaign_id, status=initiative.status,
            title=c.title, effectiveness_summary=c.effectiveness_summary,
        )
    common = {
        "id": initiative.id, "campaign_id": initiative.campaign_id, "status": initiative.status,
        "confidential": c.confidential, "title": c.title, "effectiveness_summary": c.effectiveness_summary,
        "version": initiative.version, "unit_id": c.unit_id, "unit_path": initiative.unit_path, "field": c.field,
        "description": c.description, "date_first_applied": c.date_first_applied, "benefit_vnd": c.benefit_vnd,
        "application_conditions": c.application_conditions, "investor": c.investor,
        "record_complete": c.record_complete, "submitted_at": initiative.submitted_at,
        "withdrawn_at": initiative.withdrawn_at,
    }
    if not may_see_full(viewer, initiative):
        authors = tuple(
            PublicAuthor(
                name=a.name, workplace=a.workplace, job_title=a.job_title, qualification=a.qualification,
                category=a.category, share_percent=a.share_percent,
            )
            for a in c.authors
        )
        return PublicView(**common, authors=authors)
    full_authors = tuple(FullAuthor(**a.model_dump()) for a in c.authors)
    return FullView(
        **common, authors=full_authors, first_application_participants=c.first_application_participants,
        confidential_details=c.confidential_details, owner_member_id=initiative.owner_member_id,
        withdrawal_reason=initiative.withdrawal_reason, created_at=initiative.created_at,
        updated_at=initiative.updated_at,
    )
