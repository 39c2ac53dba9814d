"""Why a review action is refused: one error class per forbidden reason, each with a stable problem type."""

from __future__ import annotations

from typing import Any, ClassVar


class ReviewRuleError(Exception):
    """A review action broke a rule. ``code`` is the problem+json type suffix, ``status`` the HTTP status."""

    code: ClassVar[str] = "review-rule"
    status: ClassVar[int] = 409
    title: ClassVar[str] = "Không thực hiện được / Action refused"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class WrongUnitError(ReviewRuleError):
    code = "wrong-unit"
    status = 403
    title = "Sai đơn vị / Wrong unit"


class WrongLevelError(ReviewRuleError):
    code = "wrong-level"
    status = 403
    title = "Sai cấp xét / Wrong level"


class QuotaExceededError(ReviewRuleError):
    code = "quota-exceeded"
    title = "Vượt chỉ tiêu / Quota exceeded"


class BelowThresholdError(ReviewRuleError):
    code = "below-threshold"
    status = 422
    title = "Chưa đạt mức giá trị làm lợi / Benefit below threshold"


class WindowClosedError(ReviewRuleError):
    code = "window-closed"
    title = "Ngoài thời hạn xét / Outside the review window"


class InitiativeWithdrawnError(ReviewRuleError):
    code = "initiative-withdrawn"
    title = "Sáng kiến đã rút / Initiative withdrawn"


class RecordIncompleteError(ReviewRuleError):
    code = "record-incomplete"
    status = 422
    title = "Hồ sơ chưa đầy đủ / Record incomplete"


class InvalidTransitionError(ReviewRuleError):
    code = "invalid-transition"
    title = "Thao tác không hợp lệ ở trạng thái này / Invalid transition"


class AwaitingAuthorsError(ReviewRuleError):
    code = "awaiting-authors"
    title = "Đang chờ tác giả bổ sung / Waiting for the authors"


class ReasonRequiredError(ReviewRuleError):
    code = "reason-required"
    status = 422
    title = "Cần nêu lý do / Reason required"


class InvalidScoreError(ReviewRuleError):
    code = "invalid-score"
    status = 422
    title = "Phiếu chấm điểm không hợp lệ / Invalid score sheet"


class AwardNotForLevelError(ReviewRuleError):
    code = "award-not-for-level"
    status = 422
    title = "Hình thức khen thưởng không thuộc cấp này / Award not granted at this level"


class AwardAlreadyGrantedError(ReviewRuleError):
    code = "award-already-granted"
    title = "Đã khen thưởng / Award already granted"


class AwardNotActiveError(ReviewRuleError):
    code = "award-not-active"
    title = "Khen thưởng không còn hiệu lực / Award not active"


class SelectionRequiredError(ReviewRuleError):
    code = "selection-required"
    title = "Cần xét chọn trước / Selection required first"


class NationalLevelOnlyError(ReviewRuleError):
    code = "national-level-only"
    title = "Chỉ Tổng Liên đoàn xét chọn / National level only"


class CampaignNotConfiguredError(ReviewRuleError):
    code = "campaign-not-configured"
    title = "Chưa có cấu hình đợt thi đua / Campaign not configured"


class ConcurrentChangeError(ReviewRuleError):
    code = "concurrent-change"
    title = "Hồ sơ vừa được thay đổi / Changed concurrently"
