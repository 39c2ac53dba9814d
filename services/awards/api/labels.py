"""Vietnamese names of the awards API's request fields, for its validation problems."""

from __future__ import annotations

AWARDS_LABELS: dict[str, str] = {
    # Action bodies.
    "reason": "Lý do",
    "marks": "Điểm chấm",
    "kind": "Loại khen thưởng",
    "grade": "Hạng tuyển chọn",
    "note": "Ghi chú",
    # The campaign's review policy.
    "rubric": "Tiêu chí chấm điểm",
    "rubric[]": "Tiêu chí {n}",
    "rubric[].key": "Mã tiêu chí",
    "rubric[].name": "Tên tiêu chí",
    "rubric[].weight": "Trọng số",
    "nominations_per_unit": "Số đề cử tối đa mỗi đơn vị",
    "awards_per_theme": "Số khen thưởng tối đa mỗi chủ đề",
    # Path and query parameters.
    "case_id": "Mã hồ sơ xét duyệt",
    "award_id": "Mã khen thưởng",
    "attachment_id": "Mã tệp đính kèm",
    "campaign_id": "Mã phong trào",
    "unit_id": "Mã đơn vị",
    "field": "Lĩnh vực",
    "format": "Định dạng tệp",
    "list": "Danh sách",
    "query.grade": "Hạng tuyển chọn",
    "cursor": "Con trỏ trang",
    "limit": "Số dòng mỗi trang",
    "after": "Vị trí trong nhật ký",
    "Idempotency-Key": "Khóa chống gửi trùng (Idempotency-Key)",
}
