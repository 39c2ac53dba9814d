"""Writing a bulk import batch by batch: initiatives if absent, then the new ones' authors and outbox events.

Rows arrive as tuples built off the event loop (``initiative_record``, ``author_records``, ``event_record``).
On PostgreSQL (asyncpg) each table gets one ``INSERT … SELECT * FROM unnest($1::type[], …)`` per batch: one
prepared statement whatever the batch size, about as fast on the server as COPY, and ``ON CONFLICT DO NOTHING
RETURNING id`` says which initiatives are new even when two uploads of the same file race. Other databases
(SQLite) get SQLAlchemy's multi-row INSERTs with the same columns. Everything runs in the caller's transaction,
so the outbox events commit with their rows or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters.sql import insert_ignore
from services.submission.adapters.tables import authors, initiatives, outbox
from services.submission.domain.initiative import Initiative
from shared.events import EventBase, dump_event

INITIATIVE_COLUMNS = (
    "id", "campaign_id", "unit_id", "unit_l2", "unit_l3", "unit_path", "field", "title", "title_folded",
    "search_folded", "description", "date_first_applied", "benefit_vnd", "effectiveness_summary",
    "application_conditions", "first_application_participants", "investor", "confidential", "confidential_details",
    "status", "version", "owner_member_id", "withdrawal_reason", "import_batch_id", "created_at", "updated_at",
    "submitted_at", "withdrawn_at",
)
AUTHOR_COLUMNS = (
    "initiative_id", "position", "name", "date_of_birth", "workplace", "job_title", "qualification", "category",
    "share_basis_points", "member_id",
)
OUTBOX_COLUMNS = ("event_id", "type", "campaign_id", "payload", "occurred_at")  # position and published_at: defaults


@dataclass(frozen=True)
class ImportRecord:
    """One valid row, ready to write: its initiative, authors and creation event as column-ordered tuples."""

    id: uuid.UUID
    row: int  # the row number as the spreadsheet shows it
    initiative: tuple[Any, ...]
    authors: tuple[tuple[Any, ...], ...]
    event: tuple[Any, ...]


def initiative_record(item: Initiative, *, import_batch_id: uuid.UUID, title_folded: str) -> tuple[Any, ...]:
    """``sql.initiative_values`` as a tuple in ``INITIATIVE_COLUMNS`` order; the caller folds the title (the
    search text is folded here, so every way in fills it)."""
    c = item.content
    path = item.unit_path
    return (
        item.id, item.campaign_id, c.unit_id, path[1] if len(path) > 1 else "", path[2] if len(path) > 2 else "",
        "/".join(path), c.field, c.title, title_folded, c.search_folded, c.description, c.date_first_applied,
        c.benefit_vnd, c.effectiveness_summary, c.application_conditions, c.first_application_participants,
        c.investor, c.confidential, c.confidential_details, item.status.value, item.version, item.owner_member_id,
        item.withdrawal_reason, import_batch_id, item.created_at, item.updated_at, item.submitted_at,
        item.withdrawn_at,
    )


def author_records(item: Initiative) -> tuple[tuple[Any, ...], ...]:
    """``sql.author_values`` as tuples in ``AUTHOR_COLUMNS`` order."""
    return tuple(
        (
            item.id, i, a.name, a.date_of_birth, a.workplace, a.job_title, a.qualification, a.category.value,
            int(a.share_percent * 100), a.member_id,
        )
        for i, a in enumerate(item.content.authors)
    )


def event_record(event: EventBase) -> tuple[Any, ...]:
    """An outbox row as ``shared.outbox.add_events`` writes it, in ``OUTBOX_COLUMNS`` order."""
    return event.event_id, event.type, event.campaign_id, dump_event(event), event.occurred_at


def _unnest_insert(table: Table, columns: Sequence[str], *, returning: str | None = None) -> str:
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    arrays = ", ".join(
        f"${n}::{table.c[name].type.compile(dialect=dialect)}[]" for n, name in enumerate(columns, start=1)
    )
    names = ", ".join(f'"{name}"' for name in columns)
    sql = f'INSERT INTO "{table.name}" ({names}) SELECT * FROM unnest({arrays})'
    return sql + f' ON CONFLICT DO NOTHING RETURNING "{returning}"' if returning else sql


_PG_INITIATIVES = _unnest_insert(initiatives, INITIATIVE_COLUMNS, returning="id")
_PG_AUTHORS = _unnest_insert(authors, AUTHOR_COLUMNS)
_PG_OUTBOX = _unnest_insert(outbox, OUTBOX_COLUMNS)


def _columns(rows: Sequence[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """Row tuples → one list per column (the arrays ``unnest`` takes)."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


async def write_batch(session: AsyncSession, records: Sequence[ImportRecord]) -> set[uuid.UUID]:
    """Insert the records' initiatives that do not exist yet, with their authors and events; return the new ids."""
    if not records:
        return set()
    connection = await session.connection()
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "asyncpg":
        raw = (await connection.get_raw_connection()).driver_connection
        assert raw is not None
        found = await raw.fetch(_PG_INITIATIVES, *_columns([r.initiative for r in records], len(INITIATIVE_COLUMNS)))
        created: set[uuid.UUID] = {row[0] for row in found}  # asyncpg's UUID subclasses uuid.UUID
        new = [r for r in records if r.id in created]
        author_rows = [a for r in new for a in r.authors]
        if author_rows:
            await raw.execute(_PG_AUTHORS, *_columns(author_rows, len(AUTHOR_COLUMNS)))
        if new:
            await raw.execute(_PG_OUTBOX, *_columns([r.event for r in new], len(OUTBOX_COLUMNS)))
        return created
    stmt = insert_ignore(initiatives, connection.dialect.name).returning(initiatives.c.id)
    values = [dict(zip(INITIATIVE_COLUMNS, r.initiative, strict=True)) for r in records]
    created = {row[0] for row in (await session.execute(stmt, values)).all()}
    new = [r for r in records if r.id in created]
    author_dicts = [dict(zip(AUTHOR_COLUMNS, a, strict=True)) for r in new for a in r.authors]
    if author_dicts:
        await session.execute(authors.insert(), author_dicts)
    if new:
        await session.execute(outbox.insert(), [dict(zip(OUTBOX_COLUMNS, r.event, strict=True)) for r in new])
    return created
