"""Dossier files for a unit's nominations: bảng tóm tắt sáng kiến (XLSX) and tờ trình (DOCX, PDF).

The tờ trình is laid out as a union administrative document (see ``union_document`` for the rules followed).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from services.awards.adapters.union_document import (
    Letterhead,
    Signature,
    UnionPdf,
    docx_base,
    docx_closing,
    docx_letterhead,
    docx_title,
    vietnamese_date,
)
from shared.spreadsheet_cells import append_row

SUMMARY_HEADERS = (
    "STT", "Tên sáng kiến", "Tác giả", "Đơn vị", "Lĩnh vực", "Tóm tắt nội dung", "Hiệu quả",
    "Giá trị làm lợi (đồng)", "Điểm", "Thông tin bảo mật", "Đề cử lên",
)


@dataclass(frozen=True)
class DossierRow:
    title: str
    authors: str
    unit_name: str
    field: str  # the field's Vietnamese label, not its code
    description: str
    effectiveness: str
    benefit_vnd: int
    score: float | None
    confidential_details: str  # "" when the initiative is not confidential
    to_unit_name: str


@dataclass(frozen=True)
class Dossier:
    unit_id: str
    unit_name: str
    parent_name: str
    campaign_name: str
    made_at: datetime
    rows: tuple[DossierRow, ...]
    letterhead: Letterhead | None = None  # None: a bare heading from the unit's name

    @property
    def local_date(self) -> str:
        return vietnamese_date(self.made_at)

    @property
    def head(self) -> Letterhead:
        return self.letterhead or Letterhead(
            superior=self.parent_name.upper(), issuer=self.unit_name.upper(), number_line="Số: …/TTr",
            place="", made_at=self.made_at,
        )


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def render_xlsx(dossier: Dossier) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Bảng tóm tắt sáng kiến"
    append_row(sheet, ["BẢNG TÓM TẮT SÁNG KIẾN"])
    append_row(sheet, [f"Đơn vị: {dossier.unit_name} — Đợt: {dossier.campaign_name} — {dossier.local_date}"])
    append_row(sheet, SUMMARY_HEADERS)
    sheet["A1"].font = Font(bold=True, size=14)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for number, row in enumerate(dossier.rows, start=1):
        append_row(sheet, [  # titles and details come from members: never let Excel run them
            number, row.title, row.authors, row.unit_name, row.field, row.description, row.effectiveness,
            row.benefit_vnd, row.score, row.confidential_details, row.to_unit_name,
        ])
    for column, width in zip("ABCDEFGHIJK", (6, 40, 28, 28, 18, 50, 40, 18, 8, 40, 28), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SUBJECT = "Về việc đề nghị xét công nhận và khen thưởng sáng kiến"
SIGNATURE = Signature(on_behalf="TM. BAN THƯỜNG VỤ", title="CHỦ TỊCH")
MEMO_COLUMNS = ("STT", "Tên sáng kiến", "Tác giả", "Lĩnh vực", "Hiệu quả", "Giá trị làm lợi (đồng)")


def _memo_paragraphs(dossier: Dossier) -> list[str]:
    return [
        f"Thực hiện đợt thi đua “{dossier.campaign_name}”, {dossier.unit_name} đã tổ chức xét, chấm điểm các "
        f"sáng kiến của đoàn viên, người lao động. {dossier.unit_name} trân trọng đề nghị {dossier.parent_name} "
        f"xem xét, công nhận và khen thưởng {len(dossier.rows)} sáng kiến sau:",
    ]


def _recipients(dossier: Dossier) -> list[str]:
    return [f"{dossier.parent_name} (để xem xét);", "Lưu: Văn phòng, hồ sơ thi đua."]


def render_docx(dossier: Dossier) -> bytes:
    document = Document()
    docx_base(document)
    docx_letterhead(document, dossier.head)
    docx_title(document, "TỜ TRÌNH", SUBJECT)
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER  # a memo addresses its recipient under its title
    paragraph.add_run(f"Kính gửi: {dossier.parent_name}")
    for text in _memo_paragraphs(dossier):
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=len(MEMO_COLUMNS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, MEMO_COLUMNS, strict=True):
        cell.text = text
    for number, row in enumerate(dossier.rows, start=1):
        cells = table.add_row().cells
        for cell, text in zip(cells, (str(number), row.title, row.authors, row.field, row.effectiveness,
                                      _vnd(row.benefit_vnd)), strict=True):
            cell.text = text
    secret = [r for r in dossier.rows if r.confidential_details]
    if secret:
        document.add_paragraph().add_run(
            "Thông tin cần được bảo mật (chỉ lưu hành trong hội đồng xét)").bold = True
        for row in secret:
            document.add_paragraph(f"{row.title}: {row.confidential_details}")
    document.add_paragraph(f"{dossier.unit_name} kính trình {dossier.parent_name} xem xét, quyết định./.")
    docx_closing(document, recipients=_recipients(dossier), signatures=(SIGNATURE,))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_pdf(dossier: Dossier) -> bytes:
    pdf = UnionPdf(f"Tờ trình — {dossier.unit_name}")
    pdf.add_page()
    pdf.letterhead(dossier.head)
    pdf.title_block("TỜ TRÌNH", SUBJECT)
    pdf.text_line(f"Kính gửi: {dossier.parent_name}", align="C")
    pdf.ln(2)
    for text in _memo_paragraphs(dossier):
        pdf.text_line(text)
    pdf.ln(2)
    for number, row in enumerate(dossier.rows, start=1):
        pdf.text_line(f"{number}. {row.title}", style="B")
        pdf.text_line(f"Tác giả: {row.authors}")
        pdf.text_line(f"Lĩnh vực: {row.field} — Giá trị làm lợi: {_vnd(row.benefit_vnd)} đồng")
        pdf.text_line(f"Hiệu quả: {row.effectiveness}")
        if row.confidential_details:
            pdf.text_line(f"Thông tin bảo mật: {row.confidential_details}")
        pdf.ln(1)
    pdf.text_line(f"{dossier.unit_name} kính trình {dossier.parent_name} xem xét, quyết định./.")
    pdf.closing(recipients=_recipients(dossier), signatures=(SIGNATURE,))
    return bytes(pdf.output())
