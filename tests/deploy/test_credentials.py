"""`sangkien deploy-credentials`: the user files it writes are what real RabbitMQ and Redis servers accept."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis
from redis.exceptions import AuthenticationError, NoPermissionError
from typer.testing import CliRunner

from services.cli import app as cli
from shared.grants import BROKER_GRANTS, password_variables

PASSWORDS = {name: f"mat-khau-{name.lower()}-0123456789" for name in password_variables()}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in PASSWORDS.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["deploy-credentials", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return tmp_path


def test_it_refuses_to_run_without_every_services_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PASSWORDS:
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(cli, ["deploy-credentials", str(tmp_path)])
    assert result.exit_code == 2 and "SUBMISSION_PASSWORD" in result.output


def test_rabbitmq_definitions_carry_the_users_as_hashes_and_their_permissions(written: Path) -> None:
    text = (written / "rabbitmq" / "definitions.json").read_text()
    assert not any(password in text for password in PASSWORDS.values())
    definitions = json.loads(text)
    assert {"exchanges", "queues", "bindings", "users", "permissions", "topic_permissions"} <= set(definitions)
    for grant, user in zip(BROKER_GRANTS, definitions["users"], strict=True):
        raw = base64.b64decode(user["password_hash"])
        salt, digest = raw[:4], raw[4:]
        assert digest == hashlib.sha256(salt + PASSWORDS[grant.password_variable].encode()).digest(), grant.user
    topic = {p["user"]: p for p in definitions["topic_permissions"]}
    assert topic["sangkien-submission"]["exchange"] == "sangkien.events"
    assert topic["sangkien-tally"]["write"] == "^$"


def test_a_real_redis_loads_the_acl_file_and_enforces_it(written: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--aclfile", str(written / "redis" / "users.acl")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        def client(user: str | None = None, password: str | None = None) -> redis.Redis:
            return redis.Redis(host="127.0.0.1", port=port, username=user, password=password, socket_timeout=5)

        for _ in range(100):
            try:
                client("sangkien-tally", PASSWORDS["TALLY_PASSWORD"]).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        with pytest.raises(AuthenticationError):  # the default user is off: no anonymous access
            client().ping()
        with pytest.raises(AuthenticationError):
            client("sangkien-tally", "sai-mat-khau").ping()
        client("sangkien-tally", PASSWORDS["TALLY_PASSWORD"]).set("sangkien:t:gen", "0")
        api = client("sangkien-tally-api", PASSWORDS["TALLY_API_PASSWORD"])
        assert api.get("sangkien:t:gen") == b"0"
        with pytest.raises(NoPermissionError):
            api.set("sangkien:t:gen", "1")
        with pytest.raises(NoPermissionError):
            client("sangkien-submission", PASSWORDS["SUBMISSION_PASSWORD"]).get("sangkien:t:gen")
    finally:
        server.terminate()
        server.wait(10)
