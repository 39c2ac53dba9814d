"""Dossier export over HTTP for the reviewing chain: XLSX summary table, DOCX or PDF cover memo."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from services.awards.api.deps import ReviewerOrAdmin, Service, viewer_of
from services.awards.domain.access import can_export_dossier
from services.awards.handlers.dossier import MEDIA_TYPES, build_dossier, render
from shared.auth import ForbiddenError
from shared.problems import UnprocessableError
from shared.union_tree import UnknownUnitError, get_tree

router = APIRouter(prefix="/v1", tags=["dossier exports"])


@router.get(
    "/exports/nominations",
    summary="Hồ sơ đề nghị của đơn vị: bảng tóm tắt (xlsx), tờ trình (docx, pdf) — a unit's nomination dossier",
    response_class=Response,
    responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()}, "description": "the file"}},
)
async def export_nominations(
    principal: ReviewerOrAdmin, service: Service,
    unit_id: Annotated[str, Query(max_length=32, description="The nominating unit")],
    file_format: Annotated[Literal["xlsx", "docx", "pdf"], Query(alias="format")] = "xlsx",
    campaign_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    tree = get_tree()
    try:
        path = tree.path(unit_id)
    except UnknownUnitError as exc:
        raise UnprocessableError(f"unit_id: không có đơn vị {unit_id} — unknown unit") from exc
    if not can_export_dossier(viewer_of(principal), path):
        raise ForbiddenError(
            "Hồ sơ đề nghị chỉ dành cho đơn vị và các cấp xét phía trên — only the reviewing chain gets the dossier"
        )
    async with service.sessions() as session, service.submission_client() as client:
        dossier = await build_dossier(session, client, tree, unit_id=unit_id, campaign_id=campaign_id)
    content = render(dossier, file_format)
    name = f"ho-so-de-nghi-{unit_id}.{file_format}"
    return Response(content, media_type=MEDIA_TYPES[file_format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
