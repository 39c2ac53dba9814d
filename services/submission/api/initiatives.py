"""Initiative endpoints: create, edit, submit, withdraw, read one, list and search."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.submission.api.deps import AuthorPrincipal, Ctx, idempotency_request
from services.submission.api.schemas import InitiativeCreate, InitiativePage, InitiativePatch, WithdrawRequest
from services.submission.domain.campaign import CAMPAIGN_ID_PATTERN
from services.submission.domain.initiative import InitiativeContent
from services.submission.domain.visibility import InitiativeView, project
from services.submission.handlers import initiatives as use_cases
from shared.auth import OptionalPrincipal
from shared.events import InitiativeStatus
from shared.idempotency import IdempotencyKey

router = APIRouter(prefix="/v1/initiatives", tags=["initiatives"])


@router.post(
    "", status_code=201, response_model=InitiativeView, summary="Tạo bản nháp sáng kiến / Create a draft",
)
async def create_initiative(
    ctx: Ctx, body: InitiativeCreate, principal: AuthorPrincipal, request: Request, key: IdempotencyKey = None,
) -> JSONResponse:
    content = InitiativeContent.model_validate(body.model_dump(exclude={"campaign_id"}))
    idem = idempotency_request(principal, key, "POST", request.url.path, body.model_dump(mode="json"))
    status, payload = await use_cases.create_initiative(
        ctx, principal=principal, campaign_id=body.campaign_id, content=content, idempotency_request=idem,
    )
    return JSONResponse(payload, status_code=status)


@router.get("", summary="Danh sách và tìm kiếm sáng kiến / List and search initiatives")
async def list_initiatives(
    ctx: Ctx,
    viewer: OptionalPrincipal,
    *,
    campaign_id: Annotated[str | None, Query(pattern=CAMPAIGN_ID_PATTERN)] = None,
    unit_id: Annotated[str | None, Query(max_length=32, description="Any level: the unit's whole subtree")] = None,
    field: Annotated[str | None, Query(pattern=r"^[a-z0-9_]{1,64}$")] = None,
    status: InitiativeStatus | None = None,
    q: Annotated[str | None, Query(
        max_length=200,
        description="Words of the title and effectiveness summary, diacritics and case ignored, at most 12; needs "
                    "campaign_id; more words matched rank first",
    )] = None,
    mine: Annotated[bool, Query(
        description="Only the caller's own initiatives (created by them or naming them as an author), drafts, "
                    "submitted and withdrawn alike; needs a bearer token (Chỉ sáng kiến của tôi)",
    )] = False,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> InitiativePage:
    items, next_cursor = await use_cases.list_initiatives(
        ctx, viewer=viewer, campaign_id=campaign_id, unit_id=unit_id, field=field, status=status, q=q,
        cursor=cursor, limit=limit, mine=mine,
    )
    return InitiativePage(items=items, next_cursor=next_cursor)


@router.get("/{initiative_id}", response_model=InitiativeView, summary="Một sáng kiến / One initiative")
async def get_initiative(ctx: Ctx, initiative_id: uuid.UUID, viewer: OptionalPrincipal) -> InitiativeView:
    return await use_cases.read_initiative(ctx, viewer=viewer, initiative_id=initiative_id)


@router.patch("/{initiative_id}", response_model=InitiativeView, summary="Sửa sáng kiến / Edit")
async def edit_initiative(
    ctx: Ctx, initiative_id: uuid.UUID, body: InitiativePatch, principal: AuthorPrincipal,
) -> InitiativeView:
    item = await use_cases.edit_initiative(
        ctx, principal=principal, initiative_id=initiative_id, changes=body.changes(),
    )
    return project(item, principal)


@router.post("/{initiative_id}/submit", response_model=InitiativeView, summary="Gửi sáng kiến / Submit")
async def submit_initiative(ctx: Ctx, initiative_id: uuid.UUID, principal: AuthorPrincipal) -> InitiativeView:
    return project(await use_cases.submit_initiative(ctx, principal=principal, initiative_id=initiative_id), principal)


@router.post("/{initiative_id}/withdraw", response_model=InitiativeView, summary="Rút sáng kiến / Withdraw")
async def withdraw_initiative(
    ctx: Ctx, initiative_id: uuid.UUID, body: WithdrawRequest, principal: AuthorPrincipal,
) -> InitiativeView:
    item = await use_cases.withdraw_initiative(
        ctx, principal=principal, initiative_id=initiative_id, reason=body.reason,
    )
    return project(item, principal)
