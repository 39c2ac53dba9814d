"""The review case and its state machine: every allowed transition is one row of ``TRANSITIONS``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from enum import StrEnum

from shared.events import AwardGrade, derive_id


class CaseStatus(StrEnum):
    PENDING = "pending"  # waiting for the reviewers of the unit at ``current_level``
    RETURNED = "returned"  # returned to the authors; waits for an initiative.updated with a higher version
    RECOGNISED = "recognised"  # recognised at ``current_level``: may be scored, awarded, nominated
    NOT_RECOGNISED = "not_recognised"  # stopped at ``current_level`` (lower-level results stand)
    SELECTED = "selected"  # VGCL selected it as "tiêu biểu" or "xuất sắc"
    WITHDRAWN = "withdrawn"  # the authors withdrew the initiative


class Action(StrEnum):
    RECOGNISE = "recognise"
    NOT_RECOGNISE = "not_recognise"
    RETURN = "return"
    SCORE = "score"
    GRANT = "grant"
    NOMINATE = "nominate"
    SELECT = "select"
    REVOKE = "revoke"
    AUTHORS_UPDATE = "authors_update"  # consumed initiative.updated with a higher version
    WITHDRAW = "withdraw"  # consumed initiative.withdrawn


REVIEWER_ACTIONS = frozenset({
    Action.RECOGNISE, Action.NOT_RECOGNISE, Action.RETURN, Action.SCORE,
    Action.GRANT, Action.NOMINATE, Action.SELECT, Action.REVOKE,
})
ACTIVE_STATUSES = frozenset({CaseStatus.PENDING, CaseStatus.RETURNED, CaseStatus.RECOGNISED, CaseStatus.SELECTED})


@dataclass(frozen=True)
class Transition:
    target: CaseStatus
    guards: tuple[str, ...]


# Guard names are checked in order by ``services.awards.domain.workflow`` (each failing guard has its error).
_AT = ("actor_is_reviewer", "actor_at_case_unit", "level_window_open")
_GRANT = (*_AT, "record_complete", "award_fits_level", "benefit_meets_threshold", "award_not_active",
          "award_quota_available")
_REVOKE = ("award_active", "actor_granted_award")

TRANSITIONS: dict[tuple[CaseStatus, Action], Transition] = {
    (CaseStatus.PENDING, Action.RECOGNISE): Transition(CaseStatus.RECOGNISED, _AT),
    (CaseStatus.PENDING, Action.NOT_RECOGNISE): Transition(CaseStatus.NOT_RECOGNISED, (*_AT, "reason_given")),
    (CaseStatus.PENDING, Action.RETURN): Transition(CaseStatus.RETURNED, (*_AT, "reason_given")),
    (CaseStatus.PENDING, Action.SCORE): Transition(CaseStatus.PENDING, (*_AT, "marks_fit_rubric")),
    (CaseStatus.RECOGNISED, Action.SCORE): Transition(CaseStatus.RECOGNISED, (*_AT, "marks_fit_rubric")),
    (CaseStatus.RECOGNISED, Action.GRANT): Transition(CaseStatus.RECOGNISED, (*_GRANT[:3], "below_national_level",
                                                                             *_GRANT[3:])),
    (CaseStatus.RECOGNISED, Action.NOMINATE): Transition(CaseStatus.PENDING, (*_AT, "has_parent_level",
                                                                              "nomination_quota_available")),
    (CaseStatus.RECOGNISED, Action.SELECT): Transition(CaseStatus.SELECTED, (*_AT, "national_level",
                                                                             "record_complete", "grade_given")),
    (CaseStatus.SELECTED, Action.GRANT): Transition(CaseStatus.SELECTED, _GRANT),
    (CaseStatus.RETURNED, Action.AUTHORS_UPDATE): Transition(CaseStatus.PENDING, ("newer_version",)),
    **{(s, Action.WITHDRAW): Transition(CaseStatus.WITHDRAWN, ()) for s in CaseStatus if s is not CaseStatus.WITHDRAWN},
    **{(s, Action.REVOKE): Transition(s, _REVOKE) for s in CaseStatus},
}


def case_id_for(initiative_id: uuid.UUID) -> uuid.UUID:
    """One review case per initiative, with an id every consumer derives the same way."""
    return derive_id("review_case", initiative_id)


@dataclass(frozen=True)
class ReviewCase:
    """Where an initiative stands in the four-level review; ``version`` rises with every change."""

    case_id: uuid.UUID
    initiative_id: uuid.UUID
    campaign_id: str
    unit_path: tuple[str, ...]  # root (VGCL) first, grassroots last; unit_path[level - 1] is the unit at a level
    status: CaseStatus
    current_level: int
    version: int = 1
    recognised_levels: tuple[int, ...] = ()
    returned_at_version: int | None = None  # initiative version when it was returned to the authors
    grade: AwardGrade | None = None

    @classmethod
    def open(
        cls, *, initiative_id: uuid.UUID, campaign_id: str, unit_path: tuple[str, ...], withdrawn: bool = False,
    ) -> ReviewCase:
        return cls(
            case_id=case_id_for(initiative_id), initiative_id=initiative_id, campaign_id=campaign_id,
            unit_path=tuple(unit_path), status=CaseStatus.WITHDRAWN if withdrawn else CaseStatus.PENDING,
            current_level=len(unit_path),
        )

    @property
    def current_unit_id(self) -> str:
        return self.unit_path[self.current_level - 1]

    def unit_at(self, level: int) -> str:
        return self.unit_path[level - 1]

    def moved(self, **changes: object) -> ReviewCase:
        """The case after a change: the given fields replaced and the version raised by one."""
        return replace(self, version=self.version + 1, **changes)  # type: ignore[arg-type]
