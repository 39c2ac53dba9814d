"""Dossier attachments: upload (content-sniffed, checksummed, stored by sha256), list and download."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Row, select

from services.submission.adapters.files import safe_filename, store_upload
from services.submission.adapters.quotas import attachment_bytes_exceeded, attachment_room
from services.submission.adapters.sql import insert_ignore
from services.submission.adapters.tables import attachments
from services.submission.bootstrap import Context
from services.submission.domain.errors import AlreadyWithdrawnError, AttachmentNotFoundError, FileTooLargeError
from services.submission.domain.visibility import may_see_full
from services.submission.handlers.initiatives import load_changeable, load_visible
from shared.auth import ForbiddenError, Principal
from shared.db import as_utc
from shared.events import InitiativeStatus, utc_now


@dataclass(frozen=True)
class AttachmentInfo:
    id: uuid.UUID
    initiative_id: uuid.UUID
    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    created_at: datetime


def _info(row: Row[Any]) -> AttachmentInfo:
    created = as_utc(row.created_at)
    assert created is not None
    return AttachmentInfo(
        id=row.id, initiative_id=row.initiative_id, filename=row.filename, media_type=row.media_type,
        size_bytes=int(row.size_bytes), sha256=row.sha256, created_at=created,
    )


def folder_for(ctx: Context, initiative_id: uuid.UUID) -> Path:
    return Path(ctx.settings.attachments_dir) / str(initiative_id)


async def add_attachment(
    ctx: Context, *, principal: Principal, initiative_id: uuid.UUID, source: BinaryIO, filename: str | None,
) -> tuple[AttachmentInfo, bool]:
    """Store a file once per initiative and content; the second upload of the same bytes returns the first."""
    item = await load_changeable(ctx, principal, initiative_id)
    if item.status is InitiativeStatus.WITHDRAWN:
        raise AlreadyWithdrawnError("Sáng kiến đã rút, không thêm tệp được — it is withdrawn")
    async with ctx.sessions() as session:
        room = await attachment_room(
            session, initiative_id=initiative_id, max_files=ctx.settings.attachments_per_initiative,
            max_bytes=ctx.settings.attachment_bytes_per_initiative,
        )
    try:
        stored = await asyncio.to_thread(
            store_upload, source, folder_for(ctx, initiative_id), max_bytes=min(ctx.settings.max_upload_bytes, room),
        )
    except FileTooLargeError:
        if room < ctx.settings.max_upload_bytes:  # the initiative's quota, not the per-file limit, was reached
            raise attachment_bytes_exceeded(ctx.settings.attachment_bytes_per_initiative) from None
        raise
    values = {
        "id": uuid.uuid4(), "initiative_id": initiative_id,
        "filename": safe_filename(filename, stored.media_type), "media_type": stored.media_type,
        "size_bytes": stored.size_bytes, "sha256": stored.sha256, "uploaded_by": principal.subject,
        "created_at": utc_now(),
    }
    async with ctx.sessions.begin() as session:
        result = await session.execute(insert_ignore(attachments, session.get_bind().dialect.name).values(**values))
        created = bool(result.rowcount)  # type: ignore[attr-defined]
        row = (
            await session.execute(
                select(attachments).where(
                    attachments.c.initiative_id == initiative_id, attachments.c.sha256 == stored.sha256,
                )
            )
        ).one()
    return _info(row), created


async def _ensure_may_read(ctx: Context, viewer: Principal, initiative_id: uuid.UUID) -> None:
    item = await load_visible(ctx, viewer, initiative_id)
    if not may_see_full(viewer, item):
        raise ForbiddenError(
            "Chỉ tác giả, cán bộ công đoàn cơ sở của đơn vị và quản trị xem được hồ sơ; người chấm xem qua hồ sơ xét"
            " — only those who may see the full record may see its files (reviewers: through their case in awards)"
        )


async def list_attachments(ctx: Context, *, viewer: Principal, initiative_id: uuid.UUID) -> list[AttachmentInfo]:
    await _ensure_may_read(ctx, viewer, initiative_id)
    async with ctx.sessions() as session:
        rows = (
            await session.execute(
                select(attachments).where(attachments.c.initiative_id == initiative_id)
                .order_by(attachments.c.created_at, attachments.c.id)
            )
        ).all()
    return [_info(r) for r in rows]


async def attachment_file(
    ctx: Context, *, viewer: Principal, initiative_id: uuid.UUID, attachment_id: uuid.UUID,
) -> tuple[AttachmentInfo, Path]:
    await _ensure_may_read(ctx, viewer, initiative_id)
    async with ctx.sessions() as session:
        row = (
            await session.execute(
                select(attachments).where(
                    attachments.c.id == attachment_id, attachments.c.initiative_id == initiative_id,
                )
            )
        ).first()
    if row is None:
        raise AttachmentNotFoundError(f"Không có tệp {attachment_id} — list the initiative's attachments first")
    info = _info(row)
    path = folder_for(ctx, initiative_id) / info.sha256
    if not path.is_file():
        raise AttachmentNotFoundError("Tệp không còn trên máy chủ — upload it again")
    return info, path
