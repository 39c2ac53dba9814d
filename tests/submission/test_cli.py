"""The CLI against a real HTTP server: chunked import with progress and summary, campaigns, template."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import func, select
from typer.testing import CliRunner

from services.submission.adapters.tables import initiatives
from services.submission.app import create_app
from services.submission.cli import app as cli
from shared.db import upgrade_database_async
from shared.settings import Settings

from .support import service_settings
from .test_imports import workbook_bytes

runner = CliRunner()


async def serve(settings: Settings) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    from services.submission import MIGRATIONS_DIR

    await upgrade_database_async(MIGRATIONS_DIR, settings.submission_db_url)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_level="warning",
                                                 proxy_headers=False))
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.02)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, task, f"http://127.0.0.1:{port}"


async def test_import_command_sends_chunks_and_reports_original_row_numbers(
    settings: Settings, redis_client: Any, tmp_path: Path,
) -> None:
    settings = service_settings(settings, settings.submission_db_url)
    server, task, url = await serve(settings)
    try:
        sheet = tmp_path / "bac-giang.xlsx"
        sheet.write_bytes(workbook_bytes(1000))
        errors_file = tmp_path / "loi.csv"
        args = ["import", str(sheet), "--campaign", "demo", "--unit", "P24", "--url", url, "--chunk-rows", "300",
                "--errors-out", str(errors_file)]
        result = await asyncio.to_thread(runner.invoke, cli, args)
        assert result.exit_code == 0, result.output
        assert "Kết quả nhập" in result.output and "998" in result.output
        with errors_file.open(encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
        assert rows == [
            ["Dòng", "Cột", "Lỗi"], ["7", "Mã công đoàn cơ sở", "Không có đơn vị mã P24-99-999"],
            ["100", "Tác giả 1 – Tỷ lệ đóng góp (%)", "Tổng tỷ lệ đóng góp là 90 %, phải bằng 100 %"],
        ]
        again = await asyncio.to_thread(runner.invoke, cli, args)
        assert again.exit_code == 0
        campaigns = await asyncio.to_thread(runner.invoke, cli, ["campaigns", "--url", url], env={"COLUMNS": "200"})
        assert "75k-2021" in campaigns.output and "20/04/2021 23:55" in campaigns.output
        from shared.db import make_engine

        engine = make_engine(settings.submission_db_url)
        async with engine.connect() as conn:
            assert await conn.scalar(select(func.count()).select_from(initiatives)) == 998
        await engine.dispose()
    finally:
        server.should_exit = True
        await task


def test_template_command_writes_both_formats(tmp_path: Path) -> None:
    for name in ("mau.xlsx", "mau.csv"):
        result = runner.invoke(cli, ["template", str(tmp_path / name)])
        assert result.exit_code == 0
        assert (tmp_path / name).stat().st_size > 100


def test_import_command_without_token_or_unit_explains_itself(tmp_path: Path) -> None:
    sheet = tmp_path / "a.csv"
    sheet.write_text("Mã công đoàn cơ sở,Tên sáng kiến,Lĩnh vực,Tác giả 1 – Họ và tên,Tác giả 1 – Tỷ lệ đóng góp (%)\n")
    result = runner.invoke(cli, ["import", str(sheet), "--campaign", "demo", "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "--token" in result.output


def test_import_command_says_when_the_server_is_unreachable(tmp_path: Path) -> None:
    sheet = tmp_path / "mau.csv"
    runner.invoke(cli, ["template", str(sheet)])
    result = runner.invoke(
        cli, ["import", str(sheet), "--campaign", "demo", "--unit", "P24", "--url", "http://127.0.0.1:9"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 1
    assert "cannot reach http://127.0.0.1:9" in result.output
