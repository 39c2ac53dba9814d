"""Per-member and per-initiative quotas counted in SQL: drafts held, files attached and their bytes."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters.tables import attachments, initiatives
from services.submission.domain.errors import QuotaBytesExceededError, QuotaExceededError
from shared.events import InitiativeStatus


async def ensure_draft_allowed(session: AsyncSession, *, campaign_id: str, owner: str, limit: int) -> None:
    """Refuse a new draft when the member already holds ``limit`` drafts in the campaign (ix_initiatives_owner)."""
    held = (await session.execute(
        select(func.count()).select_from(initiatives).where(
            initiatives.c.owner_member_id == owner, initiatives.c.campaign_id == campaign_id,
            initiatives.c.status == InitiativeStatus.DRAFT.value,
        )
    )).scalar_one()
    if held >= limit:
        raise QuotaExceededError(
            f"Mỗi đoàn viên giữ tối đa {limit} bản nháp trong một phong trào; hãy gửi hoặc rút bớt — "
            f"at most {limit} drafts per member and campaign; submit or withdraw some first",
            limit=limit, limit_name="drafts_per_member",
        )


async def attachment_room(
    session: AsyncSession, *, initiative_id: uuid.UUID, max_files: int, max_bytes: int,
) -> int:
    """Bytes one more file may take on this initiative; refuses when the files or the bytes are used up."""
    count, used = (await session.execute(
        select(func.count(), func.coalesce(func.sum(attachments.c.size_bytes), 0))
        .where(attachments.c.initiative_id == initiative_id)
    )).one()
    if count >= max_files:
        raise QuotaExceededError(
            f"Mỗi sáng kiến có tối đa {max_files} tệp đính kèm — at most {max_files} files per initiative",
            limit=max_files, limit_name="attachments_per_initiative",
        )
    room = max_bytes - int(used)
    if room <= 0:
        raise attachment_bytes_exceeded(max_bytes)
    return room


def attachment_bytes_exceeded(max_bytes: int) -> QuotaBytesExceededError:
    return QuotaBytesExceededError(
        f"Tổng dung lượng tệp của một sáng kiến tối đa {max_bytes // 1_048_576} MB — "
        f"all files of one initiative together may hold at most {max_bytes:,} bytes",
        limit=max_bytes, limit_name="attachment_bytes_per_initiative",
    )
