"""SQL access for campaigns and initiatives: row mapping, insert-if-absent, version-checked saves, listing."""

from __future__ import annotations

import functools
import operator
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Row, Table, and_, case, delete, false, func, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.dml import Insert

from services.submission.adapters.tables import authors, campaigns, initiatives
from services.submission.domain.campaign import Campaign, CampaignConfig
from services.submission.domain.initiative import AuthorData, Initiative, InitiativeContent
from shared.db import as_utc
from shared.events import AuthorCategory, InitiativeStatus

CENT = Decimal("0.01")


def insert_ignore(table: Table, dialect: str) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING on PostgreSQL and SQLite alike."""
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def _utc(moment: datetime) -> datetime:
    value = as_utc(moment)
    assert value is not None
    return value


# Campaigns ------------------------------------------------------------------------------------------------------

def _campaign(row: Row[Any]) -> Campaign:
    return Campaign.model_validate({**row.config, "id": row.id, "version": row.version})


async def load_campaign(session: AsyncSession | AsyncConnection, campaign_id: str) -> Campaign | None:
    row = (await session.execute(select(campaigns).where(campaigns.c.id == campaign_id))).first()
    return _campaign(row) if row else None


async def list_campaigns(session: AsyncSession) -> list[Campaign]:
    rows = (await session.execute(select(campaigns).order_by(campaigns.c.created_at, campaigns.c.id))).all()
    return [_campaign(r) for r in rows]


async def insert_campaign(session: AsyncSession, campaign_id: str, config: CampaignConfig, now: datetime) -> bool:
    """Insert if absent; False when a campaign with this id already exists."""
    dialect = session.get_bind().dialect.name
    stmt = insert_ignore(campaigns, dialect).values(
        id=campaign_id, version=1, config=config.model_dump(mode="json"), created_at=now, updated_at=now,
    )
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def save_campaign(session: AsyncSession, campaign: Campaign, now: datetime) -> bool:
    config = CampaignConfig.model_validate(campaign.model_dump(exclude={"id", "version"}))
    result = await session.execute(
        update(campaigns)
        .where(campaigns.c.id == campaign.id, campaigns.c.version == campaign.version - 1)
        .values(version=campaign.version, config=config.model_dump(mode="json"), updated_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# Initiatives ----------------------------------------------------------------------------------------------------

def initiative_values(item: Initiative, *, import_batch_id: uuid.UUID | None = None) -> dict[str, Any]:
    c = item.content
    path = item.unit_path
    return {
        "id": item.id, "campaign_id": item.campaign_id, "unit_id": c.unit_id,
        "unit_l2": path[1] if len(path) > 1 else "", "unit_l3": path[2] if len(path) > 2 else "",
        "unit_path": "/".join(path), "field": c.field, "title": c.title, "title_folded": c.title_folded,
        "search_folded": c.search_folded,
        "description": c.description, "date_first_applied": c.date_first_applied, "benefit_vnd": c.benefit_vnd,
        "effectiveness_summary": c.effectiveness_summary, "application_conditions": c.application_conditions,
        "first_application_participants": c.first_application_participants, "investor": c.investor,
        "confidential": c.confidential, "confidential_details": c.confidential_details,
        "status": item.status.value, "version": item.version, "owner_member_id": item.owner_member_id,
        "withdrawal_reason": item.withdrawal_reason, "import_batch_id": import_batch_id,
        "created_at": item.created_at, "updated_at": item.updated_at,
        "submitted_at": item.submitted_at, "withdrawn_at": item.withdrawn_at,
    }


def author_values(item: Initiative) -> list[dict[str, Any]]:
    return [
        {
            "initiative_id": item.id, "position": i, "name": a.name, "date_of_birth": a.date_of_birth,
            "workplace": a.workplace, "job_title": a.job_title, "qualification": a.qualification,
            "category": a.category.value, "share_basis_points": int(a.share_percent * 100), "member_id": a.member_id,
        }
        for i, a in enumerate(item.content.authors)
    ]


def _author(row: Row[Any]) -> AuthorData:
    return AuthorData.model_construct(
        name=row.name, date_of_birth=row.date_of_birth, workplace=row.workplace, job_title=row.job_title,
        qualification=row.qualification, category=AuthorCategory(row.category),
        share_percent=(Decimal(row.share_basis_points) / 100).quantize(CENT), member_id=row.member_id,
    )


def _initiative(row: Row[Any], author_rows: Sequence[Row[Any]]) -> Initiative:
    content = InitiativeContent.model_construct(
        unit_id=row.unit_id, field=row.field, title=row.title, description=row.description,
        date_first_applied=row.date_first_applied, benefit_vnd=int(row.benefit_vnd),
        effectiveness_summary=row.effectiveness_summary, application_conditions=row.application_conditions,
        first_application_participants=row.first_application_participants, investor=row.investor,
        confidential=bool(row.confidential), confidential_details=row.confidential_details,
        authors=tuple(_author(a) for a in author_rows),
    )
    return Initiative(
        id=row.id, campaign_id=row.campaign_id, content=content, unit_path=tuple(row.unit_path.split("/")),
        status=InitiativeStatus(row.status), version=row.version, owner_member_id=row.owner_member_id,
        created_at=_utc(row.created_at), updated_at=_utc(row.updated_at),
        submitted_at=as_utc(row.submitted_at), withdrawn_at=as_utc(row.withdrawn_at),
        withdrawal_reason=row.withdrawal_reason,
    )


async def _with_authors(session: AsyncSession, rows: Sequence[Row[Any]]) -> list[Initiative]:
    if not rows:
        return []
    ids = [r.id for r in rows]
    found = (
        await session.execute(
            select(authors)
            .where(authors.c.initiative_id.in_(ids))
            .order_by(authors.c.initiative_id, authors.c.position)
        )
    ).all()
    by_id: dict[uuid.UUID, list[Row[Any]]] = {}
    for a in found:
        by_id.setdefault(a.initiative_id, []).append(a)
    return [_initiative(r, by_id.get(r.id, [])) for r in rows]


async def load_initiative(session: AsyncSession, initiative_id: uuid.UUID) -> Initiative | None:
    row = (await session.execute(select(initiatives).where(initiatives.c.id == initiative_id))).first()
    if row is None:
        return None
    return (await _with_authors(session, [row]))[0]


async def insert_initiatives(
    session: AsyncSession, items: Sequence[Initiative], *, import_batch_id: uuid.UUID | None = None,
    if_absent: bool = False,
) -> set[uuid.UUID]:
    """Insert initiatives and their authors; with ``if_absent`` skip ids that exist. Returns the ids inserted."""
    if not items:
        return set()
    dialect = session.get_bind().dialect.name
    values = [initiative_values(i, import_batch_id=import_batch_id) for i in items]
    if if_absent:
        stmt = insert_ignore(initiatives, dialect).returning(initiatives.c.id)
        created = {r[0] for r in (await session.execute(stmt, values)).all()}
    else:
        await session.execute(initiatives.insert(), values)
        created = {i.id for i in items}
    rows = [a for i in items if i.id in created for a in author_values(i)]
    if rows:
        await session.execute(authors.insert(), rows)
    return created


async def save_initiative(session: AsyncSession, item: Initiative, *, authors_changed: bool) -> bool:
    """Write a changed initiative if nobody changed it since it was read (its version is still ``version - 1``)."""
    values = initiative_values(item)
    for key in ("id", "campaign_id", "owner_member_id", "created_at", "import_batch_id"):
        values.pop(key)
    result = await session.execute(
        update(initiatives)
        .where(initiatives.c.id == item.id, initiatives.c.version == item.version - 1)
        .values(**values)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    if authors_changed:
        await session.execute(delete(authors).where(authors.c.initiative_id == item.id))
        await session.execute(authors.insert(), author_values(item))
    return True


@dataclass(frozen=True)
class InitiativeQuery:
    """Filters of the public list; ``unit_column`` is the column matching the unit's level."""

    campaign_id: str | None = None
    unit_column: str | None = None
    unit_ids: tuple[str, ...] = ()
    field: str | None = None
    status: InitiativeStatus | None = None
    words: tuple[str, ...] = ()  # folded search words (domain.text.search_words): any may match, ranked
    full_visible: ColumnElement[bool] | None = None  # rows whose full record the caller may see (None: none)
    places: bool = False  # a unit or field filter: its matches tell where an initiative sits
    own: ColumnElement[bool] | None = None  # only these rows: the caller's own initiatives (``?mine=true``)


@dataclass(frozen=True)
class SearchPosition:
    """Where a search result sits in the ranking: what its cursor carries."""

    matched: int  # query words found
    phrase: int  # 1 when the query's words appear together, in order
    length: int  # of the search text: the same words in a shorter text are a closer match
    created_at: datetime
    id: uuid.UUID


def _filters(query: InitiativeQuery) -> list[ColumnElement[bool]]:
    t = initiatives
    clauses: list[ColumnElement[bool]] = []
    if query.campaign_id:
        clauses.append(t.c.campaign_id == query.campaign_id)
    if query.unit_column and query.unit_ids:
        clauses.append(t.c[query.unit_column].in_(query.unit_ids))
    if query.field:
        clauses.append(t.c.field == query.field)
    if query.status:
        clauses.append(t.c.status == query.status.value)
    if query.own is not None:
        clauses.append(query.own)
    full = query.full_visible if query.full_visible is not None else false()
    clauses.append(or_(t.c.status != InitiativeStatus.DRAFT.value, full))
    if query.places or query.unit_column or query.field:
        # A unit or field filter would place a technology secret (walk the units down to its grassroots union):
        # secrets appear in filtered lists only to those who may see their full record.
        clauses.append(or_(t.c.confidential == false(), full))
    return clauses


async def list_initiatives(
    session: AsyncSession, query: InitiativeQuery, *, before: tuple[datetime, uuid.UUID] | None, limit: int,
) -> list[Initiative]:
    """Newest first, keyset-paginated on (created_at, id)."""
    t = initiatives
    clauses = _filters(query)
    if before is not None:
        created, last_id = before
        clauses.append(or_(t.c.created_at < created, and_(t.c.created_at == created, t.c.id < last_id)))
    stmt = (
        select(t).where(and_(true(), *clauses)).order_by(t.c.created_at.desc(), t.c.id.desc()).limit(limit)
    )
    rows = (await session.execute(stmt)).all()
    return await _with_authors(session, rows)


async def search_initiatives(
    session: AsyncSession, query: InitiativeQuery, *, after: SearchPosition | None, limit: int,
) -> list[tuple[Initiative, SearchPosition]]:
    """Whole-word search over title and effectiveness summary: more words matched first, then the phrase, then
    the shorter text, then newest. Each word is ``LIKE '% word %'`` on the space-padded folded text, which
    PostgreSQL answers from the trigram index (a BitmapOr over the words)."""
    t = initiatives
    column = t.c.search_folded
    hits = [column.like(f"% {word} %") for word in query.words]
    matched = functools.reduce(operator.add, [case((hit, 1), else_=0) for hit in hits])
    phrase = case((column.like(f"% {' '.join(query.words)} %"), 1), else_=0)
    length = func.length(column)
    clauses = [*_filters(query), or_(*hits)]
    if after is not None:
        clauses.append(or_(
            matched < after.matched, and_(matched == after.matched, or_(
                phrase < after.phrase, and_(phrase == after.phrase, or_(
                    length > after.length, and_(length == after.length, or_(
                        t.c.created_at < after.created_at,
                        and_(t.c.created_at == after.created_at, t.c.id < after.id),
                    )),
                )),
            )),
        ))
    ranks = matched.label("rank_matched"), phrase.label("rank_phrase"), length.label("rank_length")
    stmt = (
        select(t, *ranks).where(and_(true(), *clauses))
        .order_by(ranks[0].desc(), ranks[1].desc(), ranks[2].asc(), t.c.created_at.desc(), t.c.id.desc())
        .limit(limit)
    )
    rows = (await session.execute(stmt)).all()
    items = await _with_authors(session, rows)
    return [
        (item, SearchPosition(int(r.rank_matched), int(r.rank_phrase), int(r.rank_length), item.created_at, item.id))
        for item, r in zip(items, rows, strict=True)
    ]


def ids_of(items: Iterable[Initiative]) -> list[uuid.UUID]:
    return [i.id for i in items]
