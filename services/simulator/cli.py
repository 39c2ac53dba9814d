"""`sangkien simulate`: a whole campaign through the public APIs, then an exact check of the live counters."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Annotated

import typer
from rich.console import Console

from services.simulator.check import compare, settle
from services.simulator.client import Api
from services.simulator.scenario import PRESETS, Scenario, Volumes
from shared.settings import get_settings
from shared.union_tree import get_tree

console = Console()


def simulate(
    preset: Annotated[str | None, typer.Option(help="2021 (241,802 initiatives, 2 M votes), small or tiny")] = None,
    initiatives: Annotated[int, typer.Option(min=1, help="Initiatives to submit")] = 2_000,
    votes: Annotated[int, typer.Option(min=0, help="Votes to cast")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same campaign)")] = 2021,
    review: Annotated[bool, typer.Option(help="Reviewers act at all four levels")] = True,
    review_share: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="Share of grassroots unions whose reviewers work through their queue (then upward)",
    )] = 1.0,
    import_share: Annotated[float | None, typer.Option(
        min=0.0, max=1.0, help="Share of initiatives entered by officers' bulk import (default: the preset's, or 0.5)",
    )] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=1024, help="HTTP requests in flight")] = 64,
    settle_seconds: Annotated[float, typer.Option(help="How long to wait for the counters to settle")] = 300.0,
    show_all: Annotated[bool, typer.Option(help="Print every comparison, not only the differences")] = False,
) -> None:
    """Run a simulated campaign against the running platform and check the counters exactly."""
    if preset and preset not in PRESETS:
        raise typer.BadParameter(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    volumes = (
        replace(PRESETS[preset], review=review, review_share=review_share) if preset
        else Volumes(initiatives=initiatives, votes=votes, seed=seed, review=review, review_share=review_share)
    )
    if import_share is not None:
        volumes = replace(volumes, import_share=import_share)
    raise typer.Exit(asyncio.run(_run(volumes, concurrency, settle_seconds, show_all)))


async def _run(volumes: Volumes, concurrency: int, settle_seconds: float, show_all: bool) -> int:
    settings = get_settings()
    tree = get_tree()
    api = Api(settings, concurrency=concurrency)
    try:
        scenario = Scenario(api, tree, volumes)
        review = f"{volumes.review_share:.0%} of grassroots unions" if volumes.review else "no"
        console.print(f"campaign [bold]{scenario.campaign_id}[/bold]: {volumes.initiatives:,} initiatives, "
                      f"{volumes.votes:,} votes ({volumes.import_share:.0%} of initiatives by officers' import), "
                      f"review: {review}, seed {volumes.seed}")
        started = time.perf_counter()
        accepted = await scenario.run()
        sent_seconds = time.perf_counter() - started
        phases = ", ".join(f"{name} {seconds:,.0f} s" for name, seconds in scenario.phases.items())
        console.print(f"sent in {sent_seconds:,.1f} s ({api.calls:,} requests, {api.retries:,} retried; {phases}); "
                      "settling…")
        waited = await settle(api, accepted, scenario.campaign_id, within=settle_seconds)
        comparison = await compare(api, tree, accepted, scenario.campaign_id)
        comparison.print(console, all_rows=show_all)
        counted = len(accepted.counted())
        console.print(
            f"initiatives counted {counted:,}, votes accepted {accepted.votes_accepted:,} "
            f"(repeats answered 'already voted': {accepted.votes_repeated:,}); "
            + (f"settled {waited:.1f} s after the last request" if waited >= 0 else "[red]did not settle[/red]")
        )
        if comparison.differences or waited < 0:
            console.print("[red]MISMATCH: the live counters differ from what was sent[/red]")
            return 1
        console.print("[green]exact: every counter and ranking equals what was sent[/green]")
        return 0
    finally:
        await api.close()
