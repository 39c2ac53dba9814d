"""Builders of valid event histories for tally tests (campaigns, initiatives, votes, reviews, awards)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from shared.events import (
    AwardGranted,
    AwardKind,
    AwardRevoked,
    CampaignConfigured,
    EventBase,
    InitiativeDrafted,
    InitiativeSubmitted,
    InitiativeUpdated,
    InitiativeWithdrawn,
    ReviewDecided,
    VoteCast,
    dump_event,
)

START = datetime(2021, 3, 10, 1, 0, tzinfo=UTC)
PATHS = (
    ("VGCL", "P24", "P24-03", "P24-03-007"),
    ("VGCL", "P24", "P24-01", "P24-01-001"),
    ("VGCL", "P40", "P40-01", "P40-01-002"),
    ("VGCL", "P01", "P01-02"),
)
FIELDS = ("ATVSLĐ", "Môi trường", "Cải cách hành chính")
STATE_TYPES = {"drafted": InitiativeDrafted, "submitted": InitiativeSubmitted, "updated": InitiativeUpdated,
               "withdrawn": InitiativeWithdrawn}


def campaign(campaign_id: str = "c2021", version: int = 1, target: int = 75_000,
             quotas: dict[str, int] | None = None) -> CampaignConfigured:
    return CampaignConfigured.make(
        campaign_id=campaign_id, version=version, name="75 nghìn sáng kiến vượt khó, phát triển", target=target,
        submission_opens_at=START, submission_closes_at=START + timedelta(days=41),
        voting_opens_at=START, voting_closes_at=START + timedelta(days=41),
        quotas=quotas or {"P24": 8000, "P40": 6000}, fields=FIELDS,
    )


def initiative_state(kind: str, *, initiative_id: uuid.UUID, version: int, path: tuple[str, ...], field: str,
                     campaign_id: str = "c2021", benefit: int = 0, day: int = 0, confidential: bool = False,
                     title: str | None = None) -> EventBase:
    status = {"drafted": "draft", "submitted": "submitted", "updated": "submitted", "withdrawn": "withdrawn"}[kind]
    return STATE_TYPES[kind].make(
        campaign_id=campaign_id, initiative_id=initiative_id, version=version, status=status, unit_path=path,
        field=field, title=title or f"Sáng kiến {str(initiative_id)[:8]}", benefit_vnd=benefit,
        confidential=confidential, effectiveness_summary="Tiết kiệm chi phí",
        submitted_at=None if kind == "drafted" else START + timedelta(days=day, hours=20),
    )


def vote(initiative_id: uuid.UUID, member: str, *, day: int = 0, path: tuple[str, ...] = PATHS[0],
         campaign_id: str = "c2021") -> VoteCast:
    return VoteCast.make(campaign_id=campaign_id, initiative_id=initiative_id, member_id=member, unit_path=path,
                         occurred_at=START + timedelta(days=day, hours=18))


def review(initiative_id: uuid.UUID, case_id: uuid.UUID, version: int, levels: tuple[int, ...],
           path: tuple[str, ...] = PATHS[0], campaign_id: str = "c2021") -> ReviewDecided:
    return ReviewDecided.make(
        campaign_id=campaign_id, case_id=case_id, version=version, initiative_id=initiative_id, unit_path=path,
        decision="recognised" if levels else "not_recognised", level=4, deciding_unit_id=path[-1],
        recognised_levels=levels, current_level=3,
    )


def award(initiative_id: uuid.UUID, award_id: uuid.UUID, version: int, *, granted: bool, level: int = 2,
          kind: AwardKind = AwardKind.BANG_KHEN, grade: str | None = None, path: tuple[str, ...] = PATHS[0],
          campaign_id: str = "c2021") -> EventBase:
    cls = AwardGranted if granted else AwardRevoked
    return cls.make(campaign_id=campaign_id, award_id=award_id, version=version, initiative_id=initiative_id,
                    unit_path=path, level=level, granting_unit_id=path[min(level, len(path)) - 1], kind=kind,
                    grade=grade)


def as_dicts(events: list[EventBase]) -> list[dict[str, Any]]:
    return [orjson.loads(dump_event(e)) for e in events]
