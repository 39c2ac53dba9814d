"""Turn one event into the arguments of the apply script: pure, no I/O.

Two ways in, with identical results for the same event: ``script_call`` takes the event's JSON object
(the rebuild reads trusted feed pages and goes straight from ``orjson`` dicts to arguments), and
``event_call`` takes an event the worker has already validated against the pydantic contracts; votes,
nearly every message, take a direct path there without a round trip through a dict.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.events import CampaignConfigured, Event, InvalidEventError, VoteCast
from shared.union_tree import UnionTree

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNCONFIGURED = 2  # the apply script's answer for an event of a campaign with no configuration (nothing written)
INITIATIVE_TYPES = frozenset({"initiative.drafted", "initiative.submitted", "initiative.updated",
                              "initiative.withdrawn"})


def local_day(timestamp: str | datetime) -> str:
    """The Asia/Ho_Chi_Minh calendar date (YYYY-MM-DD) of an aware timestamp."""
    moment = datetime.fromisoformat(timestamp) if isinstance(timestamp, str) else timestamp
    if moment.tzinfo is None:
        raise InvalidEventError(f"timestamp without a time zone: {timestamp!r}")
    return moment.astimezone(LOCAL_TZ).date().isoformat()


@dataclass(frozen=True, slots=True)
class ScriptCall:
    """One apply-script call: the event id (16 raw bytes), its campaign, a type code and its arguments."""

    event_id: bytes
    campaign_id: str
    code: str
    args: tuple[str | int, ...]


def award_state(event: Mapping[str, Any]) -> str:
    """An award's countable state: ``level|kind|grade`` while granted, empty once revoked."""
    if event["type"] == "award.revoked":
        return ""
    return f"{int(event['level'])}|{event['kind']}|{event.get('grade') or '-'}"


def recognised_levels(event: Mapping[str, Any]) -> str:
    return ",".join(str(level) for level in sorted({int(x) for x in event.get("recognised_levels") or ()}))


def countable(event: Mapping[str, Any], tree: UnionTree) -> bool:
    """Whether an event (JSON object) may count: its version, if any, at least 1 and its unit path, if any, a real
    path of the tree. The worker dead-letters the others (``check_event``); the fold and the rebuild skip them."""
    try:
        if "version" in event and int(event["version"]) < 1:
            return False
        path = event.get("unit_path")
        return event.get("type") == "campaign.configured" or (isinstance(path, list | tuple) and tree.is_path(path))
    except (TypeError, ValueError):
        return False


def check_event(event: Event, tree: UnionTree) -> None:
    """Raise ``InvalidEventError`` for a validated event that must not count: a unit path that is not a real path
    of the union tree (an unknown unit, a unit under the wrong parent); versions below 1 the contracts refuse."""
    if type(event) is CampaignConfigured:
        return
    path: tuple[str, ...] = getattr(event, "unit_path", ())
    if not tree.is_path(path):
        raise InvalidEventError(f"unit path {list(path)!r} is not a path of the union tree")


def script_call(event: Mapping[str, Any]) -> ScriptCall:
    """Arguments for one event; raise ``InvalidEventError`` for a type tally does not know."""
    try:
        type_ = event["type"]
        event_id = uuid.UUID(str(event["event_id"])).bytes
        campaign = str(event["campaign_id"])
        if type_ in INITIATIVE_TYPES:
            submitted_at = event.get("submitted_at")
            return ScriptCall(event_id, campaign, "I", (
                str(event["initiative_id"]), int(event["version"]), str(event["status"]),
                ",".join(event["unit_path"]), str(event["field"]),
                local_day(submitted_at) if submitted_at else "", int(event.get("benefit_vnd") or 0),
                str(event.get("title") or ""), "1" if event.get("confidential") else "0",
            ))
        if type_ == "vote.cast":
            return ScriptCall(event_id, campaign, "V", (str(event["initiative_id"]), local_day(event["occurred_at"])))
        if type_ == "review.decided":
            return ScriptCall(event_id, campaign, "R", (
                str(event["initiative_id"]), str(event["case_id"]), int(event["version"]), recognised_levels(event),
            ))
        if type_ in ("award.granted", "award.revoked"):
            return ScriptCall(event_id, campaign, "A", (
                str(event["initiative_id"]), str(event["award_id"]), int(event["version"]), award_state(event),
            ))
        if type_ == "campaign.configured":
            quotas = event.get("quotas") or {}
            flat: list[str | int] = []
            for unit_id, quota in sorted(quotas.items()):
                flat += [str(unit_id), int(quota)]
            return ScriptCall(event_id, campaign, "C", (
                int(event["version"]), int(event["target"]), str(event.get("name") or ""), *flat,
            ))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidEventError(f"event cannot be counted: {exc!r}") from exc
    raise InvalidEventError(f"unknown event type {event.get('type')!r}")


def vote_call(event: VoteCast) -> ScriptCall:
    """The fast path for the dominant event: the same arguments ``script_call`` builds from its JSON object."""
    return ScriptCall(event.event_id.bytes, event.campaign_id, "V",
                      (str(event.initiative_id), local_day(event.occurred_at)))


def event_call(event: Event) -> ScriptCall:
    """Arguments for one validated event (votes directly, other types through their JSON form).

    Ids come out in their canonical text form, whatever spelling of the UUID the message used; the services'
    own events (and so the feeds the rebuild reads) are always written in that form.
    """
    if type(event) is VoteCast:
        return vote_call(event)
    return script_call(event.model_dump(mode="json"))
