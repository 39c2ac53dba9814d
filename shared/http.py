"""HTTP plumbing for every service: app factory, body-size limit, health and metrics, the event feed, cursors."""

from __future__ import annotations

import hmac
import os
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.responses import HTMLResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import ServicePrincipal
from shared.cursors import BadCursorError, decode_cursor, encode_cursor
from shared.outbox import feed_page
from shared.problems import (
    PROBLEM_RESPONSES,
    NotFoundError,
    PayloadTooLargeError,
    install_problem_handlers,
    problem_response,
)
from shared.security_headers import SecurityHeaders
from shared.settings import Settings, get_settings
from shared.validation_messages import FieldLabels


def metrics_text() -> bytes:
    """This process's metrics, or, with several worker processes (PROMETHEUS_MULTIPROC_DIR set), all of theirs."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()


class BodySizeLimit:
    """Refuse request bodies larger than a limit with 413 problem+json, even without Content-Length."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, upload_max_bytes: int, upload_paths: tuple[str, ...] = ()):
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes
        self.upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = self.upload_max_bytes if any(p in path for p in self.upload_paths) else self.max_bytes
        problem = PayloadTooLargeError(f"Request body exceeds {limit} bytes", limit_bytes=limit)
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > limit
                except ValueError:
                    too_big = False
                if too_big:
                    await problem_response(problem, path)(scope, receive, send)
                    return
        received = 0
        exceeded = False
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLargeError
            return message

        async def guarded_send(message: Message) -> None:
            # Frameworks may turn the receive error into their own 400: answer 413 instead, once.
            nonlocal response_started
            if exceeded:
                if not response_started:
                    response_started = True
                    await problem_response(problem, path)(scope, receive, send)
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyTooLargeError:
            if not response_started:
                await problem_response(problem, path)(scope, receive, send)


class _BodyTooLargeError(Exception):
    pass


def create_app(
    *,
    title: str,
    description: str,
    version: str = "1.0.0",
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
    max_body_bytes: int = 1_048_576,
    upload_max_bytes: int = 20 * 1_048_576,
    upload_paths: tuple[str, ...] = (),
    ready: Callable[[], Awaitable[dict[str, Any]]] | None = None,
    settings: Settings | None = None,
    labels: FieldLabels | None = None,
) -> FastAPI:
    """A FastAPI app with problem+json errors, a body-size limit, security headers on HTML pages, /health, /ready,
    /metrics (bearer-protected in prod) and, unless ``public_docs`` says otherwise, the API and AsyncAPI docs.

    ``labels`` are the service's Vietnamese field names: its 422s name each field by them (shared/validation_messages).
    """
    settings = settings or get_settings()
    docs = settings.docs_public
    app = FastAPI(
        title=title, description=description, version=version, lifespan=lifespan, responses=PROBLEM_RESPONSES,
        docs_url="/docs" if docs else None, redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    install_problem_handlers(app, labels=labels)
    app.add_middleware(
        BodySizeLimit, max_bytes=max_body_bytes, upload_max_bytes=upload_max_bytes, upload_paths=upload_paths,
    )
    app.add_middleware(SecurityHeaders)

    @app.get("/health", tags=["ops"], summary="Liveness")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/ready", tags=["ops"], summary="Readiness (dependencies reachable, consumers attached)")
    async def readiness(response: Response) -> dict[str, Any]:
        if ready is None:
            return {"status": "ready"}
        checks = await ready()
        ok = all(v for v in checks.values() if isinstance(v, bool))  # numbers are information, not gates
        response.status_code = 200 if ok else 503
        return {"status": "ready" if ok else "not ready", "checks": checks}

    if docs:
        _add_asyncapi_routes(app)

    @app.get("/metrics", tags=["ops"], summary="Prometheus metrics (bearer SANGKIEN_METRICS_TOKEN when set)",
             response_class=Response)
    async def metrics(request: Request) -> Response:
        if not metrics_allowed(request.headers.get("authorization"), settings):
            # The same answer as a route that does not exist: nothing tells a scanner metrics live here.
            raise NotFoundError("Không có trang này — not found")
        return Response(metrics_text(), media_type=CONTENT_TYPE_LATEST)

    return app


def metrics_allowed(authorization: str | None, settings: Settings) -> bool:
    """With a metrics token, only its bearer; without one, anyone outside prod and no one in prod."""
    if not settings.metrics_token:
        return settings.env != "prod"
    scheme, _, token = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), settings.metrics_token.encode())


def _add_asyncapi_routes(app: FastAPI) -> None:
    @app.get("/asyncapi", tags=["docs"], summary="AsyncAPI document of the events (HTML)", response_class=HTMLResponse)
    async def asyncapi_page() -> HTMLResponse:
        from shared.asyncapi import asyncapi_html

        return HTMLResponse(asyncapi_html())

    @app.get("/asyncapi.json", tags=["docs"], summary="AsyncAPI document of the events (JSON)")
    async def asyncapi_document() -> Response:
        from shared.asyncapi import asyncapi_json

        return Response(asyncapi_json(), media_type="application/json")


def event_feed_router(get_engine: Callable[[], AsyncEngine], table: Table) -> APIRouter:
    """``GET /v1/events``: the service's event log in order, for replay; service tokens only."""
    router = APIRouter(tags=["events feed (internal)"])

    @router.get(
        "/v1/events",
        summary="Event log page (internal, service token)",
        response_class=Response,
        responses={200: {"content": {"application/json": {}}, "description": "events, next_after, has_more"}},
    )
    async def events(
        _: ServicePrincipal,
        after: Annotated[int, Query(ge=0, le=2**62, description="Return events after this position")] = 0,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
        campaign_id: Annotated[str | None, Query(max_length=64)] = None,
    ) -> Response:
        page = await feed_page(get_engine(), table, after=after, limit=limit, campaign_id=campaign_id)
        return Response(page.to_json(after), media_type="application/json")

    return router


__all__ = ["BadCursorError", "create_app", "decode_cursor", "encode_cursor", "event_feed_router"]
