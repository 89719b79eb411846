"""Run alone in a fresh interpreter: start one service's nameko container from its class path (as `nameko run`
does, with deploy/nameko.yml) or, with `gateway`, the gateway app with its lifespan; wait until it consumes; print,
as one JSON line, the partyday modules the process loaded and the consumers on its queues; stop.

    python tests/e2e/process_probe.py partyday_plans.service:PlansService
    python tests/e2e/process_probe.py gateway
"""

import json
import sys
import time
from pathlib import Path

NAMEKO_CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "nameko.yml"
WITHIN_S = 30


def loaded() -> list[str]:
    return sorted(name for name in sys.modules if name.startswith("partyday"))


def wait_for(condition, what: str):
    deadline = time.monotonic() + WITHIN_S
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} within {WITHIN_S} s")
        time.sleep(0.1)
    return found


def probe_service(target: str) -> dict:
    import eventlet

    eventlet.monkey_patch()
    import yaml
    from kombu import Connection
    from nameko.cli.main import setup_yaml_parser
    from nameko.cli.run import import_service
    from nameko.runners import ServiceRunner

    from partyday_common.consumer import subscription_queues

    setup_yaml_parser()
    config = yaml.safe_load(NAMEKO_CONFIG.read_text())
    [service_cls] = import_service(target)
    queues = [queue.name for queue in subscription_queues(service_cls)] + [f"rpc-{service_cls.name}"]
    runner = ServiceRunner(config)
    runner.add_service(service_cls)
    runner.start()
    try:
        with Connection(config["AMQP_URI"]) as connection:
            channel = connection.default_channel

            def consumers() -> dict[str, int] | None:
                counts = {name: channel.queue_declare(name, passive=True).consumer_count for name in queues}
                return counts if all(counts.values()) else None

            consuming = wait_for(consumers, f"{service_cls.name} consumes from {queues}")
        return {"modules": loaded(), "consuming": consuming}
    finally:
        runner.stop()


def probe_gateway() -> dict:
    from fastapi.testclient import TestClient

    from partyday_gateway.app import app

    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        wait_for(lambda: app.state.rpc.ready, "the gateway connects to the broker and follows its events")
        return {"modules": loaded(), "consuming": {"gateway": 1}}


if __name__ == "__main__":
    target = sys.argv[1]
    found = probe_gateway() if target == "gateway" else probe_service(target)
    print(json.dumps(found), flush=True)
