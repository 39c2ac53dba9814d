"""The campaign's score sheet (phiếu chấm điểm): criteria with weights, weighted totals, the case's score."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from services.awards.domain.errors import InvalidScoreError

MAX_MARK = 10.0


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    weight: int


@dataclass(frozen=True)
class Rubric:
    """Each criterion is marked 0–10; the weighted total is scaled to 0–100 whatever the weights sum to."""

    criteria: tuple[Criterion, ...]

    def __post_init__(self) -> None:
        keys = [c.key for c in self.criteria]
        if not self.criteria or len(set(keys)) != len(keys) or any(c.weight <= 0 for c in self.criteria):
            raise InvalidScoreError(
                "Phiếu chấm cần ít nhất một tiêu chí, mã không trùng, trọng số dương"
                " — a rubric needs criteria with unique keys and positive weights"
            )

    @property
    def total_weight(self) -> int:
        return sum(c.weight for c in self.criteria)

    def weighted_total(self, marks: Mapping[str, float]) -> float:
        """Σ mark × weight, scaled to 0–100; every criterion must be marked within 0–10."""
        expected = {c.key for c in self.criteria}
        if set(marks) != expected:
            missing = sorted(expected - set(marks))
            extra = sorted(set(marks) - expected)
            raise InvalidScoreError(
                f"Phiếu chấm phải có đúng các tiêu chí {sorted(expected)} (thiếu {missing}, thừa {extra})"
                " — mark exactly the rubric's criteria",
                missing=missing, unexpected=extra,
            )
        for key, mark in marks.items():
            if not 0 <= mark <= MAX_MARK:
                raise InvalidScoreError(
                    f"Điểm tiêu chí {key} phải từ 0 đến 10 — marks are 0 to 10", criterion=key,
                )
        raw = sum(marks[c.key] * c.weight for c in self.criteria)
        return round(raw * (100.0 / MAX_MARK) / self.total_weight, 4)

    def to_json(self) -> list[dict[str, Any]]:
        return [{"key": c.key, "name": c.name, "weight": c.weight} for c in self.criteria]

    @classmethod
    def from_json(cls, raw: Iterable[Mapping[str, Any]] | None) -> Rubric:
        if not raw:
            return DEFAULT_RUBRIC
        return cls(tuple(Criterion(str(c["key"]), str(c["name"]), int(c["weight"])) for c in raw))


DEFAULT_RUBRIC = Rubric((
    Criterion("tinh_moi", "Tính mới", 30),
    Criterion("hieu_qua", "Hiệu quả", 40),
    Criterion("kha_nang_ap_dung", "Khả năng áp dụng", 20),
    Criterion("ho_so", "Hồ sơ", 10),
))


def case_score(reviewer_totals: Iterable[float]) -> float | None:
    """The case's score at a level: the mean of its reviewers' weighted totals (None before any score)."""
    totals = list(reviewer_totals)
    return round(sum(totals) / len(totals), 4) if totals else None
