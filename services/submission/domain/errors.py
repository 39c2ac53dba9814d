"""The stable error types of the submission service (problem+json ``type`` suffixes)."""

from __future__ import annotations

from shared.problems import (
    ConflictError,
    NotFoundError,
    PayloadTooLargeError,
    Problem,
    RateLimitedError,
    UnprocessableError,
)


class UnknownUnitError(UnprocessableError):
    type_suffix = "unknown-unit"
    title = "Đơn vị không tồn tại / Unknown unit"


class NotGrassrootsUnitError(UnprocessableError):
    type_suffix = "not-grassroots-unit"
    title = "Đơn vị không phải công đoàn cơ sở / Not a grassroots unit"


class SharesNot100Error(UnprocessableError):
    type_suffix = "shares-not-100"
    title = "Tổng tỷ lệ đóng góp phải bằng 100 % / Author shares must add up to 100 %"


class UnknownFieldError(UnprocessableError):
    type_suffix = "unknown-field"
    title = "Lĩnh vực không thuộc phong trào / Field not in the campaign"


class DateInFutureError(UnprocessableError):
    type_suffix = "date-in-future"
    title = "Ngày áp dụng lần đầu ở tương lai / Date first applied is in the future"


class IncompleteInitiativeError(UnprocessableError):
    type_suffix = "incomplete-initiative"
    title = "Sáng kiến chưa đủ thông tin để gửi / Initiative incomplete for submission"


class InvalidCampaignError(UnprocessableError):
    type_suffix = "invalid-campaign"
    title = "Cấu hình phong trào không hợp lệ / Invalid campaign configuration"


class WindowClosedError(ConflictError):
    type_suffix = "window-closed"
    title = "Ngoài thời gian của phong trào / Outside the campaign window"


class AlreadyWithdrawnError(ConflictError):
    type_suffix = "already-withdrawn"
    title = "Sáng kiến đã rút / Initiative already withdrawn"


class AlreadySubmittedError(ConflictError):
    type_suffix = "already-submitted"
    title = "Sáng kiến đã gửi / Initiative already submitted"


class NotSubmittedError(ConflictError):
    type_suffix = "not-submitted"
    title = "Sáng kiến chưa được gửi / Initiative not submitted"


class VersionConflictError(ConflictError):
    type_suffix = "version-conflict"
    title = "Sáng kiến vừa được người khác sửa / Initiative changed concurrently"


class CampaignExistsError(ConflictError):
    type_suffix = "campaign-exists"
    title = "Phong trào đã tồn tại / Campaign already exists"


class InitiativeNotFoundError(NotFoundError):
    type_suffix = "initiative-not-found"
    title = "Không tìm thấy sáng kiến / Initiative not found"


class CampaignNotFoundError(NotFoundError):
    type_suffix = "campaign-not-found"
    title = "Không tìm thấy phong trào / Campaign not found"


class AttachmentNotFoundError(NotFoundError):
    type_suffix = "attachment-not-found"
    title = "Không tìm thấy tệp đính kèm / Attachment not found"


class UnsupportedFileTypeError(Problem):
    status = 415
    type_suffix = "unsupported-file-type"
    title = "Loại tệp không được hỗ trợ / Unsupported file type"


class FileTooLargeError(PayloadTooLargeError):
    type_suffix = "file-too-large"
    title = "Tệp quá lớn / File too large"


class UnreadableImportError(UnprocessableError):
    type_suffix = "unreadable-import"
    title = "Không đọc được tệp nhập / Import file unreadable"


class ImportTooLargeError(PayloadTooLargeError):
    """An import file past one of the server's bounds; ``limit`` names the bound, ``limit_name`` which one."""

    type_suffix = "import-too-large"
    title = "Tệp nhập vượt giới hạn / Import file over a limit"


class TooManyColumnsError(UnreadableImportError):
    type_suffix = "too-many-columns"
    title = "Dòng có quá nhiều cột / Row has too many columns"


class QuotaExceededError(RateLimitedError):
    """A count quota (drafts, attachments) is used up; ``limit`` and ``limit_name`` say which."""

    type_suffix = "quota-exceeded"
    title = "Vượt hạn mức / Quota exceeded"


class QuotaBytesExceededError(PayloadTooLargeError):
    type_suffix = "quota-bytes-exceeded"
    title = "Vượt hạn mức dung lượng / Storage quota exceeded"
