"""The whole platform as `make up` runs it (`sangkien up`), in its own namespace, ports and databases.

Shared by the end-to-end tests (tests/e2e/conftest.py) and the benchmark rows that go through HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[1]


class PlatformError(RuntimeError):
    """`sangkien up` did not come up; the message ends with the tail of its output."""


@dataclass
class Platform:
    env: dict[str, str]
    process: subprocess.Popen[str]
    output: Path
    submission: str
    awards: str
    tally: str

    @property
    def namespace(self) -> str:
        return self.env["SANGKIEN_NAMESPACE"]

    def cli(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "services.cli", *args], env=self.env, cwd=ROOT, capture_output=True, text=True,
            timeout=timeout, check=False,
        )

    def log(self) -> str:
        return self.output.read_text(errors="replace")

    def child_pids(self, marker: str) -> list[int]:
        """Pids of the platform's processes (children and grandchildren) whose command line contains ``marker``."""
        parents = {self.process.pid}
        found: list[int] = []
        for _ in range(3):  # up → uvicorn / faststream supervisor → worker processes
            level: set[int] = set()
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                    if ppid in parents:
                        level.add(int(entry.name))
                        if marker in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                            found.append(int(entry.name))
                except (OSError, IndexError, ValueError):
                    continue
            parents = level
        return found


def platform_env(tmp: Path, *, namespace: str | None = None, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment of an isolated platform: own namespace, free ports, SQLite files under ``tmp`` unless overridden."""
    ports = [free_port() for _ in range(3)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANGKIEN_")}
    env.update({
        "SANGKIEN_ENV": "test",
        "SANGKIEN_NAMESPACE": namespace or f"e2e{os.getpid()}{int(time.time()) % 100000}",
        "SANGKIEN_SUBMISSION_DB_URL": f"sqlite+aiosqlite:///{tmp / 'submission.db'}",
        "SANGKIEN_AWARDS_DB_URL": f"sqlite+aiosqlite:///{tmp / 'awards.db'}",
        "SANGKIEN_ATTACHMENTS_DIR": str(tmp / "attachments"),
        "SANGKIEN_SUBMISSION_PORT": str(ports[0]),
        "SANGKIEN_TALLY_PORT": str(ports[1]),
        "SANGKIEN_AWARDS_PORT": str(ports[2]),
        "SANGKIEN_SUBMISSION_URL": f"http://127.0.0.1:{ports[0]}",
        "SANGKIEN_AWARDS_URL": f"http://127.0.0.1:{ports[2]}",
        # the SSE row opens 1,000 streams from 127.0.0.1: one address, many clients
        "SANGKIEN_SSE_MAX_CLIENTS_PER_ADDRESS": "10000",
        # The load generators and the simulator play the reverse proxy: each request carries its simulated
        # client's address in X-Forwarded-For, which the platform believes only from a trusted proxy.
        "SANGKIEN_TRUSTED_PROXIES": "127.0.0.1/32",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra or {})
    return env


def start_platform(env: dict[str, str], tmp: Path, *, timeout: float = 120) -> Platform:
    """Run `sangkien up` with ``env`` and wait until it printed its URLs (every worker consumes)."""
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
    deadline = time.monotonic() + timeout
    while "Dashboard" not in platform.log():
        if process.poll() is not None or time.monotonic() > deadline:
            stop_platform(platform)
            raise PlatformError(f"`sangkien up` did not come up:\n{platform.log()[-3000:]}")
        time.sleep(0.3)
    return platform


def stop_platform(platform: Platform) -> None:
    """Ctrl-C the platform (it stops its children), SIGKILL its process group after 40 s; drop the namespace."""
    process = platform.process
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    drop_namespace(platform.env["SANGKIEN_NAMESPACE"])


@contextlib.contextmanager
def running_platform(env: dict[str, str], tmp: Path, *, timeout: float = 120) -> Iterator[Platform]:
    platform = start_platform(env, tmp, timeout=timeout)
    try:
        yield platform
    finally:
        stop_platform(platform)


def drop_namespace(namespace: str) -> None:
    """Remove the namespace's queues, exchanges and Redis keys."""
    import aio_pika
    import redis

    from shared.settings import Settings
    from shared.topology import topology_for

    settings = Settings(namespace=namespace)

    async def drop() -> None:
        connection = await aio_pika.connect(settings.amqp_url)
        async with connection:
            await topology_for(settings).delete_all(await connection.channel())

    with contextlib.suppress(Exception):
        asyncio.run(drop())
    client = redis.Redis.from_url(settings.redis_url)
    batch: list[bytes] = []
    for key in client.scan_iter(match=f"{settings.namespace}:*", count=5000):
        batch.append(key)
        if len(batch) >= 5000:
            client.unlink(*batch)
            batch = []
    if batch:
        client.unlink(*batch)
    client.close()
