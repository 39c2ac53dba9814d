"""Bearer JWT auth: development tokens, expiry, tampering, and scoping to the union tree."""

from __future__ import annotations

import time
from datetime import timedelta

import jwt
import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from shared.auth import (
    VERIFIED,
    AuthError,
    CurrentPrincipal,
    Principal,
    Role,
    VerifiedTokens,
    decode_token,
    issue_token,
)
from shared.problems import install_problem_handlers
from shared.settings import Settings


@pytest.fixture
def dev() -> Settings:
    return Settings(env="test")


def test_a_dev_token_round_trips(dev: Settings):
    token = issue_token(subject="nguyen-thi-hoa", role=Role.OFFICER, unit_id="P24", settings=dev)
    assert decode_token(token, dev) == Principal("nguyen-thi-hoa", Role.OFFICER, "P24")


def test_an_expired_token_is_refused_with_its_reason(dev: Settings):
    token = issue_token(subject="m", role=Role.MEMBER, settings=dev, ttl=timedelta(seconds=-5))
    with pytest.raises(AuthError, match="hết hạn"):
        decode_token(token, dev)


def test_a_token_signed_with_another_key_is_refused(dev: Settings):
    other = Settings(env="test", jwt_secret="another-secret-key-that-is-long-enough-0123456789")
    token = issue_token(subject="m", role=Role.ADMIN, settings=other)
    with pytest.raises(AuthError):
        decode_token(token, dev)


def test_an_unsigned_token_is_refused(dev: Settings):
    token = jwt.encode({"sub": "m", "role": "admin", "iss": "sangkien", "aud": "sangkien"}, key=None, algorithm="none")
    with pytest.raises(AuthError):
        decode_token(token, dev)


def test_officers_and_reviewers_need_a_known_unit(dev: Settings):
    with pytest.raises(ValueError):
        issue_token(subject="m", role=Role.REVIEWER, settings=dev)
    with pytest.raises(ValueError):
        issue_token(subject="m", role=Role.OFFICER, unit_id="P99-nowhere", settings=dev)


def test_scope_follows_the_union_tree():
    from shared.union_tree import get_tree

    tree = get_tree()
    grassroots = tree.grassroots_ids()[0]
    level2 = tree.path(grassroots)[1]
    officer = Principal("o", Role.OFFICER, level2)
    elsewhere = next(u.id for u in tree.level2_units() if u.id != level2)
    assert officer.within(grassroots)
    assert not officer.within(tree.grassroots_ids()[-1]) or tree.path(tree.grassroots_ids()[-1])[1] == level2
    assert not Principal("o", Role.OFFICER, elsewhere).within(grassroots)
    assert Principal("a", Role.ADMIN, None).within(grassroots)
    assert not Principal("m", Role.MEMBER, None).within(grassroots)


def test_production_refuses_default_credentials():
    with pytest.raises(ValueError):
        Settings(env="prod", jwt_secret=None, jwks_url=None)
    with pytest.raises(ValueError):
        Settings(env="prod", jwks_url="https://idp.example/jwks", amqp_url="amqp://guest:guest@rabbit:5672/")


async def test_verified_tokens_are_remembered_until_they_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/who")
    async def who(principal: CurrentPrincipal) -> dict[str, str]:
        return {"sub": principal.subject}

    VERIFIED.clear()
    token = issue_token(subject="tran-van-an", role=Role.MEMBER, ttl=timedelta(minutes=5))
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    async with AsyncClient(transport=ASGITransport(app), base_url="http://t") as client:
        for _ in range(2):
            answer = await client.get("/who", headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 200 and answer.json() == {"sub": "tran-van-an"}
        assert VERIFIED.get(token) == Principal("tran-van-an", Role.MEMBER, None)
        assert (await client.get("/who", headers={"Authorization": f"Bearer {tampered}"})).status_code == 401
        real_time = time.time
        monkeypatch.setattr("shared.auth.time.time", lambda: real_time() + 600)  # past the token's exp
        assert VERIFIED.get(token) is None, "an expired token is never answered from memory"
    VERIFIED.clear()


def test_the_token_memory_is_bounded() -> None:
    memory = VerifiedTokens(size=8)
    for n in range(20):
        memory.put(f"t{n}", (Principal(f"m{n}", Role.MEMBER, None), time.time() + 60))
    assert memory.get("t19") is not None and memory.get("t0") is None
    assert len(memory._entries) <= 8
