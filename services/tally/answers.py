"""A per-process micro-cache of the read API's encoded answers, and the ASGI fast path that serves it.

The dashboard asks the same few questions (national totals, top-10 units) thousands of times a second,
while the counters move with every vote. Each answer is read from Redis and encoded once, then its bytes
are served for ``ttl`` seconds (0.2 s: well inside the 1 s the dashboard has to show a change) to every
request with the same path and query; concurrent misses share one read. What matters stays tight: an
answer is only served when a pointer read that began at most 20 ms before the request
(``PointerReads.recent``) shows no rebuild and the very generation the answer was read from, so a
rebuild that started, or a Redis that lost its counters, answers 503 from 20 ms after it on, never a
cached figure; a miss reads the pointers exactly (after the request arrived), as before this cache.

Only answers the API itself produced with status 200 are cached, under the path and the canonical query: the
query parameters the route declares, the last value of each (as FastAPI reads them), sorted; anything else in
the query is left out, so junk parameters (``?x=1``, ``?x=2`` …) share the one answer instead of each forcing a
Redis read. The fast path computes the same key with the parameter names the route registered for the path
when it answered it (a path the API never answered has no answer to serve), and never answers a request
FastAPI would refuse.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from prometheus_client import Counter
from starlette.types import ASGIApp, Receive, Scope, Send

from services.tally.pointers import PointerReads

JSON = b"application/json"
Key = tuple[str, bytes]  # (path, canonical query string)
MAX_PATHS = 4096

ANSWERS = Counter("sangkien_tally_read_answers_total", "Read API answers by where they came from", ["source"])
FROM_CACHE, READ_FROM_REDIS = ANSWERS.labels("cache"), ANSWERS.labels("redis")


def route_query_names(route: Any) -> frozenset[str] | None:
    """The query parameter names a FastAPI route declares; None when they are not known (keep the whole query)."""
    dependant = getattr(route, "dependant", None)
    return frozenset(p.alias for p in dependant.query_params) if dependant is not None else None


def canonical_query(raw: bytes, names: frozenset[str]) -> bytes:
    """Only the parameters in ``names``, the last value of each, sorted and re-encoded: the cache key's query."""
    if not raw:
        return b""
    values = {k: v for k, v in parse_qsl(raw.decode("latin-1"), keep_blank_values=True) if k in names}
    return urlencode(sorted(values.items())).encode() if values else b""


@dataclass(frozen=True)
class Answer:
    generation: bytes
    read_at: float  # when the Redis read behind it began
    body: bytes
    headers: list[tuple[bytes, bytes]]


class AnswerCache:
    """Encoded answers by (path, query) for ``ttl`` seconds, tied to the generation they were read from."""

    def __init__(self, *, ttl: float = 0.2, max_entries: int = 4096,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._answers: dict[Key, Answer] = {}
        self.query_names: dict[str, frozenset[str]] = {}  # per path answered: the route's query parameter names
        self._reads: dict[tuple[Key, bytes], asyncio.Future[Answer]] = {}

    def fresh(self, key: Key) -> Answer | None:
        """The answer for ``key`` if it is younger than the TTL (its generation still to be checked)."""
        answer = self._answers.get(key)
        if answer is None or self.clock() - answer.read_at >= self.ttl:
            return None
        return answer

    def key(self, path: str, raw_query: bytes, names: frozenset[str] | None) -> Key:
        """The key of a route's answer (``names``: its query parameters), remembering the names for the fast path."""
        if names is None:
            return path, raw_query  # unknown parameters: the raw query, and no fast path for it
        if self.query_names.get(path) != names:
            if len(self.query_names) >= MAX_PATHS:
                self.query_names.clear()
            self.query_names[path] = names
        return path, canonical_query(raw_query, names)

    async def get(self, key: Key, generation: bytes, read: Callable[[], Awaitable[bytes]]) -> bytes:
        """The encoded answer for ``key`` in ``generation``: cached if fresh, else read once for every asker."""
        answer = self.fresh(key)
        if answer is not None and answer.generation == generation:
            FROM_CACHE.inc()
            return answer.body
        flight = self._reads.get((key, generation))
        if flight is None or flight.get_loop() is not asyncio.get_running_loop():
            flight = asyncio.ensure_future(self._read(key, generation, read))
            self._reads[(key, generation)] = flight
            flight.add_done_callback(lambda _: self._reads.pop((key, generation), None))
        return (await asyncio.shield(flight)).body

    async def _read(self, key: Key, generation: bytes, read: Callable[[], Awaitable[bytes]]) -> Answer:
        started = self.clock()
        body = await read()
        READ_FROM_REDIS.inc()
        answer = Answer(generation, started, body,
                        [(b"content-length", str(len(body)).encode()), (b"content-type", JSON)])
        if key not in self._answers and len(self._answers) >= self.max_entries:
            self._answers.clear()  # many distinct queries (a crawler): start over rather than grow
        self._answers[key] = answer
        return answer


class CachedReads:
    """ASGI middleware: a GET whose path and query have a fresh cached answer of the live generation gets its
    bytes without going through FastAPI; anything else (a miss, another generation, a rebuild) goes on."""

    def __init__(self, app: ASGIApp, *, cache: AnswerCache, pointers: PointerReads, prefix: str = "/v1/campaigns"):
        self.app = app
        self.cache = cache
        self.pointers = pointers
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"].startswith(self.prefix):
            names = self.cache.query_names.get(scope["path"])
            key = (scope["path"], canonical_query(scope["query_string"], names)) if names is not None else None
            if key is not None and self.cache.fresh(key) is not None and not _has_body(scope):
                try:
                    live, building = await self.pointers.recent()
                except Exception:  # Redis away: the API answers as it would without this cache
                    live, building = None, None
                answer = self.cache.fresh(key)  # the freshest, still within the TTL after the wait
                if answer is not None and building is None and live == answer.generation:
                    FROM_CACHE.inc()
                    await send({"type": "http.response.start", "status": 200, "headers": answer.headers})
                    await send({"type": "http.response.body", "body": answer.body})
                    return
        await self.app(scope, receive, send)


def _has_body(scope: Scope) -> bool:
    """A GET announcing a body goes the long way (its size limit and errors are FastAPI's business)."""
    for name, value in scope["headers"]:
        if name == b"transfer-encoding" or (name == b"content-length" and value != b"0"):
            return True
    return False
