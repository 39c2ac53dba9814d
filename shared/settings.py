"""Settings for every sangkien process, read from ``SANGKIEN_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEV_JWT_SECRET = "sangkien-dev-secret-do-not-use-in-production-0123456789"


class Settings(BaseSettings):
    """One flat settings object; each field is documented in the README's settings table."""

    model_config = SettingsConfigDict(env_prefix="SANGKIEN_", env_file=".env", extra="ignore")

    env: Literal["dev", "test", "prod"] = Field("dev", description="dev, test or prod")
    namespace: str = Field(
        "sangkien",
        pattern=r"^[a-z][a-z0-9_-]{0,40}$",
        description="Prefix of exchange, queue and Redis key names (lets test runs share servers)",
    )
    amqp_url: str = Field("amqp://guest:guest@127.0.0.1:5672/", description="RabbitMQ URL")
    redis_url: str = Field("redis://127.0.0.1:6379/0", description="Redis URL")
    submission_db_url: str = Field(
        f"sqlite+aiosqlite:///{REPO_ROOT / 'var' / 'submission.db'}",
        description="Submission database (unset: `sangkien up` uses PostgreSQL when it answers, else this SQLite file)",
    )
    awards_db_url: str = Field(
        f"sqlite+aiosqlite:///{REPO_ROOT / 'var' / 'awards.db'}",
        description="Awards database (unset: `sangkien up` uses PostgreSQL when it answers, else this SQLite file)",
    )
    postgres_server_url: str = Field(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
        description="PostgreSQL server (its maintenance database) where `sangkien up` keeps the databases not set",
    )
    attachments_dir: Path = Field(REPO_ROOT / "var" / "attachments", description="Where dossier files are stored")

    jwt_secret: str | None = Field(None, description="HS256 key for tokens (dev/test only; default dev key)")
    jwks_url: str | None = Field(None, description="JWKS URL of the identity provider (production)")
    jwt_issuer: str = Field("sangkien", description="Expected token issuer")
    jwt_audience: str = Field("sangkien", description="Expected token audience")
    service_token: str | None = Field(None, description="Bearer token this service uses for service-to-service calls")

    host: str = Field("127.0.0.1", description="Bind address of the HTTP servers")
    submission_port: int = Field(8001, description="Submission API port")
    tally_port: int = Field(8002, description="Tally API and dashboard port")
    awards_port: int = Field(8003, description="Awards API port")
    submission_url: str = Field("http://127.0.0.1:8001", description="Where other services reach submission")
    awards_url: str = Field("http://127.0.0.1:8003", description="Where other services reach awards")
    http_workers: int = Field(2, ge=1, le=32, description="Worker processes of each HTTP service started by "
                                                           "`sangkien up`")

    db_pool_size: int = Field(8, ge=1, le=200, description="Pooled database connections per process (plus half as "
                                                          "many on bursts); mind PostgreSQL's max_connections")

    prefetch: int = Field(256, ge=1, le=10_000, description="Consumer prefetch per worker")
    delivery_limit: int = Field(5, ge=1, le=100, description="Deliveries before a message is dead-lettered")
    tally_workers: int = Field(2, ge=1, le=64, description="Tally workers started by `sangkien up`")
    tally_batch_size: int = Field(256, ge=1, le=10_000, description="Most events a worker applies per Redis round "
                                                                     "trip (also at most half the prefetch)")
    seen_ttl_days: int = Field(400, ge=1, description="How long an applied event id is remembered")
    sse_max_clients: int = Field(5_000, ge=1, le=1_000_000, description="Live-stream (SSE) clients one tally API "
                                                                        "process serves at once; more get 503")
    sse_max_clients_per_address: int = Field(50, ge=1, le=100_000, description="Live-stream clients from one client "
                                                                              "address at once; more get 429")

    relay_batch_size: int = Field(500, ge=1, le=10_000, description="Outbox rows published per relay batch")
    relay_idle_seconds: float = Field(0.05, gt=0, description="Relay poll interval when the outbox is empty")

    max_body_bytes: int = Field(1_048_576, description="Largest JSON request body")
    max_upload_bytes: int = Field(20 * 1_048_576, description="Largest attachment or import file")
    vote_rate_per_member: int = Field(30, description="Votes one member may cast per minute")
    vote_rate_per_address: int = Field(600, description="Votes one client address may cast per minute")

    run_relay: bool = Field(True, description="Run the outbox relay inside each publishing service's HTTP process")
    seed_demo_campaign: bool = Field(True, description="Create an open demo campaign beside the 2021 one")

    log_level: str = Field("INFO", description="Log level")
    log_json: bool = Field(False, description="JSON log lines (structlog) instead of console lines")

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> Settings:
        if self.env == "prod":
            if not self.jwks_url and not self.jwt_secret:
                raise ValueError("production needs SANGKIEN_JWKS_URL (or an explicit SANGKIEN_JWT_SECRET)")
            if self.jwt_secret == DEV_JWT_SECRET:
                raise ValueError("the development JWT secret is refused in production")
            if "guest:guest@" in self.amqp_url:
                raise ValueError("production refuses RabbitMQ's default guest credentials")
        return self

    @property
    def signing_secret(self) -> str:
        """HS256 key: the configured one, or the development key outside production."""
        if self.jwt_secret:
            return self.jwt_secret
        if self.env == "prod":
            raise RuntimeError("no HS256 secret in production")
        return DEV_JWT_SECRET


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` instead)."""
    return Settings()


def settings_table() -> str:
    """The README's settings table (a test keeps the README equal to this)."""
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        default = field.default
        if isinstance(default, Path):
            default = default.relative_to(REPO_ROOT) if default.is_relative_to(REPO_ROOT) else default
        shown = "" if default is None else str(default).replace(str(REPO_ROOT) + "/", "")
        lines.append(f"| `SANGKIEN_{name.upper()}` | `{shown}` | {field.description or ''} |")
    return "\n".join(lines)


def write_readme_table(readme: Path = REPO_ROOT / "README.md") -> None:
    """Replace the table between the README's settings-table markers with the current one."""
    text = readme.read_text()
    head, rest = text.split("<!-- settings-table:start -->", 1)
    _, tail = rest.split("<!-- settings-table:end -->", 1)
    readme.write_text(f"{head}<!-- settings-table:start -->\n{settings_table()}\n<!-- settings-table:end -->{tail}")


if __name__ == "__main__":
    write_readme_table()
