"""What the simulator sent and the platform accepted, and the counters that must follow from it (pure)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field as dc_field

NATION = "*"


@dataclass
class SentInitiative:
    initiative_id: str
    owner: str
    unit_path: tuple[str, ...]
    field: str
    benefit_vnd: int
    submitted: bool = False
    officer_unit: str | None = None  # entered by this unit's officer (bulk import), who owns it
    withdrawn: bool = False
    votes: int = 0
    recognised_levels: frozenset[int] = frozenset()
    awards: dict[str, tuple[int, str, str | None]] = dc_field(default_factory=dict)  # award id → (level, kind, grade)
    confidential: bool = False  # a technology secret: its benefit is in no public sum

    @property
    def counted(self) -> bool:
        return self.submitted and not self.withdrawn


@dataclass
class Accepted:
    """Everything the platform answered 2xx to, keyed by initiative id."""

    initiatives: dict[str, SentInitiative] = dc_field(default_factory=dict)
    votes_sent: int = 0
    votes_accepted: int = 0
    votes_repeated: int = 0

    def counted(self) -> list[SentInitiative]:
        return [i for i in self.initiatives.values() if i.counted]


COUNTERS = ("submitted", "votes", "benefit", "recognised", "awards")


def unit_counters(accepted: Accepted) -> dict[str, dict[str, int]]:
    """Counters per unit id (and ``*`` for the nation), the same rollup tally must hold."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for initiative in accepted.counted():
        add = {
            "submitted": 1, "votes": initiative.votes,
            "benefit": 0 if initiative.confidential else initiative.benefit_vnd,  # tally sums no secret's benefit
            "recognised": int(bool(initiative.recognised_levels)), "awards": len(initiative.awards),
        }
        for unit in (NATION, *initiative.unit_path):
            for name, value in add.items():
                out[unit][name] += value
    return out


def awards_by_level(accepted: Accepted) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for initiative in accepted.counted():
        for level, _, _ in initiative.awards.values():
            out[str(level)] += 1
    return dict(out)


def ranking(counters: dict[str, dict[str, int]], units: list[str], metric: str, limit: int) -> list[tuple[str, int]]:
    """Units by ``metric`` descending, ties by unit id ascending; units at zero are not ranked."""
    rows = [(u, counters[u][metric]) for u in units if u in counters and counters[u][metric] > 0]
    rows.sort(key=lambda r: (-r[1], r[0]))
    return rows[:limit]
