#!/usr/bin/env bash
# The integration tests need RabbitMQ (with its management API) and PostgreSQL.
# Where a Docker engine runs, pytest-docker starts them from deploy/docker-compose.test.yml;
# otherwise the local services are used, started here if they are stopped.
set -euo pipefail
mode="${PARTYDAY_TEST_DOCKER:-auto}"
if [ "$mode" = 1 ] || { [ "$mode" = auto ] && docker info >/dev/null 2>&1; }; then
  echo "integration services: Docker (pytest-docker, deploy/docker-compose.test.yml)"
  exit 0
fi
echo "integration services: local (PARTYDAY_TEST_AMQP_URI, PARTYDAY_TEST_POSTGRES_URL)"
PARTYDAY_AMQP_URI="${PARTYDAY_TEST_AMQP_URI:-amqp://guest:guest@127.0.0.1:5672/}" scripts/ensure-rabbitmq.sh --management
scripts/ensure-postgres.sh
