"""Each process loads its own code: a service's process, started in a fresh interpreter and consuming, holds no
module of another service (neither its domain package nor its contracts), of the gateway or of a development
tool; the gateway's holds the services' contracts and none of their packages."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from partyday_common.settings import SERVICES
from partyday_dev.services import SERVICE_CLASSES

PROBE = Path(__file__).with_name("process_probe.py")
BIN = Path(sys.executable).parent


def run_probe(target: str, environment: dict) -> dict:
    finished = subprocess.run(
        [sys.executable, str(PROBE), target], env=environment, capture_output=True, text=True, timeout=120
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    return json.loads(finished.stdout.strip().splitlines()[-1])


def packages(modules: list[str]) -> set[str]:
    return {module.partition(".")[0] for module in modules}


@pytest.fixture
def environment(amqp_uri, tmp_path):
    environment = dict(os.environ, PARTYDAY_AMQP_URI=amqp_uri, PARTYDAY_DATA_DIR=str(tmp_path), PYTHONWARNINGS="ignore")
    for name in SERVICES:
        environment[f"PARTYDAY_{name.upper()}_METRICS_PORT"] = "0"
    return environment


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_process_loads_no_other_services_code(service, environment):
    subprocess.run([str(BIN / "partyday"), "migrate", service], env=environment, check=True, capture_output=True)
    found = run_probe(SERVICE_CLASSES[service], environment)
    assert found["consuming"] and all(found["consuming"].values())
    own = {"partyday_common", f"partyday_{service}", f"partyday_{service}_contracts"}
    assert packages(found["modules"]) - own == set()


def test_the_gateway_process_loads_the_services_contracts_and_none_of_their_code(environment):
    found = run_probe("gateway", environment)
    contracts = {f"partyday_{service}_contracts" for service in SERVICES}
    assert packages(found["modules"]) - contracts - {"partyday_common", "partyday_gateway"} == set()
