"""Dossier exports read authors and confidential details from the REAL submission app and render Vietnamese."""

from __future__ import annotations

import io
import uuid
from typing import Any

import httpx
import pypdf
from docx import Document
from openpyxl import load_workbook

from services.awards.bootstrap import AwardsService
from services.awards.domain.case import case_id_for
from services.submission import MIGRATIONS_DIR as SUBMISSION_MIGRATIONS
from services.submission.app import create_app as create_submission_app
from shared.auth import issue_token
from shared.db import upgrade_database_async
from shared.events import InitiativeSubmitted
from shared.settings import Settings
from shared.union_tree import get_tree

from .builders import act, awards_api, campaign_event, feed, initiative_event, ok, reviewer

SECRET = "Tỷ lệ phối trộn phụ gia 3:7 — bí mật công nghệ"
FORMS = [
    {"title": "Máy bóc vỏ lạc cải tiến", "confidential": True, "confidential_details": SECRET,
     "authors": [{"name": "Nguyễn Thị Hằng", "share_percent": 60}, {"name": "Trần Văn Đức", "share_percent": 40}]},
    {"title": "Quy trình kiểm tra an toàn điện hằng ngày", "confidential": False,
     "authors": [{"name": "Lê Quang Vinh", "share_percent": 100}]},
]


async def _create_in_submission(client: httpx.AsyncClient, unit_id: str) -> list[dict[str, Any]]:
    member = {"Authorization": "Bearer " + issue_token(subject="m-export", role="member")}
    created = []
    for form in FORMS:
        body = {"campaign_id": "demo", "unit_id": unit_id, "field": "san_xuat_kinh_doanh",
                "description": "Mô tả bản chất giải pháp", "effectiveness_summary": "Làm lợi 120 triệu đồng/năm",
                "benefit_vnd": 120_000_000, **form}
        created.append(await ok(client.post("/v1/initiatives", json=body, headers=member)))
    return created


async def test_nomination_dossier_in_three_formats_with_vietnamese_text(settings: Settings) -> None:
    unit = get_tree().grassroots_ids()[0]
    path = get_tree().path(unit)
    submission_settings = settings.model_copy(update={"run_relay": False})
    await upgrade_database_async(SUBMISSION_MIGRATIONS, submission_settings.submission_db_url)
    submission = create_submission_app(submission_settings)
    async with submission.router.lifespan_context(submission), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=submission), base_url="http://submission",
    ) as submission_client:
        created = await _create_in_submission(submission_client, unit)
        async with awards_api(settings) as (app, client):
            service: AwardsService = app.state.awards
            service.submission_transport = httpx.ASGITransport(app=submission)
            await feed(service, campaign_event(), *(
                initiative_event(InitiativeSubmitted, initiative_id=uuid.UUID(c["id"]), path=path,
                                 title=c["title"], confidential=c["confidential"]) for c in created))
            for c in created:
                case_id = case_id_for(uuid.UUID(c["id"]))
                await ok(act(client, case_id, "recognise", reviewer(unit)))
                await ok(act(client, case_id, "nominate", reviewer(unit)))
                detail = await client.get(f"/v1/cases/{case_id}", headers=reviewer(unit))
                assert SECRET not in detail.text  # case reads never carry confidential details

            files = {}
            for file_format in ("xlsx", "docx", "pdf"):
                response = await client.get("/v1/exports/nominations", headers=reviewer(path[2]),
                                            params={"unit_id": unit, "format": file_format})
                assert response.status_code == 200, response.text
                files[file_format] = response.content
            outsider = get_tree().grassroots_ids()[-1]
            refused = await client.get("/v1/exports/nominations", headers=reviewer(outsider),
                                       params={"unit_id": unit, "format": "xlsx"})
            assert refused.status_code == 403

    sheet = load_workbook(io.BytesIO(files["xlsx"])).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "BẢNG TÓM TẮT SÁNG KIẾN"
    assert rows[2][:3] == ["STT", "Tên sáng kiến", "Tác giả"]
    assert [r[1] for r in rows[3:]] == [f["title"] for f in FORMS]
    assert rows[3][2] == "Nguyễn Thị Hằng, Trần Văn Đức" and rows[3][9] == SECRET and rows[4][9] in ("", None)
    assert rows[3][7] == 120_000_000

    document = Document(io.BytesIO(files["docx"]))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "TỜ TRÌNH" in text and "Kính gửi: " + get_tree().get(path[2]).name in text and SECRET in text
    assert "Quy trình kiểm tra an toàn điện hằng ngày" in cells and "Lê Quang Vinh" in cells

    assert files["pdf"].startswith(b"%PDF")
    pdf_text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(files["pdf"])).pages)
    for expected in ("TỜ TRÌNH", "Máy bóc vỏ lạc cải tiến", "Nguyễn Thị Hằng", "Thông tin bảo mật"):
        assert expected in pdf_text
