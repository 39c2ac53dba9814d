"""FastAPI dependencies of the submission API: the context, role checks, Idempotency-Key."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from services.submission.bootstrap import Context
from services.submission.domain.text import nfc
from services.submission.handlers.idempotent import IdempotencyRequest
from shared.auth import AuthError, CurrentPrincipal, ForbiddenError, Principal, Role
from shared.idempotency import check_key, fingerprint


async def get_context(request: Request) -> Context:
    context: Context = request.app.state.context
    return context


MAX_SUBJECT = 200
Ctx = Annotated[Context, Depends(get_context)]


def _roles(*roles: Role, admin: bool = True) -> Any:
    allowed = set(roles) | ({Role.ADMIN} if admin else set())

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if len(principal.subject) > MAX_SUBJECT or nfc(principal.subject) != principal.subject:
            raise AuthError("Mã người dùng trong token không hợp lệ — token subject must be ≤ 200 printable characters")
        if principal.role not in allowed:
            wanted = ", ".join(sorted(r.value for r in allowed))
            raise ForbiddenError(f"Vai trò {principal.role.value} không được làm việc này — needs: {wanted}")
        return principal

    return Depends(dependency)


AuthorPrincipal = Annotated[Principal, _roles(Role.MEMBER, Role.OFFICER)]
OfficerPrincipal = Annotated[Principal, _roles(Role.OFFICER)]
VoterPrincipal = Annotated[Principal, _roles(Role.MEMBER, admin=False)]
AdminOnly = Annotated[Principal, _roles(admin=True)]


def idempotency_request(
    principal: Principal, key: str | None, method: str, path: str, payload: Any,
) -> IdempotencyRequest | None:
    if check_key(key) is None:
        return None
    assert key is not None
    return IdempotencyRequest(
        principal=f"{principal.role.value}:{principal.subject}", key=key,
        fingerprint=fingerprint(method, path, payload),
    )
