"""The awards CLI: migrate, list a unit's queue, print a case's audit trail."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.awards import cli
from services.awards.bootstrap import AwardsService
from services.awards.cli import app
from services.awards.domain.case import case_id_for
from shared.settings import Settings, get_settings

from .builders import campaign_event, chain, feed, initiative_event


def test_migrate_queue_and_audit_commands(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'cli-awards.db'}"
    monkeypatch.setenv("SANGKIEN_AWARDS_DB_URL", db_url)
    monkeypatch.setattr(cli.console, "width", 250)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        assert runner.invoke(app, ["migrate"]).exit_code == 0
        event = initiative_event(path=chain(), title="Sáng kiến thử nghiệm dòng lệnh")

        async def seed() -> None:
            service = AwardsService(settings.model_copy(update={"awards_db_url": db_url}))
            try:
                await feed(service, campaign_event(), event)
            finally:
                await service.engine.dispose()

        asyncio.run(seed())
        listed = runner.invoke(app, ["queue", "--unit", chain()[3]], terminal_width=200)
        assert listed.exit_code == 0, listed.output
        assert "Sáng kiến thử nghiệm dòng lệnh" in listed.output and "1 hồ sơ" in listed.output
        audit = runner.invoke(app, ["audit", "--case", str(case_id_for(event.initiative_id))], terminal_width=250)
        assert audit.exit_code == 0 and "awards-consumer" in audit.output and "open" in audit.output
        unknown = runner.invoke(app, ["queue", "--unit", "NOPE"])
        assert unknown.exit_code == 2
    finally:
        get_settings.cache_clear()
