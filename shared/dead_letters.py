"""Dead-letter queues of every consumer: peek at messages without losing them, re-drive them, and the CLI for it.

Re-drive publishes straight to the queue that dead-lettered the message (through the default exchange), so
other consumers of the same routing key do not receive a second copy.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any

import aio_pika
import typer
from aio_pika.abc import AbstractIncomingMessage
from rich.console import Console
from rich.table import Table

from shared.settings import Settings, get_settings
from shared.topology import QueueSpec, Topology, topology_for


@dataclass(frozen=True)
class DeadLetter:
    message_id: str | None
    routing_key: str
    reason: str
    count: int
    body: bytes


def _original(message: AbstractIncomingMessage) -> tuple[str, str, int]:
    """The routing key the message was first published with, why it died, and how often."""
    deaths: Any = (message.headers or {}).get("x-death") or []
    if deaths and isinstance(deaths, list) and isinstance(deaths[0], dict):
        first = deaths[-1]
        keys = first.get("routing-keys") or [message.routing_key]
        # The event type (set by the relays) survives a re-drive; the death's routing key may be the queue's.
        return str(message.type or keys[0]), str(first.get("reason", "")), int(first.get("count", 1))
    return str(message.type or message.routing_key or ""), "", 1


def _spec(topology: Topology, queue: str) -> QueueSpec:
    specs = {spec.name.rsplit(".", 1)[-1]: spec for spec in topology.queues}
    if queue not in specs:
        raise ValueError(f"unknown queue {queue!r}; one of {', '.join(sorted(specs))}")
    return specs[queue]


async def peek(settings: Settings, limit: int = 100, *, queue: str = "tally") -> list[DeadLetter]:
    """Up to ``limit`` dead letters of ``queue``, left in place (read unacked, returned when the channel closes)."""
    topology = topology_for(settings)
    spec = _spec(topology, queue)
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        await topology.declare_queue(channel, spec)
        dlq = await channel.get_queue(spec.dead_letter_name)
        letters = []
        for _ in range(limit):
            message = await dlq.get(no_ack=False, fail=False)
            if message is None:
                break
            routing_key, reason, count = _original(message)
            letters.append(DeadLetter(message.message_id, routing_key, reason, count, message.body))
        await channel.close()  # unacked messages go back to the dead-letter queue
    return letters


async def redrive(
    settings: Settings, limit: int = 10_000, message_id: str | None = None, *, queue: str = "tally",
) -> int:
    """Publish dead letters back onto the queue they died in (keeping the original routing key as the type)."""
    topology = topology_for(settings)
    spec = _spec(topology, queue)
    connection = await aio_pika.connect(settings.amqp_url)
    moved = 0
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await topology.declare_queue(channel, spec)
        exchange = channel.default_exchange
        dlq = await channel.get_queue(spec.dead_letter_name)
        for _ in range(limit):
            message = await dlq.get(no_ack=False, fail=False)
            if message is None:
                break
            if message_id is not None and message.message_id != message_id:
                continue  # left unacked: returned to the queue when the channel closes
            routing_key, _, _ = _original(message)
            headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-")}
            await exchange.publish(
                aio_pika.Message(
                    message.body, headers=headers, message_id=message.message_id, type=message.type or routing_key,
                    content_type=message.content_type, delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    timestamp=message.timestamp, app_id=message.app_id,
                ),
                routing_key=spec.name,
            )
            await message.ack()
            moved += 1
    return moved


def dead_letters_app(queue: str) -> typer.Typer:
    """The `dead-letters` command group (list, show, redrive) for one consuming queue."""
    console = Console()
    app = typer.Typer(no_args_is_help=True, help=f"Dead letters of the {queue} queue.")

    @app.command("list")
    def dead_list(limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50) -> None:
        """List dead letters (they stay in the queue)."""
        letters = asyncio.run(peek(get_settings(), limit, queue=queue))
        table = Table("message id", "routing key", "reason", "deaths", "bytes", title=f"{len(letters)} dead letters")
        for letter in letters:
            table.add_row(letter.message_id or "-", letter.routing_key, letter.reason, str(letter.count),
                          str(len(letter.body)))
        console.print(table)

    @app.command("show")
    def dead_show(message_id: str, limit: Annotated[int, typer.Option(min=1, max=10_000)] = 1000) -> None:
        """Show one dead letter's body (it stays in the queue)."""
        for letter in asyncio.run(peek(get_settings(), limit, queue=queue)):
            if letter.message_id == message_id:
                console.print(f"routing key: {letter.routing_key}  reason: {letter.reason}  deaths: {letter.count}")
                console.print(letter.body.decode(errors="replace"))
                return
        console.print(f"[red]no dead letter with message id {message_id}[/red]")
        raise typer.Exit(1)

    @app.command("redrive")
    def dead_redrive(
        message_id: Annotated[str | None, typer.Option(help="Only this message (default: all)")] = None,
        limit: Annotated[int, typer.Option(min=1)] = 10_000,
    ) -> None:
        """Put dead letters back on the queue (after fixing the cause)."""
        moved = asyncio.run(redrive(get_settings(), limit, message_id, queue=queue))
        console.print(f"[green]re-driven:[/green] {moved}")

    return app
