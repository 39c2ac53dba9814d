"""The local development users of each service (deploy/local/users.env): their URLs for `sangkien up` and tests.

Production never reads this file: each service gets its own URLs from its own secret.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from shared.grants import database_role
from shared.settings import REPO_ROOT, Settings

USERS_ENV = REPO_ROOT / "deploy" / "local" / "users.env"


@lru_cache(maxsize=1)
def local_passwords(path: Path = USERS_ENV) -> dict[str, str]:
    """``NAME=value`` lines of users.env (comments and blank lines skipped)."""
    passwords: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            passwords[name.strip()] = value.strip()
    return passwords


def with_user(url: str, user: str, password: str) -> str:
    """``url`` with its credentials replaced by ``user``:``password``."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"))


def service_urls(settings: Settings) -> dict[str, Any]:
    """Each service's own RabbitMQ and Redis URLs (as settings fields), on the servers of ``settings``."""
    pw = local_passwords()
    amqp, redis = settings.amqp_url, settings.redis_url
    return {
        "submission_amqp_url": with_user(amqp, "sangkien-submission", pw["SUBMISSION_PASSWORD"]),
        "awards_amqp_url": with_user(amqp, "sangkien-awards", pw["AWARDS_PASSWORD"]),
        "tally_amqp_url": with_user(amqp, "sangkien-tally", pw["TALLY_PASSWORD"]),
        "submission_redis_url": with_user(redis, "sangkien-submission", pw["SUBMISSION_PASSWORD"]),
        "tally_redis_url": with_user(redis, "sangkien-tally", pw["TALLY_PASSWORD"]),
        "tally_api_redis_url": with_user(redis, "sangkien-tally-api", pw["TALLY_API_PASSWORD"]),
    }


def database_url_as(url: str, service: str) -> str:
    """A PostgreSQL database URL connecting as ``service``'s role (``sangkien_<service>``)."""
    variable = {"submission": "SUBMISSION_PASSWORD", "awards": "AWARDS_PASSWORD"}[service]
    return with_user(url, database_role(service), local_passwords()[variable])
