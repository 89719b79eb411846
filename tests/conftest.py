"""Where the integration tests find RabbitMQ and PostgreSQL.

With a Docker engine (PARTYDAY_TEST_DOCKER=auto, the default, or 1), pytest-docker
starts them from deploy/docker-compose.test.yml. Otherwise the tests use local
services named by PARTYDAY_TEST_AMQP_URI, PARTYDAY_TEST_RABBIT_API_URI and
PARTYDAY_TEST_POSTGRES_URL, whose defaults match a developer machine. A test that
cannot reach them fails; it never skips.
"""

import os
import random
import shutil
import socket
import string
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
import requests
from sqlalchemy import create_engine, text

REPO_ROOT = Path(__file__).resolve().parents[1]
# Gateways made in a test serve no metrics port unless the test gives one (the e2e stack gives a free one).
os.environ.setdefault("PARTYDAY_GATEWAY_METRICS_PORT", "0")


@dataclass(frozen=True)
class Infra:
    amqp_uri: str
    rabbit_api_uri: str
    postgres_url: str


def _docker_wanted() -> bool:
    mode = os.environ.get("PARTYDAY_TEST_DOCKER", "auto")
    if mode == "0":
        return False
    if mode == "1":
        return True
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True).returncode == 0


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url.replace("+psycopg2", ""))
    try:
        socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), 2).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def docker_compose_file():
    return str(REPO_ROOT / "deploy" / "docker-compose.test.yml")


@pytest.fixture(scope="session")
def infra(request) -> Infra:
    if _docker_wanted():
        docker_services = request.getfixturevalue("docker_services")
        ip = request.getfixturevalue("docker_ip")
        amqp = docker_services.port_for("rabbitmq", 5672)
        api = docker_services.port_for("rabbitmq", 15672)
        pg = docker_services.port_for("postgres", 5432)
        found = Infra(
            f"amqp://guest:guest@{ip}:{amqp}/",
            f"http://guest:guest@{ip}:{api}",
            f"postgresql+psycopg2://postgres@{ip}:{pg}/postgres",
        )
        docker_services.wait_until_responsive(
            timeout=120, pause=1, check=lambda: _reachable(found.amqp_uri, 5672) and _api_answers(found.rabbit_api_uri)
        )
    else:
        found = Infra(
            os.environ.get("PARTYDAY_TEST_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"),
            os.environ.get("PARTYDAY_TEST_RABBIT_API_URI", "http://guest:guest@127.0.0.1:15672"),
            os.environ.get("PARTYDAY_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"),
        )
    problems = []
    if not _reachable(found.amqp_uri, 5672):
        problems.append(f"RabbitMQ does not answer at {found.amqp_uri}")
    if not _api_answers(found.rabbit_api_uri):
        problems.append(
            f"the RabbitMQ management API does not answer at {found.rabbit_api_uri} "
            "(rabbitmq-plugins enable rabbitmq_management)"
        )
    if not _reachable(found.postgres_url, 5432):
        problems.append(f"PostgreSQL does not answer at {found.postgres_url}")
    if problems:
        pytest.fail(
            "integration services unavailable: "
            + "; ".join(problems)
            + ". Run scripts/test-infra.sh, or set the PARTYDAY_TEST_* variables.",
            pytrace=False,
        )
    return found


def _api_answers(api_uri: str) -> bool:
    try:
        return requests.get(f"{api_uri.rstrip('/')}/api/overview", timeout=3).ok
    except requests.RequestException:
        return False


def _random_name(prefix: str) -> str:
    return prefix + "".join(random.choices(string.ascii_lowercase + string.digits, k=10))


class VirtualHosts:
    """A RabbitMQ virtual host per test keeps queues and messages of tests apart."""

    def __init__(self, infra: Infra):
        self.infra = infra
        parsed = urlparse(infra.amqp_uri)
        self.user = parsed.username or "guest"
        self.api = infra.rabbit_api_uri.rstrip("/")

    def create(self) -> str:
        vhost = _random_name("partyday_test_")
        requests.put(f"{self.api}/api/vhosts/{vhost}", timeout=10).raise_for_status()
        requests.put(
            f"{self.api}/api/permissions/{vhost}/{self.user}",
            json={"configure": ".*", "write": ".*", "read": ".*"},
            timeout=10,
        ).raise_for_status()
        return vhost

    def uri(self, vhost: str) -> str:
        parsed = urlparse(self.infra.amqp_uri)
        return f"{parsed.scheme}://{parsed.netloc}/{quote(vhost, safe='')}"

    def delete(self, vhost: str) -> None:
        requests.delete(f"{self.api}/api/vhosts/{vhost}", timeout=30)


@pytest.fixture(scope="session")
def vhosts(infra) -> VirtualHosts:
    return VirtualHosts(infra)


@pytest.fixture
def amqp_uri(vhosts):
    vhost = vhosts.create()
    yield vhosts.uri(vhost)
    vhosts.delete(vhost)


class Databases:
    """Fresh PostgreSQL databases, dropped at the end of the session."""

    def __init__(self, admin_url: str):
        self.admin_url = admin_url
        self.engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create(self, label: str) -> str:
        name = _random_name(f"partyday_t_{label}_")
        with self.engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return self.admin_url.rsplit("/", 1)[0] + f"/{name}"

    def drop_all(self) -> None:
        with self.engine.connect() as connection:
            for name in self.created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.engine.dispose()


@pytest.fixture(scope="session")
def databases(infra):
    created = Databases(infra.postgres_url)
    yield created
    created.drop_all()
