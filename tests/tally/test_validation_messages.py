"""The tally API's 422s name the parameter in Vietnamese and say what is wrong in Vietnamese, then in English."""

from __future__ import annotations

import httpx
import pytest

from services.tally.app import create_app
from shared.settings import Settings
from tests.support.validation import assert_vietnamese_422


@pytest.mark.parametrize(("path", "params", "label", "message_vi", "english"), [
    ("/v1/campaigns/c2021/rankings", {"limit": 0}, "Số dòng", "phải lớn hơn hoặc bằng 1",
     "limit: input should be greater than or equal to 1"),
    ("/v1/campaigns/c2021/rankings", {"limit": "mười"}, "Số dòng", "phải là số nguyên",
     "limit: input should be a valid integer"),
    ("/v1/campaigns/c2021/rankings", {"metric": "luot_xem"}, "Chỉ số xếp hạng", "phải là một trong các giá trị: ",
     "metric: input should be"),
    ("/v1/campaigns/c2021/rankings", {"level": 3}, "Cấp đơn vị", "phải nhỏ hơn hoặc bằng 2", "level: input should"),
    ("/v1/campaigns/c2021/daily", {"unit": ""}, "Mã đơn vị", "không được để trống", "unit: string should have"),
    ("/v1/stream", {"campaign_id": "KHÔNG HỢP LỆ"}, "Mã phong trào", "không đúng định dạng",
     "campaign_id: string should match pattern"),
])
async def test_a_bad_parameter_is_told_in_vietnamese(
    settings: Settings, path: str, params: dict[str, object], label: str, message_vi: str, english: str,
) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t",
    ) as client:
        assert_vietnamese_422(await client.get(path, params=params), label, message_vi, english)
