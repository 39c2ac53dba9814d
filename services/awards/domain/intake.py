"""How a consumed initiative event changes the snapshot and the review case, in any delivery order.

Rules: the snapshot keeps the highest version only. A case exists once the initiative is known to have
been submitted (a ``submitted`` status, or ``withdrawn`` with a ``submitted_at``), whatever event says so
first; it opens at the grassroots level, already withdrawn when the latest known state is withdrawn. A
newer withdrawn state withdraws an existing case; a newer submitted state releases a case that was
returned to its authors at an older version. Older and duplicate events change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.awards.domain.case import Action, CaseStatus, ReviewCase
from services.awards.domain.workflow import Actor, Command
from shared.events import InitiativeState, InitiativeStatus

SYSTEM_ACTOR = Actor(subject="awards-consumer", role="system")


@dataclass(frozen=True)
class IntakePlan:
    store_snapshot: bool  # the event is newer than the stored snapshot
    open_case: ReviewCase | None  # a case to create
    command: Command | None  # a transition to apply to the existing case


def was_submitted(event: InitiativeState) -> bool:
    return event.status is InitiativeStatus.SUBMITTED or (
        event.status is InitiativeStatus.WITHDRAWN and event.submitted_at is not None
    )


def plan_intake(
    event: InitiativeState, *, snapshot_version: int | None, snapshot_status: InitiativeStatus | None,
    case: ReviewCase | None,
) -> IntakePlan:
    """What to do with ``event`` given the stored snapshot (version and status) and case, if any."""
    newer = snapshot_version is None or event.version > snapshot_version
    if case is None:
        if not was_submitted(event):
            return IntakePlan(store_snapshot=newer, open_case=None, command=None)
        latest = event.status if newer else snapshot_status
        opened = ReviewCase.open(
            initiative_id=event.initiative_id, campaign_id=event.campaign_id, unit_path=tuple(event.unit_path),
            withdrawn=latest is InitiativeStatus.WITHDRAWN,
        )
        return IntakePlan(store_snapshot=newer, open_case=opened, command=None)
    if not newer:
        return IntakePlan(store_snapshot=False, open_case=None, command=None)
    command: Command | None = None
    if event.status is InitiativeStatus.WITHDRAWN and case.status is not CaseStatus.WITHDRAWN:
        command = Command(action=Action.WITHDRAW, actor=SYSTEM_ACTOR, reason=getattr(event, "reason", ""))
    elif (
        event.status is InitiativeStatus.SUBMITTED and case.status is CaseStatus.RETURNED
        and event.version > (case.returned_at_version or 0)
    ):
        command = Command(action=Action.AUTHORS_UPDATE, actor=SYSTEM_ACTOR, new_version=event.version)
    return IntakePlan(store_snapshot=True, open_case=None, command=command)
