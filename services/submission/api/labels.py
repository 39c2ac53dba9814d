"""Vietnamese names of the submission API's request fields, for its validation problems."""

from __future__ import annotations

from services.submission.domain.import_rows import HEADER_OF, IMPORT_AUTHORS

# The form's fields read as the import template's column headers, without the spreadsheet's hints in brackets.
_FORM = {
    key: HEADER_OF[key].split(" (")[0]
    for key in (
        "unit_id", "title", "field", "description", "date_first_applied", "effectiveness_summary",
        "application_conditions", "first_application_participants", "investor", "confidential",
        "confidential_details",
    )
} | {"benefit_vnd": HEADER_OF["benefit_vnd"]}

# An author's parts as the template's "Tác giả n – …" headers name them, without the number and the hints.
_AUTHOR_PREFIX = f"Tác giả {IMPORT_AUTHORS} – "
_AUTHOR = {
    f"authors[].{key}": HEADER_OF[f"author{IMPORT_AUTHORS}_{key}"].removeprefix(_AUTHOR_PREFIX).split(" (")[0]
    for key in ("name", "date_of_birth", "workplace", "job_title", "qualification", "category", "share_percent",
                "member_id")
}

_CAMPAIGN = {
    "name": "Tên phong trào",
    "target": "Chỉ tiêu số sáng kiến",
    "submission_opens_at": "Thời điểm mở nhận sáng kiến",
    "submission_closes_at": "Thời điểm đóng nhận sáng kiến",
    "submission_extended_until": "Gia hạn nhận sáng kiến đến",
    "voting_opens_at": "Thời điểm mở bình chọn",
    "voting_closes_at": "Thời điểm đóng bình chọn",
    "review_opens_at": "Thời điểm mở xét duyệt",
    "national_selection_opens_at": "Thời điểm mở tuyển chọn toàn quốc",
    "fields": "Danh sách lĩnh vực",
    "fields[]": "Lĩnh vực {n}",
    "fields[].code": "Mã",
    "fields[].label": "Tên",
    "quotas": "Chỉ tiêu theo đơn vị",
}

_PARAMETERS = {
    "authors": "Danh sách tác giả",
    "authors[]": "Tác giả {n}",
    "reason": "Lý do",
    "campaign_id": "Mã phong trào",
    "initiative_id": "Mã sáng kiến",
    "attachment_id": "Mã tệp đính kèm",
    "query.unit_id": "Mã đơn vị",
    "query.field": "Lĩnh vực",
    "q": "Từ khóa tìm kiếm",
    "mine": "Chỉ sáng kiến của tôi",
    "cursor": "Con trỏ trang",
    "limit": "Số dòng mỗi trang",
    "after": "Vị trí trong nhật ký sự kiện",
    "first_row": "Dòng dữ liệu đầu tiên",
    "file": "Tệp",
    "Idempotency-Key": "Khóa chống gửi trùng (Idempotency-Key)",
}

SUBMISSION_LABELS: dict[str, str] = _FORM | _AUTHOR | _CAMPAIGN | _PARAMETERS
