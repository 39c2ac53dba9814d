"""The campaign scenario: a campaign, initiatives, votes, withdrawals and four levels of review, over HTTP."""

from __future__ import annotations

import asyncio
import csv
import io
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from services.simulator.client import Api, SimulationError, token
from services.simulator.corpus import UnitPicker, import_cells, initiative_form
from services.simulator.expected import Accepted, SentInitiative
from services.submission.domain.import_rows import COLUMNS
from shared.events import derive_id
from shared.union_tree import UnionTree

VOTES_PER_MEMBER = 4
MEMBERS_PER_ADDRESS = 40
IMPORT_FILE_ROWS = 1_000  # an officer's file holds at most this many rows


@dataclass(frozen=True)
class Volumes:
    initiatives: int
    votes: int
    seed: int = 2021
    withdraw_share: float = 0.01
    review: bool = True
    review_share: float = 1.0  # share of grassroots unions whose reviewers work through their queue
    import_share: float = 0.5  # share of initiatives an upper-grassroots union officer enters by bulk import


PRESETS: dict[str, Volumes] = {
    # 2021: most initiatives were collected on paper forms and entered by union officers
    "2021": Volumes(initiatives=241_802, votes=2_000_000, import_share=0.8),
    "small": Volumes(initiatives=2_000, votes=20_000),
    "tiny": Volumes(initiatives=200, votes=1_000),
}


def progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TimeRemainingColumn(),
    )


async def run_all(
    items: list[Any], work: Callable[[Any], Awaitable[None]], bar: Progress, description: str, *, workers: int,
) -> None:
    """Every item through ``work`` by ``workers`` concurrent workers, no barrier between them: one slow answer
    (a 429 waiting for its Retry-After) holds only its own worker."""
    task = bar.add_task(description, total=len(items))
    queue = iter(items)

    async def worker() -> None:
        for item in queue:
            await work(item)
            bar.advance(task)

    await asyncio.gather(*(worker() for _ in range(max(1, min(workers, len(items))))))


def member_address(member_index: int) -> str:
    """A client address as a reverse proxy would forward it (X-Forwarded-For); only a header, never a target."""
    group = member_index // MEMBERS_PER_ADDRESS
    return f"100.{64 + (group >> 16) % 64}.{(group >> 8) & 255}.{group & 255}"


class Scenario:
    """Drives one simulated campaign; ``accepted`` records every 2xx answer."""

    def __init__(self, api: Api, tree: UnionTree, volumes: Volumes, *, campaign_id: str | None = None) -> None:
        self.api = api
        self.tree = tree
        self.volumes = volumes
        self.rng = random.Random(volumes.seed)
        self.campaign_id = campaign_id or f"sim-{volumes.seed}-{uuid.uuid4().hex[:6]}"
        self.accepted = Accepted()
        self.admin = token("simulator-admin", "admin", None)
        self.rubric: list[str] = []
        self.phases: dict[str, float] = {}
        self.voted: set[tuple[int, str]] = set()  # (member, initiative) pairs the platform holds a vote for

    # --- campaign -------------------------------------------------------------------------------------
    async def create_campaign(self) -> None:
        now = datetime.now(UTC)
        template = (await self.api.call("submission", "GET", "/v1/campaigns/75k-2021")).json()
        body = {
            "id": self.campaign_id,
            "name": f"Mô phỏng phong trào sáng kiến (seed {self.volumes.seed})",
            "target": max(1, self.volumes.initiatives),
            "submission_opens_at": (now - timedelta(hours=1)).isoformat(),
            "submission_closes_at": (now + timedelta(days=1)).isoformat(),
            "voting_opens_at": (now - timedelta(hours=1)).isoformat(),
            "voting_closes_at": (now + timedelta(days=1)).isoformat(),
            "fields": template["fields"],
            "quotas": template["quotas"],
        }
        await self.api.call("submission", "POST", "/v1/campaigns", bearer=self.admin, json=body,
                            headers={"Idempotency-Key": f"campaign-{self.campaign_id}"})
        self.campaign = body

    async def close_submissions(self) -> None:
        """Close the submission window now and open the review and national selection: reviewers may act."""
        now = datetime.now(UTC)
        body = {k: v for k, v in self.campaign.items() if k != "id"}
        body.update(submission_closes_at=now.isoformat(), review_opens_at=now.isoformat(),
                    national_selection_opens_at=now.isoformat())
        await self.api.call("submission", "PUT", f"/v1/campaigns/{self.campaign_id}", bearer=self.admin, json=body)

    # --- initiatives ----------------------------------------------------------------------------------
    async def submit_initiatives(self, bar: Progress) -> None:
        """Members create and submit their own initiatives; officers import the rest, a file per upper-grassroots
        union (``import_share``). Both run at the same time, as they would in a campaign."""
        picker = UnitPicker(self.tree)
        fields = [f["code"] for f in self.campaign["fields"]]
        by_officer = random.Random(f"{self.volumes.seed}-import")
        direct: list[tuple[int, str, dict[str, Any]]] = []
        imported: dict[str, list[tuple[int, str, dict[str, Any]]]] = defaultdict(list)
        for seq in range(self.volumes.initiatives):
            unit = picker.pick(self.rng)
            form = initiative_form(self.rng, unit_id=unit, unit_name=self.tree.get(unit).name, fields=fields, seq=seq)
            if by_officer.random() < self.volumes.import_share:
                imported[self.tree.path(unit)[-2]].append((seq, unit, form))
            else:
                direct.append((seq, unit, form))
        files = [
            (officer_unit, rows[i:i + IMPORT_FILE_ROWS])
            for officer_unit, rows in sorted(imported.items()) for i in range(0, len(rows), IMPORT_FILE_ROWS)
        ]

        async def one(item: tuple[int, str, dict[str, Any]]) -> None:
            seq, unit, form = item
            owner = f"dv-{self.volumes.seed}-{seq}"
            bearer = token(owner, "member", unit)
            created = await self.api.call(
                "submission", "POST", "/v1/initiatives", bearer=bearer,
                json={"campaign_id": self.campaign_id, **form},
                headers={"Idempotency-Key": f"{self.campaign_id}-{seq}"},
            )
            initiative_id = created.json()["id"]
            sent = SentInitiative(initiative_id, owner, self.tree.path(unit), form["field"], form["benefit_vnd"],
                                  confidential=bool(form["confidential"]))
            self.accepted.initiatives[initiative_id] = sent
            await self.api.call("submission", "POST", f"/v1/initiatives/{initiative_id}/submit", bearer=bearer)
            sent.submitted = True

        rows_task = bar.add_task("Nhập hàng loạt / officers' bulk files (rows)", total=sum(len(r) for _, r in files))

        async def upload(item: tuple[str, list[tuple[int, str, dict[str, Any]]]]) -> None:
            officer_unit, rows = item
            await self.import_file(officer_unit, rows)
            bar.advance(rows_task, len(rows))

        await asyncio.gather(
            run_all(direct, one, bar, "Gửi sáng kiến / submitting initiatives", workers=self.api.concurrency),
            run_all(files, upload, bar, "Tệp nhập / import files", workers=2),
        )

    async def import_file(self, officer_unit: str, rows: list[tuple[int, str, dict[str, Any]]]) -> None:
        """One officer's CSV file; the report names the initiative of every row (a resent file finds them)."""
        labels = {f["code"]: f["label"] for f in self.campaign["fields"]}
        out = io.StringIO(newline="")
        writer = csv.writer(out)
        writer.writerow([c.header for c in COLUMNS])
        writer.writerows(import_cells(form, labels[form["field"]]) for _, _, form in rows)
        officer = f"can-bo-{officer_unit}"
        first = rows[0][0]
        report = (await self.api.call(
            "submission", "POST", "/v1/imports", bearer=token(officer, "officer", officer_unit),
            params={"campaign_id": self.campaign_id},
            upload=(f"sang-kien-{officer_unit}-{first}.csv", ("\ufeff" + out.getvalue()).encode(), "text/csv"),
        )).json()
        if report["invalid"] or report["created_status"] != "submitted" or len(report["rows"]) != len(rows):
            raise SimulationError(f"import of {len(rows)} rows for {officer_unit}: {report['invalid']} invalid, "
                                  f"status {report['created_status']}: {report['errors'][:3]}")
        for line, (_, unit, form) in zip(report["rows"], rows, strict=True):
            sent = SentInitiative(line["initiative_id"], officer, self.tree.path(unit), form["field"],
                                  form["benefit_vnd"], submitted=True, officer_unit=officer_unit,
                                  confidential=bool(form["confidential"]))
            self.accepted.initiatives[line["initiative_id"]] = sent

    # --- votes ----------------------------------------------------------------------------------------
    async def cast_votes(self, bar: Progress) -> None:
        ids = list(self.accepted.initiatives)
        if not ids:
            return
        self.rng.shuffle(ids)
        weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(ids))]  # a few initiatives draw most votes
        targets = self.rng.choices(ids, weights=weights, k=self.volumes.votes)
        plan = [(j // VOTES_PER_MEMBER, target) for j, target in enumerate(targets)]

        async def one(item: tuple[int, str]) -> None:
            member_index, initiative_id = item
            bearer = token(f"tv-{self.volumes.seed}-{member_index}", "member", None)
            response = await self.api.call(
                "submission", "POST", f"/v1/initiatives/{initiative_id}/votes", bearer=bearer,
                headers={"X-Forwarded-For": member_address(member_index)},
            )
            self.accepted.votes_sent += 1
            if response.status_code == 201:
                self.accepted.votes_accepted += 1
            else:
                self.accepted.votes_repeated += 1
            # Counted by distinct (member, initiative): a vote resent after a dropped connection may hear 200
            # "already voted" for the vote its first attempt stored.
            if (member_index, initiative_id) not in self.voted:
                self.voted.add((member_index, initiative_id))
                self.accepted.initiatives[initiative_id].votes += 1

        await run_all(plan, one, bar, "Bình chọn / voting", workers=self.api.concurrency)

    async def withdraw_some(self, bar: Progress) -> None:
        count = int(len(self.accepted.initiatives) * self.volumes.withdraw_share)
        chosen = self.rng.sample(sorted(self.accepted.initiatives), count)

        async def one(initiative_id: str) -> None:
            sent = self.accepted.initiatives[initiative_id]
            owner = (token(sent.owner, "officer", sent.officer_unit) if sent.officer_unit
                     else token(sent.owner, "member", sent.unit_path[-1]))
            await self.api.call(
                "submission", "POST", f"/v1/initiatives/{initiative_id}/withdraw", bearer=owner,
                json={"reason": "Tác giả rút để hoàn thiện thêm giải pháp"},
            )
            sent.withdrawn = True

        await run_all(chosen, one, bar, "Rút sáng kiến / withdrawing", workers=self.api.concurrency)

    # --- review ---------------------------------------------------------------------------------------
    async def queue(self, unit_id: str) -> list[dict[str, Any]]:
        bearer = token(f"xet-{unit_id}", "reviewer", unit_id)
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"campaign_id": self.campaign_id, "limit": 200}
            if cursor:
                params["cursor"] = cursor
            page = (await self.api.call("awards", "GET", "/v1/queue", bearer=bearer, params=params)).json()
            items.extend(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                return items

    async def act(self, unit_id: str, case_id: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
        bearer = token(f"xet-{unit_id}", "reviewer", unit_id)
        answer = (await self.api.call(
            "awards", "POST", f"/v1/cases/{case_id}/{action}", bearer=bearer, json=body,
            headers={"Idempotency-Key": str(derive_id("sim", case_id, action, unit_id))},
        )).json()
        case = answer["case"]
        sent = self.accepted.initiatives.get(case["initiative_id"])
        if sent is not None:
            sent.recognised_levels = frozenset(case["recognised_levels"])
            award = answer.get("award")
            if award and award.get("active"):
                sent.awards[award["award_id"]] = (award["level"], award["kind"], award.get("grade"))
        return answer

    async def wait_for_cases(self, units: set[str], within: float = 600.0) -> None:
        """Every counted initiative of these grassroots unions has its case open there (events flowed to awards)."""
        expected: dict[str, int] = defaultdict(int)
        for sent in self.accepted.counted():
            if sent.unit_path[-1] in units:
                expected[sent.unit_path[-1]] += 1
        deadline = asyncio.get_running_loop().time() + within
        pending = set(expected)
        while pending:
            results = await asyncio.gather(*(self.queue(u) for u in pending))
            pending = {u for u, items in zip(pending, results, strict=True)
                       if sum(1 for i in items if i["status"] == "pending") < expected[u]}
            if pending and asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"review cases not open after {within:.0f} s at {len(pending)} units")
            if pending:
                await asyncio.sleep(1.0)

    async def wait_for_review_window(self, within: float = 120.0) -> dict[str, Any]:
        """Awards has consumed the reconfigured campaign: its review window is open."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            response = await self.api.call("awards", "GET", f"/v1/campaigns/{self.campaign_id}/policy",
                                           bearer=self.admin, ok=(200, 404, 409, 422))
            if response.status_code == 200:
                policy: dict[str, Any] = response.json()
                if datetime.fromisoformat(policy["review_opens_at"]) <= datetime.now(UTC):
                    return policy
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"awards did not open the review of {self.campaign_id} within {within:.0f} s")
            await asyncio.sleep(0.5)

    async def review_level(self, bar: Progress, units: Iterable[str], level: int) -> None:
        """The reviewers of every unit at ``level`` work through their queues."""
        units = sorted(units)
        marks = {key: round(self.rng.uniform(5, 10), 1) for key in self.rubric}
        award_kind = {4: "giay_khen", 3: "giay_khen", 2: "bang_khen", 1: "bang_khen_tld"}[level]
        grant_share = {4: 0.05, 3: 0.2, 2: 0.3, 1: 0.5}[level]
        nominate_up_to = {4: 2, 3: 2, 2: 4, 1: 0}[level]

        async def one(unit_id: str) -> None:
            cases = [c for c in await self.queue(unit_id) if c["status"] == "pending"]
            rng = random.Random(f"{self.volumes.seed}-{unit_id}")
            recognised = []
            for case in cases:
                if level < 4 or rng.random() < 0.85:
                    await self.act(unit_id, case["case_id"], "recognise", {})
                    recognised.append(case)
                else:
                    await self.act(unit_id, case["case_id"], "not-recognise",
                                   {"reason": "Chưa chứng minh được hiệu quả áp dụng thực tế"})
            recognised.sort(key=lambda c: (-c["benefit_vnd"], c["case_id"]))
            for rank, case in enumerate(recognised):
                if rank < nominate_up_to or level == 1 or rng.random() < grant_share:
                    await self.act(unit_id, case["case_id"], "scores", {"marks": marks})
                if level == 1:
                    grade = "xuat_sac" if rank < max(1, len(recognised) // 10) else "tieu_bieu"
                    await self.act(unit_id, case["case_id"], "selection", {"grade": grade})
                if rng.random() < grant_share:
                    await self.act(unit_id, case["case_id"], "awards", {"kind": award_kind})
                if rank < nominate_up_to:
                    await self.act(unit_id, case["case_id"], "nominations", {"note": "Đề nghị cấp trên xét"})

        await run_all(units, one, bar, f"Xét cấp {level} / reviewing at level {level}", workers=self.api.concurrency)

    async def review(self, bar: Progress) -> None:
        await self.close_submissions()
        policy = await self.wait_for_review_window()
        self.rubric = [c["key"] for c in policy["rubric"]]
        grassroots = sorted({s.unit_path[-1] for s in self.accepted.counted()})
        if self.volumes.review_share < 1.0:
            chooser = random.Random(f"{self.volumes.seed}-review")
            grassroots = [u for u in grassroots if chooser.random() < self.volumes.review_share]
        await self.wait_for_cases(set(grassroots))
        await self.review_level(bar, grassroots, 4)
        for level in (3, 2, 1):
            units = {s.unit_path[level - 1] for s in self.accepted.counted() if s.recognised_levels}
            await self.review_level(bar, units, level)

    async def run(self) -> Accepted:
        """Every phase in order; ``phases`` keeps how long each took (seconds)."""
        steps: list[tuple[str, Callable[[Progress], Awaitable[None]]]] = [
            ("submissions", self.submit_initiatives), ("votes", self.cast_votes), ("withdrawals", self.withdraw_some),
        ]
        if self.volumes.review:
            steps.append(("review", self.review))
        with progress() as bar:
            await self.create_campaign()
            for name, step in steps:
                started = time.perf_counter()
                await step(bar)
                self.phases[name] = time.perf_counter() - started
        return self.accepted
