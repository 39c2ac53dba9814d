"""The layout of a union administrative document (letterhead, title, signature, recipients) in DOCX and PDF.

We follow the VGCL's rules on the format of union documents: Hướng dẫn số 1156/HD-TLĐ (23/6/2005), its
successor Quy định kèm Quyết định số 1014/QĐ-TLĐ (19/8/2011), which Quyết định số 933/QĐ-TLĐ (14/5/2024) now
replaces; we could read the text of the 2005/2011 rules only, and follow their shape, which 933 keeps:

- top-left, centred in its half: the directly superior union in capitals, the issuing union in bold capitals,
  then the number line "Số: …/TTr-CĐCS" (the number is left for the clerk who registers the document);
- top-right: the national name and motto (Quốc hiệu "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do -
  Hạnh phúc" — union documents use it too, they do not replace it by "CÔNG ĐOÀN VIỆT NAM"), then place and date
  in italics ("Bắc Giang, ngày 25 tháng 4 năm 2021": day below 10 and months 1–2 written with a leading zero);
- the document's kind in bold capitals, its subject line under it, "Kính gửi: …", the body;
- bottom-left "Nơi nhận:" with its list, bottom-right the signature block ("TM. BAN THƯỜNG VỤ" / "CHỦ TỊCH")
  with room for the signature and a dotted line for the signer's name.

Text is Times New Roman 13 in DOCX (the rules' font); the PDF uses DejaVu Sans, which has every Vietnamese glyph.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docx.table import _Cell
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from services.awards.domain.rules import LOCAL_TZ

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
NAME_LINE = "…………………………"


def vietnamese_date(moment: datetime) -> str:
    """'ngày 05 tháng 02 năm 2021', 'ngày 25 tháng 4 năm 2021': the rules pad days below 10 and months 1–2."""
    day = moment.astimezone(LOCAL_TZ)
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


@dataclass(frozen=True)
class Letterhead:
    superior: str  # the directly superior union in capitals ("" for the VGCL itself)
    issuer: str  # the issuing union in capitals
    number_line: str  # "Số: …/TTr-CĐCS"; "" for forms, which carry no number
    place: str  # the place name before the date ("Bắc Giang")
    made_at: datetime

    @property
    def place_date(self) -> str:
        return f"{self.place}, {vietnamese_date(self.made_at)}"


@dataclass(frozen=True)
class Signature:
    on_behalf: str  # "TM. BAN THƯỜNG VỤ", or "" when a person signs for themselves
    title: str  # "CHỦ TỊCH", "THƯ KÝ", "NGƯỜI CHẤM"
    name: str = NAME_LINE


# --- DOCX -----------------------------------------------------------------------------------------------------


def docx_base(document: DocxDocument) -> None:
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"  # type: ignore[attr-defined]
    style.font.size = Pt(13)  # type: ignore[attr-defined]


def _cell_line(cell: _Cell, text: str, *, bold: bool = False, italic: bool = False, first: bool = False) -> None:
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic


def docx_letterhead(document: DocxDocument, head: Letterhead) -> None:
    left, right = document.add_table(rows=1, cols=2).rows[0].cells
    if head.superior:
        _cell_line(left, head.superior, first=True)
    _cell_line(left, head.issuer, bold=True, first=not head.superior)
    if head.number_line:
        _cell_line(left, head.number_line)
    _cell_line(right, NATION, bold=True, first=True)
    _cell_line(right, MOTTO, bold=True)
    _cell_line(right, head.place_date, italic=True)


def docx_title(document: DocxDocument, title: str, subject: str = "") -> None:
    for text in (title, subject):
        if text:
            paragraph = document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.add_run(text).bold = True


def _docx_signature(cell: _Cell, signature: Signature, *, first: bool) -> None:
    if signature.on_behalf:
        _cell_line(cell, signature.on_behalf, bold=True, first=first)
    _cell_line(cell, signature.title, bold=True, first=first and not signature.on_behalf)
    _cell_line(cell, "(Ký, ghi rõ họ tên)", italic=True)
    for _ in range(3):
        cell.add_paragraph()
    _cell_line(cell, signature.name, bold=True)


def docx_closing(document: DocxDocument, *, recipients: Sequence[str] = (),
                 signatures: Sequence[Signature] = ()) -> None:
    """Recipients bottom-left and one signature bottom-right, or two signatures side by side."""
    left, right = document.add_table(rows=1, cols=2).rows[0].cells
    if recipients:
        left.paragraphs[0].add_run("Nơi nhận:").bold = True
        for recipient in recipients:
            left.add_paragraph(f"- {recipient}")
        _docx_signature(right, signatures[0], first=True)
    elif len(signatures) == 2:
        _docx_signature(left, signatures[0], first=True)
        _docx_signature(right, signatures[1], first=True)
    elif signatures:
        _docx_signature(right, signatures[0], first=True)


# --- PDF ------------------------------------------------------------------------------------------------------


class UnionPdf(FPDF):
    """An A4 page with the rules' margins (left 30 mm, right 15–20 mm, top and bottom 20 mm) and DejaVu fonts."""

    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.set_margins(30, 20, 15)
        self.set_auto_page_break(auto=True, margin=20)
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font("DejaVu", "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))
        self.set_title(title)

    def text_line(self, text: str, *, size: int = 11, style: str = "", align: str = "L") -> None:
        self.set_font("DejaVu", style, size)
        self.multi_cell(self.epw, 6, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def column(self, x: float, y: float, width: float, lines: Sequence[tuple[str, str]], size: int = 10) -> float:
        """Centred lines (text, style) in a column from (x, y); returns where the column ends."""
        self.set_xy(x, y)
        for text, style in lines:
            self.set_font("DejaVu", style, size)
            self.set_x(x)
            self.multi_cell(width, 5.5, text, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        return self.get_y()

    def letterhead(self, head: Letterhead) -> None:
        half = self.epw / 2
        top = self.get_y()
        left = [(head.superior, "")] if head.superior else []
        left += [(head.issuer, "B")] + ([(head.number_line, "")] if head.number_line else [])
        right = [(NATION, "B"), (MOTTO, "B"), (head.place_date, "I")]
        end = max(self.column(self.l_margin, top, half - 4, left, size=10),
                  self.column(self.l_margin + half - 4, top, half + 4, right, size=10))
        self.set_xy(self.l_margin, end + 6)

    def title_block(self, title: str, subject: str = "") -> None:
        self.text_line(title, size=14, style="B", align="C")
        if subject:
            self.text_line(subject, style="B", align="C")
        self.ln(3)

    def _signature_lines(self, signature: Signature) -> list[tuple[str, str]]:
        lines = [(signature.on_behalf, "B")] if signature.on_behalf else []
        return [*lines, (signature.title, "B"), ("(Ký, ghi rõ họ tên)", "I"), ("", ""), ("", ""), ("", ""),
                (signature.name, "B")]

    def closing(self, *, recipients: Sequence[str] = (), signatures: Sequence[Signature] = ()) -> None:
        """Recipients bottom-left and one signature bottom-right, or two signatures side by side."""
        if self.get_y() > self.h - 75:  # keep the block whole on one page
            self.add_page()
        self.ln(4)
        half, top = self.epw / 2, self.get_y()
        ends = [top]
        if recipients:
            self.set_xy(self.l_margin, top)
            self.set_font("DejaVu", "B", 10)
            self.cell(half, 5.5, "Nơi nhận:", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_font("DejaVu", "", 9)
            for recipient in recipients:
                self.multi_cell(half - 4, 5, f"- {recipient}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            ends.append(self.get_y())
        if len(signatures) == 2 and not recipients:
            ends.append(self.column(self.l_margin, top, half, self._signature_lines(signatures[0])))
        if signatures:
            ends.append(self.column(self.l_margin + half, top, half, self._signature_lines(signatures[-1])))
        self.set_xy(self.l_margin, max(ends) + 4)
