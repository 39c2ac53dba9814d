"""A case's full record and files for the reviewers it has reached, fetched from submission with the service token.

Submission no longer shows full records to reviewers (it cannot tell whether a case reached them); awards can,
so it serves them here under the same rule as the case itself (``can_view_case``), else 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from services.awards.adapters import repository as repo
from services.awards.adapters.submission_client import stream_then_close
from services.awards.api.deps import ReviewerOrAdmin, Service, viewer_of
from services.awards.api.schemas import CaseAttachment, CaseRecord
from services.awards.bootstrap import AwardsService
from services.awards.domain.access import can_view_case
from services.awards.domain.case import ReviewCase
from services.awards.handlers.actions import CaseNotFoundError
from shared.auth import Principal
from shared.problems import NotFoundError

router = APIRouter(prefix="/v1/cases", tags=["review reads"])
FORWARDED_FILE_HEADERS = ("content-type", "content-length", "content-disposition", "etag")


class CaseAttachmentNotFoundError(NotFoundError):
    type_suffix = "attachment-not-found"


async def _viewable_case(service: AwardsService, principal: Principal, case_id: uuid.UUID) -> ReviewCase:
    async with service.sessions() as session:
        case = await repo.load_case(session, case_id)
    if case is None or not can_view_case(viewer_of(principal), case):
        raise CaseNotFoundError(f"Không có hồ sơ xét {case_id} trong phạm vi của bạn — no such case for you")
    return case


@router.get(
    "/{case_id}/record", response_model=CaseRecord,
    summary="Hồ sơ sáng kiến đầy đủ của hồ sơ xét (khi đã tới cấp mình) — the initiative's full record",
)
async def case_record(*, case_id: uuid.UUID, principal: ReviewerOrAdmin, service: Service) -> Any:
    case = await _viewable_case(service, principal, case_id)
    async with service.submission_client() as client:
        return await client.record_json(case.initiative_id)


@router.get(
    "/{case_id}/attachments", response_model=list[CaseAttachment],
    summary="Tệp đính kèm của hồ sơ xét — the initiative's files",
)
async def case_attachments(*, case_id: uuid.UUID, principal: ReviewerOrAdmin, service: Service) -> Any:
    case = await _viewable_case(service, principal, case_id)
    async with service.submission_client() as client:
        return await client.attachments(case.initiative_id)


@router.get(
    "/{case_id}/attachments/{attachment_id}", response_class=StreamingResponse,
    summary="Tải một tệp của hồ sơ xét — download one file",
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the file, as uploaded"}},
)
async def case_attachment(
    *, case_id: uuid.UUID, attachment_id: uuid.UUID, principal: ReviewerOrAdmin, service: Service,
) -> StreamingResponse:
    case = await _viewable_case(service, principal, case_id)
    client = service.submission_client()
    try:
        upstream = await client.open_attachment(case.initiative_id, attachment_id)
    except BaseException:
        await client.aclose()
        raise
    if upstream is None:
        await client.aclose()
        raise CaseAttachmentNotFoundError(f"Không có tệp {attachment_id} — list the case's attachments first")
    headers = {k: v for k, v in upstream.headers.items() if k.lower() in FORWARDED_FILE_HEADERS}
    headers["X-Content-Type-Options"] = "nosniff"
    return StreamingResponse(
        stream_then_close(upstream, client), media_type=upstream.headers.get("content-type"), headers=headers,
    )
