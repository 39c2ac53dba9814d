"""Token hardening: required claims, service-token lifetime, fixed 401 details, and the keys each setting accepts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import jwt
import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import ValidationError
from structlog.testing import capture_logs
from typer.testing import CliRunner

from services.cli import app as cli
from shared.auth import VERIFIED, AuthError, CurrentPrincipal, Role, decode_token, issue_token
from shared.events import utc_now
from shared.problems import install_problem_handlers
from shared.settings import DEV_JWT_SECRET, Settings, get_settings
from tests.support.prod import PROD_SECRETS


@pytest.fixture
def dev() -> Settings:
    return Settings(env="test")


def signed(claims: dict[str, object], secret: str = DEV_JWT_SECRET) -> str:
    return jwt.encode({"iss": "sangkien", "aud": "sangkien", **claims}, secret, algorithm="HS256")


@pytest.mark.parametrize("missing", ["exp", "iat", "sub"])
def test_a_token_without_exp_iat_or_sub_is_refused(dev: Settings, missing: str) -> None:
    now = utc_now()
    claims: dict[str, object] = {"sub": "dv-thieu", "role": "admin", "iat": now, "exp": now + timedelta(hours=1)}
    del claims[missing]
    with pytest.raises(AuthError) as refused:
        decode_token(signed(claims), dev)
    assert refused.value.detail == "Token không hợp lệ — invalid token"


def test_a_service_token_living_longer_than_the_cap_is_refused_and_not_minted(dev: Settings) -> None:
    now = utc_now()
    year_long = signed({"sub": "service", "role": "service", "iat": now, "exp": now + timedelta(days=365)})
    with pytest.raises(AuthError, match="service token lifetime"):
        decode_token(year_long, dev)
    with pytest.raises(ValueError, match="SANGKIEN_SERVICE_TOKEN_MAX_HOURS"):
        issue_token(subject="service", role=Role.SERVICE, settings=dev, ttl=timedelta(hours=25))
    day = issue_token(subject="service", role=Role.SERVICE, settings=dev, ttl=timedelta(hours=24))
    assert decode_token(day, dev).role is Role.SERVICE
    stricter = Settings(env="test", service_token_max_hours=1)
    with pytest.raises(AuthError):
        decode_token(day, stricter)
    # The cap is for machines; a member's long session is the identity provider's business.
    member = issue_token(subject="dv-lau", role=Role.MEMBER, settings=dev, ttl=timedelta(hours=48))
    assert decode_token(member, dev).subject == "dv-lau"


async def test_a_refused_token_answers_a_fixed_detail_and_logs_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    get_settings.cache_clear()
    monkeypatch.setenv("SANGKIEN_ENV", "test")
    VERIFIED.clear()
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, str]:
        return {"sub": principal.subject}

    forged = issue_token(subject="m", role=Role.ADMIN,
                         settings=Settings(env="test", jwt_secret="another-secret-key-that-is-long-enough-0123"))
    try:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
            with capture_logs() as logs:
                response = await client.get("/me", headers={"Authorization": f"Bearer {forged}"})
    finally:
        get_settings.cache_clear()
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "Token không hợp lệ — invalid token"
    assert "signature" not in response.text.lower()
    assert any("Signature" in str(entry.get("reason")) for entry in logs), logs


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "sangkien.example"])
def test_the_dev_key_is_refused_on_a_non_loopback_bind(host: str) -> None:
    with pytest.raises(ValidationError, match="SANGKIEN_JWT_SECRET") as refused:
        Settings(host=host)
    assert "bind 127.0.0.1" in str(refused.value)
    assert Settings(host=host, jwt_secret="an-explicit-key-for-this-deployment-0123").host == host


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.1.1", "::1", "localhost"])
def test_the_dev_key_is_fine_on_loopback(host: str) -> None:
    assert Settings(host=host).signing_secret == DEV_JWT_SECRET


def test_production_refuses_a_short_hs256_secret() -> None:
    with pytest.raises(ValidationError, match="32 bytes"):
        Settings(env="prod", jwt_secret="x" * 31, amqp_url="amqp://sangkien:pw@rabbit/", **PROD_SECRETS)
    assert Settings(env="prod", jwt_secret="x" * 32, amqp_url="amqp://sangkien:pw@rabbit/",
                    **PROD_SECRETS).env == "prod"


@pytest.mark.parametrize("url", ["amqp://rabbit:5672/", "amqp://guest:guest@rabbit/", "amqp://guest@rabbit/",
                                 "amqp://:secret@rabbit/"])
def test_production_takes_an_amqp_url_without_credentials_for_the_guest_account(url: str) -> None:
    with pytest.raises(ValidationError, match="guest"):
        Settings(env="prod", jwks_url="https://idp.example/jwks", amqp_url=url, **PROD_SECRETS)


@pytest.fixture
def prod_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    get_settings.cache_clear()
    monkeypatch.setenv("SANGKIEN_ENV", "prod")
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize("complete", [True, False])
def test_sangkien_token_refuses_to_run_in_production(
    prod_env: None, monkeypatch: pytest.MonkeyPatch, complete: bool,
) -> None:
    if complete:
        monkeypatch.setenv("SANGKIEN_JWKS_URL", "https://idp.example/jwks")
        monkeypatch.setenv("SANGKIEN_AMQP_URL", "amqp://sangkien:pw@rabbit/")
    result = CliRunner().invoke(cli, ["token", "--role", "admin"])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "SANGKIEN_ENV=prod" in result.output
    assert "eyJ" not in result.output


def test_each_production_service_refuses_to_start_without_the_keys_it_uses() -> None:
    from services.awards.app import create_app as awards_app
    from services.submission.app import create_app as submission_app

    base = {"env": "prod", "jwks_url": "https://idp.example/jwks", "amqp_url": "amqp://sangkien:pw@rabbit/"}
    with pytest.raises(ValueError, match="SANGKIEN_CURSOR_SECRET, SANGKIEN_VOTE_ID_KEY"):
        submission_app(Settings(**base))
    with pytest.raises(ValueError, match="SANGKIEN_VOTE_ID_KEY"):
        submission_app(Settings(**base, cursor_secret="c" * 32))
    with pytest.raises(ValueError, match="SANGKIEN_CURSOR_SECRET"):
        awards_app(Settings(**base, vote_id_key="v" * 32))
    submission_app(Settings(**base, **PROD_SECRETS))
    awards_app(Settings(**base, cursor_secret="c" * 32))  # awards never derives a vote id
