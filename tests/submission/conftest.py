"""Fixtures for the submission tests: the app on SQLite and PostgreSQL, or on SQLite only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from shared.settings import Settings

from .support import Harness, service_settings, start


@pytest.fixture
async def harness(settings: Settings, db_backend: str, redis_client: Any) -> AsyncIterator[Harness]:
    """The app on SQLite and on PostgreSQL (parametrised), relay off, generous rate limits."""
    async for h in start(service_settings(settings, db_backend)):
        yield h


@pytest.fixture
async def sqlite_harness(settings: Settings, redis_client: Any) -> AsyncIterator[Harness]:
    """The app on SQLite only, for tests about HTTP behaviour rather than persistence."""
    async for h in start(service_settings(settings, settings.submission_db_url)):
        yield h
