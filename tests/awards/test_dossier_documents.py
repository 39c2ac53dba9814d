"""The dossier's documents read as a union writes them: tờ trình, biên bản họp xét and phiếu chấm điểm.

Rendered through the HTTP export endpoints against the REAL submission app; the PDFs are rasterised with
pdftoppm and read back with tesseract (Vietnamese), the DOCX files through python-docx.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
import uuid
from pathlib import Path
from typing import Any

import httpx
import pypdf
from docx import Document
from PIL import Image

from services.awards.bootstrap import AwardsService
from services.awards.domain.case import case_id_for
from services.awards.domain.field_labels import FIELD_LABELS
from services.submission import MIGRATIONS_DIR as SUBMISSION_MIGRATIONS
from services.submission.app import create_app as create_submission_app
from services.submission.domain.campaign import CAMPAIGN_FIELDS
from shared.auth import issue_token
from shared.db import upgrade_database_async
from shared.events import InitiativeSubmitted
from shared.settings import Settings
from shared.union_tree import get_tree

from .builders import GOOD_MARKS, act, awards_api, campaign_event, chain, feed, initiative_event, ok, reviewer

FORMS = [
    {"title": "Máy bóc vỏ lạc cải tiến", "field": "san_xuat_kinh_doanh",
     "authors": [{"name": "Nguyễn Thị Hằng", "share_percent": 100}]},
    {"title": "Quy trình kiểm tra an toàn điện hằng ngày", "field": "atvsld",
     "authors": [{"name": "Lê Quang Vinh", "share_percent": 100}]},
]
REFUSAL = "Chưa có số liệu hiệu quả"
CODES = ("san_xuat_kinh_doanh", "atvsld")


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [p.text for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _ocr(content: bytes, folder: Path) -> str:
    """Each page as a 200-dpi image, checked not blank, read back by tesseract's Vietnamese model."""
    for tool in ("pdftoppm", "tesseract"):
        assert shutil.which(tool), f"{tool} missing: run deploy/local/bootstrap.sh (poppler-utils, tesseract-ocr-vie)"
    (folder / "doc.pdf").write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", "doc.pdf", "page"], cwd=folder, check=True)
    pages = sorted(folder.glob("page*.png"))
    assert pages
    texts = []
    for page in pages:
        with Image.open(page) as image:
            darkest, lightest = image.convert("L").getextrema()  # type: ignore[misc]
            assert darkest < 64 and lightest > 192, f"{page.name} is blank"
        result = subprocess.run(["tesseract", page.name, "-", "-l", "vie"], cwd=folder, check=True,
                                capture_output=True, text=True)
        texts.append(result.stdout)
    return unicodedata.normalize("NFC", " ".join(" ".join(texts).split()))


def _pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    return unicodedata.normalize("NFC", text)


def test_field_labels_match_submission_campaign_fields() -> None:
    assert dict(FIELD_LABELS) == {f.code: f.label for f in CAMPAIGN_FIELDS}


async def _exports(settings: Settings) -> dict[str, bytes]:
    path = chain()  # a grassroots union in Bắc Giang (P24)
    unit = path[3]
    submission_settings = settings.model_copy(update={"run_relay": False})
    await upgrade_database_async(SUBMISSION_MIGRATIONS, submission_settings.submission_db_url)
    submission = create_submission_app(submission_settings)
    member = {"Authorization": "Bearer " + issue_token(subject="m-docs", role="member")}
    files: dict[str, bytes] = {}
    async with submission.router.lifespan_context(submission), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=submission), base_url="http://submission",
    ) as submission_client:
        created: list[dict[str, Any]] = []
        for form in FORMS:
            body = {"campaign_id": "demo", "unit_id": unit, "description": "Mô tả bản chất giải pháp",
                    "effectiveness_summary": "Làm lợi 120 triệu đồng/năm", "benefit_vnd": 120_000_000, **form}
            created.append(await ok(submission_client.post("/v1/initiatives", json=body, headers=member)))
        async with awards_api(settings) as (app, client):
            service: AwardsService = app.state.awards
            service.submission_transport = httpx.ASGITransport(app=submission)
            await feed(service, campaign_event(), *(
                initiative_event(InitiativeSubmitted, initiative_id=uuid.UUID(c["id"]), path=path,
                                 title=c["title"], field=c["field"]) for c in created))
            nominated, refused = (case_id_for(uuid.UUID(c["id"])) for c in created)
            await ok(act(client, nominated, "score", reviewer(unit, "a"), marks=GOOD_MARKS))
            await ok(act(client, nominated, "score", reviewer(unit, "b"),
                         marks={"tinh_moi": 6, "hieu_qua": 7, "kha_nang_ap_dung": 8, "ho_so": 9}))
            await ok(act(client, nominated, "recognise", reviewer(unit, "a")))
            await ok(act(client, nominated, "nominate", reviewer(unit, "a")))
            await ok(act(client, refused, "not_recognise", reviewer(unit, "b"), reason=REFUSAL))
            for name, endpoint in (("totrinh", "nominations"), ("bienban", "review-minutes"),
                                   ("phieu", "score-sheets")):
                for file_format in ("docx", "pdf"):
                    response = await client.get(f"/v1/exports/{endpoint}", headers=reviewer(path[2]),
                                                params={"unit_id": unit, "format": file_format})
                    assert response.status_code == 200, response.text
                    files[f"{name}.{file_format}"] = response.content
                outsider = next(g for g in get_tree().grassroots_ids() if get_tree().path(g)[1] != path[1])
                refused_export = await client.get(f"/v1/exports/{endpoint}", headers=reviewer(outsider),
                                                  params={"unit_id": unit, "format": "pdf"})
                assert refused_export.status_code == 403
                assert refused_export.headers["content-type"] == "application/problem+json"
            spec = (await client.get("/openapi.json")).json()["paths"]
            assert {"/v1/exports/review-minutes", "/v1/exports/score-sheets"} <= set(spec)
    return files


async def test_dossier_documents_read_as_union_documents(settings: Settings, tmp_path: Path) -> None:
    files = await _exports(settings)
    tree = get_tree()
    path = chain()
    unit_name, parent_name = tree.get(path[3]).name, tree.get(path[2]).name

    # tờ trình: letterhead, number, place and date, labels not codes, signature block, recipients
    memo = _docx_text(files["totrinh.docx"])
    for expected in ("LĐLĐ THÀNH PHỐ BẮC GIANG", unit_name.upper(), "Số: …/TTr-CĐCS",
                     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Bắc Giang, ngày ",
                     "TỜ TRÌNH", "Về việc đề nghị xét công nhận và khen thưởng sáng kiến", f"Kính gửi: {parent_name}",
                     "Lĩnh vực", "Sản xuất, kinh doanh", "Nơi nhận:", "TM. BAN THƯỜNG VỤ", "CHỦ TỊCH"):
        assert expected in memo, expected
    memo_pdf = _pdf_text(files["totrinh.pdf"])
    for expected in ("Số: …/TTr-CĐCS", "Bắc Giang, ngày ", "TỜ TRÌNH", "Lĩnh vực: Sản xuất, kinh doanh",
                     "TM. BAN THƯỜNG VỤ", "CHỦ TỊCH", "Nơi nhận:"):
        assert expected in memo_pdf, expected
    seen = _ocr(files["totrinh.pdf"], _folder(tmp_path, "totrinh"))
    for expected in ("TỜ TRÌNH", "Bắc Giang", "Lĩnh vực", "Sản xuất, kinh doanh", "TM. BAN THƯỜNG VỤ", "CHỦ TỊCH",
                     "Nơi nhận", "TTr-CĐCS", "Máy bóc vỏ lạc cải tiến"):
        assert expected in seen, (expected, seen)

    # biên bản họp xét: who acted, each case with its decisions and score, the conclusion, two signatures
    minutes = _docx_text(files["bienban.docx"])
    for expected in ("BIÊN BẢN", "Họp xét công nhận sáng kiến", "Số: …/BB-CĐCS", "Bắc Giang, ngày ",
                     f"reviewer-a-{path[3]}", f"reviewer-b-{path[3]}", "Sản xuất, kinh doanh",
                     "An toàn, vệ sinh lao động", f"Không công nhận (lý do: {REFUSAL})", "Đề nghị cấp trên xét",
                     "Kết luận: Hội đồng thống nhất công nhận 1 sáng kiến; không công nhận 1 sáng kiến",
                     "THƯ KÝ", "CHỦ TRÌ", "77,50"):  # the mean of 84 and 71
        assert expected in minutes, expected
    seen = _ocr(files["bienban.pdf"], _folder(tmp_path, "bienban"))
    for expected in ("BIÊN BẢN", "Bắc Giang", "Lĩnh vực", "An toàn, vệ sinh lao động", "Không công nhận",
                     "THƯ KÝ", "CHỦ TRÌ", "BB-CĐCS"):
        assert expected in seen, (expected, seen)

    # phiếu chấm điểm: one per reviewer, the rubric's criteria with weights, marks and the total
    sheets = Document(io.BytesIO(files["phieu.docx"]))
    grids = [t for t in sheets.tables if t.rows[0].cells[0].text == "STT"]
    assert len(grids) == 2
    assert [c.text for c in grids[0].rows[1].cells] == ["1", "Tính mới", "30", "8,00", "24,00"]
    assert [c.text for c in grids[0].rows[-1].cells][1:] == ["Tổng điểm (thang 100)", "100", "", "84,00"]
    sheet_text = _docx_text(files["phieu.docx"])
    assert "PHIẾU CHẤM ĐIỂM SÁNG KIẾN" in sheet_text and "NGƯỜI CHẤM" in sheet_text
    assert "Lĩnh vực: Sản xuất, kinh doanh" in sheet_text
    seen = _ocr(files["phieu.pdf"], _folder(tmp_path, "phieu"))
    for expected in ("PHIẾU CHẤM ĐIỂM SÁNG KIẾN", "Lĩnh vực", "Sản xuất, kinh doanh", "Tính mới", "Hiệu quả",
                     "Khả năng áp dụng", "NGƯỜI CHẤM", "Bắc Giang"):
        assert expected in seen, (expected, seen)
    assert len(pypdf.PdfReader(io.BytesIO(files["phieu.pdf"])).pages) == 2

    for name, content in files.items():
        text = _docx_text(content) if name.endswith(".docx") else _pdf_text(content)
        for code in CODES:
            assert code not in text, (name, code)


def _folder(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir()
    return folder
