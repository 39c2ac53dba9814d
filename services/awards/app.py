"""The awards HTTP app: reviewers' API, the event feed, and the consumer and relay in its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.awards.adapters.tables import idempotency_keys, outbox
from services.awards.api import actions, exports, reads, records
from services.awards.api.labels import AWARDS_LABELS
from services.awards.bootstrap import MIGRATIONS_DIR, AwardsService
from services.awards.domain.errors import ReviewRuleError
from shared.http import create_app as create_base_app
from shared.http import event_feed_router
from shared.idempotency import keys_pruned
from shared.problems import PROBLEM_BASE, PROBLEM_MEDIA_TYPE
from shared.settings import Settings, get_settings

__all__ = ["MIGRATIONS_DIR", "create_app"]


def review_rule_response(request: Request, exc: ReviewRuleError) -> JSONResponse:
    """A refused review action as problem+json with its own stable type."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + exc.code, "title": exc.title, "status": exc.status, "detail": exc.detail,
        "instance": request.url.path, **exc.extensions,
    }
    return JSONResponse(body, status_code=exc.status, media_type=PROBLEM_MEDIA_TYPE)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.require_secrets("cursor_secret")
    service = AwardsService(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await service.start()
        try:
            async with keys_pruned(service.sessions, idempotency_keys, service="awards"):
                yield
        finally:
            await service.stop()

    app = create_base_app(
        title="sangkien — awards",
        description=(
            "Xét duyệt bốn cấp và khen thưởng sáng kiến — the four-level review and commendation workflow: "
            "reviewers' queues, actions, score sheets, national selection, audit log, dossier exports."
        ),
        lifespan=lifespan,
        max_body_bytes=settings.max_body_bytes,
        ready=service.readiness,
        settings=settings,
        labels=AWARDS_LABELS,
    )
    app.state.awards = service

    @app.exception_handler(ReviewRuleError)
    async def _refused(request: Request, exc: ReviewRuleError) -> JSONResponse:
        return review_rule_response(request, exc)

    app.include_router(reads.router)
    app.include_router(records.router)
    app.include_router(actions.router)
    app.include_router(exports.router)
    app.include_router(event_feed_router(lambda: service.engine, outbox))
    return app
