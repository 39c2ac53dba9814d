"""Crafted import files against a real submission process: refused fast, memory flat, votes answered meanwhile."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis

from services.submission import MIGRATIONS_DIR
from services.submission.adapters.spreadsheet import read_table
from services.submission.domain.errors import ImportTooLargeError, TooManyColumnsError, UnreadableImportError
from services.submission.domain.import_limits import ImportLimits
from shared.auth import Role, issue_token
from shared.db import upgrade_database
from shared.settings import Settings
from tests.support.servers import free_port

from . import crafted_files as crafted
from .support import OPEN, UNIT, UNIT_L3, form

ANSWER_WITHIN = 2.0  # seconds: a liveness bound (a refusal never waits for the whole file), not a speed claim
RSS_GROWTH_MB = 100


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    settings: Settings

    def peak_mb(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0]) // 1024

    def bearer(self, role: Role, subject: str, unit: str | None = None) -> dict[str, str]:
        return {"Authorization": "Bearer " + issue_token(subject=subject, role=role, unit_id=unit,
                                                         settings=self.settings)}


@pytest.fixture
def server(settings: Settings, tmp_path: Path) -> Iterator[Server]:
    """The submission app in its own uvicorn process (relay off), on a migrated SQLite file."""
    upgrade_database(MIGRATIONS_DIR, settings.submission_db_url)
    port = free_port()
    env = {**os.environ, "SANGKIEN_ENV": "test", "SANGKIEN_NAMESPACE": settings.namespace,
           "SANGKIEN_SUBMISSION_DB_URL": settings.submission_db_url,
           "SANGKIEN_ATTACHMENTS_DIR": str(tmp_path / "attachments"), "SANGKIEN_RUN_RELAY": "false",
           "SANGKIEN_IMPORT_RATE_PER_OFFICER": "1000"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "services.submission.app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"], env=env, cwd=Path(__file__).parents[2],
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the submission process did not start within 60 s")
            time.sleep(0.2)
        yield Server(process, url, settings)
    finally:
        process.terminate()
        process.wait(timeout=30)
        client = redis.Redis.from_url(settings.redis_url)
        for key in client.scan_iter(match=f"{settings.namespace}:*"):
            client.delete(key)
        client.close()


async def _votes_meanwhile(client: httpx.AsyncClient, server: Server, initiative_id: str,
                           stop: asyncio.Event) -> list[int]:
    statuses = []
    n = 0
    while not stop.is_set():
        n += 1
        answer = await client.post(f"/v1/initiatives/{initiative_id}/votes",
                                   headers=server.bearer(Role.MEMBER, f"dv-cu-tri-{n}"), timeout=5)
        statuses.append(answer.status_code)
        await asyncio.sleep(0.05)
    return statuses


CRAFTED = {
    "10 M shared strings": (crafted.shared_strings_bomb, 413),
    "one row of 30 M cells": (crafted.wide_row, 413),
    "one row of 12 M cells, under the size limit": (lambda: crafted.wide_row(12_000_000), 422),
    "zip bomb of 200 MiB": (crafted.zip_bomb, 413),
    "100,001 rows (XLSX)": (lambda: crafted.many_rows_xlsx(100_001), 413),
    "100,001 rows (CSV)": (lambda: crafted.many_rows_csv(100_001), 413),
}


async def test_crafted_files_are_refused_fast_with_flat_memory_while_votes_are_answered(server: Server) -> None:
    files = {name: (make(), status) for name, (make, status) in CRAFTED.items()}
    officer = server.bearer(Role.OFFICER, "cb-tan-yen", UNIT_L3)
    member = server.bearer(Role.MEMBER, "dv-nhung", UNIT)
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        created = (await client.post("/v1/initiatives", json=form(campaign_id=OPEN), headers=member)).json()
        assert (await client.post(f"/v1/initiatives/{created['id']}/submit", headers=member)).status_code == 200
        warm = await client.post("/v1/imports", params={"campaign_id": OPEN}, headers=officer,
                                 files={"file": ("warm.csv", crafted.many_rows_csv(10), "text/csv")})
        assert warm.status_code == 200, warm.text
        baseline = server.peak_mb()
        stop = asyncio.Event()
        voting = asyncio.create_task(_votes_meanwhile(client, server, created["id"], stop))
        try:
            for name, (data, status) in files.items():
                started = time.monotonic()
                answer = await client.post("/v1/imports", params={"campaign_id": OPEN}, headers=officer,
                                           files={"file": (f"{name}.bin", data, "application/octet-stream")})
                elapsed = time.monotonic() - started
                assert answer.status_code == status, (name, answer.text)
                assert answer.headers["content-type"] == "application/problem+json"
                assert " — " in answer.json()["detail"], name
                assert elapsed < ANSWER_WITHIN, f"{name}: answered after {elapsed:.1f} s"
        finally:
            stop.set()
            statuses = await voting
        growth = server.peak_mb() - baseline
    assert growth < RSS_GROWTH_MB, f"peak RSS grew by {growth} MB"
    assert statuses and set(statuses) <= {200, 201}, statuses


def test_a_row_stops_at_the_first_cell_past_the_last_allowed_column() -> None:
    cells = "".join(f'<c r="{col}2" t="inlineStr"><is><t>x</t></is></c>' for col in ("A", "B", "AX", "AY", "AZ"))
    data = crafted.xlsx(crafted._sheet([crafted.header_row(), f'<row r="2">{cells}</row>'.encode()]))
    with pytest.raises(TooManyColumnsError) as refused:
        read_table(data)
    assert refused.value.status == 422
    assert refused.value.extensions == {"row": 2, "column": "AY", "limit": 50}
    assert "Dòng 2" in refused.value.detail and "AY" in refused.value.detail


def test_shared_strings_past_the_count_or_bytes_are_refused_before_the_sheet() -> None:
    data = crafted.shared_strings_bomb(2_001)
    for limits, name in ((ImportLimits(max_shared_strings=2_000), "shared_strings"),
                         (ImportLimits(max_shared_string_bytes=2_000), "shared_string_bytes")):
        with pytest.raises(ImportTooLargeError) as refused:
            read_table(data, limits=limits)
        assert refused.value.extensions["limit_name"] == name


def test_a_file_at_the_row_cap_is_read_whole() -> None:
    header, rows = read_table(crafted.many_rows_xlsx(5), limits=ImportLimits(max_rows=5))
    assert len(header) > 30 and rows == []  # every data row is blank
    with pytest.raises(ImportTooLargeError):
        read_table(crafted.many_rows_xlsx(6), limits=ImportLimits(max_rows=5))


def _declared_smaller(data: bytes, name: bytes, size: int) -> bytes:
    """``data`` with the zip directory claiming that member ``name`` inflates to ``size`` bytes."""
    at = data.find(b"PK\x01\x02")
    patched = bytearray(data)
    while at != -1:
        name_length = int.from_bytes(patched[at + 28:at + 30], "little")
        if bytes(patched[at + 46:at + 46 + name_length]) == name:
            patched[at + 24:at + 28] = size.to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(patched)


def test_a_zip_directory_that_understates_a_member_never_inflates_past_what_it_says() -> None:
    rows = [crafted.header_row(), b'<row r="2">', b"<c/>" * 40, b"</row>"] + [
        f'<row r="{n}"><c r="A{n}"/></row>'.encode() for n in range(3, 300_000)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", crafted.WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", crafted.RELS)
        archive.writestr("xl/worksheets/sheet1.xml", b"".join(crafted._sheet(rows)))
    lying = _declared_smaller(out.getvalue(), b"xl/worksheets/sheet1.xml", 40_000)
    with pytest.raises(UnreadableImportError):  # zipfile stops at the declared size and the checksum fails
        read_table(lying)
