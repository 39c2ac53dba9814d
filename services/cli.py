"""The ``sangkien`` command: one sub-command group per service, plus platform-wide commands."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from services.simulator.cli import simulate
from shared.auth import Role, issue_token

console = Console()
err_console = Console(stderr=True)

app = typer.Typer(
    name="sangkien",
    help="sangkien — nền tảng sáng kiến của Công đoàn Việt Nam (initiative campaigns platform).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

for _name, _help in (
    ("submission", "Submission service: initiatives, votes, imports, outbox relay."),
    ("tally", "Tally service: live counters, rankings, rebuild, reconcile, dead letters."),
    ("awards", "Awards service: four-level review and commendation."),
):
    try:
        _module = importlib.import_module(f"services.{_name}.cli")
    except ModuleNotFoundError as _exc:  # a service not built yet has no CLI
        if _exc.name != f"services.{_name}.cli":
            raise
        continue
    app.add_typer(_module.app, name=_name, help=_help)


@app.command()
def token(
    role: Annotated[Role, typer.Option(help="member, officer, reviewer, admin or service")],
    unit: Annotated[str | None, typer.Option(help="Unit id the role is scoped to (officer, reviewer)")] = None,
    member: Annotated[str, typer.Option(help="Member id (the token's subject)")] = "dev-member",
    hours: Annotated[float, typer.Option(help="Lifetime in hours")] = 12.0,
) -> None:
    """Issue a development JWT (HS256 with the local key)."""
    import os
    from datetime import timedelta

    from pydantic import ValidationError

    from shared.settings import get_settings

    try:
        prod = get_settings().env == "prod"
    except ValidationError:  # prod settings missing their secrets are still prod
        prod = os.environ.get("SANGKIEN_ENV", "").strip().lower() == "prod"
    if prod:
        # Production tokens come from the identity provider; a locally minted one would bypass it.
        typer.echo("error: `sangkien token` does not run with SANGKIEN_ENV=prod; tokens come from the identity "
                   "provider", err=True)
        raise typer.Exit(2)
    try:
        typer.echo(issue_token(subject=member, role=role, unit_id=unit, ttl=timedelta(hours=hours)))
    except ValueError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


@app.command()
def up(
    tally_workers: Annotated[int | None, typer.Option(help="Tally workers to run (default from settings)")] = None,
) -> None:
    """Start the whole platform on this machine; Ctrl-C stops it."""
    from services.platform import run_platform

    raise typer.Exit(run_platform(tally_workers=tally_workers))


app.command()(simulate)


@app.command("rabbitmq-definitions")
def rabbitmq_definitions() -> None:
    """Print the RabbitMQ definitions (exchanges, queues, bindings) generated from shared/topology.py."""
    import json

    from shared.settings import get_settings
    from shared.topology import topology_for

    typer.echo(json.dumps(topology_for(get_settings()).definitions(), indent=2, ensure_ascii=False))


@app.command("deploy-credentials")
def deploy_credentials(out: Path) -> None:
    """Write the servers' user files from the service passwords in the environment (compose's init step; for
    Kubernetes the operator turns them into Secrets): OUT/rabbitmq/definitions.json (topology, users as salted
    hashes, vhost and topic permissions) and OUT/redis/users.acl (SHA-256 of each password)."""
    import json
    import os

    from shared.grants import broker_definitions, password_variables, redis_acl
    from shared.settings import get_settings
    from shared.topology import topology_for

    missing = [name for name in password_variables() if not os.environ.get(name)]
    if missing:
        typer.echo(f"error: set {', '.join(missing)} (each service's password, from its secret)", err=True)
        raise typer.Exit(2)
    passwords = {name: os.environ[name] for name in password_variables()}
    settings = get_settings()
    definitions = {**topology_for(settings).definitions(), **broker_definitions(settings.namespace, passwords)}
    (out / "rabbitmq").mkdir(parents=True, exist_ok=True)
    (out / "redis").mkdir(parents=True, exist_ok=True)
    (out / "rabbitmq" / "definitions.json").write_text(json.dumps(definitions, indent=2))
    (out / "redis" / "users.acl").write_text(redis_acl(passwords))
    typer.echo(f"wrote {out / 'rabbitmq' / 'definitions.json'} and {out / 'redis' / 'users.acl'}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
