"""Opaque page cursors: AES-GCM sealed JSON, so clients can neither read nor forge the position they carry."""

from __future__ import annotations

import base64
import binascii
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.problems import Problem

NONCE_BYTES = 12
# Binds a cursor to its purpose: a sealed value made for something else with the same key does not decode.
ASSOCIATED_DATA = b"sangkien-cursor-v1"


class BadCursorError(Problem):
    status = 400
    type_suffix = "bad-cursor"
    title = "Con trỏ phân trang không hợp lệ / Invalid cursor"


def _default_key() -> bytes:
    from shared.settings import get_settings

    return get_settings().cursor_key


def encode_cursor(values: dict[str, Any], *, key: bytes | None = None) -> str:
    """Seal ``values`` (JSON) with a random nonce; base64url without padding."""
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key or _default_key()).encrypt(nonce, raw, ASSOCIATED_DATA)
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def decode_cursor(cursor: str, *, key: bytes | None = None) -> dict[str, Any]:
    """The values sealed by ``encode_cursor`` with the same key; anything else is a 400 ``bad-cursor``."""
    problem = BadCursorError("Con trỏ không do API này cấp — cursor is not one this API returned")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        blob = base64.urlsafe_b64decode(padded.encode("ascii"))
        if len(blob) <= NONCE_BYTES:
            raise problem
        raw = AESGCM(key or _default_key()).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], ASSOCIATED_DATA)
        value = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeError, InvalidTag) as exc:
        raise problem from exc
    if not isinstance(value, dict):
        raise problem
    return value
