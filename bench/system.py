"""The system under test for the HTTP rows: fresh PostgreSQL databases, `sangkien up`, a campaign, tokens, counters."""

from __future__ import annotations

import asyncio
import random
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import redis.asyncio as aioredis

from bench.loadgen import Connection
from bench.platform import Platform, platform_env, start_platform, stop_platform
from services.simulator.corpus import UnitPicker, initiative_form
from services.simulator.scenario import member_address
from services.tally.keys import NATION, TallyKeys
from shared.auth import Role, issue_token
from shared.db import create_database, drop_database
from shared.settings import Settings
from shared.union_tree import get_tree

PG_SERVER = Settings().postgres_server_url
VOTES_PER_MEMBER = 4


async def create_databases(prefix: str) -> list[str]:
    """Fresh PostgreSQL databases for submission and awards; their SQLAlchemy URLs."""
    return [await create_database(PG_SERVER, f"{prefix}_{name}") for name in ("submission", "awards")]


async def drop_databases(prefix: str) -> None:
    for name in ("submission", "awards"):
        await drop_database(PG_SERVER, f"{prefix}_{name}")


def bearer(subject: str, role: Role, unit_id: str | None = None) -> str:
    return "Bearer " + issue_token(subject=subject, role=role, unit_id=unit_id)


@dataclass
class System:
    """A running platform on PostgreSQL with one open campaign and a pool of submitted initiatives."""

    platform: Platform
    prefix: str
    tmp: tempfile.TemporaryDirectory[str]
    campaign_id: str = ""
    initiatives: list[str] = field(default_factory=list)
    redis: aioredis.Redis = field(init=False)
    _voter_tokens: dict[int, str] = field(default_factory=dict)
    _forms: random.Random = field(default_factory=lambda: random.Random(2021))
    _seq: int = 0

    def __post_init__(self) -> None:
        self.redis = aioredis.Redis.from_url("redis://127.0.0.1:6379/0")
        self.keys = TallyKeys(self.platform.namespace)
        self.tree = get_tree()
        self.picker = UnitPicker(self.tree)
        self.admin = bearer("bench-admin", Role.ADMIN)

    @classmethod
    async def start(cls, namespace: str) -> System:
        prefix = f"bench_{namespace}"
        sub_url, awards_url = await create_databases(prefix)
        tmp = tempfile.TemporaryDirectory(prefix="sangkien-bench-")
        env = platform_env(Path(tmp.name), namespace=namespace, extra={
            "SANGKIEN_SUBMISSION_DB_URL": sub_url, "SANGKIEN_AWARDS_DB_URL": awards_url,
            "SANGKIEN_LOG_LEVEL": "WARNING", "SANGKIEN_SEED_DEMO_CAMPAIGN": "false",
        })
        try:
            platform = await asyncio.to_thread(start_platform, env, Path(tmp.name))
        except Exception:
            await drop_databases(prefix)
            tmp.cleanup()
            raise
        system = cls(platform, prefix, tmp)
        await system.create_campaign()
        return system

    async def stop(self) -> None:
        await self.redis.aclose()
        await asyncio.to_thread(stop_platform, self.platform)
        await drop_databases(self.prefix)
        self.tmp.cleanup()

    # --- addresses -----------------------------------------------------------------------------------
    @property
    def submission_port(self) -> int:
        return int(self.platform.env["SANGKIEN_SUBMISSION_PORT"])

    @property
    def tally_port(self) -> int:
        return int(self.platform.env["SANGKIEN_TALLY_PORT"])

    async def call(self, port: int, method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
        conn = Connection("127.0.0.1", port)
        try:
            raw = orjson.dumps(body) if body is not None else b""
            if body is not None:
                headers = {**headers, "Content-Type": "application/json"}
            status, answer = await conn.request(method, path, headers, raw)
        finally:
            conn.close()
        if status >= 300:
            raise RuntimeError(f"{method} {path} → {status}: {answer[:300]!r}")
        return orjson.loads(answer) if answer else None

    # --- campaign and initiatives --------------------------------------------------------------------
    async def create_campaign(self) -> None:
        now = datetime.now(UTC)
        template = await self.call(self.submission_port, "GET", "/v1/campaigns/75k-2021", {})
        self.campaign_id = f"bench-{uuid.uuid4().hex[:8]}"
        self.fields = [f["code"] for f in template["fields"]]
        body = {
            "id": self.campaign_id, "name": "Đo hiệu năng — phong trào thử", "target": 75_000,
            "submission_opens_at": (now - timedelta(hours=1)).isoformat(),
            "submission_closes_at": (now + timedelta(days=1)).isoformat(),
            "voting_opens_at": (now - timedelta(hours=1)).isoformat(),
            "voting_closes_at": (now + timedelta(days=1)).isoformat(),
            "fields": template["fields"], "quotas": template["quotas"],
        }
        await self.call(self.submission_port, "POST", "/v1/campaigns",
                        {"Authorization": self.admin, "Idempotency-Key": self.campaign_id}, body)

    def next_form(self) -> tuple[dict[str, str], bytes, dict[str, str]]:
        """(create headers, create body, submit headers) of a new realistic initiative by a new member."""
        seq = self._seq
        self._seq += 1
        unit = self.picker.pick(self._forms)
        form = initiative_form(self._forms, unit_id=unit, unit_name=self.tree.get(unit).name, fields=self.fields,
                               seq=seq)
        auth = bearer(f"tg-{self.campaign_id}-{seq}", Role.MEMBER, unit)
        create = {"Authorization": auth, "Content-Type": "application/json",
                  "Idempotency-Key": f"{self.campaign_id}-{seq}"}
        return create, orjson.dumps({"campaign_id": self.campaign_id, **form}), {"Authorization": auth}

    async def submit_one(self, conn: Connection) -> tuple[int, str]:
        """Create and submit one initiative on ``conn``: (status of the submit, initiative id)."""
        create, body, submit = self.next_form()
        status, answer = await conn.request("POST", "/v1/initiatives", create, body)
        if status != 201:
            return status, ""
        initiative_id = orjson.loads(answer)["id"]
        status, _ = await conn.request("POST", f"/v1/initiatives/{initiative_id}/submit", submit)
        return status, initiative_id

    async def ensure_initiatives(self, count: int, connections: int = 16) -> None:
        """At least ``count`` submitted initiatives to vote for (counted by tally before returning)."""
        missing = count - len(self.initiatives)

        async def worker(n: int) -> None:
            conn = Connection("127.0.0.1", self.submission_port)
            try:
                for _ in range(n):
                    status, initiative_id = await self.submit_one(conn)
                    if status == 200:
                        self.initiatives.append(initiative_id)
            finally:
                conn.close()

        if missing > 0:
            share = [missing // connections + (1 if i < missing % connections else 0) for i in range(connections)]
            await asyncio.gather(*(worker(n) for n in share if n))
        await self.wait_counter("submitted", len(self.initiatives), within=120)

    # --- votes ---------------------------------------------------------------------------------------
    def voter(self, member: int) -> str:
        token = self._voter_tokens.get(member)
        if token is None:
            token = self._voter_tokens[member] = bearer(f"bv-{self.campaign_id}-{member}", Role.MEMBER)
        return token

    def vote_target(self, j: int) -> tuple[int, str]:
        """Vote number j: member j // 4 votes for 4 distinct initiatives (skewed to the first ones)."""
        member = j // VOTES_PER_MEMBER
        k = len(self.initiatives)
        index = (member * VOTES_PER_MEMBER + j % VOTES_PER_MEMBER) % k
        return member, self.initiatives[index]

    def vote_request(self, offset: int) -> Any:
        def make(i: int) -> tuple[str, str, dict[str, str], bytes]:
            member, initiative_id = self.vote_target(offset + i)
            return "POST", f"/v1/initiatives/{initiative_id}/votes", {
                "Authorization": self.voter(member), "X-Forwarded-For": member_address(member)}, b""
        return make

    def prepare_voters(self, first: int, count: int) -> None:
        """Sign the tokens before the clock starts (the load generator must not be the bottleneck)."""
        for j in range(first, first + count):
            self.voter(j // VOTES_PER_MEMBER)

    # --- counters ------------------------------------------------------------------------------------
    async def campaign_prefix(self, campaign_id: str | None = None) -> str:
        live: Any = await self.redis.get(self.keys.generation)
        return self.keys.campaign((live or b"0").decode(), campaign_id or self.campaign_id).prefix

    async def counter(self, name: str, unit: str = NATION, *, campaign_id: str | None = None) -> int:
        """A live counter of tally (national by default) for the bench's campaign or ``campaign_id``."""
        value: Any = await self.redis.hget(f"{await self.campaign_prefix(campaign_id)}u:{unit}", name)
        return int(value or 0)

    async def wait_counter(self, name: str, target: int, *, within: float) -> float:
        """Seconds until the national counter ``name`` reaches ``target``; -1 when it did not in time."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        while await self.counter(name) < target:
            if loop.time() - start > within:
                return -1.0
            await asyncio.sleep(0.02)
        return loop.time() - start

    async def initiative_votes(self, ids: list[str]) -> list[int]:
        prefix = await self.campaign_prefix()
        pipe = self.redis.pipeline(transaction=False)
        for initiative_id in ids:
            pipe.hget(f"{prefix}i:{initiative_id}", "n")
        return [int(v or 0) for v in await pipe.execute()]
