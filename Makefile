# partyday: `make run` starts everything locally, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install lint run test test-infra test-unit test-services test-e2e test-browser bench bench-dispatch bench-checkin bench-scoring bench-import bench-notify migrate city clean

$(VENV)/.installed: requirements.txt requirements-test.txt pyproject.toml dev/pyproject.toml
	@scripts/ensure-fonts.sh
	@scripts/bootstrap-venv.sh "$(PYTHON)" "$(VENV)"
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . -e dev
	@touch $@

install: $(VENV)/.installed

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

migrate: install
	$(VENV)/bin/partyday-dev migrate

city: install
	$(VENV)/bin/partyday-city

run: install
	@scripts/ensure-rabbitmq.sh
	$(VENV)/bin/partyday-dev run

test-infra: install
	@scripts/ensure-fonts.sh
	@scripts/test-infra.sh

test-unit: install
	@scripts/ensure-compose.sh
	$(PY) -m pytest tests/unit tests/gateway tests/contracts

test-services: test-infra
	$(VENV)/bin/nameko test -p no:anyio tests/services tests/migrations

test-e2e: test-infra
	$(PY) -m pytest tests/e2e

test-browser: test-infra
	@scripts/ensure-browser.sh
	$(PY) -m pytest tests/browser

test: test-unit test-services test-e2e test-browser

bench: install
	@scripts/ensure-rabbitmq.sh
	$(PY) bench/rpc_clients.py

bench-dispatch: install
	@scripts/ensure-rabbitmq.sh --management
	@scripts/ensure-postgres.sh
	$(PY) -m bench.dispatch

bench-checkin: install
	@scripts/ensure-rabbitmq.sh --management
	@scripts/ensure-postgres.sh
	$(PY) -m bench.checkin

bench-scoring: install
	@scripts/ensure-rabbitmq.sh --management
	@scripts/ensure-postgres.sh
	$(PY) -m bench.scoring

bench-notify: install
	@scripts/ensure-rabbitmq.sh --management
	@scripts/ensure-postgres.sh
	$(PY) -m bench.notify

bench-import: install
	@scripts/ensure-rabbitmq.sh --management
	@scripts/ensure-postgres.sh
	$(PY) -m bench.import_roster

clean:
	rm -rf var .pytest_cache
