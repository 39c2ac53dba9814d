"""Shared HTTP plumbing: problem+json for every error, body-size limits, readiness, cursors."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy.exc
from pydantic import BaseModel

from shared.http import BadCursorError, create_app, decode_cursor, encode_cursor
from shared.problems import PROBLEM_MEDIA_TYPE
from shared.settings import REPO_ROOT


class Body(BaseModel):
    name: str


def make_app(ready_checks: dict[str, Any] | None = None):
    async def ready() -> dict[str, Any]:
        return ready_checks or {"database": True}

    app = create_app(title="t", description="t", max_body_bytes=1000, upload_max_bytes=5000,
                     upload_paths=("/upload",), ready=ready)

    @app.post("/echo")
    async def echo(body: Body) -> Body:
        return body

    @app.post("/upload")
    async def upload(payload: dict[str, Any]) -> dict[str, int]:
        return {"size": len(str(payload))}

    @app.get("/busy")
    async def busy() -> None:
        raise sqlalchemy.exc.TimeoutError("QueuePool limit reached")

    @app.get("/db-error/{sqlstate}")
    async def db_error(sqlstate: str) -> None:
        raise sqlalchemy.exc.DBAPIError("SELECT 1", {}, _DriverError(sqlstate))

    return app


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"driver error {sqlstate}")
        self.sqlstate = sqlstate


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=make_app()), base_url="http://t") as c:
        yield c


async def test_validation_errors_are_problem_json_with_the_field(client: httpx.AsyncClient):
    response = await client.post("/echo", json={"name": 3})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    assert response.json()["detail"].startswith("name:")


async def test_malformed_json_is_a_422_not_a_500(client: httpx.AsyncClient):
    response = await client.post("/echo", content=b'{"name": ', headers={"content-type": "application/json"})
    assert response.status_code == 422


async def test_a_body_over_the_limit_is_refused_with_413(client: httpx.AsyncClient):
    response = await client.post("/echo", json={"name": "x" * 2000})
    assert response.status_code == 413
    assert response.json()["limit_bytes"] == 1000


async def test_a_streamed_body_without_length_is_cut_at_the_limit(client: httpx.AsyncClient):
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 300

    response = await client.post("/echo", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


async def test_upload_paths_have_their_own_larger_limit(client: httpx.AsyncClient):
    response = await client.post("/upload", json={"data": "x" * 3000})
    assert response.status_code == 200


async def test_a_busy_database_is_a_503_with_retry_after(client: httpx.AsyncClient):
    response = await client.get("/busy")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.json()["type"].endswith("/unavailable")


async def test_a_full_or_vanished_database_is_a_503_and_a_bug_stays_a_500() -> None:
    transport = httpx.ASGITransport(app=make_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        for sqlstate in ("53300", "08006", "57P01"):  # too many clients, connection failure, admin shutdown
            response = await c.get(f"/db-error/{sqlstate}")
            assert response.status_code == 503 and response.headers["retry-after"] == "2", sqlstate
        assert (await c.get("/db-error/42P01")).status_code == 500  # undefined table: not something to retry


async def test_unknown_paths_are_problem_json_404(client: httpx.AsyncClient):
    response = await client.get("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)


async def test_readiness_fails_on_a_false_check_and_ignores_numbers():
    transport = httpx.ASGITransport(app=make_app({"database": True, "consumers_attached": 0}))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        assert (await c.get("/ready")).status_code == 200
    transport = httpx.ASGITransport(app=make_app({"database": False}))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        assert (await c.get("/ready")).status_code == 503


def test_cursors_round_trip_and_garbage_is_a_400():
    assert decode_cursor(encode_cursor({"after": "Nguyễn", "n": 3})) == {"after": "Nguyễn", "n": 3}
    with pytest.raises(BadCursorError):
        decode_cursor("%%%not-a-cursor")
    with pytest.raises(BadCursorError):
        decode_cursor(encode_cursor([1, 2]))  # type: ignore[arg-type]
    with pytest.raises(BadCursorError):  # a plain base64 JSON cursor (the old, readable kind) is refused
        decode_cursor("eyJhZnRlciI6Ik5ndXnhu4VuIiwibiI6M30")


def test_metrics_of_several_worker_processes_are_summed(tmp_path: Path) -> None:
    """With PROMETHEUS_MULTIPROC_DIR (set by `sangkien up` for multi-worker services) /metrics shows every worker."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    bump = ("from prometheus_client import Counter; "
            "Counter('sangkien_test_bumps_total', 'test', ['service']).labels('x').inc(3)")
    for _ in range(2):  # two "workers", each its own process
        subprocess.run([sys.executable, "-c", bump], env=env, check=True, cwd=REPO_ROOT)
    show = "import sys; from shared.http import metrics_text; sys.stdout.buffer.write(metrics_text())"
    shown = subprocess.run(
        [sys.executable, "-c", show],
        env=env, check=True, cwd=REPO_ROOT, capture_output=True,
    ).stdout.decode()
    assert 'sangkien_test_bumps_total{service="x"} 6.0' in shown
