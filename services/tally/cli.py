"""``sangkien tally``: run workers and the API, rebuild, reconcile, inspect and re-drive dead letters."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Annotated

import redis.asyncio as aioredis
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from services.tally.adapters.feeds import feed_urls
from services.tally.adapters.store import TallyStore
from services.tally.rebuild import RebuildReport, rebuild, reconcile
from shared.dead_letters import dead_letters_app
from shared.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="Tally: live counters, rankings, rebuild, reconcile, dead letters.")
app.add_typer(dead_letters_app("tally"), name="dead-letters")
console = Console()


@app.command()
def work(workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes")] = 1) -> None:
    """Run N tally worker processes on the tally queue (FastStream; SIGTERM/Ctrl-C stops them gracefully)."""
    command = [sys.executable, "-m", "faststream", "run", "services.tally.worker:app", "--workers", str(workers)]
    # Become the FastStream supervisor, so SIGTERM from an orchestrator reaches it and its workers directly.
    os.execv(sys.executable, command)


@app.command()
def serve(port: Annotated[int | None, typer.Option(help="Port (default SANGKIEN_TALLY_PORT)")] = None) -> None:
    """Serve the read API, the SSE stream and the dashboard."""
    import uvicorn

    settings = get_settings()
    uvicorn.run("services.tally.app:create_app", factory=True, host=settings.host,
                port=port or settings.tally_port, log_level="warning",
                proxy_headers=False)  # X-Forwarded-For is read by shared/client_address.py, from trusted proxies only


@app.command("rebuild")
def rebuild_command() -> None:
    """Recompute every counter from the submission and awards event feeds (the platform keeps running)."""
    settings = get_settings()

    async def run() -> RebuildReport:
        client = aioredis.Redis.from_url(settings.redis_url_for("tally"))
        try:
            with Progress(TextColumn("Tính lại từ nhật ký sự kiện"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=console) as progress:
                task = progress.add_task("rebuild", total=None)
                return await rebuild(TallyStore(client, settings), settings, feed_urls(settings),
                                     on_page=lambda n: progress.advance(task, n))
        finally:
            await client.aclose()

    try:
        report = asyncio.run(run())
    except Exception as exc:
        console.print(f"[red]rebuild failed:[/red] {exc} — check that submission and awards are running")
        raise typer.Exit(1) from exc
    rate = report.events / report.seconds if report.seconds else 0
    console.print(f"[green]done[/green]: generation {report.generation} live; {report.events} events read, "
                  f"{report.applied} applied, {report.seconds:.1f} s ({rate:,.0f} events/s)")


@app.command("reconcile")
def reconcile_command() -> None:
    """Compare the live counters with the fold of the event feeds; exit 1 on any difference."""
    settings = get_settings()

    async def run() -> list[tuple[str, str, str | None, str | None]]:
        client = aioredis.Redis.from_url(settings.redis_url_for("tally"))
        try:
            return await reconcile(TallyStore(client, settings), settings, feed_urls(settings))
        finally:
            await client.aclose()

    try:
        differences = asyncio.run(run())
    except Exception as exc:
        console.print(f"[red]reconcile failed:[/red] {exc}")
        raise typer.Exit(2) from exc
    if not differences:
        console.print("[green]Không có chênh lệch — no differences[/green]")
        return
    table = Table("key", "field", "expected (feeds)", "actual (Redis)", title=f"{len(differences)} differences")
    for key, name, expected, actual in differences:
        table.add_row(key, name, str(expected), str(actual))
    console.print(table)
    raise typer.Exit(1)
