"""Campaign endpoints: public reads, admin create and reconfigure."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from services.submission.api.deps import AdminOnly, Ctx, idempotency_request
from services.submission.domain.campaign import CAMPAIGN_ID_PATTERN, Campaign, CampaignConfig, CampaignId
from services.submission.handlers import campaigns as use_cases
from shared.idempotency import IdempotencyKey

router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"])
CampaignPath = Annotated[str, Path(pattern=CAMPAIGN_ID_PATTERN)]


class CampaignCreate(CampaignConfig):
    """A new campaign: its id (a short slug) and its configuration."""

    id: CampaignId


@router.get("", summary="Các phong trào / All campaigns")
async def list_campaigns(ctx: Ctx) -> list[Campaign]:
    return await use_cases.list_campaigns(ctx)


@router.get("/{campaign_id}", summary="Một phong trào / One campaign")
async def get_campaign(ctx: Ctx, campaign_id: CampaignPath) -> Campaign:
    return await use_cases.get_campaign(ctx, campaign_id)


@router.post("", status_code=201, response_model=Campaign, summary="Tạo phong trào (admin) / Create a campaign")
async def create_campaign(
    ctx: Ctx, body: CampaignCreate, principal: AdminOnly, request: Request, key: IdempotencyKey = None,
) -> JSONResponse:
    config = CampaignConfig.model_validate(body.model_dump(exclude={"id"}))
    idem = idempotency_request(principal, key, "POST", request.url.path, body.model_dump(mode="json"))
    status, payload = await use_cases.create_campaign(
        ctx, campaign_id=body.id, config=config, idempotency_request=idem,
    )
    return JSONResponse(payload, status_code=status)


@router.put("/{campaign_id}", summary="Cấu hình lại phong trào (admin) / Reconfigure a campaign")
async def update_campaign(ctx: Ctx, campaign_id: CampaignPath, body: CampaignConfig, _: AdminOnly) -> Campaign:
    return await use_cases.update_campaign(ctx, campaign_id=campaign_id, config=body)
