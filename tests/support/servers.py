"""Stopping and starting the real servers for fault tests; every stop is undone in ``finally``."""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _rabbitmqctl(*args: str, timeout: float = 120) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=timeout)


def rabbitmq_running() -> bool:
    result = subprocess.run(
        ["rabbitmq-diagnostics", "-q", "check_running"], capture_output=True, timeout=60, check=False,
    )
    return result.returncode == 0 and port_open(5672)


def start_rabbitmq() -> None:
    """Bring the RabbitMQ application back (start_app), or the whole node if it is down."""
    try:
        _rabbitmqctl("start_app")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        subprocess.run(["rabbitmq-server", "-detached"], check=False, capture_output=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if rabbitmq_running():
            return
        time.sleep(0.5)
    raise RuntimeError("RabbitMQ did not come back within 120 s")


@contextlib.asynccontextmanager
async def rabbitmq_stopped() -> AsyncIterator[None]:
    """RabbitMQ is stopped (stop_app: every connection drops, port closes) inside the block, restarted after."""
    await asyncio.to_thread(_rabbitmqctl, "stop_app")
    try:
        yield
    finally:
        await asyncio.to_thread(start_rabbitmq)


async def eventually(
    check: Callable[[], Awaitable[bool]], *, within: float = 30.0, every: float = 0.1, what: str = "condition",
) -> None:
    """Wait until ``check()`` is true; fail with ``what`` after ``within`` s (a liveness bound, not a speed claim)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        if await check():
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {within:.0f} s waiting for {what}")
        await asyncio.sleep(every)


def free_port() -> int:
    """A port to serve on, below Linux's ephemeral range (32768+).

    A port the kernel hands out for ``bind(0)`` lies in the ephemeral range, so between releasing it and the
    server binding it an outgoing connection may take it ("address already in use"); below the range only
    servers bind, and we check it is free now.
    """
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20_000, 32_000)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32000")
