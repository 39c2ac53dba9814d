"""Reading and writing import files: XLSX (streaming lxml reader; openpyxl writes the template) and CSV (UTF-8,
comma or semicolon)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from services.submission.adapters.xlsx_reader import column_letters, read_xlsx, too_large
from services.submission.domain.errors import TooManyColumnsError, UnreadableImportError
from services.submission.domain.import_limits import MAX_COLUMNS, MAX_XML_BETWEEN_CELLS, ImportLimits
from services.submission.domain.import_rows import COLUMNS, cell_text
from shared.spreadsheet_cells import append_row, csv_cells

Row = tuple[int, list[Any]]  # (row number as the spreadsheet shows it, cells)


def is_xlsx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _blank(cells: list[Any] | tuple[Any, ...]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def read_table(
    data: bytes, *, first_row: int = 2, limits: ImportLimits | None = None,
) -> tuple[list[Any], list[Row]]:
    """Header cells and the non-blank data rows, numbered from ``first_row``."""
    header, rows = open_table(data, first_row=first_row, limits=limits)
    return header, list(rows)


def open_table(
    data: bytes, *, first_row: int = 2, limits: ImportLimits | None = None,
) -> tuple[list[Any], Iterator[Row]]:
    """Header cells and the non-blank data rows as they are read (a broken or oversized file may still raise
    mid-way: past ``limits``, see ``ImportLimits``).

    The iterator holds parser state: consume it from one thread.
    """
    limits = limits or ImportLimits()
    if is_xlsx(data):
        return _open_xlsx(data, first_row, limits)
    if data.startswith(b"PK") or b"\x00" in data[:4096]:
        raise UnreadableImportError("Tệp không phải XLSX hay CSV — upload the XLSX or CSV template filled in")
    return _open_csv(data, first_row, limits)


def _open_xlsx(data: bytes, first_row: int, limits: ImportLimits) -> tuple[list[Any], Iterator[Row]]:
    rows_iter = read_xlsx(data, limits)
    first = next(rows_iter, None)
    if first is None:
        return [], iter(())
    header_number, header = first
    offset = first_row - header_number - 1  # keep the sheet's own numbering, shifted when a chunk says so
    return header, ((number + offset, cells) for number, cells in rows_iter if not _blank(cells))


def _open_csv(data: bytes, first_row: int, limits: ImportLimits) -> tuple[list[Any], Iterator[Row]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableImportError("Tệp CSV phải mã hoá UTF-8 — save it as 'CSV UTF-8'") from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(_bounded_lines(text), delimiter=delimiter)
    try:
        header = next(reader, [])
    except csv.Error as exc:
        raise UnreadableImportError(f"Tệp CSV hỏng: {exc} — check quotes and line breaks") from exc
    _check_width(header, first_row - 1)
    return header, _csv_rows(reader, first_row, limits)


def _bounded_lines(text: str) -> Iterator[str]:
    """The file's lines; one longer than any valid row could be is refused before csv splits it into fields."""
    for line in io.StringIO(text, newline=""):
        if len(line) > MAX_XML_BETWEEN_CELLS:
            raise UnreadableImportError(
                f"Tệp CSV có dòng dài hơn {MAX_XML_BETWEEN_CELLS:,} ký tự — a line is longer than any valid row; "
                "check quotes and line breaks",
            )
        yield line


def _check_width(cells: list[str], number: int) -> None:
    if len(cells) > MAX_COLUMNS:
        column = column_letters(MAX_COLUMNS)
        raise TooManyColumnsError(
            f"Dòng {number} có ô ở cột {column}, quá cột cuối cùng được phép ({column_letters(MAX_COLUMNS - 1)}) — "
            f"row {number} has a cell in column {column}, past the last allowed column; delete the extra columns",
            row=number, column=column, limit=MAX_COLUMNS,
        )


def _csv_rows(reader: Iterator[list[str]], first_row: int, limits: ImportLimits) -> Iterator[Row]:
    max_rows = limits.max_rows
    try:
        for offset, cells in enumerate(reader):
            if offset >= max_rows:
                raise too_large("số dòng", max_rows, "rows")
            if len(cells) > MAX_COLUMNS:
                _check_width(cells, first_row + offset)
            if not _blank(cells):
                yield first_row + offset, cells
    except csv.Error as exc:
        raise UnreadableImportError(f"Tệp CSV hỏng: {exc} — check quotes and line breaks") from exc


def template_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sáng kiến"
    append_row(sheet, [c.header for c in COLUMNS])
    append_row(sheet, [c.example for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(csv_cells(c.header for c in COLUMNS))
    writer.writerow(csv_cells(c.example for c in COLUMNS))
    return ("\ufeff" + out.getvalue()).encode()


def to_csv(header: list[Any], rows: list[list[Any]]) -> bytes:
    """Rows as UTF-8 CSV (the CLI sends large files in chunks this way); dates become ISO text.

    This is the CLI's transfer format, read back by the import, not a file for people: cells are written as they
    are, never neutralised against formula injection (that would change the titles stored).
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([cell_text(h) for h in header])
    for cells in rows:
        writer.writerow([cell_text(c) for c in cells])
    return out.getvalue().encode()
