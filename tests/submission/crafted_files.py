"""Hostile import files built in the test: repetitive XML deflates to almost nothing, so each stays small."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

from services.submission.domain.import_rows import COLUMNS

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WORKBOOK = (
    f'<workbook xmlns="{NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
    ' Target="worksheets/sheet1.xml"/></Relationships>'
)
CHUNK = 1 << 20


def _write(archive: zipfile.ZipFile, name: str, parts: Iterable[bytes]) -> None:
    with archive.open(name, "w", force_zip64=True) as member:
        for part in parts:
            member.write(part)


def _repeat(piece: bytes, times: int) -> Iterable[bytes]:
    per_chunk = max(1, CHUNK // len(piece))
    block = piece * per_chunk
    full, rest = divmod(times, per_chunk)
    for _ in range(full):
        yield block
    yield piece * rest


def xlsx(sheet: Iterable[bytes], *, shared: Iterable[bytes] | None = None,
         extra: tuple[str, Iterable[bytes]] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        if shared is not None:
            _write(archive, "xl/sharedStrings.xml", shared)
        _write(archive, "xl/worksheets/sheet1.xml", sheet)
        if extra is not None:
            _write(archive, *extra)
    return out.getvalue()


def _sheet(rows: Iterable[bytes]) -> Iterable[bytes]:
    yield f'<worksheet xmlns="{NS}"><sheetData>'.encode()
    yield from rows
    yield b"</sheetData></worksheet>"


def header_row() -> bytes:
    cells = "".join(f'<c t="inlineStr"><is><t>{c.header}</t></is></c>' for c in COLUMNS)
    return f'<row r="1">{cells}</row>'.encode()


def shared_strings_bomb(count: int = 10_000_000) -> bytes:
    """``count`` shared strings (10 M: 0.4 MB of file, 170 MB of XML)."""
    strings = [f'<sst xmlns="{NS}" count="{count}">'.encode(), *_repeat(b"<si><t>a</t></si>", count), b"</sst>"]
    return xlsx(_sheet([header_row()]), shared=strings)


def wide_row(cells: int = 30_000_000) -> bytes:
    """One row of ``cells`` empty cells (30 M: 0.12 MB of file, 120 MB of XML)."""
    return xlsx(_sheet([b'<row r="1">', *_repeat(b"<c/>", cells), b"</row>"]))


def zip_bomb(megabytes: int = 200) -> bytes:
    """A valid sheet beside a member of ``megabytes`` MiB of zeros."""
    return xlsx(_sheet([header_row()]), extra=("xl/media/image1.bin", _repeat(b"\0" * CHUNK, megabytes)))


def many_rows_xlsx(rows: int) -> bytes:
    """The template's header and ``rows`` empty rows (the cheapest rows to send; each costs the server a parse)."""
    return xlsx(_sheet([header_row(), *(f'<row r="{n}"/>'.encode() for n in range(2, rows + 2))]))


def many_rows_csv(rows: int) -> bytes:
    return (",".join(c.header for c in COLUMNS) + "\n" + ",\n" * rows).encode()
