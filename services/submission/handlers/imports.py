"""Bulk import by an officer: validate every row, create the valid ones once (insert-if-absent), report the rest.

The file is read and validated in batches on one worker thread while the event loop writes the previous batch,
so the database works while Python parses. All batches go into one transaction with their outbox events.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from sqlalchemy import update

from services.submission.adapters.import_writer import (
    ImportRecord,
    author_records,
    event_record,
    initiative_record,
    write_batch,
)
from services.submission.adapters.spreadsheet import Row, open_table
from services.submission.adapters.tables import import_batches
from services.submission.bootstrap import Context
from services.submission.domain.campaign import Campaign, vietnam_today
from services.submission.domain.import_limits import ImportLimits
from services.submission.domain.import_rows import (
    RowParser,
    cell_text,
    field_lookup,
    fold_title,
    import_id,
    map_headers,
)
from services.submission.domain.initiative import Initiative, initiative_event
from services.submission.domain.visibility import in_scope
from shared.auth import Principal, Role
from shared.events import InitiativeDrafted, InitiativeStatus, InitiativeSubmitted, utc_now
from shared.settings import Settings
from shared.union_tree import UnionTree

BATCH_ROWS = 1000  # rows validated, then written, at a time
# A file of 100,000 invalid rows has millions of errors: the report lists the first ones and counts the rest,
# so neither the server's memory nor the answer grows with them.
MAX_REPORTED_ERRORS = 5_000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass(frozen=True)
class ImportedRow:
    """A valid row and the initiative it is: created by this upload, or already present from an earlier one."""

    row: int
    initiative_id: uuid.UUID
    created: bool


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
    rows: list[ImportedRow] = field(default_factory=list)
    errors_total: int = 0  # every error found; ``errors`` holds the first ``MAX_REPORTED_ERRORS``


class _Preparer:
    """Reads, validates and builds the rows of one file, a batch per call; keep every call on one thread."""

    def __init__(
        self, data: bytes, *, first_row: int, campaign: Campaign, tree: UnionTree, principal: Principal,
        now: datetime, status: InitiativeStatus, batch_id: uuid.UUID, limits: ImportLimits,
    ) -> None:
        header, self._rows = open_table(data, first_row=first_row, limits=limits)
        self._columns = list(map_headers(header).items())
        self._parser = RowParser(
            fields=field_lookup(campaign), tree=tree, today=vietnam_today(now), in_scope=self._scope,
            for_submission=status is InitiativeStatus.SUBMITTED,
        )
        self._principal = principal
        self._campaign_id = campaign.id
        self._tree = tree
        self._now = now
        self._status = status
        self._kind = InitiativeSubmitted if status is InitiativeStatus.SUBMITTED else InitiativeDrafted
        self._batch_id = batch_id
        self._first_seen: dict[uuid.UUID, int] = {}
        self.rows_total = 0
        self.valid = 0
        self.invalid_rows = 0
        self.errors_total = 0
        self.errors: list[RowError] = []

    def _refuse(self, found: list[RowError]) -> None:
        """Count a row's errors; keep them for the report while it has room."""
        self.invalid_rows += 1
        self.errors_total += len(found)
        room = MAX_REPORTED_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(found[:room])

    def _scope(self, path: tuple[str, ...]) -> bool:
        return self._principal.role is Role.ADMIN or in_scope(self._principal, path)

    def next_batch(self) -> list[ImportRecord] | None:
        """The valid, new-in-this-file rows of the next ``BATCH_ROWS`` rows; None once the file is read."""
        rows: Iterator[Row] = islice(self._rows, BATCH_ROWS)
        records: list[ImportRecord] = []
        read = 0
        for number, cells in rows:
            read += 1
            record = self._record(number, cells)
            if record is not None:
                records.append(record)
        self.rows_total += read
        return records if read else None

    def _record(self, number: int, cells: list[object]) -> ImportRecord | None:
        width = len(cells)
        parsed = self._parser.parse({  # an empty cell is left out: the parser reads a missing key as ""
            key: cell_text(value) for i, key in self._columns if i < width and (value := cells[i]) is not None
        })
        content = parsed.content
        if content is None:
            self._refuse([RowError(number, column, message) for column, message in parsed.errors])
            return None
        initiative_id = import_id(self._campaign_id, content)
        first = self._first_seen.setdefault(initiative_id, number)
        if first != number:
            self._refuse([RowError(number, "", f"Trùng nội dung với dòng {first}")])
            return None
        self.valid += 1
        now = self._now
        item = Initiative(
            id=initiative_id, campaign_id=self._campaign_id, content=content,
            unit_path=tuple(self._tree.path(content.unit_id)), status=self._status, version=1,
            owner_member_id=self._principal.subject, created_at=now, updated_at=now,
            submitted_at=now if self._status is InitiativeStatus.SUBMITTED else None,
        )
        return ImportRecord(
            id=initiative_id, row=number,
            initiative=initiative_record(item, import_batch_id=self._batch_id, title_folded=fold_title(content.title)),
            authors=author_records(item),
            event=event_record(initiative_event(self._kind, item)),
        )


def import_limits(settings: Settings) -> ImportLimits:
    return ImportLimits(
        max_uncompressed_bytes=settings.import_max_uncompressed_bytes,
        max_shared_strings=settings.import_max_shared_strings,
        max_shared_string_bytes=settings.import_max_shared_string_bytes,
        max_rows=settings.import_max_rows,
    )


async def import_initiatives(
    ctx: Context, *, principal: Principal, campaign_id: str, data: bytes, filename: str, first_row: int = 2,
) -> ImportReport:
    """Rows are created as submitted while the campaign's submission window is open, else as drafts."""
    campaign = await ctx.campaigns.get(campaign_id)
    now = utc_now()
    status = InitiativeStatus.SUBMITTED if campaign.submission_window.contains(now) else InitiativeStatus.DRAFT
    batch_id = uuid.uuid4()
    loop = asyncio.get_running_loop()
    rows: list[ImportedRow] = []
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import")
    try:
        preparer = await loop.run_in_executor(worker, lambda: _Preparer(  # an unreadable file fails here, before SQL
            data, first_row=first_row, campaign=campaign, tree=ctx.tree, principal=principal, now=now,
            status=status, batch_id=batch_id, limits=import_limits(ctx.settings),
        ))
        async with ctx.sessions.begin() as session:
            await session.execute(import_batches.insert().values(
                id=batch_id, campaign_id=campaign_id, uploaded_by=principal.subject, filename=filename[:255],
                sha256=hashlib.sha256(data).hexdigest(), rows_total=0, rows_created=0, rows_invalid=0,
                created_at=now,
            ))
            pending = loop.run_in_executor(worker, preparer.next_batch)
            try:
                while (records := await pending) is not None:
                    pending = loop.run_in_executor(worker, preparer.next_batch)  # next batch while this one is written
                    new = await write_batch(session, records)
                    rows.extend(ImportedRow(r.row, r.id, r.id in new) for r in records)
            finally:
                with contextlib.suppress(Exception):  # after a failed write: let the worker finish its batch
                    await pending
            created = sum(1 for r in rows if r.created)
            invalid_rows = preparer.invalid_rows
            await session.execute(update(import_batches).where(import_batches.c.id == batch_id).values(
                rows_total=preparer.rows_total, rows_created=created, rows_invalid=invalid_rows,
            ))
    finally:
        worker.shutdown(wait=False)
    if created:
        ctx.events_committed()
    return ImportReport(
        batch_id=batch_id, campaign_id=campaign_id, rows_total=preparer.rows_total, created=created,
        already_present=preparer.valid - created, invalid=invalid_rows, created_status=status,
        errors=preparer.errors, rows=rows, errors_total=preparer.errors_total,
    )
