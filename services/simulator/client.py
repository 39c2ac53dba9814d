"""The simulator's HTTP side: one connection pool per service, development tokens, retries on 429/503.

Requests go over ``wire.Connection`` (raw HTTP/1.1 keep-alive): a replay of the 2021 campaign sends millions of
requests from the same two cores the platform runs on, so the client must cost microseconds, not milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json as jsonlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode, urlsplit

import orjson

from services.simulator.wire import TRANSPORT_ERRORS, Connection, multipart
from shared.auth import Role, issue_token
from shared.settings import Settings

RETRY_STATUSES = {429, 502, 503, 504}


@lru_cache(maxsize=200_000)
def token(subject: str, role: str, unit_id: str | None) -> str:
    """A development token; the platform under test must trust the local HS256 key."""
    return issue_token(subject=subject, role=Role(role), unit_id=unit_id)


class SimulationError(RuntimeError):
    """The platform answered something the simulation cannot go on from."""


@dataclass(frozen=True)
class Reply:
    """An answer: status, headers (lower-case names) and body."""

    status_code: int
    headers: dict[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return orjson.loads(self.content)


@dataclass
class Pool:
    """Idle keep-alive connections to one service; a new one is opened when none is idle."""

    host: str
    port: int
    idle: list[Connection] = field(default_factory=list)

    def take(self) -> Connection:
        return self.idle.pop() if self.idle else Connection(self.host, self.port)

    def give_back(self, conn: Connection) -> None:
        self.idle.append(conn)

    def close(self) -> None:
        for conn in self.idle:
            with contextlib.suppress(Exception):
                conn.close()
        self.idle.clear()


@dataclass
class Api:
    """HTTP calls to the three services with a shared limit on requests in flight."""

    settings: Settings
    concurrency: int = 64
    timeout: float = 60.0
    calls: int = 0
    retries: int = 0

    def __post_init__(self) -> None:
        urls = {
            "submission": self.settings.submission_url,
            "awards": self.settings.awards_url,
            "tally": f"http://{self.settings.host}:{self.settings.tally_port}",
        }
        self.pools: dict[str, Pool] = {}
        for name, url in urls.items():
            parts = urlsplit(url)
            self.pools[name] = Pool(parts.hostname or "127.0.0.1", parts.port or 80)
        self.gate = asyncio.Semaphore(self.concurrency)

    async def close(self) -> None:
        for pool in self.pools.values():
            pool.close()

    async def _send(self, service: str, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        pool = self.pools[service]
        async with self.gate:
            conn = pool.take()
            try:
                status, answer_headers, content = await asyncio.wait_for(
                    conn.exchange(method, path, headers, body), self.timeout,
                )
            except BaseException:
                conn.close()
                raise
            pool.give_back(conn)
        return Reply(status, answer_headers, content)

    async def call(
        self, service: str, method: str, path: str, *, bearer: str | None = None, json: Any = None,
        params: dict[str, Any] | None = None, headers: dict[str, str] | None = None, ok: tuple[int, ...] = (200, 201),
        upload: tuple[str, bytes, str] | None = None,
    ) -> Reply:
        """One request; 429/503 are retried after Retry-After (bounded), other non-``ok`` answers raise.
        ``upload`` is a file (name, bytes, media type) sent as multipart/form-data."""
        sent_headers = dict(headers or {})
        if bearer:
            sent_headers["Authorization"] = f"Bearer {bearer}"
        body = b""
        if upload is not None:
            sent_headers["Content-Type"], body = multipart(*upload)
        elif json is not None:
            body = jsonlib.dumps(json, ensure_ascii=False).encode()
            sent_headers["Content-Type"] = "application/json"
        target = f"{path}?{urlencode(params)}" if params else path
        resent = False
        for attempt in range(30):
            try:
                response = await self._send(service, method, target, sent_headers, body)
            except (*TRANSPORT_ERRORS, TimeoutError):
                # A dropped connection: send again. Creating POSTs carry an Idempotency-Key;
                # a repeated submit/withdraw answers 409 "already done", accepted below.
                self.retries += 1
                resent = True
                await asyncio.sleep(0.1 * (attempt + 1))
                continue
            self.calls += 1
            if resent and response.status_code == 409 and method == "POST":
                return response
            if response.status_code in RETRY_STATUSES and attempt < 29:
                self.retries += 1
                wait = float(response.headers.get("retry-after", "0.2") or 0.2)
                await asyncio.sleep(min(wait, 5.0))
                continue
            if response.status_code not in ok:
                raise SimulationError(
                    f"{method} {service}{path} → {response.status_code}: {response.text[:300]}"
                )
            return response
        raise SimulationError(f"{method} {service}{path}: still refused after 30 tries")
