"""`sangkien up`: run the whole platform on one machine — migrations, union tree, every service, tally workers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from shared.db import create_database, is_sqlite, upgrade_database
from shared.grants import database_role
from shared.local_users import database_url_as, service_urls
from shared.settings import REPO_ROOT, Settings, get_settings
from shared.topology import declare_everything
from shared.union_tree import get_tree

console = Console()
SERVERS_SCRIPT = REPO_ROOT / "deploy" / "local" / "servers.sh"


@dataclass
class Child:
    name: str
    argv: list[str]
    health_url: str | None = None
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] | None = None  # overrides of the platform's environment for this child


def _uvicorn(app: str, port: int, settings: Settings, *, workers: int = 1) -> list[str]:
    argv = [
        sys.executable, "-m", "uvicorn", app, "--factory", "--host", settings.host, "--port", str(port),
        "--log-level", "warning", "--no-access-log", "--timeout-keep-alive", "75",
        # The app reads X-Forwarded-For itself, from trusted proxies only (shared/client_address.py); uvicorn's own
        # rewrite would trust any local peer's header and hide the real one.
        "--no-proxy-headers",
    ]
    return argv + (["--workers", str(workers)] if workers > 1 else [])


def _metrics_env(name: str, workers: int) -> dict[str, str]:
    """Several worker processes behind one port: Prometheus' multiprocess mode sums their metrics on /metrics."""
    if workers <= 1:
        return {}
    directory = Path(tempfile.gettempdir()) / f"sangkien-metrics-{os.getpid()}-{name}"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return {"PROMETHEUS_MULTIPROC_DIR": str(directory)}


LOCAL_PROXIES = "127.0.0.1/32,::1/128"


def local_proxy_env(settings: Settings, environ: Mapping[str, str]) -> dict[str, str]:
    """Loopback as the trusted proxy, unless the environment names one (an empty value included).

    What reaches this one-machine runner from loopback with X-Forwarded-For is a local reverse proxy or the
    simulator, which forwards each simulated client's address; believing them is what uvicorn did by default.
    A deployment names its real proxies (compose, k8s); from anywhere else the header is ignored.
    """
    if "SANGKIEN_TRUSTED_PROXIES" in environ or settings.trusted_proxies:
        return {}
    return {"SANGKIEN_TRUSTED_PROXIES": LOCAL_PROXIES}


def _check_servers(settings: Settings) -> bool:
    """Redis and RabbitMQ must answer; start them when installed but stopped (deploy/local/servers.sh)."""
    import redis

    async def rabbit_ok() -> bool:
        import aio_pika

        try:
            connection = await aio_pika.connect(settings.amqp_url, timeout=3)
        except Exception:
            return False
        await connection.close()
        return True

    def redis_ok() -> bool:
        try:
            return bool(redis.Redis.from_url(settings.redis_url, socket_timeout=3).ping())
        except Exception:
            return False

    if redis_ok() and asyncio.run(rabbit_ok()):
        return True
    subprocess.run(["bash", str(SERVERS_SCRIPT), "redis", "rabbitmq"], check=False)
    if redis_ok() and asyncio.run(rabbit_ok()):
        return True
    console.print(
        "[red]error:[/red] cannot reach Redis at "
        f"{settings.redis_url} or RabbitMQ at {settings.amqp_url.split('@')[-1]} — "
        "install them ('apt-get install redis-server rabbitmq-server') or set SANGKIEN_REDIS_URL / SANGKIEN_AMQP_URL"
    )
    return False


DATABASE_FIELDS = {"submission_db_url": "SANGKIEN_SUBMISSION_DB_URL", "awards_db_url": "SANGKIEN_AWARDS_DB_URL"}
POSTGRES_CONNECT_SECONDS = 5.0


def choose_databases(settings: Settings) -> tuple[Settings, dict[str, str]]:
    """The databases the platform runs on, and the environment that tells its processes.

    A database set in the environment (or .env) is kept. The others go to PostgreSQL when it answers at
    ``postgres_server_url`` (databases ``<namespace>_submission`` and ``<namespace>_awards``, created when
    missing), else to the SQLite files under ``var/``: enough to look around, not for campaign volumes.
    Each PostgreSQL database is owned by its service's role (``sangkien_submission``, ``sangkien_awards``,
    made by deploy/local/users.sh), which alone connects to it and runs its migrations.
    """
    unset = [field for field in DATABASE_FIELDS if field not in settings.model_fields_set]
    if not unset:
        return settings, {}

    async def create_all() -> dict[str, str]:
        urls: dict[str, str] = {}
        for field in unset:
            service = field.removesuffix("_db_url")
            url = await create_database(settings.postgres_server_url, f"{settings.namespace}_{service}",
                                        exist_ok=True, owner=database_role(service))
            urls[field] = database_url_as(url, service)
        return urls

    def attempt() -> dict[str, str] | Exception:
        try:
            return asyncio.run(asyncio.wait_for(create_all(), POSTGRES_CONNECT_SECONDS))
        except Exception as exc:  # unreachable, refused, no such role: the SQLite files still make a platform
            return exc

    urls = attempt()
    if isinstance(urls, Exception):  # installed but stopped: start it, quietly (it is optional)
        subprocess.run(["bash", str(SERVERS_SCRIPT), "postgres"], check=False, capture_output=True)
        urls = attempt()
    if isinstance(urls, Exception):
        console.print(f"  PostgreSQL does not answer at {settings.postgres_server_url.split('@')[-1]} "
                      f"({type(urls).__name__}): SQLite files under var/ — for campaign volumes start PostgreSQL "
                      "or set SANGKIEN_SUBMISSION_DB_URL and SANGKIEN_AWARDS_DB_URL")
        return settings, {}
    return settings.model_copy(update=urls), {DATABASE_FIELDS[field]: url for field, url in urls.items()}


def _migrate(settings: Settings) -> None:
    from services.awards.bootstrap import MIGRATIONS_DIR as AWARDS_MIGRATIONS
    from services.submission import MIGRATIONS_DIR as SUBMISSION_MIGRATIONS

    for name, directory, url in (
        ("submission", SUBMISSION_MIGRATIONS, settings.submission_db_url),
        ("awards", AWARDS_MIGRATIONS, settings.awards_db_url),
    ):
        upgrade_database(Path(directory), url)
        where = "SQLite " + url.split("///", 1)[-1] if is_sqlite(url) else "PostgreSQL " + url.split("@")[-1]
        console.print(f"  migrated {name} database ({where})")


SERVICE_URL_FIELDS = {  # the settings fields of each child's own users (shared/grants.py)
    "submission": ("submission_amqp_url", "submission_redis_url", "submission_db_url"),
    "awards": ("awards_amqp_url", "awards_db_url"),
    "tally-api": ("tally_api_redis_url",),
    "tally-workers": ("tally_amqp_url", "tally_redis_url"),
}


def own_credentials(settings: Settings, child: str) -> dict[str, str]:
    """The environment that gives one child its service's users and nothing of another service's.

    Set in the environment they are kept; otherwise (dev and test) the local users of deploy/local/users.env.
    The other services' URL variables are emptied, so a child cannot fall back on them.
    """
    local = service_urls(settings) if settings.env != "prod" else {}
    own = SERVICE_URL_FIELDS[child.removesuffix("-relay")]
    env: dict[str, str] = {}
    for fields in SERVICE_URL_FIELDS.values():
        for field in fields:
            if field.endswith("_db_url"):
                continue  # the databases are chosen by choose_databases and passed to every child as before
            value = getattr(settings, field) or local.get(field, "")
            env[f"SANGKIEN_{field.upper()}"] = value if field in own else ""
    return env


def _children(settings: Settings, tally_workers: int) -> list[Child]:
    base = f"http://{settings.host}"
    # Submission's relay runs as its own process: inside the HTTP process a busy event loop starves it, and
    # votes wait seconds to become visible (bench: p99 5.3 s at 1,000 votes/s offered, 0.1 s with its own process).
    http = settings.http_workers
    # Several worker processes per HTTP service: one Python process is CPU-bound at a few hundred requests/s
    # (FastAPI + JWT + SQL per request). Each awards worker also runs an awards consumer: intake is idempotent
    # and retries a race with a concurrent delivery for the same initiative (services/awards/adapters/consumer.py).
    return [
        Child("submission",
              _uvicorn("services.submission.app:create_app", settings.submission_port, settings, workers=http),
              f"{base}:{settings.submission_port}/health",
              env={"SANGKIEN_RUN_RELAY": "false", **_metrics_env("submission", http),
                   **own_credentials(settings, "submission")}),
        Child("submission-relay", [sys.executable, "-m", "services.cli", "submission", "relay"],
              env=own_credentials(settings, "submission")),
        Child("awards", _uvicorn("services.awards.app:create_app", settings.awards_port, settings, workers=http),
              f"{base}:{settings.awards_port}/health",
              env={**_metrics_env("awards", http), **own_credentials(settings, "awards")}),
        Child("tally-api", _uvicorn("services.tally.app:create_app", settings.tally_port, settings, workers=http),
              f"{base}:{settings.tally_port}/health",
              env={**_metrics_env("tally-api", http), **own_credentials(settings, "tally-api")}),
        Child("tally-workers",
              [sys.executable, "-m", "services.cli", "tally", "work", "--workers", str(tally_workers)],
              env=own_credentials(settings, "tally-workers")),
    ]


def _wait_healthy(children: list[Child], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    pending = [c for c in children if c.health_url]
    while pending and time.monotonic() < deadline:
        for child in list(pending):
            if child.process is not None and child.process.poll() is not None:
                console.print(f"[red]error:[/red] {child.name} exited with code {child.process.returncode}")
                return False
            try:
                if httpx.get(child.health_url or "", timeout=1.0).status_code == 200:
                    pending.remove(child)
            except httpx.HTTPError:
                pass
        time.sleep(0.3)
    for child in pending:
        console.print(f"[red]error:[/red] {child.name} did not answer {child.health_url} within {timeout:.0f} s")
    return not pending


def _wait_workers(settings: Settings, workers: int, timeout: float = 60.0) -> bool:
    """Tally's readiness counts attached consumers: wait until every worker consumes."""
    url = f"http://{settings.host}:{settings.tally_port}/ready"
    deadline = time.monotonic() + timeout
    attached = 0
    while time.monotonic() < deadline:
        try:
            attached = int(httpx.get(url, timeout=2.0).json().get("checks", {}).get("consumers_attached", 0))
        except (httpx.HTTPError, ValueError):
            attached = 0
        if attached >= workers:
            return True
        time.sleep(0.3)
    console.print(f"[red]error:[/red] only {attached} of {workers} tally workers consume after {timeout:.0f} s")
    return False


def _stop(children: list[Child]) -> None:
    """SIGTERM each child's whole process group (worker supervisors pass it on), SIGKILL after 20 s."""
    for child in children:
        if child.process and child.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for child in children:
        if child.process is None:
            continue
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.process.pid, signal.SIGKILL)
            child.process.wait()


def _print_urls(settings: Settings) -> None:
    base = f"http://{settings.host}"
    table = Table(title="sangkien đang chạy / is running", show_lines=False)
    table.add_column("what")
    table.add_column("URL")
    table.add_row("Dashboard (bảng theo dõi trực tiếp)", f"{base}:{settings.tally_port}/")
    table.add_row("Submission API docs (OpenAPI)", f"{base}:{settings.submission_port}/docs")
    table.add_row("Awards API docs (OpenAPI)", f"{base}:{settings.awards_port}/docs")
    table.add_row("Tally API docs (OpenAPI)", f"{base}:{settings.tally_port}/docs")
    table.add_row("AsyncAPI docs (events)", f"{base}:{settings.submission_port}/asyncapi")
    table.add_row("Metrics (Prometheus)", f"{base}:{settings.tally_port}/metrics")
    console.print(table)
    for name, url in (("submission", settings.submission_db_url), ("awards", settings.awards_db_url)):
        console.print(f"  {name} database: {url}")
    console.print(
        "Development tokens: [bold].venv/bin/sangkien token --role member --member m1[/bold]. Ctrl-C stops everything."
    )


def run_platform(*, tally_workers: int | None = None) -> int:
    settings = get_settings()
    workers = tally_workers or settings.tally_workers
    console.rule("[bold]sangkien")
    if not _check_servers(settings):
        return 1
    console.print("  Redis and RabbitMQ are up")
    settings, database_env = choose_databases(settings)
    _migrate(settings)
    tree = get_tree()
    console.print(f"  union tree loaded: {len(tree)} units")
    asyncio.run(declare_everything(settings))
    console.print(f"  RabbitMQ topology declared (namespace '{settings.namespace}')")

    children = _children(settings, max(2, workers))
    env = {**os.environ, **database_env, **local_proxy_env(settings, os.environ)}
    env.setdefault("PYTHONUNBUFFERED", "1")
    stop_requested = False

    def _on_signal(signum: int, _frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        for child in children:
            child.process = subprocess.Popen(child.argv, env={**env, **(child.env or {})}, cwd=REPO_ROOT,
                                             start_new_session=True)
            console.print(f"  started {child.name} (pid {child.process.pid})")
        if not _wait_healthy(children) or not _wait_workers(settings, max(2, workers)):
            return 1
        _print_urls(settings)
        while not stop_requested:
            for child in children:
                if child.process is not None and child.process.poll() is not None:
                    console.print(f"[red]{child.name} stopped (exit {child.process.returncode}); stopping all[/red]")
                    return 1
            time.sleep(0.5)
        console.print("stopping…")
        return 0
    finally:
        _stop(children)
        for child in children:  # the workers' metric files are only meaningful while they run
            metrics_dir = (child.env or {}).get("PROMETHEUS_MULTIPROC_DIR")
            if metrics_dir:
                shutil.rmtree(metrics_dir, ignore_errors=True)
        console.print("stopped.")
