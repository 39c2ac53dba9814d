"""The per-address vote limit through a real `sangkien submission serve` process: whose address counts."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from services.submission import MIGRATIONS_DIR
from shared.auth import Role
from shared.db import upgrade_database_async
from shared.settings import Settings
from tests.support.servers import free_port

from .support import bearer, form

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def served(settings: Settings, **env: str) -> Iterator[str]:
    """`sangkien submission serve` as its own process (uvicorn as the CLI starts it), until the block ends."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SANGKIEN_")}
    environment.update({
        "SANGKIEN_ENV": "test", "SANGKIEN_NAMESPACE": settings.namespace,
        "SANGKIEN_SUBMISSION_DB_URL": settings.submission_db_url, "SANGKIEN_REDIS_URL": settings.redis_url,
        "SANGKIEN_AMQP_URL": settings.amqp_url, "SANGKIEN_ATTACHMENTS_DIR": str(settings.attachments_dir),
        "SANGKIEN_RUN_RELAY": "false", "SANGKIEN_VOTE_RATE_PER_MEMBER": "1000", "SANGKIEN_LOG_LEVEL": "WARNING",
        **env,
    })
    process = subprocess.Popen([sys.executable, "-m", "services.cli", "submission", "serve", "--port", str(port)],
                               env=environment, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else "exited"
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


async def submitted(client: httpx.AsyncClient, settings: Settings) -> str:
    author = bearer(settings, Role.MEMBER)
    created = await client.post("/v1/initiatives", json=form(), headers=author)
    assert created.status_code == 201, created.text
    item = created.json()["id"]
    assert (await client.post(f"/v1/initiatives/{item}/submit", headers=author)).status_code == 200
    return str(item)


async def votes(client: httpx.AsyncClient, settings: Settings, item: str, forwarded: list[str]) -> list[int]:
    """One vote per forwarded address, each by its own member; the status codes in order."""
    codes = []
    for n, address in enumerate(forwarded):
        response = await client.post(f"/v1/initiatives/{item}/votes", headers={
            **bearer(settings, Role.MEMBER, subject=f"dv-dia-chi-{n}"), "X-Forwarded-For": address,
        })
        codes.append(response.status_code)
    return codes


async def test_a_forwarded_header_from_an_untrusted_peer_is_ignored(settings: Settings, redis_client: Any) -> None:
    await upgrade_database_async(MIGRATIONS_DIR, settings.submission_db_url)
    with served(settings, SANGKIEN_VOTE_RATE_PER_ADDRESS="2") as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:
            item = await submitted(client, settings)
            # Each vote claims another address; the loopback peer is who sent them all, and it is limited.
            codes = await votes(client, settings, item, ["198.51.100.1", "198.51.100.2", "198.51.100.3"])
    assert codes == [201, 201, 429]
    assert await redis_client.get(f"{settings.namespace}:rl:vote:a:127.0.0.1") == b"3"


async def test_a_trusted_proxy_forwards_each_client_with_its_own_budget(settings: Settings, redis_client: Any) -> None:
    await upgrade_database_async(MIGRATIONS_DIR, settings.submission_db_url)
    with served(settings, SANGKIEN_VOTE_RATE_PER_ADDRESS="2", SANGKIEN_TRUSTED_PROXIES="127.0.0.1/32") as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:
            item = await submitted(client, settings)
            first = "198.51.100.1"
            second = "6.6.6.6, 2001:db8:7:7::1"  # a client-written hop left of the proxy's view is not believed
            codes = await votes(client, settings, item, [first, first, first, second, second, "2001:db8:7:7::2"])
    assert codes == [201, 201, 429, 201, 201, 429]  # one IPv6 /64 is one budget
    assert await redis_client.get(f"{settings.namespace}:rl:vote:a:127.0.0.1") is None
    assert await redis_client.get(f"{settings.namespace}:rl:vote:a:2001:db8:7:7::/64") == b"3"
