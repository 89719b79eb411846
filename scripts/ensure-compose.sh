#!/usr/bin/env bash
# The deploy test runs `docker compose config` on deploy/docker-compose.yml (no engine needed). Use the
# docker plugin or the standalone docker-compose; install Debian's docker-compose when neither is there and we
# may use apt; otherwise say what is missing and fail, so that the test never skips.
set -euo pipefail
has_client() { docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1; }
has_client && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq docker-compose >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq docker-compose >/dev/null; }
fi
has_client && { echo "docker-compose installed"; exit 0; }
echo "No docker compose client: install the docker compose plugin or Debian's docker-compose." >&2
exit 1
