"""Bearer JWT auth: development tokens, expiry, tampering, and scoping to the union tree."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from shared.auth import AuthError, Principal, Role, decode_token, issue_token
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
