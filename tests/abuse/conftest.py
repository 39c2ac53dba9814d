"""A whole platform (`sangkien up`) with its production rate limits, in its own namespace, for the abuse tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from bench.platform import Platform, PlatformError, platform_env, start_platform, stop_platform


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    tmp = tmp_path_factory.mktemp("abuse-platform")
    try:
        # The address limit of the 2021 defaults (600/min) keeps the many-members burst small; the default is higher.
        env = platform_env(tmp, namespace=f"abu{uuid.uuid4().hex[:10]}",
                           extra={"SANGKIEN_VOTE_RATE_PER_ADDRESS": "600"})
        running = start_platform(env, tmp)
    except PlatformError as exc:
        pytest.fail(str(exc))
    try:
        yield running
    finally:
        stop_platform(running)
