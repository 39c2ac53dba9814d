"""Event contracts: deterministic ids, forward compatibility, validation."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from shared.events import (
    DEV_VOTE_ID_KEY,
    EVENT_ID_NAMESPACE,
    InitiativeSubmitted,
    InvalidEventError,
    VoteCast,
    derive_id,
    dump_event,
    parse_event,
    vote_id_for,
)
from shared.settings import Settings

PATH = ("VGCL", "P40", "P40-02", "P40-02-007")


def test_the_same_vote_always_has_the_same_ids():
    initiative = uuid.uuid4()
    a = VoteCast.make(campaign_id="75k-2021", initiative_id=initiative, member_id="nguyen-van-an", unit_path=PATH)
    b = VoteCast.make(campaign_id="75k-2021", initiative_id=initiative, member_id="nguyen-van-an", unit_path=PATH)
    c = VoteCast.make(campaign_id="75k-2021", initiative_id=initiative, member_id="tran-thi-binh", unit_path=PATH)
    assert a.event_id == b.event_id and a.vote_id == b.vote_id == vote_id_for("75k-2021", initiative, "nguyen-van-an")
    assert c.event_id != a.event_id


def test_vote_events_carry_no_member_identity():
    event = VoteCast.make(campaign_id="c", initiative_id=uuid.uuid4(), member_id="le-van-cuong", unit_path=PATH)
    assert "le-van-cuong" not in dump_event(event).decode()


def test_initiative_event_id_follows_aggregate_and_version():
    initiative = uuid.uuid4()
    state = {"status": "submitted", "unit_path": PATH, "field": "atvsld", "title": "Cải tiến máy ép"}
    v2 = InitiativeSubmitted.make(campaign_id="c", initiative_id=initiative, version=2, **state)
    again = InitiativeSubmitted.make(campaign_id="c", initiative_id=initiative, version=2, **state)
    v3 = InitiativeSubmitted.make(campaign_id="c", initiative_id=initiative, version=3, **state)
    assert v2.event_id == again.event_id != v3.event_id


def test_unknown_fields_are_accepted_and_round_trip_is_exact():
    event = VoteCast.make(campaign_id="c", initiative_id=uuid.uuid4(), member_id="m", unit_path=PATH)
    body = json.loads(dump_event(event))
    body["added_in_a_later_version"] = {"x": 1}
    assert parse_event(json.dumps(body)) == event


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"[]", b'{"type": "vote.exploded"}', b'{"type": "vote.cast", "event_id": "nope"}', b""],
)
def test_invalid_messages_raise_invalid_event_error(raw: bytes):
    with pytest.raises(InvalidEventError):
        parse_event(raw)


def test_occurred_at_must_carry_a_timezone():
    event = VoteCast.make(campaign_id="c", initiative_id=uuid.uuid4(), member_id="m", unit_path=PATH)
    body = json.loads(dump_event(event))
    body["occurred_at"] = "2021-03-10T08:00:00"
    with pytest.raises(InvalidEventError):
        parse_event(json.dumps(body))


def test_a_vote_id_is_keyed_and_not_the_public_uuid5() -> None:
    initiative = uuid.UUID("2d1f0c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f")
    public = uuid.uuid5(EVENT_ID_NAMESPACE, f"vote:75k-2021:{initiative}:nguyen-van-an")
    keyed = vote_id_for("75k-2021", initiative, "nguyen-van-an")
    assert keyed != public and keyed.version == 8 and keyed.variant == uuid.RFC_4122
    assert keyed == vote_id_for("75k-2021", initiative, "nguyen-van-an"), "deterministic under one key"
    other_key = vote_id_for("75k-2021", initiative, "nguyen-van-an", key=b"k" * 32)
    assert other_key != keyed and other_key.version == 8
    event = VoteCast.make(campaign_id="75k-2021", initiative_id=initiative, member_id="nguyen-van-an",
                          unit_path=PATH, vote_id_key=b"k" * 32)
    assert event.vote_id == other_key and event.event_id == derive_id("vote.cast", other_key)


def test_production_needs_a_long_vote_id_key() -> None:
    base: dict[str, Any] = {"env": "prod", "jwks_url": "https://idp.example/jwks",
                            "amqp_url": "amqp://sangkien:mat-khau@rabbit:5672/"}
    with pytest.raises(ValueError, match="VOTE_ID_KEY"):
        Settings(**base).require_secrets("vote_id_key")
    with pytest.raises(ValueError, match="VOTE_ID_KEY"):
        Settings(**base, vote_id_key="ngan-qua")
    assert Settings(**base, vote_id_key="x" * 32).vote_id_secret == b"x" * 32
    assert Settings(env="test").vote_id_secret == DEV_VOTE_ID_KEY
