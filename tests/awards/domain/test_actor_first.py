"""Who acts is checked before the case's state: a caller who may not act learns nothing about the case."""

from __future__ import annotations

import pytest

from services.awards.domain import errors
from services.awards.domain.case import REVIEWER_ACTIONS, Action, CaseStatus
from services.awards.domain.workflow import Actor, AwardFacts, Command, decide
from shared.events import AwardKind

from .test_guards import PATH, at, case, facts

STRANGER = at(4, "P40-01-001")


@pytest.mark.parametrize("status", list(CaseStatus))
@pytest.mark.parametrize("action", sorted(REVIEWER_ACTIONS - {Action.REVOKE}))
def test_a_reviewer_of_another_unit_is_refused_as_such_in_every_state(status: CaseStatus, action: Action) -> None:
    with pytest.raises(errors.WrongUnitError) as refused:
        decide(case(status), Command(action, STRANGER, reason="x", award_kind=AwardKind.GIAY_KHEN), facts())
    assert PATH[3] not in str(refused.value) and status.value not in str(refused.value)


def test_a_level_that_no_longer_holds_the_case_is_told_so_before_the_state() -> None:
    with pytest.raises(errors.WrongLevelError):
        decide(case(CaseStatus.WITHDRAWN, level=3), Command(Action.RECOGNISE, at(4)), facts())


def test_only_the_granting_unit_or_an_admin_revokes_whatever_the_state() -> None:
    award = AwardFacts(level=4, kind=AwardKind.GIAY_KHEN, granting_unit_id=PATH[3], active=True)
    for status in CaseStatus:
        with pytest.raises(errors.WrongUnitError):
            decide(case(status, level=3), Command(Action.REVOKE, at(3), reason="x"), facts(award=award))
        assert decide(case(status, level=3), Command(Action.REVOKE, Actor("a", "admin"), reason="x"),
                      facts(award=award)).decision is None
