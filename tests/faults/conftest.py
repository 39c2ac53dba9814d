"""A whole platform (`sangkien up`) per fault module, in its own namespace, ports and databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from bench.platform import Platform, PlatformError, platform_env, start_platform, stop_platform
from tests.faults.campaign import GENEROUS_LIMITS


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    tmp = tmp_path_factory.mktemp("fault-platform")
    try:
        running = start_platform(platform_env(tmp, namespace=f"flt{uuid.uuid4().hex[:10]}", extra=GENEROUS_LIMITS), tmp)
    except PlatformError as exc:
        pytest.fail(str(exc))
    try:
        yield running
    finally:
        stop_platform(running)
