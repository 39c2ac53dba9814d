"""Event contracts of all sangkien services: frozen pydantic models, one per event type.

An event's ``type`` is its RabbitMQ routing key. Ids are derived from domain identity
(aggregate id + version, or campaign + initiative + member for a vote), so a re-publish
of the same fact is the same event. Every initiative, review and award event carries the
aggregate's full public state after the change plus its ``version``: a consumer keeps the
highest version it has seen, which makes any delivery order converge to the same state.
Member identity and confidential details never appear here.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Literal, TypeAlias

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

SCHEMA_VERSION = 1
# Real events are a few KB; a consumer refuses (dead-letters) anything far larger instead of parsing it.
MAX_EVENT_BYTES = 262_144
EVENT_ID_NAMESPACE = uuid.UUID("6f1d3c1e-75a0-4b8e-9d2a-2021a75c0000")
# The key of vote ids outside production (production refuses it: see ``Settings.vote_id_secret``).
DEV_VOTE_ID_KEY = b"sangkien-dev-vote-id-key-do-not-use-in-production-0123"

# A campaign id as the submission service accepts it at creation; readers validate ids they are given with it.
CAMPAIGN_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,63}$"
UnitPath: TypeAlias = Annotated[tuple[str, ...], Field(min_length=1, max_length=4)]


def derive_id(*parts: object) -> uuid.UUID:
    """A deterministic UUID (v5) for a domain identity such as ("vote", campaign, initiative, member)."""
    return uuid.uuid5(EVENT_ID_NAMESPACE, ":".join(str(p) for p in parts))


def vote_id_for(
    campaign_id: str, initiative_id: uuid.UUID, member_id: str, *, key: bytes = DEV_VOTE_ID_KEY,
) -> uuid.UUID:
    """One member's vote for one initiative in one campaign has exactly one id, and only the key holder can
    tell whose it is.

    HMAC-SHA256 under ``key`` (``SANGKIEN_VOTE_ID_KEY``) over ``vote:campaign:initiative:member``, its first
    16 bytes as a version-8 UUID (RFC 9562). A public uuid5 would let anyone holding a member id recompute the
    id and find that member's vote on the bus, in the feeds and in tally's seen markers.

    The id is derived once, when the vote is first stored; the stored row is the truth from then on (a repeat
    vote is answered with the id in its row, see ``services/submission/handlers/votes.py``; the outbox keeps
    the published payload, so a re-publish or a replay carries the same id). So votes stored before a key
    change, or under the earlier uuid5 scheme, keep their ids and their events: a deployment keeps its
    campaigns' ids just by keeping its database. The key must still never change while a campaign takes
    votes: the campaign's ids would come from two keys, so any check that recomputes a member's vote id (an
    audit, reconciling accepted votes against the feeds) fails for part of it, and a rotation protects nothing
    already published (those ids stay linkable by whoever holds the old key). Change it between campaigns.
    """
    message = ":".join(("vote", campaign_id, str(initiative_id), member_id)).encode()
    digest = bytearray(hmac.new(key, message, hashlib.sha256).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x80  # version 8: custom
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122/9562 variant
    return uuid.UUID(bytes=bytes(digest))


def utc_now() -> datetime:
    return datetime.now(UTC)


class InitiativeStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class AuthorCategory(StrEnum):
    """Which Bằng Lao động sáng tạo benefit threshold applies to an author (DOMAIN.md)."""

    WORKER = "worker"  # trained to college level or below
    GRADUATE = "graduate"  # university graduate without a management role
    MANAGER = "manager"


class AwardKind(StrEnum):
    GIAY_KHEN = "giay_khen"  # levels 4 and 3
    BANG_KHEN = "bang_khen"  # level 2
    BANG_KHEN_TLD = "bang_khen_tld"  # level 1: Bằng khen của Ban Chấp hành Tổng Liên đoàn
    BANG_LAO_DONG_SANG_TAO = "bang_lao_dong_sang_tao"  # level 1


class AwardGrade(StrEnum):
    TIEU_BIEU = "tieu_bieu"
    XUAT_SAC = "xuat_sac"


class ReviewDecision(StrEnum):
    RECOGNISED = "recognised"
    NOT_RECOGNISED = "not_recognised"
    RETURNED = "returned"
    SCORED = "scored"
    NOMINATED = "nominated"
    SELECTED = "selected"


class EventBase(BaseModel):
    """Fields every event carries. Unknown fields are ignored (forward compatible)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: uuid.UUID
    type: str
    schema_version: int = SCHEMA_VERSION
    occurred_at: AwareDatetime
    campaign_id: Annotated[str, Field(min_length=1, max_length=64)]

    @field_validator("occurred_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @property
    def routing_key(self) -> str:
        return self.type


class CampaignConfigured(EventBase):
    """A campaign was created or reconfigured; carries what consumers need to judge windows and quotas."""

    type: Literal["campaign.configured"] = "campaign.configured"
    version: int = Field(ge=1)
    name: str
    target: int = Field(ge=0)
    submission_opens_at: AwareDatetime
    submission_closes_at: AwareDatetime
    voting_opens_at: AwareDatetime
    voting_closes_at: AwareDatetime
    review_opens_at: AwareDatetime | None = None
    national_selection_opens_at: AwareDatetime | None = None
    fields: tuple[str, ...] = ()
    quotas: dict[str, int] = Field(default_factory=dict)  # level-2 unit id -> target initiatives

    @classmethod
    def make(cls, *, campaign_id: str, version: int, **state: object) -> CampaignConfigured:
        return cls(
            event_id=derive_id("campaign.configured", campaign_id, version),
            occurred_at=utc_now(),
            campaign_id=campaign_id,
            version=version,
            **state,  # type: ignore[arg-type]
        )


class InitiativeState(EventBase):
    """The public, countable state of an initiative after a change (no authors, no confidential details)."""

    initiative_id: uuid.UUID
    version: int = Field(ge=1)
    status: InitiativeStatus
    unit_path: UnitPath  # root (VGCL) first, grassroots union last, as of the event
    field: str = Field(max_length=64)
    title: str = Field(max_length=500)
    effectiveness_summary: str = Field("", max_length=4000)
    benefit_vnd: int = Field(0, ge=0)
    confidential: bool = False
    submitted_at: AwareDatetime | None = None
    author_count: int = Field(1, ge=1)
    author_categories: tuple[AuthorCategory, ...] = ()
    record_complete: bool = False

    @property
    def unit_id(self) -> str:
        return self.unit_path[-1]

    @classmethod
    def make(cls, *, campaign_id: str, initiative_id: uuid.UUID, version: int, **state: object) -> InitiativeState:
        type_ = cls.model_fields["type"].default
        return cls(
            event_id=derive_id(type_, initiative_id, version),
            occurred_at=utc_now(),
            campaign_id=campaign_id,
            initiative_id=initiative_id,
            version=version,
            **state,  # type: ignore[arg-type]
        )


class InitiativeDrafted(InitiativeState):
    type: Literal["initiative.drafted"] = "initiative.drafted"


class InitiativeSubmitted(InitiativeState):
    type: Literal["initiative.submitted"] = "initiative.submitted"


class InitiativeUpdated(InitiativeState):
    type: Literal["initiative.updated"] = "initiative.updated"


class InitiativeWithdrawn(InitiativeState):
    type: Literal["initiative.withdrawn"] = "initiative.withdrawn"
    reason: str = Field("", max_length=2000)


class VoteCast(EventBase):
    """A member voted for an initiative. Carries the vote id, never who voted."""

    type: Literal["vote.cast"] = "vote.cast"
    vote_id: uuid.UUID
    initiative_id: uuid.UUID
    unit_path: UnitPath

    @classmethod
    def make(
        cls, *, campaign_id: str, initiative_id: uuid.UUID, unit_path: tuple[str, ...],
        member_id: str | None = None, vote_id: uuid.UUID | None = None, vote_id_key: bytes = DEV_VOTE_ID_KEY,
        occurred_at: datetime | None = None,
    ) -> VoteCast:
        """The event of a stored vote: from its ``vote_id``, or (tests, benchmarks) derived from ``member_id``."""
        if vote_id is None:
            if member_id is None:
                raise ValueError("a vote event needs its vote id or the member who voted")
            vote_id = vote_id_for(campaign_id, initiative_id, member_id, key=vote_id_key)
        return cls(
            event_id=derive_id("vote.cast", vote_id),
            occurred_at=occurred_at or utc_now(),
            campaign_id=campaign_id,
            vote_id=vote_id,
            initiative_id=initiative_id,
            unit_path=unit_path,
        )


class ReviewDecided(EventBase):
    """A reviewer acted on a review case; carries the case's state after the action."""

    type: Literal["review.decided"] = "review.decided"
    case_id: uuid.UUID
    initiative_id: uuid.UUID
    unit_path: UnitPath  # the initiative's path
    version: int = Field(ge=1)  # the case's version after this decision
    decision: ReviewDecision
    level: int = Field(ge=1, le=4)  # level of the unit that decided
    deciding_unit_id: str
    recognised_levels: tuple[int, ...] = ()  # levels that recognise the initiative now
    current_level: int = Field(ge=1, le=4)  # level where the case now waits
    score: float | None = None

    @classmethod
    def make(cls, *, campaign_id: str, case_id: uuid.UUID, version: int, **state: object) -> ReviewDecided:
        return cls(
            event_id=derive_id("review.decided", case_id, version),
            occurred_at=utc_now(),
            campaign_id=campaign_id,
            case_id=case_id,
            version=version,
            **state,  # type: ignore[arg-type]
        )


def award_id_for(initiative_id: uuid.UUID, level: int, kind: AwardKind, theme: str | None = None) -> uuid.UUID:
    return derive_id("award", initiative_id, level, kind.value, theme or "")


class AwardState(EventBase):
    award_id: uuid.UUID
    initiative_id: uuid.UUID
    unit_path: UnitPath  # the initiative's path
    version: int = Field(ge=1)  # the award's version after this change
    level: int = Field(ge=1, le=4)
    granting_unit_id: str
    kind: AwardKind
    grade: AwardGrade | None = None
    theme: str | None = None

    @classmethod
    def make(cls, *, campaign_id: str, award_id: uuid.UUID, version: int, **state: object) -> AwardState:
        type_ = cls.model_fields["type"].default
        return cls(
            event_id=derive_id(type_, award_id, version),
            occurred_at=utc_now(),
            campaign_id=campaign_id,
            award_id=award_id,
            version=version,
            **state,  # type: ignore[arg-type]
        )


class AwardGranted(AwardState):
    type: Literal["award.granted"] = "award.granted"


class AwardRevoked(AwardState):
    type: Literal["award.revoked"] = "award.revoked"
    reason: str = Field("", max_length=2000)


Event: TypeAlias = Annotated[
    CampaignConfigured
    | InitiativeDrafted
    | InitiativeSubmitted
    | InitiativeUpdated
    | InitiativeWithdrawn
    | VoteCast
    | ReviewDecided
    | AwardGranted
    | AwardRevoked,
    Field(discriminator="type"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
EVENT_TYPES: dict[str, type[EventBase]] = {
    cls.model_fields["type"].default: cls
    for cls in (
        CampaignConfigured, InitiativeDrafted, InitiativeSubmitted, InitiativeUpdated, InitiativeWithdrawn,
        VoteCast, ReviewDecided, AwardGranted, AwardRevoked,
    )
}
INITIATIVE_EVENTS = (InitiativeDrafted, InitiativeSubmitted, InitiativeUpdated, InitiativeWithdrawn)


class InvalidEventError(ValueError):
    """A message that is not a valid event of a known type (it belongs in the dead-letter queue)."""


def parse_event(raw: bytes | str) -> Event:
    """Parse and validate one event from JSON; raise ``InvalidEventError`` with a one-line reason."""
    if len(raw) > MAX_EVENT_BYTES:
        raise InvalidEventError(f"event of {len(raw)} bytes is larger than {MAX_EVENT_BYTES}")
    try:
        return EVENT_ADAPTER.validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise InvalidEventError(f"invalid event ({where}): {first.get('msg')}") from exc


def dump_event(event: EventBase) -> bytes:
    """The wire form of an event: UTF-8 JSON."""
    return event.model_dump_json().encode()
