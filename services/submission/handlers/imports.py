"""Bulk import by an officer: validate every row, create the valid ones once (insert-if-absent), report the rest."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update

from services.submission.adapters import sql
from services.submission.adapters.spreadsheet import read_table
from services.submission.adapters.tables import import_batches, outbox
from services.submission.bootstrap import Context
from services.submission.domain.campaign import Campaign, vietnam_today
from services.submission.domain.import_rows import cell_text, field_lookup, import_id, map_headers, parse_row
from services.submission.domain.initiative import Initiative, initiative_event
from services.submission.domain.visibility import in_scope
from shared.auth import Principal, Role
from shared.events import InitiativeDrafted, InitiativeStatus, InitiativeSubmitted, utc_now
from shared.outbox import add_events
from shared.union_tree import UnionTree

INSERT_CHUNK = 2000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    batch_id: uuid.UUID
    campaign_id: str
    rows_total: int
    created: int
    already_present: int
    invalid: int
    created_status: InitiativeStatus
    errors: list[RowError] = field(default_factory=list)


@dataclass
class _Prepared:
    items: list[Initiative]
    errors: list[RowError]
    rows_total: int


def _prepare(
    data: bytes, *, first_row: int, campaign: Campaign, tree: UnionTree, principal: Principal, now: datetime,
    status: InitiativeStatus,
) -> _Prepared:
    """CPU-bound part (runs in a thread): read the file, parse and validate every row, build initiatives."""
    header, rows = read_table(data, first_row=first_row)
    columns = map_headers(header)
    today = vietnam_today(now)
    fields = field_lookup(campaign)

    def scope(path: tuple[str, ...]) -> bool:
        return principal.role is Role.ADMIN or in_scope(principal, path)

    items: list[Initiative] = []
    errors: list[RowError] = []
    first_seen: dict[uuid.UUID, int] = {}
    for number, cells in rows:
        values = {key: cell_text(cells[i]) for i, key in columns.items() if i < len(cells)}
        parsed = parse_row(
            values, fields=fields, tree=tree, today=today, in_scope=scope,
            for_submission=status is InitiativeStatus.SUBMITTED,
        )
        if parsed.content is None:
            errors.extend(RowError(number, column, message) for column, message in parsed.errors)
            continue
        initiative_id = import_id(campaign.id, parsed.content)
        if initiative_id in first_seen:
            errors.append(RowError(number, "", f"Trùng nội dung với dòng {first_seen[initiative_id]}"))
            continue
        first_seen[initiative_id] = number
        items.append(Initiative(
            id=initiative_id, campaign_id=campaign.id, content=parsed.content,
            unit_path=tuple(tree.path(parsed.content.unit_id)), status=status, version=1,
            owner_member_id=principal.subject, created_at=now, updated_at=now,
            submitted_at=now if status is InitiativeStatus.SUBMITTED else None,
        ))
    return _Prepared(items, errors, len(rows))


async def import_initiatives(
    ctx: Context, *, principal: Principal, campaign_id: str, data: bytes, filename: str, first_row: int = 2,
) -> ImportReport:
    """Rows are created as submitted while the campaign's submission window is open, else as drafts."""
    campaign = await ctx.campaigns.get(campaign_id)
    now = utc_now()
    status = InitiativeStatus.SUBMITTED if campaign.submission_window.contains(now) else InitiativeStatus.DRAFT
    prepared = await asyncio.to_thread(
        _prepare, data, first_row=first_row, campaign=campaign, tree=ctx.tree, principal=principal, now=now,
        status=status,
    )
    kind = InitiativeSubmitted if status is InitiativeStatus.SUBMITTED else InitiativeDrafted
    batch_id = uuid.uuid4()
    invalid_rows = len({e.row for e in prepared.errors})
    created = 0
    async with ctx.sessions.begin() as session:
        await session.execute(import_batches.insert().values(
            id=batch_id, campaign_id=campaign_id, uploaded_by=principal.subject, filename=filename[:255],
            sha256=hashlib.sha256(data).hexdigest(), rows_total=prepared.rows_total, rows_created=0,
            rows_invalid=invalid_rows, created_at=now,
        ))
        for start in range(0, len(prepared.items), INSERT_CHUNK):
            chunk = prepared.items[start:start + INSERT_CHUNK]
            new_ids = await sql.insert_initiatives(session, chunk, import_batch_id=batch_id, if_absent=True)
            await add_events(session, outbox, [initiative_event(kind, i) for i in chunk if i.id in new_ids])
            created += len(new_ids)
        await session.execute(
            update(import_batches).where(import_batches.c.id == batch_id).values(rows_created=created)
        )
    if created:
        ctx.events_committed()
    return ImportReport(
        batch_id=batch_id, campaign_id=campaign_id, rows_total=prepared.rows_total, created=created,
        already_present=len(prepared.items) - created, invalid=invalid_rows, created_status=status,
        errors=prepared.errors,
    )
