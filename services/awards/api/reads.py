"""Reads over HTTP: my queue, a case with its history, national selection lists, audit log, campaign policy."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from sqlalchemy import update

from services.awards.adapters import repository as repo
from services.awards.adapters.tables import campaigns
from services.awards.api.deps import ReviewerOrAdmin, Service, viewer_of
from services.awards.api.schemas import AuditPage, CaseDetail, CasePage, PolicyModel, PolicyView
from services.awards.domain.access import can_read_audit, can_view_case
from services.awards.domain.case import CaseStatus
from services.awards.domain.errors import CampaignNotConfiguredError
from services.awards.domain.rules import QUOTA_SOURCES, QuotaPolicy
from services.awards.domain.scoring import Criterion, Rubric
from services.awards.handlers import queries
from services.awards.handlers.actions import CaseNotFoundError
from shared.auth import AdminPrincipal, ForbiddenError
from shared.problems import UnprocessableError
from shared.union_tree import UnknownUnitError, get_tree

router = APIRouter(prefix="/v1", tags=["review reads"])
Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=500)]
CampaignFilter = Annotated[str | None, Query(max_length=64)]


@router.get("/queue", response_model=CasePage, summary="Hàng chờ xét của đơn vị tôi — my queue")
async def my_queue(
    *, principal: ReviewerOrAdmin, service: Service,
    unit_id: Annotated[str | None, Query(max_length=32, description="Admins: whose queue")] = None,
    campaign_id: CampaignFilter = None, status: CaseStatus | None = None,
    field: Annotated[str | None, Query(max_length=64)] = None, cursor: Cursor = None, limit: Limit = 50,
) -> Any:
    unit = unit_id if principal.is_admin else principal.unit_id
    if not principal.is_admin and unit_id not in (None, principal.unit_id):
        raise ForbiddenError("Chỉ xem được hàng chờ của đơn vị mình — you see your own unit's queue only")
    if unit is None:
        raise UnprocessableError("unit_id: cần chỉ rõ đơn vị — name the unit whose queue to list")
    async with service.sessions() as session:
        page = await queries.unit_queue(session, unit_id=unit, campaign_id=campaign_id, status=status, field=field,
                                        cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/cases/{case_id}", response_model=CaseDetail, summary="Hồ sơ xét và lịch sử — a case with its history")
async def get_case(*, case_id: uuid.UUID, principal: ReviewerOrAdmin, service: Service) -> Any:
    async with service.sessions() as session:
        case = await repo.load_case(session, case_id)
        if case is None or not can_view_case(viewer_of(principal), case):
            raise CaseNotFoundError(f"Không có hồ sơ xét {case_id} trong phạm vi của bạn — no such case for you")
        return await queries.case_history(session, case)


@router.get("/selections", response_model=CasePage,
            summary="Danh sách xét chọn cấp Tổng Liên đoàn — national selection lists")
async def selections(
    *, principal: ReviewerOrAdmin, service: Service, campaign_id: CampaignFilter = None,
    list_: Annotated[Literal["nominated", "selected"], Query(alias="list")] = "nominated",
    grade: Annotated[Literal["tieu_bieu", "xuat_sac"] | None, Query()] = None,
    cursor: Cursor = None, limit: Limit = 50,
) -> Any:
    if not principal.is_admin and (principal.unit_id is None or get_tree().level(principal.unit_id) != 1):
        raise ForbiddenError("Chỉ Tổng Liên đoàn xem danh sách xét chọn — VGCL reviewers and admins only")
    async with service.sessions() as session:
        page = await queries.national_selection(session, campaign_id=campaign_id, selected=list_ == "selected",
                                                grade=grade, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/audit", response_model=AuditPage,
            summary="Nhật ký thao tác của một đơn vị (quản trị, cấp trên) — audit log of a unit")
async def audit(
    *, principal: ReviewerOrAdmin, service: Service,
    unit_id: Annotated[str | None, Query(max_length=32)] = None, case_id: uuid.UUID | None = None,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0, limit: Limit = 100,
) -> Any:
    if not principal.is_admin:
        if unit_id is None:
            raise UnprocessableError("unit_id: cần chỉ rõ đơn vị cấp dưới — name a unit below yours")
        try:
            path = get_tree().path(unit_id)
        except UnknownUnitError as exc:
            raise UnprocessableError(f"unit_id: không có đơn vị {unit_id} — unknown unit") from exc
        if not can_read_audit(viewer_of(principal), path):
            raise ForbiddenError("Chỉ cấp trên hoặc quản trị xem nhật ký — only units above (or admins) read it")
    async with service.sessions() as session:
        items, next_after = await queries.audit_page(session, unit_id=unit_id, case_id=case_id, after=after,
                                                     limit=limit)
    return {"items": items, "next_after": next_after}


def _unit_level(unit_id: str) -> int | None:
    try:
        return get_tree().level(unit_id)
    except UnknownUnitError:
        return None


async def _policy_view(service: Service, campaign_id: str) -> dict[str, Any]:
    async with service.sessions() as session:
        config = await repo.load_campaign(session, campaign_id)
    if config is None:
        raise CampaignNotConfiguredError(f"Chưa nhận cấu hình đợt {campaign_id} — campaign not configured yet")
    quotas = config.quotas.to_json()
    return {
        "campaign_id": config.campaign_id, "name": config.name, "rubric": config.rubric.to_json(),
        **quotas, "sources": QUOTA_SOURCES,
        "review_opens_at": config.calendar.review_opens_at,
        "national_selection_opens_at": config.calendar.national_selection_opens_at,
    }


@router.get("/campaigns/{campaign_id}/policy", response_model=PolicyView,
            summary="Phiếu chấm điểm, chỉ tiêu và lịch xét — rubric, quotas and review calendar")
async def get_policy(*, campaign_id: str, principal: ReviewerOrAdmin, service: Service) -> Any:
    return await _policy_view(service, campaign_id)


@router.put("/campaigns/{campaign_id}/policy", response_model=PolicyView,
            summary="Cấu hình phiếu chấm và chỉ tiêu (quản trị) — configure rubric and quotas")
async def put_policy(*, campaign_id: str, body: PolicyModel, principal: AdminPrincipal, service: Service) -> Any:
    rubric = Rubric(tuple(Criterion(c.key, c.name, c.weight) for c in body.rubric))
    quotas = QuotaPolicy(
        nominations_per_unit=body.nominations_per_unit, awards_per_theme=body.awards_per_theme,
        nominations_by_unit=body.nominations_by_unit, awards_per_unit=body.awards_per_unit,
        awards_by_unit=body.awards_by_unit,
    )
    wrong = [{"loc": ["body", *where], "msg": message} for where, message in quotas.errors(_unit_level)]
    if wrong:  # the same shape as a request validation error: the first in the detail, all in ``errors``
        first = wrong[0]
        raise UnprocessableError(f"{'.'.join(first['loc'][1:])}: {first['msg']}", errors=wrong)
    async with service.sessions() as session, session.begin():
        result = await session.execute(
            update(campaigns).where(campaigns.c.campaign_id == campaign_id)
            .values(rubric=rubric.to_json(), quotas=quotas.to_json())
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise CampaignNotConfiguredError(f"Chưa nhận cấu hình đợt {campaign_id} — campaign not configured yet")
    return await _policy_view(service, campaign_id)
