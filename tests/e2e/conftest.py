"""The whole platform as `make up` runs it (`sangkien up`), in its own namespace, ports and databases."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bench.platform import Platform, PlatformError, platform_env, start_platform, stop_platform

__all__ = ["Platform", "get"]


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    tmp = tmp_path_factory.mktemp("platform")
    try:
        running = start_platform(platform_env(tmp), tmp)
    except PlatformError as exc:
        pytest.fail(str(exc))
    try:
        yield running
    finally:
        stop_platform(running)


def get(url: str, **kwargs: object) -> httpx.Response:
    return httpx.get(url, timeout=10, **kwargs)  # type: ignore[arg-type]
