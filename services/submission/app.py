"""The submission HTTP app: ``uvicorn --factory services.submission.app:create_app``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import structlog
from aio_pika.connection import make_url
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.submission.adapters.tables import idempotency, outbox
from services.submission.api import attachments, campaigns, imports, initiatives, votes
from services.submission.api.labels import SUBMISSION_LABELS
from services.submission.bootstrap import Context, build_context
from services.submission.handlers.campaigns import ensure_default_campaigns
from services.submission.handlers.votes import BallotBox
from shared.http import create_app as create_base_app
from shared.http import event_feed_router
from shared.idempotency import keys_pruned
from shared.problems import problem_response, validation_problem
from shared.settings import Settings, get_settings

log = structlog.get_logger(__name__)
RELAY_STOP_SECONDS = 10.0
READY_TIMEOUT_SECONDS = 3.0


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; its lifespan opens the database, seeds default campaigns and runs the outbox relay."""
    settings = settings or get_settings()
    settings.require_secrets("cursor_secret", "vote_id_key")

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        context = build_context(settings)
        app.state.context = context
        app.state.ballot_box = BallotBox(context)
        try:
            await ensure_default_campaigns(context)
        except DBAPIError as exc:
            await context.close()
            raise RuntimeError(
                "submission database is not ready (not migrated?) — run `sangkien submission migrate`"
            ) from exc
        stop = asyncio.Event()
        relay_task = asyncio.create_task(context.relay.run(stop)) if settings.run_relay else None
        try:
            async with keys_pruned(context.sessions, idempotency, service="submission"):
                yield
        finally:
            stop.set()
            context.relay.wake()
            if relay_task is not None:
                try:
                    await asyncio.wait_for(relay_task, RELAY_STOP_SECONDS)
                except TimeoutError:
                    log.warning("outbox relay did not stop in time; cancelled")
            await context.close()

    async def ready() -> dict[str, Any]:
        context: Context = app.state.context
        return {
            "database": await _database_ok(context),
            "rabbitmq": await _rabbitmq_ok(settings),
            "redis": await _redis_ok(context),
        }

    app = create_base_app(
        title="sangkien — submission",
        description="Sáng kiến, tác giả, hồ sơ, bình chọn và nhập hàng loạt — initiatives, votes and bulk import.",
        lifespan=lifespan,
        max_body_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.max_upload_bytes,
        upload_paths=("/attachments", "/v1/imports"),
        ready=ready,
        settings=settings,
        labels=SUBMISSION_LABELS,
    )

    @app.exception_handler(ValidationError)
    async def _invalid(request: Request, exc: ValidationError) -> JSONResponse:
        return problem_response(validation_problem(exc.errors(), SUBMISSION_LABELS), request.url.path)

    for router in (campaigns.router, initiatives.router, votes.router, attachments.router, imports.router):
        app.include_router(router)
    app.include_router(event_feed_router(lambda: app.state.context.engine, outbox))
    return app


async def _database_ok(context: Context) -> bool:
    try:
        async with context.engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), READY_TIMEOUT_SECONDS)
    except Exception:
        return False
    return True


async def _rabbitmq_ok(settings: Settings) -> bool:
    connection = aio_pika.Connection(make_url(settings.amqp_url_for("submission")))
    try:
        await connection.connect(timeout=READY_TIMEOUT_SECONDS)
    except Exception:
        return False
    finally:
        with contextlib.suppress(Exception):  # a failed connection is closed too, so nothing leaks to the GC
            await connection.close()
    return True


async def _redis_ok(context: Context) -> bool:
    try:
        return bool(await asyncio.wait_for(context.redis.ping(), READY_TIMEOUT_SECONDS))
    except Exception:
        return False
