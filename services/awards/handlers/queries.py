"""Reads: a unit's queue, a case with its history, national selection lists, audit pages, counts for tally."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.awards.adapters import repository as repo
from services.awards.adapters.tables import (
    audit_log,
    awards,
    decisions,
    initiatives,
    nominations,
    review_cases,
    scores,
)
from services.awards.domain.case import ACTIVE_STATUSES, CaseStatus, ReviewCase
from services.awards.handlers.quota_usage import Where, quota_usage
from shared.db import as_utc
from shared.events import utc_now
from shared.http import BadCursorError, decode_cursor, encode_cursor

QUEUE_COLUMNS = (
    review_cases, initiatives.c.title, initiatives.c.field, initiatives.c.confidential,
    initiatives.c.record_complete, initiatives.c.benefit_vnd, initiatives.c.effectiveness_summary,
)


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def _case_item(row: Any) -> dict[str, Any]:
    case = repo.case_from_row(row)
    return {
        "case_id": str(case.case_id), "initiative_id": str(case.initiative_id), "campaign_id": case.campaign_id,
        "status": case.status.value, "current_level": case.current_level, "current_unit_id": case.current_unit_id,
        "unit_path": list(case.unit_path), "version": case.version, "recognised_levels": list(case.recognised_levels),
        "grade": case.grade.value if case.grade else None, "title": row.title, "field": row.field,
        "effectiveness_summary": row.effectiveness_summary, "benefit_vnd": row.benefit_vnd,
        "confidential": row.confidential, "record_complete": row.record_complete,
        "opened_at": as_utc(row.opened_at),
    }


async def _page(session: AsyncSession, query: Select[Any], *, cursor: str | None, limit: int) -> Page:
    if cursor:
        c = decode_cursor(cursor)
        try:
            opened, case_id = datetime.fromisoformat(str(c["o"])), uuid.UUID(str(c["c"]))
        except (KeyError, ValueError) as exc:
            raise BadCursorError("cursor is not one this API returned") from exc
        query = query.where(or_(
            review_cases.c.opened_at > opened,
            and_(review_cases.c.opened_at == opened, review_cases.c.case_id > case_id),
        ))
    query = query.order_by(review_cases.c.opened_at, review_cases.c.case_id).limit(limit + 1)
    rows = (await session.execute(query)).all()
    items = await _with_quota(session, [_case_item(r) for r in rows[:limit]])
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor({"o": as_utc(last.opened_at).isoformat(), "c": str(last.case_id)})  # type: ignore[union-attr]
    return Page(items, next_cursor)


async def _with_quota(session: AsyncSession, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each item with the quota used and remaining at the unit and level holding it (grouped queries per page)."""
    def place(item: dict[str, Any]) -> Where:
        return item["campaign_id"], item["current_unit_id"], item["current_level"]

    usage = await quota_usage(session, (place(i) for i in items), now=utc_now())
    return [{**item, "quota": usage[place(item)]} for item in items]


def _joined() -> Select[Any]:
    return select(*QUEUE_COLUMNS).join(initiatives, initiatives.c.initiative_id == review_cases.c.initiative_id)


async def unit_queue(
    session: AsyncSession, *, unit_id: str, campaign_id: str | None = None, status: CaseStatus | None = None,
    field: str | None = None, cursor: str | None = None, limit: int = 50,
) -> Page:
    """Cases waiting at exactly this unit (by default the active ones), oldest first."""
    query = _joined().where(review_cases.c.current_unit_id == unit_id)
    statuses = [status.value] if status else [s.value for s in ACTIVE_STATUSES]
    query = query.where(review_cases.c.status.in_(statuses))
    if campaign_id:
        query = query.where(review_cases.c.campaign_id == campaign_id)
    if field:
        query = query.where(initiatives.c.field == field)
    return await _page(session, query, cursor=cursor, limit=limit)


async def national_selection(
    session: AsyncSession, *, campaign_id: str | None, selected: bool, grade: str | None = None,
    cursor: str | None = None, limit: int = 50,
) -> Page:
    """VGCL's lists: initiatives nominated to level 1 (waiting or recognised) or already selected."""
    query = _joined().where(review_cases.c.current_level == 1)
    if selected:
        query = query.where(review_cases.c.status == CaseStatus.SELECTED.value)
        if grade:
            query = query.where(review_cases.c.grade == grade)
    else:
        query = query.where(review_cases.c.status.in_([CaseStatus.PENDING.value, CaseStatus.RECOGNISED.value]))
    if campaign_id:
        query = query.where(review_cases.c.campaign_id == campaign_id)
    return await _page(session, query, cursor=cursor, limit=limit)


def _rows(result: Any) -> list[dict[str, Any]]:
    out = []
    for row in result:
        item = {}
        for key, value in dict(row._mapping).items():
            item[key] = as_utc(value) if isinstance(value, datetime) else (
                str(value) if isinstance(value, uuid.UUID) else value)
        out.append(item)
    return out


async def case_history(session: AsyncSession, case: ReviewCase) -> dict[str, Any]:
    """The case with its snapshot, quota where it waits, decisions, scores, nominations, awards and audit trail."""
    row = (await session.execute(_joined().where(review_cases.c.case_id == case.case_id))).one()
    by_case = case.case_id
    return {
        **(await _with_quota(session, [_case_item(row)]))[0],
        "decisions": _rows(await session.execute(
            select(decisions).where(decisions.c.case_id == by_case).order_by(decisions.c.id))),
        "scores": _rows(await session.execute(
            select(scores).where(scores.c.case_id == by_case).order_by(scores.c.level.desc(), scores.c.reviewer))),
        "level_scores": {
            str(level): await repo.level_score(session, by_case, level) for level in range(1, 5)
            if level >= case.current_level
        },
        "nominations": _rows(await session.execute(
            select(nominations).where(nominations.c.case_id == by_case).order_by(nominations.c.id))),
        "awards": _rows(await session.execute(
            select(awards).where(awards.c.case_id == by_case).order_by(awards.c.level.desc()))),
        "audit": _rows(await session.execute(
            select(audit_log).where(audit_log.c.case_id == by_case).order_by(audit_log.c.id))),
    }


async def audit_page(
    session: AsyncSession, *, unit_id: str | None = None, case_id: uuid.UUID | None = None, after: int = 0,
    limit: int = 100,
) -> tuple[list[dict[str, Any]], int | None]:
    query = select(audit_log).where(audit_log.c.id > after)
    if unit_id:
        query = query.where(audit_log.c.unit_id == unit_id)
    if case_id:
        query = query.where(audit_log.c.case_id == case_id)
    rows = _rows(await session.execute(query.order_by(audit_log.c.id).limit(limit + 1)))
    next_after = rows[limit - 1]["id"] if len(rows) > limit else None
    return rows[:limit], next_after


async def unit_nominations(session: AsyncSession, *, unit_id: str, campaign_id: str | None = None) -> list[Any]:
    """The cases a unit nominated upward, with their snapshot, oldest nomination first (the dossier's rows)."""
    query = (
        select(nominations.c.nominated_at, nominations.c.to_unit_id, nominations.c.from_level, *QUEUE_COLUMNS)
        .join(review_cases, review_cases.c.case_id == nominations.c.case_id)
        .join(initiatives, initiatives.c.initiative_id == review_cases.c.initiative_id)
        .where(nominations.c.from_unit_id == unit_id)
        .order_by(nominations.c.id)
    )
    if campaign_id:
        query = query.where(nominations.c.campaign_id == campaign_id)
    return list((await session.execute(query)).all())


@dataclass(frozen=True)
class UnitLevelCounts:
    recognised: int = 0
    awards: int = 0


async def count_recognitions_and_awards(
    session: AsyncSession, *, campaign_id: str | None = None,
) -> dict[tuple[str, int], UnitLevelCounts]:
    """Per (deciding unit, level): cases recognised there now, and active awards granted there.

    This is the awards database's truth that tally's counters of ``review.decided`` / ``award.granted``
    must equal.
    """
    recognised: Counter[tuple[str, int]] = Counter()
    case_query = select(review_cases.c.unit_path, review_cases.c.recognised_levels)
    award_query = select(awards.c.granting_unit_id, awards.c.level).where(awards.c.active.is_(True))
    if campaign_id:
        case_query = case_query.where(review_cases.c.campaign_id == campaign_id)
        award_query = award_query.where(awards.c.campaign_id == campaign_id)
    for path, levels in (await session.execute(case_query)).all():
        for level in levels:
            recognised[(path[level - 1], level)] += 1
    granted: Counter[tuple[str, int]] = Counter(
        (unit, level) for unit, level in (await session.execute(award_query)).all()
    )
    return {
        key: UnitLevelCounts(recognised=recognised[key], awards=granted[key])
        for key in sorted(set(recognised) | set(granted))
    }
