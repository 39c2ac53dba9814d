"""`python -m bench` (or `make bench`): run the benchmark rows, print them beside their baselines, write JSON + docs."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Annotated

import typer
import uvloop
from rich.console import Console

from bench import rows as bench_rows
from bench.report import Row, now, print_rows, render_doc, write
from shared.settings import Settings

console = Console()
app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command()
def main(
    only: Annotated[list[str] | None, typer.Option(help="Run only these rows (repeatable); see --list")] = None,
    scale: Annotated[float, typer.Option(help="Multiply volumes (0.1 for a quick look)")] = 1.0,
    list_rows: Annotated[bool, typer.Option("--list", help="List the rows and exit")] = False,
    no_doc: Annotated[bool, typer.Option(help="Do not rewrite docs/BENCHMARKS.md")] = False,
    replay: Annotated[bool, typer.Option(help="Also run the 2021 campaign replay (long; not by default)")] = False,
    replay_scale: Annotated[float, typer.Option(help="Share of the 2021 volume the replay sends")] = 1.0,
    replay_review_share: Annotated[float, typer.Option(
        help="Share of grassroots unions whose reviewers act in the replay")] = 1.0,
    replay_import_share: Annotated[float, typer.Option(
        help="Share of the replay's initiatives entered by officers' bulk import")] = 0.8,
    doc_from: Annotated[Path | None, typer.Option(help="Only rewrite docs/BENCHMARKS.md from a results JSON")] = None,
) -> None:
    """Measure sangkien on this machine; every figure is printed beside a raw baseline from the same run."""
    if doc_from is not None:
        render_doc(doc_from)
        console.print(f"rewrote the benchmark document from {doc_from}")
        return
    uvloop.install()
    registry = bench_rows.registry()
    if list_rows:
        for name, fn in registry.items():
            console.print(f"{name:24} {(fn.__doc__ or '').strip().splitlines()[0]}")
        return
    selected = [n for n in registry if ((n in only) if only else (n not in bench_rows.OPTIONAL or replay))]
    unknown = set(only or ()) - set(registry)
    if unknown:
        console.print(f"[red]error:[/red] unknown rows {sorted(unknown)}; see --list")
        raise typer.Exit(2)
    settings = Settings(namespace=f"bench{int(time.time())}", env="dev")
    started = now()
    t0 = time.perf_counter()
    results: list[Row] = []
    context = bench_rows.Context(settings=settings, scale=scale, console=console, replay_scale=replay_scale,
                                 replay_review_share=replay_review_share, replay_import_share=replay_import_share)

    async def run_all() -> None:
        try:
            for name in selected:
                console.rule(name)
                try:
                    got = await registry[name](context)
                except Exception as exc:  # one broken row must not hide the others' figures
                    console.print_exception(max_frames=8)
                    got = [Row(f"{name}: FAILED", float("nan"), "", passed=False, notes=f"{type(exc).__name__}: {exc}")]
                results.extend(got)
                print_rows(got, console)
        finally:
            await context.cleanup()

    asyncio.run(run_all())
    print_rows(results, console)
    out = write(results, started, time.perf_counter() - t0, update_doc=not no_doc and not only)
    console.print(f"results: {out}")


if __name__ == "__main__":
    app()
