"""Driving a running platform over its public HTTP APIs during a fault: initiatives, a vote stream, exact checks."""

from __future__ import annotations

import asyncio
import collections
import itertools
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.platform import Platform
from shared.auth import Role, issue_token
from shared.settings import Settings
from tests.submission.support import UNIT, form
from tests.support.servers import eventually

CAMPAIGN = "demo"  # open for submissions and votes
# The platform's own limits would stop a test's vote stream from one address; they are proved in tests/abuse.
GENEROUS_LIMITS = {"SANGKIEN_VOTE_RATE_PER_MEMBER": "1000000", "SANGKIEN_VOTE_RATE_PER_ADDRESS": "1000000"}


def headers(role: Role, subject: str, unit: str | None = None) -> dict[str, str]:
    token = issue_token(subject=subject, role=role, unit_id=unit, settings=Settings(env="test"))
    return {"Authorization": f"Bearer {token}"}


ADMIN = headers(Role.ADMIN, "quan-tri")


@dataclass
class Ledger:
    """What the platform accepted (2xx) — the truth the counters must reach — and every other answer."""

    submitted: list[str] = field(default_factory=list)
    votes: set[str] = field(default_factory=set)
    refused: collections.Counter[int] = field(default_factory=collections.Counter)


class CampaignDriver:
    """A member population acting on one platform through HTTP, as the portals do."""

    def __init__(self, platform: Platform, ledger: Ledger | None = None) -> None:
        self.platform = platform
        self.ledger = ledger or Ledger()
        self.client = httpx.AsyncClient(timeout=httpx.Timeout(120, pool=None), limits=httpx.Limits(max_connections=32))
        self._members = itertools.count()

    async def aclose(self) -> None:
        await self.client.aclose()

    async def submit_initiative(self, title: str) -> str | None:
        """Create and submit one initiative as a fresh member; its id when both calls got a 2xx."""
        author = headers(Role.MEMBER, f"tg-{next(self._members)}-{title[:8]}")
        created = await self.client.post(f"{self.platform.submission}/v1/initiatives",
                                         json=form(title=title), headers=author)
        if created.status_code != 201:
            self.ledger.refused[created.status_code] += 1
            return None
        initiative_id = str(created.json()["id"])
        submitted = await self.client.post(f"{self.platform.submission}/v1/initiatives/{initiative_id}/submit",
                                           headers=author)
        if submitted.status_code != 200:
            self.ledger.refused[submitted.status_code] += 1
            return None
        self.ledger.submitted.append(initiative_id)
        return initiative_id

    async def vote(self, initiative_id: str, member: str) -> None:
        try:
            response = await self.client.post(f"{self.platform.submission}/v1/initiatives/{initiative_id}/votes",
                                              headers=headers(Role.MEMBER, member))
        except httpx.TransportError:  # the platform is stopping: no answer, so no promise was made
            self.ledger.refused[0] += 1
            return
        if response.status_code in (200, 201):
            self.ledger.votes.add(response.json()["vote_id"])
        else:
            self.ledger.refused[response.status_code] += 1

    async def vote_stream(self, initiatives: list[str], stop: asyncio.Event, *, concurrency: int = 8,
                          limit: int = 6000) -> None:
        """Distinct members vote, round-robin over ``initiatives``, until ``stop`` is set (or ``limit`` votes)."""
        numbers = itertools.count()

        async def voter() -> None:
            while not stop.is_set():
                n = next(numbers)
                if n >= limit:
                    return
                await self.vote(initiatives[n % len(initiatives)], f"tv-{n}")

        await asyncio.gather(*(voter() for _ in range(concurrency)))

    async def tally_totals(self) -> dict[str, Any]:
        response = await self.client.get(f"{self.platform.tally}/v1/campaigns/{CAMPAIGN}/totals")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    async def wait_counted(self, *, baseline: dict[str, Any], within: float = 180) -> None:
        """Every accepted write is eventually counted by tally: exact, nothing more, nothing less."""
        last: dict[str, Any] = {}

        async def counted() -> bool:
            nonlocal last
            try:
                last = await self.tally_totals()
            except httpx.HTTPError:
                return False
            return (last["submitted"] - baseline["submitted"] == len(self.ledger.submitted)
                    and last["votes"] - baseline["votes"] == len(self.ledger.votes))

        try:
            await eventually(counted, within=within, every=0.5, what="tally to count every accepted write")
        except AssertionError as exc:
            raise AssertionError(
                f"{exc}: accepted {len(self.ledger.submitted)} initiatives and {len(self.ledger.votes)} votes, "
                f"tally shows {last.get('submitted', 0) - baseline['submitted']} and "
                f"{last.get('votes', 0) - baseline['votes']}"
            ) from None

    async def awards_cases(self) -> set[str]:
        """Initiative ids of the review cases awards holds at the grassroots unit the initiatives come from."""
        found: set[str] = set()
        cursor: str | None = None
        while True:
            params: dict[str, str | int] = {"unit_id": UNIT, "campaign_id": CAMPAIGN, "limit": 200}
            if cursor:
                params["cursor"] = cursor
            response = await self.client.get(f"{self.platform.awards}/v1/queue", params=params, headers=ADMIN)
            response.raise_for_status()
            page = response.json()
            found |= {item["initiative_id"] for item in page["items"]}
            cursor = page["next_cursor"]
            if not cursor:
                return found

    async def wait_cases_opened(self, within: float = 120) -> None:
        async def opened() -> bool:
            try:
                return set(self.ledger.submitted) <= await self.awards_cases()
            except httpx.HTTPError:
                return False

        await eventually(opened, within=within, every=0.5, what="awards to open a case for every submission")

    async def ready(self, base: str) -> dict[str, Any]:
        try:
            response = await self.client.get(f"{base}/ready")
        except httpx.HTTPError as exc:
            return {"status": f"unreachable: {exc!r}"}
        body: dict[str, Any] = response.json()
        body["http_status"] = response.status_code
        return body

    async def wait_ready(self, *, tally_workers: int = 2, within: float = 120) -> None:
        """Tally sees every worker's consumer attached again and awards its consumer: nobody restarted them."""
        async def all_ready() -> bool:
            tally, awards = await self.ready(self.platform.tally), await self.ready(self.platform.awards)
            return (tally.get("http_status") == 200
                    and int(tally.get("checks", {}).get("consumers_attached", 0)) >= tally_workers
                    and awards.get("http_status") == 200 and awards.get("checks", {}).get("consumer") is True)

        await eventually(all_ready, within=within, every=0.5, what="tally workers and awards consumer to re-attach")


def tally_worker_pids(platform: Platform) -> list[int]:
    """The tally worker processes: the FastStream supervisor's spawned children."""
    supervisors = platform.child_pids("services.tally.worker")
    return [pid for pid in platform.child_pids("spawn_main") if _parent(pid) in supervisors]


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def reconcile(platform: Platform) -> None:
    """`sangkien tally reconcile` against the platform: exit 0 means no difference from the event feeds."""
    result = platform.cli("tally", "reconcile", timeout=300)
    assert result.returncode == 0, f"reconcile found differences:\n{result.stdout[-4000:]}{result.stderr[-2000:]}"
    assert "no differences" in result.stdout
