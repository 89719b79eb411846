"""The deploy files start the services that exist, with the commands the README gives."""

from pathlib import Path

import yaml

from partyday_common.settings import SERVICES
from partyday_dev.services import SERVICE_CLASSES, load_service_class

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_every_service_class_path_imports():
    for service in SERVICES:
        assert load_service_class(service).name == service


def test_compose_runs_every_service_with_nameko_run():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]
    for service, target in SERVICE_CLASSES.items():
        assert compose[service]["command"] == ["nameko", "run", "--config", "deploy/nameko.yml", target]
    assert "partyday declare-queues" in " ".join(compose["migrate"]["command"])
    steps = [step.strip() for step in compose["migrate"]["command"][-1].split("&&")]
    assert steps == [
        step
        for service, target in SERVICE_CLASSES.items()
        for step in (f"partyday migrate {service}", f"partyday declare-queues {target}")
    ], "each service is migrated and its subscriptions declared on its own, by a process loading its class only"


def test_kubernetes_deploys_every_service_and_the_gateway():
    documents = list(yaml.safe_load_all((DEPLOY / "k8s" / "partyday.yaml").read_text()))
    deployments = {d["metadata"]["name"]: d for d in documents if d["kind"] == "Deployment"}
    assert set(deployments) == set(SERVICES) | {"gateway"}
    for service, target in SERVICE_CLASSES.items():
        container = deployments[service]["spec"]["template"]["spec"]["containers"][0]
        assert container["command"][-1] == target
    [job] = [d for d in documents if d["kind"] == "Job"]
    migrations = {c["name"]: c["command"] for c in job["spec"]["template"]["spec"]["containers"]}
    assert migrations == {
        f"migrate-{service}": ["sh", "-c", f"partyday migrate {service} && partyday declare-queues {target}"]
        for service, target in SERVICE_CLASSES.items()
    }
    gateway = deployments["gateway"]["spec"]["template"]["spec"]["containers"][0]
    assert gateway["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert {"name": "FORWARDED_ALLOW_IPS", "value": "*"} in gateway["env"], (
        "behind the ingress, clients' own addresses reach the vote limit and the sign-in evidence"
    )


def test_prometheus_scrapes_the_gateway_and_every_service():
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    targets = {t for job in config["scrape_configs"] for group in job["static_configs"] for t in group["targets"]}
    assert targets == {"gateway:8000"} | {f"{s}:9100" for s in SERVICES}
