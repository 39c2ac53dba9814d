"""Least privilege on the real servers: each service's own user can do its work and nothing else."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import pytest
import redis.asyncio as aioredis
from aiormq.exceptions import ChannelAccessRefused
from redis.exceptions import NoPermissionError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.platform import own_credentials
from shared.db import make_engine
from shared.grants import BROKER_GRANTS
from shared.settings import Settings
from shared.topology import topology_for
from tests.conftest import _create_pg_database, _drop_pg_database, _unique


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture
async def topic_permissions(settings: Settings, rabbit: Any) -> AsyncIterator[None]:
    """Topic permissions name one exchange exactly: set the grants' on this test's events exchange."""
    exchange = topology_for(settings).exchange_name
    for grant in BROKER_GRANTS:
        await asyncio.to_thread(_rabbitmqctl, "set_topic_permissions", grant.user, exchange, grant.topic_write, ".*")
    try:
        yield
    finally:
        for grant in BROKER_GRANTS:
            await asyncio.to_thread(_rabbitmqctl, "clear_topic_permissions", grant.user, exchange)


async def _publish(url: str, settings: Settings, routing_key: str) -> None:
    """Publish one message with confirms as the user of ``url`` (a refusal closes the channel)."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(topology_for(settings).exchange_name)
        await exchange.publish(aio_pika.Message(b"{}", message_id=_unique("m")), routing_key=routing_key)


async def test_submission_publishes_its_events_only(settings: Settings, rabbit: Any, topic_permissions: None) -> None:
    url = settings.amqp_url_for("submission")
    assert "sangkien-submission" in url
    await _publish(url, settings, "vote.cast")
    with pytest.raises(ChannelAccessRefused, match=r"review\.decided"):
        await _publish(url, settings, "review.decided")


async def test_awards_publishes_review_and_award_events_only(
    settings: Settings, rabbit: Any, topic_permissions: None,
) -> None:
    await _publish(settings.amqp_url_for("awards"), settings, "award.granted")
    with pytest.raises(ChannelAccessRefused):
        await _publish(settings.amqp_url_for("awards"), settings, "vote.cast")


async def test_tally_cannot_publish_at_all(settings: Settings, rabbit: Any) -> None:
    with pytest.raises(ChannelAccessRefused, match="ACCESS_REFUSED - access to exchange"):
        await _publish(settings.amqp_url_for("tally"), settings, "vote.cast")


async def test_a_service_declares_only_its_own_queues(settings: Settings, rabbit: Any) -> None:
    topology = topology_for(settings)
    for user, other in (("tally", topology.awards), ("awards", topology.tally)):
        connection = await aio_pika.connect(settings.amqp_url_for(user))  # type: ignore[arg-type]
        async with connection:
            await topology.declare_queue(await connection.channel(), topology.tally if user == "tally" else
                                         topology.awards)
            with pytest.raises(ChannelAccessRefused, match=r"ACCESS_REFUSED - access to (queue|exchange)"):
                await topology.declare_queue(await connection.channel(), other)
    connection = await aio_pika.connect(settings.amqp_url_for("submission"))
    async with connection:
        await topology.declare_for_publisher(await connection.channel())  # passive checks need no right
        with pytest.raises(ChannelAccessRefused, match=r"ACCESS_REFUSED - access to (queue|exchange)"):
            await topology.declare_queue(await connection.channel(), topology.tally)


async def test_the_tally_api_reads_tally_keys_and_writes_nothing(settings: Settings, redis_client: Any) -> None:
    key = f"{settings.namespace}:t:gen"
    worker = aioredis.Redis.from_url(settings.redis_url_for("tally"))
    api = aioredis.Redis.from_url(settings.redis_url_for("tally_api"))
    try:
        await worker.set(key, "0")
        assert await api.get(key) == b"0"
        with pytest.raises(NoPermissionError):
            await api.set(key, "1")
        with pytest.raises(NoPermissionError):
            await api.delete(key)
        assert await redis_client.get(key) == b"0"
        with pytest.raises(NoPermissionError):  # and the worker stays inside tally's keys
            await worker.set(f"{settings.namespace}:rl:vote:m:x", "1")
    finally:
        await worker.aclose()
        await api.aclose()


async def test_submission_cannot_read_tally_keys(settings: Settings, redis_client: Any) -> None:
    await redis_client.set(f"{settings.namespace}:t:gen", "0")
    submission = aioredis.Redis.from_url(settings.redis_url_for("submission"))
    try:
        await submission.set(f"{settings.namespace}:rl:vote:m:x", "1")
        with pytest.raises(NoPermissionError):
            await submission.get(f"{settings.namespace}:t:gen")
        with pytest.raises(NoPermissionError):
            await submission.flushdb()
    finally:
        await submission.aclose()


async def test_awards_role_cannot_connect_to_the_submission_database() -> None:
    name = _unique("sangkien_test_")
    submission_url = await _create_pg_database(name, "submission")
    awards_url = submission_url.replace("sangkien_submission:", "sangkien_awards:", 1).replace(
        "dev-submission", "dev-awards")
    try:
        engine = make_engine(submission_url)
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT current_user")) == "sangkien_submission"
            assert not await conn.scalar(text("SELECT rolsuper OR rolcreatedb OR rolcreaterole FROM pg_roles "
                                                "WHERE rolname = current_user"))
            assert await conn.scalar(text("SELECT pg_get_userbyid(datdba) FROM pg_database "
                                          "WHERE datname = current_database()")) == "sangkien_submission"
        await engine.dispose()
        intruder = make_engine(awards_url)
        with pytest.raises(DBAPIError, match="permission denied for database"):
            async with intruder.connect():
                pass
        await intruder.dispose()
    finally:
        await _drop_pg_database(name)


def test_the_runner_gives_each_process_only_its_own_users(settings: Settings) -> None:
    plain = Settings(env="test", namespace=settings.namespace)
    tally = own_credentials(plain, "tally-workers")
    assert "sangkien-tally:" in tally["SANGKIEN_TALLY_AMQP_URL"]
    assert "sangkien-tally:" in tally["SANGKIEN_TALLY_REDIS_URL"]
    assert tally["SANGKIEN_SUBMISSION_AMQP_URL"] == tally["SANGKIEN_TALLY_API_REDIS_URL"] == ""
    api = own_credentials(plain, "tally-api")
    assert [k for k, v in api.items() if v] == ["SANGKIEN_TALLY_API_REDIS_URL"]
    relay = own_credentials(plain, "submission-relay")
    assert {k for k, v in relay.items() if v} == {"SANGKIEN_SUBMISSION_AMQP_URL", "SANGKIEN_SUBMISSION_REDIS_URL"}
