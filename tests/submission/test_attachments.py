"""Attachments: types sniffed from content, size limit, checksum, stored once, downloaded only by who may see."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from .files import (
    docx_bytes,
    exe_bytes,
    jpeg_bytes,
    pdf_bytes,
    plain_zip_bytes,
    png_bytes,
    xlsx_bytes,
)
from .support import UNIT, UNIT_L2, UNIT_L3, Harness, service_settings, start

ACCEPTED = [
    ("to-trinh.pdf", pdf_bytes, "application/pdf"),
    ("tom-tat.docx", docx_bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("phieu-cham.xlsx", xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("anh.png", png_bytes, "image/png"),
    ("anh.jpg", jpeg_bytes, "image/jpeg"),
]


@pytest.mark.parametrize(("name", "make", "media_type"), ACCEPTED)
async def test_accepted_types_are_stored_by_checksum_and_downloadable(
    sqlite_harness: Harness, name: str, make: Any, media_type: str,
) -> None:
    h = sqlite_harness
    item = await h.submitted()
    data = make()
    url = f"/v1/initiatives/{item['id']}/attachments"
    response = await h.client.post(url, files={"file": (name, data, "application/octet-stream")}, headers=h.member())
    assert response.status_code == 201, response.text
    info = response.json()
    digest = hashlib.sha256(data).hexdigest()
    assert (info["media_type"], info["sha256"], info["size_bytes"]) == (media_type, digest, len(data))
    stored = Path(h.settings.attachments_dir) / item["id"] / digest
    assert stored.read_bytes() == data
    again = await h.client.post(url, files={"file": ("khac-ten" + name, data)}, headers=h.member())
    assert again.status_code == 200 and again.json()["id"] == info["id"]
    listed = (await h.client.get(url, headers=h.officer(UNIT))).json()
    assert [a["id"] for a in listed] == [info["id"]]
    download = await h.client.get(f"{url}/{info['id']}", headers=h.member())
    assert download.status_code == 200 and download.content == data
    assert download.headers["content-type"].startswith(media_type)


@pytest.mark.parametrize(("name", "data"), [
    ("to-trinh.pdf", exe_bytes()),
    ("tom-tat.docx", plain_zip_bytes()),
    ("ghi-chu.txt", "Chỉ là văn bản".encode()),
    ("rong.pdf", b""),
])
async def test_wrong_types_are_refused_from_their_content(sqlite_harness: Harness, name: str, data: bytes) -> None:
    h = sqlite_harness
    item = await h.submitted()
    url = f"/v1/initiatives/{item['id']}/attachments"
    response = await h.client.post(url, files={"file": (name, data, "application/pdf")}, headers=h.member())
    assert response.status_code == 415, response.text
    assert response.json()["type"].endswith("/unsupported-file-type")
    folder = Path(h.settings.attachments_dir) / item["id"]
    assert not folder.exists() or list(folder.iterdir()) == []


async def test_oversized_upload_is_413(settings: Any, redis_client: Any) -> None:
    async for h in start(service_settings(settings, settings.submission_db_url, max_upload_bytes=50_000)):
        item = await h.submitted()
        url = f"/v1/initiatives/{item['id']}/attachments"
        big = pdf_bytes() + b"%" * 60_000
        response = await h.client.post(url, files={"file": ("lon.pdf", big)}, headers=h.member())
        assert response.status_code == 413
        assert response.json()["type"].endswith(("/file-too-large", "/payload-too-large"))


async def test_attachments_only_for_who_may_see_the_full_record(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    item = await h.submitted()
    url = f"/v1/initiatives/{item['id']}/attachments"
    info = (await h.client.post(url, files={"file": ("a.pdf", pdf_bytes())}, headers=h.member())).json()
    assert (await h.client.get(url)).status_code == 401
    assert (await h.client.get(url, headers=h.member("dv-nguoi-khac"))).status_code == 403
    assert (await h.client.get(f"{url}/{info['id']}", headers=h.officer("P40"))).status_code == 403
    for upper in (h.officer(UNIT_L3), h.officer(UNIT_L2)):  # above grassroots: through awards, once a case is there
        assert (await h.client.get(url, headers=upper)).status_code == 403
        assert (await h.client.get(f"{url}/{info['id']}", headers=upper)).status_code == 403
    assert (await h.client.get(f"{url}/{info['id']}", headers=h.officer(UNIT))).status_code == 200
    assert (await h.client.get(f"{url}/{info['id']}", headers=h.admin())).status_code == 200
    other_upload = await h.client.post(url, files={"file": ("b.pdf", pdf_bytes("khac"))}, headers=h.officer("P40"))
    assert other_upload.status_code == 403
