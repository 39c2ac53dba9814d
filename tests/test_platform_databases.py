"""`sangkien up` picks its databases: those set are kept, the others go to PostgreSQL when it answers, else SQLite."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from services import platform
from services.platform import choose_databases
from shared.db import drop_database, make_engine
from shared.settings import Settings
from tests.conftest import PG_ADMIN_URL


@pytest.fixture(autouse=True)
def _no_database_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in platform.DATABASE_FIELDS.values():
        monkeypatch.delenv(variable, raising=False)


def settings_for(namespace: str, **values: str) -> Settings:
    return Settings(**{"namespace": namespace, "env": "test", "postgres_server_url": PG_ADMIN_URL, **values})


async def answers(url: str) -> int:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return int(await conn.scalar(text("SELECT 1")))
    finally:
        await engine.dispose()


def test_unset_databases_are_created_on_postgresql_once_and_handed_to_the_processes(namespace: str):
    names = [f"{namespace}_submission", f"{namespace}_awards"]
    try:
        chosen, env = choose_databases(settings_for(namespace))
        assert chosen.submission_db_url.startswith("postgresql+asyncpg://")
        assert chosen.submission_db_url.endswith(f"/{namespace}_submission")
        assert chosen.awards_db_url.endswith(f"/{namespace}_awards")
        assert env == {"SANGKIEN_SUBMISSION_DB_URL": chosen.submission_db_url,
                       "SANGKIEN_AWARDS_DB_URL": chosen.awards_db_url}
        assert asyncio.run(answers(chosen.submission_db_url)) == 1
        assert asyncio.run(answers(chosen.awards_db_url)) == 1
        again, env_again = choose_databases(settings_for(namespace))  # the next `make up` finds them
        assert (again.submission_db_url, again.awards_db_url) == (chosen.submission_db_url, chosen.awards_db_url)
        assert env_again == env
    finally:
        for name in names:
            asyncio.run(drop_database(PG_ADMIN_URL, name))


def test_a_database_set_in_the_environment_is_kept(namespace: str, tmp_path: Path):
    awards = f"sqlite+aiosqlite:///{tmp_path / 'awards.db'}"
    try:
        chosen, env = choose_databases(settings_for(namespace, awards_db_url=awards))
        assert chosen.awards_db_url == awards
        assert chosen.submission_db_url.endswith(f"/{namespace}_submission")
        assert set(env) == {"SANGKIEN_SUBMISSION_DB_URL"}
    finally:
        asyncio.run(drop_database(PG_ADMIN_URL, f"{namespace}_submission"))
    both = settings_for(namespace, awards_db_url=awards, submission_db_url=awards.replace("awards", "submission"))
    assert choose_databases(both) == (both, {})


def test_without_postgresql_the_platform_runs_on_sqlite_files_and_says_so(
    namespace: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
):
    no_op = tmp_path / "servers.sh"
    no_op.write_text("exit 0\n")
    monkeypatch.setattr(platform, "SERVERS_SCRIPT", no_op)
    nowhere = settings_for(namespace, postgres_server_url="postgresql+asyncpg://postgres@127.0.0.1:1/postgres")
    chosen, env = choose_databases(nowhere)
    assert (chosen, env) == (nowhere, {})
    assert chosen.submission_db_url.startswith("sqlite+aiosqlite:///")
    said = " ".join(capsys.readouterr().out.split())
    assert "PostgreSQL does not answer at 127.0.0.1:1/postgres" in said
    assert "SQLite files under var/" in said


def test_the_local_runner_trusts_loopback_as_its_proxy_unless_told_otherwise() -> None:
    from services.platform import LOCAL_PROXIES, local_proxy_env

    assert local_proxy_env(Settings(env="test"), {}) == {"SANGKIEN_TRUSTED_PROXIES": LOCAL_PROXIES}
    assert local_proxy_env(Settings(env="test"), {"SANGKIEN_TRUSTED_PROXIES": ""}) == {}  # explicitly none
    assert local_proxy_env(Settings(env="test", trusted_proxies="10.0.0.0/8"), {}) == {}
