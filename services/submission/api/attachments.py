"""Attachment endpoints: upload (multipart), list, download — files only for who may see the full record."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import FileResponse, JSONResponse

from services.submission.api.deps import AuthorPrincipal, Ctx
from services.submission.api.schemas import AttachmentOut
from services.submission.handlers import attachments as use_cases
from shared.auth import CurrentPrincipal
from shared.problems import PROBLEM_MEDIA_TYPE

UNSUPPORTED_FILE = {"description": "Unsupported file type (sniffed from the content)",
                    "content": {PROBLEM_MEDIA_TYPE: {}}}

router = APIRouter(prefix="/v1/initiatives", tags=["attachments"])


@router.post(
    "/{initiative_id}/attachments",
    status_code=201,
    response_model=AttachmentOut,
    responses={200: {"model": AttachmentOut, "description": "The same file was already attached"},
               415: UNSUPPORTED_FILE},
    summary="Đính kèm hồ sơ (PDF, DOCX, XLSX, PNG, JPEG) / Attach a file",
)
async def upload(
    ctx: Ctx, initiative_id: uuid.UUID, principal: AuthorPrincipal,
    file: Annotated[UploadFile, File(description="PDF, DOCX, XLSX, PNG or JPEG; type is read from the content")],
) -> JSONResponse:
    info, created = await use_cases.add_attachment(
        ctx, principal=principal, initiative_id=initiative_id, source=file.file, filename=file.filename,
    )
    body = AttachmentOut(**asdict(info)).model_dump(mode="json")
    return JSONResponse(body, status_code=201 if created else 200)


@router.get("/{initiative_id}/attachments", summary="Tệp đính kèm / Attachments of an initiative")
async def list_files(ctx: Ctx, initiative_id: uuid.UUID, viewer: CurrentPrincipal) -> list[AttachmentOut]:
    found = await use_cases.list_attachments(ctx, viewer=viewer, initiative_id=initiative_id)
    return [AttachmentOut(**asdict(i)) for i in found]


@router.get(
    "/{initiative_id}/attachments/{attachment_id}",
    response_class=FileResponse,
    summary="Tải tệp đính kèm / Download an attachment",
)
async def download(
    ctx: Ctx, initiative_id: uuid.UUID, attachment_id: uuid.UUID, viewer: CurrentPrincipal,
) -> FileResponse:
    info, path = await use_cases.attachment_file(
        ctx, viewer=viewer, initiative_id=initiative_id, attachment_id=attachment_id,
    )
    return FileResponse(
        path, media_type=info.media_type, filename=info.filename,
        headers={"X-Content-Type-Options": "nosniff", "ETag": f'"{info.sha256}"'},
    )
