"""Bearer-JWT authentication and union-tree-scoped roles.

Development and tests sign HS256 tokens with a local key (`sangkien token`); production
validates RS256/ES256 tokens from the identity provider's JWKS. Claims used:
``sub`` (member id), ``role``, ``unit`` (the unit the role is scoped to), ``exp`` and ``iat`` (all required
but ``unit``); a service token lives at most ``SANGKIEN_SERVICE_TOKEN_MAX_HOURS``.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Annotated

import jwt
import structlog
from fastapi import Depends, Request
from jwt.types import Options

from shared.events import utc_now
from shared.problems import Problem
from shared.settings import Settings, get_settings
from shared.union_tree import UnionTree, get_tree

log = structlog.get_logger(__name__)
REQUIRED_CLAIMS = ["exp", "iat", "sub"]
INVALID_TOKEN = "Token không hợp lệ — invalid token"

class Role(StrEnum):
    MEMBER = "member"
    OFFICER = "officer"
    REVIEWER = "reviewer"
    ADMIN = "admin"
    SERVICE = "service"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a member id, a role and the unit the role is scoped to."""

    subject: str
    role: Role
    unit_id: str | None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def within(self, unit_id: str, tree: UnionTree | None = None) -> bool:
        """True when ``unit_id`` lies in this principal's subtree (admins and services see everything)."""
        if self.role in (Role.ADMIN, Role.SERVICE):
            return True
        if self.unit_id is None:
            return False
        return (tree or get_tree()).is_within(unit_id, self.unit_id)


def issue_token(
    *, subject: str, role: Role | str, unit_id: str | None = None, settings: Settings | None = None,
    ttl: timedelta = timedelta(hours=12),
) -> str:
    """Sign a development token (HS256). Production tokens come from the identity provider."""
    settings = settings or get_settings()
    role = Role(role)
    if role in (Role.OFFICER, Role.REVIEWER) and not unit_id:
        raise ValueError(f"a {role.value} token needs a unit")
    if unit_id is not None and unit_id not in get_tree():
        raise ValueError(f"unknown unit {unit_id!r}")
    longest = timedelta(hours=settings.service_token_max_hours)
    if role is Role.SERVICE and ttl > longest:
        raise ValueError(f"a service token lives at most {settings.service_token_max_hours:g} h "
                         "(SANGKIEN_SERVICE_TOKEN_MAX_HOURS)")
    now = utc_now()
    claims = {
        "sub": subject, "role": role.value, "unit": unit_id, "iat": now, "exp": now + ttl,
        "iss": settings.jwt_issuer, "aud": settings.jwt_audience,
    }
    return jwt.encode(claims, settings.signing_secret, algorithm="HS256")


def service_token(settings: Settings | None = None) -> str:
    """The token a service presents to another (configured, or minted locally outside production)."""
    settings = settings or get_settings()
    if settings.service_token:
        return settings.service_token
    return issue_token(subject="service", role=Role.SERVICE, settings=settings)


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=600)


class AuthError(Problem):
    status = 401
    type_suffix = "unauthenticated"
    title = "Cần đăng nhập / Authentication required"


class ForbiddenError(Problem):
    status = 403
    type_suffix = "forbidden"
    title = "Không có quyền / Forbidden"


def decode_token(token: str, settings: Settings | None = None) -> Principal:
    """Validate a bearer token and return its principal; raise ``AuthError`` (the reason goes to the log only)."""
    return _verify(token, settings or get_settings())[0]


def _verify(token: str, settings: Settings) -> tuple[Principal, float]:
    """The principal of a valid token and the time (epoch seconds) it expires."""
    options: Options = {"require": REQUIRED_CLAIMS}
    try:
        if settings.jwks_url:
            key = _jwks_client(settings.jwks_url).get_signing_key_from_jwt(token).key
            claims = jwt.decode(
                token, key, algorithms=["RS256", "ES256"], audience=settings.jwt_audience, issuer=settings.jwt_issuer,
                options=options,
            )
        else:
            claims = jwt.decode(
                token, settings.signing_secret, algorithms=["HS256"],
                audience=settings.jwt_audience, issuer=settings.jwt_issuer, options=options,
            )
    except jwt.ExpiredSignatureError as exc:
        raise AuthError("Token đã hết hạn — token expired; sign in again") from exc
    except jwt.PyJWTError as exc:
        # The library's reason helps a forger more than a user: the operator reads it in the log instead.
        log.info("token refused", reason=str(exc), error=type(exc).__name__)
        raise AuthError(INVALID_TOKEN) from exc
    try:
        role = Role(str(claims.get("role")))
    except ValueError as exc:
        raise AuthError(f"unknown role {claims.get('role')!r} in token") from exc
    subject = claims.get("sub")
    unit = claims.get("unit")
    if not isinstance(subject, str) or not subject:
        raise AuthError("token has no subject")
    if role in (Role.OFFICER, Role.REVIEWER) and (not isinstance(unit, str) or unit not in get_tree()):
        raise AuthError(f"{role.value} token must name a known unit")
    expires, issued = claims.get("exp"), claims.get("iat")
    if not isinstance(expires, int | float) or not isinstance(issued, int | float):
        raise AuthError(INVALID_TOKEN)
    if role is Role.SERVICE and expires - issued > settings.service_token_max_hours * 3600:
        log.info("token refused", reason="service token lifetime over SANGKIEN_SERVICE_TOKEN_MAX_HOURS",
                 hours=round((expires - issued) / 3600, 1))
        raise AuthError("Token dịch vụ có thời hạn quá dài — service token lifetime too long")
    return Principal(subject=subject, role=role, unit_id=unit if isinstance(unit, str) else None), float(expires)


class VerifiedTokens:
    """Tokens already verified by this process, until they expire: a member votes for several initiatives with
    one token, and each check costs a signature verification. Keyed by the whole token (signature included),
    so only a byte-identical token hits; bounded, oldest entries dropped first."""

    def __init__(self, size: int = 50_000) -> None:
        self.size = size
        self._entries: dict[str, tuple[Principal, float]] = {}

    def get(self, token: str) -> Principal | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        if entry[1] <= time.time():  # expired: verify again (and fail with the reason)
            del self._entries[token]
            return None
        return entry[0]

    def put(self, token: str, verified: tuple[Principal, float]) -> None:
        if len(self._entries) >= self.size:
            for old in list(itertools.islice(self._entries, self.size // 4)):
                del self._entries[old]
        self._entries[token] = verified

    def clear(self) -> None:
        self._entries.clear()


VERIFIED = VerifiedTokens()


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthError("Authorization header must be 'Bearer <token>'")
    return token.strip()


async def _decode(token: str) -> Principal:
    """Verify on the event loop (an HS256 check takes microseconds, less than a thread hop); a JWKS key may need
    a network fetch, so that case runs in a thread. Verified tokens are remembered until they expire."""
    known = VERIFIED.get(token)
    if known is not None:
        return known
    settings = get_settings()
    if settings.jwks_url:
        verified = await asyncio.to_thread(_verify, token, settings)
    else:
        verified = _verify(token, settings)
    VERIFIED.put(token, verified)
    return verified[0]


async def optional_principal(request: Request) -> Principal | None:
    token = _bearer(request)
    return await _decode(token) if token else None


async def current_principal(request: Request) -> Principal:
    token = _bearer(request)
    if token is None:
        raise AuthError("Thiếu token — missing bearer token")
    return await _decode(token)


def require_roles(*roles: Role) -> object:
    """FastAPI dependency: the caller must hold one of ``roles`` (admin always passes)."""

    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role is Role.ADMIN or principal.role in roles:
            return principal
        wanted = ", ".join(r.value for r in roles)
        raise ForbiddenError(f"role {principal.role.value} may not do this (needs {wanted})")

    return dependency


async def service_only(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    """Internal endpoints (event feeds) hold more than the public may see: service tokens only, not even admins."""
    if principal.role is not Role.SERVICE:
        raise ForbiddenError("chỉ dành cho dịch vụ nội bộ — internal endpoint, service token required")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
ServicePrincipal = Annotated[Principal, Depends(service_only)]
AdminPrincipal = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
