"""Submission's 422s name the field in Vietnamese and say what is wrong in Vietnamese, then in English."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.validation import assert_vietnamese_422

from .support import Harness, form


def without(key: str) -> dict[str, Any]:
    body = form()
    del body[key]
    return body


def second_share(value: Any) -> dict[str, Any]:
    body = form()
    body["authors"][1]["share_percent"] = value
    return body


@pytest.mark.parametrize(("body", "label", "message_vi", "english"), [
    (without("title"), "Tên sáng kiến", "không được để trống", "title: field required"),
    (form(title="x" * 301), "Tên sáng kiến", "không được dài quá 300 ký tự",
     "title: value should have at most 300"),
    (form(benefit_vnd=-5), "Giá trị làm lợi (VNĐ/năm)", "phải lớn hơn hoặc bằng 0",
     "benefit_vnd: input should be greater than or equal to 0"),
    (form(benefit_vnd="một trăm"), "Giá trị làm lợi (VNĐ/năm)", "phải là số nguyên", "benefit_vnd: input should"),
    (second_share("bốn mươi"), "Tác giả 2 – Tỷ lệ đóng góp", "phải là số thập phân",
     "authors.1.share_percent: input should be a valid decimal"),
    (form(status="submitted"), "status", "không phải trường được phép gửi", "status: extra inputs are not permitted"),
    (form(date_first_applied="15/03/2021"), "Ngày áp dụng lần đầu", "phải là ngày theo dạng",
     "date_first_applied: input should be a valid date"),
    (form(confidential="có lẽ"), "Bảo mật", "phải là đúng hoặc sai", "confidential: input should be a valid boolean"),
    (form(authors=[]), "Danh sách tác giả", "không được để trống", "authors: "),
    ([1, 2, 3], "Dữ liệu gửi lên", "phải là một đối tượng JSON", "request: input should be a valid dictionary"),
])
async def test_a_bad_form_is_told_in_vietnamese(
    sqlite_harness: Harness, body: object, label: str, message_vi: str, english: str,
) -> None:
    response = await sqlite_harness.client.post("/v1/initiatives", json=body, headers=sqlite_harness.member())
    assert_vietnamese_422(response, label, message_vi, english)


async def test_an_author_category_outside_the_list_names_the_choices(sqlite_harness: Harness) -> None:
    body = form()
    body["authors"][0]["category"] = "giam_doc"
    response = await sqlite_harness.client.post("/v1/initiatives", json=body, headers=sqlite_harness.member())
    answer = assert_vietnamese_422(
        response, "Tác giả 1 – Đối tượng", "phải là một trong các giá trị: ", "authors.0.category: input should be",
    )
    assert "hoặc" in answer["errors"][0]["message_vi"]


@pytest.mark.parametrize(("path", "params", "label", "message_vi", "english"), [
    ("/v1/initiatives/khong-phai-uuid", None, "Mã sáng kiến", "phải là mã UUID hợp lệ",
     "initiative_id: input should be a valid UUID"),
    ("/v1/initiatives", {"limit": 0}, "Số dòng mỗi trang", "phải lớn hơn hoặc bằng 1", "limit: input should be"),
    ("/v1/initiatives", {"limit": "nhiều"}, "Số dòng mỗi trang", "phải là số nguyên", "limit: input should be"),
    ("/v1/initiatives", {"q": "x" * 500}, "Từ khóa tìm kiếm", "không được dài quá", "q: string should have at most"),
    ("/v1/initiatives", {"unit_id": "x" * 40}, "Mã đơn vị", "không được dài quá 32 ký tự", "unit_id: string should"),
])
async def test_bad_parameters_are_told_in_vietnamese(
    sqlite_harness: Harness, path: str, params: dict[str, Any] | None, label: str, message_vi: str, english: str,
) -> None:
    response = await sqlite_harness.client.get(path, params=params, headers=sqlite_harness.member())
    assert_vietnamese_422(response, label, message_vi, english)


async def test_malformed_json_is_told_in_vietnamese(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    response = await h.client.post(
        "/v1/initiatives", content=b'{"title": "Cai tien",', headers={**h.member(), "Content-Type": "application/json"},
    )
    assert_vietnamese_422(response, "Dữ liệu gửi lên", "không phải JSON hợp lệ", "request: JSON decode error")


async def test_a_campaign_with_naive_times_and_windows_out_of_order_is_told_in_vietnamese(
    sqlite_harness: Harness,
) -> None:
    h = sqlite_harness
    base = {
        "id": "thu-nghiem", "name": "Thử nghiệm", "target": -1, "submission_opens_at": "2026-01-01T00:00:00+07:00",
        "submission_closes_at": "2026-02-01T00:00:00", "voting_opens_at": "2026-01-01T00:00:00+07:00",
        "voting_closes_at": "2026-02-01T00:00:00+07:00", "fields": [{"code": "Y TẾ", "label": "Y tế"}],
    }
    response = await h.client.post("/v1/campaigns", json=base, headers=h.admin())
    answer = assert_vietnamese_422(
        response, "Chỉ tiêu số sáng kiến", "phải lớn hơn hoặc bằng 0", "target: input should be greater than",
    )
    vietnamese = answer["detail"].split(" — ")[0]
    assert "; Thời điểm đóng nhận sáng kiến: phải ghi rõ múi giờ (ví dụ +07:00)" in vietnamese
    assert "; Lĩnh vực 1 – Mã: không đúng định dạng" in vietnamese
    backwards = {**base, "target": 10, "submission_closes_at": "2025-01-01T00:00:00+07:00",
                 "fields": [{"code": "y_te", "label": "Y tế"}]}
    response = await h.client.post("/v1/campaigns", json=backwards, headers=h.admin())
    assert_vietnamese_422(response, "Dữ liệu gửi lên",
                          "không hợp lệ: Thời điểm đóng nhận sáng kiến phải sau thời điểm mở",
                          "submission_closes_at must be after submission_opens_at")


async def test_a_withdrawal_without_reason_is_told_in_vietnamese(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    response = await h.client.post(f"/v1/initiatives/{uuid.uuid4()}/withdraw", json={}, headers=h.member())
    assert_vietnamese_422(response, "Lý do", "không được để trống", "reason: field required")


async def test_a_too_long_idempotency_key_is_told_in_vietnamese(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    response = await h.client.post("/v1/initiatives", json=form(), headers={**h.member(), "Idempotency-Key": "k" * 300})
    assert_vietnamese_422(response, "Khóa chống gửi trùng (Idempotency-Key)", "không được dài quá",
                          "Idempotency-Key: string should have at most 200 characters")
