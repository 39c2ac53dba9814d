"""Initiative use cases: create a draft, edit, submit, withdraw, read one, list and search."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters import sql
from services.submission.adapters.quotas import ensure_draft_allowed
from services.submission.adapters.tables import authors, idempotency, initiatives, outbox
from services.submission.bootstrap import Context
from services.submission.domain.campaign import vietnam_today
from services.submission.domain.errors import InitiativeNotFoundError, UnknownUnitError, VersionConflictError
from services.submission.domain.initiative import (
    Initiative,
    InitiativeContent,
    check_content,
    ensure_in_window,
    initiative_event,
)
from services.submission.domain.text import nfc, search_words
from services.submission.domain.visibility import (
    ConfidentialView,
    FullView,
    PublicView,
    in_scope,
    may_change,
    may_know_exists,
    project,
)
from services.submission.handlers.idempotent import IdempotencyRequest, remember, replay_or_none
from shared.auth import AuthError, ForbiddenError, Principal, Role
from shared.db import as_utc
from shared.events import (
    InitiativeDrafted,
    InitiativeStatus,
    InitiativeSubmitted,
    InitiativeUpdated,
    InitiativeWithdrawn,
    utc_now,
)
from shared.http import BadCursorError, decode_cursor, encode_cursor
from shared.outbox import add_events
from shared.problems import UnprocessableError
from shared.union_tree import UnionTree

UNIT_COLUMN_BY_LEVEL = {2: "unit_l2", 3: "unit_l3", 4: "unit_id"}
MAX_SEARCH_WORDS = 12


def ensure_may_create_in(principal: Principal, unit_path: tuple[str, ...]) -> None:
    """Officers create inside their subtree; a member with a unit only for it; admins anywhere."""
    if principal.role is Role.ADMIN:
        return
    if principal.role is Role.OFFICER and in_scope(principal, unit_path):
        return
    if principal.role is Role.MEMBER and (principal.unit_id is None or in_scope(principal, unit_path)):
        return
    raise ForbiddenError(f"Đơn vị {unit_path[-1]} nằm ngoài phạm vi của bạn — you may not act for this unit")


async def _checked(
    ctx: Context, campaign_id: str, content: InitiativeContent, now: datetime, session: AsyncSession | None = None,
) -> tuple[str, ...]:
    campaign = await ctx.campaigns.get(campaign_id, session)
    check_content(content, campaign=campaign, tree=ctx.tree, today=vietnam_today(now))
    return tuple(ctx.tree.path(content.unit_id))


async def create_initiative(
    ctx: Context, *, principal: Principal, campaign_id: str, content: InitiativeContent,
    idempotency_request: IdempotencyRequest | None = None,
) -> tuple[int, dict[str, Any]]:
    """A new draft (version 1) and its ``initiative.drafted`` event, in one transaction."""
    now = utc_now()
    unit_path = await _checked(ctx, campaign_id, content, now)
    ensure_may_create_in(principal, unit_path)
    item = Initiative(
        id=uuid.uuid4(), campaign_id=campaign_id, content=content, unit_path=unit_path,
        status=InitiativeStatus.DRAFT, version=1, owner_member_id=principal.subject, created_at=now, updated_at=now,
    )
    try:
        async with ctx.sessions.begin() as session:
            replay = await replay_or_none(session, idempotency, idempotency_request)
            if replay is not None:
                return replay.status_code, replay.body
            await ensure_draft_allowed(session, campaign_id=campaign_id, owner=principal.subject,
                                       limit=ctx.settings.drafts_per_member)
            await sql.insert_initiatives(session, [item])
            await add_events(session, outbox, [initiative_event(InitiativeDrafted, item)])
            body = project(item, principal).model_dump(mode="json")
            await remember(session, idempotency, idempotency_request, 201, body)
    except IntegrityError:
        if idempotency_request is None:
            raise
        async with ctx.sessions() as session:  # a concurrent request with the same key won the race
            replay = await replay_or_none(session, idempotency, idempotency_request)
        if replay is None:
            raise
        return replay.status_code, replay.body
    ctx.events_committed()
    return 201, body


async def load_visible(ctx: Context, viewer: Principal | None, initiative_id: uuid.UUID) -> Initiative:
    async with ctx.sessions() as session:
        return await _visible(session, viewer, initiative_id)


async def _visible(session: AsyncSession, viewer: Principal | None, initiative_id: uuid.UUID) -> Initiative:
    item = await sql.load_initiative(session, initiative_id)
    if item is None or not may_know_exists(viewer, item):
        raise InitiativeNotFoundError(f"Không có sáng kiến {initiative_id} — check the id")
    return item


async def load_changeable(ctx: Context, principal: Principal, initiative_id: uuid.UUID) -> Initiative:
    async with ctx.sessions() as session:
        return await _changeable(session, principal, initiative_id)


async def _changeable(session: AsyncSession, principal: Principal, initiative_id: uuid.UUID) -> Initiative:
    item = await _visible(session, principal, initiative_id)
    if not may_change(principal, item):
        raise ForbiddenError(
            "Chỉ người tạo, cán bộ công đoàn phụ trách hoặc quản trị được thay đổi — not yours to change"
        )
    return item


async def _change(
    ctx: Context, principal: Principal, initiative_id: uuid.UUID,
    decide: Callable[[AsyncSession, Initiative], Awaitable[tuple[Initiative, Any, bool] | None]],
) -> Initiative:
    """Load, decide and save in one transaction: ``decide`` returns (changed item, its event, authors changed)
    or None for no change. The save is version-checked, so a concurrent change answers 409, never a lost update."""
    async with ctx.sessions.begin() as session:
        item = await _changeable(session, principal, initiative_id)
        decided = await decide(session, item)
        if decided is None:
            return item
        changed, event, authors_changed = decided
        if not await sql.save_initiative(session, changed, authors_changed=authors_changed):
            raise VersionConflictError("Sáng kiến vừa được thay đổi — reload it and try again")
        await add_events(session, outbox, [event])
    ctx.events_committed()
    return changed


async def edit_initiative(
    ctx: Context, *, principal: Principal, initiative_id: uuid.UUID, changes: dict[str, Any],
) -> Initiative:
    """Apply a partial edit; every real change raises the version and emits ``initiative.updated``."""
    now = utc_now()

    async def decide(session: AsyncSession, item: Initiative) -> tuple[Initiative, Any, bool] | None:
        content = InitiativeContent.model_validate({**item.content.model_dump(), **changes})
        if content == item.content:
            return None
        unit_path = await _checked(ctx, item.campaign_id, content, now, session)
        if unit_path != item.unit_path:
            ensure_may_create_in(principal, unit_path)
        if item.status is InitiativeStatus.SUBMITTED:
            campaign = await ctx.campaigns.get(item.campaign_id, session)
            ensure_in_window(campaign.submission_window, now,
                             what="sửa sáng kiến đã gửi (editing a submitted initiative)")
        changed = item.edited(content, unit_path, now)
        return changed, initiative_event(InitiativeUpdated, changed), content.authors != item.content.authors

    return await _change(ctx, principal, initiative_id, decide)


async def submit_initiative(ctx: Context, *, principal: Principal, initiative_id: uuid.UUID) -> Initiative:
    now = utc_now()

    async def decide(session: AsyncSession, item: Initiative) -> tuple[Initiative, Any, bool]:
        campaign = await ctx.campaigns.get(item.campaign_id, session)
        changed = item.submitted(now)
        ensure_in_window(campaign.submission_window, now, what="nộp sáng kiến (submission)")
        return changed, initiative_event(InitiativeSubmitted, changed), False

    return await _change(ctx, principal, initiative_id, decide)


async def withdraw_initiative(
    ctx: Context, *, principal: Principal, initiative_id: uuid.UUID, reason: str,
) -> Initiative:
    now = utc_now()

    async def decide(_session: AsyncSession, item: Initiative) -> tuple[Initiative, Any, bool]:
        changed = item.withdrawn(reason, now)
        public_reason = "" if changed.content.confidential else reason  # a secret's reason may describe the secret
        return changed, initiative_event(InitiativeWithdrawn, changed, reason=public_reason), False

    return await _change(ctx, principal, initiative_id, decide)


async def read_initiative(
    ctx: Context, *, viewer: Principal | None, initiative_id: uuid.UUID,
) -> FullView | PublicView | ConfidentialView:
    return project(await load_visible(ctx, viewer, initiative_id), viewer)


def full_records_visible(viewer: Principal | None) -> ColumnElement[bool] | None:
    """SQL twin of ``may_see_full``: the rows whose full record (drafts, secrets' placement) the viewer may see."""
    if viewer is None:
        return None
    if viewer.role in (Role.ADMIN, Role.SERVICE):
        return true()
    entitled = [own_initiatives(viewer)]
    if viewer.role is Role.OFFICER and viewer.unit_id:
        entitled.append(initiatives.c.unit_id == viewer.unit_id)
    return or_(*entitled)


def own_initiatives(viewer: Principal) -> ColumnElement[bool]:
    """The rows that are the viewer's own: they created it, or they are one of its authors."""
    return or_(
        initiatives.c.owner_member_id == viewer.subject,
        initiatives.c.id.in_(select(authors.c.initiative_id).where(authors.c.member_id == viewer.subject)),
    )


def unit_filter(tree: UnionTree, unit_id: str) -> tuple[str | None, tuple[str, ...]]:
    """The column and ids selecting a unit's subtree; a 2025 federation also holds its predecessors' units."""
    unit = tree.get(unit_id)
    column = UNIT_COLUMN_BY_LEVEL.get(unit.level)
    return column, (unit_id, *unit.predecessor_ids)


def _before(value: dict[str, Any] | None) -> tuple[datetime, uuid.UUID] | None:
    """The (created_at, id) of the last item a decoded cursor points after."""
    if value is None:
        return None
    try:
        created = datetime.fromisoformat(str(value["c"]))
        last_id = uuid.UUID(str(value["i"]))
    except (KeyError, ValueError) as exc:
        raise BadCursorError("cursor is not one this API returned") from exc
    if created.tzinfo is None:
        raise BadCursorError("cursor is not one this API returned")
    return as_utc(created), last_id  # type: ignore[return-value]


def _after(value: dict[str, Any] | None) -> sql.SearchPosition | None:
    """A search cursor carries the ranking of the last result as well as its (created_at, id)."""
    position = _before(value)
    if value is None or position is None:
        return None
    try:
        matched, phrase, length = (int(value[k]) for k in ("m", "p", "n"))
    except (KeyError, TypeError, ValueError) as exc:
        raise BadCursorError("cursor is not one this API returned") from exc
    return sql.SearchPosition(matched, phrase, length, *position)


def search_words_of(q: str) -> tuple[str, ...]:
    """The query's folded words, bounded: a longer query is a 422, not a slow scan."""
    words = tuple(dict.fromkeys(search_words(nfc(q))))  # a repeated word counts once
    if not words:
        raise UnprocessableError("q: cần ít nhất một từ — give at least one word to search for")
    if len(words) > MAX_SEARCH_WORDS:
        raise UnprocessableError(
            f"q: tối đa {MAX_SEARCH_WORDS} từ — search with at most {MAX_SEARCH_WORDS} words",
            max_words=MAX_SEARCH_WORDS,
        )
    return words


async def list_initiatives(
    ctx: Context, *, viewer: Principal | None, campaign_id: str | None, unit_id: str | None, field: str | None,
    status: InitiativeStatus | None, q: str | None, cursor: str | None, limit: int, mine: bool = False,
) -> tuple[list[FullView | PublicView | ConfidentialView], str | None]:
    """Newest first; with ``q`` (which needs a campaign) ranked by words of title and effectiveness summary,
    diacritics and case ignored; drafts only for who may see them; ``mine``: only the caller's own (drafts,
    submitted, returned and withdrawn alike), which needs a signed-in caller."""
    if mine and viewer is None:
        raise AuthError("Cần đăng nhập để xem sáng kiến của mình — sign in to list your own initiatives")
    unit_column: str | None = None
    unit_ids: tuple[str, ...] = ()
    if q is not None and not campaign_id:
        raise UnprocessableError("campaign_id: tìm kiếm cần chỉ rõ phong trào — search needs a campaign_id")
    words = search_words_of(q) if q is not None else ()
    if unit_id:
        if unit_id not in ctx.tree or not unit_id.isprintable():
            raise UnknownUnitError(f"Không có đơn vị mã {unit_id!r} — unknown unit")
        unit_column, unit_ids = unit_filter(ctx.tree, unit_id)
    query = sql.InitiativeQuery(
        campaign_id=campaign_id, unit_column=unit_column, unit_ids=unit_ids, field=field, status=status,
        words=words, full_visible=full_records_visible(viewer), places=bool(unit_id or field),
        own=own_initiatives(viewer) if mine and viewer is not None else None,
    )
    key = ctx.settings.cursor_key
    value = decode_cursor(cursor, key=key) if cursor else None
    ranked: list[tuple[Initiative, sql.SearchPosition]] = []
    async with ctx.sessions() as session:
        if words:
            ranked = await sql.search_initiatives(session, query, after=_after(value), limit=limit + 1)
            items = [item for item, _ in ranked]
        else:
            items = await sql.list_initiatives(session, query, before=_before(value), limit=limit + 1)
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        position: dict[str, Any] = {"c": last.created_at.isoformat(), "i": str(last.id)}
        if words:
            rank = ranked[limit - 1][1]
            position |= {"m": rank.matched, "p": rank.phrase, "n": rank.length}
        next_cursor = encode_cursor(position, key=key)
    return [project(i, viewer) for i in items], next_cursor
