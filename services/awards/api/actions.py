"""Reviewer actions over HTTP: recognise, not recognise, return, score, nominate, select, grant, revoke."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.awards.adapters.tables import awards
from services.awards.api.deps import ReviewerOrAdmin, Service, actor_of, idempotent
from services.awards.api.schemas import (
    ActionResponse,
    GrantRequest,
    NominateRequest,
    ReasonRequest,
    RecogniseRequest,
    ScoreRequest,
    SelectRequest,
)
from services.awards.domain.case import Action
from services.awards.domain.workflow import Command
from services.awards.handlers.actions import ActionResult, award_not_found, perform
from shared.auth import Principal
from shared.idempotency import IdempotencyKey

router = APIRouter(prefix="/v1", tags=["review actions"])


def _body(result: ActionResult) -> dict[str, Any]:
    case = result.case
    return ActionResponse.model_validate({
        "case": {
            "case_id": case.case_id, "initiative_id": case.initiative_id, "campaign_id": case.campaign_id,
            "status": case.status.value, "current_level": case.current_level,
            "current_unit_id": case.current_unit_id, "unit_path": list(case.unit_path), "version": case.version,
            "recognised_levels": list(case.recognised_levels), "grade": case.grade.value if case.grade else None,
        },
        "event_ids": [e.event_id for e in result.events], "award": result.award, "score": result.score,
    }).model_dump(mode="json")


async def _act(
    *, service: Service, request: Request, principal: Principal, key: str | None, case_id: uuid.UUID,
    command: Command, payload: dict[str, Any], status_code: int = 200, award_id: uuid.UUID | None = None,
) -> Any:
    async def work(session: AsyncSession) -> dict[str, Any]:
        return _body(await perform(session, case_id=case_id, command=command, award_id=award_id))

    return await idempotent(service, principal=principal, key=key, request=request, payload=payload,
                            status_code=status_code, work=work)


@router.post("/cases/{case_id}/recognise", response_model=ActionResponse, summary="Công nhận — recognise")
async def recognise(
    *, case_id: uuid.UUID, body: RecogniseRequest, principal: ReviewerOrAdmin, service: Service, request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    command = Command(Action.RECOGNISE, actor_of(principal), reason=body.reason)
    return await _act(service=service, request=request, principal=principal, key=idempotency_key,
                      case_id=case_id, command=command, payload=body.model_dump())


@router.post("/cases/{case_id}/not-recognise", response_model=ActionResponse,
             summary="Không công nhận (kèm lý do) — not recognise, with a reason")
async def not_recognise(
    *, case_id: uuid.UUID, body: ReasonRequest, principal: ReviewerOrAdmin, service: Service, request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    command = Command(Action.NOT_RECOGNISE, actor_of(principal), reason=body.reason)
    return await _act(service=service, request=request, principal=principal, key=idempotency_key,
                      case_id=case_id, command=command, payload=body.model_dump())


@router.post("/cases/{case_id}/return", response_model=ActionResponse,
             summary="Trả lại tác giả bổ sung — return to the authors for more information")
async def return_to_authors(
    *, case_id: uuid.UUID, body: ReasonRequest, principal: ReviewerOrAdmin, service: Service, request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    command = Command(Action.RETURN, actor_of(principal), reason=body.reason)
    return await _act(service=service, request=request, principal=principal, key=idempotency_key,
                      case_id=case_id, command=command, payload=body.model_dump())


@router.post("/cases/{case_id}/scores", response_model=ActionResponse,
             summary="Chấm điểm theo phiếu chấm — score on the campaign's rubric")
async def score(
    *, case_id: uuid.UUID, body: ScoreRequest, principal: ReviewerOrAdmin, service: Service, request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    command = Command(Action.SCORE, actor_of(principal), marks=body.marks)
    return await _act(service=service, request=request, principal=principal, key=idempotency_key,
                      case_id=case_id, command=command, payload=body.model_dump())


@router.post("/cases/{case_id}/nominations", response_model=ActionResponse, status_code=201,
             summary="Đề cử lên cấp trên — nominate to the parent unit")
async def nominate(
    *, case_id: uuid.UUID, body: NominateRequest, principal: ReviewerOrAdmin, service: Service, request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    command = Command(Action.NOMINATE, actor_of(principal), reason=body.note)
    return await _act(service=service, request=request, principal=principal, key=idempotency_key,
                      case_id=case_id, command=command, payload=body.model_dump(),
                      status_code=201)


@router.post("/cases/{case_id}/selection", response_model=ActionResponse,
             summary="Tổng Liên đoàn xét chọn tiêu biểu / xuất sắc — VGCL selects")
async def select_initiative(
    *, case_id: uuid.UUID, body: SelectRequest, principal: ReviewerOrAdmin, service: Service, request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    command = Command(Action.SELECT, actor_of(principal), grade=body.grade)
    return await _act(service=service, request=request, principal=principal, key=idempotency_key,
                      case_id=case_id, command=command, payload=body.model_dump(mode="json"))


@router.post("/cases/{case_id}/awards", response_model=ActionResponse, status_code=201,
             summary="Khen thưởng ở cấp của mình — grant the level's award")
async def grant(
    *, case_id: uuid.UUID, body: GrantRequest, principal: ReviewerOrAdmin, service: Service, request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    command = Command(Action.GRANT, actor_of(principal), award_kind=body.kind)
    return await _act(service=service, request=request, principal=principal, key=idempotency_key,
                      case_id=case_id, command=command, payload=body.model_dump(mode="json"),
                      status_code=201)


@router.post("/awards/{award_id}/revoke", response_model=ActionResponse,
             summary="Thu hồi khen thưởng (đơn vị đã khen hoặc quản trị) — revoke an award")
async def revoke(
    *, award_id: uuid.UUID, body: ReasonRequest, principal: ReviewerOrAdmin, service: Service, request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    async with service.sessions() as session:
        case_id = await session.scalar(select(awards.c.case_id).where(awards.c.award_id == award_id))
    if case_id is None:
        raise award_not_found(award_id)
    command = Command(Action.REVOKE, actor_of(principal), reason=body.reason)
    return await _act(service=service, request=request, principal=principal, key=idempotency_key,
                      case_id=case_id, command=command, payload=body.model_dump(),
                      award_id=award_id)
