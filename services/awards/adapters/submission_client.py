"""Client of the submission service's internal full-record endpoint (authors and confidential details).

Contract: ``GET {submission_url}/v1/initiatives/{id}`` with a service bearer token answers JSON holding at
least ``title``, ``authors: [{name, ...}]``, ``description``, ``effectiveness_summary``, ``benefit_vnd``,
``confidential``, ``confidential_details``, ``unit_id`` and ``field``. Only dossier exports for the
reviewing chain use it; nothing read here is logged or put into events.
"""

from __future__ import annotations

import uuid
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

    async def full_record(self, initiative_id: uuid.UUID) -> FullRecord:
        try:
            response = await self._client.get(f"/v1/initiatives/{initiative_id}")
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
            payload: Any = response.json()
            return FullRecord.model_validate(payload)
        except (ValueError, ValidationError) as exc:
            raise SubmissionUnavailableError(
                f"Dữ liệu sáng kiến {initiative_id} không đúng hợp đồng — the full record breaks the contract"
            ) from exc

    async def full_records(self, initiative_ids: list[uuid.UUID]) -> dict[uuid.UUID, FullRecord]:
        return {i: await self.full_record(i) for i in initiative_ids}
