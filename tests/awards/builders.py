"""Builders for awards tests: campaign and initiative events, tokens, an app wired to a test database."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from services.awards.adapters.tables import metadata, outbox
from services.awards.app import create_app
from services.awards.bootstrap import AwardsService
from services.awards.handlers.intake import handle_event
from shared.auth import issue_token
from shared.events import AuthorCategory, CampaignConfigured, EventBase, InitiativeState, InitiativeSubmitted
from shared.settings import Settings
from shared.union_tree import get_tree

CAMPAIGN = "sk-test"
NOW = datetime.now(UTC)


def chain(grassroots: str | None = None) -> tuple[str, ...]:
    """A root-first path of four units (VGCL, level 2, level 3, grassroots)."""
    tree = get_tree()
    unit = grassroots or next(g for g in tree.grassroots_ids() if tree.path(g)[1] == "P24")
    return tree.path(unit)


def siblings(path: tuple[str, ...], count: int) -> list[tuple[str, ...]]:
    """Other grassroots units under the same level-3 unit (for quotas and matrices)."""
    tree = get_tree()
    return [tree.path(u.id) for u in tree.children(path[2]) if u.id != path[3]][:count]


def campaign_event(
    *, campaign_id: str = CAMPAIGN, closes_in: timedelta = timedelta(days=-10), version: int = 1,
    national_in: timedelta | None = None,
) -> CampaignConfigured:
    closes = NOW + closes_in
    return CampaignConfigured.make(
        campaign_id=campaign_id, version=version, name="75 nghìn sáng kiến vượt khó, phát triển",
        target=75_000, submission_opens_at=closes - timedelta(days=60), submission_closes_at=closes,
        voting_opens_at=closes - timedelta(days=60), voting_closes_at=closes,
        national_selection_opens_at=(NOW + national_in) if national_in is not None else None,
        fields=("ATVSLĐ", "Sản xuất kinh doanh"),
    )


def initiative_event(
    cls: type[InitiativeState] = InitiativeSubmitted, *, initiative_id: uuid.UUID | None = None, version: int = 2,
    path: tuple[str, ...] | None = None, campaign_id: str = CAMPAIGN, **state: Any,
) -> InitiativeState:
    status = {"initiative.drafted": "draft", "initiative.withdrawn": "withdrawn"}.get(
        cls.model_fields["type"].default, "submitted")
    values: dict[str, Any] = {
        "status": status, "unit_path": path or chain(), "field": "Sản xuất kinh doanh",
        "title": "Cải tiến dây chuyền đóng gói tiết kiệm điện năng",
        "effectiveness_summary": "Tiết kiệm 250 triệu đồng mỗi năm", "benefit_vnd": 250_000_000,
        "submitted_at": NOW - timedelta(days=20), "author_categories": (AuthorCategory.WORKER,),
        "record_complete": True,
    }
    values.update(state)
    return cls.make(campaign_id=campaign_id, initiative_id=initiative_id or uuid.uuid4(), version=version, **values)


def token(role: str, unit: str | None = None, subject: str | None = None) -> dict[str, str]:
    jwt = issue_token(subject=subject or f"{role}-{unit}", role=role, unit_id=unit)
    return {"Authorization": f"Bearer {jwt}"}


def reviewer(unit: str, name: str = "a") -> dict[str, str]:
    return token("reviewer", unit, subject=f"reviewer-{name}-{unit}")


def admin() -> dict[str, str]:
    return token("admin", None, subject="admin-1")


async def feed(service: AwardsService, *events: EventBase) -> list[bool]:
    """Apply events as the consumer does, one transaction each."""
    results = []
    for event in events:
        async with service.sessions() as session, session.begin():
            results.append(await handle_event(session, event))
    return results


@asynccontextmanager
async def awards_api(settings: Settings, db_url: str | None = None) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app on a migrated database, without consumer or relay (HTTP and SQL only)."""
    settings = settings.model_copy(update={"run_relay": False, **({"awards_db_url": db_url} if db_url else {})})
    app = create_app(settings)
    service: AwardsService = app.state.awards
    await service.migrate()
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://awards") as client:
            yield app, client
    finally:
        await service.engine.dispose()


async def db_state(service: AwardsService) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every business table and the outbox (for 'changes nothing' comparisons)."""
    state: dict[str, list[tuple[Any, ...]]] = {}
    async with service.engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in ("idempotency_keys",):
                continue
            rows = (await conn.execute(select(table))).all()
            state[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return state


async def outbox_count(service: AwardsService) -> int:
    async with service.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(outbox)) or 0)


ACTION_PATHS = {
    "recognise": "recognise", "not_recognise": "not-recognise", "return": "return", "score": "scores",
    "nominate": "nominations", "select": "selection", "grant": "awards",
}
GOOD_MARKS = {"tinh_moi": 8, "hieu_qua": 9, "kha_nang_ap_dung": 7, "ho_so": 10}


async def act(
    client: httpx.AsyncClient, case_id: uuid.UUID | str, action: str, headers: dict[str, str], **body: Any,
) -> httpx.Response:
    return await client.post(f"/v1/cases/{case_id}/{ACTION_PATHS[action]}", json=body, headers=headers)


async def ok(response: httpx.Response | Any) -> dict[str, Any]:
    if hasattr(response, "__await__"):
        response = await response
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


async def climb(client: httpx.AsyncClient, case_id: uuid.UUID, path: tuple[str, ...], *, to_level: int = 1,
                select: str | None = "tieu_bieu") -> None:
    """Recognise and nominate the case up to ``to_level``, recognise it there, and (at VGCL) select it."""
    for level in range(len(path), to_level, -1):
        await ok(act(client, case_id, "recognise", reviewer(path[level - 1])))
        await ok(act(client, case_id, "nominate", reviewer(path[level - 1])))
    await ok(act(client, case_id, "recognise", reviewer(path[to_level - 1])))
    if to_level == 1 and select:
        await ok(act(client, case_id, "select", reviewer(path[0]), grade=select))
