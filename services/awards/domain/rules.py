"""Campaign rules for review: calendar windows, awards per level, Bằng Lao động sáng tạo thresholds, quotas.

Rules stated here (DOMAIN.md, QĐ 1689/QĐ-TLĐ):
- Levels 4 and 3 grant Giấy khen, level 2 Bằng khen, level 1 (VGCL) the Bằng khen of the Ban Chấp hành
  Tổng Liên đoàn or the Bằng Lao động sáng tạo.
- Bằng Lao động sáng tạo needs a declared yearly benefit of at least 80 M VND for a worker, 150 M for a
  graduate, 200 M for a manager. With several authors the STRICTEST category present applies (the highest
  threshold); when the categories are unknown the strictest threshold of all applies. The 120 M over three
  consecutive years variant is not modelled: events carry one yearly benefit.
- Dossier review (levels 4–2) opens when the submission window closes unless the campaign names
  ``review_opens_at``; national selection (level 1) opens at ``national_selection_opens_at``, or two days
  after the submission window closes when the campaign does not name it (22/4 for the 2021 campaign).
- Quotas (``QuotaPolicy``), each per campaign, with a unit-specific figure beating its level's default:
  nominations one unit may send up, by the unit's level (4, 3, 2); active awards one unit may grant, by its level
  and the award kind; and active awards per theme and year by kind. The theme of a VGCL Bằng khen is the campaign.
  Which default comes from the regulation and which is our assumption is in ``QUOTA_SOURCES`` (and in the policy
  answer): 4 nominations from a level-2 unit to VGCL and 300 thematic Bằng khen per theme and year are
  QĐ 1689/QĐ-TLĐ; 10 nominations from levels 4 and 3 is an assumption; no award quota at levels 4–2 by default,
  as the regulation names none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.events import AuthorCategory, AwardKind

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NATIONAL_LEVEL = 1
GRASSROOTS_LEVEL = 4
NATIONAL_SELECTION_DELAY = timedelta(days=2)

LEVEL_AWARDS: dict[int, tuple[AwardKind, ...]] = {
    4: (AwardKind.GIAY_KHEN,),
    3: (AwardKind.GIAY_KHEN,),
    2: (AwardKind.BANG_KHEN,),
    1: (AwardKind.BANG_KHEN_TLD, AwardKind.BANG_LAO_DONG_SANG_TAO),
}
AWARD_NAMES: dict[AwardKind, str] = {
    AwardKind.GIAY_KHEN: "Giấy khen",
    AwardKind.BANG_KHEN: "Bằng khen",
    AwardKind.BANG_KHEN_TLD: "Bằng khen của Ban Chấp hành Tổng Liên đoàn",
    AwardKind.BANG_LAO_DONG_SANG_TAO: "Bằng Lao động sáng tạo",
}
BENEFIT_THRESHOLDS_VND: dict[AuthorCategory, int] = {
    AuthorCategory.WORKER: 80_000_000,
    AuthorCategory.GRADUATE: 150_000_000,
    AuthorCategory.MANAGER: 200_000_000,
}


def benefit_threshold(categories: Iterable[AuthorCategory]) -> int:
    """The Bằng Lao động sáng tạo threshold: the strictest among the authors' categories (all if unknown)."""
    present = [BENEFIT_THRESHOLDS_VND[c] for c in categories]
    return max(present) if present else max(BENEFIT_THRESHOLDS_VND.values())


def award_theme(kind: AwardKind, campaign_id: str) -> str | None:
    """Thematic awards (VGCL Bằng khen) count against the campaign's theme; others have no theme."""
    return campaign_id if kind is AwardKind.BANG_KHEN_TLD else None


def local_year(moment: datetime) -> int:
    return moment.astimezone(LOCAL_TZ).year


@dataclass(frozen=True)
class ReviewCalendar:
    """When each level may act on a campaign's cases."""

    review_opens_at: datetime
    national_selection_opens_at: datetime

    @classmethod
    def for_campaign(
        cls, *, submission_closes_at: datetime, review_opens_at: datetime | None = None,
        national_selection_opens_at: datetime | None = None,
    ) -> ReviewCalendar:
        review = review_opens_at or submission_closes_at
        national = national_selection_opens_at or submission_closes_at + NATIONAL_SELECTION_DELAY
        return cls(review_opens_at=review, national_selection_opens_at=national)

    def opens_at(self, level: int) -> datetime:
        return self.national_selection_opens_at if level == NATIONAL_LEVEL else self.review_opens_at

    def is_open(self, level: int, now: datetime) -> bool:
        return now >= self.opens_at(level)


QUOTA_SOURCES: dict[str, str] = {
    "nominations_per_unit.2": "Quy định: QĐ 1689/QĐ-TLĐ — 4 đề cử mỗi đơn vị cấp 2 lên Tổng Liên đoàn"
                              " (regulation: 4 nominations per unit to VGCL)",
    "nominations_per_unit.3": "Giả định: 10 đề cử mỗi công đoàn cấp trên cơ sở, quy định không nêu"
                              " (assumption: the regulation names no figure)",
    "nominations_per_unit.4": "Giả định: 10 đề cử mỗi công đoàn cơ sở, quy định không nêu"
                              " (assumption: the regulation names no figure)",
    "nominations_by_unit": "Cấu hình của đợt: chỉ tiêu riêng của từng đơn vị, thay mức theo cấp"
                           " (campaign setting: a unit's own cap, beating its level's default)",
    "awards_per_unit": "Giả định: quy định không nêu chỉ tiêu khen thưởng cấp 4–2; mặc định không giới hạn"
                       " (assumption: no regulation figure for levels 4–2; uncapped unless the campaign sets one)",
    "awards_by_unit": "Cấu hình của đợt: chỉ tiêu khen thưởng riêng của từng đơn vị"
                      " (campaign setting: a unit's own award quota, beating its level's default)",
    "awards_per_theme.bang_khen_tld": "Quy định: QĐ 1689/QĐ-TLĐ — tối đa 300 Bằng khen chuyên đề mỗi chuyên đề"
                                      " mỗi năm (regulation: at most 300 thematic Bằng khen per theme per year)",
}
QUOTA_LEVELS = (4, 3, 2)  # the levels whose units nominate upward and grant awards under a per-unit quota


def _default_nominations() -> dict[int, int]:
    return {4: 10, 3: 10, 2: 4}


def _default_theme_awards() -> dict[AwardKind, int]:
    return {AwardKind.BANG_KHEN_TLD: 300}


@dataclass(frozen=True)
class QuotaPolicy:
    """Configurable caps of a campaign; a missing entry means no cap, a unit's own entry beats its level's."""

    # level (4, 3, 2) -> nominations one unit of that level may send up in the campaign
    nominations_per_unit: Mapping[int, int] = field(default_factory=_default_nominations)
    # kind -> active awards per theme and year (VGCL's thematic Bằng khen: the theme is the campaign)
    awards_per_theme: Mapping[AwardKind, int] = field(default_factory=_default_theme_awards)
    # unit id -> its own nomination cap in the campaign
    nominations_by_unit: Mapping[str, int] = field(default_factory=dict)
    # level (4, 3, 2) -> kind that level grants -> active awards one unit of that level may grant in the campaign
    awards_per_unit: Mapping[int, Mapping[AwardKind, int]] = field(default_factory=dict)
    # unit id -> kind -> its own award quota in the campaign (a kind it does not name falls back to its level's)
    awards_by_unit: Mapping[str, Mapping[AwardKind, int]] = field(default_factory=dict)

    def nomination_cap(self, nominating_level: int, unit_id: str | None = None) -> int | None:
        if unit_id is not None and unit_id in self.nominations_by_unit:
            return self.nominations_by_unit[unit_id]
        return self.nominations_per_unit.get(nominating_level)

    def award_cap(self, kind: AwardKind) -> int | None:
        """The cap per theme and year of ``kind``."""
        return self.awards_per_theme.get(kind)

    def unit_award_cap(self, unit_id: str, level: int, kind: AwardKind) -> int | None:
        """Most active awards of ``kind`` the unit may grant in the campaign: its own figure, else its level's."""
        own = self.awards_by_unit.get(unit_id, {})
        if kind in own:
            return own[kind]
        return self.awards_per_unit.get(level, {}).get(kind)

    def to_json(self) -> dict[str, Any]:
        return {
            "nominations_per_unit": {str(k): v for k, v in sorted(self.nominations_per_unit.items())},
            "awards_per_theme": {k.value: v for k, v in self.awards_per_theme.items()},
            "nominations_by_unit": dict(sorted(self.nominations_by_unit.items())),
            "awards_per_unit": {str(level): {k.value: v for k, v in caps.items()}
                                for level, caps in sorted(self.awards_per_unit.items(), reverse=True)},
            "awards_by_unit": {unit: {k.value: v for k, v in caps.items()}
                               for unit, caps in sorted(self.awards_by_unit.items())},
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> QuotaPolicy:
        """The stored policy; a policy stored before per-unit quotas existed reads with none of them."""
        if not raw:
            return cls()
        return cls(
            nominations_per_unit={int(k): int(v) for k, v in raw.get("nominations_per_unit", {}).items()},
            awards_per_theme={AwardKind(k): int(v) for k, v in raw.get("awards_per_theme", {}).items()},
            nominations_by_unit={str(k): int(v) for k, v in raw.get("nominations_by_unit", {}).items()},
            awards_per_unit={int(level): {AwardKind(k): int(v) for k, v in caps.items()}
                             for level, caps in raw.get("awards_per_unit", {}).items()},
            awards_by_unit={str(unit): {AwardKind(k): int(v) for k, v in caps.items()}
                            for unit, caps in raw.get("awards_by_unit", {}).items()},
        )

    def errors(self, level_of: Callable[[str], int | None]) -> list[tuple[tuple[str, ...], str]]:
        """What is wrong with the policy for the union tree, as (where, message); ``level_of`` is None if unknown."""
        found: list[tuple[tuple[str, ...], str]] = []
        for level, caps in self.awards_per_unit.items():
            found += _kinds_outside_level(("awards_per_unit", str(level)), level, caps)
        for unit_id in self.nominations_by_unit:
            unit_level = level_of(unit_id)
            where = ("nominations_by_unit", unit_id)
            if unit_level is None:
                found.append((where, f"không có đơn vị {unit_id} — unknown unit"))
            elif unit_level not in QUOTA_LEVELS:
                found.append((where, f"chỉ đơn vị cấp 4, 3, 2 đề cử lên trên — only units of levels 4, 3 and 2"
                                     f" nominate (this one is level {unit_level})"))
        for unit_id, caps in self.awards_by_unit.items():
            unit_level = level_of(unit_id)
            where = ("awards_by_unit", unit_id)
            if unit_level is None:
                found.append((where, f"không có đơn vị {unit_id} — unknown unit"))
            elif unit_level not in QUOTA_LEVELS:
                found.append((where, "chỉ tiêu khen thưởng theo đơn vị chỉ áp dụng cho cấp 4, 3, 2; cấp Tổng Liên"
                                     " đoàn dùng chỉ tiêu theo chuyên đề — per-unit award quotas are for levels 4,"
                                     " 3 and 2 (VGCL's caps are per theme)"))
            else:
                found += _kinds_outside_level(where, unit_level, caps)
        return found


def _kinds_outside_level(
    where: tuple[str, ...], level: int, caps: Mapping[AwardKind, int],
) -> list[tuple[tuple[str, ...], str]]:
    allowed = LEVEL_AWARDS.get(level, ())
    return [
        ((*where, kind.value),
         f"cấp {level} không khen thưởng {AWARD_NAMES[kind]}, chỉ {', '.join(AWARD_NAMES[k] for k in allowed)}"
         f" — level {level} does not grant {kind.value} (it grants {', '.join(k.value for k in allowed)})")
        for kind in caps if kind not in allowed
    ]
