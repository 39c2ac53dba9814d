"""``sangkien submission …``: serve the API, migrate, run the relay, import files, list campaigns."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from services.submission import MIGRATIONS_DIR, SERVICE_NAME
from shared.settings import get_settings

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)
console = Console()
err = Console(stderr=True)


@app.command()
def serve(
    port: Annotated[int | None, typer.Option(help="Port (default: SANGKIEN_SUBMISSION_PORT)")] = None,
) -> None:
    """Run the HTTP API (with the outbox relay inside unless SANGKIEN_RUN_RELAY=false)."""
    import uvicorn

    from shared.log import configure_logging

    settings = get_settings()
    configure_logging(settings)
    uvicorn.run(
        "services.submission.app:create_app", factory=True, host=settings.host,
        port=port or settings.submission_port, log_level=settings.log_level.lower(),
        proxy_headers=False,  # X-Forwarded-For is read by shared/client_address.py, from trusted proxies only
    )


@app.command()
def migrate() -> None:
    """Apply the database migrations (alembic upgrade head) to SANGKIEN_SUBMISSION_DB_URL."""
    from shared.db import upgrade_database

    settings = get_settings()
    upgrade_database(MIGRATIONS_DIR, settings.submission_db_url)
    console.print(f"[green]submission database at head[/green] ({settings.submission_db_url.split('@')[-1]})")


@app.command()
def relay() -> None:
    """Run the outbox relay alone (several may run on PostgreSQL); Ctrl-C stops it."""
    from services.submission.adapters.tables import outbox
    from shared.db import make_engine
    from shared.log import configure_logging
    from shared.outbox import OutboxRelay

    settings = get_settings()
    configure_logging(settings)

    async def main() -> None:
        engine = make_engine(settings.submission_db_url, pool_size=settings.db_pool_size)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await OutboxRelay(engine=engine, table=outbox, settings=settings, service=SERVICE_NAME).run(stop)
        finally:
            await engine.dispose()

    console.print("outbox relay running — Ctrl-C to stop")
    asyncio.run(main())


def _token(token: str | None, unit: str | None, member: str) -> str:
    if token:
        return token
    if not unit:
        err.print("[red]error:[/red] give --token, or --unit to mint a local development officer token")
        raise typer.Exit(2)
    from shared.auth import Role, issue_token

    try:
        return issue_token(subject=member, role=Role.OFFICER, unit_id=unit)
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


def _fail(response: httpx.Response) -> None:
    try:
        detail = response.json().get("detail", response.text)
    except ValueError:
        detail = response.text
    err.print(f"[red]error {response.status_code}:[/red] {detail}")
    raise typer.Exit(1)


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="XLSX or CSV laid out as the template")],
    *,
    campaign: Annotated[str, typer.Option(help="Campaign id, e.g. 75k-2021 or demo")],
    token: Annotated[str | None, typer.Option(help="Officer bearer token")] = None,
    unit: Annotated[str | None, typer.Option(help="Mint a development officer token for this unit instead")] = None,
    member: Annotated[str, typer.Option(help="Subject of a minted token")] = "dev-officer",
    url: Annotated[str | None, typer.Option(help="Submission API base URL")] = None,
    chunk_rows: Annotated[int, typer.Option(min=1, max=20_000, help="Rows per request")] = 1000,
    errors_out: Annotated[Path | None, typer.Option(help="Write every row error to this CSV file")] = None,
) -> None:
    """Send a spreadsheet of initiatives in chunks, with a progress bar, and print a summary."""
    from services.submission.adapters.spreadsheet import read_table, to_csv
    from services.submission.domain.errors import ImportTooLargeError, UnreadableImportError
    from services.submission.domain.import_limits import ImportLimits

    try:  # the officer's own file, read here: the server's bounds apply to each chunk it receives
        header, rows = read_table(file.read_bytes(), limits=ImportLimits.local())
    except (UnreadableImportError, ImportTooLargeError) as exc:
        err.print(f"[red]error:[/red] {exc.detail}")
        raise typer.Exit(1) from exc
    base = (url or get_settings().submission_url).rstrip("/")
    headers = {"Authorization": f"Bearer {_token(token, unit, member)}"}
    totals = {"rows_total": 0, "created": 0, "already_present": 0, "invalid": 0}
    errors: list[dict[str, Any]] = []
    status = "-"
    progress = Progress(TextColumn("[bold]Nhập sáng kiến"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with progress, httpx.Client(timeout=300, headers=headers) as client:
        task = progress.add_task("import", total=len(rows))
        for start in range(0, len(rows), chunk_rows):
            chunk = rows[start:start + chunk_rows]
            first = chunk[0][0]
            cells: list[list[Any]] = []
            for number, values in chunk:  # blank lines keep the file's row numbers in the server's report
                cells.extend([[]] * (number - first - len(cells)))
                cells.append(values)
            try:
                response = client.post(
                    f"{base}/v1/imports", params={"campaign_id": campaign, "first_row": first},
                    files={"file": (f"{file.stem}-{first}.csv", to_csv(header, cells), "text/csv")},
                )
            except httpx.HTTPError as exc:
                progress.stop()
                err.print(f"[red]error:[/red] cannot reach {base} ({exc}); is `sangkien submission serve` running?")
                raise typer.Exit(1) from exc
            if response.status_code != 200:
                progress.stop()
                _fail(response)
            report = response.json()
            for key in totals:
                totals[key] += report[key]
            errors.extend(report["errors"])
            status = report["created_status"]
            progress.advance(task, len(chunk))
    _summary(totals, status, errors, errors_out)


def _summary(totals: dict[str, int], status: str, errors: list[dict[str, Any]], errors_out: Path | None) -> None:
    table = Table(title="Kết quả nhập / Import summary")
    for column in ("Dòng / rows", "Đã tạo / created", "Đã có / already present", "Lỗi / invalid", "Trạng thái"):
        table.add_column(column, justify="right")
    table.add_row(*(str(totals[k]) for k in ("rows_total", "created", "already_present", "invalid")), status)
    console.print(table)
    if errors:
        shown = Table(title=f"Lỗi theo dòng (first {min(len(errors), 20)} of {len(errors)})")
        for column in ("Dòng", "Cột", "Lỗi"):
            shown.add_column(column)
        for error in errors[:20]:
            shown.add_row(str(error["row"]), error["column"], error["message"])
        console.print(shown)
    if errors_out and errors:
        import csv

        from shared.spreadsheet_cells import csv_cells

        with errors_out.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(["Dòng", "Cột", "Lỗi"])
            writer.writerows(csv_cells([e["row"], e["column"], e["message"]]) for e in errors)  # opened in Excel
        console.print(f"all row errors written to {errors_out}")


@app.command()
def template(
    out: Annotated[Path, typer.Argument(help="Where to write the template (.xlsx or .csv)")],
) -> None:
    """Write the import template (Vietnamese headers, one example row)."""
    from services.submission.adapters.spreadsheet import template_csv, template_xlsx

    out.write_bytes(template_csv() if out.suffix.lower() == ".csv" else template_xlsx())
    console.print(f"template written to {out}")


@app.command()
def campaigns(url: Annotated[str | None, typer.Option(help="Submission API base URL")] = None) -> None:
    """List the campaigns the API serves, with their windows in Vietnam time."""
    from datetime import datetime

    from services.submission.domain.campaign import vietnam_time

    base = (url or get_settings().submission_url).rstrip("/")
    try:
        response = httpx.get(f"{base}/v1/campaigns", timeout=30)
    except httpx.HTTPError as exc:
        err.print(f"[red]error:[/red] cannot reach {base} ({exc}); start it with `sangkien submission serve`")
        raise typer.Exit(1) from exc
    if response.status_code != 200:
        _fail(response)
    table = Table(title="Phong trào / Campaigns")
    for column in ("id", "Tên", "Chỉ tiêu", "Nộp sáng kiến (giờ VN)", "Bình chọn (giờ VN)"):
        table.add_column(column)
    def vn(value: str) -> str:
        return vietnam_time(datetime.fromisoformat(value))

    for c in response.json():
        closes = c["submission_extended_until"] or c["submission_closes_at"]
        table.add_row(
            c["id"], c["name"], f"{c['target']:,}", f"{vn(c['submission_opens_at'])} – {vn(closes)}",
            f"{vn(c['voting_opens_at'])} – {vn(c['voting_closes_at'])}",
        )
    with contextlib.suppress(BrokenPipeError):
        console.print(table)
