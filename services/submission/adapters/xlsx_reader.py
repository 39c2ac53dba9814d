"""A fast streaming reader for the first sheet of an XLSX file (lxml iterparse; no styles, no formulas)."""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from services.submission.domain.errors import UnreadableImportError

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
V = f"{MAIN}v"
T = f"{MAIN}t"
MAX_COLUMNS = 256
MAX_UNCOMPRESSED_BYTES = 512 * 1_048_576  # refuse zip bombs


def _parse(source: IO[bytes]) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.parse(source, parser)


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    workbook = _parse(archive.open("xl/workbook.xml"))
    sheet = workbook.find(f"{MAIN}sheets/{MAIN}sheet")
    if sheet is None:
        raise UnreadableImportError("Tệp XLSX không có trang tính nào — the workbook has no sheet")
    rel_id = sheet.get(f"{REL}id")
    rels = _parse(archive.open("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{PKG_REL}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    raise UnreadableImportError("Tệp XLSX hỏng (thiếu liên kết trang tính) — save it again from Excel")


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings = []
    for _, item in etree.iterparse(archive.open("xl/sharedStrings.xml"), tag=f"{MAIN}si", resolve_entities=False):
        strings.append("".join(t.text or "" for t in item.iter(f"{MAIN}t")))
        item.clear()
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
        _COLUMNS[letters] = index
    return index


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


def read_xlsx(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) for every row present in the first sheet; dates stay Excel serial numbers."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
            raise UnreadableImportError("Tệp XLSX giải nén quá lớn — split the file")
        shared = _shared_strings(archive)
        sheet = archive.open(_first_sheet_path(archive))
        for _, row in etree.iterparse(sheet, tag=f"{MAIN}row", resolve_entities=False):
            cells: list[Any] = []
            for position, cell in enumerate(row):
                ref = cell.get("r")
                index = _column(ref) if ref else position
                if index >= MAX_COLUMNS:  # columns past the template's are ignored (and cannot bloat memory)
                    continue
                if index >= len(cells):
                    if index > len(cells):
                        cells.extend([None] * (index - len(cells)))
                    cells.append(_value(cell, cell.get("t"), shared))
                else:
                    cells[index] = _value(cell, cell.get("t"), shared)
            number = int(row.get("r") or 0)
            row.clear()
            while row.getprevious() is not None:
                del row.getparent()[0]
            yield number, cells
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, ValueError, IndexError) as exc:
        raise UnreadableImportError(
            f"Không đọc được tệp XLSX ({type(exc).__name__}) — save it again from Excel"
        ) from exc
