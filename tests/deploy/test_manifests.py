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


APPS = {"submission", "awards", "tally-api", "tally-worker"}
PASSWORDS = {"submission": {"SUBMISSION_PASSWORD"}, "awards": {"AWARDS_PASSWORD"},
             "tally-api": {"TALLY_API_PASSWORD"}, "tally-worker": {"TALLY_PASSWORD"}}


def test_each_kubernetes_workload_reads_only_its_own_services_secret():
    text = "\n".join(path.read_text() for path in K8S_FILES)
    assert "sangkien-secrets" not in text, "the one shared secret is gone"
    for doc in k8s_documents():
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        for container in doc["spec"]["template"]["spec"]["containers"]:
            secrets = [ref["secretRef"]["name"] for ref in container.get("envFrom", []) if "secretRef" in ref]
            owner = container["name"].removeprefix("migrate-")
            assert secrets == [f"sangkien-{owner}"], (doc["metadata"]["name"], container["name"], secrets)


def test_network_policies_deny_by_default_and_cover_every_app():
    policies = {d["metadata"]["name"]: d for d in k8s_documents() if d["kind"] == "NetworkPolicy"}
    default = policies.pop("default-deny")
    assert default["spec"]["podSelector"] == {} and set(default["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    apps = {d["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"]
            for d in k8s_documents() if d["kind"] in ("Deployment", "Job")}
    assert apps == APPS | {"migrate"}
    assert {p["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for p in policies.values()} == apps

    def reaches(app: str) -> set[str]:
        return {peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
                for rule in policies[app]["spec"]["egress"] for peer in rule.get("to", [])}

    assert reaches("tally-api") == {"redis"}, "the public read API reaches Redis only"
    assert reaches("tally-worker") == {"rabbitmq", "redis"}
    assert "postgres" not in reaches("tally-worker") | reaches("tally-api")


def test_each_compose_service_connects_as_its_own_user_with_only_its_own_password():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    users = {"submission": "sangkien-submission", "awards": "sangkien-awards", "tally-api": "sangkien-tally-api",
             "tally-worker": "sangkien-tally"}
    for name in APPS:
        env = compose["services"][name]["environment"]
        urls = {k: v for k, v in env.items() if k.endswith("_URL") and "://" in v and "@" in v}
        assert urls, name
        for variable, url in urls.items():
            user = url.split("://", 1)[1].split(":", 1)[0]
            assert user in (users[name], users[name].replace("-", "_")), (name, variable, user)
        used = set(re.findall(r"\$\{([A-Z_]+_PASSWORD)", json.dumps(env)))
        assert used == PASSWORDS[name], (name, used)
    assert "RABBITMQ_DEFAULT_USER" not in (DEPLOY / "compose.yaml").read_text()
