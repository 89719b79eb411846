"""What services log: expected errors left to ServiceMetrics, slow entrypoints as warnings."""

import logging
from types import SimpleNamespace

import yaml

from partyday_common import metrics
from partyday_common.errors import DomainError
from partyday_common.logs import DropExpectedErrors
from partyday_common.metrics import ServiceMetrics


def record(name: str, message: str, level: int = logging.WARNING) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, message, ("worker", "error"), None)


def test_nameko_warnings_about_expected_errors_are_left_out_and_nothing_else():
    keep = DropExpectedErrors().filter
    assert not keep(record("nameko.containers", "(expected) error handling worker %s: %s"))
    assert keep(record("nameko.containers", "error handling worker %s: %s", logging.ERROR))
    assert keep(record("partyday_common.metrics", "(expected) error handling worker %s: %s"))


def test_every_service_logs_through_the_filter():
    with open("deploy/nameko.yml") as config:
        logging_config = yaml.safe_load(config)["LOGGING"]
    assert logging_config["handlers"]["console"]["filters"] == ["expected_errors"]
    assert logging_config["filters"]["expected_errors"]["()"] == "partyday_common.logs.DropExpectedErrors"


class Worker:
    entrypoint = SimpleNamespace(method_name="scan", expected_exceptions=(DomainError,))


def _finish(provider: ServiceMetrics, seconds: float, monkeypatch) -> None:
    worker = Worker()
    times = iter([100.0, 100.0 + seconds])
    monkeypatch.setattr(metrics.time, "perf_counter", lambda: next(times))
    provider.worker_setup(worker)
    provider.worker_result(worker)


def test_an_entrypoint_is_logged_as_a_warning_once_it_takes_a_second(monkeypatch, caplog):
    provider = ServiceMetrics()
    provider.container = SimpleNamespace(service_name="attendance")
    caplog.set_level(logging.INFO, logger="partyday_common.metrics")
    _finish(provider, 0.999, monkeypatch)
    _finish(provider, 1.0, monkeypatch)
    assert [(entry.levelno, entry.getMessage()) for entry in caplog.records] == [
        (logging.INFO, "scan ok"),
        (logging.WARNING, "scan ok (slow)"),
    ]
    assert caplog.records[1].fields == {"entrypoint": "scan", "outcome": "ok", "duration_ms": 1000.0}
