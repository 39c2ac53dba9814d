"""Initiatives: the legal request form, its rules, statuses and versions, and the events each change yields."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.submission.domain.campaign import CampaignConfig, Window, vietnam_time
from services.submission.domain.errors import (
    AlreadySubmittedError,
    AlreadyWithdrawnError,
    DateInFutureError,
    IncompleteInitiativeError,
    NotGrassrootsUnitError,
    NotSubmittedError,
    SharesNot100Error,
    UnknownFieldError,
    UnknownUnitError,
    WindowClosedError,
)
from services.submission.domain.text import Clean, Label, LongText, Name, Summary, Title, fold, search_text
from shared.events import (
    AuthorCategory,
    InitiativeDrafted,
    InitiativeState,
    InitiativeStatus,
    InitiativeSubmitted,
    InitiativeUpdated,
    InitiativeWithdrawn,
)
from shared.union_tree import UnionTree
from shared.union_tree import UnknownUnitError as TreeUnknownUnitError

GRASSROOTS_LEVEL = 4
MAX_AUTHORS = 10
SharePercent = Annotated[Decimal, Field(gt=0, le=100, max_digits=5, decimal_places=2)]
UnitId = Annotated[str, Field(min_length=1, max_length=32)]
MemberId = Annotated[str, Clean, Field(min_length=1, max_length=200)]


class AuthorData(BaseModel):
    """One author on the request form (tác giả) with their share of the contribution."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Name
    date_of_birth: date | None = None
    workplace: Label = ""
    job_title: Label = ""
    qualification: Label = ""
    category: AuthorCategory = AuthorCategory.WORKER
    share_percent: SharePercent
    member_id: MemberId | None = None

    @field_validator("share_percent")
    @classmethod
    def _two_places(cls, value: Decimal) -> Decimal:
        return value.quantize(Decimal("0.01"))

    @property
    def complete(self) -> bool:
        return bool(self.date_of_birth and self.workplace and self.job_title and self.qualification)


class InitiativeContent(BaseModel):
    """The request form (Nghị định 13/2012/NĐ-CP): everything an author fills in, nothing the system owns."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    unit_id: UnitId
    field: Annotated[str, Field(min_length=1, max_length=64)]
    title: Title
    description: LongText = ""
    date_first_applied: date | None = None
    benefit_vnd: int = Field(0, ge=0, le=10**15)
    effectiveness_summary: Summary = ""
    application_conditions: LongText = ""
    first_application_participants: Summary = ""
    investor: Label = ""
    confidential: bool = False
    confidential_details: LongText = ""
    authors: tuple[AuthorData, ...] = Field(min_length=1, max_length=MAX_AUTHORS)

    @property
    def title_folded(self) -> str:
        return fold(self.title)

    @property
    def search_folded(self) -> str:
        return search_text(self.title, self.effectiveness_summary)

    @property
    def record_complete(self) -> bool:
        """Every form field filled (the investor is optional: only when it is not the author)."""
        filled = all((
            self.description, self.date_first_applied, self.effectiveness_summary,
            self.application_conditions, self.first_application_participants,
        ))
        secret_ok = bool(self.confidential_details) if self.confidential else True
        return filled and secret_ok and all(a.complete for a in self.authors)


def check_content(content: InitiativeContent, *, campaign: CampaignConfig, tree: UnionTree, today: date) -> None:
    """The rules pydantic types cannot express; raise the matching problem."""
    try:
        unit = tree.get(content.unit_id)
    except TreeUnknownUnitError as exc:
        raise UnknownUnitError(
            f"Không có đơn vị mã {content.unit_id!r} — unknown unit; use a grassroots unit id such as P24-03-002"
        ) from exc
    if unit.level != GRASSROOTS_LEVEL:
        raise NotGrassrootsUnitError(
            f"{unit.name} ({unit.id}) là đơn vị cấp {unit.level}; sáng kiến phải thuộc công đoàn cơ sở"
            " — the unit must be a grassroots (level-4) union"
        )
    if content.field not in campaign.field_codes:
        codes = ", ".join(sorted(campaign.field_codes))
        raise UnknownFieldError(f"Lĩnh vực {content.field!r} không có trong phong trào — use one of: {codes}")
    total = sum((a.share_percent for a in content.authors), Decimal(0))
    if total != Decimal(100):
        raise SharesNot100Error(
            f"Tổng tỷ lệ đóng góp của các tác giả là {total} %, phải bằng 100 % — make the shares add up to 100",
            total_percent=str(total),
        )
    if content.date_first_applied and content.date_first_applied > today:
        raise DateInFutureError(
            f"Ngày áp dụng lần đầu {content.date_first_applied:%d/%m/%Y} ở tương lai"
            " — give the date it was first applied"
        )
    for author in content.authors:
        if author.date_of_birth and author.date_of_birth > today:
            raise DateInFutureError(f"Ngày sinh của {author.name} ở tương lai — check the date of birth")


def missing_for_submission(content: InitiativeContent) -> list[str]:
    """Fields the form must have before it is submitted (the rest may follow in an edit)."""
    required = {
        "description": content.description,
        "date_first_applied": content.date_first_applied,
        "effectiveness_summary": content.effectiveness_summary,
    }
    return [name for name, value in required.items() if not value]


def ensure_in_window(window: Window, now: datetime, *, what: str) -> None:
    if not window.contains(now):
        raise WindowClosedError(
            f"Ngoài thời gian {what}: {window.describe()} — {what} is only possible inside this window",
            window_opens_at=window.opens_at.isoformat(),
            window_closes_at=window.closes_at.isoformat(),
            window_vietnam=f"{vietnam_time(window.opens_at)} – {vietnam_time(window.closes_at)}",
        )


@dataclass(frozen=True)
class Initiative:
    """A stored initiative: the form plus what the system owns (status, version, owner, times)."""

    id: uuid.UUID
    campaign_id: str
    content: InitiativeContent
    unit_path: tuple[str, ...]
    status: InitiativeStatus
    version: int
    owner_member_id: str
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None
    withdrawn_at: datetime | None = None
    withdrawal_reason: str = ""

    @property
    def author_member_ids(self) -> frozenset[str]:
        return frozenset(a.member_id for a in self.content.authors if a.member_id)

    def edited(self, content: InitiativeContent, unit_path: tuple[str, ...], now: datetime) -> Initiative:
        if self.status is InitiativeStatus.WITHDRAWN:
            raise AlreadyWithdrawnError("Sáng kiến đã rút, không sửa được — a withdrawn initiative cannot be edited")
        return replace(self, content=content, unit_path=unit_path, version=self.version + 1, updated_at=now)

    def submitted(self, now: datetime) -> Initiative:
        if self.status is InitiativeStatus.SUBMITTED:
            raise AlreadySubmittedError("Sáng kiến đã được gửi — it is already submitted")
        if self.status is InitiativeStatus.WITHDRAWN:
            raise AlreadyWithdrawnError("Sáng kiến đã rút, không gửi được — a withdrawn initiative cannot be submitted")
        missing = missing_for_submission(self.content)
        if missing:
            raise IncompleteInitiativeError(
                f"Cần điền trước khi gửi: {', '.join(missing)} — fill these fields, then submit", missing=missing,
            )
        return replace(
            self, status=InitiativeStatus.SUBMITTED, version=self.version + 1, submitted_at=now, updated_at=now,
        )

    def withdrawn(self, reason: str, now: datetime) -> Initiative:
        if self.status is InitiativeStatus.WITHDRAWN:
            raise AlreadyWithdrawnError("Sáng kiến đã rút trước đó — it is already withdrawn")
        return replace(
            self, status=InitiativeStatus.WITHDRAWN, version=self.version + 1, withdrawn_at=now,
            withdrawal_reason=reason, updated_at=now,
        )

    def ensure_votable(self) -> None:
        if self.status is InitiativeStatus.WITHDRAWN:
            raise AlreadyWithdrawnError("Sáng kiến đã rút, không bình chọn được — you cannot vote for it")
        if self.status is not InitiativeStatus.SUBMITTED:
            raise NotSubmittedError("Sáng kiến chưa được gửi — only submitted initiatives can get votes")


def event_state(initiative: Initiative) -> dict[str, Any]:
    """The public, countable state every initiative event carries (no authors' names, no confidential details)."""
    content = initiative.content
    return {
        "status": initiative.status,
        "unit_path": initiative.unit_path,
        "field": content.field,
        "title": content.title,
        "effectiveness_summary": content.effectiveness_summary,
        "benefit_vnd": content.benefit_vnd,
        "confidential": content.confidential,
        "submitted_at": initiative.submitted_at,
        "author_count": len(content.authors),
        "author_categories": tuple(a.category for a in content.authors),
        "record_complete": content.record_complete,
    }


def initiative_event(kind: type[InitiativeState], initiative: Initiative, **extra: Any) -> InitiativeState:
    return kind.make(
        campaign_id=initiative.campaign_id, initiative_id=initiative.id, version=initiative.version,
        **event_state(initiative), **extra,
    )


EVENT_FOR_CHANGE: dict[str, type[InitiativeState]] = {
    "drafted": InitiativeDrafted,
    "submitted": InitiativeSubmitted,
    "updated": InitiativeUpdated,
    "withdrawn": InitiativeWithdrawn,
}
