"""The review meeting's papers for the dossier: biên bản họp xét sáng kiến and phiếu chấm điểm (DOCX, PDF).

Both are laid out as union administrative documents (see ``union_document`` for the rules followed).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_BREAK

from services.awards.adapters.union_document import (
    Letterhead,
    Signature,
    UnionPdf,
    docx_base,
    docx_closing,
    docx_letterhead,
    docx_title,
)
from services.awards.domain.rules import LOCAL_TZ

MINUTES_COLUMNS = ("STT", "Tên sáng kiến", "Lĩnh vực", "Điểm", "Kết quả xét")
SHEET_COLUMNS = ("STT", "Tiêu chí", "Trọng số", "Điểm chấm (0–10)", "Điểm quy đổi")
MINUTES_SIGNATURES = (Signature(on_behalf="", title="THƯ KÝ"), Signature(on_behalf="", title="CHỦ TRÌ"))
SHEET_SIGNATURE = Signature(on_behalf="", title="NGƯỜI CHẤM")


def _clock(moment: datetime) -> str:
    local = moment.astimezone(LOCAL_TZ)
    return f"{local.hour:02d} giờ {local.minute:02d}, ngày {local.day:02d}/{local.month:02d}/{local.year}"


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


@dataclass(frozen=True)
class ConsideredCase:
    title: str
    field: str  # the field's Vietnamese label
    score: float | None  # the mean of the unit's reviewers' totals, None when nobody scored it
    decisions: tuple[str, ...]  # "Công nhận", "Trả lại tác giả (lý do: …)", in the order they were taken


@dataclass(frozen=True)
class ReviewMinutes:
    letterhead: Letterhead
    unit_name: str
    campaign_name: str
    started_at: datetime | None  # the first decision or score sheet of the unit, None when it decided nothing
    ended_at: datetime | None
    attendees: tuple[str, ...]  # the unit's reviewers who decided or scored
    cases: tuple[ConsideredCase, ...]
    conclusion: str

    def opening(self) -> list[str]:
        when = (f"từ {_clock(self.started_at)} đến {_clock(self.ended_at)}"
                if self.started_at and self.ended_at else "chưa có phiên xét nào")
        attendees = "; ".join(self.attendees) or "chưa có thành viên nào xét"
        return [
            f"Thời gian: {when}.",
            f"Địa điểm: trụ sở {self.unit_name}.",
            f"Thành phần tham dự: các thành viên hội đồng xét sáng kiến của {self.unit_name}: {attendees}.",
            f"Nội dung: xét công nhận, chấm điểm các sáng kiến tham gia đợt thi đua “{self.campaign_name}”. "
            f"Hội đồng đã xem xét {len(self.cases)} sáng kiến, kết quả như sau:",
        ]

    def rows(self) -> list[tuple[str, ...]]:
        return [(str(n), c.title, c.field, _score(c.score), "; ".join(c.decisions))
                for n, c in enumerate(self.cases, start=1)]


@dataclass(frozen=True)
class ScoreLine:
    criterion: str
    weight: int
    mark: float | None  # None when the sheet predates the criterion
    points: float  # mark × weight, scaled so that the whole sheet is out of 100


@dataclass(frozen=True)
class ScoreSheet:
    letterhead: Letterhead
    campaign_name: str
    title: str
    field: str
    unit_name: str  # the initiative's grassroots union
    reviewer: str
    scored_at: datetime
    lines: tuple[ScoreLine, ...]
    total: float  # the weighted total stored when the reviewer scored, out of 100

    def header(self) -> list[str]:
        return [
            f"Đợt thi đua: {self.campaign_name}",
            f"Tên sáng kiến: {self.title}",
            f"Lĩnh vực: {self.field}",
            f"Đơn vị của tác giả: {self.unit_name}",
            f"Người chấm: {self.reviewer} — chấm lúc {_clock(self.scored_at)}",
        ]

    def rows(self) -> list[tuple[str, ...]]:
        rows = [(str(n), line.criterion, str(line.weight), _score(line.mark), _score(line.points))
                for n, line in enumerate(self.lines, start=1)]
        return [*rows, ("", "Tổng điểm (thang 100)", str(sum(x.weight for x in self.lines)), "",
                        _score(self.total))]


def _docx_table(document: DocxDocument, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, columns, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text


def render_minutes_docx(minutes: ReviewMinutes) -> bytes:
    document = Document()
    docx_base(document)
    docx_letterhead(document, minutes.letterhead)
    docx_title(document, "BIÊN BẢN", "Họp xét công nhận sáng kiến")
    for text in minutes.opening():
        document.add_paragraph(text)
    _docx_table(document, MINUTES_COLUMNS, minutes.rows())
    document.add_paragraph(f"Kết luận: {minutes.conclusion}")
    document.add_paragraph("Biên bản được thông qua tại cuộc họp và lập thành hai bản có giá trị như nhau./.")
    docx_closing(document, signatures=MINUTES_SIGNATURES)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_minutes_pdf(minutes: ReviewMinutes) -> bytes:
    pdf = UnionPdf(f"Biên bản họp xét sáng kiến — {minutes.unit_name}")
    pdf.add_page()
    pdf.letterhead(minutes.letterhead)
    pdf.title_block("BIÊN BẢN", "Họp xét công nhận sáng kiến")
    for text in minutes.opening():
        pdf.text_line(text)
    pdf.ln(2)
    for number, title, field, score, decisions in minutes.rows():
        pdf.text_line(f"{number}. {title}", style="B")
        pdf.text_line(f"Lĩnh vực: {field} — Điểm: {score}")
        pdf.text_line(f"Kết quả xét: {decisions}")
        pdf.ln(1)
    pdf.text_line(f"Kết luận: {minutes.conclusion}")
    pdf.text_line("Biên bản được thông qua tại cuộc họp và lập thành hai bản có giá trị như nhau./.")
    pdf.closing(signatures=MINUTES_SIGNATURES)
    return bytes(pdf.output())


def render_sheets_docx(sheets: list[ScoreSheet]) -> bytes:
    document = Document()
    docx_base(document)
    for number, sheet in enumerate(sheets):
        if number:  # one sheet per page: each reviewer signs their own
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        docx_letterhead(document, sheet.letterhead)
        docx_title(document, "PHIẾU CHẤM ĐIỂM SÁNG KIẾN")
        for text in sheet.header():
            document.add_paragraph(text)
        _docx_table(document, SHEET_COLUMNS, sheet.rows())
        docx_closing(document, signatures=(SHEET_SIGNATURE,))
    if not sheets:
        document.add_paragraph("Đơn vị chưa có phiếu chấm điểm nào — no score sheets yet.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_sheets_pdf(sheets: list[ScoreSheet]) -> bytes:
    pdf = UnionPdf("Phiếu chấm điểm sáng kiến")
    if not sheets:
        pdf.add_page()
        pdf.text_line("Đơn vị chưa có phiếu chấm điểm nào — no score sheets yet.")
    for sheet in sheets:
        pdf.add_page()
        pdf.letterhead(sheet.letterhead)
        pdf.title_block("PHIẾU CHẤM ĐIỂM SÁNG KIẾN")
        for text in sheet.header():
            pdf.text_line(text)
        pdf.ln(2)
        pdf.set_font("DejaVu", "", 10)
        with pdf.table(col_widths=(10, 60, 20, 30, 30), text_align="CENTER", align="LEFT") as table:
            for values in (SHEET_COLUMNS, *sheet.rows()):
                row = table.row()
                for value in values:
                    row.cell(value)
        pdf.closing(signatures=(SHEET_SIGNATURE,))
    return bytes(pdf.output())
