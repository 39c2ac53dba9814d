"""Event contracts: deterministic ids, forward compatibility, validation."""

from __future__ import annotations

import json
import uuid

import pytest

from shared.events import (
    InitiativeSubmitted,
    InvalidEventError,
    VoteCast,
    dump_event,
    parse_event,
    vote_id_for,
)

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
