"""Request and response bodies of the submission API (requests never carry status, version, votes or owner)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.submission.domain.campaign import CampaignId
from services.submission.domain.initiative import MAX_AUTHORS, AuthorData, InitiativeContent, UnitId
from services.submission.domain.text import Label, LongText, Reason, Summary, Title
from services.submission.domain.visibility import InitiativeView
from services.submission.handlers.imports import MAX_REPORTED_ERRORS
from shared.events import InitiativeStatus


class InitiativeCreate(InitiativeContent):
    """A new draft: the campaign and the request form."""

    campaign_id: CampaignId


class InitiativePatch(BaseModel):
    """A partial edit of the form; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    unit_id: UnitId | None = None
    field: str | None = Field(None, min_length=1, max_length=64)
    title: Title | None = None
    description: LongText | None = None
    date_first_applied: date | None = None
    benefit_vnd: int | None = Field(None, ge=0, le=10**15)
    effectiveness_summary: Summary | None = None
    application_conditions: LongText | None = None
    first_application_participants: Summary | None = None
    investor: Label | None = None
    confidential: bool | None = None
    confidential_details: LongText | None = None
    authors: tuple[AuthorData, ...] | None = Field(None, min_length=1, max_length=MAX_AUTHORS)

    def changes(self) -> dict[str, object]:
        """Only what the client sent; an explicit null clears only the nullable date."""
        sent = self.model_dump(exclude_unset=True)
        return {k: v for k, v in sent.items() if v is not None or k == "date_first_applied"}


class WithdrawRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class InitiativePage(BaseModel):
    items: list[InitiativeView]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page; null at the end")


class VoteAnswer(BaseModel):
    vote_id: uuid.UUID
    initiative_id: uuid.UUID
    campaign_id: str
    already_voted: bool


class AttachmentOut(BaseModel):
    id: uuid.UUID
    initiative_id: uuid.UUID
    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    created_at: datetime


class RowErrorOut(BaseModel):
    row: int
    column: str
    message: str


class ImportedRowOut(BaseModel):
    row: int = Field(description="Số dòng trong tệp / row number as the spreadsheet shows it")
    initiative_id: uuid.UUID
    created: bool = Field(description="false: the same row was imported before; this is that initiative")


class ImportReportOut(BaseModel):
    batch_id: uuid.UUID
    campaign_id: str
    rows_total: int
    created: int
    already_present: int
    invalid: int
    created_status: InitiativeStatus = Field(description="submitted while the window is open, else draft")
    errors: list[RowErrorOut] = Field(description=f"The first {MAX_REPORTED_ERRORS:,} row errors, in file order")
    errors_total: int = Field(description="Every row error found (more than `errors` holds when the file has "
                                          f"more than {MAX_REPORTED_ERRORS:,})")
    rows: list[ImportedRowOut] = Field(description="Every valid row and the initiative it created or found")
