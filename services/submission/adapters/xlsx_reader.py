"""A fast, bounded streaming reader for the first sheet of an XLSX file (lxml iterparse; no styles, no formulas).

Every bound holds before the memory is spent: the archive's uncompressed size from the zip directory (and again
while reading), the XML of one row or one shared string, the shared strings' count and bytes, the columns of a
row (the read stops at the first cell past the last one allowed) and the rows of the sheet.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from services.submission.domain.errors import ImportTooLargeError, TooManyColumnsError, UnreadableImportError
from services.submission.domain.import_limits import (
    MAX_COLUMNS,
    MAX_WORKBOOK_PART_BYTES,
    MAX_XML_BETWEEN_CELLS,
    ImportLimits,
)

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
V = f"{MAIN}v"
T = f"{MAIN}t"
ROW = f"{MAIN}row"
SI = f"{MAIN}si"
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
SHARED_STRINGS = "xl/sharedStrings.xml"
CHUNK_BYTES = 32_768
_SHEET_DATA_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData\s*>")
_TAIL_BYTES = 64  # enough of the previous chunk to find a closing tag split between two chunks


def too_large(what: str, limit: int, limit_name: str) -> ImportTooLargeError:
    return ImportTooLargeError(
        f"Tệp nhập vượt giới hạn: {what} (tối đa {limit:,}) — the file is over the limit of {limit:,} "
        f"({limit_name}); split it (the CLI sends large files in chunks)",
        limit=limit, limit_name=limit_name,
    )


class _BoundedXml:
    """A zip member handed to lxml: refuses more than ``budget`` bytes in all, and more than
    ``MAX_XML_BETWEEN_CELLS`` since the reader last set ``marked`` (what lxml builds in between stays in memory).

    With ``stop_after_sheet_data`` it ends the input right after ``</sheetData>``: the rest of a sheet (merged
    cells, print settings) is never parsed, and lxml then reports the unclosed root, which the reader expects.
    """

    __slots__ = ("_budget", "_raw", "_stop", "_tail", "consumed", "ended", "last_row", "marked")

    def __init__(self, raw: IO[bytes], budget: int, *, stop_after_sheet_data: bool = False) -> None:
        self._raw = raw
        self._budget = budget
        self._stop = stop_after_sheet_data
        self._tail = b""
        self.consumed = 0
        self.marked = 0
        self.ended = False
        self.last_row = 0  # the sheet's last row read whole, to name the one that is too long

    def read(self, size: int = CHUNK_BYTES) -> bytes:
        if self.ended:
            return b""
        data = self._raw.read(size if size > 0 else CHUNK_BYTES)
        self.consumed += len(data)
        if self.consumed > self._budget:  # zipfile never inflates past the directory's size; this holds even so
            raise too_large("dung lượng giải nén", self._budget, "uncompressed_bytes")
        if self.consumed - self.marked > MAX_XML_BETWEEN_CELLS:
            after = f" sau dòng {self.last_row}" if self.last_row else ""
            raise TooManyColumnsError(
                f"Tệp XLSX có dòng{after} dài hơn {MAX_XML_BETWEEN_CELLS // 1_048_576} MiB (quá nhiều ô?) — "
                f"the row after row {self.last_row} (or a shared string) spans more XML than any valid row could; "
                "delete the extra columns or save the file again from Excel",
                row=self.last_row + 1, limit=MAX_XML_BETWEEN_CELLS, limit_name="row_xml_bytes",
            )
        if self._stop:
            window = self._tail + data
            found = _SHEET_DATA_END.search(window) if b"sheetData" in window else None  # find() is C-fast
            if found is not None:
                self.ended = True
                return data[:max(0, found.end() - len(self._tail))]
            self._tail = data[-_TAIL_BYTES:]
        return data


def _parse(data: bytes) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(data, parser)


def _small_part(archive: zipfile.ZipFile, name: str) -> bytes:
    if archive.getinfo(name).file_size > MAX_WORKBOOK_PART_BYTES:
        raise UnreadableImportError(f"Tệp XLSX hỏng ({name} quá lớn) — save it again from Excel")
    return archive.read(name)


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    workbook = _parse(_small_part(archive, WORKBOOK))
    sheet = workbook.find(f"{MAIN}sheets/{MAIN}sheet")
    if sheet is None:
        raise UnreadableImportError("Tệp XLSX không có trang tính nào — the workbook has no sheet")
    rel_id = sheet.get(f"{REL}id")
    rels = _parse(_small_part(archive, WORKBOOK_RELS))
    for rel in rels.iter(f"{PKG_REL}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    raise UnreadableImportError("Tệp XLSX hỏng (thiếu liên kết trang tính) — save it again from Excel")


def _shared_strings(source: _BoundedXml, limits: ImportLimits) -> list[str]:
    strings: list[str] = []
    size = 0
    for _, item in etree.iterparse(source, tag=SI, resolve_entities=False, huge_tree=False):
        source.marked = source.consumed
        text = "".join(t.text or "" for t in item.iter(T))
        size += len(text) if text.isascii() else len(text.encode())
        if size > limits.max_shared_string_bytes:
            raise too_large("dung lượng chuỗi dùng chung", limits.max_shared_string_bytes, "shared_string_bytes")
        strings.append(text)
        if len(strings) > limits.max_shared_strings:
            raise too_large("số chuỗi dùng chung", limits.max_shared_strings, "shared_strings")
        item.clear()
        while item.getprevious() is not None:  # a cleared element still costs a node: keep none behind
            del item.getparent()[0]
    return strings


_COLUMNS: dict[str, int] = {}
_DIGITS = "0123456789"


def _column(ref: str) -> int:
    letters = ref.rstrip(_DIGITS)
    index = _COLUMNS.get(letters)
    if index is None:
        index = 0
        for char in letters:
            index = index * 26 + ord(char) - 64
        index -= 1
        if 0 <= index < MAX_COLUMNS:  # remember only columns a sheet may use: a crafted file cannot grow the cache
            _COLUMNS[letters] = index
    return index


def column_letters(index: int) -> str:
    """``0`` → ``A``, ``26`` → ``AA``: a column as Excel names it."""
    letters = ""
    index += 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _value(cell: Any, kind: str | None, shared: list[str]) -> Any:
    if kind == "inlineStr":
        inline = cell[0] if len(cell) == 1 else None
        if inline is not None and len(inline) == 1 and inline[0].tag == T:  # <is><t>…</t></is>: no rich-text runs
            return inline[0].text or ""
        return "".join(cell.itertext())
    child = cell[0] if len(cell) == 1 else None
    text = child.text if child is not None and child.tag == V else cell.findtext(V)
    if not text:  # no value, or a formula without a cached result (files written by openpyxl)
        return None
    if kind == "s":
        return shared[int(text)]
    if kind == "b":
        return text == "1"
    if kind in ("str", "e", "d"):
        return text
    number = float(text)
    return int(number) if number.is_integer() else number


def _too_many_columns(number: int, index: int) -> TooManyColumnsError:
    column = column_letters(index) if 0 <= index < 1_000_000 else "?"
    return TooManyColumnsError(
        f"Dòng {number} có ô ở cột {column}, quá cột cuối cùng được phép ({column_letters(MAX_COLUMNS - 1)}) — "
        f"row {number} has a cell in column {column}, past the last allowed column; delete the extra columns",
        row=number, column=column, limit=MAX_COLUMNS,
    )


def _first_past_last_column(row: Any, number: int) -> TooManyColumnsError:
    for position, cell in enumerate(row):
        ref = cell.get("r")
        index = _column(ref) if ref else position
        if index >= MAX_COLUMNS or position >= MAX_COLUMNS:
            return _too_many_columns(number, max(index, position))
    return _too_many_columns(number, MAX_COLUMNS)  # unreachable: the row has more cells than columns


def _sheet_rows(source: _BoundedXml, shared: list[str], limits: ImportLimits) -> Iterator[tuple[int, list[Any]]]:
    # Events per row, not per cell: cell events (or a second tag) cost 8-50 % more in lxml. A row is still never
    # built past MAX_XML_BETWEEN_CELLS (``source`` refuses to read on), so a row of millions of cells stops at 1 MiB.
    max_row_elements = limits.max_rows + 1  # the header row is not a data row
    events = etree.iterparse(source, tag=ROW, resolve_entities=False, huge_tree=False)
    try:
        for rows_seen, (_, row) in enumerate(events, start=1):
            if rows_seen > max_row_elements:
                raise too_large("số dòng", limits.max_rows, "rows")
            source.marked = source.consumed  # one row's XML is bounded; the next row starts afresh
            width = len(row)
            if not width and rows_seen > 1:  # a row without cells is blank: nothing to read (the header always is)
                while row.getprevious() is not None:
                    del row.getparent()[0]
                continue
            number = int(row.get("r") or rows_seen)
            source.last_row = number
            if width > MAX_COLUMNS:  # more cells than columns: name the first one past the last column
                raise _first_past_last_column(row, number)
            cells: list[Any] = []
            for position, cell in enumerate(row):
                ref = cell.get("r")
                index = _column(ref) if ref else position
                if index >= MAX_COLUMNS:  # stop at the first cell past the last column: the rest is never read
                    raise _too_many_columns(number, index)
                if index >= len(cells):
                    if index > len(cells):
                        cells.extend([None] * (index - len(cells)))
                    cells.append(_value(cell, cell.get("t"), shared))
                else:
                    cells[index] = _value(cell, cell.get("t"), shared)
            row.clear()
            while row.getprevious() is not None:
                del row.getparent()[0]
            yield number, cells
    except etree.XMLSyntaxError:
        if not source.ended:  # else: the input was cut after </sheetData>, and every row has been read
            raise


def read_xlsx(data: bytes, limits: ImportLimits | None = None) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) for every row present in the first sheet; dates stay Excel serial numbers."""
    limits = limits or ImportLimits()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if sum(info.file_size for info in archive.infolist()) > limits.max_uncompressed_bytes:
            raise too_large("dung lượng giải nén", limits.max_uncompressed_bytes, "uncompressed_bytes")
        shared: list[str] = []
        budget = limits.max_uncompressed_bytes
        if SHARED_STRINGS in archive.namelist():
            strings_xml = _BoundedXml(archive.open(SHARED_STRINGS), budget)
            shared = _shared_strings(strings_xml, limits)
            budget -= strings_xml.consumed
        sheet = _BoundedXml(archive.open(_first_sheet_path(archive)), budget, stop_after_sheet_data=True)
        yield from _sheet_rows(sheet, shared, limits)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, ValueError, IndexError, EOFError, zlib.error,
            NotImplementedError, RuntimeError) as exc:  # a truncated, encrypted or oddly compressed archive too
        raise UnreadableImportError(
            f"Không đọc được tệp XLSX ({type(exc).__name__}) — save it again from Excel"
        ) from exc
