"""Deciding one action on a review case: look up the transition, check its guards, return the new state."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from services.awards.domain import errors
from services.awards.domain.case import REVIEWER_ACTIONS, TRANSITIONS, Action, CaseStatus, ReviewCase
from services.awards.domain.rules import (
    AWARD_NAMES,
    LEVEL_AWARDS,
    NATIONAL_LEVEL,
    QuotaPolicy,
    ReviewCalendar,
    benefit_threshold,
)
from services.awards.domain.scoring import DEFAULT_RUBRIC, Rubric
from shared.events import AuthorCategory, AwardGrade, AwardKind, ReviewDecision


@dataclass(frozen=True)
class Actor:
    """Who acts: a reviewer scoped to one unit (its level is the unit's level), an admin, or the consumer."""

    subject: str
    role: str  # "reviewer", "admin" or "system"
    unit_id: str | None = None
    unit_level: int | None = None


@dataclass(frozen=True)
class InitiativeFacts:
    """The latest known public state of the initiative under review."""

    version: int
    withdrawn: bool = False
    record_complete: bool = False
    benefit_vnd: int = 0
    author_categories: tuple[AuthorCategory, ...] = ()


@dataclass(frozen=True)
class AwardFacts:
    """An award already recorded for the initiative (for revoking and for 'already granted')."""

    level: int
    kind: AwardKind
    granting_unit_id: str
    active: bool


@dataclass(frozen=True)
class Facts:
    """Everything outside the case a decision depends on, gathered by the use case before deciding."""

    now: datetime
    initiative: InitiativeFacts
    calendar: ReviewCalendar | None = None  # None only for consumed events, which no window limits
    rubric: Rubric = DEFAULT_RUBRIC
    quotas: QuotaPolicy = field(default_factory=QuotaPolicy)
    nominations_used: int = 0  # by the case's current unit in this campaign
    awards_used: int = 0  # active awards of the requested kind and theme this year
    unit_awards_used: int = 0  # active awards of the requested kind the case's current unit granted in the campaign
    award: AwardFacts | None = None  # the award the command grants or revokes, if it exists


@dataclass(frozen=True)
class Command:
    action: Action
    actor: Actor
    reason: str = ""
    marks: Mapping[str, float] | None = None
    award_kind: AwardKind | None = None
    grade: AwardGrade | None = None
    new_version: int | None = None  # for AUTHORS_UPDATE: the initiative's new version


@dataclass(frozen=True)
class Outcome:
    case: ReviewCase  # the case after the action
    level: int  # the level that acted
    decision: ReviewDecision | None  # what review.decided reports, None for awards and consumed events
    weighted_total: float | None = None  # this reviewer's total, for SCORE


_DECISIONS = {
    Action.RECOGNISE: ReviewDecision.RECOGNISED, Action.NOT_RECOGNISE: ReviewDecision.NOT_RECOGNISED,
    Action.RETURN: ReviewDecision.RETURNED, Action.SCORE: ReviewDecision.SCORED,
    Action.NOMINATE: ReviewDecision.NOMINATED, Action.SELECT: ReviewDecision.SELECTED,
}


def decide(case: ReviewCase, command: Command, facts: Facts) -> Outcome:
    """Apply ``command`` to ``case`` or raise the error of the first rule it breaks; never mutates.

    Who acts is checked before the case's state: a caller who may not act learns nothing about where the case is.
    """
    actor_guards = _ACTOR_GUARDS.get(command.action, ())
    for name in actor_guards:
        GUARDS[name](case, command, facts)
    transition = TRANSITIONS.get((case.status, command.action))
    if transition is None:
        raise _forbidden(case, command.action)
    for name in transition.guards:
        if name not in actor_guards:
            GUARDS[name](case, command, facts)
    level = case.current_level
    if command.action in (Action.GRANT, Action.REVOKE):
        return Outcome(case=case, level=level, decision=None)
    if command.action is Action.SCORE:
        total = facts.rubric.weighted_total(command.marks or {})
        return Outcome(case=case.moved(), level=level, decision=ReviewDecision.SCORED, weighted_total=total)
    changes: dict[str, object] = {"status": transition.target}
    if command.action is Action.RECOGNISE:
        changes["recognised_levels"] = tuple(sorted({*case.recognised_levels, level}))
    elif command.action is Action.RETURN:
        changes["returned_at_version"] = facts.initiative.version
    elif command.action in (Action.AUTHORS_UPDATE, Action.WITHDRAW):
        changes["returned_at_version"] = None
    elif command.action is Action.NOMINATE:
        changes["current_level"] = level - 1
    elif command.action is Action.SELECT:
        changes["grade"] = command.grade
    return Outcome(case=case.moved(**changes), level=level, decision=_DECISIONS.get(command.action))


def _forbidden(case: ReviewCase, action: Action) -> errors.ReviewRuleError:
    if case.status is CaseStatus.WITHDRAWN and action in REVIEWER_ACTIONS:
        return errors.InitiativeWithdrawnError(
            "Sáng kiến đã được tác giả rút, không thể xét tiếp — the initiative was withdrawn; nothing more to do"
        )
    if case.status is CaseStatus.RETURNED and action in REVIEWER_ACTIONS:
        return errors.AwaitingAuthorsError(
            "Hồ sơ đã trả lại tác giả; chờ tác giả cập nhật — returned to the authors; wait for their update"
        )
    return errors.InvalidTransitionError(
        f"Không thể '{action.value}' khi hồ sơ đang ở trạng thái '{case.status.value}'"
        f" — '{action.value}' is not allowed while the case is '{case.status.value}'",
        case_status=case.status.value, action=action.value,  # "status" is the HTTP code in problem+json
    )


Guard = Callable[[ReviewCase, Command, Facts], None]


def _actor_is_reviewer(case: ReviewCase, command: Command, facts: Facts) -> None:
    if command.actor.role != "reviewer" or command.actor.unit_id is None:
        raise errors.WrongUnitError(
            "Chỉ người xét duyệt của đơn vị đang giữ hồ sơ mới được thao tác"
            " — only a reviewer of the unit holding the case may act"
        )


def _actor_at_case_unit(case: ReviewCase, command: Command, facts: Facts) -> None:
    unit, level = command.actor.unit_id, command.actor.unit_level
    if unit == case.current_unit_id:
        return
    if unit in case.unit_path and level is not None:
        if level < case.current_level:
            raise errors.WrongLevelError(
                f"Cấp dưới chưa đề cử sáng kiến lên cấp {level}; hồ sơ đang ở cấp {case.current_level}"
                f" — the level below has not nominated it yet (it waits at level {case.current_level})",
                case_level=case.current_level, your_level=level,
            )
        raise errors.WrongLevelError(
            f"Hồ sơ đã chuyển lên cấp {case.current_level}; cấp {level} không còn thao tác được"
            f" — the case has moved up to level {case.current_level}",
            case_level=case.current_level, your_level=level,
        )
    # Not where the case waits: that is the chain's business, not the caller's.
    raise errors.WrongUnitError(
        "Hồ sơ không thuộc đơn vị của bạn — the case is not held by your unit",
    )


def _level_window_open(case: ReviewCase, command: Command, facts: Facts) -> None:
    level = case.current_level
    if facts.calendar is None:
        raise errors.CampaignNotConfiguredError("the campaign's calendar is unknown")
    if not facts.calendar.is_open(level, facts.now):
        opens = facts.calendar.opens_at(level).isoformat()
        what = "xét chọn cấp Tổng Liên đoàn" if level == NATIONAL_LEVEL else "xét hồ sơ"
        raise errors.WindowClosedError(
            f"Chưa đến thời hạn {what} (mở từ {opens}) — the window for level {level} opens at {opens}",
            opens_at=opens,
        )


def _reason_given(case: ReviewCase, command: Command, facts: Facts) -> None:
    if not command.reason.strip():
        raise errors.ReasonRequiredError("Cần ghi rõ lý do — give a reason")


def _marks_fit_rubric(case: ReviewCase, command: Command, facts: Facts) -> None:
    facts.rubric.weighted_total(command.marks or {})


def _record_complete(case: ReviewCase, command: Command, facts: Facts) -> None:
    if not facts.initiative.record_complete:
        raise errors.RecordIncompleteError(
            "Sáng kiến được khen thưởng phải có hồ sơ đầy đủ trên cổng thông tin"
            " — only an initiative with a complete record may be commended"
        )


def _award_fits_level(case: ReviewCase, command: Command, facts: Facts) -> None:
    allowed = LEVEL_AWARDS[case.current_level]
    if command.award_kind not in allowed:
        names = ", ".join(AWARD_NAMES[k] for k in allowed)
        raise errors.AwardNotForLevelError(
            f"Cấp {case.current_level} chỉ khen thưởng: {names} — level {case.current_level} grants: "
            + ", ".join(k.value for k in allowed),
            allowed=[k.value for k in allowed],
        )


def _benefit_meets_threshold(case: ReviewCase, command: Command, facts: Facts) -> None:
    if command.award_kind is not AwardKind.BANG_LAO_DONG_SANG_TAO:
        return
    threshold = benefit_threshold(facts.initiative.author_categories)
    if facts.initiative.benefit_vnd < threshold:
        raise errors.BelowThresholdError(
            f"Giá trị làm lợi {facts.initiative.benefit_vnd:,} đồng chưa đạt {threshold:,} đồng cho Bằng Lao động"
            f" sáng tạo — benefit below the {threshold} VND threshold for the authors' category",
            threshold_vnd=threshold, benefit_vnd=facts.initiative.benefit_vnd,
        )


def _award_not_active(case: ReviewCase, command: Command, facts: Facts) -> None:
    if facts.award is not None and facts.award.active:
        raise errors.AwardAlreadyGrantedError("Sáng kiến đã nhận khen thưởng này — this award was already granted")


def _award_quota_available(case: ReviewCase, command: Command, facts: Facts) -> None:
    if command.award_kind is None:
        return
    unit, level, kind = case.current_unit_id, case.current_level, command.award_kind
    unit_cap = facts.quotas.unit_award_cap(unit, level, kind)
    if unit_cap is not None and facts.unit_awards_used >= unit_cap:
        raise errors.QuotaExceededError(
            f"Đơn vị {unit} đã dùng đủ chỉ tiêu {unit_cap} {AWARD_NAMES[kind]} của đợt — unit {unit}'s quota of"
            f" {unit_cap} {kind.value} at level {level} is used up",
            cap=unit_cap, used=facts.unit_awards_used, unit_id=unit, level=level, kind=kind.value,
        )
    cap = facts.quotas.award_cap(kind)
    if cap is not None and facts.awards_used >= cap:
        raise errors.QuotaExceededError(
            f"Đã đủ {cap} khen thưởng loại này trong chuyên đề năm nay — the theme's cap of {cap} is reached",
            cap=cap,
        )


def _below_national_level(case: ReviewCase, command: Command, facts: Facts) -> None:
    if case.current_level == NATIONAL_LEVEL:
        raise errors.SelectionRequiredError(
            "Ở cấp Tổng Liên đoàn, hãy xét chọn (tiêu biểu/xuất sắc) trước khi khen thưởng"
            " — at VGCL, select the initiative before commending it"
        )


def _has_parent_level(case: ReviewCase, command: Command, facts: Facts) -> None:
    if case.current_level == NATIONAL_LEVEL:
        raise errors.InvalidTransitionError(
            "Tổng Liên đoàn là cấp cao nhất, không đề cử tiếp — VGCL is the top level; nothing to nominate to"
        )


def _nomination_quota_available(case: ReviewCase, command: Command, facts: Facts) -> None:
    cap = facts.quotas.nomination_cap(case.current_level, case.current_unit_id)
    if cap is not None and facts.nominations_used >= cap:
        raise errors.QuotaExceededError(
            f"Đơn vị {case.current_unit_id} đã đề cử đủ {cap} sáng kiến — the unit's nomination quota of {cap}"
            " is used up",
            cap=cap, used=facts.nominations_used, unit_id=case.current_unit_id, level=case.current_level,
        )


def _national_level(case: ReviewCase, command: Command, facts: Facts) -> None:
    if case.current_level != NATIONAL_LEVEL:
        raise errors.NationalLevelOnlyError(
            "Chỉ Tổng Liên đoàn xét chọn sáng kiến tiêu biểu, xuất sắc — only VGCL selects"
        )


def _grade_given(case: ReviewCase, command: Command, facts: Facts) -> None:
    if command.grade is None:
        raise errors.InvalidTransitionError("Chọn mức: tiêu biểu hoặc xuất sắc — give a grade")


def _newer_version(case: ReviewCase, command: Command, facts: Facts) -> None:
    if command.new_version is None or command.new_version <= (case.returned_at_version or 0):
        raise errors.InvalidTransitionError("the update is not newer than the returned version")


def _award_active(case: ReviewCase, command: Command, facts: Facts) -> None:
    if facts.award is None or not facts.award.active:
        raise errors.AwardNotActiveError("Không có khen thưởng đang hiệu lực để thu hồi — no active award to revoke")


def _actor_granted_award(case: ReviewCase, command: Command, facts: Facts) -> None:
    if facts.award is None:
        return  # nothing to revoke: award_active refuses
    actor = command.actor
    if actor.role == "admin" or (actor.role == "reviewer" and actor.unit_id == facts.award.granting_unit_id):
        return
    raise errors.WrongUnitError(
        f"Chỉ đơn vị đã khen thưởng ({facts.award.granting_unit_id}) hoặc quản trị viên được thu hồi"
        " — only the granting unit or an admin may revoke",
    )


# The guards about who acts, per reviewer action, run before the transition is looked up.
_ACTOR_GUARDS: dict[Action, tuple[str, ...]] = {
    **{action: ("actor_is_reviewer", "actor_at_case_unit")
       for action in REVIEWER_ACTIONS if action is not Action.REVOKE},
    Action.REVOKE: ("actor_granted_award",),
}

GUARDS: dict[str, Guard] = {
    "actor_is_reviewer": _actor_is_reviewer,
    "actor_at_case_unit": _actor_at_case_unit,
    "level_window_open": _level_window_open,
    "reason_given": _reason_given,
    "marks_fit_rubric": _marks_fit_rubric,
    "record_complete": _record_complete,
    "award_fits_level": _award_fits_level,
    "benefit_meets_threshold": _benefit_meets_threshold,
    "award_not_active": _award_not_active,
    "award_quota_available": _award_quota_available,
    "below_national_level": _below_national_level,
    "has_parent_level": _has_parent_level,
    "nomination_quota_available": _nomination_quota_available,
    "national_level": _national_level,
    "grade_given": _grade_given,
    "newer_version": _newer_version,
    "award_active": _award_active,
    "actor_granted_award": _actor_granted_award,
}
