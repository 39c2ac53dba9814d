"""A failed connect closes its connection object: aio-pika's own helper leaves it open, to be reported as
"RobustConnection.close was never awaited" whenever it is collected (each attempt during a broker outage)."""

from __future__ import annotations

from typing import Any

import aio_pika
import pytest
from aio_pika import RobustConnection

from shared.topology import connect_robust

REFUSED = "amqp://guest:guest@127.0.0.1:1/"  # nothing listens on port 1


def _record_connections(monkeypatch: pytest.MonkeyPatch) -> list[RobustConnection]:
    created: list[RobustConnection] = []
    original = RobustConnection.__init__

    def init(self: RobustConnection, *args: Any, **kwargs: Any) -> None:
        created.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(RobustConnection, "__init__", init)
    return created


async def test_a_failed_connect_closes_what_it_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    created = _record_connections(monkeypatch)
    with pytest.raises(ConnectionError):
        await connect_robust(REFUSED)
    assert len(created) == 1 and created[0].is_closed


async def test_aio_pikas_helper_leaves_it_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reason for ours: if this starts failing, aio-pika closes it by itself and ours can go."""
    created = _record_connections(monkeypatch)
    with pytest.raises(ConnectionError):
        await aio_pika.connect_robust(REFUSED)
    assert len(created) == 1 and not created[0].is_closed
    await created[0].close()


async def test_a_successful_connect_is_open(settings: Any) -> None:
    connection = await connect_robust(settings.amqp_url)
    try:
        assert not connection.is_closed
        channel = await connection.channel()
        assert not channel.is_closed
    finally:
        await connection.close()
