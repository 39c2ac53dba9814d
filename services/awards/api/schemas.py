"""Request and response models of the awards API (the published OpenAPI contract)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.events import AwardGrade, AwardKind

Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
RequiredReason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecogniseRequest(Strict):
    reason: Reason = ""


class ReasonRequest(Strict):
    reason: RequiredReason


class ScoreRequest(Strict):
    marks: dict[Annotated[str, StringConstraints(max_length=64)], Annotated[float, Field(ge=0, le=10)]] = Field(
        max_length=50, description="Criterion key → mark 0–10 (every criterion of the campaign's rubric)",
    )


class SelectRequest(Strict):
    grade: AwardGrade


class GrantRequest(Strict):
    kind: AwardKind


class NominateRequest(Strict):
    note: Reason = ""


class CaseView(BaseModel):
    case_id: uuid.UUID
    initiative_id: uuid.UUID
    campaign_id: str
    status: str
    current_level: int
    current_unit_id: str
    unit_path: list[str]
    version: int
    recognised_levels: list[int]
    grade: str | None = None


class QuotaCount(BaseModel):
    cap: int | None = Field(description="The cap; null when uncapped")
    used: int
    remaining: int | None = Field(description="cap − used (never below 0); null when uncapped")
    scope: str = Field(description='"unit": counted for the unit in the campaign; "theme_year": for the theme'
                                   " this year")


class QuotaUsage(BaseModel):
    """The quota used and remaining at the unit and level where the case waits."""

    unit_id: str
    level: int
    nominations: QuotaCount | None = Field(description="Nominations this unit sent up; null at VGCL")
    awards: dict[str, QuotaCount] = Field(description="Per award kind the level grants")


class CaseItem(CaseView):
    title: str
    field: str
    effectiveness_summary: str
    benefit_vnd: int
    confidential: bool
    record_complete: bool
    opened_at: datetime | None = None
    quota: QuotaUsage | None = None


class CasePage(BaseModel):
    items: list[CaseItem]
    next_cursor: str | None = None


class AwardView(BaseModel):
    award_id: uuid.UUID
    level: int
    kind: str
    grade: str | None = None
    theme: str | None = None
    active: bool
    version: int
    granting_unit_id: str


class ActionResponse(BaseModel):
    case: CaseView
    event_ids: list[uuid.UUID]
    award: AwardView | None = None
    score: float | None = Field(None, description="The case's score at the acting level (mean of reviewers)")


class CaseDetail(CaseItem):
    decisions: list[dict[str, Any]]
    scores: list[dict[str, Any]]
    level_scores: dict[str, float | None]
    nominations: list[dict[str, Any]]
    awards: list[dict[str, Any]]
    audit: list[dict[str, Any]]


class AuditPage(BaseModel):
    items: list[dict[str, Any]]
    next_after: int | None = None


class CriterionModel(Strict):
    key: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,64}$")]
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    weight: Annotated[int, Field(ge=1, le=1000)]


Cap = Annotated[int, Field(ge=0, le=1_000_000)]
QuotaLevel = Annotated[int, Field(ge=2, le=4)]
UnitId = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class PolicyModel(Strict):
    rubric: list[CriterionModel] = Field(min_length=1, max_length=50)
    nominations_per_unit: dict[QuotaLevel, Cap] = Field(
        description="Nominating level (4, 3, 2) → most nominations one unit of that level may send up in the campaign",
    )
    awards_per_theme: dict[AwardKind, Cap] = Field(
        description="Award kind → most active awards per theme and year",
    )
    nominations_by_unit: dict[UnitId, Cap] = Field(
        default_factory=dict, max_length=10_000,
        description="Unit id (levels 4–2) → its own nomination cap in the campaign, beating its level's",
    )
    awards_per_unit: dict[QuotaLevel, dict[AwardKind, Cap]] = Field(
        default_factory=dict,
        description="Level (4, 3, 2) → award kind that level grants → most active awards one unit may grant in the"
                    " campaign",
    )
    awards_by_unit: dict[UnitId, dict[AwardKind, Cap]] = Field(
        default_factory=dict, max_length=10_000,
        description="Unit id (levels 4–2) → award kind → its own award quota in the campaign, beating its level's",
    )


class PolicyView(PolicyModel):
    campaign_id: str
    name: str
    review_opens_at: datetime
    national_selection_opens_at: datetime
    sources: dict[str, str] = Field(
        description="Where each default figure comes from: the regulation (Quy định) or our assumption (Giả định)",
    )


class CaseRecordAuthor(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    date_of_birth: str | None = None
    member_id: str | None = None


class CaseRecord(BaseModel):
    """The initiative's full record as submission keeps it, for the reviewers the case has reached."""

    model_config = ConfigDict(extra="allow")

    view: str = Field(description='Always "full"')
    id: uuid.UUID
    campaign_id: str
    title: str
    unit_id: str
    field: str
    confidential: bool
    confidential_details: str
    description: str
    effectiveness_summary: str
    benefit_vnd: int
    authors: list[CaseRecordAuthor]


class CaseAttachment(BaseModel):
    """One file of the initiative's dossier (download it through the case)."""

    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    created_at: datetime
