"""Quotas: drafts per member and campaign, files and bytes per initiative, import files per officer and hour."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from services.submission.adapters.tables import attachments, initiatives
from shared.settings import Settings

from . import crafted_files as crafted
from .files import png_bytes
from .support import OPEN, Harness, form, service_settings, start

MiB = 1_048_576


@pytest.fixture
async def quota_harness(settings: Settings, db_backend: str, redis_client: Any) -> AsyncIterator[Harness]:
    """The app on SQLite and PostgreSQL with small quotas."""
    async for h in start(service_settings(
        settings, db_backend, drafts_per_member=2, attachments_per_initiative=2,
        attachment_bytes_per_initiative=MiB, import_rate_per_officer=2,
    )):
        yield h


async def _count(h: Harness, query: Any) -> int:
    async with h.context.sessions() as session:
        return int((await session.execute(query)).scalar_one())


def _problem(response: Any, status: int, limit_name: str, limit: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["limit_name"] == limit_name and body["limit"] == limit
    assert str(limit) in body["detail"].replace(",", "") and " — " in body["detail"]
    return body


async def test_a_member_over_the_draft_quota_gets_429_and_keeps_the_drafts(quota_harness: Harness) -> None:
    h = quota_harness
    first = await h.create()
    await h.create()
    refused = await h.client.post("/v1/initiatives", json=form(title="Bản nháp thứ ba"), headers=h.member())
    _problem(refused, 429, "drafts_per_member", 2)
    assert await _count(h, select(func.count()).select_from(initiatives)) == 2
    other = await h.client.post("/v1/initiatives", json=form(), headers=h.member("dv-khac"))
    assert other.status_code == 201  # the quota is the member's own
    submitted = await h.client.post(f"/v1/initiatives/{first['id']}/submit", headers=h.member())
    assert submitted.status_code == 200
    assert (await h.client.post("/v1/initiatives", json=form(), headers=h.member())).status_code == 201


async def test_attachments_over_the_count_get_429_and_over_the_bytes_413(quota_harness: Harness) -> None:
    h = quota_harness
    item = await h.submitted()
    url = f"/v1/initiatives/{item['id']}/attachments"

    async def upload(tag: bytes, padding: int) -> Any:
        data = png_bytes() + tag + b"\0" * padding
        return await h.client.post(url, files={"file": ("anh.png", data, "image/png")}, headers=h.member())

    assert (await upload(b"1", 600_000)).status_code == 201
    _problem(await upload(b"2", 600_000), 413, "attachment_bytes_per_initiative", MiB)
    assert (await upload(b"3", 1_000)).status_code == 201
    _problem(await upload(b"4", 10), 429, "attachments_per_initiative", 2)
    assert await _count(h, select(func.count()).select_from(attachments)) == 2


async def test_an_officer_over_the_hourly_import_cap_gets_429_with_retry_after(quota_harness: Harness) -> None:
    h = quota_harness
    data = crafted.many_rows_csv(3)
    for _ in range(2):
        answer = await h.client.post("/v1/imports", params={"campaign_id": OPEN}, headers=h.officer(),
                                     files={"file": ("a.csv", data, "text/csv")})
        assert answer.status_code == 200, answer.text
    refused = await h.client.post("/v1/imports", params={"campaign_id": OPEN}, headers=h.officer(),
                                  files={"file": ("a.csv", data, "text/csv")})
    _problem(refused, 429, "imports_per_officer_hour", 2)
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    another = await h.client.post("/v1/imports", params={"campaign_id": OPEN},
                                  headers=h.officer(subject="cb-khac"), files={"file": ("a.csv", data, "text/csv")})
    assert another.status_code == 200  # the cap is per officer
