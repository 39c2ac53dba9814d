"""The services' ASGI apps served by uvicorn in a background thread (own event loop, lifespan on) for the fuzz run."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn

from tests.support.servers import free_port


def run_coroutine(factory: Callable[[], Awaitable[Any]]) -> Any:
    """Run a coroutine on a fresh loop in a fresh thread (the test's own loop belongs to pytest-asyncio)."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(_await(factory))
        except BaseException as exc:  # handed back to the caller below
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


async def _await(factory: Callable[[], Awaitable[Any]]) -> Any:
    return await factory()


@dataclass
class ServedApp:
    """One app on a free port; ``prepare`` (e.g. migrations) runs on the server's loop before it serves."""

    name: str
    make_app: Callable[[], Any]
    prepare: Callable[[], Awaitable[None]] | None = None
    port: int = field(default_factory=free_port)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    _error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        self._thread = threading.Thread(target=self._run, name=f"fuzz-{self.name}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._error is not None:
                raise RuntimeError(f"{self.name} failed to start") from self._error
            if self._server is not None and self._server.started:
                return
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start within {timeout:.0f} s")

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported by start()
            self._error = exc

    async def _serve(self) -> None:
        if self.prepare is not None:
            await self.prepare()
        config = uvicorn.Config(self.make_app(), host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on", access_log=False, proxy_headers=False)
        self._server = uvicorn.Server(config)
        await self._server.serve()
        if not self._server.started:
            raise RuntimeError(f"{self.name}: uvicorn exited during start-up (lifespan failed?)")

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(30)

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)
