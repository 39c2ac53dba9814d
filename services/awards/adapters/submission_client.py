"""Client of the submission service's full records and attachments (authors and confidential details).

Contract: ``GET {submission_url}/v1/initiatives/{id}`` with a service bearer token answers JSON holding at
least ``title``, ``authors: [{name, ...}]``, ``description``, ``effectiveness_summary``, ``benefit_vnd``,
``confidential``, ``confidential_details``, ``unit_id`` and ``field``; ``…/attachments`` lists the files and
``…/attachments/{attachment_id}`` streams one. Only the reviewing chain (dossier exports, a case's record and
files once the case reached the reviewer) uses it; nothing read here is logged or put into events.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.auth import service_token
from shared.problems import UnavailableError
from shared.settings import Settings


class Author(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str
    title: str | None = None
    workplace: str | None = None
    share_percent: float | None = None


class FullRecord(BaseModel):
    """The initiative as the reviewing chain sees it."""

    model_config = ConfigDict(extra="ignore")

    title: str
    authors: list[Author] = Field(default_factory=list)
    description: str = ""
    effectiveness_summary: str = ""
    benefit_vnd: int = 0
    confidential: bool = False
    confidential_details: str | None = None
    unit_id: str
    field: str


class SubmissionUnavailableError(UnavailableError):
    type_suffix = "submission-unavailable"


class SubmissionClient:
    """Fetches full records; ``transport`` lets tests talk to an ASGI app in process."""

    def __init__(
        self, settings: Settings, *, base_url: str | None = None, transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url or settings.submission_url, transport=transport, timeout=timeout,
            headers={"Authorization": f"Bearer {service_token(settings)}"},
        )

    async def __aenter__(self) -> SubmissionClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _get_json(self, path: str, initiative_id: uuid.UUID) -> Any:
        try:
            response = await self._client.get(path)
        except httpx.HTTPError as exc:
            raise SubmissionUnavailableError(
                "Không kết nối được dịch vụ tiếp nhận sáng kiến — submission service unreachable"
                f" ({type(exc).__name__})"
            ) from exc
        if response.status_code != 200:
            raise SubmissionUnavailableError(
                f"Dịch vụ tiếp nhận trả lời {response.status_code} cho sáng kiến {initiative_id}"
                f" — submission answered {response.status_code}",
            )
        try:
            return response.json()
        except ValueError as exc:
            raise SubmissionUnavailableError(
                f"Dữ liệu sáng kiến {initiative_id} không đúng hợp đồng — the answer is not JSON"
            ) from exc

    async def record_json(self, initiative_id: uuid.UUID) -> dict[str, Any]:
        """The full record exactly as submission serves it to services (``view: full``)."""
        payload = await self._get_json(f"/v1/initiatives/{initiative_id}", initiative_id)
        if not isinstance(payload, dict) or payload.get("view") != "full":
            raise SubmissionUnavailableError(
                f"Dữ liệu sáng kiến {initiative_id} không đúng hợp đồng — not a full record"
            )
        return payload

    async def full_record(self, initiative_id: uuid.UUID) -> FullRecord:
        payload = await self._get_json(f"/v1/initiatives/{initiative_id}", initiative_id)
        try:
            return FullRecord.model_validate(payload)
        except ValidationError as exc:
            raise SubmissionUnavailableError(
                f"Dữ liệu sáng kiến {initiative_id} không đúng hợp đồng — the full record breaks the contract"
            ) from exc

    async def attachments(self, initiative_id: uuid.UUID) -> list[dict[str, Any]]:
        payload = await self._get_json(f"/v1/initiatives/{initiative_id}/attachments", initiative_id)
        if not isinstance(payload, list):
            raise SubmissionUnavailableError(
                f"Tệp của sáng kiến {initiative_id} không đúng hợp đồng — the attachment list breaks the contract"
            )
        return payload

    async def open_attachment(self, initiative_id: uuid.UUID, attachment_id: uuid.UUID) -> httpx.Response | None:
        """The streamed answer for one file (the caller closes it), or None when submission has no such file."""
        request = self._client.build_request("GET", f"/v1/initiatives/{initiative_id}/attachments/{attachment_id}")
        try:
            response = await self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise SubmissionUnavailableError(
                "Không kết nối được dịch vụ tiếp nhận sáng kiến — submission service unreachable"
                f" ({type(exc).__name__})"
            ) from exc
        if response.status_code == 404:
            await response.aclose()
            return None
        if response.status_code != 200:
            await response.aclose()
            raise SubmissionUnavailableError(
                f"Dịch vụ tiếp nhận trả lời {response.status_code} cho tệp {attachment_id}"
                f" — submission answered {response.status_code}",
            )
        return response

    async def full_records(self, initiative_ids: list[uuid.UUID]) -> dict[uuid.UUID, FullRecord]:
        return {i: await self.full_record(i) for i in initiative_ids}


async def stream_then_close(response: httpx.Response, client: SubmissionClient) -> AsyncIterator[bytes]:
    """The body of a streamed answer, closing it and its client when done (or when the caller goes away)."""
    try:
        async for chunk in response.aiter_bytes():
            yield chunk
    finally:
        await response.aclose()
        await client.aclose()
