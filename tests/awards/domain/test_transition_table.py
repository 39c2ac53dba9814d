"""Every (state, action) pair: allowed pairs reach their target state, all others are refused with their error."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.awards.domain import errors
from services.awards.domain.case import REVIEWER_ACTIONS, TRANSITIONS, Action, CaseStatus, ReviewCase
from services.awards.domain.rules import ReviewCalendar
from services.awards.domain.workflow import Actor, AwardFacts, Command, Facts, InitiativeFacts, decide
from shared.events import AuthorCategory, AwardGrade, AwardKind, ReviewDecision

PATH = ("VGCL", "P24", "P24-03", "P24-03-012")
NOW = datetime(2021, 5, 1, tzinfo=UTC)
CALENDAR = ReviewCalendar.for_campaign(submission_closes_at=datetime(2021, 4, 20, 16, 55, tzinfo=UTC))


def case_in(status: CaseStatus, level: int) -> ReviewCase:
    return ReviewCase(
        case_id=uuid.uuid4(), initiative_id=uuid.uuid4(), campaign_id="c", unit_path=PATH, status=status,
        current_level=level, version=7, recognised_levels=tuple(range(level, 5)) if status is not
        CaseStatus.PENDING else tuple(range(level + 1, 5)), returned_at_version=3 if status is
        CaseStatus.RETURNED else None, grade=AwardGrade.XUAT_SAC if status is CaseStatus.SELECTED else None,
    )


def good_command(action: Action, level: int) -> Command:
    actor = Actor("r1", "reviewer", PATH[level - 1], level)
    kind = AwardKind.BANG_LAO_DONG_SANG_TAO if level == 1 else (AwardKind.BANG_KHEN if level == 2 else
                                                                 AwardKind.GIAY_KHEN)
    return Command(
        action, actor, reason="lý do", marks={"tinh_moi": 8, "hieu_qua": 9, "kha_nang_ap_dung": 7, "ho_so": 10},
        award_kind=kind, grade=AwardGrade.XUAT_SAC, new_version=4,
    )


def good_facts(action: Action, level: int) -> Facts:
    award = AwardFacts(level, AwardKind.GIAY_KHEN, PATH[level - 1], active=True) if action is Action.REVOKE else None
    return Facts(
        now=NOW, calendar=CALENDAR, award=award,
        initiative=InitiativeFacts(version=3, record_complete=True, benefit_vnd=300_000_000,
                                   author_categories=(AuthorCategory.MANAGER,)),
    )


def level_for(status: CaseStatus, action: Action) -> int:
    return 1 if action is Action.SELECT or (status is CaseStatus.SELECTED) else 2


@pytest.mark.parametrize(("status", "action"), list(itertools.product(CaseStatus, Action)))
def test_every_pair_is_either_a_table_row_or_refused(status: CaseStatus, action: Action) -> None:
    level = level_for(status, action)
    case = case_in(status, level)
    transition = TRANSITIONS.get((status, action))
    if transition is None:
        expected: type[errors.ReviewRuleError] = errors.InvalidTransitionError
        if status is CaseStatus.WITHDRAWN and action in REVIEWER_ACTIONS:
            expected = errors.InitiativeWithdrawnError
        elif status is CaseStatus.RETURNED and action in REVIEWER_ACTIONS:
            expected = errors.AwaitingAuthorsError
        with pytest.raises(expected):
            decide(case, good_command(action, level), good_facts(action, level))
        return
    outcome = decide(case, good_command(action, level), good_facts(action, level))
    assert outcome.case.status is transition.target
    if action in (Action.GRANT, Action.REVOKE):
        assert outcome.case == case and outcome.decision is None
    else:
        assert outcome.case.version == case.version + 1


def test_nominate_moves_the_case_to_the_parent_and_keeps_recognitions() -> None:
    case = case_in(CaseStatus.RECOGNISED, 3)
    outcome = decide(case, good_command(Action.NOMINATE, 3), good_facts(Action.NOMINATE, 3))
    assert outcome.case.current_level == 2 and outcome.case.current_unit_id == "P24"
    assert outcome.case.status is CaseStatus.PENDING and outcome.decision is ReviewDecision.NOMINATED
    assert outcome.case.recognised_levels == (3, 4)


def test_return_waits_for_a_newer_version_only() -> None:
    pending = case_in(CaseStatus.PENDING, 4)
    returned = decide(pending, good_command(Action.RETURN, 4), good_facts(Action.RETURN, 4)).case
    assert returned.status is CaseStatus.RETURNED and returned.returned_at_version == 3
    system = Actor("consumer", "system")
    with pytest.raises(errors.InvalidTransitionError):
        decide(returned, Command(Action.AUTHORS_UPDATE, system, new_version=3), good_facts(Action.RETURN, 4))
    back = decide(returned, Command(Action.AUTHORS_UPDATE, system, new_version=4), good_facts(Action.RETURN, 4))
    assert back.case.status is CaseStatus.PENDING and back.case.returned_at_version is None


def test_calendar_derives_review_and_national_dates_from_submission_close() -> None:
    closes = datetime(2021, 4, 20, 16, 55, tzinfo=UTC)  # 23:55 on 20/4 in Hà Nội
    calendar = ReviewCalendar.for_campaign(submission_closes_at=closes)
    assert calendar.review_opens_at == closes
    assert calendar.national_selection_opens_at == closes + timedelta(days=2)
    named = ReviewCalendar.for_campaign(
        submission_closes_at=closes, national_selection_opens_at=datetime(2021, 4, 21, 17, tzinfo=UTC),
    )
    assert named.opens_at(1) == datetime(2021, 4, 21, 17, tzinfo=UTC) and named.opens_at(4) == closes
