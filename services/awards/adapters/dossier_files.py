"""Dossier files for a unit's nominations: bảng tóm tắt sáng kiến (XLSX) and tờ trình (DOCX, PDF)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from docx import Document
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from services.awards.domain.rules import LOCAL_TZ
from shared.spreadsheet_cells import append_row

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
SUMMARY_HEADERS = (
    "STT", "Tên sáng kiến", "Tác giả", "Đơn vị", "Lĩnh vực", "Tóm tắt nội dung", "Hiệu quả",
    "Giá trị làm lợi (đồng)", "Điểm", "Thông tin bảo mật", "Đề cử lên",
)


@dataclass(frozen=True)
class DossierRow:
    title: str
    authors: str
    unit_name: str
    field: str
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

    @property
    def local_date(self) -> str:
        day = self.made_at.astimezone(LOCAL_TZ)
        return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


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


def _memo_paragraphs(dossier: Dossier) -> list[str]:
    return [
        f"Kính gửi: {dossier.parent_name}",
        f"Thực hiện đợt thi đua “{dossier.campaign_name}”, {dossier.unit_name} đã tổ chức xét, chấm điểm các "
        f"sáng kiến của đoàn viên, người lao động. {dossier.unit_name} trân trọng đề nghị {dossier.parent_name} "
        f"xem xét, công nhận và khen thưởng {len(dossier.rows)} sáng kiến sau:",
    ]


def render_docx(dossier: Dossier) -> bytes:
    document = Document()
    document.add_heading("TỜ TRÌNH", level=0)
    document.add_paragraph("V/v đề nghị xét công nhận và khen thưởng sáng kiến")
    document.add_paragraph(f"{dossier.unit_name}, {dossier.local_date}")
    for text in _memo_paragraphs(dossier):
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=5)
    for cell, text in zip(table.rows[0].cells, ("STT", "Tên sáng kiến", "Tác giả", "Hiệu quả",
                                                "Giá trị làm lợi (đồng)"), strict=True):
        cell.text = text
    for number, row in enumerate(dossier.rows, start=1):
        cells = table.add_row().cells
        for cell, text in zip(cells, (str(number), row.title, row.authors, row.effectiveness,
                                      _vnd(row.benefit_vnd)), strict=True):
            cell.text = text
    secret = [r for r in dossier.rows if r.confidential_details]
    if secret:
        document.add_heading("Thông tin cần được bảo mật (chỉ lưu hành trong hội đồng xét)", level=2)
        for row in secret:
            document.add_paragraph(f"{row.title}: {row.confidential_details}")
    document.add_paragraph(f"Nơi nhận: {dossier.parent_name}; lưu hồ sơ {dossier.unit_name}.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_pdf(dossier: Dossier) -> bytes:
    pdf = FPDF()
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"Tờ trình — {dossier.unit_name}")
    pdf.add_page()
    width = pdf.epw

    def line(text: str, *, size: int = 11, bold: bool = False, align: str = "L") -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(width, 6, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    line(dossier.unit_name, bold=True)
    line("TỜ TRÌNH", size=16, bold=True, align="C")
    line("V/v đề nghị xét công nhận và khen thưởng sáng kiến", align="C")
    line(dossier.local_date, align="R")
    for text in _memo_paragraphs(dossier):
        line(text)
    pdf.ln(2)
    for number, row in enumerate(dossier.rows, start=1):
        line(f"{number}. {row.title}", bold=True)
        line(f"Tác giả: {row.authors}")
        line(f"Lĩnh vực: {row.field} — Giá trị làm lợi: {_vnd(row.benefit_vnd)} đồng")
        line(f"Hiệu quả: {row.effectiveness}")
        if row.confidential_details:
            line(f"Thông tin bảo mật: {row.confidential_details}")
        pdf.ln(1)
    line(f"Nơi nhận: {dossier.parent_name}; lưu hồ sơ {dossier.unit_name}.")
    return bytes(pdf.output())
