"""Edges of every HTTP app: docs and metrics not public in prod, browser security headers on every HTML page,
and no bound value in a database error's text."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Column, MetaData, String, Table, insert
from sqlalchemy.exc import IntegrityError

from services.tally.app import create_app as create_tally_app
from shared.db import make_engine
from shared.http import create_app
from shared.settings import Settings
from tests.support.prod import PROD_SECRETS

PROD = {"env": "prod", "jwks_url": "https://idp.example/jwks", "amqp_url": "amqp://sangkien:mat-khau@rabbit/",
        **PROD_SECRETS}
DOCS = ["/docs", "/redoc", "/openapi.json", "/asyncapi", "/asyncapi.json"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sangkien.test")


def app_with(settings: Settings) -> FastAPI:
    return create_app(title="t", description="d", settings=settings)


async def statuses(app: FastAPI, paths: list[str], headers: dict[str, str] | None = None) -> list[int]:
    async with client(app) as http:
        return [(await http.get(path, headers=headers)).status_code for path in paths]


async def test_docs_are_public_outside_prod_and_hidden_in_prod() -> None:
    assert await statuses(app_with(Settings(env="test")), DOCS) == [200] * 5
    assert await statuses(app_with(Settings(**PROD)), DOCS) == [404] * 5
    assert await statuses(app_with(Settings(**PROD, public_docs=True)), DOCS) == [200] * 5
    assert await statuses(app_with(Settings(env="test", public_docs=False)), DOCS) == [404] * 5
    # Wired into the services too (the tally API stands for all three).
    assert await statuses(create_tally_app(Settings(**PROD)), DOCS) == [404] * 5


async def test_metrics_in_prod_need_the_metrics_bearer_token() -> None:
    assert await statuses(app_with(Settings(env="test")), ["/metrics"]) == [200]
    prod = app_with(Settings(**PROD, metrics_token="prometheus-scrape-token-0123456789"))
    assert await statuses(prod, ["/metrics"]) == [404]
    assert await statuses(prod, ["/metrics"], {"Authorization": "Bearer wrong"}) == [404]
    assert await statuses(prod, ["/metrics"], {"Authorization": "Bearer prometheus-scrape-token-0123456789"}) == [200]
    assert await statuses(app_with(Settings(**PROD)), ["/metrics"]) == [404]  # no token configured: never
    async with client(prod) as http:
        hidden = await http.get("/metrics")
    assert hidden.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(("path", "origins", "inline_scripts"), [
    ("/", (), 1),  # the tally dashboard
    ("/docs", ("https://cdn.jsdelivr.net",), 1),
    ("/redoc", ("https://cdn.jsdelivr.net",), 0),
    ("/asyncapi", ("https://unpkg.com",), 1),
])
async def test_every_html_page_carries_the_security_headers(
    path: str, origins: tuple[str, ...], inline_scripts: int,
) -> None:
    async with client(create_tally_app(Settings(env="test"))) as http:
        page = await http.get(path)
        api = await http.get("/health")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    headers = page.headers
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    policy = {d.split()[0]: d.split()[1:] for d in headers["content-security-policy"].split("; ")}
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    scripts = policy["script-src"]
    assert "'unsafe-inline'" not in scripts and "*" not in scripts
    assert [s for s in scripts if s.startswith("https:")] == list(origins)  # exactly the CDN the page loads
    inline = INLINE_SCRIPT.findall(page.text)
    assert len(inline) == inline_scripts
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in scripts
    assert "content-security-policy" not in api.headers  # JSON answers are not held back or changed


async def test_a_failing_statement_does_not_show_its_bound_values(db_backend: str) -> None:
    engine = make_engine(db_backend, pool_size=1)
    secrets = Table("secrets", MetaData(), Column("code", String(64), primary_key=True))
    secret = "CONG-THUC-BI-MAT-3-7"
    try:
        async with engine.begin() as conn:
            await conn.run_sync(secrets.metadata.create_all)
            await conn.execute(insert(secrets).values(code=secret))
        with pytest.raises(IntegrityError) as failed:
            async with engine.begin() as conn:
                await conn.execute(insert(secrets).values(code=secret))
    finally:
        await engine.dispose()
    assert secret not in str(failed.value)
    assert "parameters hidden" in str(failed.value).lower() or "hide_parameters" in str(failed.value)
