"""Shared pieces of the awards routers: the service from app state, actors, idempotent transactions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.awards.adapters.tables import idempotency_keys
from services.awards.bootstrap import AwardsService
from services.awards.domain.access import Viewer
from services.awards.domain.errors import ConcurrentChangeError
from services.awards.domain.workflow import Actor
from shared.auth import ForbiddenError, Principal, Role, current_principal
from shared.idempotency import check_key, find_response, fingerprint, store_response
from shared.union_tree import get_tree


async def get_service(request: Request) -> AwardsService:
    service: AwardsService = request.app.state.awards
    return service


Service = Annotated[AwardsService, Depends(get_service)]


async def require_reviewer_or_admin(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    if principal.role in (Role.REVIEWER, Role.ADMIN):
        return principal
    raise ForbiddenError(
        f"Vai trò {principal.role.value} không xét duyệt — only reviewers (and admins) use the awards API"
    )


ReviewerOrAdmin = Annotated[Principal, Depends(require_reviewer_or_admin)]


def unit_level(unit_id: str | None) -> int | None:
    return get_tree().level(unit_id) if unit_id else None


def actor_of(principal: Principal) -> Actor:
    return Actor(subject=principal.subject, role=principal.role.value, unit_id=principal.unit_id,
                 unit_level=unit_level(principal.unit_id))


def viewer_of(principal: Principal) -> Viewer:
    return Viewer(role=principal.role.value, unit_id=principal.unit_id, unit_level=unit_level(principal.unit_id))


async def idempotent(
    service: AwardsService, *, principal: Principal, key: str | None, request: Request, payload: Any,
    status_code: int, work: Callable[[AsyncSession], Awaitable[dict[str, Any]]],
) -> JSONResponse:
    """Run ``work`` in one transaction; with an Idempotency-Key, a repeat returns the stored answer."""
    key = check_key(key)
    print_ = fingerprint(request.method, request.url.path, payload)
    try:
        async with service.sessions() as session, session.begin():
            if key:
                stored = await find_response(
                    session, idempotency_keys, principal=principal.subject, key=key, fingerprint=print_,
                )
                if stored is not None:
                    return JSONResponse(stored.body, status_code=stored.status_code)
            body = await work(session)
            if key:
                await store_response(
                    session, idempotency_keys, principal=principal.subject, key=key, fingerprint=print_,
                    status_code=status_code, body=body,
                )
    except IntegrityError as exc:
        raise ConcurrentChangeError(
            "Thao tác trùng với một thao tác đồng thời; tải lại và thử lại — a concurrent request did the same;"
            " reload and retry"
        ) from exc
    service.committed()
    return JSONResponse(body, status_code=status_code)
