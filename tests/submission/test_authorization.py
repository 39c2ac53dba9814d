"""Authorization matrix: who may create, edit, submit, withdraw, vote, import, attach, read in full, read the feed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import redis.asyncio as aioredis

from services.submission.adapters.spreadsheet import to_csv
from services.submission.domain.import_rows import COLUMNS
from shared.auth import Role
from shared.settings import Settings

from .files import pdf_bytes
from .support import SECRET, UNIT, Harness, bearer, form, service_settings, start

ACTORS: dict[str, tuple[Role, str | None, str] | None] = {
    "owner": (Role.MEMBER, None, "dv-chu-so-huu"),
    "coauthor": (Role.MEMBER, None, "dv-nhung"),  # the form's first author
    "member": (Role.MEMBER, None, "dv-nguoi-khac"),
    "officer_grassroots": (Role.OFFICER, UNIT, "cb-co-so"),
    "officer_in": (Role.OFFICER, "P24-03", "cb-tan-yen"),
    "officer_province": (Role.OFFICER, "P24", "cb-bac-giang"),
    "officer_out": (Role.OFFICER, "P40", "cb-nghe-an"),
    "reviewer": (Role.REVIEWER, "P24", "ng-cham-bac-giang"),
    "admin": (Role.ADMIN, None, "quan-tri"),
    "service": (Role.SERVICE, None, "awards"),
    "none": None,
    "expired": (Role.MEMBER, None, "dv-chu-so-huu"),
}
ORDER = list(ACTORS)
# Full records and changes stop at the initiative's grassroots officer: officers above it (officer_in is the
# upper-grassroots union, officer_province the level-2 one) and reviewers get the confidential view, and a draft
# is not theirs to see (404); reviewers read full records through awards once a case reached them.
EXPECTED: dict[str, list[Any]] = {
    #             owner  coauthor member off_gr off_in off_prov off_out reviewer admin service none expired
    "create":    [201, 201, 201, 201, 201, 201, 403, 403, 201, 403, 401, 401],
    "edit":      [200, 403, 403, 200, 403, 403, 403, 403, 200, 403, 401, 401],
    "submit":    [200, 403, 404, 200, 404, 404, 404, 403, 200, 403, 401, 401],
    "withdraw":  [200, 403, 403, 200, 403, 403, 403, 403, 200, 403, 401, 401],
    "vote":      [201, 201, 201, 403, 403, 403, 403, 403, 403, 403, 401, 401],
    "import":    [403, 403, 403, 200, 200, 200, "200-invalid", 403, 200, 403, 401, 401],
    "attach":    [201, 403, 403, 201, 403, 403, 403, 403, 201, 403, 401, 401],
    "full_read": ["full", "full", "confidential", "full", "confidential", "confidential", "confidential",
                  "confidential", "full", "full", "confidential", 401],
    "feed":      [403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 401, 401],  # internal: service tokens only
}
CASES = [(action, actor, EXPECTED[action][i]) for action in EXPECTED for i, actor in enumerate(ORDER)]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def shared_harness(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    """One app for the whole matrix (each case makes its own initiatives)."""
    folder: Path = tmp_path_factory.mktemp("matrix")
    settings = Settings(
        env="test", namespace=f"t{uuid.uuid4().hex[:10]}", submission_db_url=f"sqlite+aiosqlite:///{folder / 's.db'}",
        attachments_dir=folder / "files",
    )
    async for h in start(service_settings(settings, settings.submission_db_url)):
        yield h
    client = aioredis.Redis.from_url(settings.redis_url)
    async for key in client.scan_iter(match=f"{settings.namespace}:*"):
        await client.delete(key)
    await client.aclose()


def headers_for(h: Harness, actor: str) -> dict[str, str]:
    spec = ACTORS[actor]
    if spec is None:
        return {}
    role, unit, subject = spec
    ttl = timedelta(seconds=-30) if actor == "expired" else timedelta(hours=1)
    return bearer(h.settings, role, unit, subject, ttl=ttl)


def import_file() -> bytes:
    row = [UNIT if c.key == "unit_id" else c.example for c in COLUMNS]
    row[[c.key for c in COLUMNS].index("title")] = f"Sáng kiến nhập {uuid.uuid4().hex[:6]}"
    return to_csv([c.header for c in COLUMNS], [row])


async def run(h: Harness, action: str, headers: dict[str, str]) -> Any:
    owner = headers_for(h, "owner")
    c = h.client
    if action == "create":
        return (await c.post("/v1/initiatives", json=form(), headers=headers)).status_code
    if action == "submit":
        draft = await h.create(owner)
        return (await c.post(f"/v1/initiatives/{draft['id']}/submit", headers=headers)).status_code
    item = await h.submitted(owner, **SECRET)
    path = f"/v1/initiatives/{item['id']}"
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "edit": lambda: c.patch(path, json={"benefit_vnd": 1_000}, headers=headers),
        "withdraw": lambda: c.post(f"{path}/withdraw", json={"reason": "Rút để bổ sung"}, headers=headers),
        "vote": lambda: c.post(f"{path}/votes", headers=headers),
        "attach": lambda: c.post(f"{path}/attachments", files={"file": ("a.pdf", pdf_bytes())}, headers=headers),
        "import": lambda: c.post(
            "/v1/imports", params={"campaign_id": "demo"}, files={"file": ("nhap.csv", import_file())},
            headers=headers,
        ),
        "full_read": lambda: c.get(path, headers=headers),
        "feed": lambda: c.get("/v1/events", headers=headers),
    }
    response = await calls[action]()
    if action == "full_read" and response.status_code == 200:
        return response.json()["view"]
    if action == "import" and response.status_code == 200 and response.json()["invalid"]:
        return "200-invalid"
    return response.status_code


@pytest.mark.parametrize(("action", "actor", "expected"), CASES, ids=[f"{a}-{b}" for a, b, _ in CASES])
async def test_authorization_matrix(shared_harness: Harness, action: str, actor: str, expected: Any) -> None:
    assert await run(shared_harness, action, headers_for(shared_harness, actor)) == expected
