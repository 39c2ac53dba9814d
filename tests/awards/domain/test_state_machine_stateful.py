"""Hypothesis drives the pure review workflow with random actors, actions and facts against a small oracle."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from services.awards.domain import errors
from services.awards.domain.case import ACTIVE_STATUSES, Action, CaseStatus, ReviewCase
from services.awards.domain.rules import LEVEL_AWARDS, QuotaPolicy, ReviewCalendar
from services.awards.domain.workflow import Actor, AwardFacts, Command, Facts, InitiativeFacts, decide
from shared.events import AuthorCategory, AwardGrade, AwardKind

PATH = ("VGCL", "P24", "P24-03", "P24-03-012")
CLOSES = datetime(2021, 4, 20, 16, 55, tzinfo=UTC)
CALENDAR = ReviewCalendar.for_campaign(submission_closes_at=CLOSES)
MARKS = {"tinh_moi": 7, "hieu_qua": 8, "kha_nang_ap_dung": 6, "ho_so": 9}
QUOTAS = QuotaPolicy(nominations_per_unit={4: 2, 3: 2, 2: 1}, awards_per_theme={AwardKind.BANG_KHEN_TLD: 1})

actor_units = st.sampled_from([*PATH, "P24-03-013", "P25-01"])
moments = st.sampled_from([CLOSES - timedelta(hours=1), CLOSES + timedelta(days=1), CLOSES + timedelta(days=3)])


class ReviewWorkflow(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.case = ReviewCase.open(initiative_id=uuid.uuid4(), campaign_id="c", unit_path=PATH)
        self.initiative_version = 2
        self.nominations: dict[int, int] = {}
        self.awards: dict[tuple[int, AwardKind], bool] = {}
        self.theme_awards = 0
        self.reached = {4}
        self.history: list[CaseStatus] = [self.case.status]

    def _facts(self, now: datetime, complete: bool, benefit: int, kind: AwardKind | None = None) -> Facts:
        level = self.case.current_level
        existing = self.awards.get((level, kind)) if kind else None
        return Facts(
            now=now, calendar=CALENDAR, quotas=QUOTAS,
            initiative=InitiativeFacts(self.initiative_version, record_complete=complete, benefit_vnd=benefit,
                                       author_categories=(AuthorCategory.GRADUATE,)),
            nominations_used=self.nominations.get(level, 0), awards_used=self.theme_awards,
            award=AwardFacts(level, kind, PATH[level - 1], existing) if kind and existing is not None else None,
        )

    def _expect_reviewer_ok(self, unit: str, now: datetime) -> bool:
        level = self.case.current_level
        return unit == PATH[level - 1] and CALENDAR.is_open(level, now)

    def _run(self, command: Command, facts: Facts, should_pass: bool) -> bool:
        before = self.case
        try:
            outcome = decide(before, command, facts)
        except errors.ReviewRuleError:
            assert not should_pass, f"{command.action} refused but the oracle allows it in {before}"
            assert self.case == before
            return False
        assert should_pass, f"{command.action} allowed but the oracle forbids it in {before}"
        self.case = outcome.case
        self.history.append(self.case.status)
        self.reached.add(self.case.current_level)
        return True

    @rule(unit=actor_units, now=moments)
    def recognise(self, unit: str, now: datetime) -> None:
        ok = self.case.status is CaseStatus.PENDING and self._expect_reviewer_ok(unit, now)
        self._run(Command(Action.RECOGNISE, Actor("r", "reviewer", unit, PATH.index(unit) + 1 if unit in PATH
                                                  else 4)), self._facts(now, True, 0), ok)

    @rule(unit=actor_units, now=moments, reason=st.sampled_from(["", "Chưa đủ tính mới"]))
    def not_recognise(self, unit: str, now: datetime, reason: str) -> None:
        ok = self.case.status is CaseStatus.PENDING and self._expect_reviewer_ok(unit, now) and bool(reason)
        level = PATH.index(unit) + 1 if unit in PATH else 4
        self._run(Command(Action.NOT_RECOGNISE, Actor("r", "reviewer", unit, level), reason=reason),
                  self._facts(now, True, 0), ok)

    @rule(unit=actor_units, now=moments)
    def return_to_authors(self, unit: str, now: datetime) -> None:
        ok = self.case.status is CaseStatus.PENDING and self._expect_reviewer_ok(unit, now)
        level = PATH.index(unit) + 1 if unit in PATH else 4
        self._run(Command(Action.RETURN, Actor("r", "reviewer", unit, level), reason="Bổ sung số liệu"),
                  self._facts(now, True, 0), ok)

    @rule(bump=st.integers(0, 2))
    def authors_update(self, bump: int) -> None:
        self.initiative_version += bump
        if self.case.status is not CaseStatus.RETURNED:
            return
        ok = self.initiative_version > (self.case.returned_at_version or 0)
        self._run(Command(Action.AUTHORS_UPDATE, Actor("c", "system"), new_version=self.initiative_version),
                  self._facts(CLOSES, True, 0), ok)

    @rule(now=moments)
    def score(self, now: datetime) -> None:
        ok = self.case.status in (CaseStatus.PENDING, CaseStatus.RECOGNISED) and self._expect_reviewer_ok(
            PATH[self.case.current_level - 1], now)
        level = self.case.current_level
        self._run(Command(Action.SCORE, Actor("r", "reviewer", PATH[level - 1], level), marks=MARKS),
                  self._facts(now, True, 0), ok)

    @rule(now=moments)
    def nominate(self, now: datetime) -> None:
        level = self.case.current_level
        ok = (self.case.status is CaseStatus.RECOGNISED and level > 1 and CALENDAR.is_open(level, now)
              and self.nominations.get(level, 0) < (QUOTAS.nomination_cap(level) or 10**9))
        if self._run(Command(Action.NOMINATE, Actor("r", "reviewer", PATH[level - 1], level)),
                     self._facts(now, True, 0), ok):
            self.nominations[level] = self.nominations.get(level, 0) + 1

    @rule(now=moments, grade=st.sampled_from(list(AwardGrade)), complete=st.booleans())
    def select(self, now: datetime, grade: AwardGrade, complete: bool) -> None:
        level = self.case.current_level
        ok = (self.case.status is CaseStatus.RECOGNISED and level == 1 and CALENDAR.is_open(1, now) and complete)
        self._run(Command(Action.SELECT, Actor("r", "reviewer", PATH[level - 1], level), grade=grade),
                  self._facts(now, complete, 0), ok)

    @rule(now=moments, kind=st.sampled_from(list(AwardKind)), complete=st.booleans(),
          benefit=st.sampled_from([100_000_000, 160_000_000]))
    def grant(self, now: datetime, kind: AwardKind, complete: bool, benefit: int) -> None:
        level = self.case.current_level
        status_ok = (self.case.status is CaseStatus.SELECTED) if level == 1 else (
            self.case.status is CaseStatus.RECOGNISED)
        ok = (status_ok and CALENDAR.is_open(level, now) and complete and kind in LEVEL_AWARDS[level]
              and not self.awards.get((level, kind), False)
              and (kind is not AwardKind.BANG_LAO_DONG_SANG_TAO or benefit >= 150_000_000)
              and (kind is not AwardKind.BANG_KHEN_TLD or self.theme_awards < 1))
        if self._run(Command(Action.GRANT, Actor("r", "reviewer", PATH[level - 1], level), award_kind=kind),
                     self._facts(now, complete, benefit, kind), ok):
            self.awards[(level, kind)] = True
            self.theme_awards += kind is AwardKind.BANG_KHEN_TLD

    @rule(admin=st.booleans())
    def revoke(self, admin: bool) -> None:
        granted = [key for key, active in self.awards.items() if active]
        if not granted:
            return
        level, kind = granted[0]
        actor = Actor("a", "admin") if admin else Actor("r", "reviewer", PATH[level - 1], level)
        facts = Facts(now=CLOSES, calendar=CALENDAR, initiative=InitiativeFacts(self.initiative_version),
                      award=AwardFacts(level, kind, PATH[level - 1], True))
        if self._run(Command(Action.REVOKE, actor, reason="Sai sót hồ sơ"), facts, True):
            self.awards[(level, kind)] = False
            self.theme_awards -= kind is AwardKind.BANG_KHEN_TLD

    @rule()
    def withdraw(self) -> None:
        ok = self.case.status is not CaseStatus.WITHDRAWN
        self._run(Command(Action.WITHDRAW, Actor("c", "system")), self._facts(CLOSES, True, 0), ok)

    @invariant()
    def levels_are_consistent(self) -> None:
        case = self.case
        assert 1 <= case.current_level <= 4
        assert list(case.recognised_levels) == sorted(set(case.recognised_levels))
        assert all(case.current_level <= lvl <= 4 for lvl in case.recognised_levels)
        # a case above the grassroots got there by being recognised (and nominated) at every level below
        assert set(range(case.current_level + 1, 5)) <= set(case.recognised_levels)
        assert min(self.reached) == case.current_level

    @invariant()
    def states_carry_their_data(self) -> None:
        case = self.case
        assert (case.status is CaseStatus.RETURNED) == (case.returned_at_version is not None)
        if case.status is CaseStatus.SELECTED:
            assert case.current_level == 1 and case.grade is not None
        if CaseStatus.WITHDRAWN in self.history:
            assert case.status is CaseStatus.WITHDRAWN
        if case.status in ACTIVE_STATUSES:
            assert CaseStatus.WITHDRAWN not in self.history


ReviewWorkflow.TestCase.settings = hypothesis_settings(max_examples=150, stateful_step_count=40, deadline=None)
TestReviewWorkflow = ReviewWorkflow.TestCase
