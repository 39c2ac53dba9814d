"""Helpers for the submission tests: realistic forms, tokens, and the app started in-process with its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from services.submission import MIGRATIONS_DIR
from services.submission.app import create_app
from services.submission.bootstrap import Context
from shared.auth import Role, issue_token
from shared.db import upgrade_database_async
from shared.settings import Settings

UNIT = "P24-03-002"  # Công đoàn cơ sở Trung tâm Y tế huyện Tân Yên (Bắc Giang)
UNIT_L3 = "P24-03"
UNIT_L2 = "P24"
OTHER_UNIT = "P40-01-001"  # Nghệ An, outside Bắc Giang's subtree
OPEN = "demo"
CLOSED = "75k-2021"


def form(**overrides: Any) -> dict[str, Any]:
    """A complete, realistic request form for the open demo campaign."""
    body: dict[str, Any] = {
        "campaign_id": OPEN,
        "unit_id": UNIT,
        "field": "y_te",
        "title": "Cải tiến quy trình tiếp đón bệnh nhân tại khoa khám bệnh",
        "description": "Sắp xếp lại luồng tiếp đón, dùng phiếu hẹn giờ và bảng điện tử gọi số.",
        "date_first_applied": "2021-03-15",
        "benefit_vnd": 120_000_000,
        "effectiveness_summary": "Giảm 40 % thời gian chờ khám; tiết kiệm 120 triệu đồng mỗi năm.",
        "application_conditions": "Có bảng điện tử và phần mềm gọi số.",
        "first_application_participants": "Khoa Khám bệnh, Trung tâm Y tế huyện Tân Yên",
        "investor": "",
        "confidential": False,
        "confidential_details": "",
        "authors": [
            {
                "name": "Nguyễn Thị Hồng Nhung", "date_of_birth": "1986-04-12",
                "workplace": "Trung tâm Y tế huyện Tân Yên",
                "job_title": "Điều dưỡng trưởng", "qualification": "Cử nhân điều dưỡng", "category": "graduate",
                "share_percent": "60", "member_id": "dv-nhung",
            },
            {
                "name": "Trần Văn Đức", "date_of_birth": "1979-09-02", "workplace": "Trung tâm Y tế huyện Tân Yên",
                "job_title": "Kỹ thuật viên", "qualification": "Trung cấp", "category": "worker",
                "share_percent": "40",
            },
        ],
    }
    body.update(overrides)
    return body


SECRET: dict[str, Any] = {
    "confidential": True,
    "confidential_details": "Công thức pha dung dịch khử khuẩn BÍ-MẬT-XYZ với tỷ lệ 3:7",
    "description": "Quy trình khử khuẩn dụng cụ bằng dung dịch tự pha chế MÔ-TẢ-KÍN",
}


def bearer(settings: Settings, role: Role | str, unit: str | None = None, subject: str = "dv-nhung",
           ttl: timedelta = timedelta(hours=1)) -> dict[str, str]:
    token = issue_token(subject=subject, role=role, unit_id=unit, settings=settings, ttl=ttl)
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Harness:
    client: httpx.AsyncClient
    app: FastAPI
    settings: Settings

    @property
    def context(self) -> Context:
        context: Context = self.app.state.context
        return context

    def member(self, subject: str = "dv-nhung", unit: str | None = None) -> dict[str, str]:
        return bearer(self.settings, Role.MEMBER, unit, subject)

    def officer(self, unit: str = UNIT_L3, subject: str = "cb-tan-yen") -> dict[str, str]:
        return bearer(self.settings, Role.OFFICER, unit, subject)

    def admin(self) -> dict[str, str]:
        return bearer(self.settings, Role.ADMIN, None, "quan-tri")

    def service(self) -> dict[str, str]:
        return bearer(self.settings, Role.SERVICE, None, "service")

    async def create(self, headers: dict[str, str] | None = None, **overrides: Any) -> dict[str, Any]:
        response = await self.client.post("/v1/initiatives", json=form(**overrides), headers=headers or self.member())
        assert response.status_code == 201, response.text
        return response.json()

    async def submitted(self, headers: dict[str, str] | None = None, **overrides: Any) -> dict[str, Any]:
        created = await self.create(headers, **overrides)
        response = await self.client.post(
            f"/v1/initiatives/{created['id']}/submit", headers=headers or self.member(),
        )
        assert response.status_code == 200, response.text
        return response.json()


async def start(settings: Settings) -> AsyncIterator[Harness]:
    """Migrate the database, run the app's lifespan and yield an HTTP client talking to it in-process."""
    await upgrade_database_async(MIGRATIONS_DIR, settings.submission_db_url)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://submission.test") as client:
            yield Harness(client, app, settings)


def service_settings(settings: Settings, db_url: str, **changes: Any) -> Settings:
    return settings.model_copy(update={
        "submission_db_url": db_url, "run_relay": False, "vote_rate_per_member": 1000,
        "vote_rate_per_address": 100_000, **changes,
    })


