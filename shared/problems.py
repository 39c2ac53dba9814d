"""RFC 9457 problem+json errors: one exception class per stable error type, and FastAPI handlers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import sqlalchemy.exc
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.db import sqlstate
from shared.validation_messages import FieldLabels, translated_errors, validation_detail

log = structlog.get_logger(__name__)
PROBLEM_BASE = "https://sangkien.vn/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(Exception):  # noqa: N818 - RFC 9457 calls it a problem
    """An error shown to the client. Subclasses fix ``status``, ``type_suffix`` and ``title``."""

    status: ClassVar[int] = 400
    type_suffix: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Yêu cầu không hợp lệ / Bad request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions

    @property
    def type_uri(self) -> str:
        return PROBLEM_BASE + self.type_suffix

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type_uri, "title": self.title, "status": self.status, "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extensions)
        return body


class NotFoundError(Problem):
    status = 404
    type_suffix = "not-found"
    title = "Không tìm thấy / Not found"


class ConflictError(Problem):
    status = 409
    type_suffix = "conflict"
    title = "Xung đột / Conflict"


class UnprocessableError(Problem):
    status = 422
    type_suffix = "validation-error"
    title = "Dữ liệu không hợp lệ / Invalid data"


class PayloadTooLargeError(Problem):
    status = 413
    type_suffix = "payload-too-large"
    title = "Dữ liệu quá lớn / Payload too large"


class RateLimitedError(Problem):
    status = 429
    type_suffix = "rate-limited"
    title = "Quá nhiều yêu cầu / Too many requests"


class UnavailableError(Problem):
    status = 503
    type_suffix = "unavailable"
    title = "Tạm thời không phục vụ / Service unavailable"


def problem_response(problem: Problem, instance: str | None = None) -> JSONResponse:
    headers = {"Retry-After": str(problem.extensions["retry_after"])} if "retry_after" in problem.extensions else None
    return JSONResponse(
        problem.body(instance), status_code=problem.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers,
    )


def validation_problem(errors: Iterable[Mapping[str, Any]], labels: FieldLabels | None = None) -> UnprocessableError:
    """A 422 naming each field by its Vietnamese label and what is wrong in Vietnamese, then in English."""
    translated = translated_errors(errors, labels or {})
    return UnprocessableError(validation_detail(translated), errors=translated)


# SQLSTATE classes that mean "the database is away or full", not "this request is wrong": connection exceptions
# (08), insufficient resources such as too_many_connections (53), operator intervention such as a shutdown (57P).
TRANSIENT_SQLSTATE_PREFIXES = ("08", "53", "57P")


def database_is_away(exc: sqlalchemy.exc.DBAPIError) -> bool:
    """True for errors a retry can cure: a dropped connection, a full server, a server shutting down."""
    if exc.connection_invalidated:
        return True
    code = sqlstate(exc)
    return code is not None and code.startswith(TRANSIENT_SQLSTATE_PREFIXES)


def install_problem_handlers(app: FastAPI, *, labels: FieldLabels | None = None) -> None:
    """Every error leaves as problem+json; unexpected ones as a 500 without internals. ``labels`` are the service's
    Vietnamese field names for its 422s."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(validation_problem(exc.errors(), labels), request.url.path)

    @app.exception_handler(sqlalchemy.exc.TimeoutError)
    @app.exception_handler(sqlalchemy.exc.OperationalError)
    @app.exception_handler(sqlalchemy.exc.InterfaceError)
    async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable", path=request.url.path, error=type(exc).__name__)
        problem = UnavailableError(
            "Cơ sở dữ liệu đang quá tải hoặc tạm ngừng, vui lòng thử lại — database busy or unreachable; retry shortly",
            retry_after=2,
        )
        return problem_response(problem, request.url.path)

    @app.exception_handler(sqlalchemy.exc.DBAPIError)
    async def _database_error(request: Request, exc: sqlalchemy.exc.DBAPIError) -> JSONResponse:
        if not database_is_away(exc):
            raise exc  # a real bug: the server-error middleware answers 500 without internals
        return await _database_unavailable(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        problem = Problem(str(exc.detail))
        body = problem.body(request.url.path)
        body.update(status=exc.status_code, type=PROBLEM_BASE + f"http-{exc.status_code}", title=str(exc.detail))
        return JSONResponse(body, status_code=exc.status_code, media_type=PROBLEM_MEDIA_TYPE, headers=exc.headers)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"description": desc, "content": {PROBLEM_MEDIA_TYPE: {}}}
    for code, desc in ((400, "Bad request"), (401, "Unauthenticated"), (403, "Forbidden"), (404, "Not found"),
                       (409, "Conflict"), (413, "Too large"), (422, "Invalid data"), (429, "Rate limited"))
}
