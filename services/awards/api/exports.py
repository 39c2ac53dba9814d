"""Dossier exports over HTTP for the reviewing chain: XLSX summary, tờ trình, meeting minutes, score sheets."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from services.awards.api.deps import ReviewerOrAdmin, Service, viewer_of
from services.awards.domain.access import can_export_dossier
from services.awards.handlers.dossier import MEDIA_TYPES, build_dossier, render
from services.awards.handlers.review_records import (
    MINUTES_RENDERERS,
    SHEET_RENDERERS,
    build_minutes,
    build_score_sheets,
)
from shared.auth import ForbiddenError, Principal
from shared.problems import UnprocessableError
from shared.union_tree import UnionTree, UnknownUnitError, get_tree

router = APIRouter(prefix="/v1", tags=["dossier exports"])

UnitId = Annotated[str, Query(max_length=32, description="The nominating (or reviewing) unit")]
CampaignId = Annotated[str | None, Query(max_length=64)]
DocumentFormat = Annotated[Literal["docx", "pdf"], Query(alias="format")]
ACCESS_RULE = (
    " Only the unit's own reviewers, the reviewers of the units above it and admins may export it (403 otherwise)."
)


def _checked_tree(principal: Principal, unit_id: str) -> UnionTree:
    """The union tree, once the caller is known to sit in the unit's reviewing chain."""
    tree = get_tree()
    try:
        path = tree.path(unit_id)
    except UnknownUnitError as exc:
        raise UnprocessableError(f"unit_id: không có đơn vị {unit_id} — unknown unit") from exc
    if not can_export_dossier(viewer_of(principal), path):
        raise ForbiddenError(
            "Hồ sơ đề nghị chỉ dành cho đơn vị và các cấp xét phía trên — only the reviewing chain gets the dossier"
        )
    return tree


def _file(content: bytes, name: str, file_format: str) -> Response:
    return Response(content, media_type=MEDIA_TYPES[file_format],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{file_format}"'})


@router.get(
    "/exports/nominations",
    summary="Hồ sơ đề nghị của đơn vị: bảng tóm tắt (xlsx), tờ trình (docx, pdf) — a unit's nomination dossier",
    description="The tờ trình is laid out as a union document (letterhead, number, signature block)." + ACCESS_RULE,
    response_class=Response,
    responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()}, "description": "the file"}},
)
async def export_nominations(
    principal: ReviewerOrAdmin, service: Service, unit_id: UnitId,
    file_format: Annotated[Literal["xlsx", "docx", "pdf"], Query(alias="format")] = "xlsx",
    campaign_id: CampaignId = None,
) -> Response:
    tree = _checked_tree(principal, unit_id)
    async with service.sessions() as session, service.submission_client() as client:
        dossier = await build_dossier(session, client, tree, unit_id=unit_id, campaign_id=campaign_id)
    return _file(render(dossier, file_format), f"ho-so-de-nghi-{unit_id}", file_format)


@router.get(
    "/exports/review-minutes",
    summary="Biên bản họp xét sáng kiến của đơn vị (docx, pdf) — the minutes of a unit's review",
    description="Time, place, the reviewers who acted, each case with its decisions and score, the conclusion,"
    " and the signature blocks of the secretary and the chair." + ACCESS_RULE,
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPES[t]: {} for t in ("docx", "pdf")}, "description": "the file"}},
)
async def export_review_minutes(
    principal: ReviewerOrAdmin, service: Service, unit_id: UnitId, file_format: DocumentFormat = "pdf",
    campaign_id: CampaignId = None,
) -> Response:
    tree = _checked_tree(principal, unit_id)
    async with service.sessions() as session:
        minutes = await build_minutes(session, tree, unit_id=unit_id, campaign_id=campaign_id)
    return _file(MINUTES_RENDERERS[file_format](minutes), f"bien-ban-hop-xet-{unit_id}", file_format)


@router.get(
    "/exports/score-sheets",
    summary="Phiếu chấm điểm của đơn vị (docx, pdf) — a unit's score sheets, one per reviewer per case",
    description="The campaign's criteria with their weights, the marks given, the weighted total out of 100,"
    " and the reviewer's signature block; one page per sheet." + ACCESS_RULE,
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPES[t]: {} for t in ("docx", "pdf")}, "description": "the file"}},
)
async def export_score_sheets(
    principal: ReviewerOrAdmin, service: Service, unit_id: UnitId, file_format: DocumentFormat = "pdf",
    campaign_id: CampaignId = None,
) -> Response:
    tree = _checked_tree(principal, unit_id)
    async with service.sessions() as session:
        sheets = await build_score_sheets(session, tree, unit_id=unit_id, campaign_id=campaign_id)
    return _file(SHEET_RENDERERS[file_format](sheets), f"phieu-cham-diem-{unit_id}", file_format)
