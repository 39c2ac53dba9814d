"""Checks that a 422 speaks Vietnamese first: the field's label, what is wrong, then " — " and the English."""

from __future__ import annotations

from typing import Any

import httpx

# Sentences pydantic and FastAPI write; none may come before the " — " that starts the English half.
PYDANTIC_ENGLISH = (
    "Field required", "should", "Input", "Extra inputs", "Value error", "valid", "JSON decode", "Expecting",
    "at least", "at most", "greater than", "less than", "characters", "request",
)


def assert_vietnamese_422(response: httpx.Response, label: str, message_vi: str, english: str) -> dict[str, Any]:
    """The detail starts with ``label: message_vi`` and ends, after " — ", with ``english``; each error entry
    keeps pydantic's loc/type/msg and adds ``label`` and ``message_vi``."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    detail: str = body["detail"]
    assert detail.startswith(f"{label}: {message_vi}"), detail
    vietnamese, separator, rest = detail.partition(" — ")
    assert separator and english in rest, detail
    assert not [s for s in PYDANTIC_ENGLISH if s in vietnamese], detail
    first = body["errors"][0]
    assert {"loc", "type", "msg", "label", "message_vi"} <= first.keys(), first
    assert (first["label"], first["message_vi"]) == (label, vietnamese.split(": ", 1)[1].split("; ")[0]), body
    return body
