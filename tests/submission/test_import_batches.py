"""Bulk import internals: batches with invalid, duplicate, already-present and valid rows give exact counts and
outbox events on SQLite and PostgreSQL; a file that breaks mid-way writes nothing; the fast paths (row records,
title folding, content construction, the XLSX reader) equal what they replace."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import UTC, date, datetime
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from services.submission.adapters import sql
from services.submission.adapters.import_writer import (
    AUTHOR_COLUMNS,
    INITIATIVE_COLUMNS,
    OUTBOX_COLUMNS,
    author_records,
    event_record,
    initiative_record,
)
from services.submission.adapters.spreadsheet import read_table, to_csv
from services.submission.adapters.tables import authors, import_batches, initiatives, outbox
from services.submission.adapters.xlsx_reader import read_xlsx
from services.submission.domain.campaign import demo_campaign
from services.submission.domain.import_rows import COLUMNS, HEADER_OF, RowParser, field_lookup, fold_title
from services.submission.domain.initiative import Initiative, InitiativeContent, initiative_event
from services.submission.domain.text import fold
from services.submission.handlers import imports as import_handler
from shared.events import InitiativeStatus, InitiativeSubmitted
from shared.union_tree import get_tree

from .support import Harness
from .test_imports import KEYS, good_row, post_import

UNITS = sorted(u for u in get_tree().subtree_ids("P24") if get_tree().level(u) == 4)
SECRET_DETAILS = "Công thức phối liệu BÍ-MẬT-NHẬP-7"


def csv_of(rows: list[dict[str, Any]]) -> bytes:
    return to_csv([c.header for c in COLUMNS], [[r.get(k) for k in KEYS] for r in rows])


def mixed_rows() -> list[dict[str, Any]]:
    """25 data rows (sheet rows 2–26): 3 invalid, 2 repeating an earlier row, one confidential, the rest plain."""
    rows = [good_row(i, UNITS) for i in range(22)]
    rows[3]["unit_id"] = "P99-00-000"  # sheet row 5
    rows[9]["author1_share_percent"] = "abc"  # sheet row 11
    rows[15]["title"] = "T" * 301  # sheet row 17: only the model's length limit catches it
    rows[20].update(confidential="Có", confidential_details=SECRET_DETAILS)
    rows.insert(12, dict(rows[1]))  # sheet row 14 repeats row 3
    rows.insert(20, dict(rows[5]))  # sheet row 22 repeats row 7
    rows.append(good_row(40, UNITS))
    return rows


async def test_batches_of_invalid_duplicate_present_and_new_rows_count_and_publish_exactly(
    harness: Harness, monkeypatch: pytest.MonkeyPatch,
) -> None:
    h = harness
    monkeypatch.setattr(import_handler, "BATCH_ROWS", 4)  # seven batches: duplicates and errors cross batch edges
    rows = mixed_rows()
    first = await post_import(h, csv_of(rows[:8]), "dot-1.csv")
    assert (first["rows_total"], first["created"], first["already_present"], first["invalid"]) == (8, 7, 0, 1)

    report = await post_import(h, csv_of(rows), "dot-2.csv")
    assert report["errors"] == [
        {"row": 5, "column": HEADER_OF["unit_id"], "message": "Không có đơn vị mã P99-00-000"},
        {"row": 11, "column": HEADER_OF["author1_share_percent"],
         "message": "Tỷ lệ đóng góp phải là số, ví dụ 60 hoặc 33,33"},
        {"row": 14, "column": "", "message": "Trùng nội dung với dòng 3"},
        {"row": 18, "column": HEADER_OF["title"],
         "message": "Không được dài quá 300 ký tự"},
        {"row": 22, "column": "", "message": "Trùng nội dung với dòng 7"},
    ]
    assert (report["rows_total"], report["invalid"], report["already_present"], report["created"]) == (25, 5, 7, 13)
    listed = {r["row"]: (r["initiative_id"], r["created"]) for r in report["rows"]}
    assert sorted(listed) == sorted(set(range(2, 27)) - {5, 11, 14, 18, 22})  # every valid row, once, in file order
    assert [r["row"] for r in report["rows"]] == sorted(listed)
    assert {row for row, (_, created) in listed.items() if not created} == set(range(2, 10)) - {5}  # first upload's
    assert {i for i, _ in listed.values()} >= {r["initiative_id"] for r in first["rows"]}

    async with h.context.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(initiatives)) == 20
        assert await conn.scalar(select(func.count()).select_from(authors)) == 40
        events = (await conn.execute(
            select(outbox.c.type, outbox.c.payload).where(outbox.c.type.like("initiative.%"))
        )).all()
        batch = (await conn.execute(
            select(import_batches).where(import_batches.c.id == uuid.UUID(report["batch_id"]))
        )).one()
        stored = {row.id for row in (await conn.execute(select(initiatives.c.id))).all()}
    assert (batch.rows_total, batch.rows_created, batch.rows_invalid) == (25, 13, 5)
    assert len(events) == 20 and {t for t, _ in events} == {"initiative.submitted"}  # one per created initiative
    payloads = [orjson.loads(p) for _, p in events]
    assert {uuid.UUID(p["initiative_id"]) for p in payloads} == stored == {uuid.UUID(i) for i, _ in listed.values()}
    assert sum(p["confidential"] for p in payloads) == 1
    assert not any(SECRET_DETAILS in bytes(p).decode() for _, p in events)

    again = await post_import(h, csv_of(rows), "dot-3.csv")
    assert (again["created"], again["already_present"], again["invalid"]) == (0, 20, 5)
    assert [(r["row"], r["initiative_id"]) for r in again["rows"]] == [
        (r["row"], r["initiative_id"]) for r in report["rows"]
    ]
    assert not any(r["created"] for r in again["rows"])


async def test_a_file_that_breaks_mid_way_writes_nothing(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    h = harness
    monkeypatch.setattr(import_handler, "BATCH_ROWS", 2)  # the first batches are written before the break is read
    good = csv_of([good_row(i, UNITS) for i in range(6)])
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _RELS)
        header, rows = read_table(good)
        z.writestr("xl/worksheets/sheet1.xml", _sheet([header, *(cells for _, cells in rows)])[:-40])
    response = await h.client.post(
        "/v1/imports", params={"campaign_id": "demo"}, files={"file": ("hong.xlsx", archive.getvalue())},
        headers=h.officer("P24"),
    )
    assert response.status_code == 422 and response.json()["type"].endswith("/unreadable-import")
    async with h.context.engine.connect() as conn:
        for table in (initiatives, authors, import_batches):
            assert await conn.scalar(select(func.count()).select_from(table)) == 0, table.name
        assert await conn.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.type.like("initiative.%"))
        ) == 0


def _item(content: InitiativeContent) -> Initiative:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    path = tuple(get_tree().path(content.unit_id))
    return Initiative(
        id=uuid.uuid4(), campaign_id="demo", content=content, unit_path=path, status=InitiativeStatus.SUBMITTED,
        version=1, owner_member_id="cb", created_at=now, updated_at=now, submitted_at=now,
    )


def _parsed(rows: list[dict[str, Any]]) -> list[InitiativeContent | None]:
    parser = RowParser(
        fields=field_lookup(demo_campaign(datetime.now(UTC), {})), tree=get_tree(), today=date(2026, 1, 1),
        in_scope=lambda _path: True, for_submission=False,
    )
    return [parser.parse({k: str(v) for k, v in row.items()}).content for row in rows]


def test_records_are_the_rows_the_sql_adapter_writes() -> None:
    rows = [good_row(i, UNITS) for i in range(5)]
    rows[2].update(confidential="Có", confidential_details=SECRET_DETAILS, author2_member_id="dv-hanh")
    for content in _parsed(rows):
        assert content is not None
        item = _item(content)
        batch = uuid.uuid4()
        record = initiative_record(item, import_batch_id=batch, title_folded=fold_title(content.title))
        assert dict(zip(INITIATIVE_COLUMNS, record, strict=True)) == sql.initiative_values(item, import_batch_id=batch)
        assert [dict(zip(AUTHOR_COLUMNS, a, strict=True)) for a in author_records(item)] == sql.author_values(item)
        event = initiative_event(InitiativeSubmitted, item)
        assert dict(zip(OUTBOX_COLUMNS, event_record(event), strict=True)) == {
            "event_id": event.event_id, "type": "initiative.submitted", "campaign_id": "demo",
            "payload": event.model_dump_json().encode(), "occurred_at": event.occurred_at,
        }
    assert set(INITIATIVE_COLUMNS) == {c.name for c in initiatives.columns}
    assert set(AUTHOR_COLUMNS) == {c.name for c in authors.columns}


def test_constructed_content_equals_validated_content_and_keeps_the_same_import_id() -> None:
    rows = [good_row(i, UNITS) for i in range(30)]
    rows[4].update(investor="Công ty  Cổ phần\u00a0Xây lắp", author3_name="Đỗ Văn Khải", author3_share_percent="0,5",
                   author1_share_percent="59.5", author2_member_id="dv-042")
    rows[7]["author2_name"] = "N" * 201  # past the model's limit: falls back to model_validate, which names it
    contents = _parsed(rows)
    assert contents[7] is None
    for content in contents[:7] + contents[8:]:
        assert content is not None
        validated = InitiativeContent.model_validate(content.model_dump())
        assert validated == content and validated.model_dump_json() == content.model_dump_json()


_WORDS = st.text(
    alphabet=st.sampled_from("aăâeêioôơuưyđĐAÊ ỐỆẫữ \t\u00a0\u2003\u0301\u0323\u0309İßǅﬁ1-"), max_size=40,
)


@given(_WORDS)
def test_fold_title_is_fold(title: str) -> None:
    assert fold_title(title) == fold(title)


_WORKBOOK = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
    "</sheets></workbook>"
)
_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def _sheet(rows: list[list[Any]]) -> str:
    body = []
    for n, cells in enumerate(rows, start=1):
        inner = "".join(
            f'<c r="{chr(65 + i) if i < 26 else "A" + chr(65 + i - 26)}{n}" t="inlineStr"><is><t>{v}</t></is></c>'
            for i, v in enumerate(cells) if v not in (None, "")
        )
        body.append(f'<row r="{n}">{inner}</row>')
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + "".join(body) + "</sheetData></worksheet>"
    )


def test_xlsx_reader_handles_rich_text_formulas_without_values_and_gaps() -> None:
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><r><t>Cải </t></r><r><rPr><b/></rPr><t>tiến</t></r></is></c>'
        '<c r="C1" t="s"><v>0</v></c><c r="D1"><f>1+2</f><v></v></c><c r="E1"><f>2*3</f><v>6</v></c>'
        '<c r="F1" t="inlineStr"><is><t/></is></c><c r="G1" t="b"><v>1</v></c><c r="H1"><v>2.5</v></c></row>'
        "</sheetData></worksheet>"
    )
    shared = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Đồng</t></si></sst>'
    )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _RELS)
        z.writestr("xl/sharedStrings.xml", shared)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    assert list(read_xlsx(archive.getvalue())) == [(1, ["Cải tiến", None, "Đồng", None, 6, "", True, 2.5])]
