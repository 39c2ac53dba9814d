"""Page cursors are sealed: nothing in them is readable, a changed byte or a foreign key is a 400."""

from __future__ import annotations

import base64
import re
import uuid

import pytest

from shared.cursors import BadCursorError, decode_cursor, encode_cursor
from shared.settings import Settings

ISO_DATE = re.compile(rb"\d{4}-\d{2}-\d{2}")


def _raw(cursor: str) -> bytes:
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))


def test_a_cursor_shows_no_value_it_carries():
    case_id = uuid.uuid4()
    cursor = encode_cursor({"c": "2026-12-02T03:55:02.123456+00:00", "i": str(case_id)})
    raw = _raw(cursor)
    assert not ISO_DATE.search(raw)
    assert str(case_id).encode() not in raw and case_id.bytes not in raw and case_id.hex.encode() not in raw
    assert decode_cursor(cursor) == {"c": "2026-12-02T03:55:02.123456+00:00", "i": str(case_id)}


def test_the_same_position_gives_a_different_cursor_each_time():
    assert encode_cursor({"n": 1}) != encode_cursor({"n": 1})


@pytest.mark.parametrize("position", [0, 5, 12, 20, -3, -1])
def test_a_cursor_with_any_byte_changed_is_refused(position: int):
    raw = bytearray(_raw(encode_cursor({"c": "2026-12-02T00:00:00+00:00", "i": "x"})))
    raw[position] ^= 0x01
    with pytest.raises(BadCursorError):
        decode_cursor(base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("="))


def test_a_cursor_sealed_with_another_key_is_refused():
    other = Settings(cursor_secret="x" * 40).cursor_key
    assert other != Settings().cursor_key
    with pytest.raises(BadCursorError):
        decode_cursor(encode_cursor({"n": 1}, key=other))
    assert decode_cursor(encode_cursor({"n": 1}, key=other), key=other) == {"n": 1}


@pytest.mark.parametrize("cursor", ["", "AA", "%%%", "eyJjIjoiMjAyNi0xMi0wMiJ9", "A" * 64])
def test_garbage_is_a_bad_cursor(cursor: str):
    with pytest.raises(BadCursorError):
        decode_cursor(cursor)


def test_production_needs_a_long_cursor_secret():
    good = {"env": "prod", "jwks_url": "https://idp.example/jwks", "amqp_url": "amqp://sub:pw@rabbit:5672/"}
    with pytest.raises(ValueError, match="CURSOR_SECRET"):
        Settings(**good).require_secrets("cursor_secret")
    with pytest.raises(ValueError, match="CURSOR_SECRET"):
        Settings(**good, cursor_secret="short")
    assert Settings(**good, cursor_secret="k" * 32).cursor_key == Settings(cursor_secret="k" * 32).cursor_key
