"""The pure fold: an event history → the counters tally must hold. No I/O.

This is the specification of the Lua apply script written a second time, plainly: deduplicate by
event id, keep each aggregate's highest version, then add up what every initiative contributes.
What the worker dead-letters is left out: an event whose unit path is not a real path of the union tree, or
whose version is below 1, and every event of a campaign the history never configures.
The property test, ``reconcile`` and the documentation all rely on it. The result uses the same
relative key names as Redis (``campaigns``, ``c:<campaign>:u:<unit>`` …, see ``services.tally.keys``),
with every value as a string and zero counters left out, exactly as the script leaves Redis.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from services.tally.domain.args import INITIATIVE_TYPES, award_state, countable, local_day, recognised_levels
from services.tally.keys import NATION
from shared.union_tree import UnionTree, get_tree

Snapshot = dict[str, dict[str, str]]


@dataclass
class Initiative:
    """One initiative aggregate: its latest state, its votes per day, its cases and awards."""

    version: int = 0
    status: str = ""
    path: tuple[str, ...] = ()
    field: str = ""
    submit_day: str = ""
    benefit: int = 0
    title: str = ""
    confidential: bool = False
    votes_by_day: dict[str, int] = dc_field(default_factory=lambda: defaultdict(int))
    cases: dict[str, tuple[int, str]] = dc_field(default_factory=dict)  # case id -> (version, levels csv)
    awards: dict[str, tuple[int, str]] = dc_field(default_factory=dict)  # award id -> (version, state)


@dataclass
class Campaign:
    config: tuple[int, Mapping[str, Any]] | None = None
    initiatives: dict[str, Initiative] = dc_field(default_factory=lambda: defaultdict(Initiative))
    events: int = 0  # events that changed state, in the order folded (the script's ``ver`` change counter)
    event_ids: list[str] = dc_field(default_factory=list)  # the countable events folded

    @property
    def configured(self) -> bool:
        """Only a configured campaign counts: the worker requeues (and finally dead-letters) the others' events."""
        return self.config is not None


def fold_campaigns(events: Iterable[Mapping[str, Any]]) -> dict[str, Campaign]:
    """The folded aggregates of a history, per campaign."""
    return _fold_aggregates(events)


def _fold_aggregates(events: Iterable[Mapping[str, Any]]) -> dict[str, Campaign]:
    campaigns: dict[str, Campaign] = defaultdict(Campaign)
    fold_into(campaigns, set(), events)
    return campaigns


def fold_into(
    campaigns: dict[str, Campaign], seen: set[str], events: Iterable[Mapping[str, Any]], tree: UnionTree | None = None,
) -> list[str]:
    """Fold more events into ``campaigns`` (``seen``: event ids folded so far); return the new countable event ids."""
    tree = tree or get_tree()
    new: list[str] = []
    for event in events:
        event_id = str(event["event_id"])
        if event_id in seen:
            continue
        seen.add(event_id)
        if not countable(event, tree):
            continue
        new.append(event_id)
        campaign = campaigns[str(event["campaign_id"])]
        campaign.event_ids.append(event_id)
        type_ = event["type"]
        if type_ == "campaign.configured":
            if campaign.config is None or campaign.config[0] < int(event["version"]):
                campaign.config = (int(event["version"]), event)
                campaign.events += 1
            continue
        initiative = campaign.initiatives[str(event["initiative_id"])]
        if type_ == "vote.cast":
            campaign.events += 1
            initiative.votes_by_day[local_day(event["occurred_at"])] += 1
        elif type_ in INITIATIVE_TYPES:
            if int(event["version"]) > initiative.version:
                campaign.events += 1
                initiative.version = int(event["version"])
                initiative.status = str(event["status"])
                initiative.path = tuple(event["unit_path"])
                initiative.field = str(event["field"])
                submitted_at = event.get("submitted_at")
                initiative.submit_day = local_day(submitted_at) if submitted_at else ""
                initiative.benefit = int(event.get("benefit_vnd") or 0)
                initiative.title = str(event.get("title") or "")
                initiative.confidential = bool(event.get("confidential"))
        elif type_ == "review.decided":
            case = str(event["case_id"])
            if int(event["version"]) > initiative.cases.get(case, (0, ""))[0]:
                campaign.events += 1
                initiative.cases[case] = (int(event["version"]), recognised_levels(event))
        elif type_ in ("award.granted", "award.revoked"):
            award = str(event["award_id"])
            if int(event["version"]) > initiative.awards.get(award, (0, ""))[0]:
                campaign.events += 1
                initiative.awards[award] = (int(event["version"]), award_state(event))
    return new


def _unit_counters(initiative: Initiative) -> dict[str, int]:
    """What a counted (submitted) initiative adds to each of its units' hashes and its field's hash."""
    levels = {lv for _, csv in initiative.cases.values() if csv for lv in csv.split(",")}
    counters = {
        "submitted": 1,
        "votes": sum(initiative.votes_by_day.values()),
        "benefit": 0 if initiative.confidential else initiative.benefit,  # a secret's benefit stays private
        "recognised": int(any(csv for _, csv in initiative.cases.values())),
        **{f"rec:{lv}": 1 for lv in levels},
    }
    granted = [state for _, state in initiative.awards.values() if state]
    counters["awards"] = len(granted)
    for state in granted:
        level, kind, grade = state.split("|")
        for name in (f"aw:{level}", f"awk:{kind}") + ((f"awg:{grade}",) if grade != "-" else ()):
            counters[name] = counters.get(name, 0) + 1
    return counters


def fold(events: Iterable[Mapping[str, Any]]) -> Snapshot:
    """The exact counters for a history given in any order, with any duplicates."""
    return counters_of(_fold_aggregates(events))


def counters_of(campaigns: Mapping[str, Campaign]) -> Snapshot:
    """The counters (in the snapshot's form) of folded aggregates."""
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    snapshot: Snapshot = {"campaigns": {c: "1" for c, campaign in campaigns.items() if campaign.configured}}
    for campaign_id, campaign in campaigns.items():
        if not campaign.configured:
            continue
        c = f"c:{campaign_id}:"
        if campaign.config is not None:
            version, cfg = campaign.config
            snapshot[c + "cfg"] = {
                "v": str(version), "target": str(int(cfg["target"])), "name": str(cfg.get("name") or ""),
            }
            quotas = {str(u): str(int(q)) for u, q in (cfg.get("quotas") or {}).items()}
            if quotas:
                snapshot[c + "q"] = quotas
        for initiative_id, initiative in campaign.initiatives.items():
            units = (NATION, *initiative.path)
            if initiative.status == "withdrawn":
                for key in [f"u:{u}" for u in units] + [f"f:{initiative.field}"]:
                    sums[c + key]["withdrawn"] += 1
                continue
            if initiative.status != "submitted":
                continue
            counters = _unit_counters(initiative)
            for key in [f"u:{u}" for u in units] + [f"f:{initiative.field}"]:
                for name, value in counters.items():
                    sums[c + key][name] += value
            for u in units:
                if initiative.submit_day:
                    sums[c + f"d:{initiative.submit_day}"][f"{u}:s"] += 1
                for day, count in initiative.votes_by_day.items():
                    sums[c + f"d:{day}"][f"{u}:v"] += count
                if u == NATION or not initiative.confidential:  # a secret is ranked only nationally
                    sums[c + f"ri:{u}"][initiative_id] -= counters["votes"]
            for parent, child in zip(initiative.path, initiative.path[1:], strict=False):
                sums[c + f"r:i:{parent}"][child] -= 1
                sums[c + f"r:v:{parent}"][child] -= counters["votes"]
                sums[c + f"r:a:{parent}"][child] -= counters["awards"]
    for key, values in sums.items():
        kept = {name: str(value) for name, value in values.items() if value != 0}
        if kept:
            snapshot[key] = kept
    return snapshot
