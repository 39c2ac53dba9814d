"""The whole platform as `make up` runs it (`sangkien up`), in its own namespace, ports and databases."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Platform:
    env: dict[str, str]
    process: subprocess.Popen[str]
    output: Path
    submission: str
    awards: str
    tally: str

    def cli(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "services.cli", *args], env=self.env, cwd=ROOT, capture_output=True, text=True,
            timeout=timeout, check=False,
        )

    def log(self) -> str:
        return self.output.read_text(errors="replace")


def platform_env(tmp: Path) -> dict[str, str]:
    ports = [free_port() for _ in range(3)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANGKIEN_")}
    env.update({
        "SANGKIEN_ENV": "test",
        "SANGKIEN_NAMESPACE": f"e2e{os.getpid()}{int(time.time()) % 100000}",
        "SANGKIEN_SUBMISSION_DB_URL": f"sqlite+aiosqlite:///{tmp / 'submission.db'}",
        "SANGKIEN_AWARDS_DB_URL": f"sqlite+aiosqlite:///{tmp / 'awards.db'}",
        "SANGKIEN_ATTACHMENTS_DIR": str(tmp / "attachments"),
        "SANGKIEN_SUBMISSION_PORT": str(ports[0]),
        "SANGKIEN_TALLY_PORT": str(ports[1]),
        "SANGKIEN_AWARDS_PORT": str(ports[2]),
        "SANGKIEN_SUBMISSION_URL": f"http://127.0.0.1:{ports[0]}",
        "SANGKIEN_AWARDS_URL": f"http://127.0.0.1:{ports[2]}",
        "PYTHONUNBUFFERED": "1",
    })
    return env


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    tmp = tmp_path_factory.mktemp("platform")
    env = platform_env(tmp)
    output = tmp / "up.log"
    with output.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "up"], env=env, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT,
            text=True, start_new_session=True,
        )
    platform = Platform(
        env, process, output, env["SANGKIEN_SUBMISSION_URL"], env["SANGKIEN_AWARDS_URL"],
        f"http://127.0.0.1:{env['SANGKIEN_TALLY_PORT']}",
    )
    try:
        deadline = time.monotonic() + 120
        while "Dashboard" not in platform.log():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"`sangkien up` did not come up:\n{platform.log()[-3000:]}")
            time.sleep(0.3)
        yield platform
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        _drop_namespace(env)


def _drop_namespace(env: dict[str, str]) -> None:
    """Remove the run's queues, exchanges and Redis keys."""
    import asyncio

    import aio_pika
    import redis

    from shared.settings import Settings
    from shared.topology import topology_for

    settings = Settings(namespace=env["SANGKIEN_NAMESPACE"])

    async def drop() -> None:
        connection = await aio_pika.connect(settings.amqp_url)
        async with connection:
            await topology_for(settings).delete_all(await connection.channel())

    try:
        asyncio.run(drop())
    except Exception:
        pass
    client = redis.Redis.from_url(settings.redis_url)
    for key in client.scan_iter(match=f"{settings.namespace}:*", count=5000):
        client.delete(key)


def get(url: str, **kwargs: object) -> httpx.Response:
    return httpx.get(url, timeout=10, **kwargs)  # type: ignore[arg-type]
