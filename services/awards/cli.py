"""``sangkien awards``: serve the API, migrate, list a unit's queue, export a dossier, read a case's audit."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table

from services.awards.bootstrap import AwardsService
from services.awards.handlers import queries
from services.awards.handlers.dossier import build_dossier, render
from shared.dead_letters import dead_letters_app
from shared.settings import get_settings
from shared.union_tree import get_tree

app = typer.Typer(no_args_is_help=True, help="Xét duyệt và khen thưởng sáng kiến (awards service).")
app.add_typer(dead_letters_app("awards"), name="dead-letters")
console = Console()
err_console = Console(stderr=True)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default from settings)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default SANGKIEN_AWARDS_PORT)")] = None,
) -> None:
    """Run the awards API with its consumer and outbox relay."""
    import uvicorn

    from services.awards.app import create_app
    from shared.log import configure_logging

    settings = get_settings()
    configure_logging(settings)
    console.print(f"awards: http://{host or settings.host}:{port or settings.awards_port}/docs")
    # X-Forwarded-For is read by shared/client_address.py, from trusted proxies only.
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.awards_port,
                proxy_headers=False)


@app.command()
def migrate() -> None:
    """Apply the awards database migrations."""

    async def run() -> None:
        service = AwardsService(get_settings())
        try:
            await service.migrate()
        finally:
            await service.engine.dispose()

    asyncio.run(run())
    console.print("awards: database up to date")


@app.command()
def queue(
    unit: Annotated[str, typer.Option(help="Unit whose queue to list")],
    campaign: Annotated[str | None, typer.Option(help="Only this campaign")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
) -> None:
    """List the cases waiting at a unit."""
    if unit not in get_tree():
        err_console.print(f"[red]error:[/red] không có đơn vị {unit} — unknown unit")
        raise typer.Exit(2)

    async def run() -> queries.Page:
        service = AwardsService(get_settings())
        try:
            async with service.sessions() as session:
                return await queries.unit_queue(session, unit_id=unit, campaign_id=campaign, limit=limit)
        finally:
            await service.engine.dispose()

    page = asyncio.run(run())
    table = Table(title=f"Hàng chờ xét — {get_tree().get(unit).name}")
    for column in ("case", "sáng kiến", "lĩnh vực", "trạng thái", "cấp", "phiên bản"):
        table.add_column(column)
    for item in page.items:
        table.add_row(item["case_id"][:8], item["title"], item["field"], item["status"],
                      str(item["current_level"]), str(item["version"]))
    console.print(table)
    console.print(f"{len(page.items)} hồ sơ" + (" (còn nữa)" if page.next_cursor else ""))


@app.command()
def export(
    unit: Annotated[str, typer.Option(help="The nominating unit")],
    out: Annotated[Path, typer.Option(help="File to write")],
    file_format: Annotated[str, typer.Option("--format", help="xlsx, docx or pdf")] = "xlsx",
    campaign: Annotated[str | None, typer.Option(help="Only this campaign")] = None,
) -> None:
    """Write a unit's nomination dossier (needs the submission service for authors' names)."""
    if file_format not in ("xlsx", "docx", "pdf"):
        err_console.print("[red]error:[/red] --format must be xlsx, docx or pdf")
        raise typer.Exit(2)
    if unit not in get_tree():
        err_console.print(f"[red]error:[/red] không có đơn vị {unit} — unknown unit")
        raise typer.Exit(2)
    chosen: Literal["xlsx", "docx", "pdf"] = file_format  # type: ignore[assignment]

    async def run() -> int:
        service = AwardsService(get_settings())
        try:
            async with service.sessions() as session, service.submission_client() as client:
                dossier = await build_dossier(session, client, get_tree(), unit_id=unit, campaign_id=campaign)
        finally:
            await service.engine.dispose()
        out.write_bytes(render(dossier, chosen))
        return len(dossier.rows)

    count = asyncio.run(run())
    console.print(f"{out}: {count} sáng kiến đề cử")


@app.command()
def audit(case: Annotated[str, typer.Option(help="Case id")]) -> None:
    """Print a case's audit trail."""
    try:
        case_id = uuid.UUID(case)
    except ValueError as exc:
        err_console.print("[red]error:[/red] --case must be a UUID")
        raise typer.Exit(2) from exc

    async def run() -> list[dict[str, object]]:
        service = AwardsService(get_settings())
        try:
            async with service.sessions() as session:
                items, _ = await queries.audit_page(session, case_id=case_id, limit=200)
                return items
        finally:
            await service.engine.dispose()

    table = Table(title=f"Nhật ký hồ sơ {case_id}")
    for column in ("lúc", "người", "vai trò", "đơn vị", "thao tác", "trước", "sau"):
        table.add_column(column)
    for item in asyncio.run(run()):
        table.add_row(str(item["at"]), str(item["actor"]), str(item["role"]), str(item["unit_id"]),
                      str(item["action"]), str(item["before"]), str(item["after"]))
    console.print(table)
