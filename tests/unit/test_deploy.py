"""The deploy files start the services that exist, with the commands the README gives, and give each process what
its settings require in production."""

import importlib
import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path

import yaml

from partyday_common.consumer import EventConsumer
from partyday_common.settings import SERVICES, Settings
from partyday_common.topology import FAILURE_TOPOLOGY
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
    assert targets == {"gateway:9100"} | {f"{s}:9100" for s in SERVICES}


# What each process needs in production is asked of its own settings class (`production_variables()` and
# `check_production_safety()`), found from the process's command: nothing here lists the keys.
OPERATOR_VARIABLE = re.compile(r"\$\{(\w+):\?[^}]*\}")
PROCESS_ENVIRONMENT = ("PARTYDAY_", "AWS_")


def _interpolate(value, variables: dict[str, str]):
    """Compose's interpolation of what the operator sets (`${NAME:?message}`); `$$` is a literal `$`."""
    if not isinstance(value, str):
        return value
    return OPERATOR_VARIABLE.sub(lambda match: variables[match.group(1)], value).replace("$$", "$")


def _own_settings(package: str) -> type[Settings]:
    module = importlib.import_module(f"{package}.settings")
    [own] = [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, Settings) and value.__module__ == module.__name__
    ]
    return own


def _settings_of(command: list[str]) -> tuple[list[type[Settings]], list[str]]:
    """The settings classes a process reads, and the services whose databases it opens, from its command: a process
    that loads a service's class (to run it, or to declare its queues) reads that service's settings, which some
    read as their module loads."""
    line = " ".join(command)
    classes = [
        Settings,
        *(_own_settings(package) for package in re.findall(r"\b(partyday_\w+)\.(?:service|app):\w+", line)),
    ]
    databases = re.findall(r"partyday migrate (\w+)", line) or [c.service for c in classes if c.service]
    assert len(classes) > 1 or databases, f"no process kind known for {line}"
    return classes, databases


def _compose_processes(operator: dict[str, str]) -> dict[str, tuple[list[str], dict[str, str]]]:
    services = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]
    return {
        name: (
            [_interpolate(part, operator) for part in spec["command"]],
            {key: str(_interpolate(value, operator)) for key, value in spec.get("environment", {}).items()},
        )
        for name, spec in services.items()
        if "build" in spec
    }


def _kubernetes_processes(secret_values) -> dict[str, tuple[list[str], dict[str, str]]]:
    """Every container of the partyday image with the environment its Secrets and ConfigMaps give it; each Secret's
    value is `secret_values(key, shipped)`."""
    documents = list(yaml.safe_load_all((DEPLOY / "k8s" / "partyday.yaml").read_text()))
    sources = {}
    for document in documents:
        if document["kind"] == "Secret":
            values = {key: secret_values(key, value) for key, value in document["stringData"].items()}
            sources[("secretRef", document["metadata"]["name"])] = values
        elif document["kind"] == "ConfigMap":
            sources[("configMapRef", document["metadata"]["name"])] = document["data"]
    processes = {}
    for document in documents:
        if document["kind"] not in ("Deployment", "Job"):
            continue
        for container in document["spec"]["template"]["spec"]["containers"]:
            environment = {}
            for source in container.get("envFrom", []):
                [(kind, reference)] = source.items()
                environment.update(sources[(kind, reference["name"])])
            environment.update({item["name"]: item["value"] for item in container.get("env", [])})
            processes[container["name"]] = (container["command"], environment)
    return processes


def _problems(monkeypatch, command: list[str], environment: dict[str, str]) -> list[str]:
    """What the process's settings refuse in the environment the manifest gives it, alone."""
    classes, databases = _settings_of(command)
    problems = []
    with monkeypatch.context() as patch:
        for key in os.environ:
            if key.startswith(PROCESS_ENVIRONMENT):
                patch.delenv(key)
        for key, value in environment.items():
            patch.setenv(key, value)
        for settings_class in classes:
            settings = settings_class()
            problems += [f"{name} is not given" for name in settings.production_variables() if name not in environment]
            problems += [str(error) for error in _raised(settings.check_production_safety)]
            problems += [str(error) for service in databases for error in _raised(settings.database_url, service)]
            if settings.env != "production":
                problems.append("not in production mode")
    return problems


def _raised(call, *args) -> list[Exception]:
    try:
        call(*args)
    except RuntimeError as error:
        return [error]
    return []


def _storage_of(processes) -> set[tuple]:
    """Where each process that keeps files keeps them: one place for all, or they do not see each other's files."""
    places = set()
    for command, environment in processes.values():
        classes, _ = _settings_of(command)
        if any("media_storage" in settings_class.production_requires for settings_class in classes):
            keys = ("PARTYDAY_MEDIA_STORAGE", "PARTYDAY_MEDIA_S3_BUCKET", "PARTYDAY_MEDIA_S3_ENDPOINT_URL")
            place = tuple(environment.get(key) for key in keys)
            if place[0] == "s3" and place[2]:
                assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} <= set(environment), (
                    f"{command}: an S3-compatible server needs the keys boto3 reads"
                )
            places.add(place)
    return places


def _operator_variables() -> dict[str, str]:
    text = (DEPLOY / "docker-compose.yml").read_text()
    return {name: secrets.token_urlsafe(32) for name in OPERATOR_VARIABLE.findall(text)} | {
        "PARTYDAY_PUBLIC_URL": "https://partyday.example.gov.cn"
    }


def test_compose_gives_every_process_what_production_requires(monkeypatch):
    processes = _compose_processes(_operator_variables())
    assert {"migrate", "gateway", *SERVICES} <= set(processes)
    for name, (command, environment) in processes.items():
        assert _problems(monkeypatch, command, environment) == [], name
    [(storage, _, endpoint)] = _storage_of(processes)
    assert (storage, endpoint) == ("s3", "http://minio:9000"), "the gateway, media and the directory share MinIO"
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]
    assert {"minio", "bucket"} <= set(compose)
    assert compose["migrate"]["depends_on"]["bucket"] == {"condition": "service_completed_successfully"}


def test_compose_takes_its_secrets_from_the_operator():
    """No secret is written in the file: compose refuses to start until the operator sets each one."""
    services = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]
    for spec in services.values():
        for key, value in spec.get("environment", {}).items():
            if key in (
                "PARTYDAY_SECRET_KEY",
                "PARTYDAY_ADMIN_PASSWORD",
                "AWS_SECRET_ACCESS_KEY",
                "PARTYDAY_PUBLIC_URL",
            ):
                assert OPERATOR_VARIABLE.fullmatch(value), f"{key} is written in the compose file"


def test_kubernetes_gives_every_process_what_production_requires(monkeypatch):
    processes = _kubernetes_processes(lambda key, shipped: secrets.token_urlsafe(32))
    assert {f"migrate-{s}" for s in SERVICES} | {"gateway", *SERVICES} <= set(processes)
    for name, (command, environment) in processes.items():
        assert _problems(monkeypatch, command, environment) == [], name
    [(storage, _, _)] = _storage_of(processes)
    assert storage == "s3", "the gateway, media and the directory share one bucket"


def test_kubernetes_placeholders_are_refused_rather_than_deployed(monkeypatch):
    """Applied as shipped, every process refuses to start: nobody runs a city on a secret printed in a repository."""
    shipped = _kubernetes_processes(lambda key, value: value)
    for name, (command, environment) in shipped.items():
        problems = " ".join(_problems(monkeypatch, command, environment))
        assert "PARTYDAY_SECRET_KEY" in problems, name
        if name == "directory":
            assert "PARTYDAY_ADMIN_PASSWORD" in problems


def test_the_kubernetes_file_names_the_queue_type_the_services_declare():
    """Its comment says which queues RabbitMQ keeps; that is what the consumers and the failure topology declare."""
    consumer = EventConsumer("plans", "plan_approved", expects=Settings)
    queues = [consumer.queue_for("attendance", "on_plan_approved", {}), *FAILURE_TOPOLOGY[1::2]]
    declared = {(queue.queue_arguments or {}).get("x-queue-type", "classic") for queue in queues}
    text = (DEPLOY / "k8s" / "partyday.yaml").read_text()
    named = set(re.findall(r"\b(classic|quorum|stream) queues?\b", text))
    assert named and named == declared, f"the file names {named}, the services declare {declared}"


def _compose_client() -> list[str] | None:
    """`docker compose` (the plugin), else the standalone `docker-compose`; neither needs an engine for `config`."""
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    return [standalone] if standalone else None


def test_docker_compose_reads_the_file_as_it_is():
    """`docker compose config` accepts the file given what the operator sets, and refuses it without a secret."""
    client = _compose_client()
    assert client is not None, "no docker compose client: make test-unit installs one (scripts/ensure-compose.sh)"
    command = [*client, "-f", str(DEPLOY / "docker-compose.yml"), "config", "--quiet"]
    environment = {**os.environ, **_operator_variables()}
    answer = subprocess.run(command, capture_output=True, text=True, env=environment)
    assert answer.returncode == 0, answer.stderr
    without_secret = {key: value for key, value in environment.items() if key != "PARTYDAY_SECRET_KEY"}
    refused = subprocess.run(command, capture_output=True, text=True, env=without_secret)
    assert refused.returncode != 0 and "PARTYDAY_SECRET_KEY" in refused.stderr


def test_the_gateway_metrics_port_is_scraped_but_never_published():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    assert compose["x-service"]["environment"]["PARTYDAY_GATEWAY_METRICS_PORT"] == "9100"
    assert compose["services"]["gateway"]["ports"] == ["8000:8000"]
    documents = list(yaml.safe_load_all((DEPLOY / "k8s" / "partyday.yaml").read_text()))
    (config,) = [d for d in documents if d["kind"] == "ConfigMap"]
    assert config["data"]["PARTYDAY_GATEWAY_METRICS_PORT"] == "9100"
    (service,) = [d for d in documents if d["kind"] == "Service" and d["metadata"]["name"] == "gateway"]
    assert [port["targetPort"] for port in service["spec"]["ports"]] == [8000]
