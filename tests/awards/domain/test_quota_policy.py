"""The quota policy: a unit's own figure beats its level's, a stored policy of before per-unit quotas still reads."""

from __future__ import annotations

from services.awards.domain.rules import QuotaPolicy
from shared.events import AwardKind

LEVELS = {"P24": 2, "P24-03": 3, "P24-03-0001": 4, "VGCL": 1}


def test_a_policy_stored_before_per_unit_quotas_reads_with_none_of_them() -> None:
    old = QuotaPolicy.from_json({"nominations_per_unit": {"4": 1, "3": 10, "2": 4},
                                 "awards_per_theme": {"bang_khen_tld": 300}})
    assert old.nomination_cap(4, "P24-03-0001") == 1
    assert old.unit_award_cap("P24", 2, AwardKind.BANG_KHEN) is None
    assert old.to_json()["awards_by_unit"] == {} and old.to_json()["nominations_by_unit"] == {}


def test_unit_figures_beat_level_figures_kind_by_kind_and_survive_storage() -> None:
    policy = QuotaPolicy(
        nominations_per_unit={4: 10, 3: 10, 2: 4}, nominations_by_unit={"P24": 8},
        awards_per_unit={4: {AwardKind.GIAY_KHEN: 5}, 2: {AwardKind.BANG_KHEN: 20}},
        awards_by_unit={"P24": {AwardKind.BANG_KHEN: 30}},
    )
    assert QuotaPolicy.from_json(policy.to_json()) == policy
    assert (policy.nomination_cap(2, "P24"), policy.nomination_cap(2, "P40"), policy.nomination_cap(2)) == (8, 4, 4)
    assert policy.unit_award_cap("P24", 2, AwardKind.BANG_KHEN) == 30
    assert policy.unit_award_cap("P40", 2, AwardKind.BANG_KHEN) == 20
    assert policy.unit_award_cap("P24-03", 3, AwardKind.GIAY_KHEN) is None  # no figure at level 3: uncapped
    assert policy.unit_award_cap("P24-03-0001", 4, AwardKind.GIAY_KHEN) == 5


def test_policy_errors_name_unknown_units_and_kinds_a_level_does_not_grant() -> None:
    policy = QuotaPolicy(
        nominations_by_unit={"P99": 1, "VGCL": 1, "P24-03": 2},
        awards_per_unit={4: {AwardKind.BANG_KHEN: 1}, 2: {AwardKind.BANG_KHEN: 1}},
        awards_by_unit={"P24": {AwardKind.GIAY_KHEN: 1}, "P24-03-0001": {AwardKind.GIAY_KHEN: 1}},
    )
    wrong = dict(policy.errors(LEVELS.get))
    assert set(wrong) == {("nominations_by_unit", "P99"), ("nominations_by_unit", "VGCL"),
                          ("awards_per_unit", "4", "bang_khen"), ("awards_by_unit", "P24", "giay_khen")}
    assert all(" — " in message for message in wrong.values())
    assert QuotaPolicy().errors(LEVELS.get) == []
