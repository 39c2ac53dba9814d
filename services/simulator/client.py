"""The simulator's HTTP side: one client per service, development tokens, bounded concurrency, retries on 429/503."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import httpx

from shared.auth import Role, issue_token
from shared.settings import Settings

RETRY_STATUSES = {429, 502, 503, 504}


@lru_cache(maxsize=200_000)
def token(subject: str, role: str, unit_id: str | None) -> str:
    """A development token; the platform under test must trust the local HS256 key."""
    return issue_token(subject=subject, role=Role(role), unit_id=unit_id)


class SimulationError(RuntimeError):
    """The platform answered something the simulation cannot go on from."""


@dataclass
class Api:
    """HTTP calls to the three services with a shared limit on requests in flight."""

    settings: Settings
    concurrency: int = 64
    timeout: float = 60.0
    transports: dict[str, httpx.AsyncBaseTransport] = field(default_factory=dict)
    calls: int = 0
    retries: int = 0

    def __post_init__(self) -> None:
        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        urls = {
            "submission": self.settings.submission_url,
            "awards": self.settings.awards_url,
            "tally": f"http://{self.settings.host}:{self.settings.tally_port}",
        }
        self.clients = {
            name: httpx.AsyncClient(
                base_url=url, timeout=self.timeout, limits=limits, transport=self.transports.get(name),
            )
            for name, url in urls.items()
        }
        self.gate = asyncio.Semaphore(self.concurrency)

    async def close(self) -> None:
        await asyncio.gather(*(c.aclose() for c in self.clients.values()))

    async def call(
        self, service: str, method: str, path: str, *, bearer: str | None = None, json: Any = None,
        params: dict[str, Any] | None = None, headers: dict[str, str] | None = None, ok: tuple[int, ...] = (200, 201),
    ) -> httpx.Response:
        """One request; 429/503 are retried after Retry-After (bounded), other non-``ok`` answers raise."""
        sent_headers = dict(headers or {})
        if bearer:
            sent_headers["Authorization"] = f"Bearer {bearer}"
        resent = False
        for attempt in range(30):
            try:
                async with self.gate:
                    response = await self.clients[service].request(
                        method, path, json=json, params=params, headers=sent_headers,
                    )
            except httpx.TransportError:
                # A dropped keep-alive connection: send again. Creating POSTs carry an Idempotency-Key;
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
                wait = float(response.headers.get("Retry-After", "0.2") or 0.2)
                await asyncio.sleep(min(wait, 5.0))
                continue
            if response.status_code not in ok:
                raise SimulationError(
                    f"{method} {service}{path} → {response.status_code}: {response.text[:300]}"
                )
            return response
        raise SimulationError(f"{method} {service}{path}: still refused after 30 tries")
