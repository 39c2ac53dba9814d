"""What the apply script leaves in one generation after a whole history, computed in Python for a bulk write.

The rebuild folds the feeds in Python (``fold.fold_into``) and writes the result in a few pipelined round
trips instead of one script call per event. Everything here mirrors ``adapters/apply.lua``: the counters
come from ``fold.counters_of`` (the specification the property tests hold the script to), and the per-
initiative aggregates (``i:<id>``), the ``ver`` change counters and the ``days``/``fields``/``campaigns``
indexes are laid out field for field as the script writes them, so that live events applied by the
script after the rebuild find exactly the state they would have found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from services.tally.domain.fold import Campaign, Initiative, counters_of

ZSET_PREFIXES = ("ri:", "r:")


@dataclass
class BulkState:
    """Keys relative to a generation prefix (``<ns>:t:<g>:``), grouped by Redis type."""

    hashes: dict[str, dict[str, str]] = field(default_factory=dict)
    zsets: dict[str, dict[str, int]] = field(default_factory=dict)
    sets: dict[str, set[str]] = field(default_factory=dict)
    strings: dict[str, str] = field(default_factory=dict)


def aggregate_fields(initiative: Initiative, votes_by_day: Mapping[str, int], known: bool) -> dict[str, str]:
    """The ``i:<id>`` hash as the script leaves it (``known``: an initiative.* event was seen)."""
    out: dict[str, str] = {}
    if known:
        out.update({
            "v": str(initiative.version), "st": initiative.status, "p": ",".join(initiative.path),
            "f": initiative.field, "sd": initiative.submit_day, "b": str(initiative.benefit),
            "t": initiative.title, "c": "1" if initiative.confidential else "0",
        })
    total = sum(votes_by_day.values())
    if total:
        out["n"] = str(total)
        out.update({f"vd:{day}": str(count) for day, count in votes_by_day.items()})
    for case, (version, levels) in initiative.cases.items():
        out[f"cv:{case}"], out[f"cr:{case}"] = str(version), levels
    for award, (version, state) in initiative.awards.items():
        out[f"av:{award}"], out[f"as:{award}"] = str(version), state
    return out


def bulk_state(campaigns: Mapping[str, Campaign]) -> BulkState:
    """The whole generation for folded ``campaigns``."""
    state = BulkState(sets={"campaigns": {c for c, campaign in campaigns.items() if campaign.configured}})
    for key, values in counters_of(campaigns).items():
        if key == "campaigns":
            continue
        rel = key.split(":", 2)[2]  # c:<campaign>:<rel>
        if rel.startswith(ZSET_PREFIXES):
            state.zsets[key] = {member: int(score) for member, score in values.items()}
        else:
            state.hashes[key] = dict(values)
    for campaign_id, campaign in campaigns.items():
        if not campaign.configured:
            continue  # the live path writes nothing for a campaign never configured
        c = f"c:{campaign_id}:"
        state.strings[c + "ver"] = str(campaign.events)
        days: set[str] = set()
        fields: set[str] = set()
        for initiative_id, initiative in campaign.initiatives.items():
            known = initiative.version > 0
            state.hashes[c + f"i:{initiative_id}"] = aggregate_fields(initiative, initiative.votes_by_day, known)
            if initiative.status in ("submitted", "withdrawn"):
                # the script indexes a day or field when a counter there first goes up, and never removes it
                fields.add(initiative.field)
                if initiative.submit_day:
                    days.add(initiative.submit_day)
                if initiative.status == "submitted":
                    days.update(d for d, n in initiative.votes_by_day.items() if n)
        for key in state.hashes:
            if key.startswith(c + "d:"):
                days.add(key[len(c) + 2:])
        if days:
            state.sets[c + "days"] = days
        if fields:
            state.sets[c + "fields"] = fields
    return state
