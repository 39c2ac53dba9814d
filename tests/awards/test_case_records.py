"""Reviewers read an initiative's full record and files through awards, once its case has reached their level."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from services.awards.bootstrap import AwardsService
from services.awards.domain.case import case_id_for
from services.submission import MIGRATIONS_DIR as SUBMISSION_MIGRATIONS
from services.submission.app import create_app as create_submission_app
from shared.auth import issue_token
from shared.db import upgrade_database_async
from shared.events import InitiativeSubmitted
from shared.settings import Settings
from shared.union_tree import get_tree
from tests.submission.files import pdf_bytes

from .builders import act, admin, awards_api, campaign_event, feed, initiative_event, ok, reviewer

SECRET = "Tỷ lệ phối trộn phụ gia 3:7 — bí mật công nghệ"
BIRTH = "1984-05-06"


async def _secret_in_submission(client: httpx.AsyncClient, unit_id: str) -> tuple[dict[str, Any], bytes]:
    member = {"Authorization": "Bearer " + issue_token(subject="m-record", role="member")}
    body = {"campaign_id": "demo", "unit_id": unit_id, "field": "san_xuat_kinh_doanh", "title": "Phụ gia bê tông",
            "description": "Mô tả bản chất giải pháp", "effectiveness_summary": "Làm lợi 120 triệu đồng/năm",
            "benefit_vnd": 120_000_000, "confidential": True, "confidential_details": SECRET,
            "date_first_applied": "2021-03-15",
            "authors": [{"name": "Nguyễn Thị Hằng", "share_percent": 100, "date_of_birth": BIRTH}]}
    created = await ok(client.post("/v1/initiatives", json=body, headers=member))
    data = pdf_bytes("phu-gia")
    await ok(client.post(f"/v1/initiatives/{created['id']}/attachments", files={"file": ("to-trinh.pdf", data)},
                         headers=member))
    await ok(client.post(f"/v1/initiatives/{created['id']}/submit", headers=member))
    return created, data


async def test_the_record_and_files_follow_the_case_up_the_chain(settings: Settings) -> None:
    unit = get_tree().grassroots_ids()[0]
    path = get_tree().path(unit)
    submission_settings = settings.model_copy(update={"run_relay": False})
    await upgrade_database_async(SUBMISSION_MIGRATIONS, submission_settings.submission_db_url)
    submission = create_submission_app(submission_settings)
    async with submission.router.lifespan_context(submission), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=submission), base_url="http://submission",
    ) as submission_client:
        created, data = await _secret_in_submission(submission_client, unit)
        async with awards_api(settings) as (app, client):
            service: AwardsService = app.state.awards
            service.submission_transport = httpx.ASGITransport(app=submission)
            await feed(service, campaign_event(), initiative_event(
                InitiativeSubmitted, initiative_id=uuid.UUID(created["id"]), path=path, title=created["title"],
                confidential=True,
            ))
            case_id = case_id_for(uuid.UUID(created["id"]))
            record, files = f"/v1/cases/{case_id}/record", f"/v1/cases/{case_id}/attachments"
            outsider = reviewer(get_tree().grassroots_ids()[-1])

            async def sees(headers: dict[str, str]) -> bool:
                answer = await client.get(record, headers=headers)
                assert answer.status_code in (200, 404), answer.text
                if answer.status_code == 404:
                    assert SECRET not in answer.text and answer.json()["type"].endswith("/case-not-found")
                    assert (await client.get(files, headers=headers)).status_code == 404
                    return False
                full = answer.json()
                assert full["view"] == "full" and full["confidential_details"] == SECRET
                assert full["authors"][0]["date_of_birth"] == BIRTH
                listed = await client.get(files, headers=headers)
                assert listed.status_code == 200 and [f["filename"] for f in listed.json()] == ["to-trinh.pdf"]
                download = await client.get(f"{files}/{listed.json()[0]['id']}", headers=headers)
                assert download.status_code == 200 and download.content == data
                assert download.headers["content-type"].startswith("application/pdf")
                missing = await client.get(f"{files}/{uuid.uuid4()}", headers=headers)
                assert missing.status_code == 404
                return True

            async def submission_view(headers: dict[str, str]) -> str:
                """Submission itself never shows reviewers the full record: they cannot be told apart there."""
                answer = await submission_client.get(f"/v1/initiatives/{created['id']}", headers=headers)
                return str(answer.json()["view"])

            # Before nomination: only the grassroots reviewers (the case waits with them) and admins.
            assert [await sees(h) for h in (reviewer(unit), reviewer(path[2]), reviewer(path[1]), outsider,
                                            admin())] == [True, False, False, False, True]
            await ok(act(client, case_id, "recognise", reviewer(unit)))
            await ok(act(client, case_id, "nominate", reviewer(unit)))
            # Nominated to the upper-grassroots union: its reviewers now see it; the province not yet.
            assert [await sees(h) for h in (reviewer(unit), reviewer(path[2]), reviewer(path[1]), outsider)] == [
                True, True, False, False]
            for headers in (reviewer(unit), reviewer(path[2]), reviewer(path[1])):
                assert await submission_view(headers) == "confidential"
            anonymous = await client.get(record)
            assert anonymous.status_code == 401
