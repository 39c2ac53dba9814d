"""Fixtures shared by the whole suite: isolated settings per test run, real servers, databases.

Every test session gets its own ``namespace`` (exchange, queue and Redis key prefix), so
several runs can share one RabbitMQ and Redis. A server that cannot be reached fails the
test (never a silent skip): CI must see it.

The services under test connect as their own users (deploy/local/users.sh, shared/grants.py), so their
permissions are exercised by every test; fixtures that set up or clean up use the admin accounts.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aio_pika
import pytest
import redis.asyncio as aioredis

from shared.db import create_database, drop_database
from shared.grants import database_role
from shared.local_users import database_url_as, service_urls
from shared.settings import Settings
from shared.topology import topology_for

PG_ADMIN_URL = os.environ.get("SANGKIEN_TEST_PG_ADMIN_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")


def _unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def server_unreachable(what: str, exc: BaseException) -> None:
    pytest.fail(f"{what} is not reachable ({exc!r}); start it (see README) — tests never skip a missing server")


@pytest.fixture
def namespace() -> str:
    return _unique("t")


@pytest.fixture
def settings(tmp_path: Path, namespace: str) -> Settings:
    """Settings isolated to this test: own namespace, SQLite files and attachment folder under tmp_path; each
    service's own RabbitMQ and Redis user (``amqp_url`` and ``redis_url`` stay the admin accounts)."""
    admin = Settings(
        env="test",
        namespace=namespace,
        submission_db_url=f"sqlite+aiosqlite:///{tmp_path / 'submission.db'}",
        awards_db_url=f"sqlite+aiosqlite:///{tmp_path / 'awards.db'}",
        attachments_dir=tmp_path / "attachments",
        relay_idle_seconds=0.02,
    )
    return admin.model_copy(update=service_urls(admin))


@pytest.fixture
async def rabbit(settings: Settings) -> AsyncIterator[aio_pika.abc.AbstractRobustConnection]:
    """A real RabbitMQ connection; the namespace's queues and exchanges are deleted afterwards."""
    try:
        connection = await aio_pika.connect_robust(settings.amqp_url, timeout=5)
    except Exception as exc:
        server_unreachable("RabbitMQ", exc)
    # As the operator does before the services start: their users may not declare each other's queues, and a
    # relay publishes only once every consuming queue exists (Topology.declare_for_publisher).
    channel = await connection.channel()
    await topology_for(settings).declare_all(channel)
    await channel.close()
    try:
        yield connection
    finally:
        try:
            channel = await connection.channel()
            await topology_for(settings).delete_all(channel)
        except Exception:
            pass
        await connection.close()


@pytest.fixture
async def redis_client(settings: Settings) -> AsyncIterator[aioredis.Redis]:
    """A real Redis client; keys under the test namespace are removed afterwards."""
    client = aioredis.Redis.from_url(settings.redis_url)
    try:
        await client.ping()
    except Exception as exc:
        server_unreachable("Redis", exc)
    try:
        yield client
    finally:
        async for key in client.scan_iter(match=f"{settings.namespace}:*", count=1000):
            await client.delete(key)
        await client.aclose()


def _service_of(request: pytest.FixtureRequest) -> str:
    """Whose database a test makes: awards' for the awards tests, submission's for the others."""
    return "awards" if "awards" in Path(str(request.node.path)).parts else "submission"


async def _create_pg_database(name: str, service: str = "submission") -> str:
    """A database owned by ``service``'s role, reached as that role (it cannot create databases itself)."""
    url = await create_database(PG_ADMIN_URL, name, owner=database_role(service))
    return database_url_as(url, service)


async def _drop_pg_database(name: str) -> None:
    await drop_database(PG_ADMIN_URL, name)


@pytest.fixture
async def pg_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for this test, dropped afterwards."""
    name = _unique("sangkien_test_")
    try:
        url = await _create_pg_database(name, _service_of(request))
    except Exception as exc:
        server_unreachable("PostgreSQL", exc)
    try:
        yield url
    finally:
        await _drop_pg_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Run a persistence test on both SQLite (the embedded default) and PostgreSQL: yields a DB URL."""
    if request.param == "sqlite":
        db_file = tmp_path / (_unique("db") + ".db")
        yield f"sqlite+aiosqlite:///{db_file}"
        return
    name = _unique("sangkien_test_")
    try:
        url = await _create_pg_database(name, _service_of(request))
    except Exception as exc:
        server_unreachable("PostgreSQL", exc)
    try:
        yield url
    finally:
        await _drop_pg_database(name)
