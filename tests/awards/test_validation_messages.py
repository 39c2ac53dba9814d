"""The awards API's 422s name the field in Vietnamese and say what is wrong in Vietnamese, then in English."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from shared.settings import Settings
from tests.support.validation import assert_vietnamese_422

from .builders import admin, awards_api, reviewer

CASE = uuid.uuid4()


@pytest.mark.parametrize(("path", "body", "label", "message_vi", "english"), [
    (f"/v1/cases/{CASE}/awards", {"kind": "huy_chuong_vang"}, "Loại khen thưởng",
     "phải là một trong các giá trị: ", "kind: input should be"),
    (f"/v1/cases/{CASE}/selection", {"grade": "hang_nhat"}, "Hạng tuyển chọn",
     "phải là một trong các giá trị: 'tieu_bieu' hoặc 'xuat_sac'", "grade: input should be 'tieu_bieu' or 'xuat_sac'"),
    (f"/v1/cases/{CASE}/return", {}, "Lý do", "không được để trống", "reason: field required"),
    (f"/v1/cases/{CASE}/return", {"reason": "   "}, "Lý do", "không được để trống", "reason: string should have"),
    (f"/v1/cases/{CASE}/scores", {"marks": {"tinh_moi": 11}}, "Điểm chấm – tinh_moi",
     "phải nhỏ hơn hoặc bằng 10", "marks.tinh_moi: input should be less than or equal to 10"),
    (f"/v1/cases/{CASE}/scores", {"marks": {"tinh_moi": "chín"}}, "Điểm chấm – tinh_moi", "phải là số",
     "marks.tinh_moi: input should be a valid number"),
    (f"/v1/cases/{CASE}/nominations", {"note": "x" * 2001}, "Ghi chú", "không được dài quá 2000 ký tự",
     "note: string should have at most 2000 characters"),
    (f"/v1/cases/{CASE}/recognise", {"reason": "", "diem": 9}, "diem", "không phải trường được phép gửi",
     "diem: extra inputs are not permitted"),
    ("/v1/cases/khong-phai-uuid/recognise", {}, "Mã hồ sơ xét duyệt", "phải là mã UUID hợp lệ",
     "case_id: input should be a valid UUID"),
    ("/v1/awards/123/revoke", {"reason": "Trùng lặp"}, "Mã khen thưởng", "phải là mã UUID hợp lệ",
     "award_id: input should be a valid UUID"),
])
async def test_a_bad_action_is_told_in_vietnamese(
    settings: Settings, path: str, body: dict[str, Any], label: str, message_vi: str, english: str,
) -> None:
    async with awards_api(settings) as (_, client):
        response = await client.post(path, json=body, headers=reviewer("P24"))
        assert_vietnamese_422(response, label, message_vi, english)


async def test_a_bad_policy_and_bad_parameters_are_told_in_vietnamese(settings: Settings) -> None:
    async with awards_api(settings) as (_, client):
        policy = {"rubric": [{"key": "tinh_moi", "name": "Tính mới", "weight": 0}],
                  "nominations_per_unit": {"4": 3}, "awards_per_theme": {}}
        response = await client.put("/v1/campaigns/demo/policy", json=policy, headers=admin())
        assert_vietnamese_422(response, "Tiêu chí 1 – Trọng số", "phải lớn hơn hoặc bằng 1", "rubric.0.weight: input")
        response = await client.get("/v1/queue", params={"limit": 500}, headers=reviewer("P24"))
        assert_vietnamese_422(response, "Số dòng mỗi trang", "phải nhỏ hơn hoặc bằng 200", "limit: input should be")
