"""Settings for every sangkien process, read from ``SANGKIEN_*`` environment variables."""

from __future__ import annotations

import hashlib
import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal, TypeAlias
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.events import DEV_VOTE_ID_KEY

REPO_ROOT = Path(__file__).resolve().parent.parent
DEV_JWT_SECRET = "sangkien-dev-secret-do-not-use-in-production-0123456789"
DEV_CURSOR_SECRET = "sangkien-dev-cursor-secret-do-not-use-in-production"
MIN_SECRET_BYTES = 32  # RFC 7518 §3.2: an HS256 key at least as long as the hash output; the same for other keys
BrokerUser: TypeAlias = Literal["submission", "awards", "tally"]
RedisUser: TypeAlias = Literal["submission", "tally", "tally_api"]


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
    # Least privilege: each service's processes connect as their own user (deploy/local/users.sh creates the
    # local ones). Unset, a service uses the URL above; a deployment gives each service only its own URL.
    submission_amqp_url: str | None = Field(None, description="RabbitMQ URL of submission's user (publishes "
                                                              "campaign.*, initiative.*, vote.*); unset: AMQP_URL")
    awards_amqp_url: str | None = Field(None, description="RabbitMQ URL of awards' user (consumes its queue, "
                                                          "publishes review.*, award.*); unset: AMQP_URL")
    tally_amqp_url: str | None = Field(None, description="RabbitMQ URL of the tally workers' user (consumes only); "
                                                         "unset: AMQP_URL")
    submission_redis_url: str | None = Field(None, description="Redis URL of submission's user (its rate-limit "
                                                               "keys only); unset: REDIS_URL")
    tally_redis_url: str | None = Field(None, description="Redis URL of the tally workers' user (tally keys, "
                                                          "scripts; also rebuild and reconcile); unset: REDIS_URL")
    tally_api_redis_url: str | None = Field(None, description="Redis URL of the tally API's user (reads tally keys "
                                                              "only); unset: REDIS_URL")
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
    cursor_secret: str | None = Field(
        None, description="Key sealing page cursors, the same for every process of a service (production: required, "
                          "at least 32 bytes; dev/test: a fixed development key)",
    )
    service_token_max_hours: float = Field(
        24, gt=0, le=24 * 30,
        description="Longest lifetime (exp − iat) of a service token: a longer one is refused and not minted",
    )
    vote_id_key: str | None = Field(
        None, description="Secret key of vote ids (HMAC-SHA256; prod: required, at least 32 bytes, never changed "
                          "while a campaign takes votes; dev/test: a fixed development key)",
    )

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
    vote_rate_per_address: int = Field(
        3000,
        description="Votes one client address (an IPv4 address, or an IPv6 /64) may cast per minute. A backstop, "
                    "not the stuffing guard (that is the per-member limit): one carrier-grade NAT address or a "
                    "factory's Wi-Fi carries thousands of members, who may all vote in the minute after a meeting",
    )
    trusted_proxies: str = Field(
        "",
        description="Comma-separated CIDRs (IPv4 and IPv6) of the reverse proxies in front of the HTTP services; "
                    "a request from one of them is attributed to the right-most X-Forwarded-For hop outside them. "
                    "Empty: no proxy is trusted and the TCP peer is the client",
    )

    import_max_uncompressed_bytes: int = Field(
        50 * 1_048_576, ge=1_048_576, description="Largest uncompressed size of an XLSX import file (all its parts)",
    )
    import_max_shared_strings: int = Field(
        1_000_000, ge=1_000, description="Most shared strings an XLSX import file may hold",
    )
    import_max_shared_string_bytes: int = Field(
        32 * 1_048_576, ge=1_048_576, description="Most bytes (UTF-8) of shared strings in an XLSX import file",
    )
    import_max_rows: int = Field(100_000, ge=1, description="Most rows in one import file (XLSX or CSV)")
    import_rate_per_officer: int = Field(
        120, ge=1, description="Import files one officer may upload per hour (the CLI sends 1,000 rows a request)",
    )
    drafts_per_member: int = Field(
        50, ge=1, description="Initiatives one member may hold as drafts in one campaign",
    )
    attachments_per_initiative: int = Field(20, ge=1, description="Most files attached to one initiative")
    attachment_bytes_per_initiative: int = Field(
        100 * 1_048_576, ge=1_048_576, description="Most bytes of all files attached to one initiative",
    )

    run_relay: bool = Field(True, description="Run the outbox relay inside each publishing service's HTTP process")
    seed_demo_campaign: bool = Field(True, description="Create an open demo campaign beside the 2021 one")

    public_docs: bool | None = Field(
        None,
        description="Serve /docs, /redoc, /openapi.json and /asyncapi* (unset: yes outside prod, no in prod)",
    )
    metrics_token: str | None = Field(
        None,
        description="Bearer token Prometheus presents for /metrics; in prod /metrics answers 404 without it",
    )

    log_level: str = Field("INFO", description="Log level")
    log_json: bool = Field(False, description="JSON log lines (structlog) instead of console lines")

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> Settings:
        try:
            ipaddress_networks(self.trusted_proxies)
        except ValueError as exc:
            raise ValueError(f"SANGKIEN_TRUSTED_PROXIES: {exc} (write CIDRs such as 10.0.0.0/8, fd00::/8)") from exc
        if self.env == "prod":
            if not self.jwks_url and not self.jwt_secret:
                raise ValueError("production needs SANGKIEN_JWKS_URL (or an explicit SANGKIEN_JWT_SECRET)")
            if self.jwt_secret == DEV_JWT_SECRET:
                raise ValueError("the development JWT secret is refused in production")
            # A key is checked here when set; that it is set is checked by the service that uses it
            # (``require_secrets``), so a tally worker needs neither the cursor secret nor the vote id key.
            if self.cursor_secret is not None and (
                len(self.cursor_secret.encode()) < MIN_SECRET_BYTES or self.cursor_secret == DEV_CURSOR_SECRET
            ):
                raise ValueError(f"production needs SANGKIEN_CURSOR_SECRET of at least {MIN_SECRET_BYTES} bytes, "
                                 "not the development one")
            if self.jwt_secret and len(self.jwt_secret.encode()) < MIN_SECRET_BYTES:
                raise ValueError(f"production refuses an HS256 SANGKIEN_JWT_SECRET under {MIN_SECRET_BYTES} bytes")
            amqp_urls = [self.amqp_url, self.submission_amqp_url, self.awards_amqp_url, self.tally_amqp_url]
            if any(amqp_uses_guest(url) for url in amqp_urls if url):
                raise ValueError("production refuses RabbitMQ's default guest credentials (set a user in "
                                 "SANGKIEN_AMQP_URL and any SANGKIEN_*_AMQP_URL)")
            if self.vote_id_key is not None and (
                len(self.vote_id_key.encode()) < MIN_SECRET_BYTES or self.vote_id_key.encode() == DEV_VOTE_ID_KEY
            ):
                raise ValueError(f"production needs SANGKIEN_VOTE_ID_KEY, a secret of at least {MIN_SECRET_BYTES} "
                                 "bytes, not the development one")
        elif not self.jwt_secret and not self.jwks_url and not is_loopback(self.host):
            raise ValueError(
                f"SANGKIEN_HOST={self.host} is not a loopback address, so the development JWT key would be "
                "accepted from the network: set SANGKIEN_JWT_SECRET (or SANGKIEN_JWKS_URL), or bind 127.0.0.1"
            )
        return self

    def require_secrets(self, *names: Literal["cursor_secret", "vote_id_key"]) -> None:
        """Refuse to start a production service without the keys it uses (``ValueError`` naming each)."""
        missing = [f"SANGKIEN_{name.upper()}" for name in names if self.env == "prod" and not getattr(self, name)]
        if missing:
            raise ValueError(f"production needs {', '.join(missing)} (at least {MIN_SECRET_BYTES} bytes each)")

    @property
    def docs_public(self) -> bool:
        """Whether /docs, /redoc, /openapi.json and /asyncapi* are served (unset: everywhere but prod)."""
        return self.env != "prod" if self.public_docs is None else self.public_docs

    @property
    def signing_secret(self) -> str:
        """HS256 key: the configured one, or the development key outside production."""
        if self.jwt_secret:
            return self.jwt_secret
        if self.env == "prod":
            raise RuntimeError("no HS256 secret in production")
        return DEV_JWT_SECRET

    @property
    def cursor_key(self) -> bytes:
        """The AES-256 key of page cursors, derived from the configured secret (or the development one)."""
        secret = self.cursor_secret
        if not secret:
            if self.env == "prod":
                raise RuntimeError("no cursor secret in production")
            secret = DEV_CURSOR_SECRET
        return hashlib.sha256(b"sangkien-cursor-key\0" + secret.encode()).digest()

    def amqp_url_for(self, user: BrokerUser) -> str:
        """The RabbitMQ URL a service's processes connect with: its own user's, else the shared one."""
        own: str | None = getattr(self, f"{user}_amqp_url")
        return own or self.amqp_url

    def redis_url_for(self, user: RedisUser) -> str:
        """The Redis URL of one kind of process (submission, tally workers, tally API), else the shared one."""
        own: str | None = getattr(self, f"{user}_redis_url")
        return own or self.redis_url

    @property
    def vote_id_secret(self) -> bytes:
        """Key of vote ids: the configured one, or the development key outside production."""
        if self.vote_id_key:
            return self.vote_id_key.encode()
        if self.env == "prod":
            raise RuntimeError("no vote id key in production")
        return DEV_VOTE_ID_KEY


def ipaddress_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Comma-separated CIDRs as networks (a bare address is a /32 or /128); raise ``ValueError`` on garbage."""
    return [ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()]


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``; a name or a wildcard (0.0.0.0, ::) is not loopback."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def amqp_uses_guest(url: str) -> bool:
    """RabbitMQ's guest account: named in the URL, or implied by a URL without credentials (aio-pika's default)."""
    parts = urlsplit(url)
    return parts.username in (None, "", "guest")


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
