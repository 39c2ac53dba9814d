"""Settle and compare: the live tally counters and rankings must equal what the platform accepted, exactly."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table

from services.simulator.client import Api
from services.simulator.expected import NATION, Accepted, awards_by_level, ranking, unit_counters
from shared.union_tree import UnionTree

METRICS = {"initiatives": "submitted", "votes": "votes", "awards": "awards"}


@dataclass
class Comparison:
    rows: list[tuple[str, Any, Any]] = field(default_factory=list)

    def add(self, what: str, expected: Any, actual: Any) -> None:
        self.rows.append((what, expected, actual))

    @property
    def differences(self) -> list[tuple[str, Any, Any]]:
        return [r for r in self.rows if r[1] != r[2]]

    def print(self, console: Console, *, all_rows: bool = False) -> None:
        table = Table(title="Đối chiếu / expected vs live tally")
        for col in ("what", "sent (expected)", "tally (live)", "ok"):
            table.add_column(col)
        shown = self.rows if all_rows else [r for r in self.rows if r[1] != r[2] or r[0].startswith("nation")]
        for what, expected, actual in shown:
            table.add_row(what, str(expected), str(actual), "yes" if expected == actual else "[red]NO[/red]")
        console.print(table)
        console.print(f"{len(self.rows)} comparisons, {len(self.differences)} differences")


async def totals(api: Api, campaign_id: str) -> dict[str, Any] | None:
    response = await api.call("tally", "GET", f"/v1/campaigns/{campaign_id}/totals", ok=(200, 404, 503))
    return response.json() if response.status_code == 200 else None


async def settle(api: Api, accepted: Accepted, campaign_id: str, *, within: float) -> float:
    """Wait until the national counters reach what was sent; return how long it took."""
    want = unit_counters(accepted)[NATION]
    started = asyncio.get_running_loop().time()
    while True:
        got = await totals(api, campaign_id)
        if got is not None and all(got.get(k) == v for k, v in want.items()):
            return asyncio.get_running_loop().time() - started
        if asyncio.get_running_loop().time() - started > within:
            return -1.0
        await asyncio.sleep(0.5)


async def compare(api: Api, tree: UnionTree, accepted: Accepted, campaign_id: str) -> Comparison:
    expected = unit_counters(accepted)
    result = Comparison()
    got = await totals(api, campaign_id) or {}
    for name, value in expected[NATION].items():
        result.add(f"nation {name}", value, got.get(name))
    result.add("nation awards by level", awards_by_level(accepted), got.get("awards_by_level"))

    level2 = [u.id for u in tree.children("VGCL")]
    vgcl = (await api.call("tally", "GET", f"/v1/campaigns/{campaign_id}/units/VGCL")).json()
    live_children = {row["unit_id"]: row for row in vgcl["children"]}
    for unit in level2:
        for name in ("submitted", "votes", "benefit", "recognised", "awards"):
            want = expected[unit][name] if unit in expected else 0
            result.add(f"{unit} {name}", want, live_children.get(unit, {}).get(name, 0))

    busiest = max(level2, key=lambda u: expected[u]["submitted"] if u in expected else 0)
    unit = (await api.call("tally", "GET", f"/v1/campaigns/{campaign_id}/units/{busiest}")).json()
    for row in unit["children"]:
        want = expected[row["unit_id"]]["submitted"] if row["unit_id"] in expected else 0
        result.add(f"{row['unit_id']} submitted (under {busiest})", want, row["submitted"])

    for metric, counter in METRICS.items():
        live = (await api.call("tally", "GET", f"/v1/campaigns/{campaign_id}/rankings",
                               params={"metric": metric, "limit": 10})).json()["ranking"]
        want_rows = ranking(expected, level2, counter, 10)
        result.add(f"top-10 level-2 units by {metric}", want_rows, [(r["unit_id"], r["value"]) for r in live])

    top = (await api.call("tally", "GET", f"/v1/campaigns/{campaign_id}/top-initiatives",
                          params={"limit": 10})).json()["initiatives"]
    want_votes = sorted((i.votes for i in accepted.counted() if i.votes > 0), reverse=True)[:10]
    result.add("top-10 initiatives' votes", want_votes, [i["votes"] for i in top])
    return result
