"""Edge cases: member unit scope, control characters, edits after the window closes, startup and migrate errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from services.submission.app import create_app
from services.submission.cli import app as cli
from shared.db import make_engine
from shared.settings import Settings, get_settings
from tests.conftest import PG_ADMIN_URL

from .support import OTHER_UNIT, UNIT, Harness, form, service_settings, start


async def test_a_member_with_a_unit_creates_only_for_that_unit(harness: Harness) -> None:
    h = harness
    member = h.member("dv-co-don-vi", unit=UNIT)
    assert (await h.client.post("/v1/initiatives", json=form(), headers=member)).status_code == 201
    elsewhere = await h.client.post("/v1/initiatives", json=form(unit_id=OTHER_UNIT), headers=member)
    assert elsewhere.status_code == 403


async def test_control_characters_are_stripped_or_refused_never_500(harness: Harness) -> None:
    h = harness
    authors = form()["authors"]
    authors[0]["member_id"] = "dv-\x00nhung"
    created = await h.client.post(
        "/v1/initiatives", json=form(title="Cải\x00 tiến\x07 máy", authors=authors), headers=h.member(),
    )
    assert created.status_code == 201, created.text
    assert created.json()["title"] == "Cải tiến máy" and created.json()["authors"][0]["member_id"] == "dv-nhung"
    for params in ({"q": "c\x00ai"}, {"field": "y\x00te"}, {"campaign_id": "de\x00mo"}, {"unit_id": "P24\x00"}):
        response = await h.client.get("/v1/initiatives", params=params)
        assert response.status_code in (200, 422), (params, response.text)
    weird = h.member("dv-\x00-ke-la")
    assert (await h.client.post("/v1/initiatives", json=form(), headers=weird)).status_code == 401
    long_subject = h.member("x" * 201)
    assert (await h.client.post("/v1/initiatives", json=form(), headers=long_subject)).status_code == 401


async def test_a_submitted_initiative_cannot_be_edited_after_the_window_closes(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    now = datetime.now(UTC)
    config = {
        "name": "Phong trào ngắn", "target": 10, "fields": [{"code": "y_te", "label": "Y tế"}],
        "submission_opens_at": (now - timedelta(days=1)).isoformat(),
        "submission_closes_at": (now + timedelta(days=1)).isoformat(),
        "voting_opens_at": (now - timedelta(days=1)).isoformat(),
        "voting_closes_at": (now + timedelta(days=1)).isoformat(),
    }
    assert (await h.client.post("/v1/campaigns", json={"id": "ngan", **config}, headers=h.admin())).status_code == 201
    item = await h.submitted(campaign_id="ngan")
    closed = {**config, "submission_closes_at": (now - timedelta(minutes=1)).isoformat()}
    assert (await h.client.put("/v1/campaigns/ngan", json=closed, headers=h.admin())).status_code == 200
    edit = await h.client.patch(f"/v1/initiatives/{item['id']}", json={"benefit_vnd": 5}, headers=h.member())
    assert edit.status_code == 409 and edit.json()["type"].endswith("/window-closed")
    extended = {**closed, "submission_extended_until": (now + timedelta(days=2)).isoformat()}
    assert (await h.client.put("/v1/campaigns/ngan", json=extended, headers=h.admin())).status_code == 200
    edit = await h.client.patch(f"/v1/initiatives/{item['id']}", json={"benefit_vnd": 5}, headers=h.member())
    assert edit.status_code == 200 and edit.json()["version"] == 3


async def test_startup_on_an_unmigrated_database_says_to_migrate(settings: Settings, redis_client: Any) -> None:
    app = create_app(settings.model_copy(update={"run_relay": False}))
    with pytest.raises(RuntimeError, match="sangkien submission migrate"):
        async with app.router.lifespan_context(app):
            pass


async def test_migrate_command_brings_the_database_to_head(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'moi.db'}"
    monkeypatch.setenv("SANGKIEN_SUBMISSION_DB_URL", url)
    get_settings.cache_clear()
    try:
        import asyncio

        result = await asyncio.to_thread(CliRunner().invoke, cli, ["migrate"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    engine = make_engine(url)
    async with engine.connect() as conn:
        tables = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
    await engine.dispose()
    assert {"campaigns", "initiatives", "authors", "attachments", "votes", "outbox_events", "idempotency_keys",
            "import_batches", "alembic_version"} <= tables


async def test_after_its_database_connections_are_killed_the_service_recovers_by_itself(
    settings: Settings, pg_url: str, redis_client: Any,
) -> None:
    """As after a PostgreSQL restart (the pool does not pre-ping): at most the requests on dead connections
    answer 503 with Retry-After, then the pool reconnects and the service works, no restart needed."""
    async for h in start(service_settings(settings, pg_url)):
        for n in range(3):  # several pooled connections in use, then idle in the pool
            assert (await h.client.get("/v1/campaigns")).status_code == 200, n
        await h.submitted(title="Sáng kiến trước khi mất kết nối")
        database = pg_url.rsplit("/", 1)[1]
        admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            async with admin.connect() as conn:
                killed = await conn.scalar(text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :d"
                ), {"d": database})
        finally:
            await admin.dispose()
        assert killed >= 1
        statuses: list[int] = []
        while statuses[-3:] != [201, 201, 201] and len(statuses) < 12:
            answer = await h.client.post("/v1/initiatives", json={"campaign_id": "demo", **form(
                title="Sáng kiến sau khi mất kết nối")}, headers=h.member())
            statuses.append(answer.status_code)
            if answer.status_code == 503:
                assert answer.headers.get("Retry-After")
        # Dead pooled connections answer 503 (never 500) until the pool has replaced them; then it works.
        assert statuses[-3:] == [201, 201, 201] and set(statuses) <= {201, 503}, statuses
