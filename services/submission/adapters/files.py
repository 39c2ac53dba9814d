"""Attachment files: stream to disk with a size limit and sha256, sniff the type from content, store by checksum."""

from __future__ import annotations

import hashlib
import os
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype

from services.submission.domain.errors import FileTooLargeError, UnsupportedFileTypeError
from services.submission.domain.text import nfc

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALLOWED_TYPES = (PDF, DOCX, XLSX, PNG, JPEG)
_ZIPPED = {"application/zip", DOCX, XLSX}
_CHUNK = 1 << 20
_SNIFF_BYTES = 8192


def office_type(path: Path) -> str | None:
    """A DOCX or XLSX is a zip holding its main part; anything else with a PK header is refused."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def sniff(path: Path) -> str:
    """The file's media type from its bytes (never from its name); raise 415 when not allowed."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime in _ZIPPED:
        mime = office_type(path)
    if mime not in ALLOWED_TYPES:
        found = mime or "không nhận ra (unrecognised)"
        raise UnsupportedFileTypeError(
            f"Loại tệp {found} không được chấp nhận; chỉ nhận PDF, DOCX, XLSX, PNG, JPEG — upload one of these",
            detected_type=mime,
        )
    return mime


@dataclass(frozen=True)
class StoredFile:
    path: Path
    sha256: str
    size_bytes: int
    media_type: str


def store_upload(source: BinaryIO, folder: Path, *, max_bytes: int) -> StoredFile:
    """Copy an upload into ``folder/<sha256>`` (blocking: run in a thread)."""
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".upload-{uuid.uuid4().hex}"
    digest = hashlib.sha256()
    size = 0
    try:
        with temporary.open("wb") as target:
            while chunk := source.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise FileTooLargeError(
                        f"Tệp lớn hơn {max_bytes // 1_048_576} MB — upload a smaller file", limit_bytes=max_bytes,
                    )
                digest.update(chunk)
                target.write(chunk)
        if size == 0:
            raise UnsupportedFileTypeError("Tệp rỗng — the file is empty")
        media_type = sniff(temporary)
        final = folder / digest.hexdigest()
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)
    return StoredFile(path=final, sha256=digest.hexdigest(), size_bytes=size, media_type=media_type)


def safe_filename(name: str | None, media_type: str) -> str:
    """A display name without path parts or control characters, with an extension matching the content."""
    extension = {PDF: ".pdf", DOCX: ".docx", XLSX: ".xlsx", PNG: ".png", JPEG: ".jpg"}[media_type]
    base = nfc(Path(name or "").name).replace("\\", "_").replace("/", "_")[:200] or "tep"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return (stem or "tep") + extension
