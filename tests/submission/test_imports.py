"""Bulk import: exact per-row report, valid rows created once, idempotent re-import, templates, CSV chunks."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from services.submission.adapters.spreadsheet import read_table, to_csv
from services.submission.adapters.tables import initiatives, outbox
from services.submission.domain.import_rows import COLUMNS, HEADER_OF
from services.submission.handlers.imports import MAX_REPORTED_ERRORS
from shared.union_tree import get_tree

from .support import Harness

KEYS = [c.key for c in COLUMNS]
GIVEN_NAMES = ("Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Cường", "Phạm Thị Dung", "Hoàng Đức Em", "Đặng Thị Giang")


def good_row(i: int, units: list[str]) -> dict[str, Any]:
    return {
        "unit_id": units[i % len(units)], "title": f"Sáng kiến cải tiến dây chuyền số {i}",
        "field": "Sản xuất, kinh doanh", "description": "Thay thao tác thủ công bằng đồ gá tự chế.",
        "date_first_applied": "10/03/2021", "benefit_vnd": 50_000_000 + i,
        "effectiveness_summary": "Tăng năng suất 15 %.", "application_conditions": "Xưởng có khí nén.",
        "first_application_participants": "Tổ cơ khí", "confidential": "Không",
        "author1_name": GIVEN_NAMES[i % len(GIVEN_NAMES)], "author1_date_of_birth": "02/09/1985",
        "author1_workplace": "Công ty cổ phần Cơ khí Bắc Giang", "author1_job_title": "Công nhân",
        "author1_qualification": "Trung cấp nghề", "author1_category": "Công nhân", "author1_share_percent": 60,
        "author2_name": "Vũ Thị Hạnh", "author2_category": "Quản lý", "author2_share_percent": "40",
    }


BAD_ROWS: dict[int, tuple[dict[str, Any], list[tuple[str, str]]]] = {
    7: ({"unit_id": "P24-99-999"}, [("unit_id", "Không có đơn vị mã P24-99-999")]),
    100: ({"author2_share_percent": "30"}, [("author1_share_percent", "Tổng tỷ lệ đóng góp là 90 %, phải bằng 100 %")]),
    2500: ({"date_first_applied": "01/01/2099"}, [("date_first_applied", "Ngày áp dụng lần đầu ở tương lai")]),
    5000: ({"title": ""}, [("title", "Thiếu tên sáng kiến")]),
    7777: ({"unit_id": "P40-01-001"}, [("unit_id", "Đơn vị P40-01-001 nằm ngoài phạm vi của bạn")]),
    9000: ({"field": "Bóng đá"}, [("field", "Lĩnh vực 'Bóng đá' không có trong phong trào")]),
    10001: (
        {"unit_id": "P24-03", "benefit_vnd": "mười triệu"},
        [("unit_id", "P24-03 không phải công đoàn cơ sở (cấp 4)"),
         ("benefit_vnd", "Giá trị làm lợi phải là số nguyên VNĐ, không âm")],
    ),
}


def workbook_bytes(rows: int) -> bytes:
    units = sorted(u for u in get_tree().subtree_ids("P24") if get_tree().level(u) == 4)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sáng kiến")
    sheet.append([c.header for c in COLUMNS])
    for i in range(rows):
        values = good_row(i, units)
        values.update(BAD_ROWS.get(i + 2, ({}, []))[0])
        sheet.append([values.get(k) for k in KEYS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


async def post_import(h: Harness, data: bytes, name: str, **params: Any) -> dict[str, Any]:
    response = await h.client.post(
        "/v1/imports", params={"campaign_id": "demo", **params}, files={"file": (name, data)},
        headers=h.officer("P24"),
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_ten_thousand_row_xlsx_reports_bad_rows_exactly_and_reimports_nothing(harness: Harness) -> None:
    h = harness
    data = workbook_bytes(10_000)
    report = await post_import(h, data, "bac-giang.xlsx")
    expected_errors = [
        {"row": row, "column": HEADER_OF[key], "message": message}
        for row, (_, errors) in sorted(BAD_ROWS.items()) for key, message in errors
    ]
    assert report["errors"] == expected_errors
    assert (report["rows_total"], report["invalid"], report["created"], report["already_present"]) == (
        10_000, 7, 9_993, 0,
    )
    assert report["created_status"] == "submitted"
    again = await post_import(h, data, "bac-giang-lan-2.xlsx")
    assert (again["created"], again["already_present"], again["invalid"]) == (0, 9_993, 7)
    async with h.context.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(initiatives)) == 9_993
        submitted_events = await conn.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.type == "initiative.submitted")
        )
    assert submitted_events == 9_993
    search = {"q": "day chuyen so 1234", "campaign_id": "demo", "limit": 3}
    found = (await h.client.get("/v1/initiatives", params=search)).json()["items"]
    assert found[0]["title"] == "Sáng kiến cải tiến dây chuyền số 1234"  # imports fill the search column
    assert found[0]["unit_path"][1] == "P24"


async def test_csv_chunks_with_row_offsets_match_the_xlsx_upload(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    data = workbook_bytes(30)
    header, rows = read_table(data)
    first = await post_import(h, to_csv(header, [cells for _, cells in rows[:15]]), "phan-1.csv")
    second = await post_import(h, to_csv(header, [cells for _, cells in rows[15:]]), "phan-2.csv", first_row=17)
    assert first["created"] + second["created"] == 29
    assert first["errors"] == [{"row": 7, "column": HEADER_OF["unit_id"], "message": "Không có đơn vị mã P24-99-999"}]
    whole = await post_import(h, data, "ca-tep.xlsx")
    assert (whole["created"], whole["already_present"]) == (0, 29)


async def test_templates_have_vietnamese_headers_and_an_example_that_imports(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    xlsx = await h.client.get("/v1/imports/template.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).worksheets[0]
    header, _example = list(sheet.iter_rows(values_only=True))[:2]
    assert header[0] == "Mã công đoàn cơ sở" and "Tác giả 1 – Họ và tên" in header
    csv_template = await h.client.get("/v1/imports/template.csv")
    assert csv_template.content.decode("utf-8-sig").startswith("Mã công đoàn cơ sở,Tên sáng kiến")
    report = await post_import(h, xlsx.content, "mau.xlsx")
    assert (report["created"], report["errors"]) == (1, [])
    report = await post_import(h, csv_template.content, "mau.csv")
    assert (report["created"], report["already_present"]) == (0, 1)


async def test_closed_campaign_imports_drafts_and_unreadable_files_are_422(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    template = (await h.client.get("/v1/imports/template.csv")).content
    response = await h.client.post(
        "/v1/imports", params={"campaign_id": "75k-2021"}, files={"file": ("mau.csv", template)},
        headers=h.officer("P24"),
    )
    assert response.json()["created_status"] == "draft" and response.json()["created"] == 1
    for name, data in (("sai.csv", "Cột lạ,Khác\n1,2\n".encode()), ("virus.xlsx", b"MZ\x90\x00" + b"\x00" * 100)):
        bad = await h.client.post(
            "/v1/imports", params={"campaign_id": "demo"}, files={"file": (name, data)}, headers=h.officer("P24"),
        )
        assert bad.status_code == 422 and bad.json()["type"].endswith("/unreadable-import"), name


async def test_a_file_of_invalid_rows_reports_the_first_errors_and_counts_them_all(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    units = sorted(u for u in get_tree().subtree_ids("P24") if get_tree().level(u) == 4)
    rows = [good_row(i, units) | {"unit_id": "P24-99-999"} for i in range(MAX_REPORTED_ERRORS + 700)]
    data = to_csv([c.header for c in COLUMNS], [[values.get(k) for k in KEYS] for values in rows])
    report = await post_import(h, data, "toan-dong-sai.csv")
    assert (report["invalid"], report["created"]) == (MAX_REPORTED_ERRORS + 700, 0)
    assert len(report["errors"]) == MAX_REPORTED_ERRORS
    assert report["errors_total"] == MAX_REPORTED_ERRORS + 700
    assert report["errors"][0]["row"] == 2 and report["errors"][-1]["row"] == MAX_REPORTED_ERRORS + 1
