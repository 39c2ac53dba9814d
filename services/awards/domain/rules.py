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
- Quotas: nominations per nominating unit and campaign, by the nominating unit's level (defaults: 10 from
  levels 4 and 3, 4 from level 2 to VGCL); active awards per theme and year by kind (default: at most 300
  thematic Bằng khen of VGCL per theme). The theme of a VGCL Bằng khen is the campaign.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


@dataclass(frozen=True)
class QuotaPolicy:
    """Configurable caps of a campaign; a missing entry means no cap."""

    nominations_per_unit: Mapping[int, int] = field(default_factory=lambda: {4: 10, 3: 10, 2: 4})
    awards_per_theme: Mapping[AwardKind, int] = field(default_factory=lambda: {AwardKind.BANG_KHEN_TLD: 300})

    def nomination_cap(self, nominating_level: int) -> int | None:
        return self.nominations_per_unit.get(nominating_level)

    def award_cap(self, kind: AwardKind) -> int | None:
        return self.awards_per_theme.get(kind)

    def to_json(self) -> dict[str, Any]:
        return {
            "nominations_per_unit": {str(k): v for k, v in sorted(self.nominations_per_unit.items())},
            "awards_per_theme": {k.value: v for k, v in self.awards_per_theme.items()},
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> QuotaPolicy:
        if not raw:
            return cls()
        return cls(
            nominations_per_unit={int(k): int(v) for k, v in raw.get("nominations_per_unit", {}).items()},
            awards_per_theme={AwardKind(k): int(v) for k, v in raw.get("awards_per_theme", {}).items()},
        )
