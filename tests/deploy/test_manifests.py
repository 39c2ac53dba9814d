"""Compose and Kubernetes files are written, not run here: validate them against the code they deploy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from services.cli import app as cli
from shared.settings import Settings
from shared.topology import topology_for

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S_FILES = sorted((DEPLOY / "k8s").glob("*.yaml"))


def k8s_documents() -> list[dict]:
    docs: list[dict] = []
    for path in K8S_FILES:
        docs.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    return docs


def test_rabbitmq_definitions_are_generated_from_the_topology():
    committed = json.loads((DEPLOY / "rabbitmq" / "definitions.json").read_text())
    assert committed == topology_for(Settings()).definitions(), (
        "regenerate: sangkien rabbitmq-definitions > deploy/rabbitmq/definitions.json"
    )


def test_every_sangkien_variable_in_deploy_files_is_a_setting():
    fields = {f"SANGKIEN_{name.upper()}" for name in Settings.model_fields}
    used: set[str] = set()
    for path in [DEPLOY / "compose.yaml", *K8S_FILES]:
        used |= set(re.findall(r"\b(SANGKIEN_[A-Z0-9_]+)\b", path.read_text()))
    assert used, "deploy files configure nothing?"
    assert used <= fields, f"unknown settings: {sorted(used - fields)}"


def test_compose_file_parses_and_needs_secrets_from_the_environment():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"submission", "awards", "tally-api", "tally-worker", "rabbitmq", "redis", "postgres"} <= set(services)
    text = (DEPLOY / "compose.yaml").read_text()
    assert "guest:guest" not in text and "SANGKIEN_ENV: prod" in text


def test_kubernetes_workloads_are_consistent():
    docs = k8s_documents()
    kinds = [d["kind"] for d in docs]
    assert kinds.count("Deployment") == 4 and "ScaledObject" in kinds
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    for name, dep in deployments.items():
        selector = dep["spec"]["selector"]["matchLabels"]
        labels = dep["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), name
    for svc in (d for d in docs if d["kind"] == "Service"):
        target = svc["spec"]["selector"]["app.kubernetes.io/name"]
        assert target in deployments, f"service {svc['metadata']['name']} selects nothing"
    scaled = next(d for d in docs if d["kind"] == "ScaledObject")
    assert scaled["spec"]["scaleTargetRef"]["name"] in deployments
    assert scaled["spec"]["triggers"][0]["metadata"]["queueName"] == topology_for(Settings()).tally.name


def _commands() -> list[list[str]]:
    commands = []
    for doc in k8s_documents():
        if doc["kind"] in ("Deployment", "Job"):
            for container in doc["spec"]["template"]["spec"]["containers"]:
                argv = container.get("args") or container.get("command")
                commands.append(argv)
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    commands.extend(s["command"] for s in compose["services"].values() if "command" in s)
    out: list[list[str]] = []
    for argv in commands:
        if argv[:2] == ["sh", "-c"]:
            out.extend(part.split() for part in argv[2].split("&&"))
        elif argv[0] == "sangkien":
            out.append(argv)
    return [argv for argv in out if argv and argv[0] == "sangkien"]


@pytest.mark.parametrize("argv", _commands(), ids=lambda a: " ".join(a[1:]))
def test_deployed_commands_exist_in_the_cli(argv: list[str]):
    result = CliRunner().invoke(cli, [*argv[1:], "--help"])
    assert result.exit_code == 0, result.output
