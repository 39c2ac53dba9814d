"""Who may do what on the servers: each service's RabbitMQ, Redis and PostgreSQL user, in one place.

The RabbitMQ permissions are regular expressions over resource names that hold for any namespace (tests use
random ones): ``<ns>.events`` (topic exchange), ``<ns>.dead`` (dead-letter exchange), ``<ns>.<queue>`` and
``<ns>.<queue>.dead``. RabbitMQ checks (see its access-control table): declaring an exchange or a queue needs
*configure* on it; binding a queue needs *write* on the queue and *read* on the exchange; declaring a queue
with a dead-letter exchange needs *write* on that exchange; publishing needs *write* on the exchange and, on a
topic exchange with topic permissions, a routing key matching the user's topic *write* pattern; consuming
needs *read* on the queue. A passive declare (what a publisher does to check the queues exist) needs nothing.

Publishers declare only the events exchange and check passively that the consuming queues exist; consumers
declare their own queue and its dead-letter queue. ``deploy/local/users.sh`` applies these grants locally,
``deploy/rabbitmq/definitions.json`` and ``deploy/redis/users.acl`` carry them for compose and Kubernetes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from typing import Any

NS = r"[a-z][a-z0-9_-]*"  # the namespace pattern of shared.settings.Settings.namespace, unanchored
NOTHING = "^$"


def _names(*suffixes: str) -> str:
    r"""``^<ns>\.(a|b\.dead)$`` for resources named ``<ns>.a``, ``<ns>.b.dead``."""
    escaped = "|".join(suffix.replace(".", "\\.") for suffix in suffixes)
    return rf"^{NS}\.({escaped})$"


@dataclass(frozen=True)
class BrokerGrant:
    """One RabbitMQ user: vhost permissions and the routing keys it may publish on the events exchange."""

    user: str
    password_variable: str  # its password's name in deploy/local/users.env and in the service's secret
    configure: str
    write: str
    read: str
    topic_write: str


@dataclass(frozen=True)
class RedisGrant:
    """One Redis ACL user: key patterns and commands (``ACL SETUSER`` rules, without the password)."""

    user: str
    password_variable: str
    rules: str


BROKER_GRANTS: tuple[BrokerGrant, ...] = (
    # submission publishes campaign.*, initiative.*, vote.* and consumes nothing.
    BrokerGrant("sangkien-submission", "SUBMISSION_PASSWORD",
                configure=_names("events"), write=_names("events"), read=NOTHING,
                topic_write=r"^(campaign|initiative|vote)\.[a-z_]+$"),
    # awards consumes its queue (dead-lettering to <ns>.dead) and publishes review.*, award.*.
    BrokerGrant("sangkien-awards", "AWARDS_PASSWORD",
                configure=_names("events", "dead", "awards", "awards.dead"),
                write=_names("events", "dead", "awards", "awards.dead"),
                read=_names("events", "dead", "awards", "awards.dead"),
                topic_write=r"^(review|award)\.[a-z_]+$"),
    # tally only consumes: no write on the events exchange, so it cannot publish there at all.
    BrokerGrant("sangkien-tally", "TALLY_PASSWORD",
                configure=_names("events", "dead", "tally", "tally.dead"),
                write=_names("dead", "tally", "tally.dead"),
                read=_names("events", "dead", "tally", "tally.dead"),
                topic_write=NOTHING),
    # the portal (services/portal, to come) only consumes its own queue.
    BrokerGrant("sangkien-portal", "PORTAL_PASSWORD",
                configure=_names("events", "dead", "portal", "portal.dead"),
                write=_names("dead", "portal", "portal.dead"),
                read=_names("events", "dead", "portal", "portal.dead"),
                topic_write=NOTHING),
)

# `-@dangerous` keeps KEYS, FLUSHALL, CONFIG, DEBUG, MONITOR and the like from every service.
REDIS_GRANTS: tuple[RedisGrant, ...] = (
    # tally workers (and rebuild, reconcile): tally's keys, with the apply script.
    RedisGrant("sangkien-tally", "TALLY_PASSWORD",
               "resetkeys ~*:t:* resetchannels -@all +@read +@write +@keyspace +@scripting +@connection "
               "+@transaction -@dangerous"),
    # the tally API reads tally's keys and writes nothing.
    RedisGrant("sangkien-tally-api", "TALLY_API_PASSWORD",
               "resetkeys %R~*:t:* resetchannels -@all +@read +@connection +select -@dangerous"),
    # submission: its vote rate-limit keys only.
    RedisGrant("sangkien-submission", "SUBMISSION_PASSWORD",
               "resetkeys ~*:rl:* resetchannels -@all +@read +@write +@keyspace +@scripting +@connection "
               "+@transaction -@dangerous"),
)

# PostgreSQL: one LOGIN role per service (NOSUPERUSER NOCREATEDB NOCREATEROLE), owning only its database;
# `<prefix>` is the namespace of `sangkien up` (``sangkien``) — the role names below are for that prefix.
DATABASE_ROLES: dict[str, str] = {"submission": "SUBMISSION_PASSWORD", "awards": "AWARDS_PASSWORD"}


def database_role(service: str, prefix: str = "sangkien") -> str:
    return f"{prefix}_{service}"


def password_hash(password: str, salt: bytes | None = None) -> str:
    """RabbitMQ's ``rabbit_password_hashing_sha256``: base64(salt + sha256(salt + password)), 4-byte salt."""
    salt = os.urandom(4) if salt is None else salt
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def broker_definitions(namespace: str, passwords: dict[str, str] | None, vhost: str = "/") -> dict[str, Any]:
    """The users, vhost permissions and topic permissions as a RabbitMQ definitions document.

    With ``passwords`` (variable name → password) the users get salted hashes of them (the local script);
    without, an empty hash: the user exists but cannot log in until its password is set from the service's
    secret at boot (``rabbitmqctl change_password``), so no deployable file holds a credential.
    """
    users = [{"name": g.user, "tags": [], "hashing_algorithm": "rabbit_password_hashing_sha256",
              "password_hash": password_hash(passwords[g.password_variable]) if passwords else ""}
             for g in BROKER_GRANTS]
    permissions = [{"user": g.user, "vhost": vhost, "configure": g.configure, "write": g.write, "read": g.read}
                   for g in BROKER_GRANTS]
    topic_permissions = [{"user": g.user, "vhost": vhost, "exchange": f"{namespace}.events",
                          "write": g.topic_write, "read": ".*"} for g in BROKER_GRANTS]
    return {"users": users, "vhosts": [{"name": vhost}], "permissions": permissions,
            "topic_permissions": topic_permissions}


def redis_acl(passwords: dict[str, str]) -> str:
    """A Redis ACL file (``aclfile``): the default user off, each service's user with its password's SHA-256."""
    lines = ["user default off resetkeys -@all"]
    for grant in REDIS_GRANTS:
        digest = hashlib.sha256(passwords[grant.password_variable].encode()).hexdigest()
        lines.append(f"user {grant.user} on #{digest} {grant.rules}")
    return "\n".join(lines) + "\n"


def password_variables() -> list[str]:
    """Every service password a deployment must provide (one per service; the tally API has its own)."""
    names = [g.password_variable for g in BROKER_GRANTS] + [r.password_variable for r in REDIS_GRANTS]
    return sorted(set(names) | set(DATABASE_ROLES.values()))


def _print(kind: str) -> None:
    """Tab-separated lines for deploy/local/users.sh (it owns the passwords, this module the rights)."""
    if kind == "rabbitmq":  # definitions with the local passwords' hashes, for `rabbitmqctl import_definitions`
        from shared.local_users import local_passwords

        namespace = os.environ.get("SANGKIEN_NAMESPACE", "sangkien")
        print(json.dumps(broker_definitions(namespace, local_passwords()), indent=2))
    elif kind == "redis":
        for r in REDIS_GRANTS:
            print("\t".join((r.user, r.password_variable, r.rules)))
    elif kind == "postgres":
        for service, variable in DATABASE_ROLES.items():
            print("\t".join((database_role(service), variable)))
    else:
        raise SystemExit(f"unknown kind {kind!r}: rabbitmq, redis or postgres")


if __name__ == "__main__":
    _print(sys.argv[1] if len(sys.argv) > 1 else "")
