"""Each rule refuses with its own error: unit, level, window, record, threshold, quotas, awards, scores."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.awards.domain import errors
from services.awards.domain.case import Action, CaseStatus, ReviewCase
from services.awards.domain.rules import QuotaPolicy, ReviewCalendar, benefit_threshold
from services.awards.domain.scoring import DEFAULT_RUBRIC, Criterion, Rubric, case_score
from services.awards.domain.workflow import Actor, AwardFacts, Command, Facts, InitiativeFacts, decide
from shared.events import AuthorCategory, AwardGrade, AwardKind

PATH = ("VGCL", "P24", "P24-03", "P24-03-012")
CLOSES = datetime(2021, 4, 20, 16, 55, tzinfo=UTC)
CALENDAR = ReviewCalendar.for_campaign(submission_closes_at=CLOSES)
AFTER = CLOSES + timedelta(days=5)
MARKS = {"tinh_moi": 10, "hieu_qua": 5, "kha_nang_ap_dung": 0, "ho_so": 10}


def case(status: CaseStatus = CaseStatus.PENDING, level: int = 4, grade: AwardGrade | None = None) -> ReviewCase:
    return ReviewCase(uuid.uuid4(), uuid.uuid4(), "c", PATH, status, level, grade=grade)


def at(level: int, unit: str | None = None) -> Actor:
    return Actor("r", "reviewer", unit or PATH[level - 1], level)


def facts(**changes: object) -> Facts:
    base = Facts(now=AFTER, calendar=CALENDAR, initiative=InitiativeFacts(version=2, record_complete=True,
                                                                         benefit_vnd=100_000_000))
    return replace(base, **changes)  # type: ignore[arg-type]


def test_reviewer_of_another_unit_is_wrong_unit() -> None:
    with pytest.raises(errors.WrongUnitError):
        decide(case(), Command(Action.RECOGNISE, at(4, "P24-03-013")), facts())


def test_parent_before_nomination_is_wrong_level() -> None:
    with pytest.raises(errors.WrongLevelError):
        decide(case(), Command(Action.RECOGNISE, at(3)), facts())


def test_level_below_after_nomination_is_wrong_level() -> None:
    with pytest.raises(errors.WrongLevelError):
        decide(case(level=3), Command(Action.RECOGNISE, at(4)), facts())


def test_admin_does_not_review() -> None:
    with pytest.raises(errors.WrongUnitError):
        decide(case(), Command(Action.RECOGNISE, Actor("a", "admin")), facts())


def test_review_before_submission_closes_is_window_closed() -> None:
    with pytest.raises(errors.WindowClosedError):
        decide(case(), Command(Action.RECOGNISE, at(4)), facts(now=CLOSES - timedelta(minutes=1)))


def test_national_level_waits_for_national_selection_date() -> None:
    early = CLOSES + timedelta(days=1)
    decide(case(level=2), Command(Action.RECOGNISE, at(2)), facts(now=early))
    with pytest.raises(errors.WindowClosedError):
        decide(case(level=1), Command(Action.RECOGNISE, at(1)), facts(now=early))


def test_not_recognise_and_return_need_a_reason() -> None:
    for action in (Action.NOT_RECOGNISE, Action.RETURN):
        with pytest.raises(errors.ReasonRequiredError):
            decide(case(), Command(action, at(4), reason="  "), facts())


def test_award_needs_a_complete_record() -> None:
    incomplete = facts(initiative=InitiativeFacts(version=2, record_complete=False))
    with pytest.raises(errors.RecordIncompleteError):
        decide(case(CaseStatus.RECOGNISED), Command(Action.GRANT, at(4), award_kind=AwardKind.GIAY_KHEN), incomplete)


def test_award_kind_must_belong_to_the_level() -> None:
    with pytest.raises(errors.AwardNotForLevelError):
        decide(case(CaseStatus.RECOGNISED), Command(Action.GRANT, at(4), award_kind=AwardKind.BANG_KHEN), facts())


@pytest.mark.parametrize(("categories", "threshold"), [
    ((AuthorCategory.WORKER,), 80_000_000),
    ((AuthorCategory.GRADUATE,), 150_000_000),
    ((AuthorCategory.WORKER, AuthorCategory.MANAGER), 200_000_000),
    ((), 200_000_000),
])
def test_labour_creativity_award_needs_the_strictest_authors_threshold(categories: tuple, threshold: int) -> None:
    assert benefit_threshold(categories) == threshold
    selected = case(CaseStatus.SELECTED, level=1, grade=AwardGrade.TIEU_BIEU)
    command = Command(Action.GRANT, at(1), award_kind=AwardKind.BANG_LAO_DONG_SANG_TAO)
    for benefit, ok in ((threshold - 1, False), (threshold, True)):
        f = facts(initiative=InitiativeFacts(version=2, record_complete=True, benefit_vnd=benefit,
                                             author_categories=categories))
        if ok:
            assert decide(selected, command, f).case == selected
        else:
            with pytest.raises(errors.BelowThresholdError):
                decide(selected, command, f)


def test_nomination_quota_per_unit() -> None:
    quotas = QuotaPolicy(nominations_per_unit={2: 4})
    command = Command(Action.NOMINATE, at(2))
    decide(case(CaseStatus.RECOGNISED, 2), command, facts(quotas=quotas, nominations_used=3))
    with pytest.raises(errors.QuotaExceededError):
        decide(case(CaseStatus.RECOGNISED, 2), command, facts(quotas=quotas, nominations_used=4))


def test_thematic_award_cap_per_theme() -> None:
    selected = case(CaseStatus.SELECTED, 1, AwardGrade.TIEU_BIEU)
    command = Command(Action.GRANT, at(1), award_kind=AwardKind.BANG_KHEN_TLD)
    decide(selected, command, facts(awards_used=299))
    with pytest.raises(errors.QuotaExceededError):
        decide(selected, command, facts(awards_used=300))


def test_grant_twice_and_revoke_rules() -> None:
    granted = AwardFacts(4, AwardKind.GIAY_KHEN, PATH[3], active=True)
    recognised = case(CaseStatus.RECOGNISED)
    with pytest.raises(errors.AwardAlreadyGrantedError):
        decide(recognised, Command(Action.GRANT, at(4), award_kind=AwardKind.GIAY_KHEN), facts(award=granted))
    with pytest.raises(errors.WrongUnitError):
        decide(recognised, Command(Action.REVOKE, at(3)), facts(award=granted))
    decide(recognised, Command(Action.REVOKE, Actor("a", "admin")), facts(award=granted))
    with pytest.raises(errors.AwardNotActiveError):
        decide(recognised, Command(Action.REVOKE, at(4)), facts(award=replace(granted, active=False)))


def test_vgcl_selects_before_commending_and_only_vgcl_selects() -> None:
    with pytest.raises(errors.SelectionRequiredError):
        decide(case(CaseStatus.RECOGNISED, 1), Command(Action.GRANT, at(1), award_kind=AwardKind.BANG_KHEN_TLD),
               facts())
    with pytest.raises(errors.NationalLevelOnlyError):
        decide(case(CaseStatus.RECOGNISED, 2), Command(Action.SELECT, at(2), grade=AwardGrade.XUAT_SAC), facts())
    with pytest.raises(errors.InvalidTransitionError):
        decide(case(CaseStatus.RECOGNISED, 1), Command(Action.NOMINATE, at(1)), facts())


def test_score_sheet_weighted_total_and_case_mean() -> None:
    assert DEFAULT_RUBRIC.weighted_total(MARKS) == pytest.approx((10 * 30 + 5 * 40 + 0 + 10 * 10) / 10)
    assert case_score([60.0, 80.0]) == 70.0 and case_score([]) is None
    custom = Rubric((Criterion("a", "Tính mới", 1), Criterion("b", "Hiệu quả", 3)))
    assert custom.weighted_total({"a": 10, "b": 0}) == 25.0
    with pytest.raises(errors.InvalidScoreError):
        DEFAULT_RUBRIC.weighted_total({"tinh_moi": 5})
    with pytest.raises(errors.InvalidScoreError):
        DEFAULT_RUBRIC.weighted_total({**MARKS, "ho_so": 11})
    outcome = decide(case(), Command(Action.SCORE, at(4), marks=MARKS), facts())
    assert outcome.weighted_total == 60.0 and outcome.case.status is CaseStatus.PENDING
